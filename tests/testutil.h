/* Helpers shared by the Check suites: the test program's main, files,
 * paths under the source tree, temporary directories and runs of the
 * built tiersim.  They run inside tests: a failure (out of memory, a path
 * that does not fit, a missing environment variable) fails the calling
 * test with a Check assertion. */
#ifndef TIERSIM_TESTUTIL_H
#define TIERSIM_TESTUTIL_H

#include <check.h>
#include <stddef.h>

/* Runs every test of s, which it takes over and frees, with GSL's
 * abort-on-error handler turned off (the code under test reports GSL's
 * errors itself); returns EXIT_SUCCESS when all passed, else EXIT_FAILURE:
 * main's exit status. */
int tu_run(Suite *s);

/* The whole of the file at path, NUL-terminated, in memory the caller
 * frees; NULL (errno set by fopen) when it cannot be opened.  *len, when
 * len is not NULL, receives the size without the final NUL. */
char *tu_read_file(const char *path, size_t *len);

/* $TIERSIM_SOURCE_ROOT/rel into buf of size bytes; fails the test when
 * the variable is not set or the path does not fit.  rel "" gives the
 * root with a final '/'. */
void tu_source_path(char *buf, size_t size, const char *rel);

/* A fresh empty directory under $TMPDIR (/tmp when unset or empty); its
 * path, which the caller hands to tu_remove_tmpdir. */
char *tu_make_tmpdir(void);

/* Removes dir with everything below it (links are removed, not
 * followed), then frees dir; NULL does nothing.  Returns 0 when all is
 * gone, -1 when something could not be removed. */
int tu_remove_tmpdir(char *dir);

/* What a run of the built tiersim gave. */
struct tu_proc {
	int exit_code;	 /* -1 when killed by a signal */
	char *out, *err; /* stdout and stderr, NUL-terminated; owned */
	size_t n_out, n_err;
};

/* Runs $TIERSIM_BIN with args (NULL-terminated, not including the
 * program's name) in the current directory and environment, without a
 * shell, and fills *p with its exit code and everything it wrote to
 * stdout and stderr.  *p's previous contents are overwritten, not freed:
 * release a filled one first. */
void tu_spawn(const char *const *args, struct tu_proc *p);

/* tu_spawn with the command line prefixed by wrapper (a NULL-terminated
 * program and its arguments, e.g. valgrind's, looked up on PATH; NULL for
 * none). */
void tu_spawn_with(const char *const *wrapper, const char *const *args, struct tu_proc *p);

/* Frees p's output and zeroes it; a zeroed p is fine. */
void tu_proc_release(struct tu_proc *p);

#endif
