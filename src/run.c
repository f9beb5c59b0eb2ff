#include "run.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jobrun.h"
#include "jsonin.h"
#include "outfile.h"
#include "progress.h"
#include "rng.h"
#include "scenario.h"
#include "sim.h"
#include "stats.h"

struct job {
	const struct run_config *cfg;
	struct scenario *s;
	const struct policy_ops *policy;
	uint64_t seed;
	char dir[4096];
	struct sim_report *reports;
	uint64_t *seeds;
	unsigned done;
	struct progress progress;
	uint64_t events_before; /* events of the replications done */
};

enum group_kind {
	G_TOTALS,
	G_APP,
	G_NODE,
	G_TIER,
	G_HEALTH,
	G_PARTITION,
	G_STATE,
	G_FAULTS,
	G_AVAILABILITY,
	G_ENERGY,
	G_NODE_ENERGY,
	G_COST,
	G_NODE_COST,
	G_BATTERY
};

static double value(const struct sim_report *rep, enum group_kind g, size_t idx, int k)
{
	switch (g) {
	case G_TOTALS:
		return rep->totals[k];
	case G_APP:
		return rep->apps[idx * SIM_M_COUNT_ALL + (size_t)k];
	case G_NODE:
		return rep->nodes[idx * SIM_M_COUNT_ALL + (size_t)k];
	case G_TIER:
		return rep->tiers[idx][k];
	case G_HEALTH:
		return rep->health[k];
	case G_PARTITION:
		return rep->partition[k];
	case G_STATE:
		return rep->state_s[idx * HEALTH_STATE_COUNT + (size_t)k];
	case G_FAULTS:
		return rep->faults[k];
	case G_AVAILABILITY:
		return rep->availability[idx];
	case G_ENERGY:
		return rep->energy[k];
	case G_NODE_ENERGY:
		return rep->node_energy[idx * SIM_NE_COUNT_ALL + (size_t)k];
	case G_COST:
		return rep->cost[k];
	case G_NODE_COST:
		return rep->node_cost[idx * SIM_NC_COUNT_ALL + (size_t)k];
	case G_BATTERY:
		return k == 0 ? rep->battery_empty_s[idx] : rep->battery_left_J[idx];
	}
	return NAN;
}

static cJSON *number_or_null(double x)
{
	return isnan(x) ? cJSON_CreateNull() : cJSON_CreateNumber(x);
}

/* Metric k of a group over the replications: a plain number for a single
 * run, otherwise {"mean", "ci95_half_width"}; NAN becomes null.  NULL when
 * out of memory. */
static cJSON *metric_json(const struct sim_report *reps, unsigned r, enum group_kind g, size_t idx,
			  int k)
{
	double *x, mean, half;
	bool failed = false;
	cJSON *o;

	if (r == 1)
		return number_or_null(value(&reps[0], g, idx, k));
	x = malloc(r * sizeof(*x));
	if (x == NULL)
		return NULL;
	for (unsigned i = 0; i < r; i++)
		x[i] = value(&reps[i], g, idx, k);
	stats_mean_ci95(x, r, &mean, &half);
	free(x);
	o = cJSON_CreateObject();
	outfile_json_add(o, "mean", number_or_null(mean), &failed);
	outfile_json_add(o, "ci95_half_width", number_or_null(half), &failed);
	if (failed) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Adds `item` under a name whose one '.' nests it in a sub-object. */
static void add_nested(cJSON *obj, const char *name, cJSON *item, bool *failed)
{
	const char *dot = strchr(name, '.');
	char head[64];
	cJSON *sub;

	if (dot == NULL) {
		outfile_json_add(obj, name, item, failed);
		return;
	}
	snprintf(head, sizeof(head), "%.*s", (int)(dot - name), name);
	sub = cJSON_GetObjectItemCaseSensitive(obj, head);
	if (sub == NULL) {
		sub = cJSON_AddObjectToObject(obj, head);
		*failed |= sub == NULL;
	}
	outfile_json_add(sub, dot + 1, item, failed);
}

static void add_group(const struct sim_report *reps, unsigned r, cJSON *parent, const char *name,
		      enum group_kind g, size_t idx, bool *failed)
{
	cJSON *o = cJSON_AddObjectToObject(parent, name);

	*failed |= o == NULL;
	for (int k = 0; o != NULL && k < SIM_M_COUNT_ALL; k++) {
		/* An app is not a resource: it has no utilisation. */
		if (k == SIM_M_UTILISATION && g == G_APP)
			continue;
		add_nested(o, sim_metric_names[k], metric_json(reps, r, g, idx, k), failed);
	}
}

static bool tier_present(const struct scenario *s, enum tier t)
{
	for (size_t n = 0; n < s->n_nodes; n++)
		if (s->nodes[n].tier == t)
			return true;
	return false;
}

/* summary.json's "health": the counts, and the time each edge or cloud
 * node spent in each state. */
static void add_health(const struct scenario *s, const struct sim_report *reports, unsigned n,
		       cJSON *root, bool *failed)
{
	cJSON *h = cJSON_AddObjectToObject(root, "health"), *times;

	*failed |= h == NULL;
	for (int k = 0; !*failed && k < SIM_H_COUNT_ALL; k++)
		outfile_json_add(h, sim_health_names[k], metric_json(reports, n, G_HEALTH, 0, k),
				 failed);
	times = *failed ? NULL : cJSON_AddObjectToObject(h, "time_in_state_s");
	*failed |= times == NULL;
	for (size_t i = 0; !*failed && i < s->n_nodes; i++) {
		cJSON *node;

		if (s->nodes[i].tier == TIER_DEVICE)
			continue;
		node = cJSON_AddObjectToObject(times, s->nodes[i].id);
		*failed |= node == NULL;
		for (int k = 0; !*failed && k < HEALTH_STATE_COUNT; k++)
			outfile_json_add(node, health_state_name((enum health_state)k),
					 metric_json(reports, n, G_STATE, i, k), failed);
	}
}

/* The "faults" object: the fault counts and each node's availability. */
static void add_faults(const struct scenario *s, const struct sim_report *reports, unsigned n,
		       cJSON *root, bool *failed)
{
	cJSON *f = cJSON_AddObjectToObject(root, "faults"), *avail;

	*failed |= f == NULL;
	for (int k = 0; !*failed && k < SIM_F_COUNT_ALL; k++)
		add_nested(f, sim_fault_names[k], metric_json(reports, n, G_FAULTS, 0, k), failed);
	avail = *failed ? NULL : cJSON_AddObjectToObject(f, "availability");
	*failed |= avail == NULL;
	for (size_t i = 0; !*failed && i < s->n_nodes; i++)
		outfile_json_add(avail, s->nodes[i].id,
				 metric_json(reports, n, G_AVAILABILITY, i, 0), failed);
}

/* An account's object ("energy" or "cost"): the run's values, then
 * "nodes" with each node's. */
struct account {
	const char *name, *unit;
	enum group_kind run, node;
	const char *const *run_names, *const *node_names;
	int n_run, n_node;
	int n_parts; /* per-request parts after the total, before the tiers */
	bool (*present)(const struct scenario *s);
};

static bool has_energy(const struct scenario *s)
{
	return s->has_energy;
}

static bool has_cost(const struct scenario *s)
{
	return s->has_cost;
}

static const struct account accounts[] = {
    {"energy", "J", G_ENERGY, G_NODE_ENERGY, sim_energy_names, sim_node_energy_names,
     SIM_E_COUNT_ALL, SIM_NE_COUNT_ALL, SIM_NE_TOTAL, has_energy},
    {"cost", "USD", G_COST, G_NODE_COST, sim_cost_names, sim_node_cost_names, SIM_C_COUNT_ALL,
     SIM_NC_COUNT_ALL, SIM_NC_TOTAL, has_cost},
};

static void add_account(const struct scenario *s, const struct sim_report *reports, unsigned n,
			const struct account *a, cJSON *root, bool *failed)
{
	cJSON *o = cJSON_AddObjectToObject(root, a->name), *nodes;

	*failed |= o == NULL;
	for (int k = 0; !*failed && k < a->n_run; k++)
		add_nested(o, a->run_names[k], metric_json(reports, n, a->run, 0, k), failed);
	nodes = *failed ? NULL : cJSON_AddObjectToObject(o, "nodes");
	*failed |= nodes == NULL;
	for (size_t i = 0; !*failed && i < s->n_nodes; i++) {
		cJSON *node = cJSON_AddObjectToObject(nodes, s->nodes[i].id);

		*failed |= node == NULL;
		for (int k = 0; !*failed && k < a->n_node; k++)
			outfile_json_add(node, a->node_names[k],
					 metric_json(reports, n, a->node, i, k), failed);
	}
}

/* "energy"'s "batteries": for each device with one, when it ran out and
 * what was left. */
static void add_batteries(const struct scenario *s, const struct sim_report *reports, unsigned n,
			  cJSON *root, bool *failed)
{
	cJSON *b =
	    cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(root, "energy"), "batteries");

	*failed |= b == NULL;
	for (size_t i = 0; !*failed && i < s->n_nodes; i++) {
		cJSON *node;

		if (s->nodes[i].battery_J <= 0)
			continue;
		node = cJSON_AddObjectToObject(b, s->nodes[i].id);
		*failed |= node == NULL;
		outfile_json_add(node, "empty_at_s", metric_json(reports, n, G_BATTERY, i, 0),
				 failed);
		outfile_json_add(node, "left_J", metric_json(reports, n, G_BATTERY, i, 1), failed);
	}
}

cJSON *run_summary_json(const struct scenario *s, const char *policy,
			const struct sim_report *reports, unsigned n)
{
	cJSON *root = cJSON_CreateObject(), *totals, *apps, *nodes, *tiers;
	bool failed = root == NULL;

	failed |= cJSON_AddStringToObject(root, "format", "tiersim-summary/1") == NULL;
	failed |= cJSON_AddStringToObject(root, "scenario", s->name) == NULL;
	failed |= cJSON_AddStringToObject(root, "policy", policy) == NULL;
	failed |= cJSON_AddNumberToObject(root, "replications", n) == NULL;
	failed |=
	    cJSON_AddNumberToObject(root, "measured_s", sim_to_s(s->duration - s->warmup)) == NULL;
	totals = cJSON_AddObjectToObject(root, "totals");
	failed |= totals == NULL;
	for (int k = 0; !failed && k < SIM_T_COUNT_ALL; k++)
		add_nested(totals, sim_total_names[k], metric_json(reports, n, G_TOTALS, 0, k),
			   &failed);
	apps = cJSON_AddObjectToObject(root, "apps");
	failed |= apps == NULL;
	for (size_t a = 0; !failed && a < s->n_apps; a++)
		add_group(reports, n, apps, s->apps[a].id, G_APP, a, &failed);
	nodes = cJSON_AddObjectToObject(root, "nodes");
	failed |= nodes == NULL;
	for (size_t i = 0; !failed && i < s->n_nodes; i++)
		add_group(reports, n, nodes, s->nodes[i].id, G_NODE, i, &failed);
	tiers = cJSON_AddObjectToObject(root, "tiers");
	failed |= tiers == NULL;
	for (int t = 0; !failed && t < TIER_COUNT; t++)
		if (tier_present(s, (enum tier)t))
			add_group(reports, n, tiers, tier_name((enum tier)t), G_TIER, (size_t)t,
				  &failed);
	if (!failed && policy_find(policy)->health)
		add_health(s, reports, n, root, &failed);
	if (!failed && policy_find(policy)->partition) {
		cJSON *p = cJSON_AddObjectToObject(root, "partition");

		failed |= p == NULL;
		for (int k = 0; !failed && k < SIM_P_COUNT_ALL; k++)
			outfile_json_add(p, sim_partition_names[k],
					 metric_json(reports, n, G_PARTITION, 0, k), &failed);
	}
	if (!failed && s->faults.present)
		add_faults(s, reports, n, root, &failed);
	for (size_t a = 0; !failed && a < sizeof(accounts) / sizeof(accounts[0]); a++)
		if (accounts[a].present(s))
			add_account(s, reports, n, &accounts[a], root, &failed);
	if (!failed && s->has_battery)
		add_batteries(s, reports, n, root, &failed);
	if (failed) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

uint64_t run_replication_seed(uint64_t seed, unsigned r)
{
	char name[32];

	snprintf(name, sizeof(name), "replication/%u", r);
	return rng_derive_seed(seed, name);
}

/* The manifest's "trace" option: null, or the file and the sampling. */
static cJSON *trace_json(const struct run_config *cfg)
{
	bool failed = false;
	cJSON *t;

	if (cfg->trace == NULL)
		return cJSON_CreateNull();
	t = cJSON_CreateObject();
	failed |= cJSON_AddStringToObject(t, "path", cfg->trace) == NULL;
	failed |= cJSON_AddNumberToObject(t, "sample", (double)cfg->trace_sample) == NULL;
	if (failed) {
		cJSON_Delete(t);
		return NULL;
	}
	return t;
}

/* The manifest into *out; fails when a profile cannot be read again for
 * its hash or memory runs out. */
static int manifest_json(const struct job *j, cJSON **out, struct ts_error *err)
{
	const struct scenario *s = j->s;
	cJSON *root = cJSON_CreateObject(), *sc, *seeds, *opts, *profiles, *warn;
	bool failed = root == NULL;
	double clamped = 0;
	char text[32];

	failed |= cJSON_AddStringToObject(root, "format", "tiersim-manifest/1") == NULL;
	failed |= cJSON_AddStringToObject(root, "tiersim_version", TIERSIM_VERSION) == NULL;
	sc = cJSON_AddObjectToObject(root, "scenario");
	failed |= sc == NULL;
	failed |= cJSON_AddStringToObject(sc, "path", s->path) == NULL;
	failed |= cJSON_AddStringToObject(sc, "name", s->name) == NULL;
	failed |= cJSON_AddStringToObject(sc, "sha256", s->sha256) == NULL;
	/* Seeds are 64-bit: strings, because JSON numbers are doubles. */
	snprintf(text, sizeof(text), "%" PRIu64, j->seed);
	failed |= cJSON_AddStringToObject(root, "seed", text) == NULL;
	failed |= cJSON_AddNumberToObject(root, "replications", j->cfg->replications) == NULL;
	seeds = cJSON_AddArrayToObject(root, "replication_seeds");
	failed |= seeds == NULL;
	for (unsigned i = 0; !failed && i < j->cfg->replications; i++) {
		snprintf(text, sizeof(text), "%" PRIu64, j->seeds[i]);
		outfile_json_add(seeds, NULL, cJSON_CreateString(text), &failed);
	}
	failed |= cJSON_AddStringToObject(root, "policy", j->policy->name) == NULL;
	opts = cJSON_AddObjectToObject(root, "options");
	failed |= opts == NULL;
	failed |= cJSON_AddBoolToObject(opts, "requests_csv", j->cfg->requests_csv) == NULL;
	outfile_json_add(opts, "trace", trace_json(j->cfg), &failed);
	failed |= cJSON_AddStringToObject(opts, "out_of_range",
					  s->out_of_range == OOR_CLAMP ? "clamp" : "error") == NULL;
	failed |= cJSON_AddNumberToObject(opts, "duration_s", sim_to_s(s->duration)) == NULL;
	failed |= cJSON_AddNumberToObject(opts, "warmup_s", sim_to_s(s->warmup)) == NULL;
	profiles = cJSON_AddArrayToObject(root, "profiles");
	failed |= profiles == NULL;
	for (size_t i = 0; !failed && i < s->n_profiles; i++) {
		cJSON *p = cJSON_CreateObject();
		char *text_buf = NULL, hex[65] = "";
		size_t len;

		int rc = jin_read_file(s->profile_paths[i], &text_buf, &len, err);

		if (rc < 0) {
			cJSON_Delete(p);
			cJSON_Delete(root);
			return rc;
		}
		rng_sha256_hex(text_buf, len, hex);
		free(text_buf);
		failed |= cJSON_AddStringToObject(p, "id", profile_id(s->profiles[i])) == NULL;
		failed |= cJSON_AddStringToObject(p, "sha256", hex) == NULL;
		outfile_json_add(profiles, NULL, p, &failed);
	}
	warn = cJSON_AddObjectToObject(root, "warnings");
	failed |= warn == NULL;
	for (unsigned i = 0; i < j->cfg->replications; i++)
		clamped += (double)j->reports[i].clamped_lookups;
	failed |= cJSON_AddNumberToObject(warn, "clamped_profile_lookups", clamped) == NULL;
	if (failed) {
		cJSON_Delete(root);
		return ts_error_set(err, TS_ENOMEM, "out of memory writing manifest.json");
	}
	*out = root;
	return 0;
}

/* An undefined value (no request, or an app's utilisation) prints as "-". */
static void print_cell(FILE *out, double v, double scale, const char *fmt, int width)
{
	if (isnan(v))
		fprintf(out, " %*s", width - 1, "-");
	else
		fprintf(out, fmt, scale * v);
}

static void print_row(FILE *out, const char *kind, const char *name, const struct job *j,
		      enum group_kind g, size_t idx)
{
	double v[SIM_M_COUNT_ALL];
	unsigned r = j->cfg->replications;

	for (int k = 0; k < SIM_M_COUNT_ALL; k++) {
		v[k] = 0;
		for (unsigned i = 0; i < r; i++)
			v[k] += value(&j->reports[i], g, idx, k) / r;
	}
	fprintf(out, "  %-5s %-12s %9.0f", kind, name, v[SIM_M_COUNT]);
	print_cell(out, v[SIM_M_MEAN], 1, " %9.2f", 10);
	print_cell(out, v[SIM_M_P50], 1, " %9.2f", 10);
	print_cell(out, v[SIM_M_P95], 1, " %9.2f", 10);
	print_cell(out, v[SIM_M_MISS], 100, " %7.1f%%", 9);
	print_cell(out, v[SIM_M_UTILISATION], 100, " %6.1f%%", 8);
	fprintf(out, " %8.0f\n", v[SIM_M_DROP_QUEUE_FULL] + v[SIM_M_DROP_NO_NODE]);
}

/* The mean over the replications of the first n values of a group
 * without index (totals, health, faults). */
static void means(const struct job *j, enum group_kind g, int n, double *out)
{
	unsigned r = j->cfg->replications;

	for (int k = 0; k < n; k++) {
		out[k] = 0;
		for (unsigned i = 0; i < r; i++)
			out[k] += value(&j->reports[i], g, 0, k) / r;
	}
}

/* "energy: X J per request (cpu .., accelerator .., ...), Y J in all":
 * means over the replications. */
static void print_account(FILE *out, const struct job *j, const struct account *a)
{
	double v[(int)SIM_E_COUNT_ALL + (int)SIM_C_COUNT_ALL]; /* room for either */

	means(j, a->run, a->n_run, v);
	fprintf(out, "%s: %.6g %s per request (", a->name, v[0], a->unit);
	for (int k = 1; k <= a->n_parts; k++)
		fprintf(out, "%s%s %.6g", k == 1 ? "" : ", ", strchr(a->run_names[k], '.') + 1,
			v[k]);
	fprintf(out, "), %.6g %s in all\n", v[a->n_run - 1], a->unit);
}

static void print_summary(FILE *out, const struct job *j)
{
	const struct scenario *s = j->s;
	unsigned r = j->cfg->replications;
	double t[SIM_T_COUNT_ALL];

	means(j, G_TOTALS, SIM_T_COUNT_ALL, t);
	fprintf(out, "tiersim %s: scenario %s, policy %s, seed %" PRIu64 ", %u replication%s\n",
		TIERSIM_VERSION, s->name, j->policy->name, j->seed, r, r == 1 ? "" : "s");
	fprintf(out,
		"requests%s: %.0f created, %.0f completed, %.0f dropped (queue_full %.0f, "
		"no_node %.0f), %.0f in flight at the end\n",
		r == 1 ? "" : " (mean per replication)", t[SIM_T_CREATED], t[SIM_T_COMPLETED],
		t[SIM_T_DROPPED_QUEUE_FULL] + t[SIM_T_DROPPED_NO_NODE], t[SIM_T_DROPPED_QUEUE_FULL],
		t[SIM_T_DROPPED_NO_NODE], t[SIM_T_IN_FLIGHT]);
	if (s->faults.present) {
		double f[SIM_F_COUNT_ALL];

		means(j, G_FAULTS, SIM_F_COUNT_ALL, f);
		fprintf(out,
			"faults: %.0f node crashes, %.0f link outages, %.0f link degradations, "
			"%.0f accelerator losses; %.0f retries, %.0f failed (node_crash %.0f, "
			"link_down %.0f, accelerator_lost %.0f, timeout %.0f)\n",
			f[SIM_F_NODE_CRASHES], f[SIM_F_LINK_OUTAGES], f[SIM_F_LINK_DEGRADATIONS],
			f[SIM_F_ACCEL_LOSSES], f[SIM_F_RETRIED],
			f[SIM_F_FAILED_NODE_CRASH] + f[SIM_F_FAILED_LINK_DOWN] +
			    f[SIM_F_FAILED_ACCEL_LOST] + f[SIM_F_FAILED_TIMEOUT],
			f[SIM_F_FAILED_NODE_CRASH], f[SIM_F_FAILED_LINK_DOWN],
			f[SIM_F_FAILED_ACCEL_LOST], f[SIM_F_FAILED_TIMEOUT]);
	}
	fprintf(out, "response time after warm-up (%g s of %g s), ms:\n", sim_to_s(s->warmup),
		sim_to_s(s->duration));
	fprintf(out, "  %-5s %-12s %9s %9s %9s %9s %8s %7s %8s\n", "", "", "count", "mean", "p50",
		"p95", "miss", "util", "dropped");
	for (size_t a = 0; a < s->n_apps; a++)
		print_row(out, "app", s->apps[a].id, j, G_APP, a);
	for (size_t n = 0; n < s->n_nodes; n++)
		print_row(out, "node", s->nodes[n].id, j, G_NODE, n);
	for (int tr = 0; tr < TIER_COUNT; tr++)
		if (tier_present(s, (enum tier)tr))
			print_row(out, "tier", tier_name((enum tier)tr), j, G_TIER, (size_t)tr);
	if (j->policy->health) {
		double h[SIM_H_COUNT_ALL];

		means(j, G_HEALTH, SIM_H_COUNT_ALL, h);
		fprintf(out,
			"health%s: %.0f migrations, %.0f decisions without a healthy node, %.0f "
			"state changes\n",
			r == 1 ? "" : " (mean per replication)", h[SIM_H_MIGRATIONS],
			h[SIM_H_NO_HEALTHY], h[SIM_H_STATE_CHANGES]);
	}
	if (j->policy->partition) {
		double p[SIM_P_COUNT_ALL];

		means(j, G_PARTITION, SIM_P_COUNT_ALL, p);
		fprintf(out, "partition%s: %.0f requests split (%.1f%%)",
			r == 1 ? "" : " (mean per replication)", p[SIM_P_SPLIT],
			100 * p[SIM_P_SPLIT_SHARE]);
		if (!isnan(p[SIM_P_MEAN_SPLIT_AFTER]))
			fprintf(out, ", after layer %.3g on average", p[SIM_P_MEAN_SPLIT_AFTER]);
		fputc('\n', out);
	}
	for (size_t a = 0; a < sizeof(accounts) / sizeof(accounts[0]); a++)
		if (accounts[a].present(s))
			print_account(out, j, &accounts[a]);
	for (size_t n = 0; s->has_battery && n < s->n_nodes; n++) {
		unsigned out_of_charge = 0;

		if (s->nodes[n].battery_J <= 0)
			continue;
		for (unsigned i = 0; i < r; i++)
			out_of_charge += !isnan(j->reports[i].battery_empty_s[n]);
		fprintf(out, "battery %s: ran out in %u of %u replication%s\n", s->nodes[n].id,
			out_of_charge, r, r == 1 ? "" : "s");
	}
	if (r > 1)
		fprintf(out,
			"(means over %u replications; 95%% confidence intervals are in "
			"summary.json)\n",
			r);
	fprintf(out, "results: %s/\n", j->dir);
}

/* sim_options.progress: replication j->done is under way. */
static void on_progress(void *ctx, sim_time_t now, uint64_t events)
{
	struct job *j = ctx;

	progress_update(&j->progress, (double)j->done * (double)j->s->duration + (double)now,
			j->events_before + events);
}

/* The request trace's file, opened with the start of its JSON object. */
static int trace_open(struct outfile *o, const char *path, struct ts_error *err)
{
	const char *base;
	char *dir = outfile_split_path(path, &base);
	int rc;

	if (dir == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	rc = outfile_open(o, dir, base, err);
	free(dir);
	if (rc == 0)
		fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", o->f);
	return rc;
}

/* The health outputs of a policy with `health`, with their headers. */
static const struct {
	const char *name;
	const char *header;
} health_files[] = {
    {"timeseries.csv", sim_timeseries_header},
    {"migrations.csv", sim_migrations_header},
    {"states.csv", sim_states_header},
};

#define N_HEALTH_FILES (sizeof(health_files) / sizeof(health_files[0]))

static int run_all(struct job *j, FILE *warn, struct ts_error *err)
{
	struct outfile csv = {0}, summary = {0}, manifest = {0}, trace = {0};
	struct outfile health[N_HEALTH_FILES] = {{0}};
	struct sim_trace st = {.sample = j->cfg->trace_sample};
	cJSON *doc = NULL;
	int rc = 0;

	if (j->cfg->requests_csv) {
		rc = outfile_open(&csv, j->dir, "requests.csv", err);
		if (rc < 0)
			return rc;
		fputs(sim_csv_header, csv.f);
	}
	if (j->cfg->trace != NULL) {
		rc = trace_open(&trace, j->cfg->trace, err);
		st.f = trace.f;
	}
	for (size_t k = 0; rc == 0 && j->policy->health && k < N_HEALTH_FILES; k++) {
		rc = outfile_open(&health[k], j->dir, health_files[k].name, err);
		if (rc == 0)
			fputs(health_files[k].header, health[k].f);
	}
	progress_init(&j->progress, j->cfg->progress,
		      (double)j->cfg->replications * (double)j->s->duration, "simulated time",
		      "events");
	for (unsigned i = 0; rc == 0 && i < j->cfg->replications; i++) {
		struct sim_options opt = {
		    .seed = j->seeds[i],
		    .policy = j->policy,
		    .requests_csv = csv.f,
		    .replication = i,
		    .trace = st.f != NULL ? &st : NULL,
		    /* The health outputs have fixed columns, without a
		     * replication: they are of replication 0. */
		    .timeseries = i == 0 ? health[0].f : NULL,
		    .migrations = i == 0 ? health[1].f : NULL,
		    .states = i == 0 ? health[2].f : NULL,
		    .progress = j->cfg->progress != NULL ? on_progress : NULL,
		    .progress_ctx = j,
		};

		rc = sim_run(j->s, &opt, &j->reports[i], err);
		if (rc < 0) {
			ts_error_prefix(err, "%s: replication %u: ", j->s->path, i);
			break;
		}
		j->done++;
		j->events_before += (uint64_t)j->reports[i].totals[SIM_T_EVENTS];
		if (j->reports[i].clamped_lookups > 0) {
			progress_finish(&j->progress);
			fprintf(warn,
				"tiersim: warning: replication %u: %" PRIu64
				" profile lookups outside their table were clamped to its edge; "
				"the first: %s\n",
				i, j->reports[i].clamped_lookups, j->reports[i].first_clamp);
		}
	}
	progress_finish(&j->progress);
	if (rc == 0 && st.f != NULL)
		fputs("\n]}\n", st.f);
	/* Every file is complete under its temporary name before the first
	 * is renamed. */
	if (rc == 0)
		rc = outfile_open_json(
		    &summary, j->dir, "summary.json",
		    run_summary_json(j->s, j->policy->name, j->reports, j->cfg->replications), err);
	if (rc == 0)
		rc = manifest_json(j, &doc, err);
	if (rc == 0)
		rc = outfile_open_json(&manifest, j->dir, "manifest.json", doc, err);
	if (rc == 0 && j->cfg->requests_csv)
		rc = outfile_commit(&csv, err);
	if (rc == 0 && st.f != NULL)
		rc = outfile_commit(&trace, err);
	for (size_t k = 0; rc == 0 && j->policy->health && k < N_HEALTH_FILES; k++)
		rc = outfile_commit(&health[k], err);
	if (rc == 0)
		rc = outfile_commit(&summary, err);
	if (rc == 0)
		rc = outfile_commit(&manifest, err);
	outfile_discard(&csv);
	outfile_discard(&trace);
	outfile_discard(&summary);
	outfile_discard(&manifest);
	for (size_t k = 0; k < N_HEALTH_FILES; k++)
		outfile_discard(&health[k]);
	return rc;
}

int run_scenario(const struct run_config *cfg, FILE *out, FILE *warn, struct ts_error *err)
{
	struct job j = {.cfg = cfg};
	const char *policy;
	int rc = scenario_load(cfg->scenario_path, &j.s, err);

	if (rc < 0)
		return rc;
	policy = cfg->policy != NULL ? cfg->policy : j.s->policy;
	j.policy = policy_find(policy);
	if (j.policy == NULL) {
		rc = policy_unknown(policy, err);
		goto out;
	}
	rc = policy_check_mode(j.policy, j.s->n_jobs > 0, err);
	if (rc < 0) {
		ts_error_prefix(err, "%s: ", j.s->path);
		goto out;
	}
	j.seed = cfg->has_seed ? cfg->seed : j.s->seed;
	if (cfg->out_dir != NULL)
		snprintf(j.dir, sizeof(j.dir), "%s", cfg->out_dir);
	else
		snprintf(j.dir, sizeof(j.dir), "results/%s", j.s->name);
	if (j.s->n_jobs > 0) {
		rc = jobrun(cfg, j.s, j.policy, j.dir, out, err);
		goto out;
	}
	j.reports = calloc(cfg->replications, sizeof(*j.reports));
	j.seeds = calloc(cfg->replications, sizeof(*j.seeds));
	if (j.reports == NULL || j.seeds == NULL) {
		rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < cfg->replications; i++)
		j.seeds[i] = run_replication_seed(j.seed, i);
	rc = outfile_mkdirs(j.dir, err);
	if (rc == 0)
		rc = run_all(&j, warn, err);
	if (rc == 0)
		print_summary(out, &j);
out:
	for (unsigned i = 0; j.reports != NULL && i < j.done; i++)
		sim_report_release(&j.reports[i]);
	free(j.reports);
	free(j.seeds);
	scenario_free(j.s);
	return rc;
}
