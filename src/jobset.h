/* Offline job sets on unrelated machines (docs/policies.md):
 * one cloud server, one edge server and each job's own device.
 *
 * A job i is released at R_i; on machine m its data needs upload[m] to
 * reach the machine (0 on the device), then processing[m] on it.  The
 * device runs its one job at once and never queues.  Each server is
 * single, non-preemptive and work-conserving: its uploads start at their
 * release and overlap whatever the server is processing, and when idle it
 * starts the job whose data arrived first (ties: earlier release, higher
 * weight, lower index).  So a server serves its jobs in the order of that
 * key, each at max(server free, data arrival): an assignment of jobs to
 * machines determines the whole schedule.
 *
 * The objective is L = sum_i w_i (E_i - R_i), E_i the completion.  Every
 * solver writes one machine (enum tier) per job.  Nothing here does I/O;
 * times are sim_time_t nanoseconds and objectives weight x nanoseconds.
 */
#ifndef TIERSIM_JOBSET_H
#define TIERSIM_JOBSET_H

#include <stddef.h>

#include "scenario.h"
#include "simtime.h"
#include "status.h"

/* Largest job sets the exhaustive solvers accept. */
#define JOBSET_EXACT_MAX 20
#define JOBSET_BRUTE_MAX 12

struct jobset_job {
	sim_time_t release; /* >= 0 */
	double weight;	    /* > 0 */
	sim_time_t processing[TIER_COUNT];
	sim_time_t upload[TIER_COUNT]; /* upload[TIER_DEVICE] is ignored (0) */
};

/* Where and when one job ran. */
struct jobset_slot {
	sim_time_t arrival; /* its data is on the machine */
	sim_time_t start, end;
};

struct jobset_totals {
	double weighted; /* sum w_i (E_i - R_i), weight x ns */
	double total;	 /* sum (E_i - R_i), ns */
	sim_time_t last; /* max E_i */
};

struct jobset;

/* Copies jobs[0..n) (n >= 1) and sorts each server's service order once:
 * O(n log n).  *out is the caller's (jobset_free). */
int jobset_new(const struct jobset_job *jobs, size_t n, struct jobset **out, struct ts_error *err);

/* NULL is a no-op. */
void jobset_free(struct jobset *set);

size_t jobset_count(const struct jobset *set);

/* Schedules the assignment machine[0..n): fills slots[0..n) and *totals
 * (may be NULL) and returns the weighted objective.  O(n). */
double jobset_evaluate(const struct jobset *set, const enum tier *machine,
		       struct jobset_slot *slots, struct jobset_totals *totals);

/* Every job on the machine where it alone would finish first, upload +
 * processing (ties: device, edge, cloud).  O(n). */
void jobset_isolated(const struct jobset *set, enum tier *machine);

/* Greedy in release order (ties: higher weight, lower index): each job on
 * the machine where it completes earliest given the jobs already placed
 * (ties: device, edge, cloud).  O(n^2). */
int jobset_greedy(const struct jobset *set, enum tier *machine, struct ts_error *err);

/* The greedy start, then at most max_count (>= 1) neighbourhood moves with
 * tabu arrays over jobs and machines (docs/policies.md states the rules).
 * Never worse than the greedy start.  O(max_count n^2). */
int jobset_tabu(const struct jobset *set, unsigned long max_count, enum tier *machine,
		struct ts_error *err);

/* A provably optimal assignment by depth-first branch and bound; n <=
 * JOBSET_EXACT_MAX, else TS_EINVALID.  Worst case O(3^n n), memory O(n). */
int jobset_exact(const struct jobset *set, enum tier *machine, struct ts_error *err);

/* Every one of the 3^n assignments, for tests; n <= JOBSET_BRUTE_MAX.
 * Among equal objectives the first in odometer order (job 0 fastest,
 * device < edge < cloud) wins. */
int jobset_brute_force(const struct jobset *set, enum tier *machine, struct ts_error *err);

#endif
