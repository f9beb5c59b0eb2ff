/* Streaming response-time statistics, constant memory per accumulator.
 *
 * Count, mean, minimum and maximum are exact (GSL running statistics).
 * Quantiles come from a log-bucketed GSL histogram: STATS_BINS bins of
 * equal width in log(ms) between STATS_LO_MS and STATS_HI_MS, so each bin
 * spans 1.0006% of its lower edge.  The q-quantile is the inverse of the
 * binned empirical CDF, linear inside a bin: it lies in the same bin as the
 * order statistic x_(ceil(q n)), so within 1.0006% (relative) of it.  Values
 * outside the range are counted in the first or last bin; results are
 * clamped to the exact minimum and maximum.
 */
#ifndef TIERSIM_STATS_H
#define TIERSIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_LO_MS 1e-3
#define STATS_HI_MS 1e8
#define STATS_BINS  2544

struct stats_acc;

/* NULL when out of memory. */
struct stats_acc *stats_acc_new(void);
/* NULL is a no-op. */
void stats_acc_free(struct stats_acc *a);

/* Adds one response time; `missed` when it exceeded its deadline. */
void stats_acc_add(struct stats_acc *a, double ms, int missed);

size_t stats_acc_count(const struct stats_acc *a);
/* NAN when empty. */
double stats_acc_mean(const struct stats_acc *a);
/* The q-quantile (q in [0, 1]); NAN when empty or on a GSL error. */
double stats_acc_quantile(const struct stats_acc *a, double q);
/* Fraction of added values that missed; NAN when empty. */
double stats_acc_miss_ratio(const struct stats_acc *a);

/* Mean of x[0..n) and the half width of its 95% confidence interval
 * (Student t with n-1 degrees of freedom, from GSL); the half width is NAN
 * for n < 2. */
void stats_mean_ci95(const double *x, size_t n, double *mean, double *half_width);

#endif
