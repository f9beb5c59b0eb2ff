#include "health.h"

#include <math.h>
#include <stdlib.h>

static const char *const state_names[] = {
    [HEALTH_IDLE] = "idle",
    [HEALTH_PASS] = "pass",
    [HEALTH_WARNING] = "warning",
    [HEALTH_CRITICAL] = "critical",
};

const char *health_state_name(enum health_state s)
{
	return state_names[s];
}

enum health_state health_classify(double latency_ms, double qos_ms, double warning, double critical)
{
	if (latency_ms < warning * qos_ms)
		return HEALTH_PASS;
	return latency_ms <= critical * qos_ms ? HEALTH_WARNING : HEALTH_CRITICAL;
}

void health_ema_add(struct health_ema *e, double x, double window)
{
	double alpha = 2 / (window + 1);

	e->value = e->has ? alpha * x + (1 - alpha) * e->value : x;
	e->latest = x;
	e->has = true;
}

void health_tema_add(struct health_tema *e, sim_time_t t, double x, double tau_s)
{
	double a = e->has ? exp(-sim_to_s(t - e->last) / tau_s) : 0;

	e->value = a * e->value + (1 - a) * x;
	e->last = t;
	e->has = true;
}

/* The study's windows, as time constants. */
static const double window_s[HEALTH_NLM_WINDOWS] = {60, 300, 900};

struct nlm_entry {
	struct health_tema ema[HEALTH_NLM_WINDOWS];
	unsigned long count;
};

struct health_nlm {
	size_t n;
	struct health_nlm_config cfg;
	struct nlm_entry *e; /* n x n, only (min, max) used */
};

struct health_nlm *health_nlm_new(size_t n, const struct health_nlm_config *cfg)
{
	struct health_nlm *nlm = malloc(sizeof(*nlm));

	if (nlm == NULL)
		return NULL;
	nlm->n = n;
	nlm->cfg = *cfg;
	nlm->e = calloc(n * n + 1, sizeof(*nlm->e));
	if (nlm->e == NULL) {
		free(nlm);
		return NULL;
	}
	return nlm;
}

void health_nlm_free(struct health_nlm *nlm)
{
	if (nlm == NULL)
		return;
	free(nlm->e);
	free(nlm);
}

static struct nlm_entry *entry(const struct health_nlm *nlm, size_t a, size_t b)
{
	return a < b ? &nlm->e[a * nlm->n + b] : &nlm->e[b * nlm->n + a];
}

void health_nlm_observe(struct health_nlm *nlm, size_t a, size_t b, sim_time_t t, double latency_ms)
{
	struct nlm_entry *e = entry(nlm, a, b);

	for (int w = 0; w < HEALTH_NLM_WINDOWS; w++)
		health_tema_add(&e->ema[w], t, latency_ms, window_s[w]);
	e->count++;
}

unsigned long health_nlm_count(const struct health_nlm *nlm, size_t a, size_t b)
{
	return entry(nlm, a, b)->count;
}

double health_nlm_ema(const struct health_nlm *nlm, size_t a, size_t b, int w)
{
	const struct nlm_entry *e = entry(nlm, a, b);

	return e->count == 0 ? NAN : e->ema[w].value;
}

double health_nlm_score(const struct health_nlm *nlm, size_t a, size_t b, double prior)
{
	const struct nlm_entry *e = entry(nlm, a, b);
	double s = 0;

	if (e->count == 0)
		return prior;
	for (int w = 0; w < HEALTH_NLM_WINDOWS; w++)
		s += nlm->cfg.weights[w] * e->ema[w].value;
	return s;
}

enum health_state health_nlm_state(const struct health_nlm *nlm, double score)
{
	if (score < nlm->cfg.warning_ms)
		return HEALTH_PASS;
	return score <= nlm->cfg.critical_ms ? HEALTH_WARNING : HEALTH_CRITICAL;
}
