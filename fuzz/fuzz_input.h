/* What the libFuzzer harnesses share: the loaders read files, so each
 * input is written to a file first.
 *
 * The file lies in a private temporary directory, two levels down
 * (DIR/a/b/NAME), beside links to the source tree that make the relative
 * references of the shipped seeds resolve: "../profiles/", "../data/",
 * "../traces/" and "../../data/", "../../traces/".  The directory is
 * created on the first call and removed at exit, with every file written
 * into it (a harness may write several, such as a sweep's base scenario
 * beside the sweep).
 */
#ifndef TIERSIM_FUZZ_INPUT_H
#define TIERSIM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Writes data[0..size) to DIR/a/b/NAME and returns that path (owned by
 * this module, valid until the next call).  Aborts when the file cannot
 * be written: that is a broken fuzzing set-up, not a finding. */
const char *fuzz_input_file(const char *name, const uint8_t *data, size_t size);

/* With TIERSIM_FUZZ_VERBOSE set in the environment, prints the status and
 * message of a load to stderr (for running one input by hand). */
void fuzz_explain(int rc, const struct ts_error *err);

/* Aborts with `what` when `ok` is false: a harness's own check of a
 * loader's output, reported by libFuzzer as a crash. */
void fuzz_require(int ok, const char *what);

#endif
