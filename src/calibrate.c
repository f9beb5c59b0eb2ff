/* getloadavg */
#define _DEFAULT_SOURCE

#include "calibrate.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "calib.h"
#include "jsonin.h"
#include "net.h"
#include "outfile.h"
#include "progress.h"
#include "scenario.h"

/* Milliseconds to the microsecond: finer digits are noise. */
static double ms3(double ms)
{
	return round(ms * 1000) / 1000;
}

static int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

int calibrate_threads(const struct calibrate_options *o, int instances)
{
	int t = cores() / instances;

	if (o->threads > 0)
		return o->threads;
	return t > 1 ? t : 1;
}

/* The host CPU's model name from /proc/cpuinfo, "unknown" without it. */
static void host_cpu(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, size, "unknown");
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
			snprintf(buf, size, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	if (f != NULL)
		fclose(f);
}

static cJSON *load_array(void)
{
	double l[3] = {0, 0, 0};

	if (getloadavg(l, 3) != 3)
		l[0] = l[1] = l[2] = -1;
	return cJSON_CreateDoubleArray(l, 3);
}

int calibrate_prepare(const struct calibrate_options *o, const struct backend_ops **b,
		      struct net *n, struct ts_error *err)
{
	int rc;

	*b = backend_find(o->backend, err);
	if (*b == NULL)
		return TS_EINVALID;
	rc = (*b)->probe(err);
	if (rc != 0) {
		ts_error_prefix(err, "backend %s: ", o->backend);
		return rc;
	}
	if ((*b)->create == NULL)
		return ts_error_set(err, TS_ERUNTIME,
				    "backend %s can probe its device but runs no network",
				    o->backend);
	return net_build(n, o->model, o->width, o->input_px, err);
}

/* The figures of one cell: a frame size and an instance count. */
struct cell {
	double part[CALIB_PHASES]; /* median wall ms */
	double total_p50, total_p95, total_cv, undisturbed, load1;
	int threads, kept;
	bool disturbed;
};

/* One cell: `repeats` runs, of which the least disturbed is kept; with
 * c->per_layer, its layers' mean times into layer_ms. */
static int measure_cell(const struct calibrate_options *o, struct calib_config *c, struct cell *out,
			double *layer_ms, struct ts_error *err)
{
	struct calib_run best = {0};
	size_t n = (size_t)c->instances * c->iters;
	double *v = malloc(n * sizeof *v);

	if (v == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	out->undisturbed = -1;
	for (int r = 0; r < o->repeats; r++) {
		struct calib_run run;
		double load[1] = {-1};
		double u;
		int rc;

		getloadavg(load, 1);
		rc = calib_run(c, &run, err);
		if (rc != 0) {
			free(v);
			calib_run_release(&best);
			return rc;
		}
		c->progress_base += (double)c->instances * (c->warmup + c->iters);
		u = calib_undisturbed(&run, c->threads, cores());
		if (u > out->undisturbed) {
			calib_run_release(&best);
			best = run;
			out->undisturbed = u;
			out->load1 = load[0];
			out->kept = r + 1;
		} else {
			calib_run_release(&run);
		}
	}
	out->disturbed = out->undisturbed < o->min_undisturbed;
	out->threads = c->threads;
	for (int p = 0; p < CALIB_PHASES; p++) {
		double p95, mean;

		memcpy(v, best.wall[p], n * sizeof *v);
		calib_stats(v, n, &out->part[p], &p95, &mean);
	}
	for (size_t i = 0; i < n; i++)
		v[i] =
		    best.wall[CALIB_PRE][i] + best.wall[CALIB_ACCEL][i] + best.wall[CALIB_POST][i];
	{
		double mean, sd;

		calib_stats(v, n, &out->total_p50, &out->total_p95, &mean);
		sd = n > 1 ? gsl_stats_sd_m(v, 1, n, mean) : 0;
		out->total_cv = mean > 0 ? sd / mean : 0;
	}
	if (c->per_layer)
		memcpy(layer_ms, best.layer_ms, (size_t)c->net->n_layers * sizeof *layer_ms);
	free(v);
	calib_run_release(&best);
	return TS_EOK;
}

static double median_of(double *v, size_t n)
{
	double p50, p95, mean;

	calib_stats(v, n, &p50, &p95, &mean);
	return p50;
}

static cJSON *provenance(const struct calibrate_options *o, const struct backend_ops *b,
			 bool *failed)
{
	struct backend_info info;
	cJSON *p = cJSON_CreateObject();
	char cpu[256], date[32];
	time_t now = time(NULL);
	struct tm tm;

	b->describe(&info);
	host_cpu(cpu, sizeof cpu);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	outfile_json_add(p, "host_cpu", cJSON_CreateString(cpu), failed);
	outfile_json_add(p, "cores", cJSON_CreateNumber(cores()), failed);
	outfile_json_add(p, "isa", cJSON_CreateString(info.isa), failed);
	outfile_json_add(p, "backend", cJSON_CreateString(b->name), failed);
	outfile_json_add(p, "library", cJSON_CreateString(info.library), failed);
	outfile_json_add(p, "driver", cJSON_CreateString(info.driver), failed);
	outfile_json_add(p, "model", cJSON_CreateString(o->model), failed);
	outfile_json_add(p, "width", cJSON_CreateNumber(o->width), failed);
	outfile_json_add(p, "input_px", cJSON_CreateNumber(o->input_px), failed);
	outfile_json_add(p, "seed", cJSON_CreateNumber((double)o->seed), failed);
	outfile_json_add(p, "warmup_frames", cJSON_CreateNumber(o->warmup), failed);
	outfile_json_add(p, "timed_frames", cJSON_CreateNumber(o->iters), failed);
	outfile_json_add(p, "repeats", cJSON_CreateNumber(o->repeats), failed);
	outfile_json_add(p, "min_undisturbed", cJSON_CreateNumber(o->min_undisturbed), failed);
	outfile_json_add(p, "load_average", load_array(), failed);
	outfile_json_add(p, "date", cJSON_CreateString(date), failed);
	outfile_json_add(p, "command", cJSON_CreateString(o->command), failed);
	return p;
}

static cJSON *cell_json(const int *frame, int instances, const struct cell *c, bool *failed)
{
	cJSON *j = cJSON_CreateObject();

	outfile_json_add(j, "frame_px", cJSON_CreateIntArray(frame, 2), failed);
	outfile_json_add(j, "instances", cJSON_CreateNumber(instances), failed);
	outfile_json_add(j, "threads", cJSON_CreateNumber(c->threads), failed);
	outfile_json_add(j, "repeat_kept", cJSON_CreateNumber(c->kept), failed);
	outfile_json_add(j, "undisturbed", cJSON_CreateNumber(round(c->undisturbed * 1000) / 1000),
			 failed);
	outfile_json_add(j, "disturbed", cJSON_CreateBool(c->disturbed), failed);
	outfile_json_add(j, "load_1min", cJSON_CreateNumber(c->load1), failed);
	outfile_json_add(j, "total_p50_ms", cJSON_CreateNumber(ms3(c->total_p50)), failed);
	outfile_json_add(j, "total_p95_ms", cJSON_CreateNumber(ms3(c->total_p95)), failed);
	return j;
}

static cJSON *point_json(const int *frame, int instances, const struct cell *c, bool *failed)
{
	cJSON *j = cJSON_CreateObject();

	outfile_json_add(j, "frame_px", cJSON_CreateIntArray(frame, 2), failed);
	outfile_json_add(j, "instances", cJSON_CreateNumber(instances), failed);
	outfile_json_add(j, "cpu_pre_ms", cJSON_CreateNumber(ms3(c->part[CALIB_PRE])), failed);
	outfile_json_add(j, "accel_ms", cJSON_CreateNumber(ms3(c->part[CALIB_ACCEL])), failed);
	outfile_json_add(j, "cpu_post_ms", cJSON_CreateNumber(ms3(c->part[CALIB_POST])), failed);
	outfile_json_add(j, "source", cJSON_CreateString("measured"), failed);
	return j;
}

bool calibrate_layers_match(const char *model, const struct net *n, char *why, size_t size)
{
	char path[4096];
	struct ts_error err = {""};
	struct jin_doc doc = {0};
	struct jin_at root, layers = {0};
	size_t count = 0;
	int rc;

	snprintf(path, sizeof path, "%s/%s.json", scenario_model_dir(), model);
	rc = jin_doc_load(&doc, path, &err);
	if (rc == 0) {
		root = jin_root(&doc);
		rc = jin_member(&root, "layers", false, &layers, &err);
	}
	if (rc == 0 && layers.node != NULL)
		rc = jin_array(&layers, 1, &count, &err);
	jin_doc_release(&doc);
	if (rc != 0)
		snprintf(why, size, "%s", err.msg);
	else if (count == 0)
		snprintf(why, size, "the model file of %s gives no layers", model);
	else if (count != (size_t)n->n_layers)
		snprintf(why, size, "the model file of %s has %zu layers, the network %d", model,
			 count, n->n_layers);
	return rc == 0 && count == (size_t)n->n_layers;
}

/* Whether to time the layers; why not on o->warn. */
static bool time_layers(const struct calibrate_options *o, const struct backend_ops *b,
			const struct net *n)
{
	char why[512];
	bool ok = b->run_layers != NULL && calibrate_layers_match(o->model, n, why, sizeof why);

	if (b->run_layers == NULL)
		snprintf(why, sizeof why, "backend %s cannot time layers", b->name);
	if (!ok && o->warn != NULL)
		fprintf(o->warn, "tiersim: note: the profile gets no per-layer times: %s\n", why);
	return ok;
}

/* The table's "layers": each layer's mean accelerator time at one
 * instance at the first frame size, measured as a cell of its own after
 * the others, whose figures the waits after each layer would change;
 * that cell's record into *cell_rec for the provenance. */
static int layers_json(const struct calibrate_options *o, struct calib_config c, cJSON **layers,
		       cJSON **cell_rec, char *source, size_t size, bool *failed,
		       struct ts_error *err)
{
	struct cell cell;
	double ms[NET_MAX_LAYERS];
	int rc;

	c.frame_w = o->frames[0][0];
	c.frame_h = o->frames[0][1];
	c.instances = 1;
	c.threads = calibrate_threads(o, 1);
	c.per_layer = true;
	c.warn = NULL;
	rc = measure_cell(o, &c, &cell, ms, err);
	if (rc != 0)
		return rc;
	/* To the nanosecond: the small layers take microseconds. */
	for (int l = 0; l < c.net->n_layers; l++)
		ms[l] = round(ms[l] * 1e6) / 1e6;
	if (cell.disturbed && o->warn != NULL)
		fprintf(o->warn,
			"tiersim: warning: the per-layer times: every repeat was disturbed (best "
			"%.2f of the CPU time an idle machine gives, load %.2f); kept the best\n",
			cell.undisturbed, cell.load1);
	snprintf(source, size,
		 "Measured by tiersim calibrate on this machine (see provenance, layer_cell): the "
		 "mean wall time of each layer (its primitive, the reorders feeding it and, for "
		 "an output, the reorder to NCHW) over %d frames of one instance at %dx%d of the "
		 "least disturbed of %d repeats, after %d warm-up frames, each layer waited for "
		 "before the next; run after the cells, whose times these frames do not enter",
		 o->iters, c.frame_w, c.frame_h, o->repeats, o->warmup);
	*cell_rec = cell_json(o->frames[0], 1, &cell, failed);
	*layers = cJSON_CreateObject();
	outfile_json_add(*layers, "accel_ms", cJSON_CreateDoubleArray(ms, c.net->n_layers), failed);
	outfile_json_add(*layers, "source", cJSON_CreateString("layers"), failed);
	return TS_EOK;
}

int calibrate_profile(const struct calibrate_options *o, cJSON **profile, struct ts_error *err)
{
	const struct backend_ops *b;
	struct net n;
	struct progress prog;
	int n_cells = o->n_frames * (o->inst_hi - o->inst_lo + 1), k = 0, rc;
	double *cvs = malloc((size_t)n_cells * sizeof *cvs), frames_all = 0;
	cJSON *doc = NULL, *points, *cells, *prov, *table, *tables, *sources, *layers = NULL,
	      *layer_cell = NULL;
	bool failed = false, per_layer;
	char text[512], layers_source[512];

	*profile = NULL;
	if (cvs == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	rc = calibrate_prepare(o, &b, &n, err);
	if (rc != 0) {
		free(cvs);
		return rc;
	}
	for (int i = o->inst_lo; i <= o->inst_hi; i++)
		frames_all += (double)o->n_frames * o->repeats * i * (o->warmup + o->iters);
	per_layer = time_layers(o, b, &n);
	if (per_layer)
		frames_all += (double)o->repeats * (o->warmup + o->iters);
	progress_init(&prog, o->progress, frames_all, "calibration frames", "frames");
	doc = cJSON_CreateObject();
	points = cJSON_CreateArray();
	cells = cJSON_CreateArray();
	prov = provenance(o, b, &failed);
	{
		struct calib_config c = {.backend = b,
					 .net = &n,
					 .seed = o->seed,
					 .warmup = o->warmup,
					 .iters = o->iters,
					 .warn = o->warn,
					 .progress = &prog};

		for (int f = 0; f < o->n_frames && rc == 0; f++)
			for (int i = o->inst_lo; i <= o->inst_hi && rc == 0; i++) {
				struct cell cell;

				c.frame_w = o->frames[f][0];
				c.frame_h = o->frames[f][1];
				c.instances = i;
				c.threads = calibrate_threads(o, i);
				/* Only the first cell's instances report
				 * reference kernels: the rest build the same
				 * primitives. */
				c.warn = k == 0 ? o->warn : NULL;
				rc = measure_cell(o, &c, &cell, NULL, err);
				if (rc != 0)
					break;
				if (cell.disturbed && o->warn != NULL)
					fprintf(
					    o->warn,
					    "tiersim: warning: %dx%d with %d instance%s: every "
					    "repeat was disturbed (best %.2f of the CPU time an "
					    "idle machine gives, load %.2f); kept the best\n",
					    c.frame_w, c.frame_h, i, i > 1 ? "s" : "",
					    cell.undisturbed, cell.load1);
				cvs[k++] = cell.total_cv;
				outfile_json_add(points, NULL,
						 point_json(o->frames[f], i, &cell, &failed),
						 &failed);
				outfile_json_add(cells, NULL,
						 cell_json(o->frames[f], i, &cell, &failed),
						 &failed);
			}
		if (rc == 0 && per_layer)
			rc = layers_json(o, c, &layers, &layer_cell, layers_source,
					 sizeof layers_source, &failed, err);
	}
	progress_finish(&prog);
	if (rc != 0) {
		free(cvs);
		cJSON_Delete(doc);
		cJSON_Delete(points);
		cJSON_Delete(cells);
		cJSON_Delete(prov);
		return rc;
	}
	outfile_json_add(prov, "cells", cells, &failed);
	if (per_layer)
		outfile_json_add(prov, "layer_cell", layer_cell, &failed);
	cJSON_AddNumberToObject(doc, "tiersim_profile", 1);
	cJSON_AddStringToObject(doc, "id", o->id);
	{
		struct backend_info info;
		char cpu[256];

		b->describe(&info);
		host_cpu(cpu, sizeof cpu);
		snprintf(text, sizeof text, "%s, %d cores, %s (%s): %s, width %g, %dx%d input", cpu,
			 cores(), info.library, info.isa, o->model, o->width, o->input_px,
			 o->input_px);
	}
	cJSON_AddStringToObject(doc, "description", text);
	cJSON_AddStringToObject(doc, "accelerator", "cpu");
	/* The spread of the whole frame time, median over the cells: the
	 * simulator has one coefficient of variation per profile. */
	cJSON_AddNumberToObject(doc, "jitter_cv",
				round(fmin(1, median_of(cvs, (size_t)k)) * 1000) / 1000);
	outfile_json_add(doc, "provenance", prov, &failed);
	sources = cJSON_AddObjectToObject(doc, "sources");
	snprintf(text, sizeof text,
		 "Measured by tiersim calibrate on this machine (see provenance): per cell the "
		 "median wall time of each phase over %d frames per instance of the least "
		 "disturbed of %d repeats, after %d warm-up frames",
		 o->iters, o->repeats, o->warmup);
	if (sources != NULL)
		cJSON_AddStringToObject(sources, "measured", text);
	if (per_layer)
		outfile_json_add(sources, "layers", cJSON_CreateString(layers_source), &failed);
	tables = cJSON_AddArrayToObject(doc, "tables");
	table = cJSON_CreateObject();
	cJSON_AddStringToObject(table, "model", o->model);
	outfile_json_add(table, "points", points, &failed);
	if (per_layer)
		outfile_json_add(table, "layers", layers, &failed);
	outfile_json_add(tables, NULL, table, &failed);
	free(cvs);
	if (failed || sources == NULL) {
		cJSON_Delete(doc);
		return ts_error_set(err, TS_ENOMEM, "out of memory for the profile");
	}
	*profile = doc;
	return TS_EOK;
}

int calibrate_write_json(const char *path, cJSON *doc, struct ts_error *err)
{
	const char *base;
	char *dir = outfile_split_path(path, &base);
	struct outfile f = {0};
	int rc;

	if (dir == NULL) {
		cJSON_Delete(doc);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	rc = outfile_mkdirs(dir, err);
	if (rc == 0)
		rc = outfile_open_json(&f, dir, base, doc, err);
	else
		cJSON_Delete(doc);
	if (rc == 0)
		rc = outfile_commit(&f, err);
	outfile_discard(&f);
	free(dir);
	return rc;
}
