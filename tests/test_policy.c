/* Each v1 policy's choice on hand-built candidate lists, and the
 * registry. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rng.h"
#include "testutil.h"

/* Candidates: the device, two edge nodes and a cloud node. */
static const struct policy_candidate cands[] = {
    {.node = 0, .tier = TIER_DEVICE, .load = 0, .transfer_ms = 0, .wait_ms = 0, .service_ms = 250},
    {.node = 1, .tier = TIER_EDGE, .load = 3, .transfer_ms = 30, .wait_ms = 10, .service_ms = 80},
    {.node = 2, .tier = TIER_EDGE, .load = 1, .transfer_ms = 20, .wait_ms = 50, .service_ms = 90},
    {.node = 3, .tier = TIER_CLOUD, .load = 0, .transfer_ms = 90, .wait_ms = 0, .service_ms = 5},
};

static long place(const char *name, const struct policy_candidate *c, size_t n)
{
	const struct policy_ops *ops = policy_find(name);
	void *state;
	struct policy_query q = {.cands = c, .n_cands = n, .rng = rng_stream_new(1, "test")};
	long chosen;

	ck_assert_ptr_nonnull(ops);
	state = calloc(1, ops->state_size + 1);
	chosen = ops->place(state, &q);
	free(state);
	gsl_rng_free(q.rng);
	return chosen;
}

static const struct {
	const char *policy;
	size_t n; /* how many of cands */
	long expected;
} cases[] = {
    {"all-device", 4, 0},    {"all-edge", 4, 2},   /* lower transfer time */
    {"all-cloud", 4, 3},     {"all-cloud", 3, -1}, /* no cloud candidate: refuse */
    {"least-loaded", 4, 3}, /* load 0 twice: cloud's 95 ms beats the device's 250 */
    {"least-loaded", 3, 0},  {"layer-minimum", 4, 3}, /* 95 against 250, 120 and 160 */
    {"layer-minimum", 3, 1},			      /* 120 against 250 and 160 */
    {"round-robin", 4, 0},
};

START_TEST(policy_choices)
{
	long got = place(cases[_i].policy, cands, cases[_i].n);

	ck_assert_msg(got == cases[_i].expected, "%s over %zu candidates: got %ld, expected %ld",
		      cases[_i].policy, cases[_i].n, got, cases[_i].expected);
}
END_TEST

START_TEST(policy_round_robin_cycles)
{
	const struct policy_ops *ops = policy_find("round-robin");
	struct policy_query q = {.cands = cands, .n_cands = 4};
	void *state = calloc(1, ops->state_size);

	for (long i = 0; i < 10; i++)
		ck_assert_int_eq(ops->place(state, &q), i % 4);
	free(state);
}
END_TEST

START_TEST(policy_random_in_range_and_seeded)
{
	const struct policy_ops *ops = policy_find("random");
	struct policy_query a = {.cands = cands, .n_cands = 4, .rng = rng_stream_new(9, "p")};
	struct policy_query b = {.cands = cands, .n_cands = 4, .rng = rng_stream_new(9, "p")};
	int seen[4] = {0};

	for (int i = 0; i < 4000; i++) {
		long x = ops->place(NULL, &a);

		ck_assert_int_eq(x, ops->place(NULL, &b));
		ck_assert(x >= 0 && x < 4);
		seen[x]++;
	}
	/* 1000 expected each; 850 is more than 5 standard deviations off. */
	for (int i = 0; i < 4; i++)
		ck_assert_int_gt(seen[i], 850);
	gsl_rng_free(a.rng);
	gsl_rng_free(b.rng);
}
END_TEST

/* split: the nearest cloud node with probability cloud_share, else the
 * nearest edge node; the other tier when one has no candidate. */
static const struct {
	double share;
	size_t n;		/* how many of cands */
	int cloud_lo, cloud_hi; /* times the cloud was chosen of 10000 */
} split_cases[] = {
    /* Binomial(10000, 0.2): SD 40, so 1800-2200 is 5 SD either side. */
    {0.2, 4, 1800, 2200},
    {0, 4, 0, 0},
    {1, 4, 10000, 10000},
    {1, 3, 0, 0}, /* no cloud candidate: the nearest edge node */
};

START_TEST(policy_split_shares)
{
	const struct policy_ops *ops = policy_find("split");
	double params[1] = {split_cases[_i].share};
	struct policy_query q = {.cands = cands,
				 .n_cands = split_cases[_i].n,
				 .rng = rng_stream_new(4, "policy/split"),
				 .params = params};
	int cloud = 0;

	ck_assert_ptr_nonnull(ops);
	for (int i = 0; i < 10000; i++) {
		long x = ops->place(NULL, &q);

		ck_assert(x == 2 || x == 3);
		cloud += x == 3;
	}
	ck_assert_int_ge(cloud, split_cases[_i].cloud_lo);
	ck_assert_int_le(cloud, split_cases[_i].cloud_hi);
	gsl_rng_free(q.rng);
}
END_TEST

START_TEST(policy_registry_names)
{
	struct ts_error err = {0};

	ck_assert_ptr_null(policy_find("fastest"));
	ck_assert_int_eq(policy_unknown("fastest", &err), TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"fastest\""));
	for (size_t i = 0; policy_registry[i] != NULL; i++) {
		ck_assert_ptr_eq(policy_find(policy_registry[i]->name), policy_registry[i]);
		ck_assert_ptr_nonnull(strstr(err.msg, policy_registry[i]->name));
		ck_assert(policy_registry[i]->place != NULL || policy_registry[i]->assign != NULL);
		ck_assert(strlen(policy_registry[i]->description) > 10);
	}
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, policy_choices, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, policy_round_robin_cycles);
	tcase_add_loop_test(tc, policy_split_shares, 0,
			    (int)(sizeof(split_cases) / sizeof(split_cases[0])));
	tcase_add_test(tc, policy_random_in_range_and_seeded);
	tcase_add_test(tc, policy_registry_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(policy_suite());
}
