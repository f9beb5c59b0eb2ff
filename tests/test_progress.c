/* The progress line's text (progress.h); whether it is shown at all is
 * tested end to end (not on a terminal: nothing, test_sim). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "progress.h"
#include "testutil.h"

static const struct {
	const char *work, *unit;
	double fraction, elapsed_s;
	uint64_t count;
	const char *want;
} lines[] = {
    {"simulated time", "events", 0.25, 2, 1000000,
     " 25.0% of simulated time, 5e+05 events/s, ETA 0:06"},
    {"simulated time", "events", 0.5, 90, 9000, " 50.0% of simulated time, 100 events/s, ETA 1:30"},
    {"simulated time", "events", 0.01, 100, 1,
     "  1.0% of simulated time, 0.01 events/s, ETA 2.8 h"},
    {"simulated time", "events", 0, 1.5, 0, "  0.0% of simulated time, 0 events/s, ETA ?"},
    {"simulated time", "events", 1, 3, 3, "100.0% of simulated time, 1 events/s, ETA 0:00"},
    {"work items", "items", 0.75, 30, 90, " 75.0% of work items, 3 items/s, ETA 0:10"},
};

START_TEST(progress_format_line)
{
	char buf[160];

	progress_format(buf, sizeof(buf), lines[_i].work, lines[_i].unit, lines[_i].fraction,
			lines[_i].elapsed_s, lines[_i].count);
	ck_assert_str_eq(buf, lines[_i].want);
}
END_TEST

/* A silent progress (no terminal, or --quiet) writes nothing, and a fresh
 * one shows nothing before PROGRESS_DELAY_S. */
START_TEST(progress_silent_and_delayed)
{
	FILE *f = tmpfile();
	struct progress p;

	ck_assert_ptr_nonnull(f);
	progress_init(&p, NULL, 100, "work items", "items");
	progress_update(&p, 50, 1000);
	progress_finish(&p);
	progress_init(&p, f, 100, "work items", "items");
	progress_update(&p, 50, 1000);
	progress_finish(&p);
	ck_assert_int_eq(ftell(f), 0);
	fclose(f);
}
END_TEST

static Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, progress_format_line, 0, sizeof(lines) / sizeof(lines[0]));
	tcase_add_test(tc, progress_silent_and_delayed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(progress_suite());
}
