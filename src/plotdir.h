/* `tiersim plot`: gnuplot scripts, their data and images from results
 * directories (docs/plots.md).
 *
 * What is drawn depends on the files each directory holds:
 *   requests.csv (with manifest.json)   response-time CDF, one curve per
 *                                       run (policy) and app, and the CPU /
 *                                       accelerator breakdown per node and
 *                                       instance count
 *   schedule.csv (with manifest.json    the Gantt chart of a job schedule
 *   and summary.json)
 *   timeseries.csv [+ migrations.csv]   the health-state timeline per node
 *   aggregate.csv                       one sweep figure per metric
 * Every input is read and checked before the first file is written. */
#ifndef TIERSIM_PLOTDIR_H
#define TIERSIM_PLOTDIR_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

struct plotdir_options {
	const char *const *dirs; /* results directories, at least one */
	size_t n_dirs;
	const char *out_dir;	    /* where the files go; NULL: dirs[0] */
	const char *format;	    /* "png" or "svg" */
	const char *const *metrics; /* sweep metrics to draw; none: the default set */
	size_t n_metrics;
};

/* Writes NAME.gp and NAME.dat for every plot into the output directory
 * (created when missing) and, when gnuplot is on PATH, renders NAME.FORMAT
 * from them; otherwise prints the gnuplot command of each script.  Prints
 * the paths written to out and notes (a missing requests.csv) to msg.
 * Invalid input: TS_EINVALID with "FILE:LINE:COLUMN: ..."; a directory
 * with nothing to plot: TS_EINVALID naming the files looked for. */
int plotdir_run(const struct plotdir_options *o, FILE *out, FILE *msg, struct ts_error *err);

#endif
