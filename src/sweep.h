/* `tiersim sweep`: one scenario run over a grid of parameter values,
 * policies and replications (format tiersim-sweep/1, docs/sweep.md).
 *
 * A sweep file names a base scenario and parameters, each a JSON Pointer
 * (RFC 6901) into the scenario's JSON with a list or a numeric range of
 * values; their cartesian product, in file order with the last parameter
 * varying fastest, gives the points.  Every (point, policy, replication)
 * is a work item, numbered
 *   item = (point * n_policies + policy) * replications + replication,
 * whose seed is rng_derive_seed(master seed, "point/<point>/replication/<r>"):
 * the policies share it (common random numbers).  A work item is exactly
 * `tiersim run POINT_SCENARIO --seed SEED --policy POLICY`, one
 * replication, and its metrics are that run's summary.json values.
 *
 * Finished items go to an append-only journal in the results directory
 * (locked while a sweep writes it), so a sweep that was interrupted
 * resumes where it stopped; runs.csv,
 * aggregate.csv and manifest.json are written from the journal once every
 * item is done.  Built with Open MPI and started by an MPI launcher, the
 * items are spread over the ranks (docs/cluster.md).
 */
#ifndef TIERSIM_SWEEP_H
#define TIERSIM_SWEEP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"
#include "scenario.h"
#include "status.h"

#define SWEEP_MAX_ITEMS 1000000

struct sweep_param {
	char name[SCN_ID_MAX + 1]; /* its CSV column */
	char *pointer;		   /* RFC 6901, into the scenario's JSON */
	cJSON *values;		   /* array of the n_values values, owned */
	char **labels;		   /* n_values label texts, for CSV cells */
	size_t n_values;
};

struct sweep {
	char *path;
	char sha256[65]; /* of the sweep file */
	char name[SCN_ID_MAX + 1];
	char *scenario_path; /* the base scenario, as reached from here */
	char scenario_sha256[65];
	uint64_t seed;
	unsigned replications;
	struct sweep_param *params;
	size_t n_params;
	const struct policy_ops **policies;
	size_t n_policies;
	size_t n_points;	  /* product of the parameters' value counts */
	size_t n_items;		  /* n_points * n_policies * replications */
	struct scenario **points; /* each point's scenario, loaded and checked */
};

/* Loads and checks the sweep file at path, its base scenario and every
 * point's scenario.  Errors name the sweep file, the JSON path, the point
 * (as "point P (NAME=LABEL, ...)"), the bad value and what was expected;
 * TS_EINVALID or TS_ESYNTAX for bad input.  *out is the caller's
 * (sweep_free). */
int sweep_load(const char *path, struct sweep **out, struct ts_error *err);

/* NULL is a no-op. */
void sweep_free(struct sweep *sw);

/* Index of point p's value of parameter k: the parameters form a
 * cartesian product in file order, the last varying fastest. */
size_t sweep_value_index(const struct sweep *sw, size_t p, size_t k);

/* The seed of work items at point p, replication r, for every policy:
 * rng_derive_seed(sw->seed, "point/<p>/replication/<r>"). */
uint64_t sweep_item_seed(const struct sweep *sw, size_t p, unsigned r);

struct sweep_config {
	const char *path;
	const char *out_dir; /* NULL: results/<sweep name> */
	FILE *progress;	     /* NULL: no progress line; else its terminal */
	/* Test hook: stop (TS_ERUNTIME, no result file) once this many items
	 * were finished by this run, as if it had been killed; 0: never.
	 * tiersim reads it from TIERSIM_SWEEP_STOP_AFTER. */
	size_t stop_after;
};

/* Runs the sweep: the items the results directory's journal lacks, then
 * writes runs.csv, aggregate.csv and manifest.json there and prints a
 * summary to `out`; "resuming: K of N work items done" goes to `warn`
 * when the journal already held K items.  Under an MPI launcher (an
 * MPI build, and OMPI_COMM_WORLD_SIZE or PMIX_RANK in the environment)
 * MPI is initialised here and finalised before returning; rank 0 alone
 * writes, prints and sets *primary, which says whether this process
 * should report an error (every other rank sets it false). */
int sweep_run(const struct sweep_config *cfg, FILE *out, FILE *warn, bool *primary,
	      struct ts_error *err);

#endif
