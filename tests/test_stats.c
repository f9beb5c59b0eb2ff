#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "stats.h"
#include "testutil.h"

#define MASTER_SEED 20240601u
#define MAX_VALUES  100000

/* The documented quantile bound: one log bin, (HI/LO)^(1/BINS) - 1 =
 * 1.0006% (the header's "about 1%"), plus 1e-9 for rounding. */
static double bin_rel_width(void)
{
	return pow(STATS_HI_MS / STATS_LO_MS, 1.0 / STATS_BINS) - 1 + 1e-9;
}

/* Writes n values into x; `r` is the data set's own stream. */
typedef void fill_fn(gsl_rng *r, double *x, size_t n);

static void fill_uniform(gsl_rng *r, double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = gsl_ran_flat(r, 0.5, 100);
}

static void fill_exponential(gsl_rng *r, double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = gsl_ran_exponential(r, 5);
}

static void fill_lognormal(gsl_rng *r, double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = gsl_ran_lognormal(r, 0, 2);
}

/* Nine decades, 0.01 ms to 10^7 ms. */
static void fill_log_uniform(gsl_rng *r, double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = pow(10, gsl_ran_flat(r, -2, 7));
}

static void fill_few(gsl_rng *r, double *x, size_t n)
{
	static const double v[] = {20, 0.5, 150, 3, 7};

	(void)r;
	for (size_t i = 0; i < n; i++)
		x[i] = v[i % 5];
}

/* Rows: a data set and the quantiles compared with the exact sample
 * quantile (GSL's, interpolated between order statistics).  The histogram
 * follows the inverse empirical CDF instead, so the two can also differ by
 * the gap between adjacent order statistics: the quantiles below are where
 * 10^5 draws are dense (gaps < 0.2%), so the bin width is what shows; at
 * q = 0.001 of the exponential the gap alone is about 1%. */
struct quantile_case {
	const char *name;
	fill_fn *fill;
	size_t n;
	double q[12];
	size_t nq;
};

#define DENSE_QS {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99}, 9

static const struct quantile_case quantile_cases[] = {
    {"uniform", fill_uniform, MAX_VALUES, DENSE_QS},
    {"exponential", fill_exponential, MAX_VALUES, DENSE_QS},
    {"lognormal heavy tail", fill_lognormal, MAX_VALUES, DENSE_QS},
    {"log uniform", fill_log_uniform, MAX_VALUES, DENSE_QS},
    /* With 5 values the histogram's quantile is a step through the order
     * statistics while GSL's interpolates between them; they agree at
     * q = k/(n-1), where GSL's is an order statistic. */
    {"few values", fill_few, 5, {0.25, 0.5, 0.75}, 3},
};

START_TEST(stats_quantile_matches_exact)
{
	const struct quantile_case *c = &quantile_cases[_i];
	double *x = malloc(c->n * sizeof(*x));
	gsl_rng *r = rng_stream_new(MASTER_SEED, c->name);
	struct stats_acc *a = stats_acc_new();
	double tol = bin_rel_width();

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(a);
	c->fill(r, x, c->n);
	for (size_t i = 0; i < c->n; i++)
		stats_acc_add(a, x[i], 0);
	ck_assert_uint_eq(stats_acc_count(a), c->n);
	/* Both are sums of the same values; 1e-9 relative allows for the
	 * running (Welford) update against a plain sum. */
	ck_assert_double_eq_tol(stats_acc_mean(a), gsl_stats_mean(x, 1, c->n),
				1e-9 * fabs(gsl_stats_mean(x, 1, c->n)));
	gsl_sort(x, 1, c->n);
	ck_assert_double_eq(stats_acc_quantile(a, 0), x[0]);
	ck_assert_double_eq(stats_acc_quantile(a, 1), x[c->n - 1]);
	for (size_t k = 0; k < c->nq; k++) {
		double want = gsl_stats_quantile_from_sorted_data(x, 1, c->n, c->q[k]);
		double got = stats_acc_quantile(a, c->q[k]);

		ck_assert_double_eq_tol(got, want, tol * want);
	}
	stats_acc_free(a);
	gsl_rng_free(r);
	free(x);
}
END_TEST

/* Values below STATS_LO_MS and at or above STATS_HI_MS are counted in the
 * first and last bins: quantiles that fall there stay inside those bins
 * (and inside [min, max]); the others keep the 1% bound; min, max and mean
 * stay exact. */
START_TEST(stats_quantile_out_of_range)
{
	const size_t n_low = 1000, n_high = 1000, n_mid = 8000, n = n_low + n_high + n_mid;
	double *x = malloc(n * sizeof(*x));
	gsl_rng *r = rng_stream_new(MASTER_SEED, "out of range");
	struct stats_acc *a = stats_acc_new();
	double tol = bin_rel_width();
	double first_bin_top = STATS_LO_MS * (1 + tol);
	double last_bin_bottom = STATS_HI_MS / (1 + tol);
	double want, got;
	size_t i = 0;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(a);
	for (; i < n_low; i++)
		x[i] = STATS_LO_MS * gsl_ran_flat(r, 1e-6, 0.5);
	x[i++] = 0; /* zero and negative values are below the range too */
	x[i++] = -2;
	for (; i < n_low + n_high; i++)
		x[i] = STATS_HI_MS * gsl_ran_flat(r, 1, 100);
	x[i++] = STATS_HI_MS; /* the upper edge is exclusive in GSL */
	for (; i < n; i++)
		x[i] = gsl_ran_lognormal(r, 3, 1);
	for (i = 0; i < n; i++)
		stats_acc_add(a, x[i], 0);
	ck_assert_uint_eq(stats_acc_count(a), n);
	ck_assert_double_eq_tol(stats_acc_mean(a), gsl_stats_mean(x, 1, n),
				1e-9 * fabs(gsl_stats_mean(x, 1, n)));
	gsl_sort(x, 1, n);
	ck_assert_double_eq(stats_acc_quantile(a, 0), -2);
	ck_assert_double_eq(stats_acc_quantile(a, 1), x[n - 1]);

	got = stats_acc_quantile(a, 0.05);
	ck_assert_msg(got >= x[0] && got <= first_bin_top, "q=0.05 gave %g", got);
	got = stats_acc_quantile(a, 0.95);
	ck_assert_msg(got >= last_bin_bottom && got <= x[n - 1], "q=0.95 gave %g", got);
	for (double q = 0.2; q < 0.85; q += 0.1) {
		want = gsl_stats_quantile_from_sorted_data(x, 1, n, q);
		got = stats_acc_quantile(a, q);
		ck_assert_double_eq_tol(got, want, tol * want);
	}
	stats_acc_free(a);
	gsl_rng_free(r);
	free(x);
}
END_TEST

/* Every value below the range: the first bin's interpolation is clamped to
 * the observed [min, max]. */
START_TEST(stats_quantile_all_below_range)
{
	struct stats_acc *a = stats_acc_new();

	ck_assert_ptr_nonnull(a);
	stats_acc_add(a, 0, 0);
	stats_acc_add(a, 0, 0);
	ck_assert_double_eq(stats_acc_quantile(a, 0.5), 0);
	stats_acc_add(a, STATS_LO_MS / 10, 0);
	ck_assert_double_le(stats_acc_quantile(a, 0.9), STATS_LO_MS / 10);
	ck_assert_double_ge(stats_acc_quantile(a, 0.9), 0);
	stats_acc_free(a);
}
END_TEST

/* The binned CDF's total can round to just below 1; a q above it is the
 * top of the data, not the bottom. */
START_TEST(stats_quantile_just_below_one)
{
	struct stats_acc *a = stats_acc_new();

	stats_acc_add(a, 1.0, 0);
	stats_acc_add(a, 2.0, 0);
	ck_assert_double_ge(stats_acc_quantile(a, nextafter(1.0, 0.0)), 1.99);
	stats_acc_free(a);
}
END_TEST

START_TEST(stats_empty)
{
	struct stats_acc *a = stats_acc_new();

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(stats_acc_count(a), 0);
	ck_assert_double_nan(stats_acc_mean(a));
	ck_assert_double_nan(stats_acc_miss_ratio(a));
	ck_assert_double_nan(stats_acc_quantile(a, 0));
	ck_assert_double_nan(stats_acc_quantile(a, 0.5));
	ck_assert_double_nan(stats_acc_quantile(a, 1));
	stats_acc_free(a);
	stats_acc_free(NULL);
}
END_TEST

START_TEST(stats_single_value)
{
	struct stats_acc *a = stats_acc_new();

	ck_assert_ptr_nonnull(a);
	stats_acc_add(a, 42.5, 1);
	ck_assert_uint_eq(stats_acc_count(a), 1);
	ck_assert_double_eq(stats_acc_mean(a), 42.5);
	ck_assert_double_eq(stats_acc_miss_ratio(a), 1);
	/* Clamping to [min, max] makes every quantile the value itself. */
	ck_assert_double_eq(stats_acc_quantile(a, 0), 42.5);
	ck_assert_double_eq(stats_acc_quantile(a, 0.5), 42.5);
	ck_assert_double_eq(stats_acc_quantile(a, 1), 42.5);
	stats_acc_free(a);
}
END_TEST

/* Rows: how many values are added and which of them missed. */
struct miss_case {
	const char *name;
	size_t n;
	size_t every; /* value i missed when i % every == 0; 0: none */
	double ratio;
};

static const struct miss_case miss_cases[] = {
    {"none", 10, 0, 0.0},
    {"all", 7, 1, 1.0},
    {"half", 10, 2, 0.5},
    {"a third", 9, 3, 1.0 / 3.0},
    {"one in a thousand", 100000, 1000, 0.001},
};

START_TEST(stats_miss_ratio)
{
	const struct miss_case *c = &miss_cases[_i];
	struct stats_acc *a = stats_acc_new();

	ck_assert_ptr_nonnull(a);
	for (size_t i = 0; i < c->n; i++)
		/* Any non-zero `missed` counts, not only 1. */
		stats_acc_add(a, 1.0 + (double)i, c->every != 0 && i % c->every == 0 ? 2 : 0);
	/* missed / n is one correctly rounded division. */
	ck_assert_double_eq_tol(stats_acc_miss_ratio(a), c->ratio, 1e-15);
	stats_acc_free(a);
}
END_TEST

/* Rows: a sample and its hand-computed mean and 95% half width
 * t(0.975, n-1) * sd / sqrt(n). */
struct ci_case {
	const char *name;
	double x[8];
	size_t n;
	double mean, half_width;
};

/* t(0.975, 4) and t(0.975, 1) = tan(0.475 pi), from published tables. */
#define T4 2.7764451051977987
#define T1 12.706204736174696

static const struct ci_case ci_cases[] = {
    {"one to five", {1, 2, 3, 4, 5}, 5, 3, T4 * 1.5811388300841898 / 2.2360679774997898},
    {"two values", {10, 12}, 2, 11, T1 * 1.4142135623730951 / 1.4142135623730951},
    {"constant", {2, 2, 2, 2, 2}, 5, 2, 0},
    {"negative", {-1, -2, -3, -4, -5}, 5, -3, T4 * 1.5811388300841898 / 2.2360679774997898},
};

START_TEST(stats_mean_ci95_values)
{
	const struct ci_case *c = &ci_cases[_i];
	double mean, hw;

	stats_mean_ci95(c->x, c->n, &mean, &hw);
	/* Sums of small integers are exact; GSL's t quantile is refined to about
	 * 1e-12 relative, so 1e-9 leaves room without hiding a wrong formula. */
	ck_assert_double_eq_tol(mean, c->mean, 1e-12);
	ck_assert_double_eq_tol(hw, c->half_width, 1e-9);
}
END_TEST

START_TEST(stats_mean_ci95_small)
{
	const double x[] = {7.5};
	double mean, hw;

	stats_mean_ci95(x, 1, &mean, &hw);
	ck_assert_double_eq(mean, 7.5);
	ck_assert_double_nan(hw);
	stats_mean_ci95(x, 0, &mean, &hw);
	ck_assert_double_nan(mean);
	ck_assert_double_nan(hw);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, stats_quantile_matches_exact, 0,
			    sizeof(quantile_cases) / sizeof(quantile_cases[0]));
	tcase_add_test(tc, stats_quantile_out_of_range);
	tcase_add_test(tc, stats_quantile_all_below_range);
	tcase_add_test(tc, stats_quantile_just_below_one);
	tcase_add_test(tc, stats_empty);
	tcase_add_test(tc, stats_single_value);
	tcase_add_loop_test(tc, stats_miss_ratio, 0, sizeof(miss_cases) / sizeof(miss_cases[0]));
	tcase_add_loop_test(tc, stats_mean_ci95_values, 0, sizeof(ci_cases) / sizeof(ci_cases[0]));
	tcase_add_test(tc, stats_mean_ci95_small);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(stats_suite());
}
