#include "dist.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESTIMATE_DRAWS 4096
/* Bounds of every time parameter, in ms. */
#define MAX_MS	   1e9
#define MAX_PARAMS 5 /* 4 and the end */

/* A numeric parameter, stored at `offset` in struct dist, in [lo, hi] or,
 * when lo_open, in (lo, hi]. */
struct param {
	const char *key;
	size_t offset;
	double lo, hi;
	bool lo_open;
};

struct law {
	const char *description;
	struct param params[MAX_PARAMS]; /* a NULL key ends the list */
};

#define AT(kind, field) offsetof(struct dist, u.kind.field)

static const char *const law_names[] = {"constant",    "uniform",   "normal",  "lognormal",
					"exponential", "gamma",	    "weibull", "pareto",
					"stable",      "empirical", NULL};

static const struct law laws[DIST_KIND_COUNT] = {
    [DIST_CONSTANT] = {"value_ms in [0, 1e9]: the same delay every time",
		       {{"value_ms", AT(constant, value_ms), 0, MAX_MS, false}}},
    [DIST_UNIFORM] = {"min_ms, max_ms, 0 <= min_ms < max_ms: uniform on [min_ms, max_ms]",
		      {{"min_ms", AT(uniform, min_ms), 0, MAX_MS, false},
		       {"max_ms", AT(uniform, max_ms), 0, MAX_MS, false}}},
    [DIST_NORMAL] = {"mean_ms, sd_ms >= 0: Gaussian",
		     {{"mean_ms", AT(normal, mean_ms), -MAX_MS, MAX_MS, false},
		      {"sd_ms", AT(normal, sd_ms), 0, MAX_MS, false}}},
    [DIST_LOGNORMAL] = {"median_ms > 0, sigma in [0,10]: exp of a Gaussian with mean "
			"ln(median_ms) and SD sigma",
			{{"median_ms", AT(lognormal, median_ms), 0, MAX_MS, true},
			 {"sigma", AT(lognormal, sigma), 0, 10, false}}},
    [DIST_EXPONENTIAL] = {"mean_ms > 0: exponential",
			  {{"mean_ms", AT(exponential, mean_ms), 0, MAX_MS, true}}},
    [DIST_GAMMA] = {"shape > 0, scale_ms > 0: gamma (gsl_ran_gamma), mean shape * scale_ms",
		    {{"shape", AT(gamma, shape), 0, 1e6, true},
		     {"scale_ms", AT(gamma, scale_ms), 0, MAX_MS, true}}},
    [DIST_WEIBULL] = {"shape > 0, scale_ms > 0: Weibull, P(X > x) = exp(-(x/scale_ms)^shape)",
		      {{"shape", AT(weibull, shape), 0, 1e6, true},
		       {"scale_ms", AT(weibull, scale_ms), 0, MAX_MS, true}}},
    [DIST_PARETO] = {"shape > 0, scale_ms > 0: Pareto from scale_ms up, P(X > x) = "
		     "(scale_ms/x)^shape; no finite mean when shape <= 1",
		     {{"shape", AT(pareto, shape), 0, 1e6, true},
		      {"scale_ms", AT(pareto, scale_ms), 0, MAX_MS, true}}},
    [DIST_STABLE] = {"alpha in (0,2], beta in [-1,1], scale_ms > 0, loc_ms: Levy alpha-stable, "
		     "Nolan S1 (loc + gsl_ran_levy_skew); infinite variance when alpha < 2",
		     {{"alpha", AT(stable, alpha), 0, 2, true},
		      {"beta", AT(stable, beta), -1, 1, false},
		      {"scale_ms", AT(stable, scale_ms), 0, MAX_MS, true},
		      {"loc_ms", AT(stable, loc_ms), -MAX_MS, MAX_MS, false}}},
    [DIST_EMPIRICAL] = {"trace: a file of measured delays (one number of ms per line, or Linux "
			"ping output), resampled by interpolating its quantiles",
			{{NULL, 0, 0, 0, false}}},
};

static const struct dist_preset preset_5g_edge = {
    .name = "5g_edge",
    .source = "published 5G edge measurement: mean 13.405 ms, SD 16.065 ms, alpha 1.6878, "
	      "fitted as an S1 law with scale 5.4 ms and loc 12.35 ms so that mean ~13.4, "
	      "median ~11.1, p95 ~29.5 ms",
    .delay = {.kind = DIST_STABLE,
	      .u.stable = {1.6878, 1, 5.4, 12.35},
	      .has_floor = true,
	      .floor_ms = 0},
};

static const struct dist_preset preset_5g_edge_literal = {
    .name = "5g_edge_literal",
    .source = "the same published fit read literally in ms (scale 0.098 ms, loc 13.405 ms): "
	      "SD ~0.25 ms",
    .delay = {.kind = DIST_STABLE, .u.stable = {1.6878, 1, 0.098, 13.405}},
};

static const struct dist_preset preset_wan_cloud_device = {
    .name = "wan_cloud_device",
    .source = "cloud-device link of the cloud-edge-device allocation study: 42 ms, 2.9 MB/s",
    .delay = {.kind = DIST_CONSTANT, .u.constant = {42}},
    .bandwidth_Bps = 2.9e6,
};

static const struct dist_preset preset_lan_edge_device = {
    .name = "lan_edge_device",
    .source = "edge-device LAN of the same study: 0.239 ms, 10 MB/s",
    .delay = {.kind = DIST_CONSTANT, .u.constant = {0.239}},
    .bandwidth_Bps = 1e7,
};

const struct dist_preset *const dist_presets[] = {
    &preset_5g_edge,
    &preset_5g_edge_literal,
    &preset_wan_cloud_device,
    &preset_lan_edge_device,
    NULL,
};

const char *dist_name(enum dist_kind kind)
{
	return law_names[kind];
}

const char *dist_description(enum dist_kind kind)
{
	return laws[kind].description;
}

const struct dist_preset *dist_preset_find(const char *name)
{
	for (size_t i = 0; dist_presets[i] != NULL; i++)
		if (strcmp(dist_presets[i]->name, name) == 0)
			return dist_presets[i];
	return NULL;
}

int dist_preset_unknown(const char *name, struct ts_error *err)
{
	char list[512] = "";
	size_t used = 0;

	for (size_t i = 0; dist_presets[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i == 0 ? "" : ", ", dist_presets[i]->name);
	return ts_error_set(err, TS_EINVALID, "unknown preset \"%s\" (valid: %s)", name, list);
}

static double *field(struct dist *d, const struct param *p)
{
	return (double *)((char *)d + p->offset);
}

static double value(const struct dist *d, const struct param *p)
{
	return *(const double *)((const char *)d + p->offset);
}

static int parse_param(const struct jin_at *at, const struct param *p, double *out,
		       struct ts_error *err)
{
	struct jin_at v;
	int rc;

	if (!p->lo_open)
		return jin_get_number(at, p->key, true, p->lo, p->hi, out, err);
	rc = jin_member(at, p->key, true, &v, err);
	if (rc == 0)
		rc = jin_number(&v, -INFINITY, INFINITY, out, err);
	if (rc == 0 && !(*out > p->lo && *out <= p->hi))
		rc = jin_fail(&v, TS_EINVALID, err, "%s must be in (%.17g, %.17g], got %.17g",
			      p->key, p->lo, p->hi, *out);
	return rc;
}

static int load_trace(const struct jin_at *at, const char *dir, struct dist *d,
		      struct ts_error *err)
{
	struct jin_at v;
	const char *ref;
	char path[4096];
	int rc = jin_member(at, "trace", true, &v, err);

	if (rc == 0)
		rc = jin_string(&v, 1024, &ref, err);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s%s", ref[0] == '/' ? "" : dir, ref);
	d->u.empirical.trace = calloc(1, sizeof(*d->u.empirical.trace));
	if (d->u.empirical.trace == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	rc = trace_load(path, d->u.empirical.trace, err);
	if (rc < 0) {
		ts_error_prefix(err, "%s: %s: ", at->doc->file, v.path);
		dist_release(d);
	}
	return rc;
}

/* The largest value the law can draw, for the floor check; INFINITY when
 * unbounded.  *key names it in messages. */
static double support_max(const struct dist *d, const char **key)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		*key = "value_ms";
		return d->u.constant.value_ms;
	case DIST_UNIFORM:
		*key = "max_ms";
		return d->u.uniform.max_ms;
	case DIST_EMPIRICAL:
		*key = "the trace's largest value";
		return d->u.empirical.trace->sorted[d->u.empirical.trace->n - 1];
	default:
		*key = NULL;
		return INFINITY;
	}
}

int dist_parse(const struct jin_at *at, const char *dir, struct dist *out, struct ts_error *err)
{
	const char *keys[MAX_PARAMS + 5];
	const struct law *law;
	struct dist d = {0};
	struct jin_at v;
	const char *max_key;
	size_t n = 0;
	int kind;
	int rc = jin_get_enum(at, "law", true, law_names, &kind, err);

	if (rc < 0)
		return rc;
	d.kind = (enum dist_kind)kind;
	law = &laws[d.kind];
	keys[n++] = "law";
	for (const struct param *p = law->params; p->key != NULL; p++)
		keys[n++] = p->key;
	if (d.kind == DIST_EMPIRICAL)
		keys[n++] = "trace";
	keys[n++] = "floor_ms";
	keys[n++] = "cap_ms";
	keys[n] = NULL;
	rc = jin_keys(at, keys, err);
	for (const struct param *p = law->params; rc == 0 && p->key != NULL; p++)
		rc = parse_param(at, p, field(&d, p), err);
	if (rc == 0 && d.kind == DIST_UNIFORM && !(d.u.uniform.max_ms > d.u.uniform.min_ms)) {
		jin_member(at, "max_ms", true, &v, err);
		return jin_fail(&v, TS_EINVALID, err,
				"max_ms must be above min_ms (%.17g), got %.17g",
				d.u.uniform.min_ms, d.u.uniform.max_ms);
	}
	if (rc == 0)
		rc = jin_member(at, "floor_ms", false, &v, err);
	if (rc == 0 && v.node != NULL) {
		d.has_floor = true;
		rc = jin_number(&v, -MAX_MS, MAX_MS, &d.floor_ms, err);
	}
	if (rc == 0)
		rc = jin_member(at, "cap_ms", false, &v, err);
	if (rc == 0 && v.node != NULL) {
		d.has_cap = true;
		rc = jin_number(&v, -MAX_MS, MAX_MS, &d.cap_ms, err);
		if (rc == 0 && d.has_floor && d.cap_ms <= d.floor_ms)
			return jin_fail(&v, TS_EINVALID, err,
					"cap_ms must be above floor_ms (%.17g), got %.17g",
					d.floor_ms, d.cap_ms);
	}
	/* Loaded last, so that no earlier error has to free it. */
	if (rc == 0 && d.kind == DIST_EMPIRICAL)
		rc = load_trace(at, dir, &d, err);
	if (rc == 0 && d.has_floor && !(support_max(&d, &max_key) > d.floor_ms)) {
		rc = jin_fail(at, TS_EINVALID, err,
			      "%s (%.17g) must be above floor_ms (%.17g): every draw would be "
			      "resampled",
			      max_key, support_max(&d, &max_key), d.floor_ms);
		dist_release(&d);
	}
	if (rc == 0)
		*out = d;
	return rc;
}

void dist_release(struct dist *d)
{
	if (d->kind != DIST_EMPIRICAL || d->u.empirical.trace == NULL)
		return;
	trace_release(d->u.empirical.trace);
	free(d->u.empirical.trace);
	d->u.empirical.trace = NULL;
}

/* Appends printf-formatted text to buf[size] at *used, truncating. */
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < size ? *used + (size_t)n : size - 1;
}

static void append_number(char *buf, size_t size, size_t *used, const char *key, double x)
{
	char text[32];
	int prec = 15;

	/* The shortest of 15-17 digits that reads back as x. */
	do
		snprintf(text, sizeof(text), "%.*g", prec, x);
	while (strtod(text, NULL) != x && ++prec <= 17);
	append(buf, size, used, ", \"%s\": %s", key, text);
}

void dist_format(const struct dist *d, char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	append(buf, size, &used, "{\"law\": \"%s\"", law_names[d->kind]);
	for (const struct param *p = laws[d->kind].params; p->key != NULL; p++)
		append_number(buf, size, &used, p->key, value(d, p));
	if (d->kind == DIST_EMPIRICAL)
		append(buf, size, &used, ", \"trace\": \"%s\"", d->u.empirical.trace->path);
	if (d->has_floor)
		append_number(buf, size, &used, "floor_ms", d->floor_ms);
	if (d->has_cap)
		append_number(buf, size, &used, "cap_ms", d->cap_ms);
	append(buf, size, &used, "}");
}

static double draw(const struct dist *d, gsl_rng *r)
{
	const struct trace *t;

	switch (d->kind) {
	case DIST_CONSTANT:
		return d->u.constant.value_ms;
	case DIST_UNIFORM:
		return gsl_ran_flat(r, d->u.uniform.min_ms, d->u.uniform.max_ms);
	case DIST_NORMAL:
		return d->u.normal.mean_ms + gsl_ran_gaussian(r, d->u.normal.sd_ms);
	case DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, log(d->u.lognormal.median_ms), d->u.lognormal.sigma);
	case DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->u.exponential.mean_ms);
	case DIST_GAMMA:
		return gsl_ran_gamma(r, d->u.gamma.shape, d->u.gamma.scale_ms);
	case DIST_WEIBULL:
		return gsl_ran_weibull(r, d->u.weibull.scale_ms, d->u.weibull.shape);
	case DIST_PARETO:
		return gsl_ran_pareto(r, d->u.pareto.shape, d->u.pareto.scale_ms);
	case DIST_STABLE:
		return d->u.stable.loc_ms + gsl_ran_levy_skew(r, d->u.stable.scale_ms,
							      d->u.stable.alpha, d->u.stable.beta);
	case DIST_EMPIRICAL:
		/* Interpolating the inverse CDF draws between measured values
		 * too, but never outside [min, max]. */
		t = d->u.empirical.trace;
		return gsl_stats_quantile_from_sorted_data(t->sorted, 1, t->n, gsl_rng_uniform(r));
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
	/* Without a finite mean the mean of draws is dominated by the largest
	 * ones (or, truncated, by the truncation points): the median is the
	 * typical value. */
	bool use_median = (d->kind == DIST_STABLE && d->u.stable.alpha <= 1) ||
			  (d->kind == DIST_PARETO && d->u.pareto.shape <= 1);
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
