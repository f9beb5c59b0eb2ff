#include "plot.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void plot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	}
	fputc('\'', f);
}

void plot_data_number(FILE *f, double x, const char *sep)
{
	char buf[32];

	outfile_format_double(x, buf, sizeof(buf));
	fprintf(f, "%s%s", buf, sep);
}

void plot_data_string(FILE *f, const char *s, const char *sep)
{
	fputc('"', f);
	for (; *s != '\0'; s++)
		fputc(*s == '"' || (unsigned char)*s < 0x20 ? '?' : *s, f);
	fprintf(f, "\"%s", sep);
}

char *plot_find_on_path(const char *name)
{
	const char *p = getenv("PATH");

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, ":");
		char *cand = malloc(len + strlen(name) + 3);

		if (cand == NULL)
			return NULL;
		/* An empty PATH entry means the working directory. */
		sprintf(cand, "%.*s/%s", len == 0 ? 1 : (int)len, len == 0 ? "." : p, name);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += len + (p[len] == ':');
	}
	return NULL;
}

void plot_script_begin(FILE *f, const char *what, const char *image, const char *term, int width,
		       int height)
{
	fprintf(f,
		"# %s.\n"
		"# Written by tiersim; render with: gnuplot THIS_FILE (another image or\n"
		"# format: gnuplot -e \"out='x.svg'; term='svg'\" THIS_FILE)\n"
		"if (!exists(\"out\")) out = ",
		what);
	plot_quote(f, image);
	fprintf(f, "\nif (!exists(\"term\")) term = ");
	plot_quote(f, term);
	fprintf(f,
		"\nif (term eq 'svg') {\n"
		"\tset terminal svg size %d,%d dynamic noenhanced\n"
		"} else {\n"
		"\tif (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		"\t\tset terminal pngcairo size %d,%d noenhanced\n"
		"\t} else {\n"
		"\t\tset terminal png size %d,%d noenhanced\n"
		"\t}\n"
		"}\n"
		"set output out\n",
		width, height, width, height, width, height);
}

/* Appends name='value' (with ' doubled) at p; returns the new end. */
static char *append_assign(char *p, const char *name, const char *value)
{
	p += sprintf(p, "%s='", name);
	for (; *value != '\0'; value++) {
		if (*value == '\'')
			*p++ = '\'';
		*p++ = *value;
	}
	return p + sprintf(p, "'");
}

int plot_render(const char *gnuplot, const char *script, const char *term, struct outfile *image,
		struct ts_error *err)
{
	size_t n = strlen(image->tmp_path) * 2 + (term != NULL ? strlen(term) * 2 : 0) + 32;
	char *assign = malloc(n), *p;
	char *argv[] = {"gnuplot", "-e", assign, (char *)script, NULL};
	pid_t pid;
	int rc, status;

	if (assign == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	p = append_assign(assign, "out", image->tmp_path);
	if (term != NULL)
		append_assign(p + sprintf(p, "; "), "term", term);
	rc = posix_spawn(&pid, gnuplot, NULL, NULL, argv, environ);
	free(assign);
	if (rc != 0)
		return ts_error_set(err, TS_ERUNTIME, "cannot start %s: %s", gnuplot, strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ts_error_set(err, TS_ERUNTIME, "waiting for gnuplot: %s",
					    strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ts_error_set(err, TS_ERUNTIME, "gnuplot failed on %s", script);
	return outfile_commit(image, err);
}

int plot_image(const char *gnuplot, const char *dir, const char *name, const char *term,
	       struct ts_error *err)
{
	size_t n = strlen(dir) + strlen(name) + 8;
	char *script = malloc(n), *image = malloc(n);
	struct outfile img = {0};
	int rc =
	    script == NULL || image == NULL ? ts_error_set(err, TS_ENOMEM, "out of memory") : 0;

	if (rc == 0) {
		snprintf(script, n, "%s/%s.gp", dir, name);
		snprintf(image, n, "%s.%s", name, term);
		rc = outfile_open(&img, dir, image, err);
	}
	if (rc == 0)
		rc = plot_render(gnuplot, script, term, &img, err);
	outfile_discard(&img);
	free(script);
	free(image);
	return rc;
}

/* Layout of the Gantt chart in pixels: labels are placed by estimating
 * their width from the length of the text in the terminal's default
 * 12-point font. */
enum {
	GANTT_WIDTH = 1000,
	GANTT_ROW_PX = 64,
	GANTT_CHAR_PX = 9,
	GANTT_LANES = 2,
};

/* Label heights relative to the row: inside the bar, then the lanes
 * above it. */
static const double gantt_lane_y[1 + GANTT_LANES] = {0, -0.36, -0.6};

/* Gantt rows: the cloud and edge servers, then one per job that ran on
 * its own device, in job order. */
static int gantt_row(const struct plot_gantt *g, size_t i)
{
	int row = 2;

	if (g->jobs[i].machine != TIER_DEVICE)
		return g->jobs[i].machine == TIER_CLOUD ? 0 : 1;
	for (size_t k = 0; k < i; k++)
		row += g->jobs[k].machine == TIER_DEVICE;
	return row;
}

static int gantt_row_label(const struct plot_gantt *g, size_t i, char *buf, size_t size)
{
	return snprintf(buf, size, "%s device", g->jobs[i].id);
}

static double gantt_label_px(const char *id)
{
	return (double)(strlen(id) * GANTT_CHAR_PX + 8);
}

struct gantt_place {
	size_t job;
	int row;
	double start;
};

static int place_cmp(const void *a, const void *b)
{
	const struct gantt_place *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->job < y->job ? -1 : x->job > y->job;
}

/* lane[i]: 0 inside the bar, 1.. a lane above it, -1 left out.  Labels
 * are placed row by row from left to right, each in the first lane whose
 * last label ends before it begins. */
static size_t gantt_place_labels(const struct plot_gantt *g, double px_per_unit,
				 struct gantt_place *order, int *lane)
{
	double lane_end[GANTT_LANES];
	size_t left_out = 0;
	int row = -1;

	for (int a = 0; a < GANTT_LANES; a++)
		lane_end[a] = -INFINITY;
	for (size_t i = 0; i < g->n_jobs; i++)
		order[i] = (struct gantt_place){i, gantt_row(g, i), g->jobs[i].start};
	qsort(order, g->n_jobs, sizeof(*order), place_cmp);
	for (size_t k = 0; k < g->n_jobs; k++) {
		const struct plot_gantt_job *j = &g->jobs[order[k].job];
		double w = gantt_label_px(j->id);
		double mid = (j->start + j->end) / 2 * px_per_unit;
		int *l = &lane[order[k].job];

		if (order[k].row != row) {
			row = order[k].row;
			for (int a = 0; a < GANTT_LANES; a++)
				lane_end[a] = -INFINITY;
		}
		*l = -1;
		if ((j->end - j->start) * px_per_unit >= w) {
			*l = 0;
			continue;
		}
		for (int a = 0; a < GANTT_LANES && *l < 0; a++) {
			if (mid - w / 2 >= lane_end[a]) {
				*l = a + 1;
				lane_end[a] = mid + w / 2;
			}
		}
		left_out += *l < 0;
	}
	return left_out;
}

int plot_gantt_write(FILE *gp, FILE *dat, const struct plot_gantt *g, const char *dat_path,
		     const char *image, const char *term, struct ts_error *err)
{
	static const char *const machine_title[TIER_COUNT] = {
	    [TIER_DEVICE] = "on its device",
	    [TIER_EDGE] = "on the edge server",
	    [TIER_CLOUD] = "in the cloud",
	};
	int *lane = calloc(g->n_jobs + 1, sizeof(*lane));
	struct gantt_place *order = calloc(g->n_jobs + 1, sizeof(*order));
	int rows = 2, label_chars = 5;
	double xmax = 0, lmargin, px_per_unit;
	size_t left_out = 0;
	char buf[160];

	if (lane == NULL || order == NULL) {
		free(lane);
		free(order);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < g->n_jobs; i++) {
		const struct plot_gantt_job *j = &g->jobs[i];

		if (j->machine == TIER_DEVICE) {
			int n = gantt_row_label(g, i, buf, sizeof(buf));

			rows++;
			if (n > label_chars)
				label_chars = n;
		}
		xmax = fmax(xmax, fmax(j->end, j->arrival));
	}
	/* The x range ends 2% past the last event, so the scale the labels
	 * were placed for is the one gnuplot draws. */
	xmax = xmax > 0 ? xmax * 1.02 : 1;
	lmargin = (double)(label_chars * GANTT_CHAR_PX + 70) / GANTT_WIDTH;
	if (lmargin > 0.5)
		lmargin = 0.5;
	px_per_unit = (0.97 - lmargin) * GANTT_WIDTH / xmax;
	left_out = gantt_place_labels(g, px_per_unit, order, lane);
	free(order);

	fputs("# row start end release arrival machine(1 device, 2 edge, 3 cloud) label_y job\n",
	      dat);
	for (size_t i = 0; i < g->n_jobs; i++) {
		const struct plot_gantt_job *j = &g->jobs[i];
		int row = gantt_row(g, i), l = lane[i];

		fprintf(dat, "%d ", row);
		plot_data_number(dat, j->start, " ");
		plot_data_number(dat, j->end, " ");
		plot_data_number(dat, j->release, " ");
		plot_data_number(dat, j->arrival, " ");
		fprintf(dat, "%d ", (int)j->machine + 1);
		if (l < 0)
			fputs("NaN ", dat);
		else
			fprintf(dat, "%.2f ", row + gantt_lane_y[l]);
		plot_data_string(dat, j->id, "\n");
	}
	free(lane);

	plot_script_begin(gp, "Gantt chart of a job schedule", image, term, GANTT_WIDTH,
			  170 + GANTT_ROW_PX * rows);
	fputs("set title ", gp);
	plot_quote(gp, g->title);
	if (g->time_unit_ms == 1)
		fputs("\nset xlabel 'time (ms)", gp);
	else
		fprintf(gp, "\nset xlabel 'time (units of %g ms)", g->time_unit_ms);
	if (left_out > 0)
		fprintf(gp, "; %zu ids of short bars left out (see schedule.csv)", left_out);
	fputs("'\nset ylabel 'machine'\n", gp);
	fprintf(gp, "set lmargin at screen %.3f\nset rmargin at screen 0.97\n", lmargin);
	fprintf(gp, "set xrange [0:");
	plot_data_number(gp, xmax, "]\n");
	fprintf(gp, "set yrange [%d.5:-0.85]\nset ytics (", rows - 1);
	fputs("'cloud' 0, 'edge' 1", gp);
	for (size_t i = 0; i < g->n_jobs; i++) {
		if (g->jobs[i].machine != TIER_DEVICE)
			continue;
		fputs(", ", gp);
		gantt_row_label(g, i, buf, sizeof(buf));
		plot_quote(gp, buf);
		fprintf(gp, " %d", gantt_row(g, i));
	}
	fputs(")\nset grid x\nset key outside top center horizontal maxrows 1\n"
	      "set style fill solid 0.5 border -1\n"
	      "set linetype 1 lc rgb '#228833'\nset linetype 2 lc rgb '#4477aa'\n"
	      "set linetype 3 lc rgb '#ee6677'\nplot ",
	      gp);
	plot_quote(gp, dat_path);
	fputs(" using 4:1:($5-$4):(0) with vectors nohead dt 2 lc rgb 'gray40' "
	      "title 'upload (release to data arrival)'",
	      gp);
	for (int m = 0; m < TIER_COUNT; m++)
		fprintf(gp,
			", \\\n     '' using (($2+$3)/2):($6 == %d ? $1 : NaN):(($3-$2)/2):(0.18) "
			"with boxxyerror lt %d title '%s'",
			m + 1, m + 1, machine_title[m]);
	fputs(", \\\n     '' using (($2+$3)/2):7:8 with labels notitle\n", gp);
	return 0;
}
