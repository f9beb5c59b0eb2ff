/* The partition policy (docs/hybrid.md): for each request, where to run
 * its model and whether to split it after a layer, the first part on the
 * device and the rest on an edge or cloud node with the intermediate
 * tensor sent between them.
 *
 * Every option is estimated from the candidates' profiled parts, the
 * per-layer shares of the accelerator part, the tensor sizes of the model
 * and the link's delay estimates and bandwidth, and scored as
 * w_latency x ms + w_energy x J + w_cost x USD; the least score wins.
 */
#ifndef TIERSIM_PARTITION_H
#define TIERSIM_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* An option's expected response time, the energy it adds on every node
 * it touches (busy power above idle for its stages and the device's radio
 * per byte) and what it costs (per inference, per second of service and
 * per GB transferred). */
struct partition_estimate {
	double ms, J, usd;
};

/* The estimate of running q's request on candidate c with layers 1..k on
 * the device first (k = 0: the whole model on c).  False when that option
 * does not exist: k >= the model's layers, k >= 1 on the device itself or
 * without a device candidate. */
bool partition_estimate(const struct policy_query *q, size_t c, size_t k,
			struct partition_estimate *e);

extern const struct policy_ops partition_policy;

#endif
