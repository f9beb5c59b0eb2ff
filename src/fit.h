/* Fitting delay laws to measured delays, in milliseconds (no I/O).
 *
 * Families and their parameters, named as the scenario's delay laws name
 * them (docs/scenario.md): stable {alpha, beta, scale_ms, loc_ms} in
 * Nolan's S1 parameterisation (what loc + gsl_ran_levy_skew samples),
 * normal {mean_ms, sd_ms}, lognormal {median_ms, sigma}, exponential
 * {mean_ms}, gamma {shape, scale_ms}, weibull {shape, scale_ms}.
 *
 * Stable laws are estimated with McCulloch's (1986) quantile method, the
 * others by maximum likelihood.  Each fitted law is scored by its
 * Kolmogorov-Smirnov distance to the data.
 */
#ifndef TIERSIM_FIT_H
#define TIERSIM_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

enum fit_family {
	FIT_STABLE,
	FIT_NORMAL,
	FIT_LOGNORMAL,
	FIT_EXPONENTIAL,
	FIT_GAMMA,
	FIT_WEIBULL,
	FIT_FAMILY_COUNT
};

#define FIT_MAX_PARAMS 4

/* Draws of the fitted stable law that stand in for its CDF (GSL has
 * none), from rng_stream_new(FIT_STABLE_REF_SEED, "fit/stable-reference"). */
#define FIT_STABLE_REF_DRAWS 100000
#define FIT_STABLE_REF_SEED  1

/* "stable", "normal", ... */
const char *fit_family_name(enum fit_family f);

/* Finds a family by name; false when there is none. */
bool fit_family_find(const char *name, enum fit_family *out);

size_t fit_param_count(enum fit_family f);
const char *fit_param_name(enum fit_family f, size_t i);

/* Whether the family's support reaches below 0 ms, so that a delay law
 * built from it needs a floor. */
bool fit_below_zero(enum fit_family f);

/* McCulloch's estimate with its intermediate values. */
struct fit_mcculloch {
	double q[5];		  /* sample quantiles at 5, 25, 50, 75, 95 % */
	double nu_alpha, nu_beta; /* as computed, before clamping to the tables */
	bool clamped;		  /* they lie where no stable law has them, so
				     alpha or beta was clamped to the nearest */
	double alpha, beta, scale_ms;
	double zeta_ms; /* McCulloch's location = Nolan's S0 location */
	double loc_ms;	/* S1 location */
};

/* McCulloch's quantile estimate from n >= 1 values in ascending order.
 * At alpha = 2 beta is reported as 0 (the law is Gaussian whatever beta
 * is).  TS_EINVALID (with a message) when the inter-quartile range is 0. */
int fit_mcculloch(const double *sorted, size_t n, struct fit_mcculloch *out, struct ts_error *err);

/* Estimates family f's parameters (fit_param_count of them, in
 * fit_param_name order) from n values in ascending order.  TS_EINVALID
 * when the data does not suit the family (values <= 0 for a family
 * on (0, inf), all values equal, ...); TS_ENOMEM; TS_ERUNTIME when a
 * root solver fails. */
int fit_estimate(enum fit_family f, const double *sorted, size_t n, double *param,
		 struct ts_error *err);

/* CDF of family f at x; not for FIT_STABLE (no closed form). */
double fit_family_cdf(enum fit_family f, const double *param, double x);

/* Kolmogorov's limiting distribution: P(sqrt(n) D > lambda). */
double fit_kolmogorov_q(double lambda);

/* How quantised data was spread before fitting. */
struct fit_dequant {
	bool applied;
	/* Every value is a multiple of step_ms (0: of no power of ten from
	 * 1e-6 to 1000 ms) and has at most sig_digits significant digits (0:
	 * more than FIT_MAX_SIG_DIGITS). */
	double step_ms;
	int sig_digits;
	double min_step_ms, max_step_ms; /* of the tied values that were spread */
	size_t n_tied;			 /* values equal to another value */
};

#define FIT_MAX_SIG_DIGITS 6

/* Detects values rounded to a step (a fixed power of ten, or a number of
 * significant digits as ping prints them) with at least 5 % tied; then
 * spreads each run of k equal values v with step q evenly over
 * (v - q/2, v + q/2): the j-th (j = 0..k-1) becomes
 * v + q ((j + 0.5) / k - 0.5) (over [0, q/2) for v = 0), and re-sorts.
 * `sorted` (ascending, n values) is changed in place. */
void fit_dequantise(double *sorted, size_t n, struct fit_dequant *out);

struct fit_law {
	enum fit_family family;
	double param[FIT_MAX_PARAMS];
	double ks_d; /* Kolmogorov-Smirnov distance to the data */
	double ks_p; /* asymptotic p-value, too large (Lilliefors) */
};

struct fit_skip {
	enum fit_family family;
	int status; /* TS_EINVALID: the data does not suit it; TS_ERUNTIME */
	struct ts_error why;
};

/* A fit of several families to one data set. */
struct fit {
	size_t n;
	double q[5]; /* quantiles at 5, 25, 50, 75, 95 % of the data as given */
	struct fit_dequant dq;
	struct fit_mcculloch stable;	      /* valid when the stable family was fitted */
	struct fit_law law[FIT_FAMILY_COUNT]; /* fitted laws, ascending ks_d */
	size_t n_laws;
	struct fit_skip skip[FIT_FAMILY_COUNT]; /* families that could not be fitted */
	size_t n_skips;
	double *sorted;	    /* owned: the data as fitted (dequantised), ascending */
	double *stable_ref; /* owned: FIT_STABLE_REF_DRAWS draws, ascending, or NULL */
};

/* Fits every family whose bit (1u << family) is set in `which` to
 * ms[0..n) (n >= 1, any order, not changed).  A family that cannot be
 * fitted goes to skip[] with the reason; when none is fitted, returns the
 * first one's status and message (TS_EINVALID when `which` names none).
 * TS_ENOMEM.  Release with fit_release, also after a failure.
 * O(n log n + FIT_STABLE_REF_DRAWS log FIT_STABLE_REF_DRAWS). */
int fit_run(struct fit *fit, const double *ms, size_t n, unsigned which, struct ts_error *err);

/* Safe on a zeroed or released fit. */
void fit_release(struct fit *fit);

/* CDF of fitted law i at x: the family's CDF, or for a stable law the
 * empirical CDF of its reference draws.  O(log FIT_STABLE_REF_DRAWS). */
double fit_cdf(const struct fit *fit, size_t i, double x);

#endif
