#include "trace.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"

/* Longest part of a bad line quoted in a message. */
#define SHOWN 60
/* Longest number text read; longer ones are malformed. */
#define NUMBER_MAX 63

/* One line, trimmed of surrounding white space (and a CR of CRLF). */
struct line {
	const char *p, *end;
	size_t no; /* from 1 */
};

struct reader {
	const char *path;
	const char *next, *end; /* unread text */
	struct line line;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool next_line(struct reader *r)
{
	const char *p = r->next, *end;

	if (p >= r->end)
		return false;
	end = memchr(p, '\n', (size_t)(r->end - p));
	if (end == NULL)
		end = r->end;
	r->next = end + 1;
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	r->line = (struct line){.p = p, .end = end, .no = r->line.no + 1};
	return true;
}

static int fail(const struct reader *r, const char *expected, struct ts_error *err)
{
	char shown[SHOWN + 4];

	if (jin_excerpt(r->line.p, r->line.end, shown, SHOWN + 1))
		strcat(shown, "...");
	return ts_error_set(err, TS_EINVALID, "%s:%zu: expected %s, got \"%s\"", r->path,
			    r->line.no, expected, shown);
}

/* Where s occurs in the line, or NULL. */
static const char *find(const struct line *l, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = l->p; p + n <= l->end; p++)
		if (memcmp(p, s, n) == 0)
			return p;
	return NULL;
}

static bool starts_with(const struct line *l, const char *s)
{
	return find(l, s) == l->p;
}

/* The number that is exactly the text [p, end). */
static bool number(const char *p, const char *end, double *out)
{
	char buf[NUMBER_MAX + 1];
	size_t n = (size_t)(end - p);
	char *stop;

	if (n == 0 || n > NUMBER_MAX || is_space(*p) || memchr(p, '\0', n) != NULL)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*out = strtod(buf, &stop);
	return *stop == '\0';
}

/* Ping output is told apart by its header or a reply line, so a log whose
 * pings all went unanswered is still read as one (and found empty). */
static bool looks_like_ping(struct reader r)
{
	while (next_line(&r))
		if (starts_with(&r.line, "PING ") || find(&r.line, "bytes from") != NULL)
			return true;
	return false;
}

/* A line of ping output: *has tells whether it carried a delay. */
static int ping_line(const struct reader *r, double *ms, bool *has, struct ts_error *err)
{
	/* Header, summary and no-reply lines of Linux ping (and of the BSD
	 * ping that says "Request timeout"). */
	static const char *const skipped[] = {"PING ",	       "--- ",	"rtt ",
					      "round-trip ",   "From ", "Request timeout",
					      "no answer yet", NULL};
	const struct line *l = &r->line;
	const char *t, *stop;

	*has = false;
	if (l->p == l->end)
		return 0;
	if (find(l, "bytes from") == NULL) {
		for (size_t i = 0; skipped[i] != NULL; i++)
			if (starts_with(l, skipped[i]))
				return 0;
		if (find(l, "packets transmitted") != NULL)
			return 0;
		return fail(r, "a ping reply (\"... bytes from ...: ... time=X ms\")", err);
	}
	/* "time<1 ms" is a bound, not a measurement; iputils never prints
	 * it, so it is refused rather than guessed. */
	t = find(l, "time=");
	if (t == NULL)
		return fail(r, "a ping reply with \"time=X ms\"", err);
	t += strlen("time=");
	stop = t;
	while (stop < l->end && !is_space(*stop))
		stop++;
	if (!number(t, stop, ms) || l->end - stop < 3 || memcmp(stop, " ms", 3) != 0)
		return fail(r, "\"time=X ms\" with X a number of milliseconds", err);
	*has = true;
	return 0;
}

/* A plain line: one number, or nothing once a '#' comment is cut off. */
static int plain_line(struct reader *r, double *ms, bool *has, struct ts_error *err)
{
	struct line *l = &r->line;
	const char *hash = memchr(l->p, '#', (size_t)(l->end - l->p));
	const char *end = hash == NULL ? l->end : hash;

	while (end > l->p && is_space(end[-1]))
		end--;
	*has = end > l->p;
	if (*has && !number(l->p, end, ms))
		return fail(r, "one delay in ms per line", err);
	return 0;
}

static int push(struct trace *t, size_t *cap, double ms)
{
	if (t->n == *cap) {
		size_t n = *cap == 0 ? 1024 : 2 * *cap;
		double *p = realloc(t->ms, n * sizeof(*p));

		if (p == NULL)
			return TS_ENOMEM;
		t->ms = p;
		*cap = n;
	}
	t->ms[t->n++] = ms;
	return 0;
}

static int parse(struct trace *t, struct reader *r, struct ts_error *err)
{
	size_t cap = 0;

	t->ping = looks_like_ping(*r);
	while (next_line(r)) {
		double ms;
		bool has;
		int rc = t->ping ? ping_line(r, &ms, &has, err) : plain_line(r, &ms, &has, err);

		if (rc < 0)
			return rc;
		if (!has)
			continue;
		if (!isfinite(ms) || ms < 0)
			return fail(r, "a finite delay >= 0 ms", err);
		if (push(t, &cap, ms) < 0)
			return ts_error_set(err, TS_ENOMEM, "%s: out of memory", r->path);
	}
	if (t->n == 0)
		return ts_error_set(err, TS_EINVALID,
				    "%s: no delay values (expected one number of ms per line, or "
				    "ping output with replies)",
				    r->path);
	t->sorted = malloc(t->n * sizeof(*t->sorted));
	if (t->sorted == NULL)
		return ts_error_set(err, TS_ENOMEM, "%s: out of memory", r->path);
	memcpy(t->sorted, t->ms, t->n * sizeof(*t->sorted));
	gsl_sort(t->sorted, 1, t->n);
	return 0;
}

int trace_load(const char *path, struct trace *out, struct ts_error *err)
{
	struct trace t = {0};
	struct reader r = {.path = path};
	char *text;
	size_t len;
	int rc = jin_read_file(path, &text, &len, err);

	if (rc < 0)
		return rc;
	r.next = text;
	r.end = text + len;
	t.path = strdup(path);
	rc = t.path == NULL ? ts_error_set(err, TS_ENOMEM, "%s: out of memory", path)
			    : parse(&t, &r, err);
	free(text);
	if (rc < 0) {
		trace_release(&t);
		return rc;
	}
	*out = t;
	return 0;
}

void trace_release(struct trace *t)
{
	free(t->path);
	free(t->ms);
	free(t->sorted);
	memset(t, 0, sizeof(*t));
}
