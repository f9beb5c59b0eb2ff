/* Delay traces: the shipped ping logs, plain files, and broken files that
 * must be refused naming the file and line. */
#include <check.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "trace.h"
#include "testutil.h"

#define NROW(a)	  (sizeof(a) / sizeof((a)[0]))
#define PATH_SIZE 4096

static void load(const char *rel, struct trace *t)
{
	char path[PATH_SIZE];
	struct ts_error err = {""};
	int rc;

	tu_source_path(path, sizeof(path), rel);
	rc = trace_load(path, t, &err);
	ck_assert_msg(rc == 0, "%s: %s", rel, err.msg);
	ck_assert_str_eq(t->path, path);
}

/* Rows: a shipped ping log and its figures, read off its reply lines
 * (iputils prints 3 significant digits there; the summary line's min and
 * max have more). */
struct log_case {
	const char *file;
	size_t n;
	double min, median, max;
};

static const struct log_case logs[] = {
    {"traces/ping-MEC-cmWave.txt", 877, 9.48, 14.4, 23.3},
    {"traces/ping-MEC-ORAN-upd.txt", 982, 9.33, 24.3, 461},
};

START_TEST(trace_ping_logs)
{
	const struct log_case *c = &logs[_i];
	struct trace t;

	load(c->file, &t);
	ck_assert(t.ping);
	ck_assert_uint_eq(t.n, c->n);
	ck_assert_double_eq(t.sorted[0], c->min);
	ck_assert_double_eq_tol(gsl_stats_median_from_sorted_data(t.sorted, 1, t.n), c->median,
				1e-12);
	ck_assert_double_eq(t.sorted[t.n - 1], c->max);
	for (size_t i = 1; i < t.n; i++)
		ck_assert_double_le(t.sorted[i - 1], t.sorted[i]);
	trace_release(&t);
}
END_TEST

START_TEST(trace_ping_skips_no_reply_lines)
{
	struct trace t;

	load("tests/data/traces/ping-lossy.txt", &t);
	ck_assert(t.ping);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_double_eq(t.ms[0], 0.045);
	ck_assert_double_eq(t.ms[1], 12);
	trace_release(&t);
}
END_TEST

START_TEST(trace_plain_comments_and_blank_lines)
{
	static const double want[] = {12.5, 7, 3.25, 10, 0};
	static const double sorted[] = {0, 3.25, 7, 10, 12.5};
	struct trace t;

	load("tests/data/traces/plain.txt", &t);
	ck_assert(!t.ping);
	ck_assert_uint_eq(t.n, NROW(want));
	for (size_t i = 0; i < NROW(want); i++) {
		ck_assert_double_eq(t.ms[i], want[i]);
		ck_assert_double_eq(t.sorted[i], sorted[i]);
	}
	trace_release(&t);

	load("tests/data/traces/plain-crlf.txt", &t);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_double_eq(t.ms[0], 1);
	ck_assert_double_eq(t.ms[1], 2.5);
	trace_release(&t);
	/* Released twice: still safe. */
	trace_release(&t);
}
END_TEST

/* Rows: a broken trace, the line its message must name (0: none, the
 * message starts "FILE: ") and a phrase of the message. */
struct broken_case {
	const char *file;
	size_t line;
	const char *text;
};

static const struct broken_case broken[] = {
    {"garbage.txt", 3, "expected one delay in ms per line, got \"hello world\""},
    {"bad-number.txt", 2, "expected one delay in ms per line, got \"1.2.3\""},
    {"unit.txt", 1, "expected one delay in ms per line, got \"12 ms\""},
    {"negative.txt", 2, "expected a finite delay >= 0 ms, got \"-1\""},
    {"nan.txt", 2, "expected a finite delay >= 0 ms, got \"nan\""},
    {"inf.txt", 3, "expected a finite delay >= 0 ms, got \"inf\""},
    {"overflow.txt", 2, "expected a finite delay >= 0 ms, got \"1e999\""},
    {"nul.txt", 2, "expected one delay in ms per line, got \"12?\""},
    {"long-line.txt", 2, "got \"x?yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...\""},
    {"empty.txt", 0, "no delay values"},
    {"only-comments.txt", 0, "no delay values"},
    {"ping-time-abc.txt", 2,
     "expected \"time=X ms\" with X a number of milliseconds, got \"64 bytes from"},
    {"ping-time-bound.txt", 3, "expected a ping reply with \"time=X ms\", got \"64 bytes from"},
    {"ping-no-time.txt", 2, "expected a ping reply with \"time=X ms\", got \"16 bytes from"},
    {"ping-plain-line.txt", 3,
     "expected a ping reply (\"... bytes from ...: ... time=X ms\"), "
     "got \"12.5\""},
    {"ping-negative.txt", 2, "expected a finite delay >= 0 ms, got \"64 bytes from"},
    {"ping-no-replies.txt", 0, "no delay values"},
    {"no-such-trace.txt", 0, "cannot open"},
    {".", 0, "not a regular file"},
};

START_TEST(trace_rejects_broken)
{
	const struct broken_case *c = &broken[_i];
	char rel[256], path[PATH_SIZE], where[PATH_SIZE + 32];
	struct ts_error err = {""};
	struct trace t = {.n = 99};

	snprintf(rel, sizeof(rel), "tests/data/traces/broken/%s", c->file);
	tu_source_path(path, sizeof(path), rel);
	ck_assert_int_eq(trace_load(path, &t, &err), TS_EINVALID);
	if (c->line > 0)
		snprintf(where, sizeof(where), "%s:%zu: ", path, c->line);
	else
		snprintf(where, sizeof(where), "%s: ", path);
	ck_assert_msg(strncmp(err.msg, where, strlen(where)) == 0, "%s: message lacks \"%s\": %s",
		      c->file, where, err.msg);
	ck_assert_msg(strstr(err.msg, c->text) != NULL, "%s: message lacks \"%s\": %s", c->file,
		      c->text, err.msg);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	/* The output is written only on success. */
	ck_assert_uint_eq(t.n, 99);
}
END_TEST

static Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");

	tcase_add_loop_test(tc, trace_ping_logs, 0, NROW(logs));
	tcase_add_test(tc, trace_ping_skips_no_reply_lines);
	tcase_add_test(tc, trace_plain_comments_and_blank_lines);
	tcase_add_loop_test(tc, trace_rejects_broken, 0, NROW(broken));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(trace_suite());
}
