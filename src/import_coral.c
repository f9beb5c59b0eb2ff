/* Coral Edge TPU benchmarks: pycoral's inference CSV ("MODEL
 * INFERENCE_TIME", invoke() only) and the older edgetpu detection CSV
 * ("MODEL IMAGE INFERENCE_TIME", end to end with the host's resize).
 * Both are space-separated, one row per model (and image), times in ms. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "lines.h"

#define KEY_MAX 512

enum { PYCORAL, DETECTION };

/* The row's key (every field but the last) and its time. */
static int parse_row(const struct lines *l, char *s, size_t nkey, char *key, double *ms,
		     struct ts_error *err)
{
	char *last = strrchr(s, ' ');
	size_t spaces = 0;

	for (const char *p = s; *p != '\0'; p++)
		spaces += *p == ' ';
	if (last == NULL || spaces != nkey || lines_number(last + 1, ms) == NULL ||
	    last[1 + strspn(last + 1, "0123456789.eE+-")] != '\0')
		return lines_fail(l, TS_EINVALID, err,
				  "expected %zu space-separated names and a time in ms", nkey);
	*last = '\0';
	snprintf(key, KEY_MAX, "%s", s);
	return 0;
}

/* A row picked by --select: exactly, or as the only one containing it. */
struct pick {
	size_t n, line, second_line;
	double ms;
	char key[KEY_MAX];
};

static void pick_add(struct pick *p, size_t line, const char *key, double ms)
{
	if (p->n++ > 0) {
		if (p->second_line == 0)
			p->second_line = line;
		return;
	}
	p->line = line;
	p->ms = ms;
	snprintf(p->key, sizeof(p->key), "%s", key);
}

static int read_coral(const char *file, const char *select, struct import_result *out,
		      struct ts_error *err)
{
	struct lines l;
	char *raw, key[KEY_MAX];
	int rc = lines_open(&l, file, err), kind = PYCORAL;
	struct pick exact = {0}, partial = {0}, *p;
	size_t rows = 0;
	double ms;

	if (rc == 0 && (raw = lines_next(&l)) != NULL) {
		if (strcmp(raw, "MODEL IMAGE INFERENCE_TIME") == 0)
			kind = DETECTION;
		else if (strcmp(raw, "MODEL INFERENCE_TIME") != 0)
			rc = lines_fail(&l, TS_EINVALID, err,
					"expected the header \"MODEL INFERENCE_TIME\" (pycoral) or "
					"\"MODEL IMAGE INFERENCE_TIME\" (edgetpu detection)");
	}
	while (rc == 0 && (raw = lines_next(&l)) != NULL) {
		if (*raw == '\0')
			continue;
		if ((rc = parse_row(&l, raw, kind == DETECTION ? 2 : 1, key, &ms, err)) < 0)
			break;
		rows++;
		if (select != NULL && strcmp(key, select) == 0)
			pick_add(&exact, l.lineno, key, ms);
		else if (select == NULL || strstr(key, select) != NULL)
			pick_add(&partial, l.lineno, key, ms);
	}
	if (rc == 0 && rows == 0)
		rc =
		    lines_fail(&l, TS_EINVALID, err, "end of file, expected rows after the header");
	p = exact.n > 0 ? &exact : &partial;
	if (rc == 0 && p->n == 0)
		rc = lines_fail(&l, TS_EINVALID, err, "end of file, no row matches --select \"%s\"",
				select);
	if (rc == 0 && p->n > 1)
		rc = ts_error_set(err, TS_EINVALID,
				  "%s:%zu: %s matches this row and the one of line %zu; expected "
				  "--select to pick one row (a row's names in full match exactly)",
				  file, p->second_line,
				  select != NULL ? "--select" : "without --select, every row",
				  p->line);
	if (rc == 0) {
		size_t n = strcspn(p->key, " ");

		out->accel_ms = p->ms;
		/* The model is the first name, less its ".tflite". */
		if (n > 7 && strncmp(p->key + n - 7, ".tflite", 7) == 0)
			n -= 7;
		snprintf(out->model, sizeof(out->model), "%.*s", (int)n, p->key);
		snprintf(out->statistic, sizeof(out->statistic), "%s of row \"%.100s\"",
			 kind == DETECTION ? "end-to-end time (with the host's resize)"
					   : "invoke() time",
			 p->key);
	}
	lines_release(&l);
	return rc;
}

const struct import_format import_coral = {
    .name = "coral",
    .description = "Coral Edge TPU benchmark CSV (pycoral inference or edgetpu detection)",
    .read = read_coral,
};
