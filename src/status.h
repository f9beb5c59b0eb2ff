/* Status codes and the caller-owned error message.
 *
 * Every fallible function returns 0 or a negative TS_E* status.  The
 * deepest layer that knows the context (file, JSON path, line and column,
 * the bad value, what was expected) writes the message into a
 * caller-owned struct ts_error; upper layers may prefix it, never replace
 * it.  Only main() turns a status into an exit code.
 */
#ifndef TIERSIM_STATUS_H
#define TIERSIM_STATUS_H

#include <stddef.h>

/* X(name, value, exit code, text) */
#define TS_STATUS_MAP(X)                                                                           \
	X(OK, 0, 0, "success")                                                                     \
	X(NOMEM, -1, 1, "out of memory")                                                           \
	X(IO, -2, 1, "input/output error")                                                         \
	X(RUNTIME, -3, 1, "runtime failure")                                                       \
	X(USAGE, -4, 2, "usage error")                                                             \
	X(SYNTAX, -5, 3, "syntax error")                                                           \
	X(INVALID, -6, 3, "invalid input")

enum ts_status {
#define TS_STATUS_ENUM(name, value, exit_code, text) TS_E##name = value,
	TS_STATUS_MAP(TS_STATUS_ENUM)
#undef TS_STATUS_ENUM
};

/* Exit codes of the tiersim program (documented in docs/cli.md). */
enum ts_exit {
	TS_EXIT_OK = 0,
	TS_EXIT_RUNTIME = 1,
	TS_EXIT_USAGE = 2,
	TS_EXIT_INVALID = 3,
};

struct ts_error {
	char msg[1024];
};

/* Human text of a status; "unknown status" for values outside the map. */
const char *ts_strstatus(int status);

/* Exit code for a status (0 for TS_EOK). */
int ts_status_exit(int status);

/* Writes the message (printf format) into err, which may be NULL, and
 * returns status, so callers can write `return ts_error_set(err, ...)`. */
int ts_error_set(struct ts_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts a printf-formatted prefix in front of the existing message. */
void ts_error_prefix(struct ts_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
