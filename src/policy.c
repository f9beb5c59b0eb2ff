#include "policy.h"

#include "partition.h"

#include <gsl/gsl_rng.h>
#include <math.h>
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

/* The split policy's one parameter. */
enum { SPLIT_CLOUD_SHARE };

/* One uniform draw per request, whatever the candidates, so the policy's
 * stream advances alike on every scenario. */
static long place_split(void *state, const struct policy_query *q)
{
	bool cloud = gsl_rng_uniform(q->rng) < q->params[SPLIT_CLOUD_SHARE];
	long first = nearest_of_tier(q, cloud ? TIER_CLOUD : TIER_EDGE);

	(void)state;
	return first >= 0 ? first : nearest_of_tier(q, cloud ? TIER_EDGE : TIER_CLOUD);
}

/* The health-threshold policy's own parameters, after the health ones. */
enum { HT_NO_HEALTHY = POLICY_MIGRATE_PARAMS };

/* Among the edge and cloud candidates in states [lo, hi], the one with
 * the smallest key (NLM score, or AvgInfLat then NLM score); node order
 * breaks ties.  -1 when there is none. */
static long best_server(const struct policy_query *q, enum health_state lo, enum health_state hi,
			bool by_latency)
{
	long best = -1;

	for (size_t i = 0; i < q->n_cands; i++) {
		const struct policy_candidate *c = &q->cands[i], *b;

		if (c->tier == TIER_DEVICE || c->state < lo || c->state > hi)
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		b = &q->cands[best];
		if (by_latency && c->avg_inf_lat_ms != b->avg_inf_lat_ms) {
			if (c->avg_inf_lat_ms < b->avg_inf_lat_ms)
				best = (long)i;
		} else if (c->nlm_ms < b->nlm_ms) {
			best = (long)i;
		}
	}
	return best;
}

static void set_fallback(const struct policy_query *q)
{
	if (q->fallback != NULL)
		*q->fallback = true;
}

/* A new stream (or request): the healthy (idle or pass) node nearest by
 * NLM score; with none, the fallback: "least bad" takes the warning node
 * nearest by NLM score, and otherwise (or with "stay") the work stays on
 * its device when the device can run it.  A critical node is never
 * chosen. */
static long place_health_threshold(void *state, const struct policy_query *q)
{
	long best = best_server(q, HEALTH_IDLE, HEALTH_PASS, false);

	(void)state;
	if (best >= 0)
		return best;
	set_fallback(q);
	if (q->params[HT_NO_HEALTHY] == 1) {
		best = best_server(q, HEALTH_WARNING, HEALTH_WARNING, false);
		if (best >= 0)
			return best;
	}
	return nearest_of_tier(q, TIER_DEVICE);
}

/* The healthiest target: idle or pass, least AvgInfLat (idle counts 0),
 * then NLM score; with none, "least bad" takes the warning node with the
 * least AvgInfLat, "stay" stays. */
static long migrate_health_threshold(void *state, const struct policy_query *q)
{
	long best = best_server(q, HEALTH_IDLE, HEALTH_PASS, true);

	(void)state;
	if (best >= 0)
		return best;
	set_fallback(q);
	if (q->params[HT_NO_HEALTHY] == 1)
		return best_server(q, HEALTH_WARNING, HEALTH_WARNING, true);
	return -1;
}

enum { W_KNOB = POLICY_HEALTH_PARAMS };

/* x / max, 0 when max is 0: each weight in [0, 1] over the candidates. */
static double normalised(double x, double max)
{
	return max > 0 ? x / max : 0;
}

/* W = alpha W_cpu + beta W_ai + gamma W_nl over the edge and cloud
 * candidates, each term normalised by its largest value among them:
 * W_cpu = (cpu_pre_ms + cpu_post_ms) (1 + load), W_ai = accel_ms (1 + load) (the CPU and
 * accelerator work ahead of a new frame), W_nl = NLM score.  The knob k
 * sets gamma = k, alpha = beta = (1 - k) / 2.  The least W wins, ties in
 * node order; without an edge or cloud candidate, the device. */
static long place_weighted(void *state, const struct policy_query *q)
{
	double k = q->params[W_KNOB], max_cpu = 0, max_ai = 0, max_nl = 0, best_w = INFINITY;
	long best = -1;

	(void)state;
	for (size_t i = 0; i < q->n_cands; i++) {
		const struct policy_candidate *c = &q->cands[i];

		if (c->tier == TIER_DEVICE)
			continue;
		max_cpu = fmax(max_cpu, (c->cpu_pre_ms + c->cpu_post_ms) * (1 + c->load));
		max_ai = fmax(max_ai, c->accel_ms * (1 + c->load));
		max_nl = fmax(max_nl, c->nlm_ms);
	}
	for (size_t i = 0; i < q->n_cands; i++) {
		const struct policy_candidate *c = &q->cands[i];
		double w;

		if (c->tier == TIER_DEVICE)
			continue;
		w = (1 - k) / 2 *
			normalised((c->cpu_pre_ms + c->cpu_post_ms) * (1 + c->load), max_cpu) +
		    (1 - k) / 2 * normalised(c->accel_ms * (1 + c->load), max_ai) +
		    k * normalised(c->nlm_ms, max_nl);
		if (w < best_w) {
			best_w = w;
			best = (long)i;
		}
	}
	return best >= 0 ? best : nearest_of_tier(q, TIER_DEVICE);
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

static const struct policy_param split_params[] = {
    {.name = "cloud_share",
     .description = "probability that a request goes to the nearest cloud node rather than "
		    "the nearest edge node (edge-bench-v1: 0.2)",
     .min = 0,
     .max = 1,
     .def = 0.2},
};

static const struct policy_ops split = {
    .name = "split",
    .description = "each request to the nearest cloud node with probability cloud_share, "
		   "else to the nearest edge node (the other tier when one has no candidate), "
		   "drawn from the stream \"policy/split\"",
    .place = place_split,
    .params = split_params,
    .n_params = sizeof(split_params) / sizeof(split_params[0]),
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

/* The health parameters, in enum policy_health_param order. */
#define HEALTH_PARAMS                                                                              \
	{.name = "check_period_ms",                                                                \
	 .description = "period of health checks and time-series rows (an assumed 1 s)",           \
	 .min = 1,                                                                                 \
	 .max = 1e9,                                                                               \
	 .def = 1000},                                                                             \
	    {.name = "ema_window",                                                                 \
	     .description = "frames in the InfLat moving average (alpha = 2 / (window + 1))",      \
	     .min = 1,                                                                             \
	     .max = 1e6,                                                                           \
	     .def = 10,                                                                            \
	     .integer = true},                                                                     \
	    {.name = "warning",                                                                    \
	     .description = "share of QoS at which a latency is a warning (the study's 75%)",      \
	     .min = 0,                                                                             \
	     .max = 10,                                                                            \
	     .def = 0.75},                                                                         \
	    {.name = "critical",                                                                   \
	     .description = "share of QoS above which a latency is critical (the study's 90%)",    \
	     .min = 0,                                                                             \
	     .max = 10,                                                                            \
	     .def = 0.9},                                                                          \
	    {.name = "w1m",                                                                        \
	     .description =                                                                        \
		 "weight of the NLM's 1-minute EMA in its score (assumed, as w5m and w15m)",       \
	     .min = 0,                                                                             \
	     .max = 1,                                                                             \
	     .def = 0.5},                                                                          \
	    {.name = "w5m",                                                                        \
	     .description = "weight of the 5-minute EMA",                                          \
	     .min = 0,                                                                             \
	     .max = 1,                                                                             \
	     .def = 0.3},                                                                          \
	    {.name = "w15m",                                                                       \
	     .description = "weight of the 15-minute EMA",                                         \
	     .min = 0,                                                                             \
	     .max = 1,                                                                             \
	     .def = 0.2},                                                                          \
	    {.name = "nlm_warning_ms",                                                             \
	     .description = "NLM score at which an entry is a warning",                            \
	     .min = 0,                                                                             \
	     .max = 1e9,                                                                           \
	     .def = 50},                                                                           \
	    {.name = "nlm_critical_ms",                                                            \
	     .description = "NLM score above which an entry is critical",                          \
	     .min = 0,                                                                             \
	     .max = 1e9,                                                                           \
	     .def = 100},                                                                          \
	    {.name = "probe_period_ms",                                                            \
	     .description =                                                                        \
		 "period of one probe per link (0: none; transfers alone feed the NLM)",           \
	     .min = 0,                                                                             \
	     .max = 1e9,                                                                           \
	     .def = 0},                                                                            \
	{                                                                                          \
		.name = "probe_bytes", .description = "bytes of one probe (an ICMP echo: 64)",     \
		.min = 1, .max = 1e9, .def = 64                                                    \
	}

static const struct policy_param health_threshold_params[] = {
    HEALTH_PARAMS,
    {.name = "migration_bytes",
     .description = "metadata a migration sends over the edge-edge link (model id, stream "
		    "source: an assumed 4 KiB)",
     .min = 0,
     .max = 1e12,
     .def = 4096},
    {.name = "cooldown_ms",
     .description = "after a migration, neither the stream nor its old node migrates again "
		    "for this long (10 health checks)",
     .min = 0,
     .max = 1e9,
     .def = 10000},
    {.name = "no_healthy_node",
     .description = "with no healthy node: 0 stay (device for a new stream, no migration), "
		    "1 least bad (a warning node)",
     .min = 0,
     .max = 1,
     .def = 0,
     .integer = true},
};

static const struct policy_ops health_threshold = {
    .name = "health-threshold",
    .description = "new streams to the healthy node nearest by network latency matrix score; "
		   "critical nodes and apps migrate their worst instance (heterogeneous edge "
		   "study: states at 75%/90% of QoS; docs/policies.md)",
    .health = true,
    .place = place_health_threshold,
    .migrate = migrate_health_threshold,
    .params = health_threshold_params,
    .n_params = sizeof(health_threshold_params) / sizeof(health_threshold_params[0]),
};

static const struct policy_param weighted_params[] = {
    HEALTH_PARAMS,
    {.name = "latency_vs_utilisation",
     .description = "k: weight gamma = k on network latency, alpha = beta = (1 - k) / 2 on "
		    "CPU and accelerator load (0.5: both weigh the same)",
     .min = 0,
     .max = 1,
     .def = 0.5},
};

static const struct policy_ops weighted = {
    .name = "weighted",
    .description = "least alpha W_cpu + beta W_ai + gamma W_nl over edge and cloud nodes, "
		   "one knob between latency and utilisation (heterogeneous edge study; "
		   "docs/policies.md)",
    .health = true,
    .place = place_weighted,
    .params = weighted_params,
    .n_params = sizeof(weighted_params) / sizeof(weighted_params[0]),
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
    &all_device, &all_edge,	 &all_cloud,	    &round_robin, &random_choice,    &least_loaded,
    &split,	 &layer_minimum, &health_threshold, &weighted,	  &partition_policy, &tabu,
    &exact,	 NULL,
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

const double *policy_params(const struct policy_ops *ops, const struct scenario *s,
			    double *defaults)
{
	for (size_t k = 0; k < ops->n_params; k++)
		defaults[k] = ops->params[k].def;
	return strcmp(ops->name, s->policy) == 0 ? s->policy_params : defaults;
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
