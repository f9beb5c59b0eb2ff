/* The job-set scheduler: server semantics on hand-computed cases with
 * every tie rule, and the solvers against each other on random
 * instances. */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

#include "jobset.h"
#include "rng.h"
#include "testutil.h"

#define MAXJ 4
#define D    TIER_DEVICE
#define E    TIER_EDGE
#define C    TIER_CLOUD

/* One hand-computed case: every job on the same kind of machine as
 * listed, with its upload and processing there, and the schedule. */
struct semantics_case {
	const char *what;
	size_t n;
	struct {
		sim_time_t release;
		double weight;
		enum tier m;
		sim_time_t upload, processing;
		sim_time_t start, end; /* expected */
	} j[MAXJ];
};

static const struct semantics_case cases[] = {
    {"upload overlaps the other job's processing",
     2,
     {{0, 1, E, 2, 5, 2, 7}, {1, 1, E, 3, 4, 7, 11}}},
    {"idle server waits for the next arrival",
     2,
     {{0, 1, E, 1, 2, 1, 3}, {10, 1, E, 1, 2, 11, 13}}},
    {"data arrived first goes first, not release order",
     2,
     {{0, 1, C, 10, 1, 10, 11}, {1, 1, C, 2, 5, 3, 8}}},
    {"non-preemptive: a heavy job waits for the running one",
     2,
     {{0, 1, E, 0, 10, 0, 10}, {1, 100, E, 0, 1, 10, 11}}},
    {"tie on arrival: earlier release first", 2, {{2, 1, E, 3, 1, 6, 7}, {0, 1, E, 5, 1, 5, 6}}},
    {"tie on arrival and release: higher weight first",
     2,
     {{0, 1, E, 5, 1, 6, 7}, {0, 3, E, 5, 1, 5, 6}}},
    {"tie on arrival, release and weight: lower index first",
     3,
     {{0, 2, C, 5, 1, 5, 6}, {0, 2, C, 5, 1, 6, 7}, {0, 2, C, 5, 1, 7, 8}}},
    {"devices never queue",
     3,
     {{4, 1, D, 99, 3, 4, 7}, {4, 1, D, 99, 5, 4, 9}, {4, 1, D, 99, 1, 4, 5}}},
    {"servers are independent of each other",
     4,
     {{0, 1, E, 1, 4, 1, 5}, {0, 2, C, 3, 2, 3, 5}, {1, 1, E, 1, 1, 5, 6}, {2, 1, C, 3, 2, 5, 7}}},
};

START_TEST(jobset_server_semantics)
{
	const struct semantics_case *c = &cases[_i];
	struct jobset_job jobs[MAXJ] = {{0}};
	enum tier machine[MAXJ];
	struct jobset_slot slots[MAXJ];
	struct jobset_totals t;
	struct jobset *set;
	double weighted = 0, total = 0;
	sim_time_t last = 0;

	for (size_t i = 0; i < c->n; i++) {
		jobs[i].release = c->j[i].release;
		jobs[i].weight = c->j[i].weight;
		/* The other machines get times that would show if used. */
		for (int m = 0; m < TIER_COUNT; m++) {
			jobs[i].processing[m] = 1000;
			jobs[i].upload[m] = 1000;
		}
		jobs[i].processing[c->j[i].m] = c->j[i].processing;
		jobs[i].upload[c->j[i].m] = c->j[i].upload;
		machine[i] = c->j[i].m;
	}
	ck_assert_int_eq(jobset_new(jobs, c->n, &set, NULL), 0);
	ck_assert_double_eq(jobset_evaluate(set, machine, slots, &t), t.weighted);
	for (size_t i = 0; i < c->n; i++) {
		sim_time_t arrival = c->j[i].release + (c->j[i].m == D ? 0 : c->j[i].upload);

		ck_assert_msg(
		    slots[i].arrival == arrival && slots[i].start == c->j[i].start &&
			slots[i].end == c->j[i].end,
		    "%s: job %zu ran [%lld, %lld) after arrival %lld, expected [%lld, %lld)",
		    c->what, i, (long long)slots[i].start, (long long)slots[i].end,
		    (long long)slots[i].arrival, (long long)c->j[i].start, (long long)c->j[i].end);
		weighted += c->j[i].weight * (double)(c->j[i].end - c->j[i].release);
		total += (double)(c->j[i].end - c->j[i].release);
		if (c->j[i].end > last)
			last = c->j[i].end;
	}
	ck_assert_double_eq(t.weighted, weighted);
	ck_assert_double_eq(t.total, total);
	ck_assert_int_eq(t.last, last);
	jobset_free(set);
}
END_TEST

/* The greedy's own rule on a case worked by hand: J0 finishes first on
 * the edge (1 + 2 = 3 against 4 and 5); J1 would wait behind it there
 * (end 5), so the cloud (end 4) wins; J2's device (6) beats the edge (7,
 * behind J0) and the cloud (9, behind J1).  In isolation J1 takes the
 * edge (3) and J2 ties device and edge at 5: the device wins the tie. */
START_TEST(jobset_greedy_hand_computed)
{
	const struct jobset_job jobs[] = {
	    {.release = 0, .weight = 1, .processing = {4, 2, 3}, .upload = {0, 1, 2}},
	    {.release = 0, .weight = 1, .processing = {9, 2, 2}, .upload = {0, 1, 2}},
	    {.release = 1, .weight = 1, .processing = {5, 4, 1}, .upload = {0, 1, 7}},
	};
	enum tier machine[3];
	struct jobset *set;

	ck_assert_int_eq(jobset_new(jobs, 3, &set, NULL), 0);
	ck_assert_int_eq(jobset_greedy(set, machine, NULL), 0);
	ck_assert_int_eq(machine[0], E);
	ck_assert_int_eq(machine[1], C);
	ck_assert_int_eq(machine[2], D);
	jobset_isolated(set, machine);
	ck_assert_int_eq(machine[0], E);
	ck_assert_int_eq(machine[1], E);
	ck_assert_int_eq(machine[2], D);
	jobset_free(set);
}
END_TEST

/* A random instance of n jobs from stream `seed`: small integer times so
 * that ties happen. */
static struct jobset *random_set(unsigned long seed, size_t n)
{
	gsl_rng *r = rng_stream_new(seed, "test/jobset");
	struct jobset_job jobs[JOBSET_EXACT_MAX];
	struct jobset *set;

	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < n; i++) {
		jobs[i].release = (sim_time_t)gsl_rng_uniform_int(r, 20);
		jobs[i].weight = 1 + (double)gsl_rng_uniform_int(r, 3);
		for (int m = 0; m < TIER_COUNT; m++) {
			jobs[i].processing[m] = 1 + (sim_time_t)gsl_rng_uniform_int(r, 30);
			jobs[i].upload[m] = m == D ? 0 : (sim_time_t)gsl_rng_uniform_int(r, 25);
		}
	}
	gsl_rng_free(r);
	ck_assert_int_eq(jobset_new(jobs, n, &set, NULL), 0);
	return set;
}

static double cost_of(const struct jobset *set, const enum tier *machine)
{
	struct jobset_slot slots[JOBSET_EXACT_MAX];

	return jobset_evaluate(set, machine, slots, NULL);
}

START_TEST(jobset_tabu_never_worse_than_greedy)
{
	size_t n = 1 + (size_t)_i % 15;
	struct jobset *set = random_set((unsigned long)_i + 1, n);
	enum tier greedy[JOBSET_EXACT_MAX], tabu[JOBSET_EXACT_MAX], one[JOBSET_EXACT_MAX];

	ck_assert_int_eq(jobset_greedy(set, greedy, NULL), 0);
	ck_assert_int_eq(jobset_tabu(set, 100, tabu, NULL), 0);
	ck_assert_int_eq(jobset_tabu(set, 1, one, NULL), 0);
	ck_assert_double_le(cost_of(set, tabu), cost_of(set, greedy));
	ck_assert_double_le(cost_of(set, one), cost_of(set, greedy));
	ck_assert_double_le(cost_of(set, tabu), cost_of(set, one));
	jobset_free(set);
}
END_TEST

START_TEST(jobset_exact_equals_brute_force)
{
	size_t n = 1 + (size_t)_i % 7;
	struct jobset *set = random_set(1000 + (unsigned long)_i, n);
	enum tier exact[JOBSET_EXACT_MAX], brute[JOBSET_EXACT_MAX], tabu[JOBSET_EXACT_MAX],
	    lm[JOBSET_EXACT_MAX];
	double e;

	ck_assert_int_eq(jobset_exact(set, exact, NULL), 0);
	ck_assert_int_eq(jobset_brute_force(set, brute, NULL), 0);
	ck_assert_int_eq(jobset_tabu(set, 100, tabu, NULL), 0);
	jobset_isolated(set, lm);
	e = cost_of(set, exact);
	/* Integer times and weights: the sums are exact. */
	ck_assert_msg(e == cost_of(set, brute), "seed %d, %zu jobs: exact %g, brute force %g", _i,
		      n, e, cost_of(set, brute));
	ck_assert_double_le(e, cost_of(set, tabu));
	ck_assert_double_le(e, cost_of(set, lm));
	jobset_free(set);
}
END_TEST

START_TEST(jobset_exact_size_limits)
{
	struct jobset *set = random_set(5, JOBSET_EXACT_MAX);
	struct jobset_job one = {.weight = 1};
	struct jobset *big;
	struct jobset_job *jobs = calloc(JOBSET_EXACT_MAX + 1, sizeof(*jobs));
	enum tier machine[JOBSET_EXACT_MAX + 1];
	struct ts_error err = {""};

	ck_assert_int_eq(jobset_exact(set, machine, NULL), 0);
	ck_assert_int_eq(jobset_brute_force(set, machine, &err), TS_EINVALID);
	for (size_t i = 0; i <= JOBSET_EXACT_MAX; i++)
		jobs[i] = one;
	ck_assert_int_eq(jobset_new(jobs, JOBSET_EXACT_MAX + 1, &big, NULL), 0);
	ck_assert_int_eq(jobset_exact(big, machine, &err), TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "at most 20 jobs"));
	jobset_free(big);
	jobset_free(set);
	jobset_free(NULL);
	free(jobs);
}
END_TEST

/* DESIGN section 11's 10-job example: release, weight, cloud processing,
 * cloud transmission, edge processing, edge transmission, device
 * processing. */
static const int multijob[10][7] = {
    {1, 2, 6, 56, 9, 11, 14},  {1, 2, 3, 32, 3, 6, 12},	 {3, 1, 4, 12, 6, 2, 49},
    {5, 1, 7, 23, 11, 5, 69},  {10, 2, 4, 27, 5, 5, 11}, {20, 2, 5, 70, 5, 14, 22},
    {21, 2, 5, 70, 5, 14, 22}, {21, 1, 4, 12, 6, 2, 49}, {22, 1, 4, 12, 6, 2, 49},
    {25, 1, 7, 23, 11, 5, 69},
};

START_TEST(jobset_multijob_optimum)
{
	struct jobset_job jobs[10];
	enum tier exact[10], brute[10], tabu[10], greedy[10];
	struct jobset *set;

	for (size_t i = 0; i < 10; i++) {
		const int *r = multijob[i];

		jobs[i] = (struct jobset_job){
		    .release = r[0],
		    .weight = r[1],
		    .processing = {[D] = r[6], [E] = r[4], [C] = r[2]},
		    .upload = {[E] = r[5], [C] = r[3]},
		};
	}
	ck_assert_int_eq(jobset_new(jobs, 10, &set, NULL), 0);
	ck_assert_int_eq(jobset_exact(set, exact, NULL), 0);
	ck_assert_int_eq(jobset_brute_force(set, brute, NULL), 0);
	ck_assert_int_eq(jobset_tabu(set, 100, tabu, NULL), 0);
	ck_assert_int_eq(jobset_greedy(set, greedy, NULL), 0);
	ck_assert_double_eq(cost_of(set, exact), 227);
	ck_assert_double_eq(cost_of(set, brute), 227);
	ck_assert_double_eq(cost_of(set, tabu), 228);
	ck_assert_double_le(cost_of(set, tabu), cost_of(set, greedy));
	jobset_free(set);
}
END_TEST

static Suite *jobset_suite(void)
{
	Suite *s = suite_create("jobset");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, jobset_server_semantics, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, jobset_greedy_hand_computed);
	tcase_add_loop_test(tc, jobset_tabu_never_worse_than_greedy, 0, 300);
	tcase_add_loop_test(tc, jobset_exact_equals_brute_force, 0, 400);
	tcase_add_test(tc, jobset_exact_size_limits);
	tcase_add_test(tc, jobset_multijob_optimum);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(jobset_suite());
}
