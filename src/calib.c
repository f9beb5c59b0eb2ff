#include "calib.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"

/* The start barrier: every instance is built before any frame starts,
 * and the main thread, which opens it, can call the run off when not
 * every thread started. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;
	bool open, cancelled;
	int64_t t0_ns; /* the common start */
	unsigned long frames_done;
};

struct worker {
	const struct calib_config *c;
	struct calib_run *run;
	int index;
	struct gate *gate;
	int rc;
	struct ts_error err;
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t_ns)
{
	struct timespec ts = {.tv_sec = t_ns / 1000000000, .tv_nsec = t_ns % 1000000000};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
}

/* The synthetic frame: uniform random bytes (the network's work does not
 * depend on pixel values). */
static uint8_t *make_frame(const struct calib_config *c, int index)
{
	size_t size = (size_t)c->frame_w * c->frame_h * 3;
	uint8_t *rgb = malloc(size);
	char name[48];
	gsl_rng *r;

	snprintf(name, sizeof name, "calibrate/frame/%d", index);
	r = rng_stream_new(c->seed, name);
	if (rgb == NULL || r == NULL) {
		free(rgb);
		gsl_rng_free(r);
		return NULL;
	}
	for (size_t i = 0; i < size; i++)
		rgb[i] = (uint8_t)gsl_rng_uniform_int(r, 256);
	gsl_rng_free(r);
	return rgb;
}

static int frames(struct worker *w, void *inst, const uint8_t *rgb, float *in, float *out)
{
	const struct calib_config *c = w->c;
	struct calib_run *run = w->run;
	int64_t phase = 0;

	if (c->period_ns > 0) {
		char name[48];
		gsl_rng *r;

		snprintf(name, sizeof name, "calibrate/phase/%d", w->index);
		r = rng_stream_new(c->seed, name);
		if (r == NULL)
			return ts_error_set(&w->err, TS_ENOMEM, "out of memory");
		phase = (int64_t)(gsl_rng_uniform(r) * (double)c->period_ns);
		gsl_rng_free(r);
	}
	for (int f = 0; f < c->warmup + c->iters; f++) {
		int64_t arrival = w->gate->t0_ns + phase + f * c->period_ns;
		int64_t wall[CALIB_PHASES + 1], cpu[CALIB_PHASES + 1];
		double layer_ms[NET_MAX_LAYERS];
		int rc = 0;

		if (c->period_ns > 0)
			sleep_until(arrival);
		wall[0] = clock_ns(CLOCK_MONOTONIC);
		cpu[0] = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		net_preprocess(c->net, rgb, c->frame_w, c->frame_h, in);
		wall[1] = clock_ns(CLOCK_MONOTONIC);
		cpu[1] = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		rc = c->per_layer ? c->backend->run_layers(inst, in, out, layer_ms, &w->err)
				  : c->backend->run(inst, in, out, &w->err);
		if (rc != 0)
			return rc;
		wall[2] = clock_ns(CLOCK_MONOTONIC);
		cpu[2] = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		net_postprocess(c->net, out);
		wall[3] = clock_ns(CLOCK_MONOTONIC);
		cpu[3] = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (f >= c->warmup) {
			size_t at = (size_t)w->index * c->iters + (f - c->warmup);

			for (int p = 0; p < CALIB_PHASES; p++) {
				run->wall[p][at] = (wall[p + 1] - wall[p]) / 1e6;
				run->cpu[p][at] = (cpu[p + 1] - cpu[p]) / 1e6;
			}
			if (c->period_ns > 0)
				run->latency[at] = (wall[3] - arrival) / 1e6;
			for (int l = 0; c->per_layer && l < c->net->n_layers; l++)
				run->layer_ms[w->index * c->net->n_layers + l] +=
				    layer_ms[l] / c->iters;
		}
		if (c->progress != NULL) {
			struct gate *g = w->gate;

			pthread_mutex_lock(&g->lock);
			g->frames_done++;
			/* Only the first instance's thread draws the line. */
			if (w->index == 0)
				progress_update(c->progress, c->progress_base + g->frames_done,
						g->frames_done);
			pthread_mutex_unlock(&g->lock);
		}
	}
	return TS_EOK;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	const struct calib_config *c = w->c;
	uint8_t *rgb = make_frame(c, w->index);
	size_t side = (size_t)c->net->input_px;
	float *in = malloc(3 * side * side * sizeof *in);
	float *out = malloc(c->net->output_floats * sizeof *out);
	void *inst = NULL;

	if (rgb == NULL || in == NULL || out == NULL)
		w->rc = ts_error_set(&w->err, TS_ENOMEM, "out of memory for instance %d's buffers",
				     w->index);
	else
		w->rc = c->backend->create(c->net, c->seed, c->threads,
					   w->index == 0 ? c->warn : NULL, &inst, &w->err);
	/* Every instance waits here, built or not, so that none starts
	 * early. */
	pthread_mutex_lock(&w->gate->lock);
	w->gate->ready++;
	pthread_cond_broadcast(&w->gate->cond);
	while (!w->gate->open)
		pthread_cond_wait(&w->gate->cond, &w->gate->lock);
	pthread_mutex_unlock(&w->gate->lock);
	if (w->rc == 0 && !w->gate->cancelled)
		w->rc = frames(w, inst, rgb, in, out);
	c->backend->destroy(inst);
	free(rgb);
	free(in);
	free(out);
	return NULL;
}

void calib_run_release(struct calib_run *run)
{
	for (int p = 0; p < CALIB_PHASES; p++) {
		free(run->wall[p]);
		free(run->cpu[p]);
	}
	free(run->latency);
	free(run->layer_ms);
	memset(run, 0, sizeof *run);
}

int calib_run(const struct calib_config *c, struct calib_run *run, struct ts_error *err)
{
	size_t n = (size_t)c->instances * c->iters;
	struct worker *ws = calloc((size_t)c->instances, sizeof *ws);
	pthread_t *tids = calloc((size_t)c->instances, sizeof *tids);
	struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	int started = 0, rc = 0;
	bool failed = ws == NULL || tids == NULL;

	memset(run, 0, sizeof *run);
	run->instances = c->instances;
	run->iters = c->iters;
	for (int p = 0; p < CALIB_PHASES; p++) {
		run->wall[p] = calloc(n, sizeof(double));
		run->cpu[p] = calloc(n, sizeof(double));
		failed = failed || run->wall[p] == NULL || run->cpu[p] == NULL;
	}
	run->latency = calloc(n, sizeof(double));
	if (c->per_layer)
		run->layer_ms = calloc((size_t)c->instances * c->net->n_layers, sizeof(double));
	if (failed || run->latency == NULL || (c->per_layer && run->layer_ms == NULL)) {
		free(ws);
		free(tids);
		calib_run_release(run);
		return ts_error_set(err, TS_ENOMEM, "out of memory for %zu timings", n);
	}
	for (int i = 0; i < c->instances; i++)
		ws[i] = (struct worker){.c = c, .run = run, .index = i, .gate = &g};
	for (started = 0; started < c->instances; started++)
		if (pthread_create(&tids[started], NULL, worker_main, &ws[started]) != 0)
			break;
	if (started < c->instances)
		rc = ts_error_set(err, TS_ERUNTIME, "cannot start instance thread %d of %d",
				  started + 1, c->instances);
	pthread_mutex_lock(&g.lock);
	while (g.ready < started)
		pthread_cond_wait(&g.cond, &g.lock);
	/* An instance that could not be built calls the run off: the
	 * others would time a different load. */
	g.cancelled = started < c->instances;
	for (int i = 0; i < started; i++)
		g.cancelled = g.cancelled || ws[i].rc != 0;
	/* A millisecond ahead, so that no instance starts late. */
	g.t0_ns = clock_ns(CLOCK_MONOTONIC) + 1000000;
	g.open = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	for (int i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
		if (ws[i].rc != 0 && rc == 0) {
			rc = ws[i].rc;
			ts_error_set(err, rc, "instance %d: %s", i + 1, ws[i].err.msg);
		}
	}
	free(ws);
	free(tids);
	if (rc != 0)
		calib_run_release(run);
	return rc;
}

double calib_undisturbed(const struct calib_run *run, int threads, int cores)
{
	double wall = 0, cpu = 0, expect = (double)cores / (run->instances * threads);
	size_t n = (size_t)run->instances * run->iters;

	for (size_t i = 0; i < n; i++)
		for (int p = 0; p < CALIB_PHASES; p++) {
			/* The accelerator phase's CPU time is the calling
			 * thread's only; OpenMP's other threads are not in
			 * it, so with several threads per instance only
			 * the single-threaded phases are compared. */
			if (p == CALIB_ACCEL && threads > 1)
				continue;
			wall += run->wall[p][i];
			cpu += run->cpu[p][i];
		}
	return wall > 0 ? cpu / wall / (expect < 1 ? expect : 1) : 0;
}

void calib_stats(double *v, size_t n, double *p50, double *p95, double *mean)
{
	gsl_sort(v, 1, n);
	*p50 = gsl_stats_median_from_sorted_data(v, 1, n);
	*p95 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.95);
	*mean = gsl_stats_mean(v, 1, n);
}
