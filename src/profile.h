/* Latency profiles: measured or published per-accelerator tables.
 *
 * A profile file (format in docs/profiles.md) describes one accelerator
 * (or a CPU used as one) and gives, per model, a table over frame size and
 * number of concurrent instances on the node of three parts in
 * milliseconds: CPU pre-processing (step 1), accelerator inference (steps
 * 2-4) and CPU post-processing (step 5).  The table must be a full grid:
 * every frame size with every instance count.
 *
 * Evaluation interpolates each part linearly (bilinearly over both axes,
 * with GSL's interp2d) in frame pixels (width x height) and in the
 * instance count.  An axis with a single value is constant along it.  A
 * query outside the table's range is clamped to the nearest edge and
 * reported as clamped, so the caller applies the scenario's
 * clamp-with-warning or error rule.
 */
#ifndef TIERSIM_PROFILE_H
#define TIERSIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct profile;

struct profile_parts {
	double cpu_pre_ms;
	double accel_ms;
	double cpu_post_ms;
};

/* Loads and checks a profile file.  Errors name the file and the JSON
 * path (TS_ESYNTAX, TS_EINVALID; a missing file is TS_EINVALID too) or the
 * I/O problem (TS_EIO).  *out is
 * owned by the caller (profile_free). */
int profile_load(const char *path, struct profile **out, struct ts_error *err);

/* NULL is a no-op. */
void profile_free(struct profile *p);

/* The profile's "id", "description" and accelerator "kind"
 * (gpu|tpu|vpu|cpu); owned by the profile. */
const char *profile_id(const struct profile *p);
const char *profile_description(const struct profile *p);
const char *profile_kind(const struct profile *p);

/* Coefficient of variation of the service time (0 = deterministic). */
double profile_jitter_cv(const struct profile *p);

/* Number of model tables and the model id of table i. */
size_t profile_model_count(const struct profile *p);
const char *profile_model(const struct profile *p, size_t i);

/* Index of the table for model id, or -1 when the profile has none. */
int profile_find_model(const struct profile *p, const char *model);

/* Range of the table of model `table`: frame pixels and instance counts. */
void profile_range(const struct profile *p, int table, double *px_lo, double *px_hi,
		   double *inst_lo, double *inst_hi);

/* Evaluates table `table` at (pixels, instances).  Returns true when the
 * query was outside the table and was clamped to its edge.  O(log n). */
bool profile_eval(const struct profile *p, int table, double pixels, double instances,
		  struct profile_parts *out);

/* The layers of table `table` (its "layers"): their count, 0 when it has
 * none, and in *share the cumulative share of the accelerator time in
 * layers 1..k, k = 0..count (0, then increasing to 1). */
size_t profile_layers(const struct profile *p, int table, const double **share);

#endif
