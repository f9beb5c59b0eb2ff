/* `tiersim check`: re-runs the scenario a golden result directory's
 * manifest.json records (scenario path, seed, policy, replications,
 * options) into a temporary directory and compares the new summary.json
 * with the golden one, metric by metric (docs/regression.md). */
#ifndef TIERSIM_GOLDEN_H
#define TIERSIM_GOLDEN_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

struct golden_result {
	size_t compared;    /* values compared */
	size_t differing;   /* of which not exactly equal */
	size_t regressions; /* of which outside their tolerance, or missing/added */
};

/* Checks one golden directory and prints its diff table (every value that
 * differs, and whether it is within its tolerance) and a verdict line to
 * out.  The scenario path in the manifest is read as written: relative to
 * the current directory when relative.  The optional manifest member
 * "tolerances" maps metric keys to {"abs": A, "rel": R} (A, R >= 0, both
 * default 0): a value passes when |now - golden| <= max(A, R |golden|).  A
 * key matches a metric whose dotted path ("apps.od.p99_ms") contains the
 * key's dotted components in a row; the longest matching key wins, and
 * with none the comparison is exact.  Returns TS_EINVALID for a bad
 * manifest or summary, else the status of the run; the temporary
 * directory is removed in every case. */
int golden_check(const char *golden_dir, FILE *out, struct golden_result *res,
		 struct ts_error *err);

#endif
