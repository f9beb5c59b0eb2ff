/* MLPerf LoadGen's mlperf_log_summary.txt: "key : value" lines, latencies
 * in nanoseconds. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "lines.h"

#define NS_PER_MS 1e6

/* The value of "KEY : VALUE" when the line's key is `key`. */
static const char *value_of(const char *s, const char *key)
{
	const char *v = lines_after(s, key);

	if (v == NULL)
		return NULL;
	v += strspn(v, " \t");
	return *v == ':' ? v + 1 : NULL;
}

static int read_mlperf(const char *file, const char *select, struct import_result *out,
		       struct ts_error *err)
{
	struct lines l;
	char *raw;
	int rc = lines_open(&l, file, err);
	bool have = false;
	double ns;

	(void)select;
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		const char *v;

		if ((v = value_of(raw, "Mean latency (ns)")) != NULL) {
			if (lines_number(v, &ns) == NULL) {
				rc = lines_fail(&l, TS_EINVALID, err,
						"expected \"Mean latency (ns) : N\" with N in ns");
				break;
			}
			out->accel_ms = ns / NS_PER_MS;
			have = true;
		}
	}
	if (rc == 0 && !have)
		rc = lines_fail(&l, TS_EINVALID, err,
				"end of file, expected a \"Mean latency (ns) : N\" line");
	snprintf(out->statistic, sizeof(out->statistic), "Mean latency (ns), in ms");
	lines_release(&l);
	return rc;
}

const struct import_format import_mlperf = {
    .name = "mlperf",
    .description = "MLPerf LoadGen mlperf_log_summary.txt",
    .read = read_mlperf,
};
