/* A progress line for long runs: rewritten in place on a terminal, never
 * written anywhere else (the caller decides, e.g. isatty(stderr) and not
 * --quiet).  Work is counted in any unit (simulated ns for `run`); the line
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
	FILE *f;      /* NULL: silent */
	double total; /* work in all, > 0 */
	double start_s, last_s;
	bool shown; /* a line is on the terminal */
};

/* Starts the clock; f may be NULL (every call then does nothing). */
void progress_init(struct progress *p, FILE *f, double total);

/* Reads the clock (one clock_gettime) and, when due, rewrites the line:
 * `done` units of work and `events` events so far. */
void progress_update(struct progress *p, double done, uint64_t events);

/* Erases the line, if one was shown. */
void progress_finish(struct progress *p);

/* The text of the line: "NN.N% of simulated time, E events/s, ETA T",
 * after `elapsed_s` seconds with `fraction` (0 to 1) of the work done. */
void progress_format(char *buf, size_t size, double fraction, double elapsed_s, uint64_t events);

#endif
