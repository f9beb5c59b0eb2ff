#include "partition.h"

#include <math.h>

enum partition_param { P_W_LATENCY, P_W_ENERGY, P_W_COST, P_KEEP_INPUT };

/* The candidate that is the request's device, or NULL. */
static const struct policy_candidate *device_candidate(const struct policy_query *q)
{
	for (size_t i = 0; i < q->n_cands; i++)
		if (q->cands[i].node == q->device)
			return &q->cands[i];
	return NULL;
}

/* What running the parts pre, accel and post of a service on candidate c
 * adds: its busy power above idle for their times, and its prices per
 * inference and per second of service. */
static void add_service(const struct policy_query *q, const struct policy_candidate *c,
			double pre_ms, double accel_ms, double post_ms,
			struct partition_estimate *e)
{
	const struct scn_node *n = &q->scenario->nodes[c->node];
	double cpu_s = (pre_ms + post_ms) / 1e3, accel_s = accel_ms / 1e3;

	e->ms += c->wait_ms + pre_ms + accel_ms + post_ms;
	if (n->has_energy)
		e->J += (n->energy.cpu_busy_W - n->energy.cpu_idle_W) * cpu_s +
			(n->energy.accel_busy_W - n->energy.accel_idle_W) * accel_s;
	e->usd += n->cost.per_inference_usd + n->cost.per_s_usd * (cpu_s + accel_s);
}

/* A transfer of `bytes` between the device and candidate c, up or down:
 * its delay estimate and bytes / bandwidth, the device's radio energy and
 * c's price per GB. */
static void add_transfer(const struct policy_query *q, const struct policy_candidate *c,
			 double bytes, bool up, struct partition_estimate *e)
{
	const struct scn_node *dev = &q->scenario->nodes[q->device];

	e->ms += (up ? c->up_ms : c->down_ms) + 1e3 * bytes / c->bandwidth_Bps;
	if (dev->has_energy)
		e->J += bytes * (up ? dev->energy.tx_per_byte_J : dev->energy.rx_per_byte_J);
	e->usd += q->scenario->nodes[c->node].cost.per_GB_usd * bytes / 1e9;
}

/* partition_estimate() with the device's candidate dev (NULL: none). */
static bool estimate_option(const struct policy_query *q, const struct policy_candidate *dev,
			    const struct policy_candidate *node, size_t k,
			    struct partition_estimate *e)
{
	const struct scn_app *app = &q->scenario->apps[q->app];
	const struct scn_model *model = &q->scenario->models[app->model];
	double up_bytes = app->request_bytes, pre_ms = node->cpu_pre_ms, rest = 1;

	*e = (struct partition_estimate){0, 0, 0};
	if (node == dev && k > 0)
		return false;
	if (node != dev && k > 0) {
		if (dev == NULL || k >= model->n_layers || dev->share == NULL ||
		    node->share == NULL)
			return false;
		add_service(q, dev, dev->cpu_pre_ms, dev->accel_ms * dev->share[k], 0, e);
		up_bytes = model->layers[k - 1].out_bytes;
		pre_ms = 0;
		rest = 1 - node->share[k];
	}
	if (node != dev)
		add_transfer(q, node, up_bytes, true, e);
	add_service(q, node, pre_ms, node->accel_ms * rest, node->cpu_post_ms, e);
	if (node != dev)
		add_transfer(q, node, model->output_bytes, false, e);
	return true;
}

bool partition_estimate(const struct policy_query *q, size_t c, size_t k,
			struct partition_estimate *e)
{
	return estimate_option(q, device_candidate(q), &q->cands[c], k, e);
}

/* Every option in candidate order, the whole model before each split
 * point in layer order: the first with the least score wins.  With
 * keep_input the raw input never leaves the device: no whole model on a
 * remote node. */
static long place_partition(void *state, const struct policy_query *q)
{
	const struct scn_model *model = &q->scenario->models[q->scenario->apps[q->app].model];
	const struct policy_candidate *dev = device_candidate(q);
	bool keep = q->params[P_KEEP_INPUT] > 0;
	double best_score = INFINITY;
	long best = -1;

	(void)state;
	for (size_t i = 0; i < q->n_cands; i++) {
		bool remote = &q->cands[i] != dev;
		size_t end = remote && model->n_layers > 1 ? model->n_layers : 1;

		for (size_t k = keep && remote ? 1 : 0; k < end; k++) {
			struct partition_estimate e;
			double score;

			if (!estimate_option(q, dev, &q->cands[i], k, &e))
				continue;
			score = q->params[P_W_LATENCY] * e.ms + q->params[P_W_ENERGY] * e.J +
				q->params[P_W_COST] * e.usd;
			if (score < best_score) {
				best_score = score;
				best = (long)i;
				*q->split = k;
			}
		}
	}
	return best;
}

static const struct policy_param partition_params[] = {
    {.name = "w_latency",
     .description = "weight of the expected response time, per ms (1: minimise latency)",
     .min = 0,
     .max = 1e12,
     .def = 1},
    {.name = "w_energy",
     .description = "weight of the energy the request adds on all nodes, per joule",
     .min = 0,
     .max = 1e12,
     .def = 0},
    {.name = "w_cost",
     .description = "weight of the request's price, per US dollar",
     .min = 0,
     .max = 1e12,
     .def = 0},
    {.name = "keep_input",
     .description = "1: the raw input never leaves the device (privacy), so a remote node "
		    "only runs the layers after a split",
     .min = 0,
     .max = 1,
     .def = 0,
     .integer = true},
};

const struct policy_ops partition_policy = {
    .name = "partition",
    .description = "per request: the whole model on the device or a node, or layers 1..k on "
		   "the device and the rest on a node, whichever minimises w_latency x ms + "
		   "w_energy x J + w_cost x USD (docs/hybrid.md)",
    .place = place_partition,
    .partition = true,
    .params = partition_params,
    .n_params = sizeof(partition_params) / sizeof(partition_params[0]),
};
