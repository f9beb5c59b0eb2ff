/* A progress line for long runs: rewritten in place on a terminal, never
 * written anywhere else (the caller decides, e.g. isatty(stderr) and not
 * --quiet).  Work is counted in any unit (simulated ns for `run`, work
 * items for `sweep`) and its rate in another (events, items); the line
 * appears once a run has taken PROGRESS_DELAY_S and is rewritten at most
 * every PROGRESS_PERIOD_S. */
#ifndef TIERSIM_PROGRESS_H
#define TIERSIM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_DELAY_S  1.0
#define PROGRESS_PERIOD_S 0.25

struct progress {
	FILE *f;		 /* NULL: silent */
	double total;		 /* work in all, > 0 */
	const char *work, *unit; /* "simulated time", "events"; static strings */
	double start_s, last_s;
	bool shown; /* a line is on the terminal */
};

/* Starts the clock; f may be NULL (every call then does nothing).  `work`
 * names what `total` measures and `unit` what the rate counts, for
 * progress_format(). */
void progress_init(struct progress *p, FILE *f, double total, const char *work, const char *unit);

/* Reads the clock (one clock_gettime) and, when due, rewrites the line:
 * `done` of the work and `count` units (events, items) so far. */
void progress_update(struct progress *p, double done, uint64_t count);

/* Erases the line, if one was shown. */
void progress_finish(struct progress *p);

/* The text of the line: "NN.N% of WORK, R UNIT/s, ETA T" ("12.5% of
 * simulated time, 3e+05 events/s, ETA 0:42"), after `elapsed_s` seconds
 * with `fraction` (0 to 1) of the work done and `count` units counted. */
void progress_format(char *buf, size_t size, const char *work, const char *unit, double fraction,
		     double elapsed_s, uint64_t count);

#endif
