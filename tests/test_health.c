/* Health states, moving averages and the network latency matrix. */
#include <check.h>
#include <math.h>

#include "health.h"
#include "testutil.h"

/* ---- states ---- */

static const struct {
	double latency_ms;
	enum health_state expected;
} state_cases[] = {
    {0, HEALTH_PASS},	      {74.999, HEALTH_PASS}, {75, HEALTH_WARNING},
    {89.999, HEALTH_WARNING}, {90, HEALTH_WARNING},  {90.001, HEALTH_CRITICAL},
    {1000, HEALTH_CRITICAL},
};

START_TEST(health_state_boundaries)
{
	enum health_state got = health_classify(state_cases[_i].latency_ms, 100, 0.75, 0.9);

	ck_assert_msg(got == state_cases[_i].expected, "%.17g ms of 100: %s, expected %s",
		      state_cases[_i].latency_ms, health_state_name(got),
		      health_state_name(state_cases[_i].expected));
}
END_TEST

START_TEST(health_state_names)
{
	ck_assert_str_eq(health_state_name(HEALTH_IDLE), "idle");
	ck_assert_str_eq(health_state_name(HEALTH_PASS), "pass");
	ck_assert_str_eq(health_state_name(HEALTH_WARNING), "warning");
	ck_assert_str_eq(health_state_name(HEALTH_CRITICAL), "critical");
}
END_TEST

/* ---- moving averages ---- */

START_TEST(health_ema_arithmetic)
{
	struct health_ema e = {0};

	/* Window 3: alpha = 0.5. */
	health_ema_add(&e, 10, 3);
	ck_assert_double_eq_tol(e.value, 10, 1e-12);
	health_ema_add(&e, 20, 3);
	ck_assert_double_eq_tol(e.value, 15, 1e-12);
	health_ema_add(&e, 40, 3);
	ck_assert_double_eq_tol(e.value, 27.5, 1e-12);
	ck_assert_double_eq_tol(e.latest, 40, 1e-12);
	/* Window 1: the latest sample alone. */
	health_ema_add(&e, 7, 1);
	ck_assert_double_eq_tol(e.value, 7, 1e-12);
}
END_TEST

START_TEST(health_tema_arithmetic)
{
	struct health_tema e = {0};
	double a = exp(-30.0 / 60);

	health_tema_add(&e, 0, 10, 60);
	ck_assert_double_eq_tol(e.value, 10, 1e-12);
	health_tema_add(&e, 30 * SIM_NS_PER_S, 20, 60);
	ck_assert_double_eq_tol(e.value, a * 10 + (1 - a) * 20, 1e-12);
	/* The same instant: no decay, the sample does not move it. */
	health_tema_add(&e, 30 * SIM_NS_PER_S, 1000, 60);
	ck_assert_double_eq_tol(e.value, a * 10 + (1 - a) * 20, 1e-12);
}
END_TEST

START_TEST(health_nlm_score_and_state)
{
	struct health_nlm_config cfg = {
	    .weights = {0.5, 0.3, 0.2}, .warning_ms = 15, .critical_ms = 30};
	struct health_nlm *nlm = health_nlm_new(3, &cfg);
	double e[3], want = 0;
	static const double tau[3] = {60, 300, 900};

	ck_assert_ptr_nonnull(nlm);
	ck_assert_uint_eq(health_nlm_count(nlm, 0, 2), 0);
	ck_assert(isnan(health_nlm_ema(nlm, 0, 2, 0)));
	/* Before an observation: the prior. */
	ck_assert_double_eq_tol(health_nlm_score(nlm, 0, 2, 12.5), 12.5, 1e-12);
	health_nlm_observe(nlm, 0, 2, 0, 10);
	ck_assert_double_eq_tol(health_nlm_score(nlm, 2, 0, 99), 10, 1e-12);
	/* The other direction updates the same entry. */
	health_nlm_observe(nlm, 2, 0, 60 * SIM_NS_PER_S, 40);
	ck_assert_uint_eq(health_nlm_count(nlm, 0, 2), 2);
	for (int w = 0; w < 3; w++) {
		double a = exp(-60 / tau[w]);

		e[w] = a * 10 + (1 - a) * 40;
		ck_assert_double_eq_tol(health_nlm_ema(nlm, 0, 2, w), e[w], 1e-9);
		want += cfg.weights[w] * e[w];
	}
	ck_assert_double_eq_tol(health_nlm_score(nlm, 0, 2, 0), want, 1e-9);
	/* Other entries are untouched. */
	ck_assert_uint_eq(health_nlm_count(nlm, 0, 1), 0);
	ck_assert(health_nlm_state(nlm, 14.9) == HEALTH_PASS);
	ck_assert(health_nlm_state(nlm, 15) == HEALTH_WARNING);
	ck_assert(health_nlm_state(nlm, 30) == HEALTH_WARNING);
	ck_assert(health_nlm_state(nlm, 30.1) == HEALTH_CRITICAL);
	health_nlm_free(nlm);
	health_nlm_free(NULL);
}
END_TEST

static Suite *health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *unit = tcase_create("unit");

	tcase_add_loop_test(unit, health_state_boundaries, 0,
			    (int)(sizeof(state_cases) / sizeof(state_cases[0])));
	tcase_add_test(unit, health_state_names);
	tcase_add_test(unit, health_ema_arithmetic);
	tcase_add_test(unit, health_tema_arithmetic);
	tcase_add_test(unit, health_nlm_score_and_state);
	suite_add_tcase(s, unit);
	return s;
}

int main(void)
{
	return tu_run(health_suite());
}
