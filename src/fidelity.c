/* getloadavg */
#define _DEFAULT_SOURCE

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "calib.h"
#include "calibrate.h"
#include "net.h"
#include "outfile.h"
#include "plot.h"
#include "scenario.h"
#include "sim.h"

/* The fidelity goal on a quiet machine (docs/calibration.md). */
#define GOAL_P50 0.10
#define GOAL_P95 0.20

struct summary {
	size_t n;
	double p50, p95, mean;
};

struct row {
	int instances;
	struct summary meas, sim;
	double ks, load1;
};

static void summarise(double *v, size_t n, struct summary *s)
{
	s->n = n;
	if (n == 0) {
		s->p50 = s->p95 = s->mean = NAN;
		return;
	}
	calib_stats(v, n, &s->p50, &s->p95, &s->mean);
}

/* Kolmogorov-Smirnov distance of two sorted samples: the largest gap
 * between their empirical distribution functions. */
static double ks_distance(const double *a, size_t na, const double *b, size_t nb)
{
	size_t i = 0, j = 0;
	double d = 0;

	while (i < na && j < nb) {
		double x = a[i] < b[j] ? a[i] : b[j];

		while (i < na && a[i] <= x)
			i++;
		while (j < nb && b[j] <= x)
			j++;
		d = fmax(d, fabs((double)i / na - (double)j / nb));
	}
	return d;
}

/* The workload as a scenario: one device running `instances` streams of
 * the model at fps, each its own instance (policy all-device), over the
 * profile at path. */
static int simulate(const struct fidelity_options *o, const char *profile, int instances,
		    double **lat, size_t *n_lat, struct ts_error *err)
{
	const struct calibrate_options *c = &o->cal;
	double warmup_s = c->warmup / o->fps;
	size_t size = 4096 + (size_t)instances * 256 + strlen(profile);
	char *text = malloc(size), *line = NULL;
	size_t at = 0, cap = 0, got = 0, line_cap = 0;
	struct scenario *s = NULL;
	struct sim_options so = {.seed = c->seed, .policy = policy_find("all-device")};
	struct sim_report rep;
	double *v = NULL;
	FILE *csv = tmpfile();
	int rc;

	if (text == NULL || csv == NULL || so.policy == NULL) {
		free(text);
		if (csv != NULL)
			fclose(csv);
		return ts_error_set(err, TS_ERUNTIME, "cannot set up the simulation: %s",
				    csv == NULL ? "no temporary file" : "out of memory");
	}
	at += (size_t)snprintf(
	    text + at, size - at,
	    "{\"tiersim_scenario\": 1, \"name\": \"fidelity-%d\", \"seed\": %llu, "
	    "\"duration_s\": %.17g, \"warmup_s\": %.17g, \"out_of_range\": \"clamp\", "
	    "\"policy\": {\"name\": \"all-device\"}, \"models\": [{\"file\": \"%s\"}], "
	    "\"nodes\": [{\"id\": "
	    "\"host\", \"tier\": \"device\", \"cpu\": {\"cores\": 1, \"ghz\": 1}, "
	    "\"accelerators\": [{\"id\": \"backend\", \"profile\": \"%s\"}]}], \"links\": [], "
	    "\"apps\": [",
	    instances, (unsigned long long)c->seed, o->duration_s + warmup_s, warmup_s, c->model,
	    profile);
	for (int i = 0; i < instances; i++)
		at += (size_t)snprintf(text + at, size - at,
				       "%s{\"id\": \"s%d\", \"model\": \"%s\", \"sources\": "
				       "[\"host\"], \"workload\": {\"type\": \"stream\", \"fps\": "
				       "%.17g, \"frame_px\": [%d, %d]}, \"qos_ms\": 1000}",
				       i ? ", " : "", i, c->model, o->fps, c->frames[0][0],
				       c->frames[0][1]);
	at += (size_t)snprintf(text + at, size - at, "]}");
	rc = scenario_load_text(text, at, "fidelity scenario", "", &s, err);
	free(text);
	so.requests_csv = csv;
	if (rc == 0)
		rc = sim_run(s, &so, &rep, err);
	if (rc == 0)
		sim_report_release(&rep);
	rewind(csv);
	/* requests.csv: created_ns is field 9, response_ns (the response
	 * time) field 16. */
	while (rc == 0 && getline(&line, &line_cap, csv) > 0) {
		char *f[17];
		char *p = line;
		int k = 0;

		for (; k < 17 && p != NULL; k++) {
			f[k] = p;
			p = strchr(p, ',');
			if (p != NULL)
				*p++ = '\0';
		}
		if (k < 17 || strcmp(f[6], "completed") != 0 || strtod(f[8], NULL) < warmup_s * 1e9)
			continue;
		if (got == cap) {
			double *g = realloc(v, (cap = cap ? 2 * cap : 1024) * sizeof *v);

			if (g == NULL) {
				rc = ts_error_set(err, TS_ENOMEM, "out of memory");
				break;
			}
			v = g;
		}
		v[got++] = strtod(f[15], NULL) / 1e6;
	}
	free(line);
	fclose(csv);
	scenario_free(s);
	if (rc != 0) {
		free(v);
		return rc;
	}
	*lat = v;
	*n_lat = got;
	return TS_EOK;
}

static cJSON *summary_json(const struct summary *s, bool *failed)
{
	cJSON *j = cJSON_CreateObject();

	outfile_json_add(j, "count", cJSON_CreateNumber((double)s->n), failed);
	outfile_json_add(j, "p50_ms", cJSON_CreateNumber(round(s->p50 * 1000) / 1000), failed);
	outfile_json_add(j, "p95_ms", cJSON_CreateNumber(round(s->p95 * 1000) / 1000), failed);
	outfile_json_add(j, "mean_ms", cJSON_CreateNumber(round(s->mean * 1000) / 1000), failed);
	return j;
}

static double rel(double sim, double meas)
{
	return round((sim - meas) / meas * 10000) / 10000;
}

static cJSON *row_json(const struct row *r, bool *failed)
{
	cJSON *j = cJSON_CreateObject(), *e = cJSON_CreateObject();
	double e50 = rel(r->sim.p50, r->meas.p50), e95 = rel(r->sim.p95, r->meas.p95);

	outfile_json_add(j, "instances", cJSON_CreateNumber(r->instances), failed);
	outfile_json_add(j, "load_1min", cJSON_CreateNumber(r->load1), failed);
	outfile_json_add(j, "measured", summary_json(&r->meas, failed), failed);
	outfile_json_add(j, "simulated", summary_json(&r->sim, failed), failed);
	outfile_json_add(e, "p50", cJSON_CreateNumber(e50), failed);
	outfile_json_add(e, "p95", cJSON_CreateNumber(e95), failed);
	outfile_json_add(e, "mean", cJSON_CreateNumber(rel(r->sim.mean, r->meas.mean)), failed);
	outfile_json_add(j, "relative_error", e, failed);
	outfile_json_add(j, "ks", cJSON_CreateNumber(round(r->ks * 10000) / 10000), failed);
	outfile_json_add(j, "goal_met",
			 cJSON_CreateBool(fabs(e50) <= GOAL_P50 && fabs(e95) <= GOAL_P95), failed);
	return j;
}

static int write_plot(const struct fidelity_options *o, const struct row *rows, int n, FILE *out,
		      struct ts_error *err)
{
	struct outfile dat = {0}, gp = {0};
	char *gnuplot;
	int rc = outfile_open(&dat, o->dir, "fidelity.dat", err);

	if (rc == 0)
		rc = outfile_open(&gp, o->dir, "fidelity.gp", err);
	if (rc == 0) {
		fprintf(dat.f, "# instances measured_p50_ms simulated_p50_ms measured_p95_ms "
			       "simulated_p95_ms\n");
		for (int i = 0; i < n; i++) {
			plot_data_number(dat.f, rows[i].instances, " ");
			plot_data_number(dat.f, rows[i].meas.p50, " ");
			plot_data_number(dat.f, rows[i].sim.p50, " ");
			plot_data_number(dat.f, rows[i].meas.p95, " ");
			plot_data_number(dat.f, rows[i].sim.p95, "\n");
		}
		plot_script_begin(gp.f, "measured against simulated latency per instance count",
				  "fidelity.png", "png", 800, 500);
		fprintf(gp.f, "datafile = ");
		plot_quote(gp.f, dat.final_path);
		fprintf(gp.f, "\nset title ");
		plot_quote(gp.f, o->cal.model);
		fprintf(gp.f,
			"\nset xlabel 'concurrent instances'\nset ylabel 'latency, ms'\n"
			"set xtics 1\nset key top left\nset grid\n"
			"plot datafile using 1:2 with linespoints lc 1 pt 7 title "
			"'measured p50', \\\n"
			"     '' using 1:3 with linespoints lc 1 dt 2 pt 6 title 'simulated p50', "
			"\\\n"
			"     '' using 1:4 with linespoints lc 2 pt 5 title 'measured p95', \\\n"
			"     '' using 1:5 with linespoints lc 2 dt 2 pt 4 title "
			"'simulated p95'\n");
		rc = outfile_commit(&dat, err);
	}
	if (rc == 0)
		rc = outfile_commit(&gp, err);
	outfile_discard(&dat);
	outfile_discard(&gp);
	if (rc != 0)
		return rc;
	gnuplot = plot_find_on_path("gnuplot");
	if (gnuplot == NULL) {
		fprintf(out,
			"fidelity: gnuplot is not on PATH; render the plot with: cd %s && "
			"gnuplot fidelity.gp\n",
			o->dir);
		return TS_EOK;
	}
	rc = plot_image(gnuplot, o->dir, "fidelity", "png", err);
	free(gnuplot);
	return rc;
}

/* The measured side of one instance count: the workload fed for real. */
static int measure(const struct fidelity_options *o, const struct backend_ops *b,
		   const struct net *n, int instances, struct progress *prog, double *base,
		   double **lat, size_t *n_lat, struct ts_error *err)
{
	const struct calibrate_options *c = &o->cal;
	struct calib_config cc = {.backend = b,
				  .net = n,
				  .seed = c->seed,
				  .frame_w = c->frames[0][0],
				  .frame_h = c->frames[0][1],
				  .instances = instances,
				  .threads = calibrate_threads(c, instances),
				  .warmup = c->warmup,
				  .iters = (int)ceil(o->duration_s * o->fps),
				  .period_ns = (int64_t)llround(1e9 / o->fps),
				  .warn = c->warn,
				  .progress = prog,
				  .progress_base = *base};
	struct calib_run run;
	size_t count = (size_t)instances * cc.iters;
	int rc = calib_run(&cc, &run, err);

	if (rc != 0)
		return rc;
	*base += (double)instances * (cc.warmup + cc.iters);
	*lat = malloc(count * sizeof **lat);
	if (*lat == NULL) {
		calib_run_release(&run);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	memcpy(*lat, run.latency, count * sizeof **lat);
	*n_lat = count;
	calib_run_release(&run);
	return TS_EOK;
}

int fidelity_run(const struct fidelity_options *o, FILE *out, struct ts_error *err)
{
	const struct calibrate_options *c = &o->cal;
	const struct backend_ops *b;
	struct net n;
	struct progress prog;
	int n_rows = c->inst_hi - c->inst_lo + 1, rc;
	struct row *rows = calloc((size_t)n_rows, sizeof *rows);
	char profile[PATH_MAX];
	double base = 0, total = 0;
	cJSON *doc = NULL, *arr;
	bool failed = false;
	struct outfile f = {0};

	if (rows == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	rc = calibrate_prepare(c, &b, &n, err);
	if (rc == 0)
		rc = outfile_mkdirs(o->dir, err);
	if (rc == 0 && o->profile == NULL) {
		cJSON *p;

		snprintf(profile, sizeof profile, "%s/profile.json", o->dir);
		rc = calibrate_profile(c, &p, err);
		if (rc == 0)
			rc = calibrate_write_json(profile, p, err);
	} else if (rc == 0) {
		/* A name with a '/' is a path to the scenario: the profile
		 * file, not a shipped profile of that name. */
		snprintf(profile, sizeof profile, "%s%s", strchr(o->profile, '/') ? "" : "./",
			 o->profile);
	}
	for (int i = c->inst_lo; i <= c->inst_hi; i++)
		total += (double)i * (c->warmup + ceil(o->duration_s * o->fps));
	progress_init(&prog, c->progress, total, "fidelity frames", "frames");
	for (int k = 0; k < n_rows && rc == 0; k++) {
		struct row *r = &rows[k];
		double *ml = NULL, *sl = NULL, load[1] = {-1};
		size_t nm = 0, ns = 0;

		r->instances = c->inst_lo + k;
		getloadavg(load, 1);
		r->load1 = load[0];
		rc = measure(o, b, &n, r->instances, &prog, &base, &ml, &nm, err);
		if (rc == 0)
			rc = simulate(o, profile, r->instances, &sl, &ns, err);
		if (rc == 0) {
			summarise(ml, nm, &r->meas);
			summarise(sl, ns, &r->sim);
			r->ks = nm > 0 && ns > 0 ? ks_distance(ml, nm, sl, ns) : NAN;
		}
		free(ml);
		free(sl);
	}
	progress_finish(&prog);
	if (rc == 0) {
		doc = cJSON_CreateObject();
		cJSON_AddNumberToObject(doc, "tiersim_fidelity", 1);
		cJSON_AddStringToObject(doc, "backend", b->name);
		cJSON_AddStringToObject(doc, "model", c->model);
		outfile_json_add(doc, "frame_px", cJSON_CreateIntArray(c->frames[0], 2), &failed);
		cJSON_AddNumberToObject(doc, "fps", o->fps);
		cJSON_AddNumberToObject(doc, "duration_s", o->duration_s);
		cJSON_AddStringToObject(doc, "profile", profile);
		cJSON_AddStringToObject(doc, "command", c->command);
		arr = cJSON_AddArrayToObject(doc, "instances");
		for (int k = 0; k < n_rows; k++)
			outfile_json_add(arr, NULL, row_json(&rows[k], &failed), &failed);
		if (failed) {
			cJSON_Delete(doc);
			doc = NULL;
		}
		rc = outfile_open_json(&f, o->dir, "fidelity.json", doc, err);
		if (rc == 0)
			rc = outfile_commit(&f, err);
		outfile_discard(&f);
	}
	if (rc == 0)
		rc = write_plot(o, rows, n_rows, out, err);
	if (rc == 0) {
		fprintf(out, "%9s %10s %10s %8s %10s %10s %8s %6s %6s\n", "instances", "meas p50",
			"sim p50", "err", "meas p95", "sim p95", "err", "KS", "load");
		for (int k = 0; k < n_rows; k++) {
			const struct row *r = &rows[k];

			fprintf(
			    out, "%9d %10.2f %10.2f %+7.1f%% %10.2f %10.2f %+7.1f%% %6.3f %6.2f\n",
			    r->instances, r->meas.p50, r->sim.p50,
			    100 * (r->sim.p50 - r->meas.p50) / r->meas.p50, r->meas.p95, r->sim.p95,
			    100 * (r->sim.p95 - r->meas.p95) / r->meas.p95, r->ks, r->load1);
		}
		fprintf(out, "fidelity: %s/fidelity.json\n", o->dir);
	}
	free(rows);
	return rc;
}
