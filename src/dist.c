#include "dist.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#define ESTIMATE_DRAWS 4096

static const char *const law_names[] = {"constant", "normal", "lognormal", "stable", NULL};

static const char *const law_descriptions[] = {
    "value_ms: the same delay every time",
    "mean_ms, sd_ms: Gaussian",
    "median_ms, sigma: exp of a Gaussian with mean ln(median_ms) and SD sigma",
    "alpha in (0,2], beta in [-1,1], scale_ms, loc_ms: Levy alpha-stable, Nolan S1 "
    "(loc + gsl_ran_levy_skew); infinite variance when alpha < 2",
};

const char *dist_name(enum dist_kind kind)
{
	return law_names[kind];
}

const char *dist_description(enum dist_kind kind)
{
	return law_descriptions[kind];
}

static int parse_params(const struct jin_at *at, struct dist *d, struct ts_error *err)
{
	int rc;

	switch (d->kind) {
	case DIST_CONSTANT:
		return jin_get_number(at, "value_ms", true, 0, 1e9, &d->u.constant.value_ms, err);
	case DIST_NORMAL:
		rc = jin_get_number(at, "mean_ms", true, -1e9, 1e9, &d->u.normal.mean_ms, err);
		if (rc == 0)
			rc = jin_get_number(at, "sd_ms", true, 0, 1e9, &d->u.normal.sd_ms, err);
		return rc;
	case DIST_LOGNORMAL:
		rc = jin_get_number(at, "median_ms", true, 1e-9, 1e9, &d->u.lognormal.median_ms,
				    err);
		if (rc == 0)
			rc = jin_get_number(at, "sigma", true, 0, 10, &d->u.lognormal.sigma, err);
		return rc;
	case DIST_STABLE:
		rc =
		    jin_get_number(at, "alpha", true, -INFINITY, INFINITY, &d->u.stable.alpha, err);
		if (rc == 0 && !(d->u.stable.alpha > 0 && d->u.stable.alpha <= 2)) {
			struct jin_at a;

			jin_member(at, "alpha", true, &a, err);
			return jin_fail(&a, TS_EINVALID, err, "alpha must be in (0, 2], got %.17g",
					d->u.stable.alpha);
		}
		if (rc == 0)
			rc = jin_get_number(at, "beta", true, -1, 1, &d->u.stable.beta, err);
		if (rc == 0)
			rc = jin_get_number(at, "scale_ms", true, 1e-12, 1e9, &d->u.stable.scale_ms,
					    err);
		if (rc == 0)
			rc =
			    jin_get_number(at, "loc_ms", true, -1e9, 1e9, &d->u.stable.loc_ms, err);
		return rc;
	case DIST_KIND_COUNT:
		break;
	}
	return TS_EINVALID;
}

int dist_parse(const struct jin_at *at, struct dist *out, struct ts_error *err)
{
	static const char *const keys[DIST_KIND_COUNT][9] = {
	    [DIST_CONSTANT] = {"law", "value_ms", "floor_ms", "cap_ms", NULL},
	    [DIST_NORMAL] = {"law", "mean_ms", "sd_ms", "floor_ms", "cap_ms", NULL},
	    [DIST_LOGNORMAL] = {"law", "median_ms", "sigma", "floor_ms", "cap_ms", NULL},
	    [DIST_STABLE] = {"law", "alpha", "beta", "scale_ms", "loc_ms", "floor_ms", "cap_ms",
			     NULL},
	};
	struct dist d = {0};
	struct jin_at v;
	int kind;
	int rc = jin_get_enum(at, "law", true, law_names, &kind, err);

	if (rc < 0)
		return rc;
	d.kind = (enum dist_kind)kind;
	rc = jin_keys(at, keys[d.kind], err);
	if (rc == 0)
		rc = parse_params(at, &d, err);
	if (rc == 0)
		rc = jin_member(at, "floor_ms", false, &v, err);
	if (rc == 0 && v.node != NULL) {
		d.has_floor = true;
		rc = jin_number(&v, -1e9, 1e9, &d.floor_ms, err);
	}
	if (rc == 0)
		rc = jin_member(at, "cap_ms", false, &v, err);
	if (rc == 0 && v.node != NULL) {
		d.has_cap = true;
		rc = jin_number(&v, -1e9, 1e9, &d.cap_ms, err);
		if (rc == 0 && d.has_floor && d.cap_ms <= d.floor_ms)
			return jin_fail(&v, TS_EINVALID, err,
					"cap_ms must be above floor_ms (%.17g), got %.17g",
					d.floor_ms, d.cap_ms);
	}
	if (rc == 0 && d.kind == DIST_CONSTANT && d.has_floor &&
	    d.u.constant.value_ms <= d.floor_ms)
		return jin_fail(at, TS_EINVALID, err,
				"value_ms (%.17g) must be above floor_ms (%.17g): every draw would "
				"be resampled",
				d.u.constant.value_ms, d.floor_ms);
	if (rc == 0)
		*out = d;
	return rc;
}

static double draw(const struct dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		return d->u.constant.value_ms;
	case DIST_NORMAL:
		return d->u.normal.mean_ms + gsl_ran_gaussian(r, d->u.normal.sd_ms);
	case DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, log(d->u.lognormal.median_ms), d->u.lognormal.sigma);
	case DIST_STABLE:
		return d->u.stable.loc_ms + gsl_ran_levy_skew(r, d->u.stable.scale_ms,
							      d->u.stable.alpha, d->u.stable.beta);
	case DIST_KIND_COUNT:
		break;
	}
	return NAN;
}

int dist_sample(const struct dist *d, gsl_rng *r, double *ms)
{
	for (int i = 0; i < DIST_MAX_TRIES; i++) {
		double x = draw(d, r);

		if (d->has_floor && !(x > d->floor_ms))
			continue;
		if (d->has_cap && x > d->cap_ms)
			x = d->cap_ms;
		*ms = x;
		return 0;
	}
	return TS_ERUNTIME;
}

int dist_estimate(const struct dist *d, unsigned long seed, double *ms)
{
	double *x = malloc(ESTIMATE_DRAWS * sizeof(*x));
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	/* With alpha <= 1 the mean is infinite or, truncated, dominated by
	 * the truncation points: the median is the typical value. */
	bool use_median = d->kind == DIST_STABLE && d->u.stable.alpha <= 1;
	int rc = 0;

	if (x == NULL || r == NULL) {
		rc = TS_ENOMEM;
		goto out;
	}
	gsl_rng_set(r, seed);
	for (int i = 0; i < ESTIMATE_DRAWS && rc == 0; i++)
		rc = dist_sample(d, r, &x[i]);
	if (rc < 0)
		goto out;
	if (use_median) {
		gsl_sort(x, 1, ESTIMATE_DRAWS);
		*ms = gsl_stats_median_from_sorted_data(x, 1, ESTIMATE_DRAWS);
	} else {
		*ms = gsl_stats_mean(x, 1, ESTIMATE_DRAWS);
	}
out:
	gsl_rng_free(r);
	free(x);
	return rc;
}
