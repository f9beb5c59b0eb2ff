/* Inference backends for calibration (docs/calibration.md).
 *
 * A backend runs the accelerator part of a network (net.h) on real
 * hardware; everything around it (frames, pre- and post-processing,
 * threads, timing, statistics) is the calibration driver's (calib.h).
 * Backends are built when their library is found; the registry lists the
 * built ones, and probe() says whether one can run on this machine.
 */
#ifndef TIERSIM_BACKEND_H
#define TIERSIM_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net.h"
#include "status.h"

/* What a backend runs on, for a profile's provenance; static or owned by
 * the backend. */
struct backend_info {
	const char *library; /* "oneDNN 2.6.3" */
	const char *isa;     /* instruction set or device name */
	const char *driver;  /* driver version, "" where none */
};

struct backend_ops {
	const char *name;	 /* "onednn" */
	const char *description; /* one line */
	/* 0 when the backend can run here; otherwise TS_ERUNTIME with
	 * "unavailable: <reason>" in err. */
	int (*probe)(struct ts_error *err);
	/* Fills *info; call after a successful probe(). */
	void (*describe)(struct backend_info *info);
	/* NULL for a backend that only probes (cudnn).  A new instance of
	 * network n with weights from `seed`, running on
	 * `threads` threads; to be created, run and freed on one thread.
	 * Warnings (a reference kernel chosen) go to `warn`, which may be
	 * NULL. */
	int (*create)(const struct net *n, uint64_t seed, int threads, FILE *warn, void **inst,
		      struct ts_error *err);
	/* One inference: in is the network's input (3 x side x side floats,
	 * NCHW), out receives net->output_floats floats. */
	/* NULL when create is. */
	int (*run)(void *inst, const float *in, float *out, struct ts_error *err);
	/* NULL when create is; destroy(NULL) is a no-op. */
	void (*destroy)(void *inst);
	/* May be NULL: the backend cannot time layers.  One inference as
	 * run(), with ms[l] (l < net->n_layers) receiving the wall ms of
	 * layer l: its primitive, the reorders that feed it and, for an
	 * output layer, the reorder of its output to NCHW.  Each layer is
	 * waited for before the next starts, so the layers' sum may exceed
	 * run()'s time by those waits. */
	int (*run_layers)(void *inst, const float *in, float *out, double *ms,
			  struct ts_error *err);
};

/* The backend called name, or NULL (err lists the built ones). */
const struct backend_ops *backend_find(const char *name, struct ts_error *err);

/* The built backends, NULL-terminated. */
extern const struct backend_ops *const backend_all[];

#endif
