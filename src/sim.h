/* One simulation run of a scenario (docs/architecture.md).
 *
 * Requests are created by sources (one per app and source device),
 * generated lazily: each arrival schedules the next.  A request is placed
 * by the policy, sent over the link (delay draw + bytes / bandwidth),
 * queued at its instance (one FIFO per instance, optionally bounded), then
 * served (CPU pre-processing, accelerator, CPU post-processing, from the
 * node's profile at the node's current instance count), sent back, and
 * completed.  Every request ends exactly once: completed, dropped with a
 * reason, failed with a reason (caught by a fault, docs/scenario.md), or
 * still in flight when the run stops at duration_s; the run checks that
 * these add up to the number created.
 *
 * Memory is proportional to the requests and events in flight: requests
 * live in a pool whose slots are reused.
 */
#ifndef TIERSIM_SIM_H
#define TIERSIM_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "health.h"
#include "policy.h"
#include "scenario.h"
#include "status.h"

#define SIM_DROP_REASONS(X)                                                                        \
	X(QUEUE_FULL, "queue_full")                                                                \
	X(NO_NODE, "no_node")

enum sim_drop {
#define SIM_DROP_ENUM(e, name) SIM_DROP_##e,
	SIM_DROP_REASONS(SIM_DROP_ENUM)
#undef SIM_DROP_ENUM
	    SIM_DROP_COUNT
};

/* Why a request caught by a fault (docs/scenario.md, "faults") failed:
 * its node crashed, its link went down, its accelerator was lost, or it
 * was older than the retry timeout when caught again.  A request is also
 * failed with its fault's reason when its retries are spent or no node
 * can take it again. */
#define SIM_FAIL_REASONS(X)                                                                        \
	X(NODE_CRASH, "node_crash")                                                                \
	X(LINK_DOWN, "link_down")                                                                  \
	X(ACCEL_LOST, "accelerator_lost")                                                          \
	X(TIMEOUT, "timeout")

enum sim_fail {
#define SIM_FAIL_ENUM(e, name) SIM_FAIL_##e,
	SIM_FAIL_REASONS(SIM_FAIL_ENUM)
#undef SIM_FAIL_ENUM
	    SIM_FAIL_COUNT
};

/* Fault accounting of a run of a scenario with "faults", the keys of
 * summary.json's "faults" object (a '.' nests one level).  The failed
 * counts come first, in the order of SIM_FAIL_REASONS. */
#define SIM_FAULTS(X)                                                                              \
	X(FAILED_NODE_CRASH, "failed.node_crash")                                                  \
	X(FAILED_LINK_DOWN, "failed.link_down")                                                    \
	X(FAILED_ACCEL_LOST, "failed.accelerator_lost")                                            \
	X(FAILED_TIMEOUT, "failed.timeout")                                                        \
	X(RETRIED, "retried")                                                                      \
	X(NODE_CRASHES, "node_crashes")                                                            \
	X(NODE_RECOVERIES, "node_recoveries")                                                      \
	X(LINK_OUTAGES, "link_outages")                                                            \
	X(LINK_DEGRADATIONS, "link_degradations")                                                  \
	X(ACCEL_LOSSES, "accelerator_losses")                                                      \
	X(STREAMS_MOVED, "streams_moved")

enum sim_fault {
#define SIM_FAULT_ENUM(e, name) SIM_F_##e,
	SIM_FAULTS(SIM_FAULT_ENUM)
#undef SIM_FAULT_ENUM
	    SIM_F_COUNT_ALL
};

/* Per-group metrics (app, node, tier), over requests created at or after
 * warmup_s.  Names are the keys of summary.json (a '.' nests one level). */
#define SIM_METRICS(X)                                                                             \
	X(COUNT, "count")                                                                          \
	X(MEAN, "mean_ms")                                                                         \
	X(P50, "p50_ms")                                                                           \
	X(P90, "p90_ms")                                                                           \
	X(P95, "p95_ms")                                                                           \
	X(P99, "p99_ms")                                                                           \
	X(MISS, "deadline_miss_ratio")                                                             \
	X(THROUGHPUT, "throughput_rps")                                                            \
	X(UTILISATION, "utilisation")                                                              \
	X(DROP_QUEUE_FULL, "dropped.queue_full")                                                   \
	X(DROP_NO_NODE, "dropped.no_node")

enum sim_metric {
#define SIM_METRIC_ENUM(e, name) SIM_M_##e,
	SIM_METRICS(SIM_METRIC_ENUM)
#undef SIM_METRIC_ENUM
	    SIM_M_COUNT_ALL
};

/* Whole-run accounting, over every request of the run. */
#define SIM_TOTALS(X)                                                                              \
	X(CREATED, "created")                                                                      \
	X(COMPLETED, "completed")                                                                  \
	X(DROPPED_QUEUE_FULL, "dropped.queue_full")                                                \
	X(DROPPED_NO_NODE, "dropped.no_node")                                                      \
	X(IN_FLIGHT, "in_flight")                                                                  \
	X(EVENTS, "events")

enum sim_total {
#define SIM_TOTAL_ENUM(e, name) SIM_T_##e,
	SIM_TOTALS(SIM_TOTAL_ENUM)
#undef SIM_TOTAL_ENUM
	    SIM_T_COUNT_ALL
};

/* Health accounting of a run of a policy with `health`, the keys of
 * summary.json's "health" object. */
#define SIM_HEALTH(X)                                                                              \
	X(MIGRATIONS, "migrations")                                                                \
	X(NO_HEALTHY, "no_healthy_node")                                                           \
	X(STATE_CHANGES, "state_changes")                                                          \
	X(PROBES, "probes")                                                                        \
	X(PROBE_BYTES, "probe_bytes")                                                              \
	X(MIGRATION_BYTES, "migration_bytes")

enum sim_health {
#define SIM_HEALTH_ENUM(e, name) SIM_H_##e,
	SIM_HEALTH(SIM_HEALTH_ENUM)
#undef SIM_HEALTH_ENUM
	    SIM_H_COUNT_ALL
};

/* Split requests of a policy with `partition` (docs/hybrid.md), the keys
 * of summary.json's "partition" object: over the measured completed
 * requests, those split, their share, and the mean of their split points
 * (NAN without one). */
#define SIM_PARTITION(X)                                                                           \
	X(SPLIT, "split")                                                                          \
	X(SPLIT_SHARE, "split_share")                                                              \
	X(MEAN_SPLIT_AFTER, "mean_split_after")

enum sim_partition {
#define SIM_PARTITION_ENUM(e, name) SIM_P_##e,
	SIM_PARTITION(SIM_PARTITION_ENUM)
#undef SIM_PARTITION_ENUM
	    SIM_P_COUNT_ALL
};

/* Energy and cost accounts (docs/energy.md) of a scenario with power
 * models (energy) or prices (cost).  Per node, what it spent: the parts
 * of an account, then their total.  Per run: per completed measured
 * request, the total, each part and each tier's share, then the run's
 * total.  A part of a node is the sum over the requests created at or
 * after warmup_s of what each caused there (a request split over nodes
 * adds to each), plus what the node spends over the measured window by
 * itself (idle power, amortised cost).  Keys of summary.json's "energy"
 * and "cost" objects (a '.' nests one level). */
#define SIM_NODE_ENERGY(X)                                                                         \
	X(CPU, "cpu_J")                                                                            \
	X(ACCEL, "accelerator_J")                                                                  \
	X(RADIO, "radio_J")                                                                        \
	X(IDLE, "idle_J")                                                                          \
	X(TOTAL, "total_J")

#define SIM_ENERGY(X)                                                                              \
	X(PR_TOTAL, "per_request_J.total")                                                         \
	X(PR_CPU, "per_request_J.cpu")                                                             \
	X(PR_ACCEL, "per_request_J.accelerator")                                                   \
	X(PR_RADIO, "per_request_J.radio")                                                         \
	X(PR_IDLE, "per_request_J.idle")                                                           \
	X(PR_DEVICE, "per_request_J.device")                                                       \
	X(PR_EDGE, "per_request_J.edge")                                                           \
	X(PR_CLOUD, "per_request_J.cloud")                                                         \
	X(TOTAL, "total_J")

#define SIM_NODE_COST(X)                                                                           \
	X(COMPUTE, "compute_usd")                                                                  \
	X(TRANSFER, "transfer_usd")                                                                \
	X(AMORTISED, "amortised_usd")                                                              \
	X(TOTAL, "total_usd")

#define SIM_COST(X)                                                                                \
	X(PR_TOTAL, "per_request_usd.total")                                                       \
	X(PR_COMPUTE, "per_request_usd.compute")                                                   \
	X(PR_TRANSFER, "per_request_usd.transfer")                                                 \
	X(PR_AMORTISED, "per_request_usd.amortised")                                               \
	X(PR_DEVICE, "per_request_usd.device")                                                     \
	X(PR_EDGE, "per_request_usd.edge")                                                         \
	X(PR_CLOUD, "per_request_usd.cloud")                                                       \
	X(TOTAL, "total_usd")

enum sim_node_energy {
#define SIM_ENUM_NE(e, name) SIM_NE_##e,
	SIM_NODE_ENERGY(SIM_ENUM_NE)
#undef SIM_ENUM_NE
	    SIM_NE_COUNT_ALL
};

enum sim_energy {
#define SIM_ENUM_E(e, name) SIM_E_##e,
	SIM_ENERGY(SIM_ENUM_E)
#undef SIM_ENUM_E
	    SIM_E_COUNT_ALL
};

enum sim_node_cost {
#define SIM_ENUM_NC(e, name) SIM_NC_##e,
	SIM_NODE_COST(SIM_ENUM_NC)
#undef SIM_ENUM_NC
	    SIM_NC_COUNT_ALL
};

enum sim_cost {
#define SIM_ENUM_C(e, name) SIM_C_##e,
	SIM_COST(SIM_ENUM_C)
#undef SIM_ENUM_C
	    SIM_C_COUNT_ALL
};

extern const char *const sim_node_energy_names[SIM_NE_COUNT_ALL];
extern const char *const sim_energy_names[SIM_E_COUNT_ALL];
extern const char *const sim_node_cost_names[SIM_NC_COUNT_ALL];
extern const char *const sim_cost_names[SIM_C_COUNT_ALL];

extern const char *const sim_health_names[SIM_H_COUNT_ALL];
extern const char *const sim_partition_names[SIM_P_COUNT_ALL];
extern const char *const sim_metric_names[SIM_M_COUNT_ALL];
extern const char *const sim_total_names[SIM_T_COUNT_ALL];
extern const char *const sim_drop_names[SIM_DROP_COUNT];
extern const char *const sim_fail_names[SIM_FAIL_COUNT];
extern const char *const sim_fault_names[SIM_F_COUNT_ALL];

/* Metrics are NAN where undefined (no request, or utilisation of an app). */
struct sim_report {
	double totals[SIM_T_COUNT_ALL];
	double *apps;  /* n_apps x SIM_M_COUNT_ALL */
	double *nodes; /* n_nodes x SIM_M_COUNT_ALL */
	double tiers[TIER_COUNT][SIM_M_COUNT_ALL];
	double health[SIM_H_COUNT_ALL];	   /* 0 unless the policy has `health` */
	double partition[SIM_P_COUNT_ALL]; /* 0 unless the policy has `partition` */
	/* n_nodes x HEALTH_STATE_COUNT: seconds of the measured window each
	 * node spent in each state (enum health_state) from one health check
	 * to the next; NULL unless the policy has `health`.  Device rows are 0. */
	double *state_s;
	double faults[SIM_F_COUNT_ALL]; /* 0 unless the scenario has faults */
	/* Per node, the fraction of the measured window (warmup_s to
	 * duration_s) it was up: 1 for a node that never crashed. */
	double *availability;
	/* n_nodes x SIM_NE_COUNT_ALL and the run's SIM_ENERGY values when
	 * the scenario has_energy, else NULL and 0; the same for cost
	 * (has_cost). */
	double *node_energy, energy[SIM_E_COUNT_ALL];
	double *node_cost, cost[SIM_C_COUNT_ALL];
	/* Scenarios with batteries (else NULL): per node, when its battery
	 * ran out (s; NAN: it did not) and the joules left at the end (0 once
	 * empty); NAN for nodes without a battery. */
	double *battery_empty_s, *battery_left_J;
	uint64_t clamped_lookups; /* profile queries outside a table */
	char first_clamp[256];	  /* what the first one was, for the warning */
};

/* A request trace being written (docs/outputs.md): Chrome trace-event
 * objects are appended to f, each but the very first preceded by ",\n", so
 * the caller writes only what encloses the "traceEvents" array.  Several
 * runs (replications) may share one. */
struct sim_trace {
	FILE *f;
	uint64_t sample;   /* >= 1: requests whose id % sample == 0 are traced */
	uint64_t n_events; /* written so far */
};

/* Progress is reported every SIM_PROGRESS_EVENTS events. */
#define SIM_PROGRESS_EVENTS 4096

struct sim_options {
	uint64_t seed; /* master seed of this run */
	const struct policy_ops *policy;
	FILE *requests_csv;	 /* may be NULL: one row per request is appended */
	unsigned replication;	 /* written in the CSV's first column and the trace */
	struct sim_trace *trace; /* may be NULL: no trace */
	/* Each may be NULL; for a policy with `health`, rows of
	 * timeseries.csv, migrations.csv and states.csv (docs/outputs.md)
	 * are appended, without the header. */
	FILE *timeseries, *migrations, *states;
	/* May be NULL; otherwise called with the simulated time (ns) and the
	 * events handled so far, every SIM_PROGRESS_EVENTS events.  It must not
	 * change the run. */
	void (*progress)(void *ctx, sim_time_t now, uint64_t events);
	void *progress_ctx;
};

/* The header lines of requests.csv, timeseries.csv, migrations.csv and
 * states.csv. */
extern const char sim_csv_header[];
extern const char sim_timeseries_header[];
extern const char sim_migrations_header[];
extern const char sim_states_header[];

/* Runs the scenario once.  Fills *report (release with
 * sim_report_release).  Returns TS_ERUNTIME for a failed run (a profile
 * query outside its table under "out_of_range": "error", a delay law that
 * keeps drawing below its floor, broken conservation), TS_ENOMEM or
 * TS_EIO; err says what happened. */
int sim_run(const struct scenario *s, const struct sim_options *opt, struct sim_report *report,
	    struct ts_error *err);

/* Safe on a zeroed report. */
void sim_report_release(struct sim_report *report);

#endif
