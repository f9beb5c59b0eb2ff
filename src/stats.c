#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_rstat.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

struct stats_acc {
	gsl_rstat_workspace *rstat;
	gsl_histogram *hist;
	size_t missed;
};

struct stats_acc *stats_acc_new(void)
{
	struct stats_acc *a = calloc(1, sizeof(*a));
	double *edges = malloc((STATS_BINS + 1) * sizeof(*edges));

	if (a == NULL || edges == NULL)
		goto fail;
	a->rstat = gsl_rstat_alloc();
	a->hist = gsl_histogram_alloc(STATS_BINS);
	if (a->rstat == NULL || a->hist == NULL)
		goto fail;
	for (size_t i = 0; i <= STATS_BINS; i++)
		edges[i] = STATS_LO_MS * pow(STATS_HI_MS / STATS_LO_MS, (double)i / STATS_BINS);
	if (gsl_histogram_set_ranges(a->hist, edges, STATS_BINS + 1) != 0)
		goto fail;
	free(edges);
	return a;
fail:
	free(edges);
	stats_acc_free(a);
	return NULL;
}

void stats_acc_free(struct stats_acc *a)
{
	if (a == NULL)
		return;
	if (a->rstat != NULL)
		gsl_rstat_free(a->rstat);
	if (a->hist != NULL)
		gsl_histogram_free(a->hist);
	free(a);
}

void stats_acc_add(struct stats_acc *a, double ms, int missed)
{
	double binned = ms;

	gsl_rstat_add(ms, a->rstat);
	if (binned < STATS_LO_MS)
		binned = STATS_LO_MS;
	/* The histogram's upper edge is exclusive. */
	if (binned >= STATS_HI_MS)
		binned = nextafter(STATS_HI_MS, 0);
	gsl_histogram_increment(a->hist, binned);
	if (missed)
		a->missed++;
}

size_t stats_acc_count(const struct stats_acc *a)
{
	return gsl_rstat_n(a->rstat);
}

double stats_acc_mean(const struct stats_acc *a)
{
	return gsl_rstat_n(a->rstat) == 0 ? NAN : gsl_rstat_mean(a->rstat);
}

double stats_acc_miss_ratio(const struct stats_acc *a)
{
	size_t n = gsl_rstat_n(a->rstat);

	return n == 0 ? NAN : (double)a->missed / (double)n;
}

double stats_acc_quantile(const struct stats_acc *a, double q)
{
	gsl_histogram_pdf *pdf;
	double x = NAN;

	if (gsl_rstat_n(a->rstat) == 0)
		return NAN;
	/* The extremes are known exactly. */
	if (q <= 0)
		return gsl_rstat_min(a->rstat);
	if (q >= 1)
		return gsl_rstat_max(a->rstat);
	pdf = gsl_histogram_pdf_alloc(STATS_BINS);
	if (pdf == NULL)
		return NAN;
	/* The inverse of the binned CDF, linear inside a bin, is what
	 * gsl_histogram_pdf_sample computes for a uniform draw q.  Rounding
	 * can leave the cumulative total just below 1; a q above it is the
	 * top of the data. */
	if (gsl_histogram_pdf_init(pdf, a->hist) == 0)
		x = q >= pdf->sum[STATS_BINS] ? gsl_rstat_max(a->rstat)
					      : gsl_histogram_pdf_sample(pdf, q);
	gsl_histogram_pdf_free(pdf);
	/* Binning cannot move a quantile outside the observed range. */
	if (x < gsl_rstat_min(a->rstat))
		x = gsl_rstat_min(a->rstat);
	if (x > gsl_rstat_max(a->rstat))
		x = gsl_rstat_max(a->rstat);
	return x;
}

void stats_mean_ci95(const double *x, size_t n, double *mean, double *half_width)
{
	*mean = n == 0 ? NAN : gsl_stats_mean(x, 1, n);
	*half_width = NAN;
	if (n >= 2)
		*half_width = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * gsl_stats_sd(x, 1, n) /
			      sqrt((double)n);
}
