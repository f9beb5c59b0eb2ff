/* gnuplot, run when it is on PATH: the plots of fit-delay and of job
 * schedules share these helpers. */
#ifndef TIERSIM_PLOT_H
#define TIERSIM_PLOT_H

#include <stdio.h>

#include "outfile.h"
#include "status.h"

/* Writes s as a gnuplot single-quoted string, where '' stands for ';
 * control characters become '?'. */
void plot_quote(FILE *f, const char *s);

/* The path of an executable `name` on PATH (malloc'd, the caller frees
 * it), or NULL. */
char *plot_find_on_path(const char *name);

/* Runs `gnuplot -e "out='TMP'[; term='TERM']" script` (term may be NULL),
 * TMP being the temporary file of `image`, and commits `image` when
 * gnuplot succeeds: a failed render leaves no half-written image under its
 * final name. */
int plot_render(const char *gnuplot, const char *script, const char *term, struct outfile *image,
		struct ts_error *err);

#endif
