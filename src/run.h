/* `tiersim run`: replications of one scenario and their result files. */
#ifndef TIERSIM_RUN_H
#define TIERSIM_RUN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"
#include "sim.h"
#include "status.h"

struct run_config {
	const char *scenario_path;
	const char *out_dir; /* NULL: results/<scenario name> */
	bool has_seed;	     /* seed overrides the scenario's */
	uint64_t seed;
	unsigned replications; /* >= 1 */
	const char *policy;    /* NULL: the scenario's */
	bool requests_csv;
	const char *trace;     /* NULL: no request trace; else its file */
	uint64_t trace_sample; /* >= 1: trace requests whose id % trace_sample == 0 */
	FILE *progress;	       /* NULL: no progress line; else its terminal */
};

/* Loads the scenario, runs the replications (replication r uses master
 * seed rng_derive_seed(seed, "replication/<r>")), writes manifest.json,
 * summary.json and, when asked, requests.csv into the results directory
 * and the request trace to cfg->trace,
 * and prints a short summary to `out` and warnings to `warn`.  Nothing is
 * written under a final name unless every replication succeeded. */
int run_scenario(const struct run_config *cfg, FILE *out, FILE *warn, struct ts_error *err);

/* The seed of replication r under master seed `seed`:
 * rng_derive_seed(seed, "replication/<r>"). */
uint64_t run_replication_seed(uint64_t seed, unsigned r);

/* The summary.json document (docs/outputs.md) of reports[0..n) (n >= 1),
 * runs of s under the policy named `policy`: plain numbers for n = 1,
 * means with 95% confidence half widths otherwise; NULL when out of
 * memory.  The caller frees it. */
cJSON *run_summary_json(const struct scenario *s, const char *policy,
			const struct sim_report *reports, unsigned n);

#endif
