/* Allocation policies: where a request (or a stream) runs.
 *
 * A policy is a static const ops table; the registry maps names to them.
 * The simulator allocates `state_size` zeroed bytes of private state per
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
#include <stddef.h>
#include <stdint.h>

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
	 * instance count the node would have with this request, ms. */
	double service_ms;
};

struct policy_query {
	const struct scenario *scenario;
	size_t app;    /* index into scenario apps */
	size_t device; /* the source device's node index */
	const struct policy_candidate *cands;
	size_t n_cands; /* >= 1 */
	gsl_rng *rng;	/* the policy's own stream ("policy/<name>") */
};

struct policy_ops {
	const char *name;
	/* One line: what it does and where its constants come from. */
	const char *description;
	size_t state_size;
	/* Returns the index into q->cands of the chosen node, or -1 to refuse
	 * (the request is dropped with reason "no_node"). */
	long (*place)(void *state, const struct policy_query *q);
};

/* The registered policies, NULL-terminated. */
extern const struct policy_ops *const policy_registry[];

/* The policy named `name`, or NULL. */
const struct policy_ops *policy_find(const char *name);

/* Writes "unknown policy \"NAME\" (valid: a, b, ...)" into err and returns
 * TS_EINVALID. */
int policy_unknown(const char *name, struct ts_error *err);

#endif
