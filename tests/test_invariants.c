/* Invariant driver: random valid scenarios, each run with several seeds
 * through run_scenario (--requests-csv), and the properties every run must
 * have, checked on its result files:
 *
 * - conservation: created = completed + failed (by reason) + dropped (by
 *   reason) + in flight, in summary.json and by counting requests.csv
 *   rows, per app, node and tier too (the measured counts of summary.json
 *   against the rows);
 * - each request ends exactly once: ids 0..created-1, each in one row;
 * - stage times present as a prefix, non-decreasing, within the run;
 *   response = downlink - created >= the sum of the stage durations;
 * - a monotone clock: creation times grow with the id, strictly per
 *   source, within the app's [start, stop); the rows of ended requests
 *   come in the order of their end times, those still in flight last;
 * - utilisation and miss ratios in [0, 1], quantiles in order, and no
 *   NaN or Inf where summary.json or manifest.json has a number (null is
 *   allowed for undefined metrics);
 * - with faults (most scenarios draw some: crashes, link windows,
 *   accelerator losses, retries), each node's availability in [0, 1] and
 *   at least its utilisation (nothing is served while it is down).
 *
 * Scenario k is drawn from the GSL stream "invariants/scenario/<k>" under
 * the master seed TIERSIM_INVARIANT_SEED (default 1); TIERSIM_INVARIANT_RUNS
 * (default 200) is the number of scenario x seed runs, two seeds per
 * scenario.  A violation names the scenario file (kept), the scenario and
 * run seeds and the offending request ids and times; `tiersim run FILE
 * --seed SEED --requests-csv` repeats the run.  docs/reliability.md says
 * more.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "rng.h"
#include "run.h"
#include "scenario.h"
#include "sim.h"
#include "testutil.h"

#define NROW(a)		    (sizeof(a) / sizeof((a)[0]))
#define SEEDS_PER_SCENARIO  2
#define MAX_DEV		    4
#define MAX_SRV		    5
#define MAX_NODES	    (MAX_DEV + MAX_SRV)
#define MAX_APPS	    3
#define MAX_PROFILES	    3
#define MAX_MODELS	    2
#define MAX_ACCELS	    2
#define NONE		    (-1)
#define DEFAULT_RUNS	    200
#define DEFAULT_MASTER_SEED 1

/* ---- generation ------------------------------------------------------ */

struct gen_app {
	int model;
	bool stream;
	int w, h;
};

struct gen {
	gsl_rng *r;
	int n_dev, n_srv, n_models, n_profiles, n_apps;
	bool strict; /* "out_of_range": "error": every lookup inside the tables */
	int node_accels[MAX_NODES][MAX_ACCELS];
	int n_accels[MAX_NODES];
	bool covers[MAX_PROFILES + 1][MAX_MODELS]; /* index MAX_PROFILES: up2-myriadx */
	bool link[MAX_NODES][MAX_NODES];
	struct gen_app apps[MAX_APPS];
};

static double uniform(gsl_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * gsl_rng_uniform(r);
}

static int pick(gsl_rng *r, int n)
{
	return (int)gsl_rng_uniform_int(r, (unsigned long)n);
}

static bool chance(gsl_rng *r, double p)
{
	return gsl_rng_uniform(r) < p;
}

static void node_id(const struct gen *g, int n, char *out, size_t size)
{
	if (n < g->n_dev)
		snprintf(out, size, "d%d", n);
	else
		snprintf(out, size, "%c%d", n - g->n_dev < 3 ? 'e' : 'c', n - g->n_dev);
}

static void model_id(int m, char *out, size_t size)
{
	/* Model 0 is the one the shipped profiles have a table for. */
	snprintf(out, size, m == 0 ? "mobilenet-ssd-v1" : "m%d", m);
}

/* Whether node n has an accelerator with a table for model m. */
static bool serves(const struct gen *g, int n, int m)
{
	for (int a = 0; a < g->n_accels[n]; a++)
		if (g->covers[g->node_accels[n][a]][m])
			return true;
	return false;
}

static bool servable(const struct gen *g, int dev, int m)
{
	if (serves(g, dev, m))
		return true;
	for (int s = g->n_dev; s < g->n_dev + g->n_srv; s++)
		if (g->link[dev][s] && serves(g, s, m))
			return true;
	return false;
}

static const int px_sides[] = {64, 128, 224, 300, 600, 1200};
/* Frame sides of apps: table sides, sides between them and outside. */
static const int app_sides[] = {32, 64, 100, 224, 300, 450, 600, 1200, 2000};

/* A profile of the generator's own, with tables for the models it covers.
 * Strict scenarios get one grid that holds every app frame size and more
 * instances than a node can run. */
static cJSON *gen_profile(struct gen *g, int p)
{
	cJSON *root = cJSON_CreateObject(), *sources = cJSON_CreateObject();
	cJSON *tables = cJSON_CreateArray();
	char id[32];

	snprintf(id, sizeof(id), "gen-p%d", p);
	cJSON_AddNumberToObject(root, "tiersim_profile", 1);
	cJSON_AddStringToObject(root, "id", id);
	cJSON_AddStringToObject(root, "description", "random profile of the invariant driver");
	cJSON_AddStringToObject(root, "accelerator",
				(const char *[]){"gpu", "tpu", "vpu", "cpu"}[pick(g->r, 4)]);
	cJSON_AddNumberToObject(root, "jitter_cv", (const double[]){0, 0.05, 0.3}[pick(g->r, 3)]);
	cJSON_AddStringToObject(sources, "gen", "drawn at random");
	cJSON_AddItemToObject(root, "sources", sources);
	for (int m = 0; m < g->n_models; m++) {
		cJSON *tab, *points;
		int pw[3], ph[3], n_px, inst[3], n_inst;
		char mid[32];

		/* p0 has every model, so every model has a profile; the others
		 * at least the last. */
		g->covers[p][m] = p == 0 || m == g->n_models - 1 || chance(g->r, 0.6);
		if (!g->covers[p][m])
			continue;
		if (g->strict) {
			int lo = 0, hi = 0;

			for (int a = 1; a < g->n_apps; a++) {
				double v = (double)g->apps[a].w * g->apps[a].h;

				if (v < (double)g->apps[lo].w * g->apps[lo].h)
					lo = a;
				if (v > (double)g->apps[hi].w * g->apps[hi].h)
					hi = a;
			}
			pw[0] = g->apps[lo].w;
			ph[0] = g->apps[lo].h;
			pw[1] = g->apps[hi].w;
			ph[1] = g->apps[hi].h;
			n_px = (double)pw[0] * ph[0] == (double)pw[1] * ph[1] ? 1 : 2;
			/* Each stream source is an instance, each Poisson app one
			 * per node. */
			inst[0] = 1;
			inst[1] = g->n_apps * (g->n_dev + 1);
			n_inst = inst[1] > 1 ? 2 : 1;
		} else {
			int first = pick(g->r, (int)NROW(px_sides));

			n_px = 1 + pick(g->r, 3);
			for (int i = 0; i < n_px; i++)
				pw[i] = ph[i] = px_sides[(first + i) % (int)NROW(px_sides)];
			n_inst = 1 + pick(g->r, 3);
			for (int i = 0; i < n_inst; i++)
				inst[i] = i == 0 ? 1 : inst[i - 1] + 1 + pick(g->r, 2);
		}
		tab = cJSON_CreateObject();
		points = cJSON_CreateArray();
		model_id(m, mid, sizeof(mid));
		cJSON_AddStringToObject(tab, "model", mid);
		for (int i = 0; i < n_px; i++) {
			for (int k = 0; k < n_inst; k++) {
				cJSON *pt = cJSON_CreateObject();

				cJSON_AddItemToObject(
				    pt, "frame_px",
				    cJSON_CreateIntArray((const int[]){pw[i], ph[i]}, 2));
				cJSON_AddNumberToObject(pt, "instances", inst[k]);
				cJSON_AddNumberToObject(pt, "cpu_pre_ms", uniform(g->r, 0, 5));
				cJSON_AddNumberToObject(pt, "accel_ms", uniform(g->r, 0.5, 40));
				cJSON_AddNumberToObject(pt, "cpu_post_ms", uniform(g->r, 0, 3));
				cJSON_AddStringToObject(pt, "source", "gen");
				cJSON_AddItemToArray(points, pt);
			}
		}
		cJSON_AddItemToObject(tab, "points", points);
		cJSON_AddItemToArray(tables, tab);
	}
	cJSON_AddItemToObject(root, "tables", tables);
	return root;
}

/* A delay law with, at random, a floor that a draw falls to with
 * probability below 1/2 (so the run never fails on 1000 draws in a row at
 * the floor) and a cap above it.  `typical` is about the law's median. */
static cJSON *gen_law(gsl_rng *r)
{
	static const char *const laws[] = {"constant",	  "uniform",  "normal",	 "lognormal",
					   "exponential", "gamma",    "weibull", "pareto",
					   "stable",	  "empirical"};
	const char *law = laws[pick(r, (int)NROW(laws))];
	cJSON *d = cJSON_CreateObject();
	double floor = NAN, typical = 1;

	cJSON_AddStringToObject(d, "law", law);
	if (strcmp(law, "constant") == 0) {
		typical = chance(r, 0.2) ? 0 : uniform(r, 0.1, 20);
		cJSON_AddNumberToObject(d, "value_ms", typical);
		if (typical > 0 && chance(r, 0.3))
			floor = typical / 2;
	} else if (strcmp(law, "uniform") == 0) {
		double lo = uniform(r, 0, 10), hi = lo + uniform(r, 0.1, 20);

		cJSON_AddNumberToObject(d, "min_ms", lo);
		cJSON_AddNumberToObject(d, "max_ms", hi);
		typical = (lo + hi) / 2;
		if (chance(r, 0.4))
			floor = lo + (hi - lo) / 4;
	} else if (strcmp(law, "normal") == 0) {
		typical = uniform(r, 1, 30);
		cJSON_AddNumberToObject(d, "mean_ms", typical);
		cJSON_AddNumberToObject(d, "sd_ms", uniform(r, 0, 10));
		if (chance(r, 0.6))
			floor = chance(r, 0.5) ? 0 : typical / 2;
	} else if (strcmp(law, "lognormal") == 0) {
		typical = uniform(r, 1, 30);
		cJSON_AddNumberToObject(d, "median_ms", typical);
		cJSON_AddNumberToObject(d, "sigma", uniform(r, 0, 1.5));
		if (chance(r, 0.4))
			floor = typical / 2;
	} else if (strcmp(law, "exponential") == 0) {
		double mean = uniform(r, 1, 20);

		cJSON_AddNumberToObject(d, "mean_ms", mean);
		typical = mean * log(2);
		if (chance(r, 0.4))
			floor = typical / 2;
	} else if (strcmp(law, "gamma") == 0 || strcmp(law, "weibull") == 0) {
		double shape = uniform(r, 0.5, 8), scale = uniform(r, 0.5, 10);

		cJSON_AddNumberToObject(d, "shape", shape);
		cJSON_AddNumberToObject(d, "scale_ms", scale);
		typical = shape * scale;
		if (chance(r, 0.4))
			floor = 0;
	} else if (strcmp(law, "pareto") == 0) {
		double scale = uniform(r, 1, 10);

		cJSON_AddNumberToObject(d, "shape", uniform(r, 0.5, 3));
		cJSON_AddNumberToObject(d, "scale_ms", scale);
		typical = 2 * scale;
		if (chance(r, 0.4))
			floor = scale / 2;
	} else if (strcmp(law, "stable") == 0) {
		typical = uniform(r, 5, 30);
		cJSON_AddNumberToObject(d, "alpha", uniform(r, 1.1, 2));
		cJSON_AddNumberToObject(d, "beta", uniform(r, -1, 1));
		cJSON_AddNumberToObject(d, "scale_ms", uniform(r, 0.5, 5));
		cJSON_AddNumberToObject(d, "loc_ms", typical);
		if (chance(r, 0.6))
			floor = 0;
	} else {
		char path[4096];

		snprintf(path, sizeof(path), "%s/tests/data/traces/plain.txt",
			 getenv("TIERSIM_SOURCE_ROOT"));
		cJSON_AddStringToObject(d, "trace", path);
		return d;
	}
	if (!isnan(floor))
		cJSON_AddNumberToObject(d, "floor_ms", floor);
	if (chance(r, 0.3))
		cJSON_AddNumberToObject(
		    d, "cap_ms", (isnan(floor) ? 0 : floor) + typical * uniform(r, 0.5, 10) + 0.01);
	return d;
}

static void write_json(cJSON *root, const char *path)
{
	char *text = cJSON_Print(root);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fputc('\n', f);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
	cJSON_Delete(root);
}

/* Writes dir/scenario.json and its profiles dir/pN.json for generator g. */
/* Random faults over the run: crashes of servers at fixed times or with
 * MTBF/MTTR, one window on some links (an outage or a degradation),
 * accelerator losses, and a retry policy.  Drawn after everything else,
 * so the rest of a scenario is what it was without them. */
static cJSON *gen_faults(struct gen *g, double duration)
{
	gsl_rng *r = g->r;
	cJSON *f = cJSON_CreateObject(), *nodes = cJSON_CreateArray();
	cJSON *links = cJSON_CreateArray(), *accels = cJSON_CreateArray();
	char id[16], ib[16];

	if (chance(r, 0.8)) {
		cJSON *retry = cJSON_AddObjectToObject(f, "retry");

		cJSON_AddNumberToObject(retry, "max_retries", pick(r, 4));
		if (chance(r, 0.5))
			cJSON_AddNumberToObject(retry, "timeout_ms", uniform(r, 0, 500));
	}
	for (int n = g->n_dev; n < g->n_dev + g->n_srv; n++) {
		cJSON *o;

		if (!chance(r, 0.5))
			continue;
		o = cJSON_CreateObject();
		node_id(g, n, id, sizeof(id));
		cJSON_AddStringToObject(o, "node", id);
		if (chance(r, 0.5)) {
			cJSON_AddNumberToObject(o, "mtbf_s", uniform(r, 0.05, duration));
			cJSON_AddNumberToObject(o, "mttr_s", uniform(r, 0.01, duration / 2));
		} else {
			cJSON_AddNumberToObject(o, "at_s", uniform(r, 0, duration * 1.1));
			if (chance(r, 0.7))
				cJSON_AddNumberToObject(o, "down_s",
							uniform(r, 1e-3, duration / 2));
		}
		cJSON_AddItemToArray(nodes, o);
		if (g->n_accels[n] > 0 && chance(r, 0.3)) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "node", id);
			snprintf(ib, sizeof(ib), "x%d", pick(r, g->n_accels[n]));
			cJSON_AddStringToObject(o, "accelerator", ib);
			cJSON_AddNumberToObject(o, "at_s", uniform(r, 0, duration));
			cJSON_AddItemToArray(accels, o);
		}
	}
	for (int a = 0; a < g->n_dev + g->n_srv; a++)
		for (int b = a + 1; b < g->n_dev + g->n_srv; b++) {
			cJSON *o;
			double from = uniform(r, 0, duration);

			if (!g->link[a][b] || !chance(r, 0.3))
				continue;
			o = cJSON_CreateObject();
			node_id(g, a, id, sizeof(id));
			node_id(g, b, ib, sizeof(ib));
			cJSON_AddItemToObject(o, "between",
					      cJSON_CreateStringArray((const char *[]){id, ib}, 2));
			cJSON_AddNumberToObject(o, "from_s", from);
			cJSON_AddNumberToObject(o, "to_s", from + uniform(r, 1e-3, duration / 2));
			if (chance(r, 0.5)) {
				cJSON_AddBoolToObject(o, "outage", true);
			} else {
				if (chance(r, 0.7))
					cJSON_AddItemToObject(o, "delay", gen_law(r));
				if (!cJSON_HasObjectItem(o, "delay") || chance(r, 0.5))
					cJSON_AddNumberToObject(o, "bandwidth_Bps",
								pow(10, uniform(r, 4, 8)));
			}
			cJSON_AddItemToArray(links, o);
		}
	cJSON_AddItemToObject(f, "nodes", nodes);
	cJSON_AddItemToObject(f, "links", links);
	cJSON_AddItemToObject(f, "accelerators", accels);
	return f;
}

static void gen_scenario(struct gen *g, const char *dir, const char *name, const char *policy)
{
	gsl_rng *r = g->r;
	cJSON *root = cJSON_CreateObject(), *arr, *pol;
	char path[4200], id[64];
	double duration = uniform(r, 0.5, 4);

	g->n_dev = 1 + pick(r, MAX_DEV);
	g->n_srv = pick(r, MAX_SRV + 1);
	g->n_models = 1 + pick(r, MAX_MODELS);
	g->n_profiles = 1 + pick(r, MAX_PROFILES);
	g->n_apps = 1 + pick(r, MAX_APPS);
	g->strict = chance(r, 0.25);

	/* Apps first: a strict scenario's profiles are made to fit them. */
	for (int a = 0; a < g->n_apps; a++) {
		struct gen_app *app = &g->apps[a];

		app->model = pick(r, g->n_models);
		/* The partition policy places requests one by one. */
		app->stream = chance(r, 0.5) && strcmp(policy, "partition") != 0;
		app->w = app_sides[pick(r, (int)NROW(app_sides))];
		app->h = chance(r, 0.7) ? app->w : app_sides[pick(r, (int)NROW(app_sides))];
	}
	memset(g->covers, 0, sizeof(g->covers));
	for (int p = 0; p < g->n_profiles; p++) {
		snprintf(path, sizeof(path), "%s/p%d.json", dir, p);
		write_json(gen_profile(g, p), path);
	}
	/* The shipped up2-myriadx: 600x600 and 1200x1200, 1-3 instances. */
	g->covers[MAX_PROFILES][0] = true;

	/* Accelerators: a device has at most one, a server none to two. */
	for (int n = 0; n < g->n_dev + g->n_srv; n++) {
		int k =
		    n < g->n_dev ? (chance(r, 0.5) ? 1 : 0) : (chance(r, 0.1) ? 0 : 1 + pick(r, 2));

		g->n_accels[n] = k;
		for (int a = 0; a < k; a++)
			g->node_accels[n][a] =
			    !g->strict && chance(r, 0.2) ? MAX_PROFILES : pick(r, g->n_profiles);
	}
	memset(g->link, 0, sizeof(g->link));
	for (int a = 0; a < g->n_dev + g->n_srv; a++)
		for (int b = a + 1; b < g->n_dev + g->n_srv; b++)
			if ((b >= g->n_dev && chance(r, a < g->n_dev ? 0.6 : 0.2)))
				g->link[a][b] = g->link[b][a] = true;

	cJSON_AddNumberToObject(root, "tiersim_scenario", 1);
	cJSON_AddStringToObject(root, "name", name);
	cJSON_AddNumberToObject(root, "seed", (double)gsl_rng_get(r));
	cJSON_AddNumberToObject(root, "duration_s", duration);
	if (chance(r, 0.5))
		cJSON_AddNumberToObject(root, "warmup_s", uniform(r, 0, duration / 2));
	if (chance(r, 0.3))
		cJSON_AddBoolToObject(root, "drain", true);
	if (g->strict || chance(r, 0.3))
		cJSON_AddStringToObject(root, "out_of_range", g->strict ? "error" : "clamp");
	pol = cJSON_CreateObject();
	cJSON_AddStringToObject(pol, "name", policy);
	cJSON_AddItemToObject(root, "policy", pol);

	arr = cJSON_AddArrayToObject(root, "models");
	for (int m = 0; m < g->n_models; m++) {
		cJSON *o = cJSON_CreateObject();

		model_id(m, id, sizeof(id));
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "input_bytes", uniform(r, 1e3, 1e6));
		cJSON_AddNumberToObject(o, "output_bytes", uniform(r, 10, 1e4));
		if (chance(r, 0.5)) {
			cJSON_AddNumberToObject(o, "flops", uniform(r, 0, 1e10));
		} else {
			/* Blocks a split may fall between. */
			cJSON *layers = cJSON_AddArrayToObject(o, "layers");

			for (int k = 1 + pick(r, 6); k > 0; k--) {
				cJSON *l = cJSON_CreateObject();

				cJSON_AddStringToObject(l, "type", "block");
				cJSON_AddNumberToObject(l, "flops", uniform(r, 0, 1e9));
				cJSON_AddNumberToObject(l, "out_bytes", uniform(r, 1, 1e6));
				cJSON_AddItemToArray(layers, l);
			}
		}
		cJSON_AddItemToArray(arr, o);
	}

	/* Sources: the devices each app's model can be served for; a device
	 * none can serve gets a link to a server that can, or a local p0. */
	cJSON *app_arr = cJSON_CreateArray();

	for (int a = 0; a < g->n_apps; a++) {
		struct gen_app *ga = &g->apps[a];
		cJSON *o = cJSON_CreateObject(), *w = cJSON_CreateObject();
		cJSON *src = cJSON_CreateArray();
		int n_src = 0;

		for (int d = 0; d < g->n_dev; d++) {
			if (!chance(r, 0.7) && !(d == g->n_dev - 1 && n_src == 0))
				continue;
			if (!servable(g, d, ga->model)) {
				int s = NONE;

				for (int k = g->n_dev; k < g->n_dev + g->n_srv; k++)
					if (serves(g, k, ga->model))
						s = k;
				if (s != NONE)
					g->link[d][s] = g->link[s][d] = true;
				else if (g->n_accels[d] == 0)
					g->node_accels[d][g->n_accels[d]++] = 0;
				else
					g->node_accels[d][0] = 0;
			}
			node_id(g, d, id, sizeof(id));
			cJSON_AddItemToArray(src, cJSON_CreateString(id));
			n_src++;
		}
		snprintf(id, sizeof(id), "a%d", a);
		cJSON_AddStringToObject(o, "id", id);
		model_id(ga->model, id, sizeof(id));
		cJSON_AddStringToObject(o, "model", id);
		cJSON_AddItemToObject(o, "sources", src);
		cJSON_AddStringToObject(w, "type", ga->stream ? "stream" : "poisson");
		cJSON_AddNumberToObject(w, ga->stream ? "fps" : "rate_hz", uniform(r, 1, 25));
		cJSON_AddItemToObject(w, "frame_px",
				      cJSON_CreateIntArray((const int[]){ga->w, ga->h}, 2));
		if (chance(r, 0.3))
			cJSON_AddNumberToObject(w, "start_s", uniform(r, 0, duration / 2));
		if (chance(r, 0.3))
			cJSON_AddNumberToObject(w, "stagger_s", uniform(r, 0, duration / 2));
		if (chance(r, 0.3))
			cJSON_AddNumberToObject(w, "duration_s", uniform(r, 0.1, duration));
		cJSON_AddItemToObject(o, "workload", w);
		cJSON_AddNumberToObject(o, "qos_ms", uniform(r, 10, 300));
		if (chance(r, 0.3))
			cJSON_AddNumberToObject(o, "weight", uniform(r, 0.1, 5));
		if (chance(r, 0.3))
			cJSON_AddNumberToObject(o, "request_bytes", uniform(r, 1, 1e6));
		cJSON_AddItemToArray(app_arr, o);
	}

	arr = cJSON_AddArrayToObject(root, "nodes");
	for (int n = 0; n < g->n_dev + g->n_srv; n++) {
		cJSON *o = cJSON_CreateObject(), *cpu = cJSON_CreateObject();
		cJSON *acc = cJSON_CreateArray();
		bool dev = n < g->n_dev;

		node_id(g, n, id, sizeof(id));
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "tier",
					dev	       ? "device"
					: id[0] == 'e' ? "edge"
						       : "cloud");
		cJSON_AddNumberToObject(cpu, "cores", 1 + pick(r, 16));
		cJSON_AddNumberToObject(cpu, "ghz", uniform(r, 0.5, 4));
		cJSON_AddItemToObject(o, "cpu", cpu);
		for (int a = 0; a < g->n_accels[n]; a++) {
			cJSON *x = cJSON_CreateObject();
			int p = g->node_accels[n][a];

			snprintf(id, sizeof(id), "x%d", a);
			cJSON_AddStringToObject(x, "id", id);
			if (p == MAX_PROFILES)
				cJSON_AddStringToObject(x, "profile", "up2-myriadx");
			else {
				snprintf(id, sizeof(id), "./p%d.json", p);
				cJSON_AddStringToObject(x, "profile", id);
			}
			cJSON_AddItemToArray(acc, x);
		}
		cJSON_AddItemToObject(o, "accelerators", acc);
		if (chance(r, 0.5))
			cJSON_AddNumberToObject(o, "queue_capacity", 1 + pick(r, 3));
		if (chance(r, 0.3))
			cJSON_AddNumberToObject(o, "servers", 1 + pick(r, 4));
		cJSON_AddItemToArray(arr, o);
	}

	arr = cJSON_AddArrayToObject(root, "links");
	for (int a = 0; a < g->n_dev + g->n_srv; a++) {
		for (int b = a + 1; b < g->n_dev + g->n_srv; b++) {
			cJSON *o, *between;
			char ia[16], ib[16];

			if (!g->link[a][b])
				continue;
			o = cJSON_CreateObject();
			node_id(g, a, ia, sizeof(ia));
			node_id(g, b, ib, sizeof(ib));
			between = chance(r, 0.5)
				      ? cJSON_CreateStringArray((const char *[]){ia, ib}, 2)
				      : cJSON_CreateStringArray((const char *[]){ib, ia}, 2);
			cJSON_AddItemToObject(o, "between", between);
			cJSON_AddItemToObject(o, "delay", gen_law(r));
			if (chance(r, 0.3))
				cJSON_AddItemToObject(o, "delay_reverse", gen_law(r));
			cJSON_AddNumberToObject(o, "bandwidth_Bps", pow(10, uniform(r, 5, 9)));
			cJSON_AddItemToArray(arr, o);
		}
	}
	cJSON_AddItemToObject(root, "apps", app_arr);
	if (chance(r, 0.7))
		cJSON_AddItemToObject(root, "faults", gen_faults(g, duration));
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	write_json(root, path);
}

/* ---- checking -------------------------------------------------------- */

struct ctx {
	const char *path; /* the scenario file */
	uint64_t master;  /* TIERSIM_INVARIANT_SEED */
	int index;	  /* scenario number */
	uint64_t run_seed;
	const char *policy;
};

#define CHECK(c, cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			char what_[1536];                                                          \
			snprintf(what_, sizeof(what_), __VA_ARGS__);                               \
			ck_abort_msg("%s (scenario %d of TIERSIM_INVARIANT_SEED=%" PRIu64          \
				     "), run seed %" PRIu64 ", policy %s: %s",                     \
				     (c)->path, (c)->index, (c)->master, (c)->run_seed,            \
				     (c)->policy, what_);                                          \
		}                                                                                  \
	} while (0)

/* Every number of the tree is finite; numbers under "utilisation" and
 * "deadline_miss_ratio" are in [0, 1]; p50 <= p90 <= p95 <= p99. */
static void check_numbers(const struct ctx *c, const cJSON *node, const char *where)
{
	static const char *const q[] = {"p50_ms", "p90_ms", "p95_ms", "p99_ms"};
	double prev = -INFINITY;

	for (const cJSON *k = node->child; k != NULL; k = k->next) {
		char at[512];

		snprintf(at, sizeof(at), "%s.%s", where, k->string != NULL ? k->string : "[]");
		if (cJSON_IsNumber(k)) {
			CHECK(c, isfinite(k->valuedouble), "%s is %g", at, k->valuedouble);
			if (k->string != NULL && (strcmp(k->string, "utilisation") == 0 ||
						  strcmp(k->string, "deadline_miss_ratio") == 0))
				CHECK(c, k->valuedouble >= 0 && k->valuedouble <= 1,
				      "%s is %.17g, outside [0, 1]", at, k->valuedouble);
		}
		if (cJSON_IsObject(k) || cJSON_IsArray(k))
			check_numbers(c, k, at);
	}
	for (size_t i = 0; i < NROW(q); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, q[i]);

		if (!cJSON_IsNumber(v))
			continue;
		CHECK(c, v->valuedouble >= prev,
		      "%s.%s = %.17g is below the quantile before it (%.17g)", where, q[i],
		      v->valuedouble, prev);
		prev = v->valuedouble;
	}
}

static cJSON *parse_file(const struct ctx *c, const char *dir, const char *name)
{
	char p[512], *text;
	cJSON *root;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	text = tu_read_file(p, NULL);
	CHECK(c, text != NULL, "no %s", p);
	root = cJSON_Parse(text);
	/* cJSON refuses nan and inf, which is how a printed NaN shows up. */
	CHECK(c, root != NULL, "%s is not JSON (a NaN or Inf printed as a number?) near: %.60s", p,
	      cJSON_GetErrorPtr() != NULL ? cJSON_GetErrorPtr() : "");
	free(text);
	check_numbers(c, root, name);
	return root;
}

static double get_num(const struct ctx *c, const cJSON *obj, const char *a, const char *b,
		      const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (k != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, k);
	CHECK(c, cJSON_IsNumber(v), "summary.json: no number at %s.%s.%s", a, b ? b : "",
	      k ? k : "");
	return v->valuedouble;
}

/* One row of requests.csv. */
struct row {
	long line;
	long long id;
	int app, source, node; /* indices; node -1 when empty */
	int status;	       /* ST_COMPLETED, ... */
	int reason;	       /* SIM_DROP_* or SIM_FAIL_*, or -1 */
	long long t[7];	       /* -1: not reached */
	long long response;
};

enum { ST_COMPLETED, ST_DROPPED, ST_FAILED, ST_IN_FLIGHT };

static int find_id(const struct ctx *c, const char *id, const char *what, long line,
		   const char *const *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return (int)i;
	CHECK(c, false, "requests.csv line %ld: unknown %s \"%s\"", line, what, id);
	return -1;
}

/* Splits line into its fields, at most max (in place). */
static int split(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p != '\0'; p++) {
		if (*p == ',') {
			*p = '\0';
			if (n == max)
				return max + 1;
			f[n++] = p + 1;
		}
	}
	return n;
}

struct counts {
	long completed, dropped[2], failed[SIM_FAIL_COUNT], in_flight;
};

static void check_run(const struct ctx *c, const struct scenario *s, const char *out)
{
	char p[512], *csv, *line, *next;
	const char **app_ids = calloc(s->n_apps, sizeof(char *));
	const char **node_ids = calloc(s->n_nodes, sizeof(char *));
	struct row *rows = NULL;
	size_t n_rows = 0, cap = 0;
	cJSON *summary, *manifest;
	struct counts total = {0};
	double created, failed = 0;
	long long last_end = -1;
	long last_end_id = -1;
	bool in_flight_seen = false;

	for (size_t i = 0; i < s->n_apps; i++)
		app_ids[i] = s->apps[i].id;
	for (size_t i = 0; i < s->n_nodes; i++)
		node_ids[i] = s->nodes[i].id;
	summary = parse_file(c, out, "summary.json");
	manifest = parse_file(c, out, "manifest.json");
	snprintf(p, sizeof(p), "%s/requests.csv", out);
	csv = tu_read_file(p, NULL);
	CHECK(c, csv != NULL, "no requests.csv");
	line = strchr(csv, '\n');
	CHECK(c, line != NULL, "requests.csv has no header line");
	for (line++; *line != '\0'; line = next) {
		char *f[20];
		struct row r = {.line = (long)n_rows + 2, .node = -1, .reason = -1};
		int nf;
		int last = -1;

		next = strchr(line, '\n');
		CHECK(c, next != NULL, "requests.csv line %ld: no newline at the end", r.line);
		*next++ = '\0';
		nf = split(line, f, 19);
		CHECK(c, nf == 19, "requests.csv line %ld: %d fields, expected 19", r.line, nf);
		CHECK(c, strcmp(f[0], "0") == 0, "requests.csv line %ld: replication %s", r.line,
		      f[0]);
		r.id = strtoll(f[1], NULL, 10);
		r.app = find_id(c, f[2], "app", r.line, app_ids, s->n_apps);
		r.source = find_id(c, f[3], "source", r.line, node_ids, s->n_nodes);
		if (f[4][0] != '\0') {
			r.node = find_id(c, f[4], "node", r.line, node_ids, s->n_nodes);
			CHECK(c, strcmp(f[5], tier_name(s->nodes[r.node].tier)) == 0,
			      "request %lld: node %s is not of tier %s", r.id, f[4], f[5]);
		}
		if (strcmp(f[6], "completed") == 0)
			r.status = ST_COMPLETED;
		else if (strcmp(f[6], "dropped") == 0)
			r.status = ST_DROPPED;
		else if (strcmp(f[6], "failed") == 0)
			r.status = ST_FAILED;
		else {
			CHECK(c, strcmp(f[6], "in_flight") == 0, "request %lld: status \"%s\"",
			      r.id, f[6]);
			r.status = ST_IN_FLIGHT;
		}
		if (r.status == ST_DROPPED) {
			CHECK(c, strcmp(f[7], "queue_full") == 0 || strcmp(f[7], "no_node") == 0,
			      "request %lld: drop reason \"%s\"", r.id, f[7]);
			r.reason = strcmp(f[7], "queue_full") == 0 ? 0 : 1;
			CHECK(c, (r.reason == 1) == (r.node < 0),
			      "request %lld: dropped for %s, node \"%s\"", r.id, f[7], f[4]);
		} else if (r.status == ST_FAILED) {
			for (r.reason = 0; r.reason < SIM_FAIL_COUNT; r.reason++)
				if (strcmp(f[7], sim_fail_names[r.reason]) == 0)
					break;
			CHECK(c, r.reason < SIM_FAIL_COUNT, "request %lld: failure reason \"%s\"",
			      r.id, f[7]);
			CHECK(c, s->faults.present, "request %lld failed without faults", r.id);
		} else {
			CHECK(c, f[7][0] == '\0', "request %lld is %s with reason \"%s\"", r.id,
			      f[6], f[7]);
		}
		for (int k = 0; k < 7; k++) {
			r.t[k] = f[8 + k][0] == '\0' ? -1 : strtoll(f[8 + k], NULL, 10);
			if (r.t[k] >= 0) {
				CHECK(c, last == k - 1,
				      "request %lld: stage %d has a time (%lld) but stage %d has "
				      "none",
				      r.id, k, r.t[k], k - 1);
				CHECK(
				    c, k == 0 || r.t[k] >= r.t[k - 1],
				    "request %lld: stage %d at %lld ns, before stage %d at %lld ns",
				    r.id, k, r.t[k], k - 1, r.t[k - 1]);
				/* A drained run goes on until its last request ends. */
				CHECK(c, s->drain || r.t[k] <= s->duration,
				      "request %lld: stage %d at %lld ns, after the end %" PRId64
				      " ns",
				      r.id, k, r.t[k], s->duration);
				last = k;
			}
		}
		CHECK(c, !s->drain || r.status != ST_IN_FLIGHT,
		      "request %lld in flight at the end of a drained run", r.id);
		CHECK(c, r.t[0] >= 0, "request %lld has no creation time", r.id);
		CHECK(c, r.t[0] >= s->apps[r.app].start && r.t[0] < s->apps[r.app].stop,
		      "request %lld created at %lld ns, outside its app's [%" PRId64 ", %" PRId64
		      ") ns",
		      r.id, r.t[0], s->apps[r.app].start, s->apps[r.app].stop);
		r.response = f[15][0] == '\0' ? -1 : strtoll(f[15], NULL, 10);
		/* Service reads the profile at the node's active instances, the
		 * request's own among them. */
		if (r.t[2] >= 0)
			CHECK(c, strtol(f[16], NULL, 10) >= 1,
			      "request %lld started with instances \"%s\"", r.id, f[16]);
		else
			CHECK(c, f[16][0] == '\0',
			      "request %lld never started but has instances \"%s\"", r.id, f[16]);
		/* A split request: layers 1..k on its device, k short of the
		 * model's layers, before the rest went up to its node. */
		if (f[17][0] != '\0') {
			long long k = strtoll(f[17], NULL, 10), head = strtoll(f[18], NULL, 10);

			CHECK(c,
			      strcmp(c->policy, "partition") == 0 && k >= 1 &&
				  (size_t)k < s->models[s->apps[r.app].model].n_layers,
			      "request %lld: split after layer %s under policy %s", r.id, f[17],
			      c->policy);
			/* Empty while the first part has not ended. */
			CHECK(c,
			      f[18][0] == '\0' ? r.status != ST_COMPLETED
					       : head >= r.t[0] && (r.t[1] < 0 || r.t[1] >= head),
			      "request %lld (%s): first part done at \"%s\", created %lld, at its "
			      "node %lld",
			      r.id, f[6], f[18], r.t[0], r.t[1]);
		} else {
			CHECK(c, f[18][0] == '\0', "request %lld is not split but has head_done %s",
			      r.id, f[18]);
		}
		if (r.status == ST_COMPLETED) {
			long long stages = (r.t[1] - r.t[0]) + (r.t[3] - r.t[2]) +
					   (r.t[4] - r.t[3]) + (r.t[5] - r.t[4]) +
					   (r.t[6] - r.t[5]);

			CHECK(c, last == 6 && r.node >= 0, "completed request %lld lacks stages",
			      r.id);
			CHECK(c, r.response == r.t[6] - r.t[0],
			      "request %lld: response %lld ns, but downlink %lld - created %lld",
			      r.id, r.response, r.t[6], r.t[0]);
			CHECK(c, r.response >= stages,
			      "request %lld: response %lld ns below its stages' sum %lld ns", r.id,
			      r.response, stages);
			total.completed++;
		} else {
			CHECK(c, r.response < 0 && r.t[6] < 0,
			      "request %lld is %s but has a downlink time or response", r.id, f[6]);
			if (r.status == ST_DROPPED)
				total.dropped[r.reason]++;
			else if (r.status == ST_FAILED)
				total.failed[r.reason]++;
			else
				total.in_flight++;
		}
		/* Rows of ended requests are written when they end: a completed
		 * request at its downlink, a dropped one at its last stage
		 * (creation for no_node, arrival for queue_full).  A failed
		 * request is written when a fault catches it, after its last
		 * stage but at a time the row does not hold. */
		if (r.status == ST_IN_FLIGHT) {
			in_flight_seen = true;
		} else if (r.status == ST_FAILED) {
			CHECK(c, !in_flight_seen,
			      "request %lld failed after the rows of requests in flight", r.id);
		} else {
			CHECK(c, !in_flight_seen,
			      "request %lld ended (%s) after the rows of requests in flight", r.id,
			      f[6]);
			CHECK(c, r.t[last] >= last_end,
			      "request %lld ended at %lld ns, before request %ld, written earlier, "
			      "ended at %lld ns",
			      r.id, r.t[last], last_end_id, last_end);
			last_end = r.t[last];
			last_end_id = (long)r.id;
		}
		if (n_rows == cap) {
			cap = cap == 0 ? 256 : 2 * cap;
			rows = realloc(rows, cap * sizeof(*rows));
			ck_assert_ptr_nonnull(rows);
		}
		rows[n_rows++] = r;
	}

	/* Conservation, in summary.json and in the rows. */
	created = get_num(c, summary, "totals", "created", NULL);
	for (int k = 0; k < SIM_FAIL_COUNT; k++) {
		double n = s->faults.present
			       ? get_num(c, summary, "faults", "failed", sim_fail_names[k])
			       : 0;

		CHECK(c, (double)total.failed[k] == n,
		      "%ld rows failed for %s, summary.json says %.0f", total.failed[k],
		      sim_fail_names[k], n);
		failed += n;
	}
	CHECK(c,
	      created == get_num(c, summary, "totals", "completed", NULL) + failed +
			     get_num(c, summary, "totals", "dropped", "queue_full") +
			     get_num(c, summary, "totals", "dropped", "no_node") +
			     get_num(c, summary, "totals", "in_flight", NULL),
	      "summary.json: created %.0f != completed + failed + dropped + in flight", created);
	CHECK(c, s->faults.present == (cJSON_GetObjectItemCaseSensitive(summary, "faults") != NULL),
	      "summary.json has a \"faults\" object exactly when the scenario has faults");
	for (size_t n = 0; s->faults.present && n < s->n_nodes; n++) {
		double avail = get_num(c, summary, "faults", "availability", node_ids[n]);
		double util = get_num(c, summary, "nodes", node_ids[n], "utilisation");

		CHECK(c, avail >= 0 && avail <= 1, "node %s: availability %.17g", node_ids[n],
		      avail);
		CHECK(c, util <= avail + 1e-12,
		      "node %s: utilisation %.17g above availability %.17g", node_ids[n], util,
		      avail);
	}
	CHECK(c, (double)n_rows == created, "requests.csv has %zu rows, summary.json %.0f created",
	      n_rows, created);
	CHECK(c, (double)total.completed == get_num(c, summary, "totals", "completed", NULL),
	      "%ld completed rows, summary.json says %.0f", total.completed,
	      get_num(c, summary, "totals", "completed", NULL));
	CHECK(c,
	      (double)total.dropped[0] == get_num(c, summary, "totals", "dropped", "queue_full") &&
		  (double)total.dropped[1] == get_num(c, summary, "totals", "dropped", "no_node"),
	      "dropped rows %ld queue_full, %ld no_node disagree with summary.json",
	      total.dropped[0], total.dropped[1]);
	CHECK(c, (double)total.in_flight == get_num(c, summary, "totals", "in_flight", NULL),
	      "%ld rows in flight, summary.json says %.0f", total.in_flight,
	      get_num(c, summary, "totals", "in_flight", NULL));

	/* Each request exactly once, ids 0..created-1; creation times in id
	 * order, strictly increasing per source. */
	{
		long *by_id = malloc(n_rows * sizeof(*by_id));

		ck_assert_ptr_nonnull(by_id);
		for (size_t i = 0; i < n_rows; i++)
			by_id[i] = -1;
		for (size_t i = 0; i < n_rows; i++) {
			long long id = rows[i].id;

			CHECK(c, id >= 0 && (size_t)id < n_rows,
			      "request id %lld outside 0..%zu (line %ld)", id, n_rows - 1,
			      rows[i].line);
			CHECK(c, by_id[id] < 0, "request %lld ends twice: lines %ld and %ld", id,
			      rows[by_id[id]].line, rows[i].line);
			by_id[id] = (long)i;
		}
		for (size_t id = 1; id < n_rows; id++) {
			const struct row *a = &rows[by_id[id - 1]], *b = &rows[by_id[id]];

			CHECK(c, b->t[0] >= a->t[0],
			      "request %zu created at %lld ns, before request %zu at %lld ns", id,
			      b->t[0], id - 1, a->t[0]);
		}
		for (size_t i = 0; i < n_rows; i++) {
			const struct row *b = &rows[by_id[i]];

			for (size_t j = i; j-- > 0;) {
				const struct row *a = &rows[by_id[j]];

				if (a->app != b->app || a->source != b->source)
					continue;
				CHECK(c, b->t[0] > a->t[0],
				      "source %s/%s: request %lld created at %lld ns, not after "
				      "request %lld at %lld ns",
				      app_ids[b->app], node_ids[b->source], b->id, b->t[0], a->id,
				      a->t[0]);
				break;
			}
		}
		free(by_id);
	}

	/* The measured counts of summary.json are the rows created at or after
	 * the warm-up. */
	{
		double *app_n = calloc(s->n_apps, sizeof(double));
		double *node_n = calloc(s->n_nodes, sizeof(double));
		double tier_n[TIER_COUNT] = {0};
		double app_drop[MAX_APPS][2] = {{0}};

		ck_assert_ptr_nonnull(app_n);
		ck_assert_ptr_nonnull(node_n);
		for (size_t i = 0; i < n_rows; i++) {
			const struct row *r = &rows[i];

			if (r->t[0] < s->warmup)
				continue;
			if (r->status == ST_COMPLETED) {
				app_n[r->app]++;
				node_n[r->node]++;
				tier_n[s->nodes[r->node].tier]++;
			} else if (r->status == ST_DROPPED) {
				app_drop[r->app][r->reason]++;
			}
		}
		for (size_t a = 0; a < s->n_apps; a++) {
			CHECK(c, app_n[a] == get_num(c, summary, "apps", app_ids[a], "count"),
			      "app %s: %.0f measured completed rows, summary.json count %.0f",
			      app_ids[a], app_n[a],
			      get_num(c, summary, "apps", app_ids[a], "count"));
			{
				const cJSON *d = cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(summary, "apps"),
					app_ids[a]),
				    "dropped");

				CHECK(
				    c,
				    app_drop[a][0] ==
					    cJSON_GetObjectItemCaseSensitive(d, "queue_full")
						->valuedouble &&
					app_drop[a][1] ==
					    cJSON_GetObjectItemCaseSensitive(d, "no_node")
						->valuedouble,
				    "app %s: measured drops %.0f queue_full, %.0f no_node disagree "
				    "with summary.json",
				    app_ids[a], app_drop[a][0], app_drop[a][1]);
			}
		}
		for (size_t n = 0; n < s->n_nodes; n++)
			CHECK(c, node_n[n] == get_num(c, summary, "nodes", node_ids[n], "count"),
			      "node %s: %.0f measured completed rows, summary.json count %.0f",
			      node_ids[n], node_n[n],
			      get_num(c, summary, "nodes", node_ids[n], "count"));
		for (int t = 0; t < TIER_COUNT; t++) {
			const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(summary, "tiers");
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(tiers, tier_name(t));

			if (v != NULL)
				CHECK(c,
				      tier_n[t] ==
					  get_num(c, summary, "tiers", tier_name(t), "count"),
				      "tier %s: %.0f measured completed rows, summary.json count "
				      "%.0f",
				      tier_name(t), tier_n[t],
				      get_num(c, summary, "tiers", tier_name(t), "count"));
			else
				CHECK(c, tier_n[t] == 0,
				      "tier %s served requests but is not in summary.json",
				      tier_name(t));
		}
		free(app_n);
		free(node_n);
	}
	cJSON_Delete(summary);
	cJSON_Delete(manifest);
	free(rows);
	free(csv);
	free(app_ids);
	free(node_ids);
}

/* ---- the test -------------------------------------------------------- */

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoull(v, NULL, 10) : dflt;
}

START_TEST(invariants_random_scenarios)
{
	uint64_t master = env_u64("TIERSIM_INVARIANT_SEED", DEFAULT_MASTER_SEED);
	char name[64], *dir, path[256], out[256];
	struct gen g = {0};
	struct scenario *s = NULL;
	struct ts_error err = {""};
	struct ctx c = {.path = path, .master = master, .index = _i};
	const char *online[64];
	size_t n_online = 0;
	FILE *devnull = fopen("/dev/null", "w");

	/* The policies that place requests of apps (those for job sets
	 * have no `place`), in turn, so that every one gets its share. */
	for (size_t i = 0; policy_registry[i] != NULL; i++)
		if (policy_registry[i]->place != NULL && n_online < NROW(online))
			online[n_online++] = policy_registry[i]->name;
	ck_assert_uint_gt(n_online, 0);
	dir = tu_make_tmpdir();
	snprintf(name, sizeof(name), "invariants/scenario/%d", _i);
	g.r = rng_stream_new(master, name);
	ck_assert_ptr_nonnull(g.r);
	c.policy = online[(size_t)_i % n_online];
	snprintf(name, sizeof(name), "inv-%d", _i);
	gen_scenario(&g, dir, name, c.policy);
	gsl_rng_free(g.r);
	snprintf(path, sizeof(path), "%s/scenario.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	ck_assert_msg(scenario_load(path, &s, &err) == 0,
		      "%s (scenario %d of master seed %" PRIu64 ") does not load: %s", path, _i,
		      master, err.msg);
	for (int k = 0; k < SEEDS_PER_SCENARIO; k++) {
		char run[64];
		struct run_config cfg = {
		    .scenario_path = path,
		    .out_dir = out,
		    .has_seed = true,
		    .replications = 1,
		    .requests_csv = true,
		};
		int rc;

		snprintf(run, sizeof(run), "invariants/run/%d/%d", _i, k);
		cfg.seed = rng_derive_seed(master, run);
		c.run_seed = cfg.seed;
		rc = run_scenario(&cfg, devnull, devnull, &err);
		CHECK(&c, rc == 0, "run failed: %s", err.msg);
		check_run(&c, s, out);
	}
	scenario_free(s);
	fclose(devnull);
	tu_remove_tmpdir(dir);
}
END_TEST

static Suite *invariants_suite(void)
{
	Suite *s = suite_create("invariants");
	TCase *tc = tcase_create("random");
	uint64_t runs = env_u64("TIERSIM_INVARIANT_RUNS", DEFAULT_RUNS);
	int n_scenarios = (int)((runs + SEEDS_PER_SCENARIO - 1) / SEEDS_PER_SCENARIO);

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, invariants_random_scenarios, 0, n_scenarios);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(invariants_suite());
}
