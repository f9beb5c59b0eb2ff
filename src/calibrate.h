/* `tiersim calibrate` and `tiersim fidelity` (docs/calibration.md):
 * profiles measured on this machine with a backend, and the measured
 * latency of a fed workload against its simulation from such a profile.
 */
#ifndef TIERSIM_CALIBRATE_H
#define TIERSIM_CALIBRATE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

#define CALIBRATE_FRAMES_MAX 16

struct calibrate_options {
	const char *backend, *model;
	double width; /* width multiplier, (0, 1] */
	int input_px; /* network input side */
	int frames[CALIBRATE_FRAMES_MAX][2];
	int n_frames;
	int inst_lo, inst_hi; /* instance counts inst_lo..inst_hi */
	int threads;	      /* per instance; 0: max(1, cores / instances) */
	int warmup, iters, repeats;
	double min_undisturbed; /* a repeat below this is disturbed */
	uint64_t seed;
	const char *id;	     /* the profile's id */
	const char *command; /* the command line, for provenance */
	FILE *progress;	     /* NULL: no progress line */
	FILE *warn;	     /* warnings (stderr) */
};

/* Threads per instance with `instances` instances. */
int calibrate_threads(const struct calibrate_options *o, int instances);

/* Finds and probes the backend and builds the network, for either
 * command. */
struct backend_ops;
struct net;
int calibrate_prepare(const struct calibrate_options *o, const struct backend_ops **b,
		      struct net *n, struct ts_error *err);

/* Whether the model file TIERSIM_DATADIR/models/<model>.json gives as
 * many layers as n has, so that n's per-layer times line up with them;
 * if not, why into why (size bytes). */
bool calibrate_layers_match(const char *model, const struct net *n, char *why, size_t size);

/* Measures every frame size with every instance count and returns the
 * profile document in *profile (the caller's, cJSON_Delete); with a
 * backend that times layers and a model file that matches the network
 * (calibrate_layers_match), also each layer's time at one instance at
 * the first frame size, else a note on o->warn says why not.  TS_EINVALID
 * for a backend or model that does not exist, TS_ERUNTIME for one that
 * cannot run here ("unavailable: ..."). */
int calibrate_profile(const struct calibrate_options *o, cJSON **profile, struct ts_error *err);

/* Writes doc (which it frees) to path atomically. */
int calibrate_write_json(const char *path, cJSON *doc, struct ts_error *err);

struct fidelity_options {
	struct calibrate_options cal; /* one frame size: frames[0] */
	const char *profile;	      /* NULL: calibrate first into DIR/profile.json */
	double fps, duration_s;
	const char *dir; /* results */
};

/* Runs the workload for real, simulates it from the profile and writes
 * DIR/fidelity.json, fidelity.dat, fidelity.gp and (with gnuplot on PATH)
 * fidelity.png; the summary table goes to out. */
int fidelity_run(const struct fidelity_options *o, FILE *out, struct ts_error *err);

/* The commands, for main.c's table: usage texts and entry points that
 * return the exit code. */
extern const char calibrate_usage[];
extern const char fidelity_usage[];
int calibrate_cmd(int argc, char **argv);
int fidelity_cmd(int argc, char **argv);

#endif
