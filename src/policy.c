#include "policy.h"

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <string.h>

/* The candidate of tier t with the lowest expected transfer time; the
 * candidate list is in node order, so ties go to the node listed first. */
static long nearest_of_tier(const struct policy_query *q, enum tier t)
{
	long best = -1;

	for (size_t i = 0; i < q->n_cands; i++) {
		if (q->cands[i].tier != t)
			continue;
		if (best < 0 || q->cands[i].transfer_ms < q->cands[best].transfer_ms)
			best = (long)i;
	}
	return best;
}

static long place_all_device(void *state, const struct policy_query *q)
{
	(void)state;
	return nearest_of_tier(q, TIER_DEVICE);
}

static long place_all_edge(void *state, const struct policy_query *q)
{
	(void)state;
	return nearest_of_tier(q, TIER_EDGE);
}

static long place_all_cloud(void *state, const struct policy_query *q)
{
	(void)state;
	return nearest_of_tier(q, TIER_CLOUD);
}

struct round_robin {
	uint64_t next;
};

static long place_round_robin(void *state, const struct policy_query *q)
{
	struct round_robin *rr = state;

	return (long)(rr->next++ % q->n_cands);
}

static long place_random(void *state, const struct policy_query *q)
{
	(void)state;
	return (long)gsl_rng_uniform_int(q->rng, q->n_cands);
}

static double expected_response(const struct policy_candidate *c)
{
	return c->transfer_ms + c->wait_ms + c->service_ms;
}

static long place_least_loaded(void *state, const struct policy_query *q)
{
	long best = 0;

	(void)state;
	for (size_t i = 1; i < q->n_cands; i++) {
		const struct policy_candidate *c = &q->cands[i], *b = &q->cands[best];

		if (c->load < b->load ||
		    (c->load == b->load && expected_response(c) < expected_response(b)))
			best = (long)i;
	}
	return best;
}

static long place_layer_minimum(void *state, const struct policy_query *q)
{
	long best = 0;

	(void)state;
	for (size_t i = 1; i < q->n_cands; i++)
		if (expected_response(&q->cands[i]) < expected_response(&q->cands[best]))
			best = (long)i;
	return best;
}

/* Job-set mode of the all-* policies: every job on one machine. */
static int assign_all(const struct jobset *set, enum tier m, enum tier *machine)
{
	for (size_t i = 0; i < jobset_count(set); i++)
		machine[i] = m;
	return 0;
}

static int assign_all_device(const struct jobset *set, const double *params, enum tier *machine,
			     struct ts_error *err)
{
	(void)params;
	(void)err;
	return assign_all(set, TIER_DEVICE, machine);
}

static int assign_all_edge(const struct jobset *set, const double *params, enum tier *machine,
			   struct ts_error *err)
{
	(void)params;
	(void)err;
	return assign_all(set, TIER_EDGE, machine);
}

static int assign_all_cloud(const struct jobset *set, const double *params, enum tier *machine,
			    struct ts_error *err)
{
	(void)params;
	(void)err;
	return assign_all(set, TIER_CLOUD, machine);
}

static int assign_layer_minimum(const struct jobset *set, const double *params, enum tier *machine,
				struct ts_error *err)
{
	(void)params;
	(void)err;
	jobset_isolated(set, machine);
	return 0;
}

static int assign_tabu(const struct jobset *set, const double *params, enum tier *machine,
		       struct ts_error *err)
{
	return jobset_tabu(set, (unsigned long)params[0], machine, err);
}

static int assign_exact(const struct jobset *set, const double *params, enum tier *machine,
			struct ts_error *err)
{
	(void)params;
	return jobset_exact(set, machine, err);
}

static const struct policy_ops all_device = {
    .name = "all-device",
    .description = "run on the requesting device itself (refuse when it has no profile); "
		   "job sets: every job on its device",
    .place = place_all_device,
    .assign = assign_all_device,
};

static const struct policy_ops all_edge = {
    .name = "all-edge",
    .description = "run on the nearest edge node (lowest expected transfer time); job "
		   "sets: every job on the edge server",
    .place = place_all_edge,
    .assign = assign_all_edge,
};

static const struct policy_ops all_cloud = {
    .name = "all-cloud",
    .description = "run on the nearest cloud node (lowest expected transfer time); job "
		   "sets: every job on the cloud server",
    .place = place_all_cloud,
    .assign = assign_all_cloud,
};

static const struct policy_ops round_robin = {
    .name = "round-robin",
    .description = "cycle over the candidate nodes in node order, one counter per run",
    .state_size = sizeof(struct round_robin),
    .place = place_round_robin,
};

static const struct policy_ops random_choice = {
    .name = "random",
    .description = "a uniformly random candidate, from the stream \"policy/random\"",
    .place = place_random,
};

static const struct policy_ops least_loaded = {
    .name = "least-loaded",
    .description = "fewest active instances plus queued and running frames; ties by "
		   "expected response time",
    .place = place_least_loaded,
};

static const struct policy_ops layer_minimum = {
    .name = "layer-minimum",
    .description = "minimum expected response: transfer + queue wait + profiled service "
		   "(estimates: docs/policies.md); job sets: each job where upload + "
		   "processing alone is least",
    .place = place_layer_minimum,
    .assign = assign_layer_minimum,
};

static const struct policy_param tabu_params[] = {
    {.name = "max_count",
     .description = "neighbourhood moves examined before the search stops (the study's "
		    "maxCount; 100 covers 10-job sets many times over)",
     .min = 1,
     .max = 1e9,
     .def = 100,
     .integer = true},
};

static const struct policy_ops tabu = {
    .name = "tabu",
    .description = "greedy in release order, then neighbourhood moves with tabu arrays over "
		   "jobs and machines (docs/policies.md)",
    .assign = assign_tabu,
    .params = tabu_params,
    .n_params = sizeof(tabu_params) / sizeof(tabu_params[0]),
};

static const struct policy_ops exact = {
    .name = "exact",
    .description = "the optimal assignment by branch and bound, for at most 20 jobs",
    .assign = assign_exact,
};

const struct policy_ops *const policy_registry[] = {
    &all_device,   &all_edge,	   &all_cloud, &round_robin, &random_choice,
    &least_loaded, &layer_minimum, &tabu,      &exact,	     NULL,
};

const struct policy_ops *policy_find(const char *name)
{
	for (size_t i = 0; policy_registry[i] != NULL; i++)
		if (strcmp(policy_registry[i]->name, name) == 0)
			return policy_registry[i];
	return NULL;
}

const char *policy_modes(const struct policy_ops *ops)
{
	if (ops->place != NULL && ops->assign != NULL)
		return "apps, jobs";
	return ops->place != NULL ? "apps" : "jobs";
}

static bool runs_on(const struct policy_ops *ops, bool jobs)
{
	return jobs ? ops->assign != NULL : ops->place != NULL;
}

int policy_check_mode(const struct policy_ops *ops, bool jobs, struct ts_error *err)
{
	char list[512] = "";
	size_t used = 0;

	if (runs_on(ops, jobs))
		return 0;
	for (size_t i = 0; policy_registry[i] != NULL && used < sizeof(list); i++)
		if (runs_on(policy_registry[i], jobs))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
						 used == 0 ? "" : ", ", policy_registry[i]->name);
	return ts_error_set(err, TS_EINVALID,
			    "policy \"%s\" does not run on a scenario with \"%s\" (it runs on "
			    "\"%s\"); policies for \"%s\": %s",
			    ops->name, jobs ? "jobs" : "apps", policy_modes(ops),
			    jobs ? "jobs" : "apps", list);
}

int policy_param_find(const struct policy_ops *ops, const char *name)
{
	for (size_t i = 0; i < ops->n_params; i++)
		if (strcmp(ops->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

int policy_unknown(const char *name, struct ts_error *err)
{
	char list[512] = "";
	size_t used = 0;

	for (size_t i = 0; policy_registry[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i == 0 ? "" : ", ", policy_registry[i]->name);
	return ts_error_set(err, TS_EINVALID, "unknown policy \"%s\" (valid: %s)", name, list);
}
