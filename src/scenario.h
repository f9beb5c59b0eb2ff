/* Scenario files (format v1, documented field by field in
 * docs/scenario.md).
 *
 * scenario_load() parses and checks a JSON scenario, loads the profiles
 * its accelerators name and the model files its models name, derives the
 * times of analytic jobs, and copies everything into the plain structs
 * below; the JSON tree is gone when it returns.  Every problem is an error
 * naming the file and the JSON path (or line:column), the bad value and
 * what was expected.  Times are sim_time_t nanoseconds from here on.
 */
#ifndef TIERSIM_SCENARIO_H
#define TIERSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analytic.h"
#include "dist.h"
#include "energy.h"
#include "profile.h"
#include "simtime.h"
#include "status.h"

#define SCN_ID_MAX 63

enum tier { TIER_DEVICE, TIER_EDGE, TIER_CLOUD, TIER_COUNT };

enum workload { WORKLOAD_STREAM, WORKLOAD_POISSON };

enum out_of_range {
	OOR_CLAMP, /* use the table's edge value and warn */
	OOR_ERROR  /* fail the run */
};

const char *tier_name(enum tier t);

struct scn_model {
	char id[SCN_ID_MAX + 1];
	/* 0 when not given: a model file may leave them out, an app's model
	 * must have them. */
	double input_bytes, output_bytes;
	double flops; /* given, or summed over its layers (docs/models.md) */
	/* Its layers in order when it gives them, else NULL and 0; and
	 * flops_share[k], k = 0..n_layers, the share of its FLOPs in layers
	 * 1..k (0, then increasing to 1). */
	struct analytic_layer *layers;
	size_t n_layers;
	double *flops_share;
};

struct scn_accel {
	char id[SCN_ID_MAX + 1];
	const struct profile *profile; /* owned by the scenario */
};

struct scn_node {
	char id[SCN_ID_MAX + 1];
	enum tier tier;
	int cpu_cores;
	double cpu_ghz;
	/* FLOPS for the analytic model, 0 when not given; a node computes
	 * on its GPU when it has one. */
	double cpu_flops, gpu_flops;
	struct scn_accel *accels;
	size_t n_accels;
	int64_t queue_capacity; /* frames waiting per instance; 0 = unbounded */
	/* Parallel servers of each instance, taking requests from its one
	 * FIFO queue (cores of a CPU, streams of a GPU); >= 1. */
	int64_t servers;
	/* Devices: how many identical devices the node stands for (a device
	 * group, which sends Poisson requests at count times its apps' rate
	 * and runs no models); 1 for every other node. */
	int64_t count;
	/* Its power model (nodes[].energy) when has_energy, and its prices
	 * (nodes[].cost, all 0 when absent; docs/energy.md). */
	bool has_energy;
	struct energy_model energy;
	struct node_cost cost;
	/* Devices with a power model: the battery's charge at the start,
	 * joules; 0 for none (mains power). */
	double battery_J;
};

struct scn_link {
	size_t a, b;		   /* node indices, a != b; transfers go either way */
	struct dist delay;	   /* a -> b, and b -> a unless has_reverse */
	struct dist delay_reverse; /* b -> a when has_reverse */
	bool has_reverse;
	double bandwidth_Bps;
};

/* From `at` on, an app's frames are w x h pixels. */
struct scn_frame_change {
	sim_time_t at;
	int w, h;
};

struct scn_app {
	char id[SCN_ID_MAX + 1];
	size_t model;
	size_t *sources; /* device node indices */
	size_t n_sources;
	enum workload workload;
	double fps;	      /* stream */
	int frame_w, frame_h; /* stream and poisson: frame size in pixels */
	/* Later frame sizes, in increasing time order; may be empty. */
	struct scn_frame_change *frame_changes;
	size_t n_frame_changes;
	sim_time_t start, stop; /* arrivals in [start, stop) */
	sim_time_t stagger;	/* source k starts at start + k x stagger */
	double rate_hz;		/* poisson: mean requests per second per source */
	double request_bytes;	/* uplink bytes per request */
	double qos_ms;
	double weight;
};

/* One job of an offline job set, its times derived or given. */
struct scn_job {
	char id[SCN_ID_MAX + 1];
	sim_time_t release;
	double weight;
	sim_time_t processing[TIER_COUNT];
	sim_time_t upload[TIER_COUNT]; /* upload[TIER_DEVICE] is 0 */
};

/* A node crash (docs/scenario.md, "faults"): at a fixed time `at`, down
 * for `down` (-1: for the rest of the run), or again and again with
 * exponential times to failure and to repair (random, means mtbf_s and
 * mttr_s).  Only edge and cloud nodes crash. */
struct scn_node_fault {
	size_t node;
	bool random;
	sim_time_t at, down;
	double mtbf_s, mttr_s;
};

/* A link window [from, to): an outage (nothing crosses), or transfers
 * started in it draw their delay from `delay` (when has_delay) and use
 * bandwidth_Bps (when > 0) instead of the link's own.  Windows of one
 * link do not overlap. */
struct scn_link_fault {
	size_t link;
	sim_time_t from, to;
	bool outage, has_delay;
	struct dist delay;
	double bandwidth_Bps;
};

/* From `at` on, accelerator `accel` of node `node` is gone. */
struct scn_accel_fault {
	size_t node, accel;
	sim_time_t at;
};

/* The "faults" section; all counts 0 when the scenario has none. */
struct scn_faults {
	bool present;
	struct scn_node_fault *nodes;
	size_t n_nodes;
	struct scn_link_fault *links;
	size_t n_links;
	struct scn_accel_fault *accels;
	size_t n_accels;
	/* A request caught by a fault is sent again (placed anew) at most
	 * max_retries times, and only while younger than timeout (0: no
	 * limit); otherwise it fails. */
	int max_retries;
	sim_time_t timeout;
};

/* Parameters a policy may declare (policy.h). */
#define SCN_POLICY_PARAMS_MAX 16

struct scenario {
	char *path;
	char
	    *dir; /* path up to its last '/' (or ""): relative profile and trace paths start here */
	char sha256[65]; /* of the file's bytes */
	char name[SCN_ID_MAX + 1];
	uint64_t seed;
	sim_time_t duration, warmup;
	/* Apps: arrivals stop at duration; false: the run ends there too,
	 * true: it goes on until every request has ended. */
	bool drain;
	enum out_of_range out_of_range;
	char policy[SCN_ID_MAX + 1];
	/* One value per parameter the scenario's policy declares: its
	 * default unless policy.params sets it. */
	double policy_params[SCN_POLICY_PARAMS_MAX];

	struct scn_model *models;
	size_t n_models;
	struct scn_node *nodes;
	size_t n_nodes;
	struct scn_link *links;
	size_t n_links;
	struct scn_app *apps;
	size_t n_apps;
	struct scn_faults faults;
	/* Every node has a power model (has_energy), some node has a
	 * "cost" (has_cost): the summary then has "energy" and "cost". */
	bool has_energy, has_cost;
	bool has_battery; /* some device has a battery */

	/* A scenario has apps (n_apps >= 1) or a job set (n_jobs >= 1). */
	struct scn_job *jobs;
	size_t n_jobs;
	double time_unit_ms;		  /* of the job set's _tu keys and its outputs */
	double lambda1, lambda2_per_byte; /* the analytic model's, 0 = unused */

	struct profile **profiles; /* distinct loaded profile files */
	char **profile_paths;
	size_t n_profiles;

	/* Sorted ids and adjacency for lookups while loading (scenario.c);
	 * NULL once scenario_load() has returned. */
	struct scn_lookup *lookup;
};

/* Loads `path`.  Profile names without a '/' are read from
 * TIERSIM_DATADIR/models/profiles/NAME.json; names with one are paths
 * relative to the scenario's directory.  *out is the caller's
 * (scenario_free). */
int scenario_load(const char *path, struct scenario **out, struct ts_error *err);

/* Loads a scenario from text[0..len) (which need not be NUL-terminated):
 * `path` names it in messages and manifests, `dir` ("" or ending in '/')
 * is where its relative profile and model paths start.  The checks and
 * messages are scenario_load()'s; s->sha256 is the text's. */
int scenario_load_text(const char *text, size_t len, const char *path, const char *dir,
		       struct scenario **out, struct ts_error *err);

/* The directory part of path up to and including its last '/', or "" when
 * it has none (malloc'd; NULL when out of memory): scenario_load_text()'s
 * `dir` for a scenario file at path. */
char *scenario_dir_of(const char *path);

/* NULL is a no-op. */
void scenario_free(struct scenario *s);

/* Index of the link joining nodes a and b, or -1. */
long scenario_link(const struct scenario *s, size_t a, size_t b);

/* The delay law of transfers over link l that leave node `from` (one of
 * its ends). */
const struct dist *scenario_link_delay(const struct scn_link *l, size_t from);

/* The accelerator of node n that has a profile table for `model`, with the
 * table index in *table; NULL when the node cannot run the model. */
const struct scn_accel *scenario_executor(const struct scenario *s, size_t node, size_t model,
					  int *table);

/* The same among the accelerators i of the node with lost[i] false (lost
 * may be NULL: none is lost). */
const struct scn_accel *scenario_executor_left(const struct scenario *s, size_t node, size_t model,
					       const bool *lost, int *table);

/* The frame size of app's requests created at time t: the last change
 * at or before t, else frame_px.  O(log changes). */
void scenario_frame_px(const struct scn_app *app, sim_time_t t, int *w, int *h);

/* Directory of the shipped profiles. */
const char *scenario_profile_dir(void);

/* Directory of the shipped model files (models/NAME.json). */
const char *scenario_model_dir(void);

/* Directory of the shipped power models (models/energy/NAME.json). */
const char *scenario_energy_dir(void);

#endif
