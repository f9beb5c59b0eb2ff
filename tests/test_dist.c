#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "jsonin.h"
#include "rng.h"
#include "status.h"
#include "testutil.h"

/* Draws per sampler test (STYLE: statistical tests use 10^5 draws). */
#define DRAWS	    100000
#define MASTER_SEED 20240601u

static const double probs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
#define NPROBS (sizeof(probs) / sizeof(probs[0]))

/* DRAWS samples of d from stream `name`, sorted; the caller frees. */
static double *draw_sorted(const struct dist *d, const char *name)
{
	double *x = malloc(DRAWS * sizeof(*x));
	gsl_rng *r = rng_stream_new(MASTER_SEED, name);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < DRAWS; i++)
		ck_assert_int_eq(dist_sample(d, r, &x[i]), 0);
	gsl_rng_free(r);
	gsl_sort(x, 1, DRAWS);
	return x;
}

static double quantile(const double *sorted, double p)
{
	return gsl_stats_quantile_from_sorted_data(sorted, 1, DRAWS, p);
}

/* Reference laws: the exact quantile function and density of each row. */

/* Share of the untruncated normal at or below the floor (0 without one). */
static double normal_floor_mass(const struct dist *d)
{
	if (!d->has_floor)
		return 0;
	return gsl_cdf_gaussian_P(d->floor_ms - d->u.normal.mean_ms, d->u.normal.sd_ms);
}

/* Q(p) = mean + sd * Pinv(F(floor) + p (1 - F(floor))): the law conditional
 * on being above the floor, which is what resampling produces. */
static double normal_q(const struct dist *d, double p)
{
	double f0 = normal_floor_mass(d);

	return d->u.normal.mean_ms + gsl_cdf_gaussian_Pinv(f0 + p * (1 - f0), d->u.normal.sd_ms);
}

static double normal_pdf(const struct dist *d, double x)
{
	return gsl_ran_gaussian_pdf(x - d->u.normal.mean_ms, d->u.normal.sd_ms) /
	       (1 - normal_floor_mass(d));
}

static double lognormal_q(const struct dist *d, double p)
{
	return gsl_cdf_lognormal_Pinv(p, log(d->u.lognormal.median_ms), d->u.lognormal.sigma);
}

static double lognormal_pdf(const struct dist *d, double x)
{
	return gsl_ran_lognormal_pdf(x, log(d->u.lognormal.median_ms), d->u.lognormal.sigma);
}

static double uniform_q(const struct dist *d, double p)
{
	return gsl_cdf_flat_Pinv(p, d->u.uniform.min_ms, d->u.uniform.max_ms);
}

static double uniform_pdf(const struct dist *d, double x)
{
	return gsl_ran_flat_pdf(x, d->u.uniform.min_ms, d->u.uniform.max_ms);
}

static double exponential_q(const struct dist *d, double p)
{
	return gsl_cdf_exponential_Pinv(p, d->u.exponential.mean_ms);
}

static double exponential_pdf(const struct dist *d, double x)
{
	return gsl_ran_exponential_pdf(x, d->u.exponential.mean_ms);
}

static double gamma_q(const struct dist *d, double p)
{
	return gsl_cdf_gamma_Pinv(p, d->u.gamma.shape, d->u.gamma.scale_ms);
}

static double gamma_pdf(const struct dist *d, double x)
{
	return gsl_ran_gamma_pdf(x, d->u.gamma.shape, d->u.gamma.scale_ms);
}

/* GSL's Weibull takes (a = scale, b = shape). */
static double weibull_q(const struct dist *d, double p)
{
	return gsl_cdf_weibull_Pinv(p, d->u.weibull.scale_ms, d->u.weibull.shape);
}

static double weibull_pdf(const struct dist *d, double x)
{
	return gsl_ran_weibull_pdf(x, d->u.weibull.scale_ms, d->u.weibull.shape);
}

/* GSL's Pareto takes (a = shape, b = scale). */
static double pareto_q(const struct dist *d, double p)
{
	return gsl_cdf_pareto_Pinv(p, d->u.pareto.shape, d->u.pareto.scale_ms);
}

static double pareto_pdf(const struct dist *d, double x)
{
	return gsl_ran_pareto_pdf(x, d->u.pareto.shape, d->u.pareto.scale_ms);
}

/* S1 with alpha = 2 is Gaussian with SD scale * sqrt(2), whatever beta. */
static double stable2_q(const struct dist *d, double p)
{
	return d->u.stable.loc_ms + gsl_cdf_gaussian_Pinv(p, d->u.stable.scale_ms * sqrt(2.0));
}

static double stable2_pdf(const struct dist *d, double x)
{
	return gsl_ran_gaussian_pdf(x - d->u.stable.loc_ms, d->u.stable.scale_ms * sqrt(2.0));
}

/* S1 with alpha = 1, beta = 0 is Cauchy with a = scale. */
static double cauchy_q(const struct dist *d, double p)
{
	return d->u.stable.loc_ms + gsl_cdf_cauchy_Pinv(p, d->u.stable.scale_ms);
}

static double cauchy_pdf(const struct dist *d, double x)
{
	return gsl_ran_cauchy_pdf(x - d->u.stable.loc_ms, d->u.stable.scale_ms);
}

struct law_case {
	const char *name;
	struct dist d;
	double (*q)(const struct dist *d, double p);
	double (*pdf)(const struct dist *d, double x);
};

static const struct law_case law_cases[] = {
    {"normal", {.kind = DIST_NORMAL, .u.normal = {20, 4}}, normal_q, normal_pdf},
    {"normal negative mean", {.kind = DIST_NORMAL, .u.normal = {-3, 0.5}}, normal_q, normal_pdf},
    {"lognormal", {.kind = DIST_LOGNORMAL, .u.lognormal = {10, 0.5}}, lognormal_q, lognormal_pdf},
    {"lognormal wide",
     {.kind = DIST_LOGNORMAL, .u.lognormal = {2, 1.5}},
     lognormal_q,
     lognormal_pdf},
    {"normal floor",
     {.kind = DIST_NORMAL, .u.normal = {10, 5}, .has_floor = true, .floor_ms = 5},
     normal_q,
     normal_pdf},
    {"normal floor above mean",
     {.kind = DIST_NORMAL, .u.normal = {10, 5}, .has_floor = true, .floor_ms = 14},
     normal_q,
     normal_pdf},
    {"stable alpha 2", {.kind = DIST_STABLE, .u.stable = {2, 0, 3, 7}}, stable2_q, stable2_pdf},
    {"stable alpha 2 beta 0.5",
     {.kind = DIST_STABLE, .u.stable = {2, 0.5, 3, 7}},
     stable2_q,
     stable2_pdf},
    {"stable cauchy", {.kind = DIST_STABLE, .u.stable = {1, 0, 2, 5}}, cauchy_q, cauchy_pdf},
    {"uniform", {.kind = DIST_UNIFORM, .u.uniform = {2, 10}}, uniform_q, uniform_pdf},
    {"uniform from 0", {.kind = DIST_UNIFORM, .u.uniform = {0, 0.5}}, uniform_q, uniform_pdf},
    {"exponential",
     {.kind = DIST_EXPONENTIAL, .u.exponential = {5}},
     exponential_q,
     exponential_pdf},
    {"gamma", {.kind = DIST_GAMMA, .u.gamma = {2.5, 4}}, gamma_q, gamma_pdf},
    {"gamma shape below 1", {.kind = DIST_GAMMA, .u.gamma = {0.5, 3}}, gamma_q, gamma_pdf},
    {"weibull", {.kind = DIST_WEIBULL, .u.weibull = {1.5, 10}}, weibull_q, weibull_pdf},
    {"weibull shape below 1",
     {.kind = DIST_WEIBULL, .u.weibull = {0.7, 5}},
     weibull_q,
     weibull_pdf},
    {"pareto", {.kind = DIST_PARETO, .u.pareto = {3, 2}}, pareto_q, pareto_pdf},
    {"pareto heavy", {.kind = DIST_PARETO, .u.pareto = {1.2, 5}}, pareto_q, pareto_pdf},
};

START_TEST(dist_sample_quantiles)
{
	const struct law_case *c = &law_cases[_i];
	double *x = draw_sorted(&c->d, c->name);

	if (c->d.has_floor)
		ck_assert_msg(x[0] > c->d.floor_ms, "%s: draw %.17g at or below floor %.17g",
			      c->name, x[0], c->d.floor_ms);
	for (size_t k = 0; k < NPROBS; k++) {
		double p = probs[k];
		double want = c->q(&c->d, p);
		/* 6 standard errors of a sample quantile, sqrt(p(1-p)/n) / f(Q(p)). */
		double tol = 6 * sqrt(p * (1 - p) / DRAWS) / c->pdf(&c->d, want);

		ck_assert_double_eq_tol(quantile(x, p), want, tol);
	}
	free(x);
}
END_TEST

START_TEST(dist_sample_constant)
{
	struct dist d = {.kind = DIST_CONSTANT, .u.constant = {12.5}};
	gsl_rng *r = rng_stream_new(MASTER_SEED, "constant");
	double ms;

	ck_assert_ptr_nonnull(r);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(dist_sample(&d, r, &ms), 0);
		ck_assert_double_eq(ms, 12.5);
	}
	/* A cap below the value turns every draw into the cap. */
	d.has_cap = true;
	d.cap_ms = 3;
	ck_assert_int_eq(dist_sample(&d, r, &ms), 0);
	ck_assert_double_eq(ms, 3);
	gsl_rng_free(r);
}
END_TEST

START_TEST(dist_sample_cap)
{
	struct dist d = {.kind = DIST_NORMAL, .u.normal = {10, 5}, .has_cap = true, .cap_ms = 15};
	double *x = draw_sorted(&d, "normal cap");
	double above = 1 - gsl_cdf_gaussian_P(d.cap_ms - 10, 5);
	size_t at_cap = 0;

	ck_assert_double_le(x[DRAWS - 1], d.cap_ms);
	for (size_t i = 0; i < DRAWS; i++)
		at_cap += x[i] == d.cap_ms;
	/* Binomial share 0.159: SE sqrt(p(1-p)/n) = 0.00116; 0.006 is 5 SE. */
	ck_assert_double_eq_tol((double)at_cap / DRAWS, above, 0.006);
	/* Below F(cap) the law is untouched; above it the quantile is the cap. */
	for (size_t k = 0; k < NPROBS; k++) {
		double p = probs[k];
		double want = normal_q(&d, p);

		if (want >= d.cap_ms) {
			ck_assert_double_eq(quantile(x, p), d.cap_ms);
			continue;
		}
		/* 6 standard errors of a sample quantile, as in dist_sample_quantiles. */
		ck_assert_double_eq_tol(quantile(x, p), want,
					6 * sqrt(p * (1 - p) / DRAWS) / normal_pdf(&d, want));
	}
	free(x);
}
END_TEST

/* The source tree with a final '/': relative trace paths start there. */
static const char *source_dir(void)
{
	static char dir[4096];

	tu_source_path(dir, sizeof(dir), "");
	return dir;
}

static int parse_text(const char *json, struct dist *out, struct ts_error *err)
{
	struct jin_doc doc = {0};
	struct jin_at root;
	int rc = jin_doc_parse(&doc, "test.json", json, strlen(json), err);

	ck_assert_msg(rc == 0, "test JSON does not parse: %s", err->msg);
	root = jin_root(&doc);
	rc = dist_parse(&root, source_dir(), out, err);
	jin_doc_release(&doc);
	return rc;
}

/* DESIGN section 5: the 5g_edge preset has median ~11.1 ms, p95 ~29.5 ms,
 * p99 ~54 ms.  Its variance is infinite, so no SD is tested. */
START_TEST(dist_sample_5g_edge)
{
	struct dist d;
	struct ts_error err = {{0}};
	double *x;

	ck_assert_int_eq(parse_text("{\"law\": \"stable\", \"alpha\": 1.6878, \"beta\": 1, "
				    "\"scale_ms\": 5.4, \"loc_ms\": 12.35, \"floor_ms\": 0}",
				    &d, &err),
			 0);
	x = draw_sorted(&d, "5g_edge");
	ck_assert_double_gt(x[0], 0);
	/* Sampling SDs at 10^5 draws (60 replications): median 0.027 ms, p95
	 * 0.14 ms, p99 0.76 ms; tolerances are >= 5 SD plus DESIGN's rounding. */
	ck_assert_double_eq_tol(quantile(x, 0.5), 11.1, 0.3);
	ck_assert_double_eq_tol(quantile(x, 0.95), 29.5, 1.0);
	ck_assert_double_eq_tol(quantile(x, 0.99), 54, 4.0);
	free(x);
}
END_TEST

/* The same figures from the preset, which must be exactly the law above. */
START_TEST(dist_sample_5g_edge_preset)
{
	const struct dist_preset *p = dist_preset_find("5g_edge");
	double *x;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->delay.kind, DIST_STABLE);
	ck_assert_double_eq(p->delay.u.stable.alpha, 1.6878);
	ck_assert_double_eq(p->delay.u.stable.beta, 1);
	ck_assert_double_eq(p->delay.u.stable.scale_ms, 5.4);
	ck_assert_double_eq(p->delay.u.stable.loc_ms, 12.35);
	ck_assert(p->delay.has_floor && !p->delay.has_cap);
	ck_assert_double_eq(p->delay.floor_ms, 0);
	x = draw_sorted(&p->delay, "5g_edge preset");
	ck_assert_double_gt(x[0], 0);
	/* Tolerances of dist_sample_5g_edge. */
	ck_assert_double_eq_tol(quantile(x, 0.5), 11.1, 0.3);
	ck_assert_double_eq_tol(quantile(x, 0.95), 29.5, 1.0);
	ck_assert_double_eq_tol(quantile(x, 0.99), 54, 4.0);
	free(x);
}
END_TEST

/* Rows: each preset and the law and bandwidth it must carry (as the JSON
 * a link would spell out). */
struct preset_case {
	const char *name;
	const char *law;
	double bandwidth_Bps;
};

static const struct preset_case preset_cases[] = {
    {"5g_edge",
     "{\"law\": \"stable\", \"alpha\": 1.6878, \"beta\": 1, \"scale_ms\": 5.4, "
     "\"loc_ms\": 12.35, \"floor_ms\": 0}",
     0},
    {"5g_edge_literal",
     "{\"law\": \"stable\", \"alpha\": 1.6878, \"beta\": 1, \"scale_ms\": 0.098, "
     "\"loc_ms\": 13.405}",
     0},
    {"wan_cloud_device", "{\"law\": \"constant\", \"value_ms\": 42}", 2.9e6},
    {"lan_edge_device", "{\"law\": \"constant\", \"value_ms\": 0.239}", 1e7},
};

START_TEST(dist_presets_stated_laws)
{
	const struct preset_case *c = &preset_cases[_i];
	const struct dist_preset *p = dist_preset_find(c->name);
	struct ts_error err = {{0}};
	struct dist d;
	char text[512];

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->name, c->name);
	ck_assert_uint_gt(strlen(p->source), 20);
	ck_assert_double_eq(p->bandwidth_Bps, c->bandwidth_Bps);
	/* The preset prints as the row's JSON, which parses back to a law
	 * that prints the same: every field is equal at round-trip
	 * precision. */
	dist_format(&p->delay, text, sizeof(text));
	ck_assert_str_eq(text, c->law);
	ck_assert_int_eq(parse_text(c->law, &d, &err), 0);
	ck_assert_int_eq(d.kind, p->delay.kind);
	dist_format(&d, text, sizeof(text));
	ck_assert_str_eq(text, c->law);
}
END_TEST

START_TEST(dist_presets_registry)
{
	struct ts_error err = {{0}};
	size_t n = 0;

	while (dist_presets[n] != NULL)
		n++;
	ck_assert_uint_eq(n, sizeof(preset_cases) / sizeof(preset_cases[0]));
	ck_assert_ptr_null(dist_preset_find("5G_edge"));
	ck_assert_int_eq(dist_preset_unknown("6g", &err), TS_EINVALID);
	ck_assert_str_eq(err.msg, "unknown preset \"6g\" (valid: 5g_edge, 5g_edge_literal, "
				  "wan_cloud_device, lan_edge_device)");
}
END_TEST

/* Rows: a trace in the source tree. */
static const char *const empirical_traces[] = {
    "traces/ping-MEC-cmWave.txt",
    "traces/ping-MEC-ORAN-upd.txt",
    "tests/data/traces/plain.txt",
};

/* The CDF of the law that interpolates the sorted trace's quantiles, at q
 * in [min, max]: the u with Q(u) = q, the largest one when repeated trace
 * values make Q flat there. */
static double interpolated_cdf(const struct trace *t, double q)
{
	size_t j = 0;

	while (j + 1 < t->n && t->sorted[j + 1] <= q)
		j++;
	if (j + 1 == t->n)
		return 1;
	return (j + (q - t->sorted[j]) / (t->sorted[j + 1] - t->sorted[j])) / (double)(t->n - 1);
}

/* Draws of the empirical law follow the trace's interpolated quantile
 * function Q: the share of draws at or below the trace's quantile Q(p) is
 * binomial with mean F(Q(p)) (p, or more where trace values repeat), so
 * the tolerance needs no density: 6 standard errors, sqrt(F(1-F)/n). */
START_TEST(dist_sample_empirical)
{
	struct ts_error err = {{0}};
	char json[256];
	struct dist d;
	const struct trace *t;
	double *x, *again;

	snprintf(json, sizeof(json), "{\"law\": \"empirical\", \"trace\": \"%s\"}",
		 empirical_traces[_i]);
	ck_assert_msg(parse_text(json, &d, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(d.kind, DIST_EMPIRICAL);
	t = d.u.empirical.trace;
	x = draw_sorted(&d, empirical_traces[_i]);
	ck_assert_double_ge(x[0], t->sorted[0]);
	ck_assert_double_le(x[DRAWS - 1], t->sorted[t->n - 1]);
	for (size_t k = 0; k < NPROBS; k++) {
		double q = gsl_stats_quantile_from_sorted_data(t->sorted, 1, t->n, probs[k]);
		double f = interpolated_cdf(t, q);
		size_t below = 0;

		while (below < DRAWS && x[below] <= q)
			below++;
		ck_assert_double_eq_tol((double)below / DRAWS, f, 6 * sqrt(f * (1 - f) / DRAWS));
	}
	/* The same stream gives the same draws. */
	again = draw_sorted(&d, empirical_traces[_i]);
	ck_assert_mem_eq(x, again, DRAWS * sizeof(*x));
	free(again);
	free(x);
	dist_release(&d);
	dist_release(&d);
}
END_TEST

START_TEST(dist_parse_valid)
{
	struct dist d;
	struct ts_error err = {{0}};

	ck_assert_int_eq(parse_text("{\"law\": \"stable\", \"alpha\": 1.6878, \"beta\": 1, "
				    "\"scale_ms\": 5.4, \"loc_ms\": 12.35, \"floor_ms\": 0}",
				    &d, &err),
			 0);
	ck_assert_int_eq(d.kind, DIST_STABLE);
	ck_assert_double_eq(d.u.stable.alpha, 1.6878);
	ck_assert_double_eq(d.u.stable.beta, 1);
	ck_assert_double_eq(d.u.stable.scale_ms, 5.4);
	ck_assert_double_eq(d.u.stable.loc_ms, 12.35);
	ck_assert(d.has_floor);
	ck_assert_double_eq(d.floor_ms, 0);
	ck_assert(!d.has_cap);

	ck_assert_int_eq(parse_text("{\"law\": \"normal\", \"mean_ms\": 3, \"sd_ms\": 1, "
				    "\"cap_ms\": 9}",
				    &d, &err),
			 0);
	ck_assert_int_eq(d.kind, DIST_NORMAL);
	ck_assert_double_eq(d.u.normal.mean_ms, 3);
	ck_assert_double_eq(d.u.normal.sd_ms, 1);
	ck_assert(!d.has_floor);
	ck_assert(d.has_cap);
	ck_assert_double_eq(d.cap_ms, 9);

	ck_assert_int_eq(
	    parse_text("{\"law\": \"lognormal\", \"median_ms\": 8, \"sigma\": 0.3}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_LOGNORMAL);
	ck_assert_double_eq(d.u.lognormal.median_ms, 8);
	ck_assert_double_eq(d.u.lognormal.sigma, 0.3);

	ck_assert_int_eq(
	    parse_text("{\"law\": \"constant\", \"value_ms\": 2, \"floor_ms\": 1}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_CONSTANT);
	ck_assert_double_eq(d.u.constant.value_ms, 2);

	ck_assert_int_eq(
	    parse_text("{\"law\": \"uniform\", \"min_ms\": 1, \"max_ms\": 4}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_UNIFORM);
	ck_assert_double_eq(d.u.uniform.min_ms, 1);
	ck_assert_double_eq(d.u.uniform.max_ms, 4);
	ck_assert_int_eq(parse_text("{\"law\": \"exponential\", \"mean_ms\": 3}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_EXPONENTIAL);
	ck_assert_double_eq(d.u.exponential.mean_ms, 3);
	ck_assert_int_eq(
	    parse_text("{\"law\": \"gamma\", \"shape\": 2, \"scale_ms\": 5}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_GAMMA);
	ck_assert_double_eq(d.u.gamma.shape, 2);
	ck_assert_double_eq(d.u.gamma.scale_ms, 5);
	ck_assert_int_eq(
	    parse_text("{\"law\": \"weibull\", \"shape\": 0.8, \"scale_ms\": 7}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_WEIBULL);
	ck_assert_double_eq(d.u.weibull.shape, 0.8);
	ck_assert_double_eq(d.u.weibull.scale_ms, 7);
	ck_assert_int_eq(
	    parse_text("{\"law\": \"pareto\", \"shape\": 1.1, \"scale_ms\": 9}", &d, &err), 0);
	ck_assert_int_eq(d.kind, DIST_PARETO);
	ck_assert_double_eq(d.u.pareto.shape, 1.1);
	ck_assert_double_eq(d.u.pareto.scale_ms, 9);

	/* A relative trace path starts at the given directory. */
	ck_assert_int_eq(parse_text("{\"law\": \"empirical\", \"trace\": "
				    "\"tests/data/traces/plain.txt\", \"floor_ms\": 0}",
				    &d, &err),
			 0);
	ck_assert_int_eq(d.kind, DIST_EMPIRICAL);
	ck_assert_uint_eq(d.u.empirical.trace->n, 5);
	ck_assert_str_eq(d.u.empirical.trace->path + strlen(source_dir()),
			 "tests/data/traces/plain.txt");
	ck_assert(d.has_floor);
	dist_release(&d);

	for (int k = 0; k < DIST_KIND_COUNT; k++) {
		ck_assert_ptr_nonnull(dist_name((enum dist_kind)k));
		ck_assert_ptr_nonnull(dist_description((enum dist_kind)k));
	}
	ck_assert_str_eq(dist_name(DIST_STABLE), "stable");
}
END_TEST

/* Rows: a law that must be rejected, and two substrings of the message
 * (the JSON path, then the rule). */
struct parse_error_case {
	const char *name;
	const char *json;
	const char *path;
	const char *text;
};

#define STABLE_REST "\"beta\": 0, \"scale_ms\": 1, \"loc_ms\": 0"

static const struct parse_error_case parse_error_cases[] = {
    {"alpha 0", "{\"law\": \"stable\", \"alpha\": 0, " STABLE_REST "}", "$.alpha",
     "alpha must be in (0, 2]"},
    {"alpha 2.5", "{\"law\": \"stable\", \"alpha\": 2.5, " STABLE_REST "}", "$.alpha",
     "alpha must be in (0, 2]"},
    {"alpha negative", "{\"law\": \"stable\", \"alpha\": -1, " STABLE_REST "}", "$.alpha",
     "alpha must be in (0, 2]"},
    {"beta 1.5",
     "{\"law\": \"stable\", \"alpha\": 1.5, \"beta\": 1.5, \"scale_ms\": 1, \"loc_ms\": 0}",
     "$.beta", "[-1, 1]"},
    {"scale 0",
     "{\"law\": \"stable\", \"alpha\": 1.5, \"beta\": 0, \"scale_ms\": 0, \"loc_ms\": 0}",
     "$.scale_ms", "got 0"},
    {"sd negative", "{\"law\": \"normal\", \"mean_ms\": 1, \"sd_ms\": -1}", "$.sd_ms", "got -1"},
    {"sigma too large", "{\"law\": \"lognormal\", \"median_ms\": 1, \"sigma\": 11}", "$.sigma",
     "got 11"},
    {"median 0", "{\"law\": \"lognormal\", \"median_ms\": 0, \"sigma\": 1}", "$.median_ms",
     "got 0"},
    {"unknown law", "{\"law\": \"gauss\", \"mean_ms\": 1}", "$.law",
     "\"constant\", \"uniform\", \"normal\", \"lognormal\", \"exponential\", \"gamma\", "
     "\"weibull\", \"pareto\", \"stable\", \"empirical\""},
    {"uniform max at min", "{\"law\": \"uniform\", \"min_ms\": 5, \"max_ms\": 5}", "$.max_ms",
     "max_ms must be above min_ms (5), got 5"},
    {"uniform max below min", "{\"law\": \"uniform\", \"min_ms\": 5, \"max_ms\": 1}", "$.max_ms",
     "max_ms must be above min_ms (5), got 1"},
    {"uniform min negative", "{\"law\": \"uniform\", \"min_ms\": -1, \"max_ms\": 1}", "$.min_ms",
     "got -1"},
    {"uniform missing max", "{\"law\": \"uniform\", \"min_ms\": 1}", "$",
     "missing required key \"max_ms\""},
    {"uniform floor at max",
     "{\"law\": \"uniform\", \"min_ms\": 1, \"max_ms\": 10, \"floor_ms\": 10}", "$",
     "max_ms (10) must be above floor_ms (10): every draw would be resampled"},
    {"exponential mean 0", "{\"law\": \"exponential\", \"mean_ms\": 0}", "$.mean_ms",
     "mean_ms must be in (0, 1000000000], got 0"},
    {"exponential mean negative", "{\"law\": \"exponential\", \"mean_ms\": -3}", "$.mean_ms",
     "mean_ms must be in (0, 1000000000], got -3"},
    {"exponential mean string", "{\"law\": \"exponential\", \"mean_ms\": \"3\"}", "$.mean_ms",
     "expected a number"},
    {"gamma shape 0", "{\"law\": \"gamma\", \"shape\": 0, \"scale_ms\": 1}", "$.shape",
     "shape must be in (0, 1000000], got 0"},
    {"gamma shape too large", "{\"law\": \"gamma\", \"shape\": 2e6, \"scale_ms\": 1}", "$.shape",
     "shape must be in (0, 1000000], got 2000000"},
    {"gamma scale negative", "{\"law\": \"gamma\", \"shape\": 2, \"scale_ms\": -2}", "$.scale_ms",
     "scale_ms must be in (0, 1000000000], got -2"},
    {"weibull shape negative", "{\"law\": \"weibull\", \"shape\": -1, \"scale_ms\": 1}", "$.shape",
     "shape must be in (0, 1000000], got -1"},
    {"weibull scale 0", "{\"law\": \"weibull\", \"shape\": 1, \"scale_ms\": 0}", "$.scale_ms",
     "scale_ms must be in (0, 1000000000], got 0"},
    {"weibull missing shape", "{\"law\": \"weibull\", \"scale_ms\": 1}", "$",
     "missing required key \"shape\""},
    {"pareto shape 0", "{\"law\": \"pareto\", \"shape\": 0, \"scale_ms\": 1}", "$.shape",
     "shape must be in (0, 1000000], got 0"},
    {"pareto scale 0", "{\"law\": \"pareto\", \"shape\": 2, \"scale_ms\": 0}", "$.scale_ms",
     "scale_ms must be in (0, 1000000000], got 0"},
    {"pareto stable keys",
     "{\"law\": \"pareto\", \"alpha\": 1.5, \"beta\": 1, \"scale_ms\": 5, \"loc_ms\": 12}", "$",
     "unknown key \"alpha\""},
    {"empirical trace missing", "{\"law\": \"empirical\"}", "$", "missing required key \"trace\""},
    {"empirical trace not a string", "{\"law\": \"empirical\", \"trace\": 3}", "$.trace",
     "expected a non-empty string"},
    {"empirical trace empty string", "{\"law\": \"empirical\", \"trace\": \"\"}", "$.trace",
     "expected a non-empty string"},
    {"empirical trace absent file",
     "{\"law\": \"empirical\", \"trace\": \"tests/data/traces/none.txt\"}", "$.trace",
     "tests/data/traces/none.txt: cannot open"},
    {"empirical trace malformed",
     "{\"law\": \"empirical\", \"trace\": \"tests/data/traces/broken/garbage.txt\"}", "$.trace",
     "tests/data/traces/broken/garbage.txt:3: expected one delay in ms per line"},
    {"empirical floor at max",
     "{\"law\": \"empirical\", \"trace\": \"tests/data/traces/plain.txt\", \"floor_ms\": 12.5}",
     "$", "the trace's largest value (12.5) must be above floor_ms (12.5)"},
    {"empirical extra key",
     "{\"law\": \"empirical\", \"trace\": \"tests/data/traces/plain.txt\", \"mean_ms\": 1}", "$",
     "unknown key \"mean_ms\" (expected one of: law, trace, floor_ms, cap_ms)"},
    {"law missing", "{\"mean_ms\": 1, \"sd_ms\": 1}", "$", "missing required key \"law\""},
    {"law not a string", "{\"law\": 3}", "$.law", "one of"},
    {"not an object", "[1, 2]", "$", "expected an object"},
    {"missing parameter", "{\"law\": \"normal\", \"mean_ms\": 1}", "$",
     "missing required key \"sd_ms\""},
    {"missing stable loc", "{\"law\": \"stable\", \"alpha\": 1.5, \"beta\": 0, \"scale_ms\": 1}",
     "$", "missing required key \"loc_ms\""},
    {"extra key", "{\"law\": \"constant\", \"value_ms\": 1, \"sd_ms\": 1}", "$",
     "unknown key \"sd_ms\""},
    {"cap equals floor",
     "{\"law\": \"normal\", \"mean_ms\": 1, \"sd_ms\": 1, \"floor_ms\": 2, \"cap_ms\": 2}",
     "$.cap_ms", "cap_ms must be above floor_ms"},
    {"cap below floor",
     "{\"law\": \"normal\", \"mean_ms\": 1, \"sd_ms\": 1, \"floor_ms\": 2, \"cap_ms\": 1}",
     "$.cap_ms", "cap_ms must be above floor_ms"},
    {"constant at floor", "{\"law\": \"constant\", \"value_ms\": 3, \"floor_ms\": 3}", "$",
     "must be above floor_ms"},
    {"constant below floor", "{\"law\": \"constant\", \"value_ms\": 2, \"floor_ms\": 3}", "$",
     "must be above floor_ms"},
    {"floor not a number",
     "{\"law\": \"normal\", \"mean_ms\": 1, \"sd_ms\": 1, \"floor_ms\": \"0\"}", "$.floor_ms",
     "expected a number"},
    {"unit mistake",
     "{\"law\": \"stable\", \"alpha\": 1.5, \"beta\": 0, \"scale_s\": 1, \"loc_ms\": 0}", "$",
     "wrong unit, this field is \"scale_ms\""},
};

START_TEST(dist_parse_errors)
{
	const struct parse_error_case *c = &parse_error_cases[_i];
	struct dist d = {.kind = DIST_CONSTANT, .u.constant = {-7}};
	struct ts_error err = {{0}};

	ck_assert_int_eq(parse_text(c->json, &d, &err), TS_EINVALID);
	ck_assert_msg(strstr(err.msg, c->path) != NULL, "%s: no path \"%s\" in: %s", c->name,
		      c->path, err.msg);
	ck_assert_msg(strstr(err.msg, c->text) != NULL, "%s: no \"%s\" in: %s", c->name, c->text,
		      err.msg);
	ck_assert_msg(strstr(err.msg, "test.json") != NULL, "%s: no file name in: %s", c->name,
		      err.msg);
	/* The output is written only on success. */
	ck_assert_int_eq(d.kind, DIST_CONSTANT);
	ck_assert_double_eq(d.u.constant.value_ms, -7);
}
END_TEST

START_TEST(dist_sample_floor_unreachable)
{
	struct dist d = {
	    .kind = DIST_NORMAL, .u.normal = {0, 1}, .has_floor = true, .floor_ms = 100};
	gsl_rng *r = rng_stream_new(MASTER_SEED, "unreachable");
	double ms = -1;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(dist_sample(&d, r, &ms), TS_ERUNTIME);
	ck_assert_double_eq(ms, -1);
	ck_assert_int_eq(dist_estimate(&d, 1, &ms), TS_ERUNTIME);
	gsl_rng_free(r);
}
END_TEST

START_TEST(dist_estimate_deterministic)
{
	struct dist d = {.kind = DIST_STABLE, .u.stable = {1.6878, 1, 5.4, 12.35}};
	double a, b, c;

	ck_assert_int_eq(dist_estimate(&d, 42, &a), 0);
	ck_assert_int_eq(dist_estimate(&d, 42, &b), 0);
	ck_assert_int_eq(dist_estimate(&d, 43, &c), 0);
	ck_assert_double_eq(a, b);
	ck_assert_double_ne(a, c);
}
END_TEST

START_TEST(dist_estimate_normal_mean)
{
	struct dist d = {.kind = DIST_NORMAL, .u.normal = {50, 10}};
	struct dist k = {.kind = DIST_CONSTANT, .u.constant = {4.25}};
	double ms;

	ck_assert_int_eq(dist_estimate(&d, 7, &ms), 0);
	/* Mean of 4096 draws: SE 10/64 = 0.16 ms; 1 ms is 6.4 SE. */
	ck_assert_double_eq_tol(ms, 50, 1.0);
	ck_assert_int_eq(dist_estimate(&k, 7, &ms), 0);
	ck_assert_double_eq(ms, 4.25);
}
END_TEST

/* Rows: stable laws with alpha <= 1 (no finite mean): the estimate is the
 * median of 4096 draws, finite and near the law's median. */
struct estimate_case {
	const char *name;
	struct dist d;
	double median, tol;
};

static const struct estimate_case estimate_cases[] = {
    /* Cauchy median = loc; SE 0.5/64 / f(loc) = 0.049 ms; tolerance 6 SE. */
    {"cauchy", {.kind = DIST_STABLE, .u.stable = {1, 0, 2, 10}}, 10, 0.3},
    /* Symmetric laws have median loc; f(loc) >= 0.1 for alpha 0.5, scale 1, so
     * the SE is <= 0.08 ms and 0.5 ms is > 6 SE. */
    {"alpha 0.5", {.kind = DIST_STABLE, .u.stable = {0.5, 0, 1, -4}}, -4, 0.5},
    {"alpha 0.5 floored",
     {.kind = DIST_STABLE, .u.stable = {0.5, 0, 1, -4}, .has_floor = true, .floor_ms = -1e6},
     -4,
     0.5},
    /* Capped above only: still no finite mean below, so the median. */
    {"cauchy capped",
     {.kind = DIST_STABLE, .u.stable = {1, 0, 1, 10}, .has_cap = true, .cap_ms = 100},
     10,
     0.3},
};

START_TEST(dist_estimate_heavy_tail)
{
	const struct estimate_case *c = &estimate_cases[_i];
	double ms;

	ck_assert_int_eq(dist_estimate(&c->d, 11, &ms), 0);
	ck_assert_msg(isfinite(ms), "%s: estimate %g", c->name, ms);
	ck_assert_double_eq_tol(ms, c->median, c->tol);
}
END_TEST

static Suite *dist_suite(void)
{
	Suite *s = suite_create("dist");
	TCase *tc = tcase_create("dist");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, dist_sample_quantiles, 0, sizeof(law_cases) / sizeof(law_cases[0]));
	tcase_add_test(tc, dist_sample_constant);
	tcase_add_test(tc, dist_sample_cap);
	tcase_add_test(tc, dist_sample_5g_edge);
	tcase_add_test(tc, dist_sample_5g_edge_preset);
	tcase_add_loop_test(tc, dist_presets_stated_laws, 0,
			    sizeof(preset_cases) / sizeof(preset_cases[0]));
	tcase_add_test(tc, dist_presets_registry);
	tcase_add_loop_test(tc, dist_sample_empirical, 0,
			    sizeof(empirical_traces) / sizeof(empirical_traces[0]));
	tcase_add_test(tc, dist_parse_valid);
	tcase_add_loop_test(tc, dist_parse_errors, 0,
			    sizeof(parse_error_cases) / sizeof(parse_error_cases[0]));
	tcase_add_test(tc, dist_sample_floor_unreachable);
	tcase_add_test(tc, dist_estimate_deterministic);
	tcase_add_test(tc, dist_estimate_normal_mean);
	tcase_add_loop_test(tc, dist_estimate_heavy_tail, 0,
			    sizeof(estimate_cases) / sizeof(estimate_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(dist_suite());
}
