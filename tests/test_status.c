/* Status texts, exit codes and the error message helpers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "testutil.h"

static const struct {
	int status;
	int exit_code;
	const char *text;
} cases[] = {
    {TS_EOK, 0, "success"},
    {TS_ENOMEM, 1, "out of memory"},
    {TS_EIO, 1, "input/output error"},
    {TS_ERUNTIME, 1, "runtime failure"},
    {TS_EUSAGE, 2, "usage error"},
    {TS_ESYNTAX, 3, "syntax error"},
    {TS_EINVALID, 3, "invalid input"},
    {-999, 1, "unknown status"},
};

START_TEST(status_texts_and_exit_codes)
{
	ck_assert_str_eq(ts_strstatus(cases[_i].status), cases[_i].text);
	ck_assert_int_eq(ts_status_exit(cases[_i].status), cases[_i].exit_code);
}
END_TEST

START_TEST(status_error_set_and_prefix)
{
	struct ts_error err = {0};

	ck_assert_int_eq(ts_error_set(&err, TS_EINVALID, "bad %s", "value"), TS_EINVALID);
	ck_assert_str_eq(err.msg, "bad value");
	ts_error_prefix(&err, "%s: ", "file.json");
	ck_assert_str_eq(err.msg, "file.json: bad value");
	/* A NULL error is allowed and keeps the status. */
	ck_assert_int_eq(ts_error_set(NULL, TS_EIO, "ignored"), TS_EIO);
	ts_error_prefix(NULL, "ignored");
}
END_TEST

START_TEST(status_long_messages_are_cut)
{
	struct ts_error err = {0};
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ts_error_set(&err, TS_EINVALID, "%s", big);
	ck_assert_uint_eq(strlen(err.msg), sizeof(err.msg) - 1);
	ts_error_prefix(&err, "%s", "prefix: ");
	ck_assert_uint_eq(strlen(err.msg), sizeof(err.msg) - 1);
	ck_assert(strncmp(err.msg, "prefix: x", 9) == 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, status_texts_and_exit_codes, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, status_error_set_and_prefix);
	tcase_add_test(tc, status_long_messages_are_cut);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
