/* `tiersim run` on job sets: the golden schedules of the shipped job-set
 * scenarios under every job-set policy, the files and totals a run
 * writes, and the options a job set refuses. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"
#include "run.h"
#include "testutil.h"

static const char *const outputs[] = {"summary.json", "manifest.json", "schedule.csv", "gantt.gp",
				      "gantt.dat",    "gantt.png",     "gantt.svg"};

static void remove_dir(const char *dir)
{
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char p[4200];

		snprintf(p, sizeof(p), "%s/%s", dir, outputs[i]);
		unlink(p);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}

/* Runs a scenario of the source tree into a new directory; stdout goes
 * to *out (the caller frees it). */
static int run_job_set(const char *scenario, const char *policy, unsigned replications, char *dir,
		       char **out, struct ts_error *err)
{
	char path[4096];
	struct run_config cfg = {
	    .scenario_path = path,
	    .out_dir = dir,
	    .replications = replications,
	    .policy = policy,
	};
	FILE *f = tmpfile();
	long n;
	int rc;

	tu_source_path(path, sizeof(path), scenario);
	strcpy(dir, "/tmp/tiersim-jobrun-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	rc = run_scenario(&cfg, f, f, err);
	n = ftell(f);
	rewind(f);
	*out = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(*out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return rc;
}

/* Golden results: `tiersim run SCENARIO --policy P -o
 * results/golden/DIR` (results/README.md); summary.json and schedule.csv
 * must match byte for byte. */
static const struct {
	const char *scenario, *policy, *golden;
} goldens[] = {
    {"scenarios/multijob-10.json", "all-device", "multijob-10-all-device"},
    {"scenarios/multijob-10.json", "all-edge", "multijob-10-all-edge"},
    {"scenarios/multijob-10.json", "all-cloud", "multijob-10-all-cloud"},
    {"scenarios/multijob-10.json", "layer-minimum", "multijob-10-layer-minimum"},
    {"scenarios/multijob-10.json", "tabu", "multijob-10-tabu"},
    {"scenarios/multijob-10.json", "exact", "multijob-10-exact"},
    {"scenarios/icu-lstm-18.json", "layer-minimum", "icu-lstm-18-layer-minimum"},
    {"scenarios/icu-lstm-18.json", "tabu", "icu-lstm-18-tabu"},
    {"scenarios/icu-lstm-18.json", "exact", "icu-lstm-18-exact"},
    {"scenarios/image-placement.json", "layer-minimum", "image-placement-layer-minimum"},
    {"scenarios/image-placement.json", "exact", "image-placement-exact"},
};

START_TEST(jobrun_golden)
{
	char dir[64], *out;
	struct ts_error err = {""};

	ck_assert_msg(run_job_set(goldens[_i].scenario, goldens[_i].policy, 1, dir, &out, &err) ==
			  0,
		      "%s", err.msg);
	for (size_t k = 0; k < 3; k += 2) {
		char got_path[4200], want_path[4200], *got, *want;

		snprintf(got_path, sizeof(got_path), "%s/%s", dir, outputs[k]);
		snprintf(want_path, sizeof(want_path), "%s/results/golden/%s/%s",
			 getenv("TIERSIM_SOURCE_ROOT"), goldens[_i].golden, outputs[k]);
		got = tu_read_file(got_path, NULL);
		want = tu_read_file(want_path, NULL);
		ck_assert_msg(want != NULL, "no golden file %s", want_path);
		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
			      "%s differs from %s: regenerate it on purpose if the change is "
			      "meant (results/README.md)",
			      got_path, want_path);
		free(got);
		free(want);
	}
	free(out);
	remove_dir(dir);
}
END_TEST

/* The "done when": each job-set policy on the 10-job example
 * prints its totals and writes the schedule and the Gantt chart. */
START_TEST(jobrun_multijob_files_and_totals)
{
	static const char *const policies[] = {"all-device",	"all-edge", "all-cloud",
					       "layer-minimum", "tabu",	    "exact"};
	char dir[64], *out, *gnuplot = plot_find_on_path("gnuplot");
	struct ts_error err = {""};

	ck_assert_int_eq(
	    run_job_set("scenarios/multijob-10.json", policies[_i], 1, dir, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "totals (time units): weighted response "));
	ck_assert_ptr_nonnull(strstr(out, ", unweighted response "));
	ck_assert_ptr_nonnull(strstr(out, ", last completion "));
	for (size_t k = 0; k < sizeof(outputs) / sizeof(outputs[0]); k++) {
		char p[4200];

		/* Images only where gnuplot is installed. */
		if (k >= 5 && gnuplot == NULL)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, outputs[k]);
		ck_assert_msg(access(p, F_OK) == 0, "%s: no %s", policies[_i], p);
	}
	ck_assert_ptr_nonnull(
	    strstr(out, gnuplot == NULL ? "gnuplot is not on PATH" : "gantt.png"));
	free(gnuplot);
	free(out);
	remove_dir(dir);
}
END_TEST

/* The optimum of the 10-job example through the command's files (the
 * jobset suite confirms it by brute force). */
START_TEST(jobrun_multijob_optimum)
{
	char dir[64], *out, *summary, p[4200];
	struct ts_error err = {""};

	ck_assert_int_eq(run_job_set("scenarios/multijob-10.json", "exact", 1, dir, &out, &err), 0);
	snprintf(p, sizeof(p), "%s/summary.json", dir);
	summary = tu_read_file(p, NULL);
	ck_assert_ptr_nonnull(strstr(summary, "\"weighted_total_response\":\t227,"));
	ck_assert_ptr_nonnull(strstr(summary, "\"total_response\":\t146,"));
	ck_assert_ptr_nonnull(strstr(summary, "\"last_completion\":\t43,"));
	free(summary);
	free(out);
	remove_dir(dir);
}
END_TEST

START_TEST(jobrun_refuses_online_options)
{
	char dir[64], *out;
	struct ts_error err = {""};

	ck_assert_int_eq(run_job_set("scenarios/multijob-10.json", NULL, 3, dir, &out, &err),
			 TS_EINVALID);
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "--replications, --requests-csv and --trace are for"));
	free(out);
	/* Nothing was written. */
	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_int_eq(
	    run_job_set("scenarios/edge-od-heterogeneous.json", "tabu", 1, dir, &out, &err),
	    TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "edge-od-heterogeneous.json: policy \"tabu\" does "
					      "not run on a scenario with \"apps\""));
	free(out);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *jobrun_suite(void)
{
	Suite *s = suite_create("jobrun");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, jobrun_golden, 0, sizeof(goldens) / sizeof(goldens[0]));
	tcase_add_loop_test(tc, jobrun_multijob_files_and_totals, 0, 6);
	tcase_add_test(tc, jobrun_multijob_optimum);
	tcase_add_test(tc, jobrun_refuses_online_options);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(jobrun_suite());
}
