/* gnuplot, run when it is on PATH: every tiersim plot (fit-delay, job
 * schedules, tiersim plot) writes its script through these helpers and
 * renders it with plot_render(). */
#ifndef TIERSIM_PLOT_H
#define TIERSIM_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "outfile.h"
#include "scenario.h"
#include "status.h"

/* Writes s as a gnuplot single-quoted string, where '' stands for ';
 * control characters become '?'. */
void plot_quote(FILE *f, const char *s);

/* Data file fields: x in its shortest form that reads back exactly, and
 * s as a gnuplot string ('"' and control characters become '?'), each
 * followed by sep. */
void plot_data_number(FILE *f, double x, const char *sep);
void plot_data_string(FILE *f, const char *s, const char *sep);

/* The path of an executable `name` on PATH (malloc'd, the caller frees
 * it), or NULL. */
char *plot_find_on_path(const char *name);

/* The opening of every script: a comment saying what it draws and how to
 * render it, `out` and `term` defaulting to image and term ("png" or
 * "svg", both overridable with gnuplot -e), and a width x height pixel
 * terminal (pngcairo where gnuplot has it) with text taken literally. */
void plot_script_begin(FILE *f, const char *what, const char *image, const char *term, int width,
		       int height);

/* Runs `gnuplot -e "out='TMP'[; term='TERM']" script` (term may be NULL),
 * TMP being the temporary file of `image`, and commits `image` when
 * gnuplot succeeds: a failed render leaves no half-written image under its
 * final name. */
int plot_render(const char *gnuplot, const char *script, const char *term, struct outfile *image,
		struct ts_error *err);

/* Renders DIR/NAME.gp into DIR/NAME.TERM (term "png" or "svg") with
 * plot_render(). */
int plot_image(const char *gnuplot, const char *dir, const char *name, const char *term,
	       struct ts_error *err);

/* One job of a Gantt chart, times in the chart's time unit. */
struct plot_gantt_job {
	const char *id;
	enum tier machine;
	double release, arrival, start, end;
};

/* A job schedule: one row for the cloud server, one for the edge server,
 * one per job run on its own device, in job order. */
struct plot_gantt {
	const char *title;
	double time_unit_ms;
	const struct plot_gantt_job *jobs;
	size_t n_jobs;
};

/* Writes the data (into dat, which the script reads as dat_path) and the
 * script (into gp) of g's Gantt chart, drawn into image with the terminal
 * term ("png" or "svg") by default.  A
 * job's id is written inside its bar when it fits, else above the bar
 * where it does not cover another label; the ids that fit nowhere are
 * left out, and the x label says how many. */
int plot_gantt_write(FILE *gp, FILE *dat, const struct plot_gantt *g, const char *dat_path,
		     const char *image, const char *term, struct ts_error *err);

#endif
