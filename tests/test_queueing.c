/* The engine against closed-form queueing results: one Poisson source
 * feeding one node of c servers over a link of no delay, so that the
 * response time is the wait in queue plus the service time.
 *
 * - M/M/c (exponential service, jitter_cv 1): the mean wait is Erlang C's
 *   C(c, a) / (c mu - lambda), a = lambda / mu, with Erlang B taken from
 *   GSL's Poisson law, B = P(X = c) / P(X <= c) for X ~ Poisson(a), and
 *   C = c B / (c - a (1 - B)).
 * - M/D/1 (constant service, jitter_cv 0): Pollaczek-Khinchine,
 *   Wq = rho S / (2 (1 - rho)).
 * - A device group (count K) at rate r per device is one Poisson source
 *   at K r: the M/M/3 case again.
 *
 * The tolerance comes from the runs themselves: REPS replications of equal
 * length give independent mean responses, and their mean must lie within
 * 3 half widths of the 95% Student t interval around the formula.  The
 * half width shrinks with the run length, so each case also requires it to
 * be below 5% of the expected response: a wrong model (a node with one
 * server, or servers that do not share the queue) lands far outside. */
#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

#include "policy.h"
#include "scenario.h"
#include "sim.h"
#include "stats.h"
#include "testutil.h"

#define REPS 10

struct queue_case {
	const char *name;
	const char *profile; /* tests/data/queueing/ */
	int servers;
	int devices;	/* the source's count: a device group sends devices x rate_hz */
	double rate_hz; /* per device */
	double service_ms;
	double duration_s, warmup_s;
};

static const struct queue_case cases[] = {
    {"M/M/1 rho 0.7", "exp-100ms.json", 1, 1, 7, 100, 6000, 50},
    {"M/M/3 rho 0.8", "exp-100ms.json", 3, 1, 24, 100, 800, 50},
    {"M/M/8 rho 0.9", "exp-100ms.json", 8, 1, 72, 100, 1500, 50},
    {"M/D/1 rho 0.8", "det-100ms.json", 1, 1, 8, 100, 2000, 50},
    /* 24 devices at 1/s as one group: Poisson at 24/s, as above. */
    {"M/M/3 rho 0.8, a group of 24", "exp-100ms.json", 3, 24, 1, 100, 800, 50},
};

/* Expected mean response in ms: wait in queue plus service. */
static double expected_response_ms(const struct queue_case *c)
{
	double s = c->service_ms / 1e3, lambda = c->devices * c->rate_hz;
	double rho = lambda * s / c->servers;

	if (c->profile[0] == 'd')
		return 1e3 * (rho * s / (2 * (1 - rho)) + s);
	{
		double a = lambda * s;
		unsigned k = (unsigned)c->servers;
		double b = gsl_ran_poisson_pdf(k, a) / gsl_cdf_poisson_P(k, a);
		double erlang_c = k * b / (k - a * (1 - b));

		return 1e3 * (erlang_c / (k / s - lambda) + s);
	}
}

static double run_mean_ms(const struct queue_case *c, const char *dir, uint64_t seed)
{
	char text[2048];
	struct scenario *s = NULL;
	struct ts_error err = {0};
	struct sim_report rep;
	struct sim_options opt = {.seed = seed, .policy = policy_find("all-edge")};
	double mean;
	int len = snprintf(
	    text, sizeof(text),
	    "{\"tiersim_scenario\": 1, \"name\": \"queue\", \"duration_s\": %g, \"warmup_s\": %g,"
	    " \"policy\": {\"name\": \"all-edge\"},"
	    " \"models\": [{\"id\": \"m\", \"input_bytes\": 1, \"output_bytes\": 1, \"flops\": 1}],"
	    " \"nodes\": [{\"id\": \"dev\", \"tier\": \"device\", \"count\": %d,"
	    " \"cpu\": {\"cores\": 1, \"ghz\": 1}, \"accelerators\": []}, {\"id\": \"edge\", "
	    "\"tier\": \"edge\", \"cpu\": {\"cores\": 1,"
	    " \"ghz\": 1}, \"servers\": %d, \"accelerators\": [{\"id\": \"a\", \"profile\": "
	    "\"./%s\"}]}],"
	    " \"links\": [{\"between\": [\"dev\", \"edge\"], \"delay\": {\"law\": \"constant\","
	    " \"value_ms\": 0}, \"bandwidth_Bps\": 1e15}],"
	    " \"apps\": [{\"id\": \"a\", \"model\": \"m\", \"sources\": [\"dev\"], \"workload\":"
	    " {\"type\": \"poisson\", \"rate_hz\": %g, \"frame_px\": [1, 1]}, \"qos_ms\": 1000}]}",
	    c->duration_s, c->warmup_s, c->devices, c->servers, c->profile, c->rate_hz);

	ck_assert_int_lt(len, (int)sizeof(text));
	ck_assert_msg(scenario_load_text(text, (size_t)len, "queue.json", dir, &s, &err) == 0, "%s",
		      err.msg);
	ck_assert_msg(sim_run(s, &opt, &rep, &err) == 0, "%s", err.msg);
	mean = rep.apps[SIM_M_MEAN];
	sim_report_release(&rep);
	scenario_free(s);
	return mean;
}

START_TEST(queueing_mean_response_matches_formula)
{
	const struct queue_case *c = &cases[_i];
	double means[REPS], mean, half, expected = expected_response_ms(c);
	char dir[4096];

	tu_source_path(dir, sizeof(dir), "tests/data/queueing/");
	for (int r = 0; r < REPS; r++)
		means[r] = run_mean_ms(c, dir, 1000 + (uint64_t)r);
	stats_mean_ci95(means, REPS, &mean, &half);
	ck_assert_msg(half < 0.05 * expected, "%s: half width %.3f ms is too wide for %.3f ms",
		      c->name, half, expected);
	ck_assert_msg(fabs(mean - expected) <= 3 * half,
		      "%s: mean response %.3f ms +- %.3f, the formula gives %.3f ms", c->name, mean,
		      half, expected);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queueing");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, queueing_mean_response_matches_formula, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
