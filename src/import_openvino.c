/* OpenVINO benchmark_app: console output (2019-2021 and 2022+ forms) and
 * the report CSV (-report_type).  What each maps to is in
 * docs/importers.md. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "lines.h"

static int whole(const struct lines *l, double v, const char *what, int64_t *out,
		 struct ts_error *err)
{
	if (v < 1 || v > 4096 || v != (int64_t)v)
		return lines_fail(l, TS_EINVALID, err,
				  "expected a whole number of %s in [1, 4096], got %g", what, v);
	*out = (int64_t)v;
	return 0;
}

/* "[Step 10/11] Measuring performance (Start inference asyncronously, 4
 * inference requests, ...": the requests in flight, our instances. */
static int requests(const struct lines *l, const char *s, int64_t *out, struct ts_error *err)
{
	const char *p = strstr(s, " inference requests");
	double v;

	if (strstr(s, "Measuring performance") == NULL || p == NULL)
		return 0;
	while (p > s && (isdigit((unsigned char)p[-1]) || p[-1] == '.'))
		p--;
	if (lines_number(p, &v) == NULL)
		return lines_fail(l, TS_EINVALID, err,
				  "expected \"N inference requests\" in the step line");
	return whole(l, v, "inference requests", out, err);
}

static int read_console(const char *file, const char *select, struct import_result *out,
			struct ts_error *err)
{
	struct lines l;
	char *raw;
	int rc = lines_open(&l, file, err);
	bool in_latency = false, have = false, median = false;

	(void)select;
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		const char *s = lines_untag(raw), *v;

		if ((rc = requests(&l, raw, &out->instances, err)) < 0)
			break;
		if ((v = lines_after(s, "Latency:")) != NULL) {
			v += strspn(v, " \t");
			in_latency = *v == '\0';
			if (in_latency)
				continue;
			/* Before 2022: one figure, the median. */
			if (lines_number(v, &out->accel_ms) == NULL) {
				rc = lines_fail(&l, TS_EINVALID, err,
						"expected \"Latency: X ms\" or \"Latency:\" alone");
				break;
			}
			have = median = true;
		} else if (in_latency && (v = lines_after(s, "Average:")) != NULL) {
			if (lines_number(v, &out->accel_ms) == NULL) {
				rc = lines_fail(&l, TS_EINVALID, err, "expected \"Average: X ms\"");
				break;
			}
			have = true;
			median = false;
			break;
		} else if (in_latency && lines_after(s, "Median:") == NULL &&
			   lines_after(s, "Min:") == NULL && lines_after(s, "Max:") == NULL) {
			in_latency = false;
		}
	}
	if (rc == 0 && !have)
		rc = lines_fail(
		    &l, TS_EINVALID, err,
		    "end of file, expected \"Latency: X ms\" or a \"Latency:\" block with "
		    "\"Average: X ms\"");
	snprintf(out->statistic, sizeof(out->statistic), "%s",
		 median ? "Latency (median per request)" : "Latency Average (mean per request)");
	lines_release(&l);
	return rc;
}

const struct import_format import_openvino = {
    .name = "openvino",
    .description = "OpenVINO benchmark_app console output",
    .read = read_console,
};

/* The report CSV: titled sections of "name;value" rows.  Rows are matched
 * by lower-cased substrings; rows nobody needs are skipped. */
static int read_csv(const char *file, const char *select, struct import_result *out,
		    struct ts_error *err)
{
	struct lines l;
	char *raw;
	int rc = lines_open(&l, file, err);
	int have = 0; /* 0 none, 1 a median, 2 a mean */

	(void)select;
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		char *semi = strchr(raw, ';');
		double v;
		int kind;

		if (semi == NULL)
			continue; /* a section title or a blank line */
		*semi = '\0';
		for (char *c = raw; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strstr(raw, "number of parallel infer requests") != NULL ||
		    strcmp(raw, "nireq") == 0) {
			if (lines_number(semi + 1, &v) == NULL) {
				rc = lines_fail(&l, TS_EINVALID, err,
						"expected a number of infer requests after ';'");
				break;
			}
			rc = whole(&l, v, "infer requests", &out->instances, err);
			continue;
		}
		if (strstr(raw, "latency") == NULL)
			continue;
		if (strstr(raw, "average") != NULL || strstr(raw, "avg") != NULL)
			kind = 2;
		else if (strstr(raw, "median") != NULL || strncmp(raw, "latency", 7) == 0)
			kind = 1;
		else
			continue; /* min, max, percentiles */
		if (kind <= have)
			continue;
		if (lines_number(semi + 1, &out->accel_ms) == NULL) {
			rc = lines_fail(&l, TS_EINVALID, err,
					"expected a latency in ms after \"%s;\"", raw);
			break;
		}
		have = kind;
	}
	if (rc == 0 && have == 0)
		rc = lines_fail(
		    &l, TS_EINVALID, err,
		    "end of file, expected a \"latency (ms);X\" or \"avg latency;X\" row");
	snprintf(out->statistic, sizeof(out->statistic), "%s",
		 have == 2 ? "average latency row (mean per request)"
			   : "latency row (median per request)");
	lines_release(&l);
	return rc;
}

const struct import_format import_openvino_csv = {
    .name = "openvino-csv",
    .description = "OpenVINO benchmark_app report CSV",
    .read = read_csv,
};
