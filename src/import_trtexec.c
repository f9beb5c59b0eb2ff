/* TensorRT trtexec: console summaries (7.x, 8.0-8.2, 8.4 and later, and
 * the --dumpProfile per-layer table), --exportTimes and --exportProfile
 * JSON.  What each maps to is in docs/importers.md. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "jsonin.h"
#include "lines.h"

/* "mean = 1.5 ms" inside a "Latency: min = ..., mean = ..." line. */
static bool field_ms(const char *s, const char *key, double *out)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "%s = ", key);
	p = strstr(s, pat);
	return p != NULL && lines_number(p + strlen(pat), out) != NULL;
}

/* The model of "--name=PATH" on a trtexec command line: the file name
 * without its directory and extension, so that one model's ONNX file and
 * engine ("ssd.onnx", "engines/ssd.plan") are the same model. */
static void command_model(const char *s, const char *name, char *out, size_t size)
{
	const char *p = strstr(s, name), *base, *dot;
	size_t n;

	if (p == NULL || out[0] != '\0')
		return;
	p += strlen(name);
	n = strcspn(p, " \t");
	base = p;
	for (const char *c = p; c < p + n; c++)
		if (*c == '/')
			base = c + 1;
	dot = NULL;
	for (const char *c = base; c < p + n; c++)
		if (*c == '.')
			dot = c;
	n = (size_t)((dot != NULL && dot > base ? dot : p + n) - base);
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), base);
}

/* Streams, from the options block of any version ("Streams: 2",
 * "Inference Streams: 2"). */
static int streams(const struct lines *l, const char *s, struct import_result *out,
		   struct ts_error *err)
{
	const char *v = lines_after(s, "Inference Streams:");
	double n;

	if (v == NULL)
		v = lines_after(s, "Streams:");
	if (v == NULL)
		return 0;
	if (lines_number(v, &n) == NULL || n < 1 || n > 4096 || n != (int64_t)n)
		return lines_fail(
		    l, TS_EINVALID, err,
		    "expected a whole number of streams in [1, 4096] after \"Streams:\"");
	out->instances = (int64_t)n;
	return 0;
}

enum { BLOCK_NONE, BLOCK_HOST_LATENCY_7X, BLOCK_PROFILE };

static int read_console(const char *file, const char *select, struct import_result *out,
			struct ts_error *err)
{
	struct lines l;
	char *raw;
	int rc = lines_open(&l, file, err), block = BLOCK_NONE;
	bool summary = false, have = false;

	(void)select;
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		const char *s = lines_untag(raw), *v;
		double x;

		if (strstr(raw, "&&&& RUNNING") != NULL) {
			command_model(raw, "--onnx=", out->model, sizeof(out->model));
			command_model(raw, "--loadEngine=", out->model, sizeof(out->model));
			command_model(raw, "--deploy=", out->model, sizeof(out->model));
		}
		if ((rc = streams(&l, s, out, err)) < 0)
			break;
		if (strcmp(s, "=== Performance summary ===") == 0) {
			summary = true;
		} else if (summary && (v = lines_after(s, "Latency:")) != NULL) {
			/* 8.0 and later: H2D + GPU compute + D2H of one query. */
			if (!field_ms(v, "mean", &out->accel_ms)) {
				rc = lines_fail(&l, TS_EINVALID, err,
						"expected \"mean = X ms\" in the Latency line");
				break;
			}
			snprintf(out->statistic, sizeof(out->statistic),
				 "mean Latency (H2D + GPU compute + D2H)");
			have = true;
			break;
		} else if (strcmp(s, "Host Latency") == 0) {
			block = BLOCK_HOST_LATENCY_7X;
		} else if (block == BLOCK_HOST_LATENCY_7X &&
			   (v = lines_after(s, "mean:")) != NULL) {
			/* 7.x: "mean: 3.2 ms (end to end 6.1 ms)"; the first
			 * figure is H2D + GPU compute + D2H. */
			if (lines_number(v, &out->accel_ms) == NULL) {
				rc =
				    lines_fail(&l, TS_EINVALID, err,
					       "expected \"mean: X ms\" in the Host Latency block");
				break;
			}
			snprintf(out->statistic, sizeof(out->statistic),
				 "mean Host Latency (H2D + GPU compute + D2H, TensorRT 7)");
			have = true;
			break;
		} else if (strncmp(s, "=== Profile (", 13) == 0) {
			block = BLOCK_PROFILE;
		} else if (block == BLOCK_PROFILE && lines_number(s, &x) != NULL &&
			   strstr(s, "Total") != NULL) {
			/* "Time(ms) Avg.(ms) Median(ms) Time(%) Total" */
			if (lines_number(lines_number(s, &x), &out->accel_ms) == NULL) {
				rc = lines_fail(&l, TS_EINVALID, err,
						"expected \"TIME AVERAGE MEDIAN PERCENT Total\"");
				break;
			}
			snprintf(
			    out->statistic, sizeof(out->statistic),
			    "Total average of the --dumpProfile layer table (GPU compute only)");
			have = true;
			break;
		}
	}
	if (rc == 0 && !have)
		rc = lines_fail(&l, TS_EINVALID, err,
				"end of file, expected a \"=== Performance summary ===\" with a "
				"\"Latency:\" line, a TensorRT 7 \"Host Latency\" block or a "
				"\"=== Profile\" table with a Total row");
	lines_release(&l);
	return rc;
}

const struct import_format import_trtexec = {
    .name = "trtexec",
    .description = "TensorRT trtexec console output",
    .read = read_console,
};

/* --exportTimes: one object per query. */
static int read_times(const char *file, const char *select, struct import_result *out,
		      struct ts_error *err)
{
	static const char *const parts_7x[] = {"inMs", "computeMs", "outMs"};
	struct jin_doc doc = {0};
	struct jin_at root, q;
	struct jin_iter it;
	double sum = 0;
	size_t n = 0;
	int rc;

	(void)select;
	if ((rc = jin_doc_load(&doc, file, err)) < 0)
		goto out;
	root = jin_root(&doc);
	if ((rc = jin_array(&root, 1, &n, err)) < 0)
		goto out;
	jin_iter_init(&it, &root);
	for (size_t i = 0; i < n; i++) {
		struct jin_at lat;
		double v = 0, part;

		q = jin_iter_next(&it);
		if ((rc = jin_member(&q, "latencyMs", false, &lat, err)) < 0)
			goto out;
		if (lat.node != NULL) {
			rc = jin_number(&lat, 0, 1e12, &v, err);
		} else {
			/* TensorRT 7 has no latencyMs: its sum of parts. */
			for (size_t k = 0; k < 3 && rc == 0; k++) {
				rc = jin_get_number(&q, parts_7x[k], true, 0, 1e12, &part, err);
				v += part;
			}
		}
		if (rc < 0)
			goto out;
		sum += v;
	}
	out->accel_ms = sum / (double)n;
	snprintf(out->statistic, sizeof(out->statistic),
		 "mean latencyMs (H2D + GPU compute + D2H) over %zu queries", n);
out:
	jin_doc_release(&doc);
	return rc;
}

const struct import_format import_trtexec_times = {
    .name = "trtexec-times",
    .description = "TensorRT trtexec --exportTimes JSON",
    .read = read_times,
};

/* The last "KEY" : NUMBER of a line: layer names come first and are not
 * JSON-escaped, so a name may hold anything, the key included. */
static bool last_field(const char *s, const char *key, double *out)
{
	const char *p = NULL, *q = s;

	while ((q = strstr(q, key)) != NULL)
		p = q++;
	if (p == NULL)
		return false;
	p += strlen(key);
	p += strspn(p, " \t");
	return *p == ':' && lines_number(p + 1, out) != NULL;
}

/* --exportProfile: written one record a line, which is how it is read
 * (names are not JSON-escaped, so a JSON parser may refuse the file). */
static int read_profile(const char *file, const char *select, struct import_result *out,
			struct ts_error *err)
{
	struct lines l;
	char *raw;
	int rc = lines_open(&l, file, err);
	size_t layers = 0;
	double count = -1, ms;

	(void)select;
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		const char *s = lines_untag(raw);

		if (*s == '\0' || strcmp(s, "[") == 0 || strcmp(s, "]") == 0)
			continue;
		if (count < 0) {
			if (!last_field(s, "\"count\"", &count))
				rc = lines_fail(&l, TS_EINVALID, err,
						"expected { \"count\" : N } as the first record");
			continue;
		}
		if (!last_field(s, "\"averageMs\"", &ms)) {
			char q[64];

			lines_quote(s, q, sizeof(q));
			rc = lines_fail(
			    &l, TS_EINVALID, err,
			    "expected a layer record with \"averageMs\" : X, got \"%s\"", q);
			break;
		}
		out->accel_ms += ms;
		layers++;
	}
	if (rc == 0 && layers == 0)
		rc = lines_fail(
		    &l, TS_EINVALID, err,
		    "end of file, expected { \"count\" : N } and at least one layer record");
	snprintf(out->statistic, sizeof(out->statistic),
		 "sum of averageMs over %zu layers (GPU compute only)", layers);
	lines_release(&l);
	return rc;
}

const struct import_format import_trtexec_profile = {
    .name = "trtexec-profile",
    .description = "TensorRT trtexec --exportProfile JSON",
    .read = read_profile,
};
