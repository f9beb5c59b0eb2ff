#include "energy.h"

#include <stddef.h>

/* Far above any board or server; a bound that keeps totals finite. */
#define MAX_W	     1e6
#define MAX_J_BYTE   1.0
#define MAX_USD	     1e9
#define SOURCE_CHARS 4096

/* A component's {"idle_W", "busy_W", "source"}: busy at least idle. */
static int read_power(const struct jin_at *root, const char *key, bool required,
		      const struct jin_at *sources, double *idle, double *busy,
		      struct ts_error *err)
{
	static const char *const keys[] = {"idle_W", "busy_W", "source", NULL};
	struct jin_at c, b;
	int rc = jin_member(root, key, required, &c, err);

	if (rc < 0 || c.node == NULL)
		return rc;
	rc = jin_keys(&c, keys, err);
	if (rc == 0)
		rc = jin_get_number(&c, "idle_W", true, 0, MAX_W, idle, err);
	if (rc == 0)
		rc = jin_get_number(&c, "busy_W", true, 0, MAX_W, busy, err);
	if (rc == 0)
		rc = jin_get_source(&c, sources, err);
	if (rc == 0 && *busy < *idle) {
		jin_member(&c, "busy_W", true, &b, err);
		rc = jin_fail(&b, TS_EINVALID, err,
			      "expected busy_W at least idle_W (%.17g), got %.17g", *idle, *busy);
	}
	return rc;
}

static int read_radio(const struct jin_at *root, const struct jin_at *sources,
		      struct energy_model *e, struct ts_error *err)
{
	static const char *const keys[] = {"tx_per_byte_J", "rx_per_byte_J", "source", NULL};
	struct jin_at r;
	int rc = jin_member(root, "radio", false, &r, err);

	if (rc < 0 || r.node == NULL)
		return rc;
	rc = jin_keys(&r, keys, err);
	if (rc == 0)
		rc = jin_get_number(&r, "tx_per_byte_J", true, 0, MAX_J_BYTE, &e->tx_per_byte_J,
				    err);
	if (rc == 0)
		rc = jin_get_number(&r, "rx_per_byte_J", true, 0, MAX_J_BYTE, &e->rx_per_byte_J,
				    err);
	if (rc == 0)
		rc = jin_get_source(&r, sources, err);
	return rc;
}

int energy_model_load(const char *path, struct energy_model *out, struct ts_error *err)
{
	static const char *const keys[] = {
	    "tiersim_energy", "id", "description", "sources", "cpu", "accelerator", "radio", NULL};
	struct jin_doc doc = {0};
	struct jin_at root, sources;
	struct energy_model e = {0};
	const char *text;
	int64_t version = 0;
	int rc = jin_doc_load(&doc, path, err);

	if (rc == 0) {
		root = jin_root(&doc);
		rc = jin_get_integer(&root, "tiersim_energy", true, 1, 1, &version, err);
	}
	if (rc == 0)
		rc = jin_keys(&root, keys, err);
	if (rc == 0)
		rc = jin_get_string(&root, "id", true, 63, &text, err);
	if (rc == 0)
		rc = jin_get_string(&root, "description", false, SOURCE_CHARS, &text, err);
	if (rc == 0)
		rc = jin_member(&root, "sources", true, &sources, err);
	if (rc == 0)
		rc = jin_sources(&sources, SOURCE_CHARS, err);
	if (rc == 0)
		rc = read_power(&root, "cpu", true, &sources, &e.cpu_idle_W, &e.cpu_busy_W, err);
	if (rc == 0)
		rc = read_power(&root, "accelerator", false, &sources, &e.accel_idle_W,
				&e.accel_busy_W, err);
	if (rc == 0)
		rc = read_radio(&root, &sources, &e, err);
	jin_doc_release(&doc);
	if (rc == 0)
		*out = e;
	return rc;
}

int node_cost_read(const struct jin_at *at, struct node_cost *out, struct ts_error *err)
{
	static const char *const keys[] = {
	    "per_s_usd", "per_inference_usd", "per_GB_usd", "per_hour_usd", "source", NULL};
	struct node_cost c = {0};
	const char *text;
	int rc = jin_keys(at, keys, err);

	if (rc == 0)
		rc = jin_get_number(at, "per_s_usd", false, 0, MAX_USD, &c.per_s_usd, err);
	if (rc == 0)
		rc = jin_get_number(at, "per_inference_usd", false, 0, MAX_USD,
				    &c.per_inference_usd, err);
	if (rc == 0)
		rc = jin_get_number(at, "per_GB_usd", false, 0, MAX_USD, &c.per_GB_usd, err);
	if (rc == 0)
		rc = jin_get_number(at, "per_hour_usd", false, 0, MAX_USD, &c.per_hour_usd, err);
	if (rc == 0)
		rc = jin_get_string(at, "source", false, SOURCE_CHARS, &text, err);
	if (rc == 0)
		*out = c;
	return rc;
}
