/* Allocation failure: the built tiersim, with tests/failalloc.c preloaded,
 * is run once to count its allocations, then again with the n-th and
 * every later allocation failing, for each n (or a stride of them, see
 * failalloc_cases below).  Every such run must either succeed with the
 * same results as the counted run or exit with 1 and a message saying it
 * ran out of memory, without a crash signal; and its results directory
 * must hold no file under a final name, or only complete ones, and no
 * temporary file (a failed run removes its own).
 * LeakSanitizer's runtime, preloaded after the library, makes a run that
 * leaks exit with 23 instead. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot.h"
#include "testutil.h"

/* At most this many failing runs per case (TIERSIM_FAILALLOC_MAX_RUNS
 * changes it); above it every ceil(total / max)-th n is run, and n = 1 and
 * n = total always. */
#define MAX_RUNS 500

struct fa_case {
	const char *name;
	/* Arguments after the program name; "OUT" is replaced by the results
	 * directory (made empty before each run), "TRACE" by OUT/trace.json,
	 * "PLOT" by OUT/cdf.png. */
	const char *args[12];
	/* Files a successful run writes into OUT. */
	const char *files[6];
	/* One of them that a failed run may leave as a prefix of the
	 * successful run's (a sweep's journal of finished work items), or
	 * NULL. */
	const char *growing;
};

static const struct fa_case failalloc_cases[] = {
    {"validate",
     {"validate", "tests/scenarios/minimal.json", "tests/data/sim/mixed.json"},
     {0},
     NULL},
    {"run",
     {"run", "tests/scenarios/minimal.json", "-o", "OUT", "--replications", "2", "--requests-csv",
      "--trace", "TRACE", "--quiet"},
     {"manifest.json", "summary.json", "requests.csv", "trace.json"},
     NULL},
    {"run-faults",
     {"run", "tests/data/sim/faults.json", "-o", "OUT", "--requests-csv", "--quiet"},
     {"manifest.json", "summary.json", "requests.csv"},
     NULL},
    {"run-jobs",
     {"run", "scenarios/multijob-10.json", "-o", "OUT", "--quiet"},
     {"manifest.json", "summary.json", "schedule.csv", "gantt.gp", "gantt.dat"},
     NULL},
    {"fit-delay", {"fit-delay", "tests/data/traces/plain.txt"}, {0}, NULL},
    {"fit-delay-plot",
     {"fit-delay", "tests/data/traces/plain.txt", "--plot", "PLOT"},
     {"cdf.png.gp", "cdf.png.dat"},
     NULL},
    {"run-health",
     {"run", "tests/data/health/overload.json", "-o", "OUT", "--quiet"},
     {"manifest.json", "summary.json", "timeseries.csv", "migrations.csv", "states.csv"},
     NULL},
    {"plot-health",
     {"plot", "tests/data/plot/health", "-o", "OUT"},
     {"health.gp", "health.dat"},
     NULL},
    {"plot-sweep",
     {"plot", "tests/data/plot/sweep", "-o", "OUT", "--metric", "apps.od.p95_ms"},
     {"sweep-apps.od.p95_ms.gp", "sweep-apps.od.p95_ms.dat"},
     NULL},
    {"sweep",
     {"sweep", "tests/data/sweep/small.json", "-o", "OUT", "--quiet"},
     {"journal.jsonl", "runs.csv", "aggregate.csv", "manifest.json"},
     "journal.jsonl"},
};
#define N_CASES (sizeof(failalloc_cases) / sizeof(failalloc_cases[0]))

static char *tmp;
/* env's path, found before PATH is changed, and env's argument that
 * preloads the libraries ($TIERSIM_FAILALLOC_PRELOAD). */
static char *env_path;
static char preload[1024];

/* The case's arguments with OUT and TRACE filled in, relative paths
 * under the source tree. */
static void case_args(const struct fa_case *c, const char *out, char bufs[][600], const char **args)
{
	size_t i;

	for (i = 0; c->args[i] != NULL; i++) {
		if (strcmp(c->args[i], "OUT") == 0)
			snprintf(bufs[i], 600, "%s", out);
		else if (strcmp(c->args[i], "TRACE") == 0)
			snprintf(bufs[i], 600, "%s/trace.json", out);
		else if (strcmp(c->args[i], "PLOT") == 0)
			snprintf(bufs[i], 600, "%s/cdf.png", out);
		else if (strchr(c->args[i], '/') != NULL)
			tu_source_path(bufs[i], 600, c->args[i]);
		else
			snprintf(bufs[i], 600, "%s", c->args[i]);
		args[i] = bufs[i];
	}
	args[i] = NULL;
}

/* The allocation count the library reported on stderr. */
static unsigned long reported_count(const struct tu_proc *p)
{
	const char *at = strstr(p->err, "tiersim-failalloc: ");
	unsigned long n = 0;

	ck_assert_msg(at != NULL, "no allocation count in: %s", p->err);
	ck_assert_int_eq(sscanf(at, "tiersim-failalloc: %lu allocations", &n), 1);
	return n;
}

/* dir holds files of the case only, each equal to the counted run's, and
 * all of them when `complete`. */
static void check_dir(const struct fa_case *c, const char *dir, char **reference, bool complete,
		      unsigned long n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t found = 0;

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		size_t i;
		char *text;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		for (i = 0; c->files[i] != NULL; i++)
			if (strcmp(e->d_name, c->files[i]) == 0)
				break;
		ck_assert_msg(c->files[i] != NULL, "%s, n=%lu: unexpected file %s", c->name, n,
			      e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = tu_read_file(path, NULL);
		ck_assert_ptr_nonnull(text);
		if (!complete && c->growing != NULL && strcmp(e->d_name, c->growing) == 0)
			ck_assert_msg(strncmp(text, reference[i], strlen(text)) == 0,
				      "%s, n=%lu: %s is not a prefix of the run without failures",
				      c->name, n, e->d_name);
		else
			ck_assert_msg(strcmp(text, reference[i]) == 0,
				      "%s, n=%lu: %s differs from the run without failures",
				      c->name, n, e->d_name);
		free(text);
		found++;
	}
	closedir(d);
	if (complete) {
		size_t want = 0;

		while (c->files[want] != NULL)
			want++;
		ck_assert_msg(found == want, "%s, n=%lu: %zu of %zu files", c->name, n, found,
			      want);
	}
}

/* One run with allocation n failing (0: none), through env(1) which
 * preloads the libraries into tiersim only. */
static void run_once(const struct fa_case *c, unsigned long n, struct tu_proc *p)
{
	const char *wrapper[] = {env_path, preload, NULL};
	char out[512], bufs[12][600], num[32];
	const char *args[13];

	snprintf(out, sizeof(out), "%s/%s", tmp, c->name);
	ck_assert_int_eq(tu_remove_tmpdir(strdup(out)), 0);
	ck_assert_int_eq(mkdir(out, 0777), 0);
	case_args(c, out, bufs, args);
	snprintf(num, sizeof(num), "%lu", n);
	ck_assert_int_eq(setenv("TIERSIM_FAIL_ALLOC", num, 1), 0);
	tu_spawn_with(wrapper, args, p);
}

START_TEST(failalloc_every_allocation)
{
	const struct fa_case *c = &failalloc_cases[_i];
	const char *max = getenv("TIERSIM_FAILALLOC_MAX_RUNS");
	unsigned long max_runs = max != NULL ? strtoul(max, NULL, 10) : MAX_RUNS;
	unsigned long total, stride, runs = 0, failed = 0;
	char out[512], *reference[6] = {0};
	struct tu_proc p;

	tmp = tu_make_tmpdir();
	snprintf(out, sizeof(out), "%s/%s", tmp, c->name);
	ck_assert_int_eq(setenv("TIERSIM_ALLOC_COUNT", "1", 1), 0);
	run_once(c, 0, &p);
	ck_assert_msg(p.exit_code == 0, "%s without failures: %s", c->name, p.err);
	total = reported_count(&p);
	tu_proc_release(&p);
	for (size_t i = 0; c->files[i] != NULL; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s", out, c->files[i]);
		reference[i] = tu_read_file(path, NULL);
		ck_assert_msg(reference[i] != NULL, "%s: %s", path, strerror(errno));
	}
	ck_assert_uint_gt(max_runs, 0);
	stride = (total + max_runs - 1) / max_runs;
	for (unsigned long n = 1; n <= total; n++) {
		if (n != 1 && n != total && n % stride != 0)
			continue;
		runs++;
		run_once(c, n, &p);
		ck_assert_msg(p.exit_code == 0 || p.exit_code == 1,
			      "%s, n=%lu of %lu: exit code %d (-1: a signal): %s", c->name, n,
			      total, p.exit_code, p.err);
		if (p.exit_code == 1) {
			failed++;
			ck_assert_msg(strstr(p.err, "out of memory") != NULL ||
					  strstr(p.err, "Cannot allocate memory") != NULL,
				      "%s, n=%lu of %lu: %s", c->name, n, total, p.err);
		}
		check_dir(c, out, reference, p.exit_code == 0, n);
		tu_proc_release(&p);
	}
	printf("failalloc %s: %lu allocations, %lu runs with failures, %lu exited 1\n", c->name,
	       total, runs, failed);
	for (size_t i = 0; i < 6; i++)
		free(reference[i]);
	ck_assert_int_eq(tu_remove_tmpdir(tmp), 0);
}
END_TEST

/* Finds env before PATH changes: without gnuplot on PATH the job-set run
 * writes the chart's script and data only, and no other program gets the
 * library. */
static void setup(void)
{
	const char *libs = getenv("TIERSIM_FAILALLOC_PRELOAD");

	env_path = plot_find_on_path("env");
	ck_assert_msg(env_path != NULL, "env is not on PATH");
	ck_assert_msg(libs != NULL, "TIERSIM_FAILALLOC_PRELOAD is not set");
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", libs);
	ck_assert_int_eq(setenv("PATH", "/nonexistent", 1), 0);
}

static void teardown(void)
{
	free(env_path);
	env_path = NULL;
}

int main(void)
{
	Suite *s = suite_create("failalloc");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 280);
	tcase_add_loop_test(tc, failalloc_every_allocation, 0, (int)N_CASES);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
