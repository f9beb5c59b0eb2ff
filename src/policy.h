/* Allocation policies: where a request (or a stream) runs, or where each
 * job of an offline job set runs.
 *
 * A policy is a static const ops table; the registry maps names to them.
 * A policy has an online mode (`place`, scenarios with "apps"), a job-set
 * mode (`assign`, scenarios with "jobs"), or both.  In online mode the
 * simulator allocates `state_size` zeroed bytes of private state per
 * run.  For each placement it builds the list of candidates (the nodes able
 * to serve the request: the source device itself when it has a profile for
 * the model, and every edge or cloud node with such a profile and a link to
 * the device) with the estimates a policy may use, and asks `place` to
 * pick one.  Stream apps are placed once per stream (a stream is one
 * instance on its node); Poisson apps once per request.
 */
#ifndef TIERSIM_POLICY_H
#define TIERSIM_POLICY_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"
#include "jobset.h"
#include "scenario.h"

struct policy_candidate {
	uint32_t node; /* index into scenario nodes */
	enum tier tier;
	/* Frames queued or in service at the node plus its active
	 * instances. */
	uint32_t load;
	/* Expected uplink plus downlink time in ms (0 on the device itself):
	 * the estimates (dist_estimate) of the link's law in each direction
	 * plus bytes / bandwidth. */
	double transfer_ms;
	/* Expected wait in the instance's queue before service starts, ms. */
	double wait_ms;
	/* Profiled service time (CPU pre + accelerator + CPU post) at the
	 * instance count the node would have with this request, ms, and its
	 * parts. */
	double service_ms;
	double cpu_pre_ms, accel_ms, cpu_post_ms;
	/* The link to the device: its delay estimates up and down (ms) and
	 * its bandwidth; 0 on the device itself. */
	double up_ms, down_ms, bandwidth_Bps;
	/* The cumulative share of the accelerator part in the model's layers
	 * 1..k, k = 0..n_layers (docs/profiles.md); NULL when the model has
	 * no layers. */
	const double *share;
	/* Filled for policies with `health` (else IDLE, 0, 0): the node's
	 * state and AvgInfLat (ms, 0 without a sample) at the last health
	 * check, and the NLM score between the device and the node (ms; 0
	 * on the device itself). */
	enum health_state state;
	double avg_inf_lat_ms;
	double nlm_ms;
};

struct policy_query {
	const struct scenario *scenario;
	size_t app;    /* index into scenario apps */
	size_t device; /* the source device's node index */
	const struct policy_candidate *cands;
	size_t n_cands;	      /* >= 1 */
	gsl_rng *rng;	      /* the policy's own stream ("policy/<name>") */
	const double *params; /* the policy's parameter values, as declared */
	/* May be NULL; a policy with `health` sets *fallback when no
	 * candidate was healthy and it chose by its fallback rule. */
	bool *fallback;
	/* Where a policy with `partition` writes the split point k: 0 runs
	 * the whole model on the chosen node (the default); 1 <= k <
	 * n_layers runs layers 1..k on the device first and the rest on the
	 * chosen node, which is then not the device.  NULL for others. */
	size_t *split;
};

/* A numeric parameter a policy declares; a scenario sets it in
 * policy.params (docs/scenario.md). */
struct policy_param {
	const char *name;
	const char *description; /* one line: what it does, why its default */
	double min, max, def;
	bool integer; /* only whole numbers */
};

struct policy_ops {
	const char *name;
	/* One line: what it does and where its constants come from. */
	const char *description;
	size_t state_size;
	/* Online mode; may be NULL (no online mode).  Returns the index into
	 * q->cands of the chosen node, or -1 to refuse (the request is
	 * dropped with reason "no_node"). */
	long (*place)(void *state, const struct policy_query *q);
	/* Partition mode: the policy may split a request's model between
	 * its device and the chosen node (q->split); it runs on apps with
	 * Poisson arrivals only, placed request by request. */
	bool partition;
	/* Health mode: when true the engine keeps per-instance and per-node
	 * health, the network latency matrix and the health outputs
	 * (docs/policies.md), and the first POLICY_HEALTH_PARAMS parameters
	 * are the health parameters below, in that order. */
	bool health;
	/* May be NULL (no migration).  Called at a health check for a stream
	 * the engine has chosen to move; q->cands are the nodes it may move
	 * to (edge or cloud nodes able to serve it with a link to its
	 * current node, never the current node).  Returns the index into
	 * q->cands of the target, or -1 to stay. */
	long (*migrate)(void *state, const struct policy_query *q);
	/* Job-set mode; may be NULL (no job-set mode).  Writes the machine of
	 * each job into machine[0..jobset_count(set)); params[k] is the value
	 * of params[k] below. */
	int (*assign)(const struct jobset *set, const double *params, enum tier *machine,
		      struct ts_error *err);
	/* The parameters, n_params <= SCN_POLICY_PARAMS_MAX; may be NULL. */
	const struct policy_param *params;
	size_t n_params;
};

/* The parameters every policy with `health` starts with. */
enum policy_health_param {
	PH_CHECK_PERIOD_MS, /* health check and time-series period */
	PH_EMA_WINDOW,	    /* samples of the InfLat EMA */
	PH_WARNING,	    /* share of QoS where warning starts */
	PH_CRITICAL,	    /* share of QoS above which it is critical */
	PH_W1M,		    /* NLM score weights */
	PH_W5M,
	PH_W15M,
	PH_NLM_WARNING_MS, /* NLM entry thresholds */
	PH_NLM_CRITICAL_MS,
	PH_PROBE_PERIOD_MS, /* 0: no probes */
	PH_PROBE_BYTES,
	POLICY_HEALTH_PARAMS
};

/* A policy with `migrate` has these two next. */
enum policy_migrate_param {
	PM_MIGRATION_BYTES = POLICY_HEALTH_PARAMS, /* metadata sent per migration */
	PM_COOLDOWN_MS,				   /* no new move of a stream or node */
	POLICY_MIGRATE_PARAMS
};

/* The registered policies, NULL-terminated. */
extern const struct policy_ops *const policy_registry[];

/* The policy named `name`, or NULL. */
const struct policy_ops *policy_find(const char *name);

/* "apps", "jobs" or "apps, jobs": the scenario kinds the policy runs on. */
const char *policy_modes(const struct policy_ops *ops);

/* 0 when the policy runs on a scenario with jobs (jobs true) or apps;
 * else TS_EINVALID and a message that lists the policies that do. */
int policy_check_mode(const struct policy_ops *ops, bool jobs, struct ts_error *err);

/* The parameter values a run of ops on s uses: the scenario's when ops
 * is the scenario's policy, else ops's defaults (written into
 * defaults[SCN_POLICY_PARAMS_MAX], which the result may point to). */
const double *policy_params(const struct policy_ops *ops, const struct scenario *s,
			    double *defaults);

/* Index of the parameter `name` of ops, or -1. */
int policy_param_find(const struct policy_ops *ops, const char *name);

/* Writes "unknown policy \"NAME\" (valid: a, b, ...)" into err and returns
 * TS_EINVALID. */
int policy_unknown(const char *name, struct ts_error *err);

#endif
