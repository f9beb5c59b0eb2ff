#include "jobset.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Marks a job not (yet) placed in a partial assignment. */
#define UNPLACED TIER_COUNT

struct jobset {
	struct jobset_job *jobs;
	size_t n;
	size_t *release_order; /* greedy order */
	/* The service order of each server over all jobs: a server serves
	 * the jobs assigned to it in this order. */
	size_t *order[TIER_COUNT];
};

/* qsort has no context argument; sorting happens only in jobset_new. */
static const struct jobset *sort_set;
static enum tier sort_machine;

static int cmp_release(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct jobset_job *x = &sort_set->jobs[a], *y = &sort_set->jobs[b];

	if (x->release != y->release)
		return x->release < y->release ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return (a > b) - (a < b);
}

static int cmp_arrival(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	sim_time_t ta = sort_set->jobs[a].release + sort_set->jobs[a].upload[sort_machine];
	sim_time_t tb = sort_set->jobs[b].release + sort_set->jobs[b].upload[sort_machine];

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return cmp_release(pa, pb);
}

static size_t *sorted_indices(const struct jobset *set, int (*cmp)(const void *, const void *))
{
	size_t *idx = malloc(set->n * sizeof(*idx));

	if (idx == NULL)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		idx[i] = i;
	sort_set = set;
	qsort(idx, set->n, sizeof(*idx), cmp);
	return idx;
}

int jobset_new(const struct jobset_job *jobs, size_t n, struct jobset **out, struct ts_error *err)
{
	struct jobset *set = calloc(1, sizeof(*set));
	bool ok = set != NULL;

	if (ok) {
		set->n = n;
		set->jobs = malloc(n * sizeof(*set->jobs));
		ok = set->jobs != NULL;
	}
	if (ok) {
		memcpy(set->jobs, jobs, n * sizeof(*jobs));
		for (size_t i = 0; i < n; i++)
			set->jobs[i].upload[TIER_DEVICE] = 0;
		set->release_order = sorted_indices(set, cmp_release);
		ok = set->release_order != NULL;
	}
	for (int m = TIER_EDGE; ok && m < TIER_COUNT; m++) {
		sort_machine = (enum tier)m;
		set->order[m] = sorted_indices(set, cmp_arrival);
		ok = set->order[m] != NULL;
	}
	if (!ok) {
		jobset_free(set);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	*out = set;
	return 0;
}

void jobset_free(struct jobset *set)
{
	if (set == NULL)
		return;
	for (int m = 0; m < TIER_COUNT; m++)
		free(set->order[m]);
	free(set->release_order);
	free(set->jobs);
	free(set);
}

size_t jobset_count(const struct jobset *set)
{
	return set->n;
}

static double response_cost(const struct jobset_job *j, sim_time_t end)
{
	return j->weight * (double)(end - j->release);
}

/* Schedules the jobs placed on server m; writes their slots (slots may be
 * NULL) and returns their weighted cost.  Unplaced jobs are skipped, and
 * placing one more job never makes another finish earlier, which is what
 * the branch and bound's bound rests on. */
static double server_pass(const struct jobset *set, const enum tier *machine, enum tier m,
			  struct jobset_slot *slots)
{
	sim_time_t free_at = 0;
	double cost = 0;

	for (size_t k = 0; k < set->n; k++) {
		size_t i = set->order[m][k];
		const struct jobset_job *j = &set->jobs[i];
		sim_time_t arrival, start;

		if (machine[i] != m)
			continue;
		arrival = j->release + j->upload[m];
		start = arrival > free_at ? arrival : free_at;
		free_at = start + j->processing[m];
		cost += response_cost(j, free_at);
		if (slots != NULL)
			slots[i] = (struct jobset_slot){arrival, start, free_at};
	}
	return cost;
}

/* The device slot of job i: it starts at its release. */
static struct jobset_slot device_slot(const struct jobset_job *j)
{
	return (struct jobset_slot){j->release, j->release,
				    j->release + j->processing[TIER_DEVICE]};
}

double jobset_evaluate(const struct jobset *set, const enum tier *machine,
		       struct jobset_slot *slots, struct jobset_totals *totals)
{
	struct jobset_totals t = {0};

	server_pass(set, machine, TIER_EDGE, slots);
	server_pass(set, machine, TIER_CLOUD, slots);
	/* Summed in job order so that equal schedules give equal bits. */
	for (size_t i = 0; i < set->n; i++) {
		const struct jobset_job *j = &set->jobs[i];

		if (machine[i] == TIER_DEVICE)
			slots[i] = device_slot(j);
		t.weighted += response_cost(j, slots[i].end);
		t.total += (double)(slots[i].end - j->release);
		if (slots[i].end > t.last)
			t.last = slots[i].end;
	}
	if (totals != NULL)
		*totals = t;
	return t.weighted;
}

static sim_time_t isolated_time(const struct jobset_job *j, enum tier m)
{
	return j->upload[m] + j->processing[m];
}

void jobset_isolated(const struct jobset *set, enum tier *machine)
{
	for (size_t i = 0; i < set->n; i++) {
		machine[i] = TIER_DEVICE;
		for (int m = TIER_EDGE; m < TIER_COUNT; m++)
			if (isolated_time(&set->jobs[i], (enum tier)m) <
			    isolated_time(&set->jobs[i], machine[i]))
				machine[i] = (enum tier)m;
	}
}

/* Places every job still UNPLACED in release order on the machine where
 * it completes earliest given those placed so far.  slots is scratch. */
static void greedy_fill(const struct jobset *set, enum tier *machine, struct jobset_slot *slots)
{
	for (size_t k = 0; k < set->n; k++) {
		size_t i = set->release_order[k];
		sim_time_t best_end = 0;
		enum tier best = TIER_DEVICE;

		if (machine[i] != UNPLACED)
			continue;
		for (int m = 0; m < TIER_COUNT; m++) {
			sim_time_t end;

			machine[i] = (enum tier)m;
			if (m == TIER_DEVICE) {
				end = device_slot(&set->jobs[i]).end;
			} else {
				server_pass(set, machine, (enum tier)m, slots);
				end = slots[i].end;
			}
			if (m == TIER_DEVICE || end < best_end) {
				best_end = end;
				best = (enum tier)m;
			}
		}
		machine[i] = best;
	}
}

int jobset_greedy(const struct jobset *set, enum tier *machine, struct ts_error *err)
{
	struct jobset_slot *slots = malloc(set->n * sizeof(*slots));

	if (slots == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; i < set->n; i++)
		machine[i] = UNPLACED;
	greedy_fill(set, machine, slots);
	free(slots);
	return 0;
}

/* The job with the earliest completion that is neither tabu nor fixed
 * (ties: lower index), or n. */
static size_t earliest_free_job(const struct jobset *set, const struct jobset_slot *slots,
				const bool *tabu, const bool *fixed)
{
	size_t best = set->n;

	for (size_t i = 0; i < set->n; i++)
		if (!tabu[i] && !fixed[i] && (best == set->n || slots[i].end < slots[best].end))
			best = i;
	return best;
}

int jobset_tabu(const struct jobset *set, unsigned long max_count, enum tier *machine,
		struct ts_error *err)
{
	size_t n = set->n;
	struct jobset_slot *slots = malloc(n * sizeof(*slots));
	enum tier *cand = malloc(n * sizeof(*cand)), *best = malloc(n * sizeof(*best));
	bool *tabu = calloc(n, sizeof(*tabu)), *fixed = calloc(n, sizeof(*fixed));
	bool improved = false;
	double cost;

	if (slots == NULL || cand == NULL || best == NULL || tabu == NULL || fixed == NULL) {
		free(slots);
		free(cand);
		free(best);
		free(tabu);
		free(fixed);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		machine[i] = UNPLACED;
	greedy_fill(set, machine, slots);
	cost = jobset_evaluate(set, machine, slots, NULL);
	for (unsigned long count = 0; count < max_count; count++) {
		size_t j = earliest_free_job(set, slots, tabu, fixed);
		bool tabu_machine[TIER_COUNT] = {false};
		double best_cost = cost;
		bool found = false;

		/* A pass over every free job that moved something starts
		 * another; one that moved nothing ends the search. */
		if (j == n && improved) {
			memset(tabu, 0, n * sizeof(*tabu));
			improved = false;
			j = earliest_free_job(set, slots, tabu, fixed);
		}
		if (j == n)
			break;
		tabu[j] = true;
		tabu_machine[machine[j]] = true;
		for (int m = 0; m < TIER_COUNT; m++) {
			double c;

			if (tabu_machine[m])
				continue;
			tabu_machine[m] = true;
			for (size_t i = 0; i < n; i++)
				cand[i] = fixed[i] ? machine[i] : UNPLACED;
			cand[j] = (enum tier)m;
			greedy_fill(set, cand, slots);
			c = jobset_evaluate(set, cand, slots, NULL);
			if (c < best_cost) {
				best_cost = c;
				memcpy(best, cand, n * sizeof(*best));
				found = true;
			}
		}
		if (found) {
			memcpy(machine, best, n * sizeof(*machine));
			cost = best_cost;
			fixed[j] = true;
			improved = true;
		}
		jobset_evaluate(set, machine, slots, NULL);
	}
	free(slots);
	free(cand);
	free(best);
	free(tabu);
	free(fixed);
	return 0;
}

struct bnb {
	const struct jobset *set;
	enum tier *machine; /* the partial assignment */
	enum tier *best;
	double best_cost;
	double *rest_bound; /* rest_bound[k]: lower bound of jobs k.. of the order */
	enum tier (*try_order)[TIER_COUNT];
};

/* Depth k of the release order; cost[m] is the weighted cost of the jobs
 * placed on m so far. */
static void bnb_visit(struct bnb *b, size_t k, const double cost[TIER_COUNT])
{
	const struct jobset *set = b->set;
	size_t i;

	if (k == set->n) {
		double total = cost[TIER_DEVICE] + cost[TIER_EDGE] + cost[TIER_CLOUD];

		if (total < b->best_cost) {
			b->best_cost = total;
			memcpy(b->best, b->machine, set->n * sizeof(*b->best));
		}
		return;
	}
	i = set->release_order[k];
	for (int t = 0; t < TIER_COUNT; t++) {
		enum tier m = b->try_order[i][t];
		double next[TIER_COUNT] = {cost[0], cost[1], cost[2]};

		b->machine[i] = m;
		if (m == TIER_DEVICE)
			next[m] += response_cost(&set->jobs[i], device_slot(&set->jobs[i]).end);
		else
			next[m] = server_pass(set, b->machine, m, NULL);
		/* Jobs placed so far keep their cost or grow, and each job
		 * left costs at least its isolated response. */
		if (next[0] + next[1] + next[2] + b->rest_bound[k + 1] < b->best_cost)
			bnb_visit(b, k + 1, next);
	}
	b->machine[i] = UNPLACED;
}

int jobset_exact(const struct jobset *set, enum tier *machine, struct ts_error *err)
{
	size_t n = set->n;
	struct bnb b = {.set = set};
	double zero[TIER_COUNT] = {0, 0, 0};
	struct jobset_slot *slots = NULL;
	int rc = 0;

	if (n > JOBSET_EXACT_MAX)
		return ts_error_set(err, TS_EINVALID,
				    "policy \"exact\" takes at most %d jobs, got %zu (its worst "
				    "case grows as 3^n); use \"tabu\"",
				    JOBSET_EXACT_MAX, n);
	b.machine = malloc(n * sizeof(*b.machine));
	b.best = malloc(n * sizeof(*b.best));
	b.rest_bound = malloc((n + 1) * sizeof(*b.rest_bound));
	b.try_order = malloc(n * sizeof(*b.try_order));
	slots = malloc(n * sizeof(*slots));
	if (b.machine == NULL || b.best == NULL || b.rest_bound == NULL || b.try_order == NULL ||
	    slots == NULL) {
		rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		goto out;
	}
	/* The greedy schedule is the first incumbent. */
	for (size_t i = 0; i < n; i++)
		b.best[i] = UNPLACED;
	greedy_fill(set, b.best, slots);
	b.best_cost = jobset_evaluate(set, b.best, slots, NULL);
	b.rest_bound[n] = 0;
	for (size_t k = n; k-- > 0;) {
		size_t i = set->release_order[k];
		const struct jobset_job *j = &set->jobs[i];
		enum tier *o = b.try_order[i];

		/* Machines in the order of the job's isolated response, so
		 * good schedules are met early and prune the rest. */
		for (int m = 0; m < TIER_COUNT; m++) {
			int p = m;

			while (p > 0 &&
			       isolated_time(j, o[p - 1]) > isolated_time(j, (enum tier)m)) {
				o[p] = o[p - 1];
				p--;
			}
			o[p] = (enum tier)m;
		}
		b.rest_bound[k] = b.rest_bound[k + 1] + j->weight * (double)isolated_time(j, o[0]);
		b.machine[i] = UNPLACED;
	}
	bnb_visit(&b, 0, zero);
	memcpy(machine, b.best, n * sizeof(*machine));
out:
	free(b.machine);
	free(b.best);
	free(b.rest_bound);
	free(b.try_order);
	free(slots);
	return rc;
}

int jobset_brute_force(const struct jobset *set, enum tier *machine, struct ts_error *err)
{
	size_t n = set->n;
	enum tier *cur;
	struct jobset_slot *slots;
	double best = 0;
	bool first = true;

	if (n > JOBSET_BRUTE_MAX)
		return ts_error_set(err, TS_EINVALID, "brute force takes at most %d jobs, got %zu",
				    JOBSET_BRUTE_MAX, n);
	cur = calloc(n, sizeof(*cur));
	slots = malloc(n * sizeof(*slots));
	if (cur == NULL || slots == NULL) {
		free(cur);
		free(slots);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	for (;;) {
		size_t i = 0;
		double c = jobset_evaluate(set, cur, slots, NULL);

		if (first || c < best) {
			best = c;
			memcpy(machine, cur, n * sizeof(*machine));
			first = false;
		}
		while (i < n && cur[i] == TIER_COUNT - 1)
			cur[i++] = TIER_DEVICE;
		if (i == n)
			break;
		cur[i] = (enum tier)(cur[i] + 1);
	}
	free(cur);
	free(slots);
	return 0;
}
