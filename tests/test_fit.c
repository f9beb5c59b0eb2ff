/* Tests for the delay-law fits (fit.c) and `tiersim fit-delay`. */
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fit.h"
#include "rng.h"
#include "testutil.h"

#define N_DRAWS 10000

/* Tolerances, fixed before the first run. */
#define ALPHA_TOL      0.08 /* absolute */
#define SCALE_REL_TOL  0.05
#define ZETA_TOL_SCALE 0.15 /* |zeta error| / scale */
#define LOC_TOL_SCALE  1.0  /* |S1 loc error| / scale: tan(pi alpha / 2) amplifies */
#define BETA0_TOL      0.35 /* |beta| when the truth is 0 and alpha < 1.8 */
#define MLE_REL_TOL    0.05

static double *sorted_draws(const char *stream, double (*draw)(gsl_rng *r, const double *p),
			    const double *p)
{
	gsl_rng *r = rng_stream_new(2024, stream);
	double *x = malloc(N_DRAWS * sizeof(*x));

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(x);
	for (size_t i = 0; i < N_DRAWS; i++)
		x[i] = draw(r, p);
	gsl_rng_free(r);
	gsl_sort(x, 1, N_DRAWS);
	return x;
}

/* p: alpha, beta, scale, loc (S1). */
static double draw_stable(gsl_rng *r, const double *p)
{
	return p[3] + gsl_ran_levy_skew(r, p[2], p[0], p[1]);
}

static const double stable_cases[][4] = {
    {1.2, 0, 5.4, 12.35},    {1.2, 1, 5.4, 12.35}, {1.6878, 0, 5.4, 12.35},
    {1.6878, 1, 5.4, 12.35}, {1.9, 0, 5.4, 12.35}, {1.9, 1, 5.4, 12.35},
};

START_TEST(fit_mcculloch_recovers)
{
	const double *p = stable_cases[_i];
	char stream[64];
	double *x, zeta;
	struct fit_mcculloch m;
	struct ts_error err = {{0}};

	snprintf(stream, sizeof(stream), "test/stable/%d", _i);
	x = sorted_draws(stream, draw_stable, p);
	ck_assert_int_eq(fit_mcculloch(x, N_DRAWS, &m, &err), 0);
	/* The S0 location of the true law. */
	zeta = p[3] + p[1] * p[2] * tan(M_PI * p[0] / 2);
	fprintf(stderr,
		"alpha %.4g beta %g: alpha %.4f (err %+.4f) beta %.3f scale err %+.2f%% "
		"zeta err %+.3f scale, loc err %+.3f scale\n",
		p[0], p[1], m.alpha, m.alpha - p[0], m.beta, 100 * (m.scale_ms / p[2] - 1),
		(m.zeta_ms - zeta) / p[2], (m.loc_ms - p[3]) / p[2]);
	ck_assert_double_eq_tol(m.alpha, p[0], ALPHA_TOL);
	ck_assert_double_eq_tol(m.scale_ms / p[2], 1, SCALE_REL_TOL);
	ck_assert_double_eq_tol(m.zeta_ms, zeta, ZETA_TOL_SCALE * p[2]);
	ck_assert_double_eq_tol(m.loc_ms, p[3], LOC_TOL_SCALE * p[2]);
	/* Near alpha = 2 beta hardly changes the law, so the quantiles barely
	 * tell it: |beta| is checked below 1.8 only. */
	if (p[1] == 0 && p[0] < 1.8)
		ck_assert_double_le(fabs(m.beta), BETA0_TOL);
	else if (p[1] == 1)
		ck_assert_double_gt(m.beta, 0.5);
	free(x);
}
END_TEST

static double draw_normal(gsl_rng *r, const double *p)
{
	return p[0] + gsl_ran_gaussian(r, p[1]);
}

static double draw_lognormal(gsl_rng *r, const double *p)
{
	return gsl_ran_lognormal(r, log(p[0]), p[1]);
}

static double draw_exponential(gsl_rng *r, const double *p)
{
	return gsl_ran_exponential(r, p[0]);
}

static double draw_gamma(gsl_rng *r, const double *p)
{
	return gsl_ran_gamma(r, p[0], p[1]);
}

static double draw_weibull(gsl_rng *r, const double *p)
{
	return gsl_ran_weibull(r, p[1], p[0]);
}

static const struct {
	enum fit_family family;
	double (*draw)(gsl_rng *r, const double *p);
	double param[2];
} mle_cases[] = {
    {FIT_NORMAL, draw_normal, {14.4, 1.9}},	 {FIT_LOGNORMAL, draw_lognormal, {28, 0.67}},
    {FIT_EXPONENTIAL, draw_exponential, {40.7}}, {FIT_GAMMA, draw_gamma, {2.5, 6}},
    {FIT_GAMMA, draw_gamma, {0.6, 20}},		 {FIT_WEIBULL, draw_weibull, {7.5, 15.2}},
    {FIT_WEIBULL, draw_weibull, {0.8, 30}},
};

START_TEST(fit_mle_recovers)
{
	enum fit_family f = mle_cases[_i].family;
	char stream[64];
	double got[FIT_MAX_PARAMS], *x;
	struct ts_error err = {{0}};

	snprintf(stream, sizeof(stream), "test/mle/%d", _i);
	x = sorted_draws(stream, mle_cases[_i].draw, mle_cases[_i].param);
	ck_assert_msg(fit_estimate(f, x, N_DRAWS, got, &err) == 0, "%s", err.msg);
	for (size_t k = 0; k < fit_param_count(f); k++) {
		double want = mle_cases[_i].param[k];

		fprintf(stderr, "%s %s: %g for %g (%+.2f%%)\n", fit_family_name(f),
			fit_param_name(f, k), got[k], want, 100 * (got[k] / want - 1));
		ck_assert_double_eq_tol(got[k] / want, 1, MLE_REL_TOL);
	}
	free(x);
}
END_TEST

START_TEST(fit_zero_iqr_invalid)
{
	const double x[] = {1, 2, 5, 5, 5, 5, 5, 5, 5, 9};
	struct fit_mcculloch m;
	struct ts_error err = {{0}};

	ck_assert_int_eq(fit_mcculloch(x, 10, &m, &err), TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "inter-quartile range is 0"));
}
END_TEST

START_TEST(fit_all_equal_invalid)
{
	/* More digits than a rounded reading has, so no ties are spread. */
	const double x[] = {5.123456789, 5.123456789, 5.123456789, 5.123456789};
	struct fit fit;
	struct ts_error err = {{0}};

	for (int f = FIT_NORMAL; f < FIT_FAMILY_COUNT; f++) {
		if (f == FIT_EXPONENTIAL)
			continue;
		ck_assert_int_eq(fit_run(&fit, x, 4, 1u << f, &err), TS_EINVALID);
		ck_assert_msg(strstr(err.msg, "all 4 delays are 5.12346 ms") != NULL, "%s",
			      err.msg);
		fit_release(&fit);
	}
	ck_assert_int_eq(fit_run(&fit, x, 4, (1u << FIT_FAMILY_COUNT) - 1, &err), 0);
	ck_assert_uint_eq(fit.n_laws, 1);
	ck_assert_int_eq(fit.law[0].family, FIT_EXPONENTIAL);
	ck_assert_uint_eq(fit.n_skips, FIT_FAMILY_COUNT - 1);
	fit_release(&fit);
	fit_release(&fit);
}
END_TEST

START_TEST(fit_positive_families_skipped)
{
	double p[2] = {0.5, 1}, *x = sorted_draws("test/around-zero", draw_normal, p);
	struct fit fit;
	struct ts_error err = {{0}};
	unsigned fitted = 0, skipped = 0;

	ck_assert_int_eq(fit_run(&fit, x, N_DRAWS, (1u << FIT_FAMILY_COUNT) - 1, &err), 0);
	for (size_t i = 0; i < fit.n_laws; i++)
		fitted |= 1u << fit.law[i].family;
	for (size_t i = 0; i < fit.n_skips; i++) {
		skipped |= 1u << fit.skip[i].family;
		ck_assert_ptr_nonnull(strstr(fit.skip[i].why.msg, "needs delays"));
	}
	ck_assert_uint_eq(fitted, (1u << FIT_STABLE) | (1u << FIT_NORMAL));
	ck_assert_uint_eq(skipped, (1u << FIT_LOGNORMAL) | (1u << FIT_EXPONENTIAL) |
				       (1u << FIT_GAMMA) | (1u << FIT_WEIBULL));
	for (size_t i = 1; i < fit.n_laws; i++)
		ck_assert_double_le(fit.law[i - 1].ks_d, fit.law[i].ks_d);
	fit_release(&fit);
	free(x);
}
END_TEST

START_TEST(fit_dequantise_spreads_ties)
{
	double x[] = {0, 0, 1, 1, 2, 2, 2, 3};
	const double want[] = {0.125, 0.375, 0.75, 1.25, 2 - 1.0 / 3, 2, 2 + 1.0 / 3, 3};
	struct fit_dequant dq;

	fit_dequantise(x, 8, &dq);
	ck_assert(dq.applied);
	ck_assert_double_eq(dq.step_ms, 1);
	ck_assert_uint_eq(dq.n_tied, 7);
	for (int i = 0; i < 8; i++)
		ck_assert_double_eq_tol(x[i], want[i], 1e-12);
}
END_TEST

START_TEST(fit_dequantise_significant_digits)
{
	/* As ping prints: 3 significant digits, so steps 0.01, 0.1 and 1 ms. */
	double x[] = {9.33, 9.33, 14.4, 14.4, 226, 226};
	struct fit_dequant dq;

	fit_dequantise(x, 6, &dq);
	ck_assert(dq.applied);
	ck_assert_int_eq(dq.sig_digits, 3);
	ck_assert_double_eq_tol(dq.step_ms, 0.01, 1e-15);
	ck_assert_double_eq_tol(dq.min_step_ms, 0.01, 1e-15);
	ck_assert_double_eq_tol(dq.max_step_ms, 1, 1e-15);
	ck_assert_double_eq_tol(x[0], 9.3275, 1e-12);
	ck_assert_double_eq_tol(x[3], 14.425, 1e-12);
	ck_assert_double_eq_tol(x[5], 226.25, 1e-12);
}
END_TEST

START_TEST(fit_dequantise_leaves_fine_data)
{
	double p[2] = {14, 2}, *x = sorted_draws("test/fine", draw_normal, p), x0 = x[17];
	struct fit_dequant dq;

	fit_dequantise(x, N_DRAWS, &dq);
	ck_assert(!dq.applied);
	ck_assert_uint_eq(dq.n_tied, 0);
	ck_assert_double_eq(x[17], x0);
	free(x);
}
END_TEST

START_TEST(fit_quantised_integer_ms)
{
	double p[2] = {3, 2}, *x = sorted_draws("test/integer", draw_gamma, p);
	struct fit fit;
	struct ts_error err = {{0}};

	for (size_t i = 0; i < N_DRAWS; i++)
		x[i] = round(x[i]);
	ck_assert_int_eq(fit_run(&fit, x, N_DRAWS, (1u << FIT_FAMILY_COUNT) - 1, &err), 0);
	ck_assert(fit.dq.applied);
	ck_assert_double_eq(fit.dq.step_ms, 1);
	ck_assert_uint_eq(fit.n_laws, FIT_FAMILY_COUNT);
	for (size_t i = 0; i < fit.n_laws; i++)
		ck_assert(isfinite(fit.law[i].ks_d) && fit.law[i].ks_d < 1);
	/* Spread values stay within half a step of a reading, and none tie. */
	for (size_t i = 0; i < N_DRAWS; i++) {
		ck_assert_double_le(fabs(fit.sorted[i] - round(fit.sorted[i])), 0.5);
		if (i > 0)
			ck_assert_double_lt(fit.sorted[i - 1], fit.sorted[i]);
	}
	ck_assert_int_eq(fit.law[0].family, FIT_GAMMA);
	fit_release(&fit);
	free(x);
}
END_TEST

START_TEST(fit_kolmogorov_q_values)
{
	/* Critical values of Kolmogorov's distribution (Smirnov 1948). */
	ck_assert_double_eq_tol(fit_kolmogorov_q(1.3581), 0.05, 1e-4);
	ck_assert_double_eq_tol(fit_kolmogorov_q(1.6276), 0.01, 1e-4);
	ck_assert_double_eq_tol(fit_kolmogorov_q(1.2238), 0.10, 1e-4);
	ck_assert_double_eq_tol(fit_kolmogorov_q(0.5), 0.9639, 1e-4);
	ck_assert_double_eq(fit_kolmogorov_q(0), 1);
	/* The two series meet where the code switches between them. */
	ck_assert_double_eq_tol(fit_kolmogorov_q(nextafter(1.18, 0)), fit_kolmogorov_q(1.18),
				1e-12);
}
END_TEST

START_TEST(fit_family_names)
{
	static const char *const want[FIT_FAMILY_COUNT] = {
	    "stable alpha beta scale_ms loc_ms",
	    "normal mean_ms sd_ms",
	    "lognormal median_ms sigma",
	    "exponential mean_ms",
	    "gamma shape scale_ms",
	    "weibull shape scale_ms",
	};
	enum fit_family found;

	for (int f = 0; f < FIT_FAMILY_COUNT; f++) {
		char got[128];
		int n = snprintf(got, sizeof(got), "%s", fit_family_name((enum fit_family)f));

		for (size_t k = 0; k < fit_param_count((enum fit_family)f); k++)
			n += snprintf(got + n, sizeof(got) - (size_t)n, " %s",
				      fit_param_name((enum fit_family)f, k));
		ck_assert_str_eq(got, want[f]);
		ck_assert(fit_family_find(fit_family_name((enum fit_family)f), &found));
		ck_assert_int_eq(found, f);
	}
	ck_assert(!fit_family_find("pareto", &found));
	ck_assert(fit_below_zero(FIT_STABLE) && fit_below_zero(FIT_NORMAL));
	ck_assert(!fit_below_zero(FIT_GAMMA) && !fit_below_zero(FIT_LOGNORMAL));
}
END_TEST

/* The command line. */

static char *tmpdir;

/* Fixture: a fresh directory for each command-line test, removed after. */
static void make_tmpdir(void)
{
	tmpdir = tu_make_tmpdir();
}

static void remove_tmpdir(void)
{
	tu_remove_tmpdir(tmpdir);
	tmpdir = NULL;
}

/* The whole file at path, which must exist. */
static char *read_file(const char *path)
{
	char *text = tu_read_file(path, NULL);

	ck_assert_msg(text != NULL, "%s: %s", path, strerror(errno));
	return text;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Runs $TIERSIM_BIN with args (NULL-terminated) from the source root,
 * where the traces are. */
static void spawn(const char *const *args, struct tu_proc *p)
{
	const char *root = getenv("TIERSIM_SOURCE_ROOT");

	ck_assert_msg(root != NULL, "TIERSIM_SOURCE_ROOT not set");
	ck_assert_int_eq(chdir(root), 0);
	tu_spawn(args, p);
}

/* The table row of `family`: its rank (0 = best), D and parameters. */
static int table_row(const char *out, const char *family, double *d, double *param)
{
	const char *line = strstr(out, "\nfamily ");
	int rank = 0;

	ck_assert_ptr_nonnull(line);
	for (line = strchr(line + 1, '\n') + 1; *line != '\n' && *line != '\0';
	     line = strchr(line, '\n') + 1, rank++) {
		char name[32], p[16], pn[4][32];
		int got =
		    sscanf(line, "%31s %lf %15s %31s %lf %31s %lf %31s %lf %31s %lf", name, d, p,
			   pn[0], &param[0], pn[1], &param[1], pn[2], &param[2], pn[3], &param[3]);

		ck_assert_int_ge(got, 5);
		if (strcmp(name, family) == 0)
			return rank;
	}
	ck_abort_msg("no row for %s in:\n%s", family, out);
	return -1;
}

static void fit_cli(const char *trace, struct tu_proc *p)
{
	const char *args[] = {"fit-delay", trace, NULL};

	spawn(args, p);
	ck_assert_msg(p->exit_code == 0, "exit %d: %s", p->exit_code, p->err);
}

START_TEST(fit_cli_cmwave_near_gaussian)
{
	struct tu_proc p;
	double d_normal, d_stable, normal[4], stable[4];
	int rank;

	fit_cli("traces/ping-MEC-cmWave.txt", &p);
	ck_assert_ptr_nonnull(strstr(p.out, "877 delays"));
	ck_assert_ptr_nonnull(strstr(p.out, "- quantised:"));
	rank = table_row(p.out, "normal", &d_normal, normal);
	ck_assert_int_le(rank, 1);
	ck_assert_double_eq_tol(normal[0], 14.36, 0.1);
	table_row(p.out, "stable", &d_stable, stable);
	ck_assert_double_ge(stable[0], 1.9);
	ck_assert_double_lt(d_normal, 0.05);
	tu_proc_release(&p);
}
END_TEST

START_TEST(fit_cli_oran_heavy_tailed)
{
	struct tu_proc p;
	double d_normal, d_stable, normal[4], stable[4];

	fit_cli("traces/ping-MEC-ORAN-upd.txt", &p);
	ck_assert_ptr_nonnull(strstr(p.out, "982 delays"));
	table_row(p.out, "normal", &d_normal, normal);
	table_row(p.out, "stable", &d_stable, stable);
	ck_assert_double_lt(stable[0], 1.5);
	ck_assert_double_lt(d_stable, d_normal);
	tu_proc_release(&p);
}
END_TEST

START_TEST(fit_cli_deterministic)
{
	struct tu_proc a, b;
	const char *args[] = {"fit-delay", "traces/ping-MEC-ORAN-upd.txt", NULL};

	spawn(args, &a);
	spawn(args, &b);
	ck_assert_int_eq(a.exit_code, 0);
	ck_assert_str_eq(a.out, b.out);
	tu_proc_release(&a);
	tu_proc_release(&b);
}
END_TEST

static const char *const json_cases[][2] = {
    {"traces/ping-MEC-ORAN-upd.txt", "all"},
    {"traces/ping-MEC-cmWave.txt", "stable"},
    {"traces/ping-MEC-cmWave.txt", "gamma"},
};

/* --json gives a delay object that a scenario accepts. */
START_TEST(fit_cli_json_in_scenario)
{
	struct tu_proc p;
	static char scen[20000];
	const char *args[] = {"fit-delay",	 json_cases[_i][0], "--family",
			      json_cases[_i][1], "--json",	    NULL};
	const char *root = getenv("TIERSIM_SOURCE_ROOT"), *from, *to;
	char tpath[512], spath[512], *tmpl;
	cJSON *j, *law;
	size_t len;

	spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	len = strlen(p.out);
	ck_assert(len > 0 && p.out[len - 1] == '\n' && strchr(p.out, '\n') == p.out + len - 1);
	j = cJSON_Parse(p.out);
	ck_assert_msg(j != NULL, "not JSON: %s", p.out);
	law = cJSON_GetObjectItemCaseSensitive(j, "law");
	ck_assert(cJSON_IsString(law));
	if (strcmp(json_cases[_i][1], "all") != 0)
		ck_assert_str_eq(law->valuestring, json_cases[_i][1]);
	if (strcmp(law->valuestring, "stable") == 0 || strcmp(law->valuestring, "normal") == 0)
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "floor_ms")));
	cJSON_Delete(j);

	snprintf(tpath, sizeof(tpath), "%s/tests/scenarios/minimal.json", root);
	tmpl = read_file(tpath);
	from = strstr(tmpl, "\"delay\": {");
	ck_assert_ptr_nonnull(from);
	from += strlen("\"delay\": ");
	to = strchr(from, '}') + 1;
	p.out[len - 1] = '\0';
	ck_assert_int_lt(
	    snprintf(scen, sizeof(scen), "%.*s%s%s", (int)(from - tmpl), tmpl, p.out, to),
	    (int)sizeof(scen));
	snprintf(spath, sizeof(spath), "%s/fitted.json", tmpdir);
	free(tmpl);
	write_file(spath, scen);
	tu_proc_release(&p);
	{
		const char *vargs[] = {"validate", spath, NULL};

		spawn(vargs, &p);
		ck_assert_msg(p.exit_code == 0, "validate: %s%s", p.out, p.err);
	}
	tu_proc_release(&p);
}
END_TEST

START_TEST(fit_cli_broken_trace)
{
	struct tu_proc p;
	char path[512];
	const char *args[] = {"fit-delay", path, NULL};

	snprintf(path, sizeof(path), "%s/bad.txt", tmpdir);
	write_file(path, "12.5\n13.0\nabc\n");
	spawn(args, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_msg(strstr(p.err, "bad.txt:3:") != NULL, "%s", p.err);
	ck_assert_str_eq(p.out, "");
	tu_proc_release(&p);
}
END_TEST

START_TEST(fit_cli_flat_trace)
{
	struct tu_proc p;
	char path[512];
	const char *args[] = {"fit-delay", path, "--family", "stable", NULL};

	snprintf(path, sizeof(path), "%s/flat.txt", tmpdir);
	write_file(path, "5.123456789\n5.123456789\n5.123456789\n5.123456789\n");
	spawn(args, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_msg(strstr(p.err, "inter-quartile range is 0") != NULL, "%s", p.err);
	tu_proc_release(&p);
}
END_TEST

static const char *const usage_cases[][4] = {
    {"fit-delay", NULL},
    {"fit-delay", "traces/ping-MEC-cmWave.txt", "--family", "pareto"},
    {"fit-delay", "traces/ping-MEC-cmWave.txt", "--plot", NULL},
    {"fit-delay", "traces/ping-MEC-cmWave.txt", "--bins", NULL},
    {"fit-delay", "a.txt", "b.txt", NULL},
};

START_TEST(fit_cli_usage_errors)
{
	struct tu_proc p;
	const char *args[5] = {NULL};

	for (int i = 0; i < 4 && usage_cases[_i][i] != NULL; i++)
		args[i] = usage_cases[_i][i];
	spawn(args, &p);
	ck_assert_int_eq(p.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "usage: tiersim fit-delay"));
	tu_proc_release(&p);
}
END_TEST

START_TEST(fit_cli_plot_without_gnuplot)
{
	struct tu_proc p;
	char plot[512], gp[600], dat[600];
	const char *args[] = {"fit-delay", "traces/ping-MEC-cmWave.txt", "--plot", plot, NULL};
	char *path = getenv("PATH") != NULL ? strdup(getenv("PATH")) : NULL;

	snprintf(plot, sizeof(plot), "%s/cdf.png", tmpdir);
	snprintf(gp, sizeof(gp), "%s.gp", plot);
	snprintf(dat, sizeof(dat), "%s.dat", plot);
	setenv("PATH", "/nonexistent", 1);
	spawn(args, &p);
	if (path != NULL)
		setenv("PATH", path, 1);
	free(path);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "gnuplot is not on PATH"));
	ck_assert(exists(gp) && exists(dat) && !exists(plot));
	tu_proc_release(&p);
}
END_TEST

START_TEST(fit_cli_plot)
{
	struct tu_proc p;
	char plot[512], *png;
	const char *args[] = {"fit-delay", "traces/ping-MEC-ORAN-upd.txt", "--plot", plot, NULL};

	snprintf(plot, sizeof(plot), "%s/cdf.png", tmpdir);
	spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	if (strstr(p.out, "gnuplot is not on PATH") != NULL) {
		tu_proc_release(&p);
		return;
	}
	ck_assert_ptr_nonnull(strstr(p.out, "plot: wrote"));
	png = read_file(plot);
	ck_assert_int_eq(strncmp(png, "\x89PNG", 4), 0);
	free(png);
	tu_proc_release(&p);
}
END_TEST

static Suite *fit_suite(void)
{
	Suite *s = suite_create("fit");
	TCase *tc = tcase_create("core");
	TCase *cli = tcase_create("cli");

	tcase_add_loop_test(tc, fit_mcculloch_recovers, 0,
			    (int)(sizeof(stable_cases) / sizeof(stable_cases[0])));
	tcase_add_loop_test(tc, fit_mle_recovers, 0,
			    (int)(sizeof(mle_cases) / sizeof(mle_cases[0])));
	tcase_add_test(tc, fit_zero_iqr_invalid);
	tcase_add_test(tc, fit_all_equal_invalid);
	tcase_add_test(tc, fit_positive_families_skipped);
	tcase_add_test(tc, fit_dequantise_spreads_ties);
	tcase_add_test(tc, fit_dequantise_significant_digits);
	tcase_add_test(tc, fit_dequantise_leaves_fine_data);
	tcase_add_test(tc, fit_quantised_integer_ms);
	tcase_add_test(tc, fit_kolmogorov_q_values);
	tcase_add_test(tc, fit_family_names);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tcase_add_test(cli, fit_cli_cmwave_near_gaussian);
	tcase_add_test(cli, fit_cli_oran_heavy_tailed);
	tcase_add_test(cli, fit_cli_deterministic);
	tcase_add_loop_test(cli, fit_cli_json_in_scenario, 0,
			    (int)(sizeof(json_cases) / sizeof(json_cases[0])));
	tcase_add_test(cli, fit_cli_broken_trace);
	tcase_add_test(cli, fit_cli_flat_trace);
	tcase_add_loop_test(cli, fit_cli_usage_errors, 0,
			    (int)(sizeof(usage_cases) / sizeof(usage_cases[0])));
	tcase_add_test(cli, fit_cli_plot_without_gnuplot);
	tcase_add_test(cli, fit_cli_plot);
	tcase_add_checked_fixture(cli, make_tmpdir, remove_tmpdir);
	tcase_set_timeout(cli, 120);
	suite_add_tcase(s, cli);
	return s;
}

int main(void)
{
	return tu_run(fit_suite());
}
