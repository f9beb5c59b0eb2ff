#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "status.h"
#include "testutil.h"

#define TOL	1e-9
#define NROW(a) (sizeof(a) / sizeof((a)[0]))

static void fixture(char *buf, size_t size, const char *name)
{
	const char *root = getenv("TIERSIM_SOURCE_ROOT");

	ck_assert_msg(root != NULL, "TIERSIM_SOURCE_ROOT is not set");
	ck_assert_int_lt(snprintf(buf, size, "%s/tests/data/profiles/%s", root, name), (int)size);
}

static struct profile *load(const char *name)
{
	struct ts_error err = {""};
	struct profile *p = NULL;
	char path[4096];
	int rc;

	fixture(path, sizeof(path), name);
	rc = profile_load(path, &p, &err);
	ck_assert_msg(rc == 0, "%s: %s", name, err.msg);
	ck_assert_ptr_nonnull(p);
	return p;
}

static void expect_parts(const struct profile_parts *got, double pre, double accel, double post,
			 const char *what)
{
	ck_assert_msg(fabs(got->cpu_pre_ms - pre) <= TOL, "%s: cpu_pre_ms %.17g, expected %.17g",
		      what, got->cpu_pre_ms, pre);
	ck_assert_msg(fabs(got->accel_ms - accel) <= TOL, "%s: accel_ms %.17g, expected %.17g",
		      what, got->accel_ms, accel);
	ck_assert_msg(fabs(got->cpu_post_ms - post) <= TOL, "%s: cpu_post_ms %.17g, expected %.17g",
		      what, got->cpu_post_ms, post);
}

/* A query on table `model` of grid.json and the parts it must give. */
struct eval_case {
	const char *model;
	double px, inst;
	bool clamped;
	double pre, accel, post;
};

/* The nine points of grid.json's "grid" table (10000 px is 100x100 and
 * 200x50). */
static const struct eval_case grid_points[] = {
    {"grid", 10000, 1, false, 1, 10, 0.5},  {"grid", 40000, 1, false, 2, 20, 0.5},
    {"grid", 90000, 1, false, 4, 50, 1.0},  {"grid", 10000, 2, false, 1, 16, 0.5},
    {"grid", 40000, 2, false, 2, 30, 0.75}, {"grid", 90000, 2, false, 4, 70, 1.0},
    {"grid", 10000, 4, false, 2, 30, 1.0},  {"grid", 40000, 4, false, 3, 60, 1.0},
    {"grid", 90000, 4, false, 5, 150, 2.0},
};

/* Hand-computed: with t, u the fractions along pixels and instances,
 * z = (1-t)(1-u) z00 + t(1-u) z10 + (1-t)u z01 + tu z11. */
static const struct eval_case between_points[] = {
    /* t = u = 1/2 in cell [10000, 40000] x [1, 2]: the mean of the corners */
    {"grid", 25000, 1.5, false, 1.5, 19, 0.5625},
    /* t = u = 1/2 in cell [40000, 90000] x [2, 4] */
    {"grid", 65000, 3, false, 3.5, 77.5, 1.1875},
    /* t = u = 1/4: accel .5625*10 + .1875*20 + .1875*16 + .0625*30 */
    {"grid", 17500, 1.25, false, 1.25, 14.25, 0.515625},
    /* on the 40000-pixel grid line, halfway from 2 to 4 instances */
    {"grid", 40000, 3, false, 2.5, 45, 0.875},
    /* on the 1-instance grid line, t = 0.8 in [40000, 90000] */
    {"grid", 80000, 1, false, 3.6, 44, 0.9},
};

/* Single frame size (90000 px), instances 1, 2, 4. */
static const struct eval_case line_instances[] = {
    {"line-instances", 90000, 1, false, 1, 10, 1},
    {"line-instances", 90000, 1.5, false, 1.5, 12, 1},
    {"line-instances", 90000, 3, false, 2.5, 22, 1.5},
    {"line-instances", 90000, 4, false, 3, 30, 2},
    {"line-instances", 1000, 3, true, 2.5, 22, 1.5},
    {"line-instances", 90000, 9, true, 3, 30, 2},
};

/* Single instance count (2), frames 10000, 40000, 90000 px. */
static const struct eval_case line_pixels[] = {
    {"line-pixels", 10000, 2, false, 1, 10, 0},	  {"line-pixels", 25000, 2, false, 1, 15, 0.5},
    {"line-pixels", 65000, 2, false, 1, 35, 1.5}, {"line-pixels", 90000, 2, false, 1, 50, 2},
    {"line-pixels", 65000, 1, true, 1, 35, 1.5},  {"line-pixels", 1e6, 2, true, 1, 50, 2},
};

/* One point (640x480 = 307200 px, 3 instances). */
static const struct eval_case constant[] = {
    {"constant", 307200, 3, false, 1.5, 7, 0.25},
    {"constant", 307200, 1, true, 1.5, 7, 0.25},
    {"constant", 1, 3, true, 1.5, 7, 0.25},
    {"constant", 1e9, 4096, true, 1.5, 7, 0.25},
};

/* Outside on each axis and side, and both; the edges themselves are in. */
static const struct eval_case clamping[] = {
    {"grid", 5000, 1, true, 1, 10, 0.5},	  {"grid", 100000, 2, true, 4, 70, 1.0},
    {"grid", 40000, 0.5, true, 2, 20, 0.5},	  {"grid", 40000, 8, true, 3, 60, 1.0},
    {"grid", 1e6, 100, true, 5, 150, 2.0},	  {"grid", 0, 0, true, 1, 10, 0.5},
    {"grid", 25000, 0, true, 1.5, 15, 0.5},	  {"grid", 1e6, 1.5, true, 4, 60, 1.0},
    {"grid", 10000, 1, false, 1, 10, 0.5},	  {"grid", 90000, 4, false, 5, 150, 2.0},
    {"grid", 25000, 1.5, false, 1.5, 19, 0.5625}, {"grid", NAN, 1, true, 1, 10, 0.5},
};

static void check_eval(const struct eval_case *c)
{
	struct profile *p = load("grid.json");
	struct profile_parts got;
	char what[128];
	int t = profile_find_model(p, c->model);

	ck_assert_int_ge(t, 0);
	snprintf(what, sizeof(what), "%s at (%g px, %g instances)", c->model, c->px, c->inst);
	ck_assert_msg(profile_eval(p, t, c->px, c->inst, &got) == c->clamped,
		      "%s: clamped should be %d", what, c->clamped);
	expect_parts(&got, c->pre, c->accel, c->post, what);
	profile_free(p);
}

START_TEST(profile_exact_at_grid_points)
{
	check_eval(&grid_points[_i]);
}
END_TEST

START_TEST(profile_bilinear_between_points)
{
	check_eval(&between_points[_i]);
}
END_TEST

START_TEST(profile_linear_over_instances)
{
	check_eval(&line_instances[_i]);
}
END_TEST

START_TEST(profile_linear_over_pixels)
{
	check_eval(&line_pixels[_i]);
}
END_TEST

START_TEST(profile_constant_single_point)
{
	check_eval(&constant[_i]);
}
END_TEST

START_TEST(profile_clamps_outside)
{
	check_eval(&clamping[_i]);
}
END_TEST

START_TEST(profile_metadata)
{
	struct profile *p = load("grid.json");
	static const char *const models[] = {"grid", "line-instances", "line-pixels", "constant"};

	ck_assert_str_eq(profile_id(p), "test-grid");
	ck_assert_str_eq(profile_description(p),
			 "Test fixture: hand-made tables for tests/test_profile.c");
	ck_assert_str_eq(profile_kind(p), "vpu");
	ck_assert_double_eq_tol(profile_jitter_cv(p), 0.05, TOL);
	ck_assert_uint_eq(profile_model_count(p), NROW(models));
	for (size_t i = 0; i < NROW(models); i++) {
		ck_assert_str_eq(profile_model(p, i), models[i]);
		ck_assert_int_eq(profile_find_model(p, models[i]), (int)i);
	}
	ck_assert_int_eq(profile_find_model(p, "Grid"), -1);
	ck_assert_int_eq(profile_find_model(p, ""), -1);
	profile_free(p);
}
END_TEST

START_TEST(profile_optional_defaults)
{
	struct profile *p = load("minimal.json");
	struct profile_parts got;

	ck_assert_str_eq(profile_id(p), "test-minimal");
	ck_assert_str_eq(profile_kind(p), "cpu");
	ck_assert_double_eq(profile_jitter_cv(p), 0);
	ck_assert_uint_eq(profile_model_count(p), 1);
	ck_assert(!profile_eval(p, 0, 1, 1, &got));
	expect_parts(&got, 0, 0, 0, "tiny");
	profile_free(p);
}
END_TEST

START_TEST(profile_accepts_provenance)
{
	struct profile *p = load("provenance.json");

	ck_assert_str_eq(profile_id(p), "test-provenance");
	ck_assert_uint_eq(profile_model_count(p), 1);
	profile_free(p);
}
END_TEST

START_TEST(profile_range_of_tables)
{
	struct profile *p = load("grid.json");
	double lo, hi, ilo, ihi;

	profile_range(p, profile_find_model(p, "grid"), &lo, &hi, &ilo, &ihi);
	ck_assert_double_eq(lo, 10000);
	ck_assert_double_eq(hi, 90000);
	ck_assert_double_eq(ilo, 1);
	ck_assert_double_eq(ihi, 4);
	profile_range(p, profile_find_model(p, "constant"), &lo, &hi, &ilo, &ihi);
	ck_assert_double_eq(lo, 307200);
	ck_assert_double_eq(hi, 307200);
	ck_assert_double_eq(ilo, 3);
	ck_assert_double_eq(ihi, 3);
	profile_free(p);
}
END_TEST

/* A broken file, its status and a phrase its message must contain
 * (besides the file name). */
struct broken_case {
	const char *file;
	int status;
	const char *phrase;
};

static const struct broken_case broken[] = {
    {"syntax.json", TS_ESYNTAX, "syntax.json:4:3: syntax error"},
    {"duplicate_key.json", TS_EINVALID, "$: duplicate key \"id\""},
    {"not_object.json", TS_EINVALID, "$: expected an object"},
    {"unknown_key.json", TS_EINVALID, "$: unknown key \"colour\""},
    {"wrong_unit.json", TS_EINVALID, "$.tables[0].points[0]: unknown key \"accel_s\""},
    {"version.json", TS_EINVALID, "$.tiersim_profile: unsupported profile format version 2"},
    {"missing_id.json", TS_EINVALID, "$: missing required key \"id\""},
    {"long_id.json", TS_EINVALID, "$.id: expected a non-empty string of at most 63 bytes"},
    {"accelerator.json", TS_EINVALID, "$.accelerator: expected one of \"gpu\""},
    {"negative_ms.json", TS_EINVALID, "$.tables[0].points[1].accel_ms: expected a number"},
    {"dangling_source.json", TS_EINVALID,
     "$.tables[0].points[0].source: expected a key of $.sources, got \"nowhere\""},
    {"missing_cell.json", TS_EINVALID,
     "$.tables[0].points: missing grid cell (frame pixels 10000 = 100x100, instances 2)"},
    {"duplicate_cell.json", TS_EINVALID,
     "$.tables[0].points[4]: duplicate grid cell (frame pixels 10000, instances 2), already "
     "given at $.tables[0].points[1]"},
    {"duplicate_pixels.json", TS_EINVALID,
     "$.tables[0].points[4]: duplicate grid cell (frame pixels 10000, instances 1)"},
    {"frame_px_length.json", TS_EINVALID,
     "$.tables[0].points[0].frame_px: expected [width, height], exactly 2 whole numbers, got "
     "[100]"},
    {"frame_px_zero.json", TS_EINVALID,
     "$.tables[0].points[2].frame_px[0]: expected a whole number in [1, 100000], got 0"},
    {"instances_fraction.json", TS_EINVALID,
     "$.tables[0].points[3].instances: expected a whole number in [1, 4096], got 1.5"},
    {"jitter_cv.json", TS_EINVALID, "$.jitter_cv: expected a number in [0, 1], got 1.5"},
    {"provenance.json", TS_EINVALID, "$.provenance: expected an object"},
    {"duplicate_model.json", TS_EINVALID, "$.tables[1].model: duplicate model \"m\""},
    {"empty_sources.json", TS_EINVALID, "$.sources: expected at least one source"},
    {"source_not_string.json", TS_EINVALID, "$.sources.hand: expected a non-empty string"},
    {"empty_tables.json", TS_EINVALID, "$.tables: expected an array of at least 1 element"},
    {"empty_points.json", TS_EINVALID,
     "$.tables[0].points: expected an array of at least 1 element"},
};

START_TEST(profile_rejects_broken)
{
	const struct broken_case *c = &broken[_i];
	struct ts_error err = {""};
	/* Not NULL, so the test sees profile_load reset it on failure. */
	struct profile *p = (struct profile *)&err;
	char path[4096], name[256];
	int rc;

	snprintf(name, sizeof(name), "broken/%s", c->file);
	fixture(path, sizeof(path), name);
	rc = profile_load(path, &p, &err);
	ck_assert_msg(rc == c->status, "%s: status %d (%s), expected %d; message: %s", c->file, rc,
		      ts_strstatus(rc), c->status, err.msg);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.msg, path) != NULL, "%s: message does not name the file: %s",
		      c->file, err.msg);
	ck_assert_msg(strstr(err.msg, c->phrase) != NULL, "%s: message lacks \"%s\": %s", c->file,
		      c->phrase, err.msg);
}
END_TEST

START_TEST(profile_missing_file)
{
	struct ts_error err = {""};
	struct profile *p = NULL;
	char path[4096];

	fixture(path, sizeof(path), "no-such-profile.json");
	ck_assert_int_lt(profile_load(path, &p, &err), 0);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err.msg, path) != NULL, "message does not name the file: %s", err.msg);
}
END_TEST

START_TEST(profile_free_null)
{
	profile_free(NULL);
}
END_TEST

/* Profile array limits: at most 1000 tables and 100000 points per table.
 * Row _i: {tables, points per table, expected phrase or NULL to load}. */
static const struct {
	int tables, points;
	const char *phrase;
} array_limits[] = {
    {1000, 1, NULL},
    {1001, 1, "$.tables: at most 1000 tables are allowed, got 1001"},
    {1, 100000, NULL},
    {1, 100001, "$.tables[0].points: at most 100000 points are allowed, got 100001"},
};

START_TEST(profile_array_limits)
{
	char *dir = tu_make_tmpdir(), path[4096];
	struct ts_error err = {""};
	struct profile *p = NULL;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/big.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"tiersim_profile\": 1, \"id\": \"big\", \"description\": \"limits\", "
	      "\"accelerator\": \"gpu\", \"sources\": {\"s\": \"made up\"}, \"tables\": [",
	      f);
	for (int t = 0; t < array_limits[_i].tables; t++) {
		fprintf(f, "%s{\"model\": \"m%d\", \"points\": [", t ? "," : "", t);
		/* A full grid: frame sizes 1x1, 2x1, ... times 1-4000 instances. */
		for (int k = 0; k < array_limits[_i].points; k++)
			fprintf(f,
				"%s{\"frame_px\": [%d, 1], \"instances\": %d, \"cpu_pre_ms\": 1, "
				"\"accel_ms\": 1, \"cpu_post_ms\": 1, \"source\": \"s\"}",
				k ? "," : "", 1 + k / 4000, 1 + k % 4000);
		fputs("]}", f);
	}
	fputs("]}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	rc = profile_load(path, &p, &err);
	if (array_limits[_i].phrase == NULL) {
		ck_assert_msg(rc == 0, "%s", err.msg);
	} else {
		ck_assert_int_eq(rc, TS_EINVALID);
		ck_assert_msg(strstr(err.msg, array_limits[_i].phrase) != NULL, "%s", err.msg);
	}
	profile_free(p);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");

	/* profile_array_limits loads 10^5-point tables, slow under the
	 * sanitizers on a loaded machine. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, profile_exact_at_grid_points, 0, NROW(grid_points));
	tcase_add_loop_test(tc, profile_bilinear_between_points, 0, NROW(between_points));
	tcase_add_loop_test(tc, profile_linear_over_instances, 0, NROW(line_instances));
	tcase_add_loop_test(tc, profile_linear_over_pixels, 0, NROW(line_pixels));
	tcase_add_loop_test(tc, profile_constant_single_point, 0, NROW(constant));
	tcase_add_loop_test(tc, profile_clamps_outside, 0, NROW(clamping));
	tcase_add_test(tc, profile_metadata);
	tcase_add_test(tc, profile_optional_defaults);
	tcase_add_test(tc, profile_accepts_provenance);
	tcase_add_test(tc, profile_range_of_tables);
	tcase_add_loop_test(tc, profile_rejects_broken, 0, NROW(broken));
	tcase_add_test(tc, profile_missing_file);
	tcase_add_test(tc, profile_free_null);
	tcase_add_loop_test(tc, profile_array_limits, 0, NROW(array_limits));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(profile_suite());
}
