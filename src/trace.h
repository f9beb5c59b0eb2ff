/* Measured delay traces, in milliseconds.
 *
 * Two text formats, told apart by their content:
 * - plain: one number per line (a CSV or TXT column, in ms); blank lines
 *   and '#' comments (whole-line or trailing) are skipped;
 * - raw Linux ping output: the delay of each reply line is its
 *   "time=X ms"; the PING header, the statistics summary and lines
 *   without a reply (timeouts, unreachable) are skipped.
 * A line that is neither gives "FILE:LINE: " and the line's text.
 */
#ifndef TIERSIM_TRACE_H
#define TIERSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct trace {
	char *path;
	double *ms;	/* in file order */
	double *sorted; /* ascending */
	size_t n;	/* >= 1 */
	bool ping;	/* read as ping output */
};

/* Reads a trace; TS_EINVALID (bad or empty file) or TS_EIO.  Every value
 * must be finite and >= 0.  Release with trace_release. */
int trace_load(const char *path, struct trace *out, struct ts_error *err);

/* Safe on a zeroed or released trace. */
void trace_release(struct trace *t);

#endif
