/* The calibration driver (docs/calibration.md): runs a backend's network
 * in N concurrent instances on threads released together by a barrier,
 * around it synthetic frames, pre-processing (resize + normalise) and
 * post-processing in plain C, and times each phase in wall and thread-CPU
 * time.
 */
#ifndef TIERSIM_CALIB_H
#define TIERSIM_CALIB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "net.h"
#include "progress.h"
#include "status.h"

enum calib_phase { CALIB_PRE, CALIB_ACCEL, CALIB_POST, CALIB_PHASES };

struct calib_config {
	const struct backend_ops *backend;
	const struct net *net;
	uint64_t seed;	      /* weights and frames */
	int frame_w, frame_h; /* synthetic frame size */
	int instances;	      /* concurrent instances, >= 1 */
	int threads;	      /* threads per instance, >= 1 */
	int warmup, iters;    /* frames per instance: discarded, then timed */
	/* 0: back to back; > 0: each instance is fed a frame every
	 * period_ns (from a random phase) and a frame's latency runs from
	 * its arrival, queueing included. */
	int64_t period_ns;
	/* Each frame's inference through backend->run_layers (which must
	 * not be NULL) instead of run, for the layers' times; its waits
	 * after each layer make the accelerator phase of such frames no
	 * measure of run's. */
	bool per_layer;
	FILE *warn;		   /* backend warnings, may be NULL */
	struct progress *progress; /* may be NULL; counts frames */
	double progress_base;	   /* frames done before this call */
};

/* Timings of one run, per instance i and timed frame f at
 * [i * iters + f]: wall ms per phase, thread-CPU ms per phase and (with
 * period_ns) the latency in ms from arrival to the end of
 * post-processing.  With per_layer, layer_ms[i * n_layers + l] is layer
 * l's mean wall ms over instance i's timed frames; NULL without. */
struct calib_run {
	int instances, iters;
	double *wall[CALIB_PHASES], *cpu[CALIB_PHASES], *latency;
	double *layer_ms;
};

/* Runs the configuration once.  *run is the caller's (calib_run_release). */
int calib_run(const struct calib_config *c, struct calib_run *run, struct ts_error *err);

void calib_run_release(struct calib_run *run);

/* The ratio of thread-CPU to wall time over all timed frames, divided by
 * what an undisturbed machine of `cores` cores gives:
 * min(1, cores / (instances x threads)).  Near 1 the instances had the
 * CPU they could have; lower, something else took it. */
double calib_undisturbed(const struct calib_run *run, int threads, int cores);

/* Median, 95th percentile and mean of n values (sorted in place). */
void calib_stats(double *v, size_t n, double *p50, double *p95, double *mean);

#endif
