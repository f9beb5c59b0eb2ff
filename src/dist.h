/* Network delay laws, in milliseconds, and named link presets.
 *
 * Laws: constant, uniform, normal, lognormal, exponential, gamma, Weibull,
 * Pareto, stable (Levy alpha-stable in Nolan's S1 parameterisation,
 * sampled as loc + gsl_ran_levy_skew(r, scale, alpha, beta)) and empirical
 * (a measured trace, resampled through its interpolated quantile
 * function).  Any law may be truncated: a draw at or below `floor_ms` is
 * resampled (at most DIST_MAX_TRIES times, then an error), a draw above
 * `cap_ms` becomes cap_ms.  Scenario syntax in docs/scenario.md.
 */
#ifndef TIERSIM_DIST_H
#define TIERSIM_DIST_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>

#include "jsonin.h"
#include "status.h"
#include "trace.h"

#define DIST_MAX_TRIES 1000

enum dist_kind {
	DIST_CONSTANT,
	DIST_UNIFORM,
	DIST_NORMAL,
	DIST_LOGNORMAL,
	DIST_EXPONENTIAL,
	DIST_GAMMA,
	DIST_WEIBULL,
	DIST_PARETO,
	DIST_STABLE,
	DIST_EMPIRICAL,
	DIST_KIND_COUNT
};

struct dist {
	enum dist_kind kind;
	union {
		struct {
			double value_ms;
		} constant;
		struct {
			double min_ms, max_ms;
		} uniform;
		struct {
			double mean_ms, sd_ms;
		} normal;
		struct {
			double median_ms, sigma; /* sigma: SD of ln(delay) */
		} lognormal;
		struct {
			double mean_ms;
		} exponential;
		struct {
			double shape, scale_ms; /* mean shape * scale_ms */
		} gamma;
		struct {
			double shape, scale_ms; /* P(X > x) = exp(-(x / scale_ms)^shape) */
		} weibull;
		struct {
			double shape, scale_ms; /* P(X > x) = (scale_ms / x)^shape, x >= scale_ms */
		} pareto;
		struct {
			double alpha, beta, scale_ms, loc_ms;
		} stable;
		struct {
			struct trace *trace; /* owned: dist_release */
		} empirical;
	} u;
	bool has_floor, has_cap;
	double floor_ms, cap_ms;
};

/* Name ("constant", ...) and a one-line description with its parameters. */
const char *dist_name(enum dist_kind kind);
const char *dist_description(enum dist_kind kind);

/* Reads a law from a JSON object such as
 * {"law": "stable", "alpha": 1.6878, "beta": 1, "scale_ms": 5.4,
 *  "loc_ms": 12.35, "floor_ms": 0}; errors name the path and the rule.  An
 * empirical law's relative "trace" path is taken relative to `dir` (a
 * directory prefix ending in '/', or "" for the working directory) and the
 * trace is loaded; *out then owns it.  Release *out with dist_release. */
int dist_parse(const struct jin_at *at, const char *dir, struct dist *out, struct ts_error *err);

/* Frees what the law owns (an empirical law's trace); safe on a zeroed or
 * released law and on a preset's copy. */
void dist_release(struct dist *d);

/* Writes the law as the JSON object that dist_parse reads (numbers in
 * their shortest round-trip form) into buf[size], truncated to fit. */
void dist_format(const struct dist *d, char *buf, size_t size);

/* One draw in ms.  Returns TS_ERUNTIME when DIST_MAX_TRIES draws in a row
 * fell at or below the floor. */
int dist_sample(const struct dist *d, gsl_rng *r, double *ms);

/* A deterministic estimate of the law's typical value for policies: the
 * mean of 4096 draws from a generator seeded with `seed`, or their median
 * for a law without a finite mean untruncated (stable with alpha <= 1,
 * Pareto with shape <= 1). */
int dist_estimate(const struct dist *d, unsigned long seed, double *ms);

/* A named link setting taken from a measurement: a delay law and, when the
 * source gives one, a bandwidth. */
struct dist_preset {
	const char *name;
	const char *source; /* one line: where the numbers come from */
	struct dist delay;
	double bandwidth_Bps; /* bytes/s; 0 when the preset has none */
};

/* The presets, NULL-terminated. */
extern const struct dist_preset *const dist_presets[];

/* The preset called `name`, or NULL. */
const struct dist_preset *dist_preset_find(const char *name);

/* Writes "unknown preset \"NAME\" (valid: a, b, ...)" into err and returns
 * TS_EINVALID. */
int dist_preset_unknown(const char *name, struct ts_error *err);

#endif
