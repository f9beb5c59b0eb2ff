/* Health of edge nodes and of the network, as in the heterogeneous edge
 * study's health-threshold offloading (docs/policies.md):
 *
 * - states: a latency L against a QoS deadline is pass, warning or
 *   critical;
 * - exponential moving averages: one over samples (an instance's
 *   inference latency) and one over time (network latency);
 * - the network latency matrix (NLM): for every pair of nodes, EMAs of
 *   the latency that transfers between them observed over 1, 5 and 15
 *   minutes, a weighted score and a state.
 *
 * Everything here is arithmetic on values the engine feeds in; nothing
 * draws random numbers.
 */
#ifndef TIERSIM_HEALTH_H
#define TIERSIM_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "simtime.h"

/* The order is the ranking: a lower value is healthier.  IDLE is a node
 * without an instance, as healthy as PASS. */
enum health_state { HEALTH_IDLE, HEALTH_PASS, HEALTH_WARNING, HEALTH_CRITICAL };

#define HEALTH_STATE_COUNT (HEALTH_CRITICAL + 1)

/* "idle", "pass", "warning", "critical". */
const char *health_state_name(enum health_state s);

/* PASS when latency_ms < warning * qos_ms, WARNING up to and including
 * critical * qos_ms, CRITICAL above (0 < warning <= critical). */
enum health_state health_classify(double latency_ms, double qos_ms, double warning,
				  double critical);

/* An EMA over samples with smoothing factor alpha = 2 / (window + 1), the
 * usual N-sample EMA; the first sample sets it. */
struct health_ema {
	double value;
	double latest; /* the last sample */
	bool has;      /* at least one sample */
};

void health_ema_add(struct health_ema *e, double x, double window);

/* An EMA over time with time constant tau_s, like the Unix load average:
 * a sample x at time t after one at time t0 gives
 * value = a * value + (1 - a) * x with a = exp(-(t - t0) / tau_s); the
 * first sample sets it.  Samples come in non-decreasing time order. */
struct health_tema {
	double value;
	sim_time_t last;
	bool has;
};

void health_tema_add(struct health_tema *e, sim_time_t t, double x, double tau_s);

/* NLM windows: 1, 5 and 15 minutes. */
#define HEALTH_NLM_WINDOWS 3

struct health_nlm_config {
	double weights[HEALTH_NLM_WINDOWS]; /* w1m, w5m, w15m */
	double warning_ms, critical_ms;	    /* entry states: score < warning_ms pass,
					       <= critical_ms warning, else critical */
};

struct health_nlm;

/* A matrix over n nodes, every entry without observation.  NULL when out
 * of memory.  O(n^2) memory. */
struct health_nlm *health_nlm_new(size_t n, const struct health_nlm_config *cfg);

/* NULL is a no-op. */
void health_nlm_free(struct health_nlm *nlm);

/* A transfer between nodes a and b (either way: entries are symmetric)
 * observed latency_ms at time t. */
void health_nlm_observe(struct health_nlm *nlm, size_t a, size_t b, sim_time_t t,
			double latency_ms);

/* Observations of the entry (a, b). */
unsigned long health_nlm_count(const struct health_nlm *nlm, size_t a, size_t b);

/* The entry's EMA over window w (0: 1 min, 1: 5 min, 2: 15 min); NAN
 * before the first observation. */
double health_nlm_ema(const struct health_nlm *nlm, size_t a, size_t b, int w);

/* S = w1m EMA_1m + w5m EMA_5m + w15m EMA_15m; `prior` (the caller's
 * estimate) before the first observation. */
double health_nlm_score(const struct health_nlm *nlm, size_t a, size_t b, double prior);

/* The state of a score under the matrix's thresholds. */
enum health_state health_nlm_state(const struct health_nlm *nlm, double score);

#endif
