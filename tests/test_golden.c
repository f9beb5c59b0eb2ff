/* `tiersim check`: golden directories re-run and compared, a perturbed
 * copy caught, tolerances from the manifest, and its usage errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* Relative scenario paths in the manifests are read from the source
 * root, as `tiersim check` is meant to be run there. */
static void enter_source_root(void)
{
	char root[4096];

	tu_source_path(root, sizeof(root), "");
	ck_assert_int_eq(chdir(root), 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* A copy of results/golden/NAME's manifest.json and summary.json in a
 * fresh temporary directory, `from` in the summary replaced by `to` and
 * `tolerances` (a JSON member, or NULL) added to the manifest. */
static char *golden_copy(const char *name, const char *from, const char *to, const char *tolerances)
{
	char *dir = tu_make_tmpdir(), path[4096], rel[512], *text, *at, edited[1 << 16];

	snprintf(rel, sizeof(rel), "results/golden/%s/summary.json", name);
	tu_source_path(path, sizeof(path), rel);
	text = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(text);
	at = strstr(text, from);
	ck_assert_msg(at != NULL, "no %s in %s", from, path);
	snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	write_file(dir, "summary.json", edited);
	free(text);
	snprintf(rel, sizeof(rel), "results/golden/%s/manifest.json", name);
	tu_source_path(path, sizeof(path), rel);
	text = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(text);
	snprintf(edited, sizeof(edited), "{%s%s%s", tolerances ? tolerances : "",
		 tolerances ? "," : "", strchr(text, '{') + 1);
	write_file(dir, "manifest.json", edited);
	free(text);
	return dir;
}

static const char *const goldens[] = {"edge-od-heterogeneous-seed7",
				      "edge-od-reference-boards-seed7",
				      "multijob-10-tabu",
				      "icu-lstm-18-exact",
				      "edge-od-overload-health-threshold",
				      "edge-od-faults-seed7",
				      "edge-od-energy-seed7",
				      "hybrid-cloud-edge-seed7"};

START_TEST(golden_untouched_passes)
{
	char path[4096], rel[512];
	struct tu_proc p;

	enter_source_root();
	snprintf(rel, sizeof(rel), "results/golden/%s", goldens[_i]);
	tu_source_path(path, sizeof(path), rel);
	tu_spawn((const char *const[]){"check", path, NULL}, &p);
	ck_assert_msg(p.exit_code == 0, "%s%s", p.out, p.err);
	ck_assert_ptr_nonnull(strstr(p.out, "0 regressions: ok"));
	tu_proc_release(&p);
}
END_TEST

/* One edited number in a copy of a golden directory, per kind of run. */
static const struct {
	const char *golden, *from, *to, *metric;
} perturbed[] = {
    {"edge-od-heterogeneous-seed7", "\"p95_ms\":\t", "\"p95_ms\":\t1", "apps.od.p95_ms"},
    {"multijob-10-tabu", "\"weighted_total_response\":\t", "\"weighted_total_response\":\t9",
     "jobs.weighted_total_response"},
    {"edge-od-overload-health-threshold", "\"migrations\":\t{\n\t\t\t\"mean\":\t",
     "\"migrations\":\t{\n\t\t\t\"mean\":\t1", "health.migrations.mean"},
    {"edge-od-energy-seed7", "\"total_J\":\t", "\"total_J\":\t9", "energy.total_J"},
};

START_TEST(golden_perturbed_fails)
{
	char *dir;
	struct tu_proc p;

	enter_source_root();
	dir = golden_copy(perturbed[_i].golden, perturbed[_i].from, perturbed[_i].to, NULL);
	tu_spawn((const char *const[]){"check", dir, NULL}, &p);
	ck_assert_msg(p.exit_code == 1, "%s%s", p.out, p.err);
	ck_assert_msg(strstr(p.out, perturbed[_i].metric) != NULL, "%s", p.out);
	ck_assert_ptr_nonnull(strstr(p.out, "REGRESSION"));
	ck_assert_ptr_nonnull(strstr(p.out, "1 regressions: FAIL"));
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A tolerance lets the perturbed value through; the most specific key
 * wins, so an exact one for the same metric catches it again. */
static const struct {
	const char *tolerances;
	int exit_code;
} tolerated[] = {
    {"\"tolerances\": {\"p95_ms\": {\"rel\": 0.99}}", 0},
    {"\"tolerances\": {\"apps.od.p95_ms\": {\"abs\": 1e6}}", 0},
    {"\"tolerances\": {\"p95_ms\": {\"rel\": 0.99}, \"od.p95_ms\": {}}", 1},
    {"\"tolerances\": {\"p99_ms\": {\"rel\": 0.99}}", 1},
    {"\"tolerances\": {\"p95_ms\": {\"rel\": -1}}", 3},
    {"\"tolerances\": {\"p95_ms\": {\"relative\": 1}}", 3},
    {"\"tolerances\": [1]", 3},
};

START_TEST(golden_tolerances)
{
	char *dir;
	struct tu_proc p;

	enter_source_root();
	/* p95 of app od 158.97... becomes 1158.97... */
	dir = golden_copy("edge-od-heterogeneous-seed7", "\"p95_ms\":\t", "\"p95_ms\":\t1",
			  tolerated[_i].tolerances);
	tu_spawn((const char *const[]){"check", dir, NULL}, &p);
	ck_assert_msg(p.exit_code == tolerated[_i].exit_code, "%s%s", p.out, p.err);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(golden_usage_errors)
{
	static const char *const bad[][3] = {{"check", NULL}, {"check", "--tolerance", NULL}};
	struct tu_proc p;

	tu_spawn(bad[_i], &p);
	ck_assert_int_eq(p.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "usage: tiersim check"));
	tu_proc_release(&p);
}
END_TEST

/* A directory without manifest.json is invalid input. */
START_TEST(golden_missing_manifest)
{
	char *dir = tu_make_tmpdir();
	struct tu_proc p;

	tu_spawn((const char *const[]){"check", dir, NULL}, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(p.err, "manifest.json"));
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

static Suite *golden_suite(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, golden_untouched_passes, 0, sizeof(goldens) / sizeof(goldens[0]));
	tcase_add_loop_test(tc, golden_perturbed_fails, 0,
			    sizeof(perturbed) / sizeof(perturbed[0]));
	tcase_add_loop_test(tc, golden_tolerances, 0, 7);
	tcase_add_loop_test(tc, golden_usage_errors, 0, 2);
	tcase_add_test(tc, golden_missing_manifest);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(golden_suite());
}
