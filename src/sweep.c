#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "jsonin.h"
#include "outfile.h"
#include "progress.h"
#include "rng.h"
#include "run.h"
#include "sim.h"
#include "stats.h"

#if TIERSIM_HAVE_MPI
#include <mpi.h>
#endif

/* Values of a range parameter; more would be a mistake, not a sweep. */
#define MAX_RANGE_VALUES 10000
#define LABEL_MAX	 256
#define JOURNAL_NAME	 "journal.jsonl"
#define JOURNAL_FORMAT	 "tiersim-sweep-journal/1"

/* Column names runs.csv and aggregate.csv use for themselves. */
static const char *const reserved_names[] = {"point", "policy", "replication",	   "seed", "metric",
					     "n",     "mean",	"ci95_half_width", NULL};

void sweep_free(struct sweep *sw)
{
	if (sw == NULL)
		return;
	for (size_t k = 0; k < sw->n_params; k++) {
		struct sweep_param *pm = &sw->params[k];

		free(pm->pointer);
		cJSON_Delete(pm->values);
		for (size_t i = 0; pm->labels != NULL && i < pm->n_values; i++)
			free(pm->labels[i]);
		free(pm->labels);
	}
	for (size_t p = 0; sw->points != NULL && p < sw->n_points; p++)
		scenario_free(sw->points[p]);
	free(sw->points);
	free(sw->params);
	free(sw->policies);
	free(sw->scenario_path);
	free(sw->path);
	free(sw);
}

size_t sweep_value_index(const struct sweep *sw, size_t p, size_t k)
{
	for (size_t i = sw->n_params; i-- > k + 1;)
		p /= sw->params[i].n_values;
	return p % sw->params[k].n_values;
}

uint64_t sweep_item_seed(const struct sweep *sw, size_t p, unsigned r)
{
	char name[64];

	snprintf(name, sizeof(name), "point/%zu/replication/%u", p, r);
	return rng_derive_seed(sw->seed, name);
}

static void item_coords(const struct sweep *sw, size_t item, size_t *p, size_t *pol, unsigned *r)
{
	*r = (unsigned)(item % sw->replications);
	*pol = item / sw->replications % sw->n_policies;
	*p = item / sw->replications / sw->n_policies;
}

/* "point P (NAME=LABEL, ...)" for messages. */
static void point_text(const struct sweep *sw, size_t p, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "point %zu", p);

	for (size_t k = 0; k < sw->n_params && len < size; k++) {
		const struct sweep_param *pm = &sw->params[k];

		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", k == 0 ? " (" : ", ",
					pm->name, pm->labels[sweep_value_index(sw, p, k)]);
	}
	if (sw->n_params > 0 && len < size)
		snprintf(buf + len, size - len, ")");
}

/* ---- loading ---- */

static bool name_char(char c, bool dot)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || (dot && c == '.');
}

/* A name of letters, digits, '_', '-' (and '.' when `dot`), not starting
 * with '.': it becomes a directory or a CSV column. */
static int get_name(const struct jin_at *obj, const char *key, bool dot, char *dst,
		    struct ts_error *err)
{
	struct jin_at at;
	const char *v;
	int rc = jin_get_string(obj, key, true, SCN_ID_MAX, &v, err);

	if (rc < 0)
		return rc;
	for (const char *c = v; *c != '\0'; c++)
		if (!name_char(*c, dot) || (c == v && *c == '.')) {
			jin_member(obj, key, true, &at, err);
			return jin_fail(
			    &at, TS_EINVALID, err,
			    "expected a name of letters, digits, '_', '-'%s, got \"%s\"",
			    dot ? " and '.' (not first)" : "", v);
		}
	snprintf(dst, SCN_ID_MAX + 1, "%s", v);
	return 0;
}

/* Checks RFC 6901 syntax: "" or '/'-separated tokens, '~' only in "~0" and
 * "~1".  The whole document ("") cannot be replaced by a sweep. */
static bool pointer_syntax_ok(const char *ptr)
{
	if (ptr[0] != '/')
		return false;
	for (const char *c = ptr; *c != '\0'; c++)
		if (*c == '~' && c[1] != '0' && c[1] != '1')
			return false;
	return true;
}

/* The value `ptr` names in `root`, or NULL; *parent receives its parent,
 * *bad the offset of the token that names nothing. */
static cJSON *pointer_resolve(cJSON *root, const char *ptr, cJSON **parent, size_t *bad)
{
	cJSON *node = root;
	const char *c = ptr;

	while (*c == '/') {
		const char *start = ++c;
		char token[256];
		size_t n = 0;

		*bad = (size_t)(start - ptr - 1);
		for (; *c != '\0' && *c != '/'; c++) {
			char ch = *c;

			if (ch == '~') {
				ch = c[1] == '0' ? '~' : '/';
				c++;
			}
			/* No scenario key or index is this long. */
			if (n + 1 >= sizeof(token))
				return NULL;
			token[n++] = ch;
		}
		token[n] = '\0';
		*parent = node;
		if (cJSON_IsObject(node)) {
			node = cJSON_GetObjectItemCaseSensitive(node, token);
		} else if (cJSON_IsArray(node)) {
			char *end;
			unsigned long i;

			/* Array indices are decimal, without leading zeros. */
			if (n == 0 || token[0] < '0' || token[0] > '9' ||
			    (token[0] == '0' && n > 1))
				return NULL;
			errno = 0;
			i = strtoul(token, &end, 10);
			if (errno != 0 || *end != '\0' ||
			    i >= (unsigned long)cJSON_GetArraySize(node))
				return NULL;
			node = cJSON_GetArrayItem(node, (int)i);
		} else {
			return NULL;
		}
		if (node == NULL)
			return NULL;
	}
	return node;
}

static int pointer_missing(const struct sweep *sw, const struct jin_at *at, const char *ptr,
			   size_t bad, const char *where, struct ts_error *err)
{
	return jin_fail(at, TS_EINVALID, err,
			"%s%s\"%s\" names nothing in %s (no value at \"%.*s\"); expected a "
			"pointer to a member or element the scenario has",
			where, where[0] != '\0' ? ": " : "", ptr, sw->scenario_path,
			(int)(strcspn(ptr + bad + 1, "/") + bad + 1), ptr);
}

/* A label's text: a number in its shortest exact form, or a string. */
static int label_text(const struct jin_at *at, char **out, struct ts_error *err)
{
	char buf[LABEL_MAX + 1];
	const char *s;
	int rc = 0;

	if (cJSON_IsNumber(at->node)) {
		double x;

		rc = jin_number(at, -INFINITY, INFINITY, &x, err);
		if (rc == 0)
			outfile_format_double(x, buf, sizeof(buf));
	} else if (cJSON_IsString(at->node)) {
		rc = jin_string(at, LABEL_MAX, &s, err);
		if (rc == 0)
			snprintf(buf, sizeof(buf), "%s", s);
	} else {
		char *text = cJSON_PrintUnformatted(at->node);

		rc = jin_fail(at, TS_EINVALID, err, "expected a number or a string, got %.60s",
			      text != NULL ? text : "(value)");
		free(text);
	}
	if (rc < 0)
		return rc;
	*out = strdup(buf);
	return *out == NULL ? ts_error_set(err, TS_ENOMEM, "out of memory") : 0;
}

static int load_range(struct sweep_param *pm, const struct jin_at *range, struct ts_error *err)
{
	static const char *const keys[] = {"from", "to", "step", NULL};
	double from = 0, to = 0, step = 0, count;
	struct jin_at at;
	int rc = jin_keys(range, keys, err);

	if (rc == 0)
		rc = jin_get_number(range, "from", true, -1e15, 1e15, &from, err);
	if (rc == 0)
		rc = jin_get_number(range, "to", true, -1e15, 1e15, &to, err);
	if (rc == 0)
		rc = jin_get_number(range, "step", true, -1e15, 1e15, &step, err);
	if (rc < 0)
		return rc;
	jin_member(range, "step", true, &at, err);
	if (step == 0)
		return jin_fail(&at, TS_EINVALID, err,
				"expected a step other than 0 (from %g to %g), got 0", from, to);
	/* The tolerance keeps `to` when rounding leaves it a hair beyond the
	 * last step. */
	count = floor((to - from) / step + 1e-9) + 1;
	if (count < 1)
		return jin_fail(&at, TS_EINVALID, err,
				"expected a step of the sign of to - from (%g to %g), got %g", from,
				to, step);
	if (count > MAX_RANGE_VALUES)
		return jin_fail(&at, TS_EINVALID, err,
				"expected at most %d values, got %.0f from %g to %g by %g",
				MAX_RANGE_VALUES, count, from, to, step);
	pm->values = cJSON_CreateArray();
	for (size_t i = 0; pm->values != NULL && i < (size_t)count; i++) {
		double x = from + (double)i * step;

		/* 0 to 0.3 by 0.1 ends at 0.3, not 0.30000000000000004. */
		if (fabs(x - to) <= 1e-9 * fabs(step))
			x = to;
		if (!cJSON_AddItemToArray(pm->values, cJSON_CreateNumber(x)))
			return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	if (pm->values == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	pm->n_values = (size_t)count;
	return 0;
}

static int load_labels(struct sweep_param *pm, const struct jin_at *obj, struct ts_error *err)
{
	struct jin_at labels, values;
	size_t n = 0;
	int rc = jin_member(obj, "labels", false, &labels, err);

	if (rc < 0)
		return rc;
	pm->labels = calloc(pm->n_values, sizeof(*pm->labels));
	if (pm->labels == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	if (labels.node == NULL) {
		/* Without labels every value must be a number: it labels
		 * itself. */
		jin_member(obj, "values", false, &values, err);
		for (size_t i = 0; rc == 0 && i < pm->n_values; i++) {
			struct jin_at v = {.doc = obj->doc};

			if (values.node != NULL) {
				v = jin_element(&values, i);
				if (!cJSON_IsNumber(v.node)) {
					char *text = cJSON_PrintUnformatted(v.node);

					rc = jin_fail(&v, TS_EINVALID, err,
						      "expected a number, or a \"labels\" array "
						      "giving each value's label, got %.60s",
						      text != NULL ? text : "(value)");
					free(text);
					break;
				}
			} else {
				v.node = cJSON_GetArrayItem(pm->values, (int)i);
			}
			rc = label_text(&v, &pm->labels[i], err);
		}
		return rc;
	}
	rc = jin_array(&labels, 1, &n, err);
	if (rc == 0 && n != pm->n_values)
		return jin_fail(&labels, TS_EINVALID, err,
				"expected one label per value (%zu), got %zu", pm->n_values, n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct jin_at l = jin_element(&labels, i);

		rc = label_text(&l, &pm->labels[i], err);
	}
	return rc;
}

static int load_param(struct sweep *sw, cJSON *base, struct sweep_param *pm,
		      const struct jin_at *obj, struct ts_error *err)
{
	static const char *const keys[] = {"name",  "description", "pointer", "values",
					   "range", "labels",	   NULL};
	struct jin_at at, values, range;
	const char *text;
	cJSON *parent;
	size_t bad = 0;
	int rc = jin_keys(obj, keys, err);

	if (rc == 0)
		rc = get_name(obj, "name", false, pm->name, err);
	for (const char *const *r = reserved_names; rc == 0 && *r != NULL; r++)
		if (strcmp(pm->name, *r) == 0) {
			jin_member(obj, "name", true, &at, err);
			rc = jin_fail(&at, TS_EINVALID, err,
				      "expected a name other than the CSV columns point, policy, "
				      "replication, seed, metric, n, mean, ci95_half_width; got "
				      "\"%s\"",
				      pm->name);
		}
	for (size_t k = 0; rc == 0 && sw->params + k < pm; k++)
		if (strcmp(sw->params[k].name, pm->name) == 0) {
			jin_member(obj, "name", true, &at, err);
			rc = jin_fail(&at, TS_EINVALID, err,
				      "expected a name no other parameter has, got \"%s\" again",
				      pm->name);
		}
	if (rc == 0)
		rc = jin_get_string(obj, "description", false, 4096, &text, err);
	if (rc == 0)
		rc = jin_get_string(obj, "pointer", true, 1024, &text, err);
	if (rc < 0)
		return rc;
	jin_member(obj, "pointer", true, &at, err);
	if (!pointer_syntax_ok(text))
		return jin_fail(&at, TS_EINVALID, err,
				"expected a JSON Pointer (RFC 6901) such as \"/apps/0/sources\": "
				"'/' and tokens, '~' only as ~0 or ~1; got \"%s\"",
				text);
	if (pointer_resolve(base, text, &parent, &bad) == NULL)
		return pointer_missing(sw, &at, text, bad, "", err);
	pm->pointer = strdup(text);
	if (pm->pointer == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	rc = jin_member(obj, "values", false, &values, err);
	if (rc == 0)
		rc = jin_member(obj, "range", false, &range, err);
	if (rc < 0)
		return rc;
	if ((values.node == NULL) == (range.node == NULL))
		return jin_fail(obj, TS_EINVALID, err,
				"expected exactly one of \"values\" (a list) and \"range\" "
				"({\"from\", \"to\", \"step\"})");
	if (values.node != NULL) {
		rc = jin_array(&values, 1, &pm->n_values, err);
		if (rc == 0) {
			pm->values = cJSON_Duplicate(values.node, true);
			if (pm->values == NULL)
				rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		}
	} else {
		rc = load_range(pm, &range, err);
	}
	if (rc == 0)
		rc = load_labels(pm, obj, err);
	return rc;
}

static int load_params(struct sweep *sw, const struct jin_at *root, cJSON *base,
		       struct ts_error *err)
{
	struct jin_at params;
	double points = 1;
	int rc = jin_member(root, "parameters", true, &params, err);

	if (rc == 0)
		rc = jin_array(&params, 0, &sw->n_params, err);
	if (rc < 0)
		return rc;
	sw->params = calloc(sw->n_params + 1, sizeof(*sw->params));
	if (sw->params == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t k = 0; rc == 0 && k < sw->n_params; k++) {
		struct jin_at p = jin_element(&params, k);

		rc = load_param(sw, base, &sw->params[k], &p, err);
		points *= (double)sw->params[k].n_values;
	}
	if (rc == 0 && points * (double)sw->n_policies * sw->replications > SWEEP_MAX_ITEMS)
		return jin_fail(&params, TS_EINVALID, err,
				"expected at most %d work items (points x policies x "
				"replications), got %.0f x %zu x %u",
				SWEEP_MAX_ITEMS, points, sw->n_policies, sw->replications);
	sw->n_points = (size_t)points;
	return rc;
}

static int load_policies(struct sweep *sw, const struct jin_at *root, struct ts_error *err)
{
	struct jin_at list;
	int rc = jin_member(root, "policies", true, &list, err);

	if (rc == 0)
		rc = jin_array(&list, 1, &sw->n_policies, err);
	if (rc < 0)
		return rc;
	sw->policies = calloc(sw->n_policies, sizeof(*sw->policies));
	if (sw->policies == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < sw->n_policies; i++) {
		struct jin_at at = jin_element(&list, i);
		struct ts_error why;
		const char *name;

		rc = jin_string(&at, SCN_ID_MAX, &name, err);
		if (rc < 0)
			break;
		sw->policies[i] = policy_find(name);
		if (sw->policies[i] == NULL) {
			policy_unknown(name, &why);
			return jin_fail(&at, TS_EINVALID, err, "%s", why.msg);
		}
		/* A sweep compares policies on scenarios with apps. */
		if (policy_check_mode(sw->policies[i], false, &why) < 0)
			return jin_fail(&at, TS_EINVALID, err, "%s", why.msg);
		for (size_t j = 0; j < i; j++)
			if (sw->policies[j] == sw->policies[i])
				return jin_fail(&at, TS_EINVALID, err,
						"expected each policy once, got \"%s\" again",
						name);
	}
	return rc;
}

/* Reads the base scenario's JSON: its tree (the caller deletes it), hash
 * and directory. */
static int load_base(struct sweep *sw, cJSON **base, char **dir, struct ts_error *err)
{
	struct jin_doc doc = {0};
	char *text = NULL;
	size_t len;
	int rc = jin_read_file(sw->scenario_path, &text, &len, err);

	if (rc == 0) {
		rng_sha256_hex(text, len, sw->scenario_sha256);
		rc = jin_doc_parse(&doc, sw->scenario_path, text, len, err);
	}
	free(text);
	if (rc < 0)
		return rc;
	*base = doc.root;
	doc.root = NULL;
	jin_doc_release(&doc);
	*dir = scenario_dir_of(sw->scenario_path);
	return *dir == NULL ? ts_error_set(err, TS_ENOMEM, "out of memory") : 0;
}

/* Point p's scenario: the base with each parameter's pointer replaced by
 * the point's value, loaded with the normal rules. */
static int load_point(struct sweep *sw, const struct jin_doc *doc, const cJSON *base,
		      const char *dir, size_t p, struct ts_error *err)
{
	cJSON *json = cJSON_Duplicate(base, true);
	char where[512], *text = NULL;
	int rc = 0;

	point_text(sw, p, where, sizeof(where));
	if (json == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t k = 0; rc == 0 && k < sw->n_params; k++) {
		const struct sweep_param *pm = &sw->params[k];
		cJSON *v = cJSON_GetArrayItem(pm->values, (int)sweep_value_index(sw, p, k));
		size_t bad = 0;
		cJSON *parent = NULL, *target = pointer_resolve(json, pm->pointer, &parent, &bad);
		cJSON *copy;
		bool replaced;

		/* An earlier parameter may have changed what the pointer
		 * crosses. */
		if (target == NULL) {
			struct jin_at at = {.doc = doc};

			snprintf(at.path, sizeof(at.path), "$.parameters[%zu].pointer", k);
			rc = pointer_missing(sw, &at, pm->pointer, bad, where, err);
			break;
		}
		copy = cJSON_Duplicate(v, true);
		/* An object member keeps its key; an element has none. */
		if (copy == NULL)
			replaced = false;
		else if (cJSON_IsObject(parent))
			replaced =
			    cJSON_ReplaceItemInObjectCaseSensitive(parent, target->string, copy);
		else
			replaced = cJSON_ReplaceItemViaPointer(parent, target, copy);
		if (!replaced) {
			cJSON_Delete(copy);
			rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		}
	}
	if (rc == 0) {
		text = cJSON_PrintUnformatted(json);
		if (text == NULL)
			rc = ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		rc = scenario_load_text(text, strlen(text), sw->scenario_path, dir, &sw->points[p],
					err);
		if (rc < 0)
			ts_error_prefix(err, "%s: %s: ", sw->path, where);
	}
	free(text);
	cJSON_Delete(json);
	return rc;
}

static int load_root(struct sweep *sw, const struct jin_doc *doc, struct ts_error *err)
{
	static const char *const keys[] = {"format",	   "name",     "description",
					   "scenario",	   "policies", "parameters",
					   "replications", "seed",     NULL};
	struct jin_at root = jin_root(doc), at;
	const char *text;
	int64_t reps = 0, seed = 0;
	cJSON *base = NULL;
	char *dir = NULL, *sweep_dir = NULL;
	int rc = jin_keys(&root, keys, err);

	if (rc == 0)
		rc = jin_get_string(&root, "format", true, 64, &text, err);
	if (rc == 0 && strcmp(text, "tiersim-sweep/1") != 0) {
		jin_member(&root, "format", true, &at, err);
		rc = jin_fail(&at, TS_EINVALID, err,
			      "expected \"tiersim-sweep/1\" (this tiersim's sweep format), got "
			      "\"%s\"",
			      text);
	}
	if (rc == 0)
		rc = get_name(&root, "name", true, sw->name, err);
	if (rc == 0)
		rc = jin_get_string(&root, "description", false, 4096, &text, err);
	/* Seeds above 2^53 would not survive a JSON double. */
	if (rc == 0)
		rc = jin_get_integer(&root, "seed", true, 0, INT64_C(9007199254740992), &seed, err);
	if (rc == 0)
		rc = jin_get_integer(&root, "replications", true, 1, 10000, &reps, err);
	sw->seed = (uint64_t)seed;
	sw->replications = (unsigned)reps;
	if (rc == 0)
		rc = load_policies(sw, &root, err);
	if (rc == 0)
		rc = jin_get_string(&root, "scenario", true, 4096, &text, err);
	if (rc == 0) {
		size_t n;

		/* Relative to the sweep file's directory. */
		sweep_dir = scenario_dir_of(sw->path);
		n = (sweep_dir != NULL ? strlen(sweep_dir) : 0) + strlen(text) + 1;
		sw->scenario_path = malloc(n);
		if (sweep_dir == NULL || sw->scenario_path == NULL)
			rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		else
			snprintf(sw->scenario_path, n, "%s%s", text[0] == '/' ? "" : sweep_dir,
				 text);
	}
	if (rc == 0) {
		rc = load_base(sw, &base, &dir, err);
		if (rc < 0)
			ts_error_prefix(err, "%s: $.scenario: ", sw->path);
	}
	free(sweep_dir);
	if (rc == 0)
		rc = load_params(sw, &root, base, err);
	if (rc == 0) {
		sw->n_items = sw->n_points * sw->n_policies * sw->replications;
		sw->points = calloc(sw->n_points, sizeof(*sw->points));
		if (sw->points == NULL)
			rc = ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	for (size_t p = 0; rc == 0 && p < sw->n_points; p++) {
		rc = load_point(sw, doc, base, dir, p, err);
		if (rc == 0 && sw->points[p]->n_jobs > 0)
			rc = ts_error_set(err, TS_EINVALID,
					  "%s: $.scenario: %s has \"jobs\"; a sweep runs scenarios "
					  "with \"apps\"",
					  sw->path, sw->scenario_path);
	}
	cJSON_Delete(base);
	free(dir);
	return rc;
}

int sweep_load(const char *path, struct sweep **out, struct ts_error *err)
{
	struct sweep *sw = calloc(1, sizeof(*sw));
	struct jin_doc doc = {0};
	char *text = NULL;
	size_t len;
	int rc;

	if (sw == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	sw->path = strdup(path);
	if (sw->path == NULL) {
		free(sw);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	rc = jin_read_file(path, &text, &len, err);
	if (rc == 0) {
		rng_sha256_hex(text, len, sw->sha256);
		rc = jin_doc_parse(&doc, path, text, len, err);
	}
	free(text);
	if (rc == 0)
		rc = load_root(sw, &doc, err);
	jin_doc_release(&doc);
	if (rc < 0) {
		sweep_free(sw);
		return rc;
	}
	*out = sw;
	return 0;
}

/* ---- running ---- */

struct job {
	const struct sweep *sw;
	const struct sweep_config *cfg;
	char dir[4096];
	char journal[4200];
	int fd;		 /* the journal, open for appending */
	cJSON **results; /* per item: its "metrics" object once done, else NULL */
	size_t done_before, done_now;
	struct progress progress;
};

/* Adds the dotted names of the leaves under `node` (numbers, or null
 * where undefined) to `flat`. */
static int flatten(const cJSON *node, const char *prefix, cJSON *flat, struct ts_error *err)
{
	for (const cJSON *c = node != NULL ? node->child : NULL; c != NULL; c = c->next) {
		char name[512];
		bool failed = false;
		int rc = 0;

		snprintf(name, sizeof(name), "%s.%s", prefix, c->string);
		if (cJSON_IsObject(c))
			rc = flatten(c, name, flat, err);
		else if (!outfile_json_add(flat, name, cJSON_Duplicate(c, false), &failed))
			rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Runs work item `item` and gives its journal line:
 * {"item": I, "metrics": {"totals.created": ..., ...}} and a newline. */
static int item_line(const struct sweep *sw, size_t item, char **line, struct ts_error *err)
{
	static const char *const groups[] = {"totals", "apps",	 "nodes", "tiers",
					     "health", "energy", "cost",  "partition"};
	struct sim_report rep = {0};
	struct sim_options opt = {0};
	size_t p, pol;
	unsigned r;
	cJSON *summary = NULL, *obj, *flat;
	char *text = NULL;
	int rc;

	item_coords(sw, item, &p, &pol, &r);
	/* Exactly `tiersim run POINT --seed SEED --policy POLICY`. */
	opt.seed = run_replication_seed(sweep_item_seed(sw, p, r), 0);
	opt.policy = sw->policies[pol];
	rc = sim_run(sw->points[p], &opt, &rep, err);
	if (rc < 0) {
		char where[512];

		point_text(sw, p, where, sizeof(where));
		ts_error_prefix(err,
				"%s: work item %zu (%s, policy %s, replication %u): ", sw->path,
				item, where, sw->policies[pol]->name, r);
		return rc;
	}
	summary = run_summary_json(sw->points[p], sw->policies[pol]->name, &rep, 1);
	sim_report_release(&rep);
	obj = cJSON_CreateObject();
	flat = cJSON_AddObjectToObject(obj, "metrics");
	if (summary == NULL || obj == NULL || flat == NULL ||
	    cJSON_AddNumberToObject(obj, "item", (double)item) == NULL)
		rc = ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t g = 0; rc == 0 && g < sizeof(groups) / sizeof(groups[0]); g++)
		rc = flatten(cJSON_GetObjectItemCaseSensitive(summary, groups[g]), groups[g], flat,
			     err);
	if (rc == 0)
		text = cJSON_PrintUnformatted(obj);
	cJSON_Delete(summary);
	cJSON_Delete(obj);
	if (rc == 0 && text != NULL) {
		size_t n = strlen(text);

		*line = realloc(text, n + 2);
		if (*line != NULL) {
			memcpy(*line + n, "\n", 2);
			return 0;
		}
	}
	free(text);
	return rc < 0 ? rc : ts_error_set(err, TS_ENOMEM, "out of memory");
}

/* Takes one journal line (without its newline) into j->results.
 * `lineno` names it in messages. */
static int take_line(struct job *j, const char *line, size_t len, size_t lineno,
		     struct ts_error *err)
{
	cJSON *obj, *item, *metrics;
	char shown[64];
	double i;

	if (jin_parse_part(line, len, &obj) == TS_ENOMEM)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	item = cJSON_GetObjectItemCaseSensitive(obj, "item");
	metrics = cJSON_GetObjectItemCaseSensitive(obj, "metrics");
	i = cJSON_IsNumber(item) ? item->valuedouble : -1;
	if (!cJSON_IsObject(metrics) || i < 0 || i >= (double)j->sw->n_items || i != floor(i)) {
		cJSON_Delete(obj);
		jin_excerpt(line, line + len, shown, sizeof(shown));
		return ts_error_set(err, TS_EINVALID,
				    "%s:%zu: expected a work item record {\"item\": 0 to %zu, "
				    "\"metrics\": {...}}, got %s",
				    j->journal, lineno, j->sw->n_items - 1, shown);
	}
	if (j->results[(size_t)i] != NULL) {
		cJSON_Delete(obj);
		return ts_error_set(err, TS_EINVALID,
				    "%s:%zu: work item %.0f is recorded twice; the journal is "
				    "damaged: remove it to start the sweep again",
				    j->journal, lineno, i);
	}
	j->results[(size_t)i] = cJSON_DetachItemViaPointer(obj, metrics);
	cJSON_Delete(obj);
	return 0;
}

static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* NULL when out of memory. */
static char *journal_header(const struct sweep *sw)
{
	cJSON *h = cJSON_CreateObject();
	bool failed = h == NULL;
	char *text = NULL, *line = NULL;

	failed |= cJSON_AddStringToObject(h, "format", JOURNAL_FORMAT) == NULL;
	failed |= cJSON_AddStringToObject(h, "sweep_sha256", sw->sha256) == NULL;
	failed |= cJSON_AddStringToObject(h, "scenario_sha256", sw->scenario_sha256) == NULL;
	failed |= cJSON_AddNumberToObject(h, "items", (double)sw->n_items) == NULL;
	if (!failed)
		text = cJSON_PrintUnformatted(h);
	cJSON_Delete(h);
	if (text != NULL) {
		line = malloc(strlen(text) + 2);
		if (line != NULL)
			sprintf(line, "%s\n", text);
	}
	free(text);
	return line;
}

/* Appends one line with a single write and makes it durable: a crash
 * leaves it whole or cut short, never reordered. */
static int journal_append(struct job *j, const char *line, struct ts_error *err)
{
	if (write_all(j->fd, line, strlen(line)) < 0 || fsync(j->fd) != 0)
		return ts_error_set(err, TS_EIO, "%s: cannot write: %s", j->journal,
				    strerror(errno));
	return 0;
}

/* Reads text[0..len) of an existing journal: its header must be this
 * sweep's; complete item lines are taken; *keep is the length of the
 * complete lines (a last line without its newline was cut short by a
 * crash and is dropped). */
static int journal_read(struct job *j, const char *text, size_t len, size_t *keep,
			struct ts_error *err)
{
	const char *nl = memchr(text, '\n', len), *p;
	char *want = journal_header(j->sw);
	size_t lineno = 2;
	int rc = 0;

	*keep = 0;
	if (want == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	/* A header cut short: nothing was recorded yet. */
	if (nl == NULL) {
		free(want);
		return 0;
	}
	if ((size_t)(nl - text + 1) != strlen(want) || memcmp(text, want, strlen(want)) != 0) {
		char shown[160];

		jin_excerpt(text, nl, shown, sizeof(shown));
		free(want);
		return ts_error_set(err, TS_EINVALID,
				    "%s: the journal of another sweep (its header: %s); this one "
				    "has sweep file SHA-256 %s and scenario SHA-256 %s: remove the "
				    "journal or choose another results directory with -o",
				    j->journal, shown, j->sw->sha256, j->sw->scenario_sha256);
	}
	free(want);
	for (p = nl + 1; rc == 0; lineno++) {
		nl = memchr(p, '\n', len - (size_t)(p - text));
		if (nl == NULL)
			break;
		rc = take_line(j, p, (size_t)(nl - p), lineno, err);
		p = nl + 1;
	}
	*keep = (size_t)(p - text);
	return rc;
}

/* Opens or creates the journal and takes what it holds. */
static int journal_open(struct job *j, struct ts_error *err)
{
	struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char *text = NULL, *header = NULL;
	size_t len = 0, keep = 0;
	struct stat st;
	int rc = 0;

	snprintf(j->journal, sizeof(j->journal), "%s/%s", j->dir, JOURNAL_NAME);
	j->fd = open(j->journal, O_RDWR | O_CREAT | O_APPEND, 0666);
	if (j->fd < 0 || fstat(j->fd, &st) != 0)
		return ts_error_set(err, TS_EIO, "%s: cannot open: %s", j->journal,
				    strerror(errno));
	/* Two sweeps appending to one journal would record items twice; the
	 * lock goes with the process, however it ends. */
	if (fcntl(j->fd, F_SETLK, &lock) != 0)
		return ts_error_set(err, TS_ERUNTIME,
				    "%s: cannot lock it (%s): is another tiersim sweep writing to "
				    "this results directory?",
				    j->journal, strerror(errno));
	if (st.st_size > 0) {
		rc = jin_read_file(j->journal, &text, &len, err);
		if (rc == 0)
			rc = journal_read(j, text, len, &keep, err);
		free(text);
	}
	if (rc == 0 && keep < (size_t)st.st_size && ftruncate(j->fd, (off_t)keep) != 0)
		rc = ts_error_set(err, TS_EIO, "%s: cannot truncate: %s", j->journal,
				  strerror(errno));
	if (rc == 0 && keep == 0) {
		header = journal_header(j->sw);
		rc = header == NULL ? ts_error_set(err, TS_ENOMEM, "out of memory")
				    : journal_append(j, header, err);
		free(header);
	}
	for (size_t i = 0; i < j->sw->n_items; i++)
		j->done_before += j->results[i] != NULL;
	return rc;
}

/* Records a finished item: journal first, then memory. */
static int record(struct job *j, const char *line, struct ts_error *err)
{
	int rc = journal_append(j, line, err);

	if (rc == 0)
		rc = take_line(j, line, strlen(line) - 1, 0, err);
	if (rc < 0)
		return rc;
	j->done_now++;
	progress_update(&j->progress, (double)(j->done_before + j->done_now), j->done_now);
	if (j->cfg->stop_after > 0 && j->done_now == j->cfg->stop_after)
		return ts_error_set(
		    err, TS_ERUNTIME,
		    "stopped after %zu work items as TIERSIM_SWEEP_STOP_AFTER asks; "
		    "run the same command again to resume",
		    j->done_now);
	return 0;
}

/* The next item the journal lacks, from *next on; false when none. */
static bool next_pending(const struct job *j, size_t *next)
{
	while (*next < j->sw->n_items && j->results[*next] != NULL)
		++*next;
	return *next < j->sw->n_items;
}

static int run_serial(struct job *j, struct ts_error *err)
{
	size_t next = 0;
	int rc = 0;

	while (rc == 0 && next_pending(j, &next)) {
		char *line = NULL;

		rc = item_line(j->sw, next, &line, err);
		if (rc == 0)
			rc = record(j, line, err);
		free(line);
		next++;
	}
	return rc;
}

/* ---- results ---- */

/* A CSV cell: quoted (RFC 4180) when it holds a comma, a quote or a line
 * break. */
static void csv_cell(FILE *f, const char *text)
{
	if (strpbrk(text, ",\"\r\n") == NULL) {
		fputs(text, f);
		return;
	}
	fputc('"', f);
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == '"')
			fputc('"', f);
		fputc(*c, f);
	}
	fputc('"', f);
}

/* Empty for an undefined value. */
static void csv_number(FILE *f, double x)
{
	if (!isnan(x))
		fprintf(f, "%.17g", x);
}

/* The metric columns: every metric name in the order the items (sorted)
 * first give it, and values[item * n + column], NAN where an item lacks
 * the metric or it is undefined. */
struct table {
	const char **names; /* point into j->results */
	size_t n;
	double *values;
};

static void table_release(struct table *t)
{
	free(t->names);
	free(t->values);
}

static long column_of(const struct table *t, const char *name, size_t hint)
{
	if (hint < t->n && strcmp(t->names[hint], name) == 0)
		return (long)hint;
	for (size_t c = 0; c < t->n; c++)
		if (strcmp(t->names[c], name) == 0)
			return (long)c;
	return -1;
}

static int table_build(const struct job *j, struct table *t, struct ts_error *err)
{
	size_t cap = 0;

	*t = (struct table){0};
	for (size_t i = 0; i < j->sw->n_items; i++) {
		size_t hint = 0;

		for (const cJSON *m = j->results[i]->child; m != NULL; m = m->next, hint++) {
			if (column_of(t, m->string, hint) >= 0)
				continue;
			if (t->n == cap) {
				const char **grown;

				cap = cap == 0 ? 64 : 2 * cap;
				grown = realloc(t->names, cap * sizeof(*grown));
				if (grown == NULL)
					return ts_error_set(err, TS_ENOMEM, "out of memory");
				t->names = grown;
			}
			t->names[t->n++] = m->string;
		}
	}
	t->values = malloc((j->sw->n_items * t->n + 1) * sizeof(*t->values));
	if (t->values == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; i < j->sw->n_items * t->n; i++)
		t->values[i] = NAN;
	for (size_t i = 0; i < j->sw->n_items; i++) {
		size_t hint = 0;

		for (const cJSON *m = j->results[i]->child; m != NULL; m = m->next, hint++)
			if (cJSON_IsNumber(m))
				t->values[i * t->n + (size_t)column_of(t, m->string, hint)] =
				    m->valuedouble;
	}
	return 0;
}

static void param_header(FILE *f, const struct sweep *sw)
{
	fputs("point", f);
	for (size_t k = 0; k < sw->n_params; k++) {
		fputc(',', f);
		csv_cell(f, sw->params[k].name);
	}
}

static void param_cells(FILE *f, const struct sweep *sw, size_t p)
{
	fprintf(f, "%zu", p);
	for (size_t k = 0; k < sw->n_params; k++) {
		fputc(',', f);
		csv_cell(f, sw->params[k].labels[sweep_value_index(sw, p, k)]);
	}
}

static void write_runs(FILE *f, const struct sweep *sw, const struct table *t)
{
	param_header(f, sw);
	fputs(",policy,replication,seed", f);
	for (size_t c = 0; c < t->n; c++) {
		fputc(',', f);
		csv_cell(f, t->names[c]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < sw->n_items; i++) {
		size_t p, pol;
		unsigned r;

		item_coords(sw, i, &p, &pol, &r);
		param_cells(f, sw, p);
		fprintf(f, ",%s,%u,%" PRIu64, sw->policies[pol]->name, r,
			sweep_item_seed(sw, p, r));
		for (size_t c = 0; c < t->n; c++) {
			fputc(',', f);
			csv_number(f, t->values[i * t->n + c]);
		}
		fputc('\n', f);
	}
}

static int write_aggregate(FILE *f, const struct sweep *sw, const struct table *t,
			   struct ts_error *err)
{
	double *x = malloc(sw->replications * sizeof(*x));

	if (x == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	param_header(f, sw);
	fputs(",policy,metric,n,mean,ci95_half_width\n", f);
	for (size_t p = 0; p < sw->n_points; p++)
		for (size_t pol = 0; pol < sw->n_policies; pol++)
			for (size_t c = 0; c < t->n; c++) {
				size_t first = (p * sw->n_policies + pol) * sw->replications, n = 0;
				double mean = NAN, half = NAN;

				for (unsigned r = 0; r < sw->replications; r++) {
					double v = t->values[(first + r) * t->n + c];

					if (!isnan(v))
						x[n++] = v;
				}
				if (n > 0)
					stats_mean_ci95(x, n, &mean, &half);
				param_cells(f, sw, p);
				fprintf(f, ",%s,", sw->policies[pol]->name);
				csv_cell(f, t->names[c]);
				fprintf(f, ",%zu,", n);
				csv_number(f, mean);
				fputc(',', f);
				csv_number(f, half);
				fputc('\n', f);
			}
	free(x);
	return 0;
}

/* NULL when out of memory. */
static cJSON *manifest_json(const struct sweep *sw)
{
	cJSON *root = cJSON_CreateObject(), *o, *a;
	bool failed = root == NULL;
	char text[32];

	failed |= cJSON_AddStringToObject(root, "format", "tiersim-sweep-manifest/1") == NULL;
	failed |= cJSON_AddStringToObject(root, "tiersim_version", TIERSIM_VERSION) == NULL;
	o = cJSON_AddObjectToObject(root, "sweep");
	failed |= cJSON_AddStringToObject(o, "path", sw->path) == NULL;
	failed |= cJSON_AddStringToObject(o, "name", sw->name) == NULL;
	failed |= cJSON_AddStringToObject(o, "sha256", sw->sha256) == NULL;
	o = cJSON_AddObjectToObject(root, "scenario");
	failed |= cJSON_AddStringToObject(o, "path", sw->scenario_path) == NULL;
	failed |= cJSON_AddStringToObject(o, "sha256", sw->scenario_sha256) == NULL;
	/* Seeds are 64-bit: strings, because JSON numbers are doubles. */
	snprintf(text, sizeof(text), "%" PRIu64, sw->seed);
	failed |= cJSON_AddStringToObject(root, "seed", text) == NULL;
	a = cJSON_AddArrayToObject(root, "policies");
	failed |= a == NULL;
	for (size_t i = 0; !failed && i < sw->n_policies; i++)
		outfile_json_add(a, NULL, cJSON_CreateString(sw->policies[i]->name), &failed);
	failed |= cJSON_AddNumberToObject(root, "replications", sw->replications) == NULL;
	failed |= cJSON_AddNumberToObject(root, "items", (double)sw->n_items) == NULL;
	a = cJSON_AddArrayToObject(root, "parameters");
	failed |= a == NULL;
	for (size_t k = 0; !failed && k < sw->n_params; k++) {
		cJSON *pm = cJSON_CreateObject();

		failed |= cJSON_AddStringToObject(pm, "name", sw->params[k].name) == NULL;
		failed |= cJSON_AddStringToObject(pm, "pointer", sw->params[k].pointer) == NULL;
		outfile_json_add(a, NULL, pm, &failed);
	}
	a = cJSON_AddArrayToObject(root, "points");
	failed |= a == NULL;
	for (size_t p = 0; !failed && p < sw->n_points; p++) {
		cJSON *pt = cJSON_CreateObject(), *values, *labels;

		failed |= cJSON_AddNumberToObject(pt, "point", (double)p) == NULL;
		values = cJSON_AddObjectToObject(pt, "values");
		labels = cJSON_AddObjectToObject(pt, "labels");
		failed |= values == NULL || labels == NULL;
		for (size_t k = 0; !failed && k < sw->n_params; k++) {
			size_t v = sweep_value_index(sw, p, k);

			outfile_json_add(
			    values, sw->params[k].name,
			    cJSON_Duplicate(cJSON_GetArrayItem(sw->params[k].values, (int)v), true),
			    &failed);
			failed |= cJSON_AddStringToObject(labels, sw->params[k].name,
							  sw->params[k].labels[v]) == NULL;
		}
		outfile_json_add(a, NULL, pt, &failed);
	}
	if (failed) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* Every file is complete under its temporary name before the first is
 * renamed. */
static int write_results(const struct job *j, struct ts_error *err)
{
	struct outfile runs = {0}, agg = {0}, manifest = {0};
	struct table t;
	int rc = table_build(j, &t, err);

	if (rc == 0)
		rc = outfile_open(&runs, j->dir, "runs.csv", err);
	if (rc == 0) {
		write_runs(runs.f, j->sw, &t);
		rc = outfile_open(&agg, j->dir, "aggregate.csv", err);
	}
	if (rc == 0)
		rc = write_aggregate(agg.f, j->sw, &t, err);
	if (rc == 0)
		rc = outfile_open_json(&manifest, j->dir, "manifest.json", manifest_json(j->sw),
				       err);
	if (rc == 0)
		rc = outfile_commit(&runs, err);
	if (rc == 0)
		rc = outfile_commit(&agg, err);
	if (rc == 0)
		rc = outfile_commit(&manifest, err);
	outfile_discard(&runs);
	outfile_discard(&agg);
	outfile_discard(&manifest);
	table_release(&t);
	return rc;
}

/* ---- distribution over MPI ranks ---- */

#if TIERSIM_HAVE_MPI

#define COORDINATOR_POLL_NS 200000
#define WORKER_QUEUE	    2

enum { TAG_READY = 1, TAG_RESULT, TAG_FAILED, TAG_ITEM, TAG_STOP };

/* A worker's failed item: its status and message. */
struct failure {
	int status;
	char msg[sizeof(((struct ts_error *)0)->msg)];
};

/* Rank 0's view of one worker. */
struct worker {
	int queued;   /* items sent whose result has not come back */
	bool stopped; /* TAG_STOP sent */
};

/* Sends worker w (rank w + 1) the next pending item, or TAG_STOP when
 * there is none or the sweep failed (rc < 0). */
static void hand_out(struct job *j, struct worker *w, int rank, size_t *next, int rc)
{
	long long idx;

	if (rc == 0 && next_pending(j, next)) {
		idx = (long long)(*next)++;
		MPI_Send(&idx, 1, MPI_LONG_LONG, rank, TAG_ITEM, MPI_COMM_WORLD);
		w->queued++;
	} else if (!w->stopped) {
		MPI_Send(NULL, 0, MPI_LONG_LONG, rank, TAG_STOP, MPI_COMM_WORLD);
		w->stopped = true;
	}
}

/* Rank 0 with `n` other ranks: hands the next pending item to whichever
 * worker asks (TAG_READY at first, then each result asks for one more)
 * and records the results.  Each worker has WORKER_QUEUE items in hand,
 * so it starts the next one while rank 0 is still answering.  After the
 * first error (rc < 0 on entry, a failed item or a failed record) no more
 * items are handed out; every worker is told to stop in every case, and
 * rank 0 waits for the results still under way. */
static int coordinate(struct job *j, int n, int rc, struct ts_error *err)
{
	static const struct timespec poll = {.tv_nsec = COORDINATOR_POLL_NS};
	struct worker *workers = calloc((size_t)n, sizeof(*workers));
	size_t next = 0;
	int active = n;

	if (workers == NULL) {
		/* Without rank 0's bookkeeping the workers cannot be stopped
		 * one by one: MPI_Abort ends every rank. */
		fprintf(stderr, "tiersim: out of memory\n");
		MPI_Abort(MPI_COMM_WORLD, TS_EXIT_RUNTIME);
	}
	while (active > 0) {
		struct worker *w;
		MPI_Status st;
		char *buf;
		int len, flag = 0;

		/* MPI_Probe would spin on a core of its own for the whole
		 * sweep; polling every COORDINATOR_POLL_NS leaves the cores to
		 * the workers, which have their next item in hand meanwhile. */
		for (;;) {
			MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
			if (flag)
				break;
			nanosleep(&poll, NULL);
		}
		MPI_Get_count(&st, MPI_CHAR, &len);
		buf = malloc((size_t)len + 1);
		if (buf == NULL) {
			fprintf(stderr, "tiersim: out of memory\n");
			MPI_Abort(MPI_COMM_WORLD, TS_EXIT_RUNTIME);
		}
		MPI_Recv(buf, len, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		buf[len] = '\0';
		w = &workers[st.MPI_SOURCE - 1];
		if (st.MPI_TAG != TAG_READY)
			w->queued--;
		if (st.MPI_TAG == TAG_RESULT && rc == 0) {
			rc = record(j, buf, err);
		} else if (st.MPI_TAG == TAG_FAILED && rc == 0) {
			const struct failure *f = (const struct failure *)buf;

			rc = ts_error_set(err, f->status, "%s", f->msg);
		}
		free(buf);
		for (int k = st.MPI_TAG == TAG_READY ? WORKER_QUEUE : 1; k > 0 && !w->stopped; k--)
			hand_out(j, w, st.MPI_SOURCE, &next, rc);
		/* A stopped worker may still send the results of the items it
		 * had in hand. */
		if (w->stopped && w->queued == 0)
			active--;
	}
	free(workers);
	return rc;
}

/* A rank other than 0: runs the items it is given until told to stop. */
static void work(const struct sweep *sw)
{
	MPI_Send(NULL, 0, MPI_CHAR, 0, TAG_READY, MPI_COMM_WORLD);
	for (;;) {
		struct ts_error err = {""};
		MPI_Status st;
		long long idx;
		char *line = NULL;
		int rc;

		MPI_Recv(&idx, 1, MPI_LONG_LONG, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
		if (st.MPI_TAG == TAG_STOP)
			return;
		rc = item_line(sw, (size_t)idx, &line, &err);
		if (rc == 0) {
			MPI_Send(line, (int)strlen(line), MPI_CHAR, 0, TAG_RESULT, MPI_COMM_WORLD);
		} else {
			struct failure f = {.status = rc};

			snprintf(f.msg, sizeof(f.msg), "%s", err.msg);
			MPI_Send(&f, (int)sizeof(f), MPI_CHAR, 0, TAG_FAILED, MPI_COMM_WORLD);
		}
		free(line);
	}
}

/* Started by an MPI launcher: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE,
 * a PMIx launcher (srun --mpi=pmix) PMIX_RANK.  A plain `tiersim sweep`
 * never initialises MPI. */
static bool mpi_launched(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

#endif

/* Runs what the journal lacks and writes the results (rank 0 or no MPI);
 * `workers` other ranks take items when there are any. */
static int lead(struct job *j, int workers, FILE *out, FILE *warn, struct ts_error *err)
{
	const struct sweep *sw = j->sw;
	int rc;

	if (j->cfg->out_dir != NULL)
		snprintf(j->dir, sizeof(j->dir), "%s", j->cfg->out_dir);
	else
		snprintf(j->dir, sizeof(j->dir), "results/%s", sw->name);
	j->fd = -1;
	j->results = calloc(sw->n_items, sizeof(*j->results));
	rc = j->results == NULL ? ts_error_set(err, TS_ENOMEM, "out of memory") : 0;
	if (rc == 0)
		rc = outfile_mkdirs(j->dir, err);
	if (rc == 0)
		rc = journal_open(j, err);
	if (rc == 0 && j->done_before > 0)
		fprintf(warn, "tiersim: resuming: %zu of %zu work items done\n", j->done_before,
			sw->n_items);
	progress_init(&j->progress, j->cfg->progress, (double)sw->n_items, "work items", "items");
#if TIERSIM_HAVE_MPI
	if (workers > 0)
		rc = coordinate(j, workers, rc, err);
	else if (rc == 0)
		rc = run_serial(j, err);
#else
	(void)workers;
	if (rc == 0)
		rc = run_serial(j, err);
#endif
	progress_finish(&j->progress);
	if (rc == 0)
		rc = write_results(j, err);
	if (rc == 0)
		fprintf(out,
			"tiersim %s: sweep %s: %zu point%s x %zu polic%s x %u replication%s = %zu "
			"work items, %zu run now\nresults: %s/\n",
			TIERSIM_VERSION, sw->name, sw->n_points, sw->n_points == 1 ? "" : "s",
			sw->n_policies, sw->n_policies == 1 ? "y" : "ies", sw->replications,
			sw->replications == 1 ? "" : "s", sw->n_items, j->done_now, j->dir);
	if (j->fd >= 0)
		close(j->fd);
	for (size_t i = 0; j->results != NULL && i < sw->n_items; i++)
		cJSON_Delete(j->results[i]);
	free(j->results);
	return rc;
}

int sweep_run(const struct sweep_config *cfg, FILE *out, FILE *warn, bool *primary,
	      struct ts_error *err)
{
	struct sweep *sw = NULL;
	struct job j = {.cfg = cfg};
	int rank = 0, size = 1, rc;

#if TIERSIM_HAVE_MPI
	bool mpi = mpi_launched();

	if (mpi) {
		MPI_Init(NULL, NULL);
		MPI_Comm_rank(MPI_COMM_WORLD, &rank);
		MPI_Comm_size(MPI_COMM_WORLD, &size);
	}
#endif
	*primary = rank == 0;
	rc = sweep_load(cfg->path, &sw, err);
#if TIERSIM_HAVE_MPI
	if (mpi) {
		int worst;

		/* Every rank loads the sweep; all go on only if all could. */
		MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
		if (rc == 0 && worst < 0)
			rc = ts_error_set(err, worst, "another MPI rank could not load %s",
					  cfg->path);
	}
#endif
	if (rc == 0) {
		j.sw = sw;
		if (rank == 0)
			rc = lead(&j, size - 1, out, warn, err);
#if TIERSIM_HAVE_MPI
		else
			work(sw);
#endif
	}
	sweep_free(sw);
#if TIERSIM_HAVE_MPI
	if (mpi)
		MPI_Finalize();
#endif
	return rc;
}
