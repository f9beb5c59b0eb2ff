/* `tiersim sweep`: expansion of the parameter grid, item seeds, errors in
 * sweep files, byte-identical results, resumption after an interruption,
 * and item metrics equal to `tiersim run`'s summary.json. */
#include <check.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rng.h"
#include "stats.h"
#include "status.h"
#include "sweep.h"
#include "testutil.h"

#define PATH_SIZE 4200
/* Directories under the temporary one, leaving room for file names. */
#define DIR_SIZE 1024

/* A sweep of the test base scenario: `params` and `extra` (members, may
 * be "") spliced into the JSON text. */
static void write_sweep(const char *path, const char *params, const char *policies, int reps,
			const char *extra)
{
	char base[PATH_SIZE];
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	tu_source_path(base, sizeof(base), "tests/data/sweep/base.json");
	fprintf(f,
		"{\"format\": \"tiersim-sweep/1\", \"name\": \"t\", \"scenario\": \"%s\",\n"
		" \"parameters\": [%s],\n \"policies\": [%s], \"replications\": %d, \"seed\": "
		"9%s}\n",
		base, params, policies, reps, extra);
	ck_assert_int_eq(fclose(f), 0);
}

static struct sweep *load_ok(const char *path)
{
	struct ts_error err = {""};
	struct sweep *sw = NULL;

	ck_assert_msg(sweep_load(path, &sw, &err) == 0, "%s", err.msg);
	return sw;
}

#define SOURCES                                                                                    \
	"{\"name\": \"src\", \"pointer\": \"/apps/0/sources\", \"values\": [[\"dev1\"], "          \
	"[\"dev1\", \"dev2\"]], \"labels\": [\"one\", \"two\"]}"
#define FPS "{\"name\": \"fps\", \"pointer\": \"/apps/0/workload/fps\", \"range\": "

/* Two parameters, the last varying fastest; a range includes `to` and may
 * count down. */
START_TEST(sweep_expands_cartesian)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE];
	static const double fps[] = {15, 10, 5};
	struct sweep *sw;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	write_sweep(path, SOURCES ", " FPS "{\"from\": 15, \"to\": 5, \"step\": -5}}",
		    "\"round-robin\", \"least-loaded\"", 3, "");
	sw = load_ok(path);
	ck_assert_uint_eq(sw->n_params, 2);
	ck_assert_uint_eq(sw->n_points, 6);
	ck_assert_uint_eq(sw->n_items, 36);
	ck_assert_str_eq(sw->params[1].labels[0], "15");
	for (size_t p = 0; p < sw->n_points; p++) {
		const struct scenario *s = sw->points[p];

		ck_assert_uint_eq(sweep_value_index(sw, p, 0), p / 3);
		ck_assert_uint_eq(sweep_value_index(sw, p, 1), p % 3);
		ck_assert_uint_eq(s->apps[0].n_sources, p / 3 + 1);
		ck_assert_double_eq(s->apps[0].fps, fps[p % 3]);
	}
	sweep_free(sw);
	write_sweep(path, FPS "{\"from\": 0.5, \"to\": 2, \"step\": 0.5}}", "\"round-robin\"", 1,
		    "");
	sw = load_ok(path);
	ck_assert_uint_eq(sw->n_points, 4);
	ck_assert_double_eq(sw->points[3]->apps[0].fps, 2);
	ck_assert_str_eq(sw->params[0].labels[3], "2");
	sweep_free(sw);
	/* Rounding does not lose `to`, nor make it 0.30000000000000004. */
	write_sweep(path, FPS "{\"from\": 0.1, \"to\": 0.3, \"step\": 0.1}}", "\"round-robin\"", 1,
		    "");
	sw = load_ok(path);
	ck_assert_uint_eq(sw->n_points, 3);
	ck_assert_str_eq(sw->params[0].labels[1], "0.2");
	ck_assert_str_eq(sw->params[0].labels[2], "0.3");
	sweep_free(sw);
	/* An array element, and a member whose key needs ~1 for '/'. */
	write_sweep(path,
		    "{\"name\": \"h\", \"pointer\": \"/apps/0/workload/frame_px/1\", "
		    "\"values\": [300, 400]}",
		    "\"round-robin\"", 1, "");
	sw = load_ok(path);
	ck_assert_int_eq(sw->points[0]->apps[0].frame_h, 300);
	ck_assert_int_eq(sw->points[1]->apps[0].frame_w, 600);
	ck_assert_int_eq(sw->points[1]->apps[0].frame_h, 400);
	sweep_free(sw);
	sweep_free(NULL);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Item seeds are rng_derive_seed(seed, "point/P/replication/R"), the same
 * for every policy (common random numbers), and runs.csv shows them. */
START_TEST(sweep_seeds_documented)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], out[DIR_SIZE], *csv, *line;
	const char *args[] = {"sweep", path, "-o", out, "--quiet", NULL};
	struct tu_proc p = {0};
	struct sweep *sw;
	size_t rows = 0;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	write_sweep(path, SOURCES, "\"round-robin\", \"least-loaded\"", 2, "");
	sw = load_ok(path);
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	snprintf(path, sizeof(path), "%s/runs.csv", out);
	csv = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(csv);
	line = strchr(csv, '\n') + 1;
	for (size_t i = 0; i < sw->n_items; i++, rows++) {
		size_t pt = i / 4, pol = i / 2 % 2;
		unsigned r = (unsigned)(i % 2);
		char name[64], want[160];

		snprintf(name, sizeof(name), "point/%zu/replication/%u", pt, r);
		ck_assert_uint_eq(sweep_item_seed(sw, pt, r), rng_derive_seed(9, name));
		snprintf(want, sizeof(want), "%zu,%s,%s,%u,%llu,", pt, pt == 0 ? "one" : "two",
			 pol == 0 ? "round-robin" : "least-loaded", r,
			 (unsigned long long)rng_derive_seed(9, name));
		ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "row %zu: %.80s, want %s", i,
			      line, want);
		line = strchr(line, '\n') + 1;
	}
	ck_assert_uint_eq(rows, 8);
	ck_assert_str_eq(line, "");
	free(csv);
	tu_proc_release(&p);
	sweep_free(sw);
	tu_remove_tmpdir(dir);
}
END_TEST

/* ---- bad sweep files: exit 3, the file, the JSON path, the value ---- */

static const struct {
	const char *params, *policies, *extra;
	const char *path, *phrase;
} bad[] = {
    {SOURCES, "\"round-robin\"", ", \"colour\": 1", "$", "\"colour\""},
    {"{\"name\": \"x\", \"pointer\": \"apps/0\", \"values\": [1]}", "\"round-robin\"", "",
     "$.parameters[0].pointer", "\"apps/0\""},
    {"{\"name\": \"x\", \"pointer\": \"/apps/0/~2\", \"values\": [1]}", "\"round-robin\"", "",
     "$.parameters[0].pointer", "~0 or ~1"},
    {"{\"name\": \"x\", \"pointer\": \"/apps/3/fps\", \"values\": [1]}", "\"round-robin\"", "",
     "$.parameters[0].pointer", "names nothing"},
    {"{\"name\": \"x\", \"pointer\": \"/apps/0/workload/rate\", \"values\": [1]}",
     "\"round-robin\"", "", "$.parameters[0].pointer", "\"/apps/0/workload/rate\""},
    {"{\"name\": \"x\", \"pointer\": \"/apps/0/workload/frame_px/01\", \"values\": [1]}",
     "\"round-robin\"", "", "$.parameters[0].pointer",
     "no value at \"/apps/0/workload/frame_px/01\""},
    {"{\"name\": \"x\", \"pointer\": \"/apps~10/fps\", \"values\": [1]}", "\"round-robin\"", "",
     "$.parameters[0].pointer", "no value at \"/apps~10\""},
    {FPS "{\"from\": 1, \"to\": 5, \"step\": 0}}", "\"round-robin\"", "",
     "$.parameters[0].range.step", "other than 0"},
    {FPS "{\"from\": 1, \"to\": 5, \"step\": -1}}", "\"round-robin\"", "",
     "$.parameters[0].range.step", "sign"},
    {SOURCES, "\"round-robin\", \"fastest\"", "", "$.policies[1]", "unknown policy \"fastest\""},
    {SOURCES, "\"tabu\"", "", "$.policies[0]", "does not run on a scenario with \"apps\""},
    {SOURCES, "\"round-robin\", \"round-robin\"", "", "$.policies[1]", "once"},
    {"{\"name\": \"src\", \"pointer\": \"/apps/0/sources\", \"values\": [[\"dev1\"]], "
     "\"labels\": [1, 2]}",
     "\"round-robin\"", "", "$.parameters[0].labels", "one label per value (1), got 2"},
    {"{\"name\": \"src\", \"pointer\": \"/apps/0/sources\", \"values\": [[\"dev1\"]]}",
     "\"round-robin\"", "", "$.parameters[0].values[0]", "[\"dev1\"]"},
    {"{\"name\": \"seed\", \"pointer\": \"/seed\", \"values\": [1]}", "\"round-robin\"", "",
     "$.parameters[0].name", "\"seed\""},
    {"{\"name\": \"x\", \"pointer\": \"/seed\", \"values\": [1], \"range\": {}}", "\"round-robin\"",
     "", "$.parameters[0]", "exactly one"},
    {"{\"name\": \"src\", \"pointer\": \"/apps/0/sources\", \"values\": [[\"dev1\"], "
     "[\"dev9\"]], \"labels\": [\"a\", \"b\"]}",
     "\"round-robin\"", "", "point 1 (src=b)", "\"dev9\""},
    {FPS "{\"from\": -10, \"to\": 10, \"step\": 10}}", "\"round-robin\"", "", "point 0 (fps=-10)",
     "$.apps[0].workload.fps"},
    {SOURCES, "\"round-robin\"", ", \"replications\": 0", "$", "replications"},
};

START_TEST(sweep_rejects_bad)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], out[DIR_SIZE];
	const char *args[] = {"sweep", path, "-o", out, NULL};
	struct tu_proc p = {0};

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	write_sweep(path, bad[_i].params, bad[_i].policies, 2, bad[_i].extra);
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == TS_EXIT_INVALID, "row %d: exit %d: %s", _i, p.exit_code,
		      p.err);
	ck_assert_msg(strstr(p.err, path) != NULL, "row %d: no file in %s", _i, p.err);
	ck_assert_msg(strstr(p.err, bad[_i].path) != NULL, "row %d: no %s in %s", _i, bad[_i].path,
		      p.err);
	ck_assert_msg(strstr(p.err, bad[_i].phrase) != NULL, "row %d: no %s in %s", _i,
		      bad[_i].phrase, p.err);
	ck_assert_uint_eq(p.n_out, 0);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* ---- results ---- */

static void run_sweep(const char *path, const char *out, const char *want_err)
{
	const char *args[] = {"sweep", path, "-o", out, "--quiet", NULL};
	struct tu_proc p = {0};

	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "exit %d: %s", p.exit_code, p.err);
	ck_assert_msg(strcmp(p.err, want_err) == 0, "stderr: \"%s\", want \"%s\"", p.err, want_err);
	tu_proc_release(&p);
}

static void expect_same(const char *a, const char *b, const char *name)
{
	char pa[PATH_SIZE], pb[PATH_SIZE], *ta, *tb;
	size_t na, nb;

	snprintf(pa, sizeof(pa), "%s/%s", a, name);
	snprintf(pb, sizeof(pb), "%s/%s", b, name);
	ta = tu_read_file(pa, &na);
	tb = tu_read_file(pb, &nb);
	ck_assert_msg(ta != NULL && tb != NULL, "%s or %s missing", pa, pb);
	ck_assert_msg(na == nb && memcmp(ta, tb, na) == 0, "%s and %s differ", pa, pb);
	free(ta);
	free(tb);
}

static size_t count_lines(const char *path)
{
	char *text = tu_read_file(path, NULL);
	size_t n = 0;

	ck_assert_ptr_nonnull(text);
	for (const char *c = text; *c != '\0'; c++)
		n += *c == '\n';
	free(text);
	return n;
}

START_TEST(sweep_deterministic)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], a[DIR_SIZE], b[DIR_SIZE];

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	write_sweep(path, SOURCES, "\"round-robin\", \"least-loaded\"", 3, "");
	run_sweep(path, a, "");
	run_sweep(path, b, "");
	expect_same(a, b, "runs.csv");
	expect_same(a, b, "aggregate.csv");
	expect_same(a, b, "manifest.json");
	tu_remove_tmpdir(dir);
}
END_TEST

/* Stopped after 5 of 12 items, with a record cut short at the end of the
 * journal: the same command runs the other 7 and gives what an
 * uninterrupted sweep gives; each item is in the journal once. */
START_TEST(sweep_resumes)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], a[DIR_SIZE], b[DIR_SIZE], j[PATH_SIZE];
	const char *args[] = {"sweep", path, "-o", b, "--quiet", NULL};
	struct tu_proc p = {0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(j, sizeof(j), "%s/journal.jsonl", b);
	write_sweep(path, SOURCES, "\"round-robin\", \"least-loaded\"", 3, "");
	run_sweep(path, a, "");
	setenv("TIERSIM_SWEEP_STOP_AFTER", "5", 1);
	tu_spawn(args, &p);
	unsetenv("TIERSIM_SWEEP_STOP_AFTER");
	ck_assert_msg(p.exit_code == TS_EXIT_RUNTIME, "exit %d: %s", p.exit_code, p.err);
	ck_assert_ptr_nonnull(strstr(p.err, "stopped after 5 work items"));
	tu_proc_release(&p);
	ck_assert_uint_eq(count_lines(j), 1 + 5);
	snprintf(path, sizeof(path), "%s/runs.csv", b);
	ck_assert_ptr_null(tu_read_file(path, NULL));
	f = fopen(j, "a");
	ck_assert_ptr_nonnull(f);
	fputs("{\"item\": 7, \"metr", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "%s/s.json", dir);
	run_sweep(path, b, "tiersim: resuming: 5 of 12 work items done\n");
	ck_assert_uint_eq(count_lines(j), 1 + 12);
	expect_same(a, b, "runs.csv");
	expect_same(a, b, "aggregate.csv");
	expect_same(a, b, "manifest.json");
	/* Nothing left to run; the results are written again, the same. */
	run_sweep(path, b, "tiersim: resuming: 12 of 12 work items done\n");
	ck_assert_uint_eq(count_lines(j), 1 + 12);
	expect_same(a, b, "aggregate.csv");
	/* Another sweep refuses this journal. */
	write_sweep(path, SOURCES, "\"round-robin\", \"least-loaded\"", 2, "");
	tu_spawn(args, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_INVALID);
	ck_assert_msg(strstr(p.err, "the journal of another sweep") != NULL, "%s", p.err);
	ck_assert_ptr_nonnull(strstr(p.err, j));
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A failed run fails the sweep (exit 1) naming its work item, and writes
 * no result file; the items before it stay in the journal. */
START_TEST(sweep_failed_item)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], out[DIR_SIZE], base[PATH_SIZE];
	const char *args[] = {"sweep", path, "-o", out, "--quiet", NULL};
	struct tu_proc p = {0};
	FILE *f;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	tu_source_path(base, sizeof(base), "tests/data/sim/out-of-range.json");
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"format\": \"tiersim-sweep/1\", \"name\": \"t\", \"scenario\": \"%s\", "
		"\"parameters\": [{\"name\": \"oor\", \"pointer\": \"/out_of_range\", "
		"\"values\": [\"clamp\", \"error\"], \"labels\": [\"clamp\", \"error\"]}], "
		"\"policies\": [\"all-edge\"], \"replications\": 2, \"seed\": 1}\n",
		base);
	ck_assert_int_eq(fclose(f), 0);
	tu_spawn(args, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_RUNTIME);
	ck_assert_msg(strstr(p.err, "work item 2 (point 1 (oor=error), policy all-edge, "
				    "replication 0): ") != NULL,
		      "%s", p.err);
	tu_proc_release(&p);
	snprintf(path, sizeof(path), "%s/journal.jsonl", out);
	ck_assert_uint_eq(count_lines(path), 1 + 2);
	snprintf(path, sizeof(path), "%s/aggregate.csv", out);
	ck_assert_ptr_null(tu_read_file(path, NULL));
	tu_remove_tmpdir(dir);
}
END_TEST

/* A journal another process holds the lock of is left alone. */
START_TEST(sweep_refuses_locked_journal)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], out[DIR_SIZE], j[PATH_SIZE];
	const char *args[] = {"sweep", path, "-o", out, "--quiet", NULL};
	struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	struct tu_proc p = {0};
	int fd;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(j, sizeof(j), "%s/journal.jsonl", out);
	write_sweep(path, SOURCES, "\"round-robin\"", 1, "");
	ck_assert_int_eq(mkdir(out, 0777), 0);
	fd = open(j, O_RDWR | O_CREAT, 0666);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_SETLK, &lock), 0);
	tu_spawn(args, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_RUNTIME);
	ck_assert_msg(strstr(p.err, "another tiersim sweep") != NULL, "%s", p.err);
	ck_assert_uint_eq(count_lines(j), 0);
	tu_proc_release(&p);
	close(fd);
	tu_remove_tmpdir(dir);
}
END_TEST

/* The value of runs.csv row `row` (0-based, after the header) in column
 * `col`, copied into cell. */
static void csv_cell(const char *csv, size_t row, size_t col, char *cell, size_t size)
{
	const char *line = csv, *c;
	size_t n;

	for (size_t r = 0; r <= row; r++)
		line = strchr(line, '\n') + 1;
	for (c = line; col > 0; col--)
		c = strpbrk(c, ",\n") + 1;
	n = strcspn(c, ",\n");
	ck_assert_uint_lt(n, size);
	snprintf(cell, size, "%.*s", (int)n, c);
}

static size_t csv_column(const char *csv, const char *name)
{
	size_t len = strlen(name), col = 0;

	for (const char *c = csv;; col++) {
		size_t n = strcspn(c, ",\n");

		if (n == len && strncmp(c, name, len) == 0)
			return col;
		if (c[n] != ',')
			break;
		c += n + 1;
	}
	ck_abort_msg("no column %s", name);
	return 0;
}

/* Every leaf of summary.json's metric groups equals its runs.csv cell
 * (empty for null). */
static void compare_leaves(const cJSON *node, const char *prefix, const char *csv, size_t row,
			   size_t *compared)
{
	for (const cJSON *c = node->child; c != NULL; c = c->next) {
		char name[512], cell[64];

		snprintf(name, sizeof(name), "%s.%s", prefix, c->string);
		if (cJSON_IsObject(c)) {
			compare_leaves(c, name, csv, row, compared);
			continue;
		}
		csv_cell(csv, row, csv_column(csv, name), cell, sizeof(cell));
		if (cJSON_IsNull(c))
			ck_assert_msg(cell[0] == '\0', "%s: %s, want empty", name, cell);
		else
			ck_assert_msg(strtod(cell, NULL) == c->valuedouble, "%s: %s, want %.17g",
				      name, cell, c->valuedouble);
		++*compared;
	}
}

#define AGG_HEADER "point,warm,policy,metric,n,mean,ci95_half_width\n"

/* Work item (point 1, least-loaded, replication 1) is `tiersim run` of
 * the point's scenario with the item's seed; and aggregate.csv's mean is
 * stats_mean_ci95 over the replications' runs.csv cells. */
START_TEST(sweep_item_equals_run)
{
	static const char *const groups[] = {"totals", "apps", "nodes", "tiers"};
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], out[DIR_SIZE], run[DIR_SIZE], seed[32],
	     base[PATH_SIZE], cell[64], want[256], *csv, *text;
	const char *args[] = {"run",	      base, "--seed", seed,	 "--policy",
			      "least-loaded", "-o", run,      "--quiet", NULL};
	struct tu_proc p = {0};
	size_t compared = 0, row = 1 * 2 * 3 + 1 * 3 + 1;
	double x[3], mean, half;
	cJSON *summary;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(run, sizeof(run), "%s/run", dir);
	tu_source_path(base, sizeof(base), "tests/data/sweep/base.json");
	/* Point 1 is the base scenario itself. */
	write_sweep(path,
		    "{\"name\": \"warm\", \"pointer\": \"/warmup_s\", \"values\": [0.25, 0.5]}",
		    "\"round-robin\", \"least-loaded\"", 3, "");
	run_sweep(path, out, "");
	snprintf(path, sizeof(path), "%s/runs.csv", out);
	csv = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(csv);
	csv_cell(csv, row, 0, cell, sizeof(cell));
	ck_assert_str_eq(cell, "1");
	csv_cell(csv, row, 2, cell, sizeof(cell));
	ck_assert_str_eq(cell, "least-loaded");
	csv_cell(csv, row, 4, seed, sizeof(seed));
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	tu_proc_release(&p);
	snprintf(path, sizeof(path), "%s/summary.json", run);
	text = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(text);
	summary = cJSON_Parse(text);
	ck_assert_ptr_nonnull(summary);
	for (size_t g = 0; g < 4; g++)
		compare_leaves(cJSON_GetObjectItemCaseSensitive(summary, groups[g]), groups[g], csv,
			       row, &compared);
	ck_assert_uint_gt(compared, 50);
	cJSON_Delete(summary);
	free(text);
	for (size_t r = 0; r < 3; r++) {
		csv_cell(csv, row - 1 + r, csv_column(csv, "apps.od.mean_ms"), cell, sizeof(cell));
		x[r] = strtod(cell, NULL);
	}
	stats_mean_ci95(x, 3, &mean, &half);
	snprintf(want, sizeof(want), "\n1,0.5,least-loaded,apps.od.mean_ms,3,%.17g,%.17g\n", mean,
		 half);
	free(csv);
	snprintf(path, sizeof(path), "%s/aggregate.csv", out);
	csv = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(csv);
	ck_assert_msg(strstr(csv, want) != NULL, "aggregate.csv lacks %s", want);
	ck_assert_msg(strncmp(csv, AGG_HEADER, strlen(AGG_HEADER)) == 0, "%.80s", csv);
	free(csv);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A parameter that renames the app gives each point other metrics: the
 * columns are their union, a metric a point lacks an empty cell, and its
 * aggregate n 0 with an empty mean and half width. */
START_TEST(sweep_metric_union)
{
	char *dir = tu_make_tmpdir(), path[PATH_SIZE], out[DIR_SIZE], cell[64], *csv;

	snprintf(path, sizeof(path), "%s/s.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	write_sweep(path,
		    "{\"name\": \"app\", \"pointer\": \"/apps/0/id\", \"values\": [\"od\", "
		    "\"xx\"], \"labels\": [\"od\", \"xx\"]}",
		    "\"round-robin\"", 2, "");
	run_sweep(path, out, "");
	snprintf(path, sizeof(path), "%s/runs.csv", out);
	csv = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(csv);
	ck_assert_uint_lt(csv_column(csv, "apps.od.count"), csv_column(csv, "apps.xx.count"));
	csv_cell(csv, 0, csv_column(csv, "apps.xx.count"), cell, sizeof(cell));
	ck_assert_str_eq(cell, "");
	csv_cell(csv, 0, csv_column(csv, "apps.od.count"), cell, sizeof(cell));
	ck_assert_str_ne(cell, "");
	csv_cell(csv, 2, csv_column(csv, "apps.od.count"), cell, sizeof(cell));
	ck_assert_str_eq(cell, "");
	free(csv);
	snprintf(path, sizeof(path), "%s/aggregate.csv", out);
	csv = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(csv);
	ck_assert_ptr_nonnull(strstr(csv, "\n0,od,round-robin,apps.xx.count,0,,\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\n1,xx,round-robin,apps.od.count,0,,\n"));
	free(csv);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(sweep_usage)
{
	const char *none[] = {"sweep", NULL}, *opt[] = {"sweep", "x.json", "--fast", NULL},
		   *help[] = {"help", "sweep", NULL}, *main_help[] = {"--help", NULL};
	struct tu_proc p = {0};

	tu_spawn(none, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_USAGE);
	tu_proc_release(&p);
	tu_spawn(opt, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(p.err, "--fast"));
	tu_proc_release(&p);
	tu_spawn(help, &p);
	ck_assert_int_eq(p.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "usage: tiersim sweep SWEEP"));
	tu_proc_release(&p);
	tu_spawn(main_help, &p);
	ck_assert_int_eq(p.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(p.out, "\n  sweep SWEEP [options] "));
	tu_proc_release(&p);
}
END_TEST

static Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");

	/* Each case starts tiersim and simulates; seconds, not the default 4. */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, sweep_expands_cartesian);
	tcase_add_test(tc, sweep_seeds_documented);
	tcase_add_loop_test(tc, sweep_rejects_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, sweep_deterministic);
	tcase_add_test(tc, sweep_resumes);
	tcase_add_test(tc, sweep_refuses_locked_journal);
	tcase_add_test(tc, sweep_failed_item);
	tcase_add_test(tc, sweep_item_equals_run);
	tcase_add_test(tc, sweep_metric_union);
	tcase_add_test(tc, sweep_usage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(sweep_suite());
}
