#include "progress.h"

#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_init(struct progress *p, FILE *f, double total, const char *work, const char *unit)
{
	*p = (struct progress){.f = f, .total = total, .work = work, .unit = unit};
	if (f != NULL)
		p->start_s = p->last_s = now_s();
}

void progress_format(char *buf, size_t size, const char *work, const char *unit, double fraction,
		     double elapsed_s, uint64_t count)
{
	double rate = elapsed_s > 0 ? (double)count / elapsed_s : 0;
	int len =
	    snprintf(buf, size, "%5.1f%% of %s, %.3g %s/s, ETA ", 100 * fraction, work, rate, unit);
	double eta;

	if (len < 0 || (size_t)len >= size)
		return;
	/* The rest is assumed to go at the average pace so far. */
	if (fraction <= 0) {
		snprintf(buf + len, size - (size_t)len, "?");
		return;
	}
	eta = elapsed_s * (1 - fraction) / fraction;
	if (eta < 3600)
		snprintf(buf + len, size - (size_t)len, "%d:%02d", (int)eta / 60, (int)eta % 60);
	else
		snprintf(buf + len, size - (size_t)len, "%.1f h", eta / 3600);
}

void progress_update(struct progress *p, double done, uint64_t count)
{
	char line[160];
	double t;

	if (p->f == NULL)
		return;
	t = now_s();
	if (t - p->start_s < PROGRESS_DELAY_S || t - p->last_s < PROGRESS_PERIOD_S)
		return;
	p->last_s = t;
	progress_format(line, sizeof(line), p->work, p->unit,
			done >= p->total ? 1 : done / p->total, t - p->start_s, count);
	/* \r and "erase to end of line" rewrite the line in place. */
	fprintf(p->f, "\rtiersim: %s\033[K", line);
	fflush(p->f);
	p->shown = true;
}

void progress_finish(struct progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	p->shown = false;
}
