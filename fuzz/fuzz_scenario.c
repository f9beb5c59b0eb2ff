/* libFuzzer harness: the scenario loader (scenario_load), and the
 * simulator on every loaded scenario small enough to run in a moment.
 *
 * Profiles named without a '/' come from the source tree's
 * models/profiles; relative paths resolve as fuzz_input.h says. */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "policy.h"
#include "scenario.h"
#include "sim.h"

/* Scenarios expected to create more requests than this are loaded but not
 * simulated, so that one input takes milliseconds, not minutes. */
#define SIM_MAX_ARRIVALS 2000.0

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gsl_set_error_handler_off();
	return 0;
}

/* The loader's promises (scenario.h, docs/scenario.md). */
static void check_scenario(const struct scenario *s)
{
	/* Job sets (no apps) have a structure of their own, not checked
	 * here. */
	if (s->n_apps == 0)
		return;
	fuzz_require(s->n_models >= 1 && s->n_nodes >= 1, "non-empty lists");
	fuzz_require(s->duration > 0 && s->warmup >= 0 && s->warmup < s->duration,
		     "0 <= warmup < duration");
	for (size_t l = 0; l < s->n_links; l++) {
		const struct scn_link *k = &s->links[l];

		fuzz_require(k->a < s->n_nodes && k->b < s->n_nodes && k->a != k->b,
			     "a link joins two different nodes");
		fuzz_require(scenario_link(s, k->a, k->b) == (long)l &&
				 scenario_link(s, k->b, k->a) == (long)l,
			     "one link per pair, found from either end");
		fuzz_require(isfinite(k->bandwidth_Bps) && k->bandwidth_Bps > 0, "bandwidth > 0");
	}
	for (size_t a = 0; a < s->n_apps; a++) {
		const struct scn_app *app = &s->apps[a];

		fuzz_require(app->model < s->n_models && app->n_sources >= 1, "app model, sources");
		fuzz_require(app->start >= 0 && app->start < app->stop, "start < stop");
		for (size_t k = 0; k < app->n_sources; k++)
			fuzz_require(app->sources[k] < s->n_nodes &&
					 s->nodes[app->sources[k]].tier == TIER_DEVICE,
				     "sources are devices");
	}
}

/* Requests the scenario's sources create, about. */
static double arrivals(const struct scenario *s)
{
	double total = 0;

	for (size_t a = 0; a < s->n_apps; a++) {
		const struct scn_app *app = &s->apps[a];
		double rate = app->workload == WORKLOAD_STREAM ? app->fps : app->rate_hz;
		sim_time_t stop = app->stop < s->duration ? app->stop : s->duration;

		total += (double)app->n_sources * rate * sim_to_s(stop - app->start);
	}
	return total;
}

/* Fault events (crashes, recoveries, window starts and ends, losses),
 * about: a random crash comes back every mtbf_s + mttr_s on average. */
static double fault_events(const struct scenario *s)
{
	const struct scn_faults *f = &s->faults;
	double total = 2 * (double)f->n_links + (double)f->n_accels;

	for (size_t k = 0; k < f->n_nodes; k++)
		total += f->nodes[k].random
			     ? 2 * sim_to_s(s->duration) / (f->nodes[k].mtbf_s + f->nodes[k].mttr_s)
			     : 2;
	return total;
}

static void simulate(const struct scenario *s)
{
	struct sim_options opt = {.seed = s->seed, .policy = policy_find(s->policy)};
	struct sim_report rep = {0};
	struct ts_error err = {""};
	double ended = 0;
	int rc;

	fuzz_require(opt.policy != NULL, "the loader checked the policy name");
	rc = sim_run(s, &opt, &rep, &err);
	fuzz_explain(rc, &err);
	fuzz_require(rc == 0 || rc == TS_ERUNTIME || rc == TS_ENOMEM, "sim_run status");
	fuzz_require(rc == 0 || err.msg[0] != '\0', "a failed run says why");
	fuzz_require(strstr(err.msg, "does not add up") == NULL, "request accounting");
	if (rc == 0) {
		ended = rep.totals[SIM_T_COMPLETED] + rep.totals[SIM_T_DROPPED_QUEUE_FULL] +
			rep.totals[SIM_T_DROPPED_NO_NODE] + rep.totals[SIM_T_IN_FLIGHT];
		for (int f = 0; f < SIM_FAIL_COUNT; f++)
			ended += rep.faults[SIM_F_FAILED_NODE_CRASH + f];
		fuzz_require(ended == rep.totals[SIM_T_CREATED], "created = ended + in flight");
		for (size_t n = 0; n < s->n_nodes; n++) {
			double u = rep.nodes[n * SIM_M_COUNT_ALL + SIM_M_UTILISATION];

			fuzz_require(u >= 0 && u <= 1, "node utilisation in [0, 1]");
		}
	}
	sim_report_release(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *s = NULL;
	struct ts_error err = {""};
	int rc = scenario_load(fuzz_input_file("scenario.json", data, size), &s, &err);

	fuzz_require(rc == 0 || rc == TS_EINVALID || rc == TS_ESYNTAX || rc == TS_EIO ||
			 rc == TS_ENOMEM,
		     "scenario_load status");
	fuzz_explain(rc, &err);
	if (rc < 0) {
		fuzz_require(s == NULL && err.msg[0] != '\0', "a failed load says why");
		return 0;
	}
	check_scenario(s);
	/* Only scenarios with apps run in the simulator (job sets have a
	 * scheduler of their own). */
	if (s->n_apps > 0 && policy_find(s->policy) != NULL &&
	    policy_find(s->policy)->place != NULL && s->duration <= sim_from_s(1000) &&
	    arrivals(s) + fault_events(s) <= SIM_MAX_ARRIVALS)
		simulate(s);
	scenario_free(s);
	return 0;
}
