/* Atomic result files: nothing appears under the final name before
 * commit, and a discarded file leaves nothing behind. */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"
#include "testutil.h"

static char *dir;

static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void setup(void)
{
	dir = tu_make_tmpdir();
}

static void teardown(void)
{
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
	dir = NULL;
}

START_TEST(outfile_commit_renames)
{
	struct outfile o;
	struct ts_error err = {0};
	char final[512], text[16] = "";
	FILE *f;

	snprintf(final, sizeof(final), "%s/summary.json", dir);
	ck_assert_int_eq(outfile_open(&o, dir, "summary.json", &err), 0);
	fputs("{}\n", o.f);
	/* Written but not committed: only the temporary file exists. */
	ck_assert_int_ne(access(final, F_OK), 0);
	ck_assert_int_eq(entries(dir), 1);
	ck_assert_int_eq(outfile_commit(&o, &err), 0);
	f = fopen(final, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_str_eq(text, "{}\n");
	ck_assert_int_eq(entries(dir), 1);
	outfile_discard(&o);
	ck_assert_int_eq(access(final, F_OK), 0);
}
END_TEST

START_TEST(outfile_discard_leaves_nothing)
{
	struct outfile o;
	struct ts_error err = {0};

	ck_assert_int_eq(outfile_open(&o, dir, "requests.csv", &err), 0);
	fputs("partial", o.f);
	outfile_discard(&o);
	ck_assert_int_eq(entries(dir), 0);
	outfile_discard(&o);
}
END_TEST

START_TEST(outfile_missing_directory_is_an_error)
{
	struct outfile o;
	struct ts_error err = {0};
	char missing[512];

	snprintf(missing, sizeof(missing), "%s/no/such", dir);
	ck_assert_int_eq(outfile_open(&o, missing, "x.json", &err), TS_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot create"));
	ck_assert_ptr_null(o.f);
}
END_TEST

START_TEST(outfile_mkdirs_nested)
{
	struct ts_error err = {0};
	char nested[512], blocker[512];
	FILE *f;

	snprintf(nested, sizeof(nested), "%s/a/b/c", dir);
	ck_assert_int_eq(outfile_mkdirs(nested, &err), 0);
	ck_assert_int_eq(access(nested, W_OK), 0);
	ck_assert_int_eq(outfile_mkdirs(nested, &err), 0);
	/* A file where a directory should be. */
	snprintf(blocker, sizeof(blocker), "%s/file", dir);
	f = fopen(blocker, "w");
	fclose(f);
	snprintf(nested, sizeof(nested), "%s/file/sub", dir);
	ck_assert_int_eq(outfile_mkdirs(nested, &err), TS_EIO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, outfile_commit_renames);
	tcase_add_test(tc, outfile_discard_leaves_nothing);
	tcase_add_test(tc, outfile_missing_directory_is_an_error);
	tcase_add_test(tc, outfile_mkdirs_nested);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
