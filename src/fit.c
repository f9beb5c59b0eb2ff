#include "fit.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* McCulloch, J. H. (1986), "Simple consistent estimators of stable
 * distribution parameters", Communications in Statistics - Simulation
 * and Computation 15(4), 1109-1136, Tables III, IV, V and VII, as
 * published (three decimals).  Table IV's entries above 1 are McCulloch's;
 * beta is clamped to 1 after interpolation. */
static const double nu_alpha_grid[15] = {2.439, 2.5, 2.6, 2.7, 2.8, 3.0, 3.2, 3.5,
					 4.0,	5.0, 6.0, 8.0, 10,  15,	 25};
static const double nu_beta_grid[7] = {0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0};

/* Table III: alpha = psi1(nu_alpha, nu_beta). */
static const double psi1_table[15][7] = {
    {2.000, 2.000, 2.000, 2.000, 2.000, 2.000, 2.000},
    {1.916, 1.924, 1.924, 1.924, 1.924, 1.924, 1.924},
    {1.808, 1.813, 1.829, 1.829, 1.829, 1.829, 1.829},
    {1.729, 1.730, 1.737, 1.745, 1.745, 1.745, 1.745},
    {1.664, 1.663, 1.663, 1.668, 1.676, 1.676, 1.676},
    {1.563, 1.560, 1.553, 1.548, 1.547, 1.547, 1.547},
    {1.484, 1.480, 1.471, 1.460, 1.448, 1.438, 1.438},
    {1.391, 1.386, 1.378, 1.364, 1.337, 1.318, 1.318},
    {1.279, 1.273, 1.266, 1.250, 1.210, 1.184, 1.150},
    {1.128, 1.121, 1.114, 1.101, 1.067, 1.027, 0.973},
    {1.029, 1.021, 1.014, 1.004, 0.974, 0.935, 0.874},
    {0.896, 0.892, 0.887, 0.883, 0.855, 0.823, 0.769},
    {0.818, 0.812, 0.806, 0.801, 0.780, 0.756, 0.691},
    {0.698, 0.695, 0.692, 0.689, 0.676, 0.656, 0.595},
    {0.593, 0.590, 0.588, 0.586, 0.579, 0.563, 0.513},
};

/* Table IV: beta = psi2(nu_alpha, nu_beta). */
static const double psi2_table[15][7] = {
    {0, 2.160, 1.000, 1.000, 1.000, 1.000, 1.000}, {0, 1.592, 3.390, 1.000, 1.000, 1.000, 1.000},
    {0, 0.759, 1.800, 1.000, 1.000, 1.000, 1.000}, {0, 0.482, 1.048, 1.694, 1.000, 1.000, 1.000},
    {0, 0.360, 0.760, 1.232, 2.229, 1.000, 1.000}, {0, 0.253, 0.518, 0.823, 1.575, 1.000, 1.000},
    {0, 0.203, 0.410, 0.632, 1.244, 1.906, 1.000}, {0, 0.165, 0.332, 0.499, 0.943, 1.560, 1.000},
    {0, 0.136, 0.271, 0.404, 0.689, 1.230, 2.195}, {0, 0.109, 0.216, 0.323, 0.539, 0.827, 1.917},
    {0, 0.096, 0.190, 0.284, 0.472, 0.693, 1.759}, {0, 0.082, 0.163, 0.243, 0.412, 0.601, 1.596},
    {0, 0.074, 0.147, 0.220, 0.377, 0.546, 1.482}, {0, 0.064, 0.128, 0.191, 0.330, 0.478, 1.362},
    {0, 0.056, 0.112, 0.167, 0.285, 0.428, 1.274},
};

static const double alpha_grid[16] = {2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3,
				      1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5};
static const double beta_grid[5] = {0, 0.25, 0.5, 0.75, 1.0};

/* Table V: nu_c = psi3(alpha, beta) = (x75 - x25) / c. */
static const double psi3_table[16][5] = {
    {1.908, 1.908, 1.908, 1.908, 1.908}, {1.914, 1.915, 1.916, 1.918, 1.921},
    {1.921, 1.922, 1.927, 1.936, 1.947}, {1.927, 1.930, 1.943, 1.961, 1.987},
    {1.933, 1.940, 1.962, 1.997, 2.043}, {1.939, 1.952, 1.988, 2.045, 2.116},
    {1.946, 1.967, 2.022, 2.106, 2.211}, {1.955, 1.984, 2.067, 2.188, 2.333},
    {1.965, 2.007, 2.125, 2.294, 2.491}, {1.980, 2.040, 2.205, 2.435, 2.696},
    {2.000, 2.085, 2.311, 2.624, 2.973}, {2.040, 2.149, 2.461, 2.886, 3.356},
    {2.098, 2.244, 2.676, 3.265, 3.912}, {2.189, 2.392, 3.004, 3.844, 4.775},
    {2.337, 2.635, 3.542, 4.808, 6.247}, {2.588, 3.073, 4.534, 6.636, 9.144},
};

/* Table VII: nu_zeta = psi5(alpha, beta) = (zeta - x50) / c for beta >= 0. */
static const double psi5_table[16][5] = {
    {0, 0.000, 0.000, 0.000, 0.000},	 {0, -0.017, -0.032, -0.049, -0.064},
    {0, -0.030, -0.061, -0.092, -0.123}, {0, -0.043, -0.088, -0.132, -0.179},
    {0, -0.056, -0.111, -0.170, -0.232}, {0, -0.066, -0.134, -0.206, -0.283},
    {0, -0.075, -0.154, -0.241, -0.335}, {0, -0.084, -0.173, -0.276, -0.390},
    {0, -0.090, -0.192, -0.310, -0.447}, {0, -0.095, -0.208, -0.346, -0.508},
    {0, -0.098, -0.223, -0.383, -0.576}, {0, -0.099, -0.237, -0.424, -0.652},
    {0, -0.096, -0.250, -0.469, -0.742}, {0, -0.089, -0.262, -0.520, -0.853},
    {0, -0.078, -0.272, -0.581, -0.997}, {0, -0.061, -0.279, -0.659, -1.198},
};

/* The cell of a monotone (either direction) grid that holds x, which lies
 * within the grid; *t is x's position in it, 0..1. */
static size_t grid_cell(const double *g, size_t n, double x, double *t)
{
	size_t i;

	for (i = 0; i + 2 < n; i++)
		if ((x - g[i]) * (x - g[i + 1]) <= 0)
			break;
	*t = (x - g[i]) / (g[i + 1] - g[i]);
	return i;
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Bilinear interpolation in a table of rows along g1 and columns along g2;
 * x and y are clamped to the grids. */
static double bilinear(const double *table, const double *g1, size_t n1, const double *g2,
		       size_t n2, double x, double y)
{
	double lo1 = fmin(g1[0], g1[n1 - 1]), hi1 = fmax(g1[0], g1[n1 - 1]);
	double s, t;
	size_t i = grid_cell(g1, n1, clamp(x, lo1, hi1), &s);
	size_t j = grid_cell(g2, n2, clamp(y, g2[0], g2[n2 - 1]), &t);
	const double *r0 = table + i * n2, *r1 = r0 + n2;

	return (1 - s) * ((1 - t) * r0[j] + t * r0[j + 1]) + s * ((1 - t) * r1[j] + t * r1[j + 1]);
}

int fit_mcculloch(const double *sorted, size_t n, struct fit_mcculloch *out, struct ts_error *err)
{
	static const double prob[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
	double *q = out->q, iqr, b, c, psi5;

	for (int i = 0; i < 5; i++)
		q[i] = gsl_stats_quantile_from_sorted_data(sorted, 1, n, prob[i]);
	iqr = q[3] - q[1];
	if (!(iqr > 0))
		return ts_error_set(err, TS_EINVALID,
				    "stable: the inter-quartile range is 0 (25 %% and 75 %% "
				    "quantiles both %g ms); McCulloch's method needs spread in "
				    "the middle half of the data",
				    q[1]);
	out->nu_alpha = (q[4] - q[0]) / iqr;
	out->nu_beta = (q[4] + q[0] - 2 * q[2]) / (q[4] - q[0]);
	out->alpha = clamp(bilinear(&psi1_table[0][0], nu_alpha_grid, 15, nu_beta_grid, 7,
				    out->nu_alpha, fabs(out->nu_beta)),
			   0.5, 2);
	b = bilinear(&psi2_table[0][0], nu_alpha_grid, 15, nu_beta_grid, 7, out->nu_alpha,
		     fabs(out->nu_beta));
	out->clamped =
	    out->nu_alpha < nu_alpha_grid[0] || out->nu_alpha > nu_alpha_grid[14] || b > 1;
	b = fmin(b, 1);
	/* At alpha = 2 the law is Gaussian whatever beta is: report 0 rather
	 * than the table's arbitrary value. */
	if (out->alpha == 2)
		b = 0;
	out->beta = out->nu_beta < 0 && b > 0 ? -b : b;
	c = iqr / bilinear(&psi3_table[0][0], alpha_grid, 16, beta_grid, 5, out->alpha, b);
	psi5 = bilinear(&psi5_table[0][0], alpha_grid, 16, beta_grid, 5, out->alpha, b);
	out->scale_ms = c;
	/* psi5 is odd in beta; the table holds beta >= 0. */
	out->zeta_ms = q[2] + c * (out->nu_beta < 0 ? -psi5 : psi5);
	/* S0 to S1 (Nolan): the S1 location moves by beta c tan(pi alpha / 2);
	 * at alpha = 1 McCulloch's zeta is taken as the location. */
	out->loc_ms = out->alpha == 1 ? out->zeta_ms
				      : out->zeta_ms - out->beta * c * tan(M_PI * out->alpha / 2);
	return 0;
}

static int estimate_stable(const double *sorted, size_t n, double *param, struct ts_error *err)
{
	struct fit_mcculloch m;
	int rc = fit_mcculloch(sorted, n, &m, err);

	if (rc < 0)
		return rc;
	param[0] = m.alpha;
	param[1] = m.beta;
	param[2] = m.scale_ms;
	param[3] = m.loc_ms;
	return 0;
}

static int all_equal(const char *family, const double *sorted, size_t n, struct ts_error *err)
{
	return ts_error_set(err, TS_EINVALID, "%s: all %zu delays are %g ms; nothing to fit",
			    family, n, sorted[0]);
}

static int estimate_normal(const double *sorted, size_t n, double *param, struct ts_error *err)
{
	double mean = gsl_stats_mean(sorted, 1, n);

	/* Maximum likelihood: the n (not n - 1) denominator. */
	param[0] = mean;
	param[1] = gsl_stats_sd_with_fixed_mean(sorted, 1, n, mean);
	if (!(param[1] > 0))
		return all_equal("normal", sorted, n, err);
	return 0;
}

/* Mean of ln x over n values > 0. */
static double mean_log(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += log(x[i]);
	return s / (double)n;
}

static int estimate_lognormal(const double *sorted, size_t n, double *param, struct ts_error *err)
{
	double m = mean_log(sorted, n), ss = 0;

	for (size_t i = 0; i < n; i++)
		ss += (log(sorted[i]) - m) * (log(sorted[i]) - m);
	param[0] = exp(m);
	param[1] = sqrt(ss / (double)n);
	if (!(param[1] > 0))
		return all_equal("lognormal", sorted, n, err);
	return 0;
}

static int estimate_exponential(const double *sorted, size_t n, double *param, struct ts_error *err)
{
	param[0] = gsl_stats_mean(sorted, 1, n);
	if (!(param[0] > 0))
		return all_equal("exponential", sorted, n, err);
	return 0;
}

/* Brent's method on f over [lo, hi], where f changes sign. */
static int solve(const char *family, double (*f)(double x, void *p), void *p, double lo, double hi,
		 double *root, struct ts_error *err)
{
	gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	gsl_function fn = {.function = f, .params = p};
	int status;

	if (s == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	status = gsl_root_fsolver_set(s, &fn, lo, hi);
	for (int iter = 0; status == GSL_SUCCESS && iter < 200; iter++) {
		status = gsl_root_fsolver_iterate(s);
		if (status != GSL_SUCCESS)
			break;
		status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
						gsl_root_fsolver_x_upper(s), 0, 1e-12);
		if (status == GSL_SUCCESS) {
			*root = gsl_root_fsolver_root(s);
			gsl_root_fsolver_free(s);
			return 0;
		}
		if (status == GSL_CONTINUE)
			status = GSL_SUCCESS;
	}
	gsl_root_fsolver_free(s);
	return ts_error_set(err, TS_ERUNTIME,
			    "%s: the maximum-likelihood shape did not converge: %s", family,
			    gsl_strerror(status == GSL_SUCCESS ? GSL_EMAXITER : status));
}

/* ln k - psi(k) - s: zero at the gamma shape's maximum-likelihood value. */
static double gamma_shape_eq(double k, void *p)
{
	return log(k) - gsl_sf_psi(k) - *(const double *)p;
}

static int estimate_gamma(const double *sorted, size_t n, double *param, struct ts_error *err)
{
	double mean = gsl_stats_mean(sorted, 1, n);
	double s = log(mean) - mean_log(sorted, n), k;
	int rc;

	if (!(s > 0))
		return all_equal("gamma", sorted, n, err);
	/* 1/(2k) < ln k - psi(k) < 1/k for k > 0, so the root lies in
	 * (1/(2s), 1/s); the bracket is widened to keep strict signs at its
	 * ends. */
	rc = solve("gamma", gamma_shape_eq, &s, 0.4 / s, 1.1 / s, &k, err);
	if (rc < 0)
		return rc;
	param[0] = k;
	param[1] = mean / k;
	return 0;
}

struct weibull_data {
	const double *ly; /* ln(x / max x), <= 0 */
	size_t n;
	double mean_ly;
};

/* The Weibull shape's likelihood equation
 * sum(y^k ln y) / sum(y^k) - 1/k - mean(ln y) = 0, increasing in k; y is
 * x / max x, which leaves the equation unchanged and keeps y^k <= 1. */
static double weibull_shape_eq(double k, void *p)
{
	const struct weibull_data *w = p;
	double a = 0, b = 0;

	for (size_t i = 0; i < w->n; i++) {
		double yk = exp(k * w->ly[i]);

		a += yk * w->ly[i];
		b += yk;
	}
	return a / b - 1 / k - w->mean_ly;
}

static int estimate_weibull(const double *sorted, size_t n, double *param, struct ts_error *err)
{
	double xmax = sorted[n - 1], lo = 1, hi = 1, b = 0, k;
	double *ly = malloc(n * sizeof(*ly));
	struct weibull_data w = {.ly = ly, .n = n};
	int rc;

	if (ly == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		ly[i] = log(sorted[i] / xmax);
	w.mean_ly = gsl_stats_mean(ly, 1, n);
	if (!(w.mean_ly < 0)) {
		free(ly);
		return all_equal("weibull", sorted, n, err);
	}
	while (weibull_shape_eq(lo, &w) >= 0 && lo > 1e-6)
		lo /= 2;
	while (weibull_shape_eq(hi, &w) <= 0 && hi < 1e6)
		hi *= 2;
	rc = solve("weibull", weibull_shape_eq, &w, lo, hi, &k, err);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			b += exp(k * ly[i]);
		param[0] = k;
		param[1] = xmax * pow(b / (double)n, 1 / k);
	}
	free(ly);
	return rc;
}

static double cdf_normal(const double *p, double x)
{
	return gsl_cdf_gaussian_P(x - p[0], p[1]);
}

static double cdf_lognormal(const double *p, double x)
{
	return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, log(p[0]), p[1]);
}

static double cdf_exponential(const double *p, double x)
{
	return x <= 0 ? 0 : gsl_cdf_exponential_P(x, p[0]);
}

static double cdf_gamma(const double *p, double x)
{
	return x <= 0 ? 0 : gsl_cdf_gamma_P(x, p[0], p[1]);
}

static double cdf_weibull(const double *p, double x)
{
	return x <= 0 ? 0 : gsl_cdf_weibull_P(x, p[1], p[0]);
}

enum domain { DOMAIN_REAL, DOMAIN_NONNEGATIVE, DOMAIN_POSITIVE };

struct family {
	const char *name;
	const char *param[FIT_MAX_PARAMS];
	size_t n_param;
	enum domain domain;
	int (*estimate)(const double *sorted, size_t n, double *param, struct ts_error *err);
	double (*cdf)(const double *param, double x); /* NULL: no closed form */
};

static const struct family families[FIT_FAMILY_COUNT] = {
    [FIT_STABLE] = {.name = "stable",
		    .param = {"alpha", "beta", "scale_ms", "loc_ms"},
		    .n_param = 4,
		    .domain = DOMAIN_REAL,
		    .estimate = estimate_stable},
    [FIT_NORMAL] = {.name = "normal",
		    .param = {"mean_ms", "sd_ms"},
		    .n_param = 2,
		    .domain = DOMAIN_REAL,
		    .estimate = estimate_normal,
		    .cdf = cdf_normal},
    [FIT_LOGNORMAL] = {.name = "lognormal",
		       .param = {"median_ms", "sigma"},
		       .n_param = 2,
		       .domain = DOMAIN_POSITIVE,
		       .estimate = estimate_lognormal,
		       .cdf = cdf_lognormal},
    [FIT_EXPONENTIAL] = {.name = "exponential",
			 .param = {"mean_ms"},
			 .n_param = 1,
			 .domain = DOMAIN_NONNEGATIVE,
			 .estimate = estimate_exponential,
			 .cdf = cdf_exponential},
    [FIT_GAMMA] = {.name = "gamma",
		   .param = {"shape", "scale_ms"},
		   .n_param = 2,
		   .domain = DOMAIN_POSITIVE,
		   .estimate = estimate_gamma,
		   .cdf = cdf_gamma},
    [FIT_WEIBULL] = {.name = "weibull",
		     .param = {"shape", "scale_ms"},
		     .n_param = 2,
		     .domain = DOMAIN_POSITIVE,
		     .estimate = estimate_weibull,
		     .cdf = cdf_weibull},
};

const char *fit_family_name(enum fit_family f)
{
	return families[f].name;
}

bool fit_family_find(const char *name, enum fit_family *out)
{
	for (int f = 0; f < FIT_FAMILY_COUNT; f++)
		if (strcmp(families[f].name, name) == 0) {
			*out = (enum fit_family)f;
			return true;
		}
	return false;
}

size_t fit_param_count(enum fit_family f)
{
	return families[f].n_param;
}

const char *fit_param_name(enum fit_family f, size_t i)
{
	return families[f].param[i];
}

bool fit_below_zero(enum fit_family f)
{
	return families[f].domain == DOMAIN_REAL;
}

static bool in_domain(enum domain d, double x)
{
	switch (d) {
	case DOMAIN_POSITIVE:
		return x > 0;
	case DOMAIN_NONNEGATIVE:
		return x >= 0;
	case DOMAIN_REAL:
		break;
	}
	return true;
}

int fit_estimate(enum fit_family f, const double *sorted, size_t n, double *param,
		 struct ts_error *err)
{
	const struct family *fam = &families[f];
	size_t bad = 0;

	for (size_t i = 0; i < n; i++)
		if (!in_domain(fam->domain, sorted[i]))
			bad++;
	if (bad > 0)
		return ts_error_set(err, TS_EINVALID,
				    "%s needs delays %s 0 ms; %zu of %zu are not (smallest %g ms)",
				    fam->name, fam->domain == DOMAIN_POSITIVE ? ">" : ">=", bad, n,
				    sorted[0]);
	return fam->estimate(sorted, n, param, err);
}

double fit_family_cdf(enum fit_family f, const double *param, double x)
{
	return families[f].cdf(param, x);
}

double fit_kolmogorov_q(double lambda)
{
	double s = 0;

	if (lambda <= 0)
		return 1;
	/* Two forms of the same series, each used where it converges fast. */
	if (lambda < 1.18) {
		double k = M_PI * M_PI / (8 * lambda * lambda);

		for (int j = 1; j <= 20; j++)
			s += exp(-(2 * j - 1) * (2 * j - 1) * k);
		return clamp(1 - sqrt(2 * M_PI) / lambda * s, 0, 1);
	}
	for (int j = 1; j <= 20; j++)
		s += (j % 2 == 1 ? 2 : -2) * exp(-2.0 * j * j * lambda * lambda);
	return clamp(s, 0, 1);
}

/* Whether x is a whole multiple of step, allowing for decimal fractions
 * that binary doubles hold inexactly. */
static bool multiple_of(double x, double step)
{
	double r = x / step;

	return fabs(r) < 1e9 && fabs(r - nearbyint(r)) <= 1e-6;
}

/* 10^e with 10^e <= |x| < 10^(e+1), for x != 0. */
static int decade(double x)
{
	int e = (int)floor(log10(fabs(x)));

	if (pow(10, e + 1) <= fabs(x))
		e++;
	return e;
}

/* Significant digits x needs, FIT_MAX_SIG_DIGITS + 1 for "more". */
static int sig_digits(double x)
{
	int s;

	if (x == 0)
		return 1;
	for (s = 1; s <= FIT_MAX_SIG_DIGITS; s++)
		if (multiple_of(x, pow(10, decade(x) - s + 1)))
			break;
	return s;
}

/* The rounding step of x: the coarser of the fixed step and the step of
 * its significant digits.  Both are powers of ten that x is a multiple of,
 * so x is a multiple of the larger. */
static double value_step(const struct fit_dequant *dq, double x)
{
	double step = dq->step_ms;

	if (dq->sig_digits > 0 && x != 0)
		step = fmax(step, pow(10, decade(x) - dq->sig_digits + 1));
	return step;
}

void fit_dequantise(double *sorted, size_t n, struct fit_dequant *out)
{
	memset(out, 0, sizeof(*out));
	for (int e = 3; e >= -6 && out->step_ms == 0; e--) {
		size_t i;

		for (i = 0; i < n && multiple_of(sorted[i], pow(10, e)); i++)
			;
		if (i == n)
			out->step_ms = pow(10, e);
	}
	for (size_t i = 0; i < n; i++) {
		int s = sig_digits(sorted[i]);

		if (s > out->sig_digits)
			out->sig_digits = s;
	}
	if (out->sig_digits > FIT_MAX_SIG_DIGITS)
		out->sig_digits = 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (sorted[i + 1] == sorted[i])
			out->n_tied += i == 0 || sorted[i - 1] != sorted[i] ? 2 : 1;
	/* A few ties are left alone: they do not distort the fits. */
	if ((out->step_ms == 0 && out->sig_digits == 0) || out->n_tied == 0 || out->n_tied * 20 < n)
		return;
	for (size_t i = 0; i < n;) {
		size_t k = 1;
		double v = sorted[i], q = value_step(out, v);

		while (i + k < n && sorted[i + k] == v)
			k++;
		if (k > 1 && q > 0) {
			if (!out->applied || q < out->min_step_ms)
				out->min_step_ms = q;
			if (!out->applied || q > out->max_step_ms)
				out->max_step_ms = q;
			out->applied = true;
			for (size_t j = 0; j < k; j++)
				/* Delays are not negative: a reading of 0
				 * stands for [0, q/2). */
				sorted[i + j] = v == 0
						    ? q / 2 * ((double)j + 0.5) / (double)k
						    : v + q * (((double)j + 0.5) / (double)k - 0.5);
		}
		i += k;
	}
	gsl_sort(sorted, 1, n);
}

/* sup |F_n - F| for a CDF in closed form. */
static double ks_one_sample(const struct fit_law *l, const double *sorted, size_t n)
{
	double d = 0;

	for (size_t i = 0; i < n; i++) {
		double f = fit_family_cdf(l->family, l->param, sorted[i]);

		d = fmax(d, fmax(f - (double)i / (double)n, (double)(i + 1) / (double)n - f));
	}
	return d;
}

/* sup |F_n - G_m| of two samples in ascending order. */
static double ks_two_sample(const double *a, size_t n, const double *b, size_t m)
{
	size_t i = 0, j = 0;
	double d = 0;

	while (i < n && j < m) {
		double x = fmin(a[i], b[j]);

		while (i < n && a[i] <= x)
			i++;
		while (j < m && b[j] <= x)
			j++;
		d = fmax(d, fabs((double)i / (double)n - (double)j / (double)m));
	}
	return d;
}

/* Asymptotic p-value with Stephens' (1970) small-sample correction. */
static double ks_p(double d, double n_eff)
{
	double sn = sqrt(n_eff);

	return fit_kolmogorov_q((sn + 0.12 + 0.11 / sn) * d);
}

static int stable_reference(struct fit *fit, const double *param, struct ts_error *err)
{
	gsl_rng *r = rng_stream_new(FIT_STABLE_REF_SEED, "fit/stable-reference");

	fit->stable_ref = malloc(FIT_STABLE_REF_DRAWS * sizeof(*fit->stable_ref));
	if (r == NULL || fit->stable_ref == NULL) {
		gsl_rng_free(r);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < FIT_STABLE_REF_DRAWS; i++)
		fit->stable_ref[i] = param[3] + gsl_ran_levy_skew(r, param[2], param[0], param[1]);
	gsl_rng_free(r);
	gsl_sort(fit->stable_ref, 1, FIT_STABLE_REF_DRAWS);
	return 0;
}

static int fit_family(struct fit *fit, enum fit_family f, struct ts_error *err)
{
	struct fit_law *l = &fit->law[fit->n_laws];
	const double *x = fit->sorted;
	size_t n = fit->n;
	int rc;

	l->family = f;
	if (f == FIT_STABLE) {
		rc = fit_mcculloch(x, n, &fit->stable, err);
		if (rc < 0)
			return rc;
		l->param[0] = fit->stable.alpha;
		l->param[1] = fit->stable.beta;
		l->param[2] = fit->stable.scale_ms;
		l->param[3] = fit->stable.loc_ms;
		rc = stable_reference(fit, l->param, err);
		if (rc < 0)
			return rc;
		l->ks_d = ks_two_sample(x, n, fit->stable_ref, FIT_STABLE_REF_DRAWS);
		l->ks_p = ks_p(l->ks_d, (double)n * FIT_STABLE_REF_DRAWS /
					    (double)(n + FIT_STABLE_REF_DRAWS));
	} else {
		rc = fit_estimate(f, x, n, l->param, err);
		if (rc < 0)
			return rc;
		l->ks_d = ks_one_sample(l, x, n);
		l->ks_p = ks_p(l->ks_d, (double)n);
	}
	fit->n_laws++;
	return 0;
}

int fit_run(struct fit *fit, const double *ms, size_t n, unsigned which, struct ts_error *err)
{
	static const double prob[5] = {0.05, 0.25, 0.50, 0.75, 0.95};

	memset(fit, 0, sizeof(*fit));
	fit->n = n;
	fit->sorted = malloc(n * sizeof(*fit->sorted));
	if (fit->sorted == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	memcpy(fit->sorted, ms, n * sizeof(*ms));
	gsl_sort(fit->sorted, 1, n);
	for (int i = 0; i < 5; i++)
		fit->q[i] = gsl_stats_quantile_from_sorted_data(fit->sorted, 1, n, prob[i]);
	fit_dequantise(fit->sorted, n, &fit->dq);
	for (int f = 0; f < FIT_FAMILY_COUNT; f++) {
		struct fit_skip *s = &fit->skip[fit->n_skips];
		struct ts_error ferr = {{0}};
		int rc;

		if ((which & (1u << f)) == 0)
			continue;
		rc = fit_family(fit, (enum fit_family)f, &ferr);
		if (rc == TS_ENOMEM)
			return ts_error_set(err, rc, "%s", ferr.msg);
		if (rc < 0) {
			s->family = (enum fit_family)f;
			s->status = rc;
			s->why = ferr;
			fit->n_skips++;
		}
	}
	if (fit->n_laws == 0 && fit->n_skips > 0)
		return ts_error_set(err, fit->skip[0].status, "%s", fit->skip[0].why.msg);
	if (fit->n_laws == 0)
		return ts_error_set(err, TS_EINVALID, "no family to fit");
	/* Insertion sort by distance: stable, so equal distances keep the
	 * family order and the output is reproducible. */
	for (size_t i = 1; i < fit->n_laws; i++)
		for (size_t j = i; j > 0 && fit->law[j].ks_d < fit->law[j - 1].ks_d; j--) {
			struct fit_law t = fit->law[j];

			fit->law[j] = fit->law[j - 1];
			fit->law[j - 1] = t;
		}
	return 0;
}

void fit_release(struct fit *fit)
{
	free(fit->sorted);
	free(fit->stable_ref);
	fit->sorted = NULL;
	fit->stable_ref = NULL;
}

double fit_cdf(const struct fit *fit, size_t i, double x)
{
	const struct fit_law *l = &fit->law[i];
	size_t lo = 0, hi = FIT_STABLE_REF_DRAWS;

	if (l->family != FIT_STABLE)
		return fit_family_cdf(l->family, l->param, x);
	/* The number of reference draws <= x, by bisection. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (fit->stable_ref[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (double)lo / FIT_STABLE_REF_DRAWS;
}
