/* libFuzzer harness: the delay trace reader (trace_load), plain and ping
 * formats. */
#include <math.h>
#include <string.h>

#include "fuzz_input.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace t = {0};
	struct ts_error err = {""};
	int rc = trace_load(fuzz_input_file("trace.txt", data, size), &t, &err);
	double lo = INFINITY, hi = -INFINITY;

	fuzz_require(rc == 0 || rc == TS_EINVALID || rc == TS_EIO || rc == TS_ENOMEM,
		     "trace_load status");
	fuzz_explain(rc, &err);
	if (rc < 0) {
		fuzz_require(err.msg[0] != '\0' && t.ms == NULL, "a failed load says why");
		return 0;
	}
	fuzz_require(t.n >= 1 && t.ms != NULL && t.sorted != NULL, "at least one value");
	for (size_t i = 0; i < t.n; i++) {
		fuzz_require(isfinite(t.ms[i]) && t.ms[i] >= 0, "values finite and >= 0");
		lo = t.ms[i] < lo ? t.ms[i] : lo;
		hi = t.ms[i] > hi ? t.ms[i] : hi;
		fuzz_require(i == 0 || t.sorted[i - 1] <= t.sorted[i], "sorted ascending");
	}
	fuzz_require(t.sorted[0] == lo && t.sorted[t.n - 1] == hi, "sorted holds the values");
	trace_release(&t);
	return 0;
}
