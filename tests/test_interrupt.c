/* Results survive interruption: `tiersim run` killed with SIGKILL at
 * several moments leaves under a final name only files equal to those of
 * an uninterrupted run, and nothing else but temporary files named
 * .NAME.tmp.PID.  The moments only vary where the kill lands; nothing
 * here depends on how long a run takes. */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

/* What the run writes: requests.csv, trace.json (inside the results
 * directory), summary.json, manifest.json. */
static const char *const finals[] = {"manifest.json", "summary.json", "requests.csv", "trace.json"};
#define N_FINALS (sizeof(finals) / sizeof(finals[0]))

/* Kill moments after the program has started, in microseconds. */
static const long kill_after_us[] = {0,	    1000,  2000,   5000,   10000,
				     20000, 50000, 100000, 200000, 400000};
#define N_KILLS (sizeof(kill_after_us) / sizeof(kill_after_us[0]))

static char *tmp;
static char scenario[512];
static char *reference[N_FINALS];
static size_t reference_len[N_FINALS];

/* The minimal test scenario run for 3000 s instead of 10, so that a run
 * with its request rows and trace takes a moment. */
static void write_scenario(void)
{
	char src[512];
	char *text, *at;
	FILE *f;

	tu_source_path(src, sizeof(src), "tests/scenarios/minimal.json");
	text = tu_read_file(src, NULL);
	ck_assert_ptr_nonnull(text);
	at = strstr(text, "\"duration_s\": 10,");
	ck_assert_ptr_nonnull(at);
	snprintf(scenario, sizeof(scenario), "%s/long.json", tmp);
	f = fopen(scenario, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%.*s\"duration_s\": 3000,%s", (int)(at - text), text,
		at + strlen("\"duration_s\": 10,"));
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

/* argv of a run into out; trace receives the trace file's path. */
static void run_args(const char *out, char *trace, size_t size, const char **args)
{
	snprintf(trace, size, "%s/trace.json", out);
	args[0] = "run";
	args[1] = scenario;
	args[2] = "-o";
	args[3] = out;
	args[4] = "--requests-csv";
	args[5] = "--replications";
	args[6] = "3";
	args[7] = "--trace";
	args[8] = trace;
	args[9] = "--trace-sample";
	args[10] = "10";
	args[11] = "--quiet";
	args[12] = NULL;
}

static void setup(void)
{
	char out[512], trace[600];
	const char *args[13];
	struct tu_proc p;

	tmp = tu_make_tmpdir();
	write_scenario();
	snprintf(out, sizeof(out), "%s/run", tmp);
	run_args(out, trace, sizeof(trace), args);
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "reference run: %s", p.err);
	tu_proc_release(&p);
	for (size_t i = 0; i < N_FINALS; i++) {
		char path[600];

		snprintf(path, sizeof(path), "%s/%s", out, finals[i]);
		reference[i] = tu_read_file(path, &reference_len[i]);
		ck_assert_msg(reference[i] != NULL, "%s: %s", path, strerror(errno));
	}
	ck_assert_int_eq(tu_remove_tmpdir(strdup(out)), 0);
}

static void teardown(void)
{
	for (size_t i = 0; i < N_FINALS; i++) {
		free(reference[i]);
		reference[i] = NULL;
	}
	ck_assert_int_eq(tu_remove_tmpdir(tmp), 0);
	tmp = NULL;
}

/* Starts tiersim with args and returns once it is running: the pipe's
 * write end closes on exec. */
static pid_t start(const char *const *args)
{
	const char *bin = getenv("TIERSIM_BIN");
	char *argv[16] = {(char *)bin};
	int fds[2];
	char byte;
	pid_t pid;
	ssize_t got;

	ck_assert_ptr_nonnull(bin);
	for (size_t i = 0; args[i] != NULL; i++)
		argv[i + 1] = (char *)args[i];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(fcntl(fds[1], F_SETFD, FD_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fds[0]);
		execv(bin, argv);
		/* Reached only when exec failed: the parent reads this byte. */
		byte = 1;
		(void)!write(fds[1], &byte, 1);
		_exit(127);
	}
	close(fds[1]);
	while ((got = read(fds[0], &byte, 1)) < 0 && errno == EINTR)
		continue;
	close(fds[0]);
	ck_assert_msg(got == 0, "cannot start %s", bin);
	return pid;
}

static long final_index(const char *name)
{
	for (size_t i = 0; i < N_FINALS; i++)
		if (strcmp(name, finals[i]) == 0)
			return (long)i;
	return -1;
}

/* A temporary name of process pid: .NAME.tmp.PID with NAME a final name. */
static bool is_temporary(const char *name, pid_t pid)
{
	char expected[128];

	for (size_t i = 0; i < N_FINALS; i++) {
		snprintf(expected, sizeof(expected), ".%s.tmp.%ld", finals[i], (long)pid);
		if (strcmp(name, expected) == 0)
			return true;
	}
	return false;
}

/* Checks out after a kill; returns how many final files it held. */
static int check_results(const char *out, pid_t pid, long after_us)
{
	DIR *d = opendir(out);
	struct dirent *e;
	int complete = 0;

	if (d == NULL) {
		/* Killed before it made the directory. */
		ck_assert_int_eq(errno, ENOENT);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		long i = final_index(e->d_name);
		char path[1024];
		char *text;
		size_t len;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (i < 0) {
			ck_assert_msg(is_temporary(e->d_name, pid),
				      "killed after %ld us: unexpected file %s", after_us,
				      e->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", out, e->d_name);
		text = tu_read_file(path, &len);
		ck_assert_ptr_nonnull(text);
		ck_assert_msg(len == reference_len[i] && memcmp(text, reference[i], len) == 0,
			      "killed after %ld us: %s (%zu bytes) differs from the "
			      "uninterrupted run's (%zu bytes)",
			      after_us, e->d_name, len, reference_len[i]);
		if (strstr(e->d_name, ".json") != NULL) {
			cJSON *doc = cJSON_Parse(text);

			ck_assert_msg(doc != NULL, "%s does not parse", path);
			cJSON_Delete(doc);
		}
		free(text);
		complete++;
	}
	closedir(d);
	return complete;
}

START_TEST(interrupt_sigkill_leaves_complete_files)
{
	long after_us = kill_after_us[_i];
	char out[512], trace[600];
	const char *args[13];
	struct timespec ts = {after_us / 1000000, (after_us % 1000000) * 1000};
	int status;
	pid_t pid;

	/* The manifest names the trace file: every run writes to the same
	 * directory, emptied first. */
	snprintf(out, sizeof(out), "%s/run", tmp);
	ck_assert_int_eq(tu_remove_tmpdir(strdup(out)), 0);
	run_args(out, trace, sizeof(trace), args);
	pid = start(args);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
	/* The run may have ended already: kill then finds a zombie. */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	while (waitpid(pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	ck_assert(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
	if (WIFEXITED(status))
		ck_assert_int_eq(check_results(out, pid, after_us), (int)N_FINALS);
	else
		check_results(out, pid, after_us);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("interrupt");
	TCase *tc = tcase_create("sigkill");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, interrupt_sigkill_leaves_complete_files, 0, (int)N_KILLS);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
