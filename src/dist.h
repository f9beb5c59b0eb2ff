/* Network delay laws, in milliseconds.
 *
 * Laws: constant, normal, lognormal and stable (Levy alpha-stable in
 * Nolan's S1 parameterisation, sampled as loc + gsl_ran_levy_skew(r,
 * scale, alpha, beta)).  Any law may be truncated: a draw at or below
 * `floor_ms` is resampled (at most DIST_MAX_TRIES times, then an error), a
 * draw above `cap_ms` becomes cap_ms.  Scenario syntax in docs/scenario.md.
 */
#ifndef TIERSIM_DIST_H
#define TIERSIM_DIST_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>

#include "jsonin.h"
#include "status.h"

#define DIST_MAX_TRIES 1000

enum dist_kind { DIST_CONSTANT, DIST_NORMAL, DIST_LOGNORMAL, DIST_STABLE, DIST_KIND_COUNT };

struct dist {
	enum dist_kind kind;
	union {
		struct {
			double value_ms;
		} constant;
		struct {
			double mean_ms, sd_ms;
		} normal;
		struct {
			double median_ms, sigma; /* sigma: SD of ln(delay) */
		} lognormal;
		struct {
			double alpha, beta, scale_ms, loc_ms;
		} stable;
	} u;
	bool has_floor, has_cap;
	double floor_ms, cap_ms;
};

/* Name ("constant", ...) and a one-line description with its parameters. */
const char *dist_name(enum dist_kind kind);
const char *dist_description(enum dist_kind kind);

/* Reads a law from a JSON object such as
 * {"law": "stable", "alpha": 1.6878, "beta": 1, "scale_ms": 5.4,
 *  "loc_ms": 12.35, "floor_ms": 0}; errors name the path and the rule. */
int dist_parse(const struct jin_at *at, struct dist *out, struct ts_error *err);

/* One draw in ms.  Returns TS_ERUNTIME when DIST_MAX_TRIES draws in a row
 * fell at or below the floor. */
int dist_sample(const struct dist *d, gsl_rng *r, double *ms);

/* A deterministic estimate of the law's typical value for policies: the
 * mean of 4096 draws from a generator seeded with `seed`, or their median
 * for a stable law with alpha <= 1 (no finite mean untruncated). */
int dist_estimate(const struct dist *d, unsigned long seed, double *ms);

#endif
