/* TFLite benchmark_model: console timings and, with
 * --enable_op_profiling, the per-operator "Run Order" table, which splits
 * the time between a delegate (the accelerator) and the CPU.  What each
 * maps to is in docs/importers.md. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "lines.h"

#define US_PER_MS 1000.0

/* A delegated subgraph is one node named after its delegate
 * ("TfLiteXNNPackDelegate", "TfLiteGpuDelegateV2", "Vx Delegate") or, on
 * the Edge TPU, a custom op "edgetpu-custom-op". */
static bool delegated(const char *type, const char *name)
{
	const char *marks[] = {"delegate", "edgetpu", NULL};

	for (size_t i = 0; marks[i] != NULL; i++) {
		size_t n = strlen(marks[i]);

		for (const char *p = type; *p != '\0'; p++)
			if (strncasecmp(p, marks[i], n) == 0)
				return true;
		for (const char *p = name; *p != '\0'; p++)
			if (strncasecmp(p, marks[i], n) == 0)
				return true;
	}
	return false;
}

/* Splits a row at tabs into at most `max` fields, empty ones dropped. */
static size_t split_tabs(char *s, char **f, size_t max)
{
	size_t n = 0;

	for (char *p = s; *p != '\0' && n < max;) {
		char *tab = strchr(p, '\t');

		if (tab != NULL)
			*tab = '\0';
		p += strspn(p, " ");
		if (*p != '\0')
			f[n++] = p;
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	return n;
}

struct split {
	bool table, in_table, seen_delegate;
	size_t nodes, delegates;
	double pre, accel, post;
};

/* One row of the Run Order table: [node type] [start] [first] [avg ms]
 * [%] [cdf%] [mem KB] [times called] [Name]. */
static int table_row(const struct lines *l, char *s, struct split *sp, struct ts_error *err)
{
	char *f[9];
	double avg;
	size_t n = split_tabs(s, f, 9);

	if (n == 0 || f[0][0] == '[')
		return 0; /* the header */
	if (n != 9 || lines_number(f[3], &avg) == NULL)
		return lines_fail(
		    l, TS_EINVALID, err,
		    "expected a Run Order row of 9 tab-separated fields with [avg ms] "
		    "a number, got %zu fields",
		    n);
	sp->nodes++;
	if (delegated(f[0], f[8])) {
		sp->accel += avg;
		sp->delegates++;
		sp->seen_delegate = true;
	} else if (sp->seen_delegate) {
		sp->post += avg;
	} else {
		sp->pre += avg;
	}
	return 0;
}

/* "KEY: 123.4" inside a line of comma-separated timings, in us. */
static bool timing_us(const char *s, const char *key, double *ms)
{
	const char *p = strstr(s, key);
	double us;

	if (p == NULL || lines_number(p + strlen(key), &us) == NULL)
		return false;
	*ms = us / US_PER_MS;
	return true;
}

static int read_tflite(const char *file, const char *select, struct import_result *out,
		       struct ts_error *err)
{
	struct lines l;
	char *raw;
	int rc = lines_open(&l, file, err);
	struct split sp = {0};
	double avg_ms = -1, count_ms = -1;

	(void)select;
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		const char *s = lines_untag(raw), *p;

		if (sp.in_table) {
			const char *b = raw + strspn(raw, " \t");

			if (*b == '\0' || *b == '=') {
				sp.in_table = false;
			} else {
				rc = table_row(&l, raw, &sp, err);
				continue;
			}
		}
		if (s[0] == '=' && strstr(s, " Run Order ") != NULL && !sp.table) {
			sp.table = sp.in_table = true;
		} else if (strstr(s, "Inference timings in us:") != NULL) {
			/* 2.x: "..., Inference (avg): X"; older: "Average inference
			 * timings in us: Warmup: ..., Init: ..., Inference: X". */
			if (!timing_us(s, "Inference (avg):", &avg_ms) &&
			    !timing_us(s, ", Inference:", &avg_ms))
				rc = lines_fail(
				    &l, TS_EINVALID, err,
				    "expected \"Inference (avg): X\" or \", Inference: X\" "
				    "in the timings line");
		} else if ((p = strstr(s, "count=")) != NULL && strstr(p, " avg=") != NULL) {
			/* The first such line is the warm-up; the last one stands. */
			if (!timing_us(p, " avg=", &count_ms))
				rc = lines_fail(
				    &l, TS_EINVALID, err,
				    "expected \"avg=X\" (microseconds) in the count= line");
		}
	}
	if (rc == 0 && sp.table && sp.nodes == 0)
		rc = lines_fail(&l, TS_EINVALID, err, "expected rows in the Run Order table");
	if (rc == 0 && sp.table) {
		if (sp.delegates == 0) {
			/* No delegate: the CPU is the accelerator. */
			out->accel_ms = sp.pre;
			snprintf(
			    out->statistic, sizeof(out->statistic),
			    "sum of [avg ms] over the %zu operators of the Run Order table (all "
			    "on the CPU, no delegate)",
			    sp.nodes);
		} else {
			out->cpu_pre_ms = sp.pre;
			out->accel_ms = sp.accel;
			out->cpu_post_ms = sp.post;
			snprintf(
			    out->statistic, sizeof(out->statistic),
			    "Run Order table: %zu delegate nodes as accel_ms, the CPU operators "
			    "before and after them as cpu_pre_ms and cpu_post_ms",
			    sp.delegates);
		}
	} else if (rc == 0 && avg_ms >= 0) {
		out->accel_ms = avg_ms;
		snprintf(out->statistic, sizeof(out->statistic),
			 "Inference (avg) of the timings line");
	} else if (rc == 0 && count_ms >= 0) {
		out->accel_ms = count_ms;
		snprintf(out->statistic, sizeof(out->statistic), "avg= of the last count= line");
	} else if (rc == 0) {
		rc = lines_fail(&l, TS_EINVALID, err,
				"end of file, expected an \"Inference timings in us:\" line, a "
				"\"count=... avg=...\" line or a \"Run Order\" table");
	}
	lines_release(&l);
	return rc;
}

const struct import_format import_tflite = {
    .name = "tflite",
    .description = "TFLite benchmark_model console output",
    .read = read_tflite,
};
