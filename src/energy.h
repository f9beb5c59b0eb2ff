/* Energy and cost data of nodes (docs/energy.md).
 *
 * A node's power model comes from a power-model file (models/energy/
 * NAME.json, "tiersim_energy": 1): the idle and busy power of its CPU and
 * of its accelerator, and the energy its radio spends per byte sent and
 * received, each with a source.  A node's prices are the scenario's
 * nodes[].cost.  Both are plain data here; the simulator charges them to
 * requests and nodes (sim.h).
 */
#ifndef TIERSIM_ENERGY_H
#define TIERSIM_ENERGY_H

#include "jsonin.h"
#include "status.h"

/* Watts, and joules per byte.  A stage on a component draws its busy
 * power for the stage's time; idle power is drawn all the time. */
struct energy_model {
	double cpu_idle_W, cpu_busy_W;
	double accel_idle_W, accel_busy_W;
	double tx_per_byte_J, rx_per_byte_J;
};

/* US dollars; 0 where not given. */
struct node_cost {
	double per_s_usd;	  /* per second of service (CPU pre + accelerator + CPU post) */
	double per_inference_usd; /* per request served */
	double per_GB_usd;	  /* per 10^9 bytes of requests and results to and from it */
	double per_hour_usd;	  /* amortised cost of owning it, per hour of the run */
};

/* Reads the power-model file at path into *out.  Errors name the file,
 * the JSON path, the bad value and what was expected. */
int energy_model_load(const char *path, struct energy_model *out, struct ts_error *err);

/* Reads a node's "cost" object at `at` into *out. */
int node_cost_read(const struct jin_at *at, struct node_cost *out, struct ts_error *err);

#endif
