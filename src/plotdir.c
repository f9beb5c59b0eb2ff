#include "plotdir.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health.h"
#include "jobrun.h"
#include "jsonin.h"
#include "outfile.h"
#include "plot.h"
#include "sim.h"

/* Longest part of a bad field quoted in a message. */
#define SHOWN 48
/* Points per CDF curve at most: beyond, every k-th order statistic. */
#define CDF_POINTS 2000

/* Every allocation of one plot command, freed together. */
struct arena {
	void **blocks;
	size_t n, cap;
};

static void *arena_keep(struct arena *a, void *p)
{
	if (p == NULL)
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 32;
		void **b = realloc(a->blocks, cap * sizeof(*b));

		if (b == NULL) {
			free(p);
			return NULL;
		}
		a->blocks = b;
		a->cap = cap;
	}
	a->blocks[a->n++] = p;
	return p;
}

static void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	return arena_keep(a, calloc(n + 1, size));
}

static char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = arena_keep(a, malloc((size_t)n + 1));
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static void arena_release(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
	*a = (struct arena){0};
}

static int no_memory(struct ts_error *err)
{
	return ts_error_set(err, TS_ENOMEM, "out of memory");
}

/* A CSV file of plain fields, read line by line and split in place.  No
 * quoting: tiersim writes ids as they are, so an id with a comma gives a
 * row with too many fields, which is refused.  Fields point into the
 * current line: what outlives it is copied (intern()). */
struct csv {
	const char *path;
	FILE *f;
	char *buf; /* the current line, NUL-terminated */
	size_t buf_cap;
	long no; /* its number, from 1 */
	char **field;
	size_t n, cap;
	size_t rows; /* lines in the file: an upper bound on its rows */
};

static int csv_read_error(const struct csv *c, struct ts_error *err)
{
	return ts_error_set(err, TS_EIO, "%s: cannot read: %s", c->path, strerror(errno));
}

static int csv_open(struct csv *c, struct arena *a, const char *path, struct ts_error *err)
{
	*c = (struct csv){.path = path, .cap = 16};
	c->f = fopen(path, "r");
	if (c->f == NULL)
		return ts_error_set(err, errno == ENOENT ? TS_EINVALID : TS_EIO,
				    "%s: cannot open: %s", path, strerror(errno));
	/* A first pass counts the lines, so that arrays of rows are sized
	 * once. */
	while (getline(&c->buf, &c->buf_cap, c->f) >= 0)
		c->rows++;
	if (ferror(c->f))
		return csv_read_error(c, err);
	rewind(c->f);
	c->field = arena_calloc(a, c->cap, sizeof(*c->field));
	return c->field == NULL ? no_memory(err) : 0;
}

/* Closes the file; safe on a zeroed or closed csv. */
static void csv_close(struct csv *c)
{
	if (c->f != NULL)
		fclose(c->f);
	free(c->buf);
	c->f = NULL;
	c->buf = NULL;
}

/* "PATH:LINE:COLUMN: " and the message, for field k of the current line
 * (its first column when k is past the fields). */
static int csv_fail(const struct csv *c, size_t k, struct ts_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int csv_fail(const struct csv *c, size_t k, struct ts_error *err, const char *fmt, ...)
{
	char text[sizeof(err->msg)];
	long col = k < c->n ? (long)(c->field[k] - c->buf) + 1 : 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return ts_error_set(err, TS_EINVALID, "%s:%ld:%ld: %s", c->path, c->no, col, text);
}

/* Field k quoted for a message. */
static const char *csv_shown(const struct csv *c, size_t k, char *buf)
{
	const char *f = c->field[k];

	if (jin_excerpt(f, f + strlen(f), buf, SHOWN + 1))
		strcat(buf, "...");
	return buf;
}

/* Reads the next non-empty line into fields: 1 when there is one, 0 at
 * the end of the file. */
static int csv_next(struct csv *c, struct arena *a, struct ts_error *err)
{
	ssize_t len;
	char *p;

	do {
		errno = 0;
		len = getline(&c->buf, &c->buf_cap, c->f);
		if (len < 0)
			return ferror(c->f) ? csv_read_error(c, err) : 0;
		c->no++;
		while (len > 0 && (c->buf[len - 1] == '\n' || c->buf[len - 1] == '\r'))
			c->buf[--len] = '\0';
	} while (len == 0);
	p = c->buf;
	c->n = 0;
	for (;;) {
		if (c->n == c->cap) {
			char **f = arena_calloc(a, 2 * c->cap, sizeof(*f));

			if (f == NULL)
				return no_memory(err);
			memcpy(f, c->field, c->n * sizeof(*f));
			c->field = f;
			c->cap *= 2;
		}
		c->field[c->n++] = p;
		p = strchr(p, ',');
		if (p == NULL)
			return 1;
		*p++ = '\0';
	}
}

/* The current line has exactly n fields. */
static int csv_width(const struct csv *c, size_t n, struct ts_error *err)
{
	if (c->n == n)
		return 0;
	return csv_fail(c, n < c->n ? n : c->n, err, "expected %zu comma-separated fields, got %zu",
			n, c->n);
}

/* Reads the header line and checks that it names `names` (NULL-terminated)
 * in order; with `open_middle`, names[0] is the first column and the rest
 * the last ones, any columns between them being free. */
static int csv_header(struct csv *c, struct arena *a, const char *const *names, bool open_middle,
		      struct ts_error *err)
{
	size_t n = 0, first_tail = 1;
	int rc = csv_next(c, a, err);

	while (names[n] != NULL)
		n++;
	if (rc == 0)
		return ts_error_set(err, TS_EINVALID,
				    "%s:1:1: expected a header line, got an "
				    "empty file",
				    c->path);
	if (rc < 0)
		return rc;
	if (open_middle) {
		if (c->n < n)
			return csv_fail(c, 0, err, "expected at least %zu columns, got %zu", n,
					c->n);
		first_tail = c->n - (n - 1);
	} else if (c->n != n) {
		return csv_width(c, n, err);
	}
	for (size_t k = 0; k < c->n; k++) {
		const char *want = k == 0	     ? names[0]
				   : k >= first_tail ? names[k - first_tail + 1]
						     : NULL;
		char shown[SHOWN + 4];

		if (open_middle && k > 0 && k < first_tail) {
			if (c->field[k][0] == '\0')
				return csv_fail(c, k, err,
						"expected a parameter name, got an empty "
						"column name");
			continue;
		}
		if (strcmp(c->field[k], want) != 0)
			return csv_fail(c, k, err, "expected column \"%s\", got \"%s\"", want,
					csv_shown(c, k, shown));
	}
	return 0;
}

/* Field k as a finite number in [lo, hi]; an empty field gives NaN when
 * empty_ok. */
static int csv_number(const struct csv *c, size_t k, const char *name, double lo, double hi,
		      bool empty_ok, double *out, struct ts_error *err)
{
	const char *f = c->field[k];
	char *end, shown[SHOWN + 4];
	double v;

	if (*f == '\0' && empty_ok) {
		*out = NAN;
		return 0;
	}
	errno = 0;
	v = strtod(f, &end);
	if (*f == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
		return csv_fail(c, k, err, "%s: expected a number from %g to %g%s, got \"%s\"",
				name, lo, hi, empty_ok ? " or nothing" : "",
				csv_shown(c, k, shown));
	*out = v;
	return 0;
}

static int csv_integer(const struct csv *c, size_t k, const char *name, double lo, double hi,
		       bool empty_ok, double *out, struct ts_error *err)
{
	char shown[SHOWN + 4];
	int rc = csv_number(c, k, name, lo, hi, empty_ok, out, err);

	if (rc == 0 && !isnan(*out) && *out != floor(*out))
		return csv_fail(c, k, err, "%s: expected a whole number, got \"%s\"", name,
				csv_shown(c, k, shown));
	return rc;
}

static int csv_nonempty(const struct csv *c, size_t k, const char *name, struct ts_error *err)
{
	return c->field[k][0] == '\0'
		   ? csv_fail(c, k, err, "%s: expected a name, got nothing", name)
		   : 0;
}

/* Index of s in names[0..*n); a copy of s is appended when absent (names
 * has room).  SIZE_MAX when out of memory. */
static size_t intern(struct arena *a, const char **names, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	names[*n] = arena_printf(a, "%s", s);
	return names[*n] == NULL ? SIZE_MAX : (*n)++;
}

static char *path_in(struct arena *a, const char *dir, const char *name)
{
	return arena_printf(a, "%s/%s", dir, name);
}

/* Whether DIR/NAME exists.  No allocation, so that running out of memory
 * cannot make a file look absent; a path longer than PATH_MAX is one that
 * the system would not open either. */
static bool file_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	return n > 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0;
}

/* ---- tiersim run directories: manifest.json and requests.csv ---- */

/* One completed request's response time, in ms. */
struct response {
	size_t app;
	double ms;
};

/* Mean service stages of the requests one node served at one instance
 * count. */
struct group {
	const char *node, *tier;
	double instances;
	double pre_ms, accel_ms, post_ms; /* sums, then means */
	size_t n;
};

struct run_in {
	const char *dir, *scenario, *policy;
	const char **apps;
	size_t n_apps;
	struct response *resp;
	size_t n_resp;
	struct group *groups;
	size_t n_groups, cap_groups;
};

/* What manifest.json says: the scenario, policy, seed and warm-up. */
struct manifest {
	const char *scenario, *path, *policy, *seed;
	double warmup_s, time_unit_ms;
};

static int read_manifest(struct arena *a, const char *dir, bool jobs, struct manifest *m,
			 struct ts_error *err)
{
	char *file = path_in(a, dir, "manifest.json");
	struct jin_doc doc = {0};
	struct jin_at root, sc, opts;
	const char *s[4] = {0};
	int rc;

	if (file == NULL)
		return no_memory(err);
	rc = jin_doc_load(&doc, file, err);
	root = jin_root(&doc);
	if (rc == 0)
		rc = jin_member(&root, "scenario", true, &sc, err);
	if (rc == 0)
		rc = jin_get_string(&sc, "name", true, 256, &s[0], err);
	if (rc == 0)
		rc = jin_get_string(&sc, "path", true, 4096, &s[1], err);
	if (rc == 0)
		rc = jin_get_string(&root, "policy", true, 256, &s[2], err);
	if (rc == 0 && jobs) {
		rc = jin_get_number(&root, "time_unit_ms", true, 1e-9, 1e12, &m->time_unit_ms, err);
	} else if (rc == 0) {
		rc = jin_get_string(&root, "seed", true, 32, &s[3], err);
		if (rc == 0)
			rc = jin_member(&root, "options", true, &opts, err);
		if (rc == 0)
			rc = jin_get_number(&opts, "warmup_s", true, 0, 1e12, &m->warmup_s, err);
	}
	if (rc == 0) {
		m->scenario = arena_printf(a, "%s", s[0]);
		m->path = arena_printf(a, "%s", s[1]);
		m->policy = arena_printf(a, "%s", s[2]);
		m->seed = s[3] != NULL ? arena_printf(a, "%s", s[3]) : NULL;
		if (m->scenario == NULL || m->path == NULL || m->policy == NULL ||
		    (s[3] != NULL && m->seed == NULL))
			rc = no_memory(err);
	}
	jin_doc_release(&doc);
	return rc;
}

enum req_col {
	RC_APP = 2,
	RC_NODE = 4,
	RC_TIER = 5,
	RC_STATUS = 6,
	RC_CREATED = 8,
	RC_START = 10,
	RC_POST = 13,
	RC_RESPONSE = 15,
	RC_INSTANCES = 16,
	RC_COUNT = 19,
};

/* The group of (node, instances), added when new; NULL when out of
 * memory. */
static struct group *find_group(struct arena *a, struct run_in *r, const char *node,
				const char *tier, double instances)
{
	struct group *g;

	for (size_t i = 0; i < r->n_groups; i++)
		if (r->groups[i].instances == instances && strcmp(r->groups[i].node, node) == 0)
			return &r->groups[i];
	if (r->n_groups == r->cap_groups) {
		size_t cap = r->cap_groups ? 2 * r->cap_groups : 16;

		g = arena_calloc(a, cap, sizeof(*g));
		if (g == NULL)
			return NULL;
		if (r->n_groups > 0)
			memcpy(g, r->groups, r->n_groups * sizeof(*g));
		r->groups = g;
		r->cap_groups = cap;
	}
	g = &r->groups[r->n_groups];
	*g = (struct group){.node = arena_printf(a, "%s", node),
			    .tier = arena_printf(a, "%s", tier),
			    .instances = instances};
	if (g->node == NULL || g->tier == NULL)
		return NULL;
	r->n_groups++;
	return g;
}

/* The service stages of a request that finished service. */
static int read_stages(struct arena *a, const struct csv *c, struct run_in *r, struct ts_error *err)
{
	static const char *const names[] = {"start_ns", "cpu_pre_done_ns", "accel_done_ns",
					    "cpu_post_done_ns"};
	double t[4], inst;
	struct group *g;
	int rc = 0;

	for (int k = 0; rc == 0 && k < 4; k++) {
		rc = csv_number(c, RC_START + (size_t)k, names[k], 0, 9.3e18, false, &t[k], err);
		if (rc == 0 && k > 0 && t[k] < t[k - 1])
			rc = csv_fail(c, RC_START + (size_t)k, err,
				      "%s: expected a time at or after %s, got %.0f ns before %.0f "
				      "ns",
				      names[k], names[k - 1], t[k], t[k - 1]);
	}
	if (rc == 0)
		rc = csv_integer(c, RC_INSTANCES, "instances", 1, 1e9, false, &inst, err);
	if (rc == 0)
		rc = csv_nonempty(c, RC_NODE, "node", err);
	if (rc < 0)
		return rc;
	g = find_group(a, r, c->field[RC_NODE], c->field[RC_TIER], inst);
	if (g == NULL)
		return no_memory(err);
	g->pre_ms += (t[1] - t[0]) / 1e6;
	g->accel_ms += (t[2] - t[1]) / 1e6;
	g->post_ms += (t[3] - t[2]) / 1e6;
	g->n++;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->node, y->node);

	if (c != 0)
		return c;
	return (x->instances > y->instances) - (x->instances < y->instances);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int response_cmp(const void *a, const void *b)
{
	const struct response *x = a, *y = b;

	if (x->app != y->app)
		return x->app < y->app ? -1 : 1;
	return (x->ms > y->ms) - (x->ms < y->ms);
}

/* requests.csv of a run: completed requests' response times per app, and
 * the service stages per node and instance count, of the requests
 * created at or after the warm-up, as summary.json counts them. */
static int parse_requests(struct arena *a, struct run_in *r, const struct manifest *m,
			  struct csv *c, struct ts_error *err)
{
	static const char *const status_names[] = {"completed", "dropped", "failed", "in_flight"};
	const char *names[RC_COUNT + 1] = {0};
	char *header = arena_printf(a, "%s", sim_csv_header);
	char *file = path_in(a, r->dir, "requests.csv");
	double warmup_ns = m->warmup_s * 1e9;
	size_t n_names = 0;
	int rc;

	if (header == NULL || file == NULL)
		return no_memory(err);
	header[strcspn(header, "\n")] = '\0';
	for (char *p = strtok(header, ","); p != NULL && n_names < RC_COUNT; p = strtok(NULL, ","))
		names[n_names++] = p;
	rc = csv_open(c, a, file, err);
	if (rc == 0)
		rc = csv_header(c, a, names, false, err);
	if (rc == 0) {
		r->apps = arena_calloc(a, c->rows, sizeof(*r->apps));
		r->resp = arena_calloc(a, c->rows, sizeof(*r->resp));
		if (r->apps == NULL || r->resp == NULL)
			rc = no_memory(err);
	}
	while (rc == 0 && (rc = csv_next(c, a, err)) == 1) {
		double created = 0, response;
		size_t app;
		int status = -1;
		char shown[SHOWN + 4];

		rc = csv_width(c, RC_COUNT, err);
		if (rc == 0)
			rc = csv_nonempty(c, RC_APP, "app", err);
		for (int k = 0; rc == 0 && k < 4; k++)
			if (strcmp(c->field[RC_STATUS], status_names[k]) == 0)
				status = k;
		if (rc == 0 && status < 0)
			rc = csv_fail(
			    c, RC_STATUS, err,
			    "status: expected completed, dropped, failed or in_flight, got "
			    "\"%s\"",
			    csv_shown(c, RC_STATUS, shown));
		if (rc == 0)
			rc = csv_number(c, RC_CREATED, "created_ns", 0, 9.3e18, false, &created,
					err);
		if (rc < 0 || created < warmup_ns)
			continue;
		if (status == 0) {
			rc = csv_number(c, RC_RESPONSE, "response_ns", 0, 9.3e18, false, &response,
					err);
			app = rc == 0 ? intern(a, r->apps, &r->n_apps, c->field[RC_APP]) : 0;
			if (app == SIZE_MAX)
				rc = no_memory(err);
			else if (rc == 0)
				r->resp[r->n_resp++] =
				    (struct response){.app = app, .ms = response / 1e6};
		}
		if (rc == 0 && c->field[RC_POST][0] != '\0')
			rc = read_stages(a, c, r, err);
	}
	if (rc < 0)
		return rc;
	/* Curves in app name order, whatever order the requests ended in. */
	for (size_t i = 0; i < r->n_resp; i++) {
		size_t rank = 0;

		for (size_t k = 0; k < r->n_apps; k++)
			rank += strcmp(r->apps[k], r->apps[r->resp[i].app]) < 0;
		r->resp[i].app = rank;
	}
	qsort(r->apps, r->n_apps, sizeof(*r->apps), str_cmp);
	qsort(r->resp, r->n_resp, sizeof(*r->resp), response_cmp);
	qsort(r->groups, r->n_groups, sizeof(*r->groups), group_cmp);
	for (size_t i = 0; i < r->n_groups; i++) {
		struct group *g = &r->groups[i];

		g->pre_ms /= (double)g->n;
		g->accel_ms /= (double)g->n;
		g->post_ms /= (double)g->n;
	}
	return 0;
}

static int read_requests(struct arena *a, struct run_in *r, const struct manifest *m,
			 struct ts_error *err)
{
	struct csv c = {0};
	int rc = parse_requests(a, r, m, &c, err);

	csv_close(&c);
	return rc;
}

/* ---- job-set directories: schedule.csv ---- */

static int parse_gantt(struct arena *a, const char *dir, struct plot_gantt *g, struct csv *c,
		       struct ts_error *err)
{
	static const char *const names[] = {"job",	  "machine",	 "weight",
					    "release_tu", "arrival_tu",	 "start_tu",
					    "end_tu",	  "response_tu", NULL};
	static const char *const keys[] = {"weighted_total_response", "total_response",
					   "last_completion"};
	char *summary = path_in(a, dir, "summary.json"), *file = path_in(a, dir, "schedule.csv");
	struct plot_gantt_job *jobs;
	struct manifest m = {0};
	struct jin_doc doc = {0};
	struct jin_at root, jobs_at;
	double total[3];
	char *title = arena_calloc(a, 512, 1);
	int rc;

	if (summary == NULL || file == NULL || title == NULL)
		return no_memory(err);
	rc = read_manifest(a, dir, true, &m, err);
	if (rc == 0)
		rc = jin_doc_load(&doc, summary, err);
	root = jin_root(&doc);
	if (rc == 0)
		rc = jin_member(&root, "jobs", true, &jobs_at, err);
	for (int k = 0; rc == 0 && k < 3; k++)
		rc = jin_get_number(&jobs_at, keys[k], true, 0, 1e300, &total[k], err);
	jin_doc_release(&doc);
	if (rc == 0)
		rc = csv_open(c, a, file, err);
	if (rc == 0)
		rc = csv_header(c, a, names, false, err);
	if (rc < 0)
		return rc;
	jobs = arena_calloc(a, c->rows, sizeof(*jobs));
	if (jobs == NULL)
		return no_memory(err);
	*g = (struct plot_gantt){.title = title, .time_unit_ms = m.time_unit_ms, .jobs = jobs};
	while ((rc = csv_next(c, a, err)) == 1) {
		struct plot_gantt_job *j = &jobs[g->n_jobs];
		double *t[] = {&j->release, &j->arrival, &j->start, &j->end};
		int machine = -1;
		char shown[SHOWN + 4];

		rc = csv_width(c, 8, err);
		if (rc == 0)
			rc = csv_nonempty(c, 0, "job", err);
		for (int k = 0; rc == 0 && k < TIER_COUNT; k++)
			if (strcmp(c->field[1], tier_name((enum tier)k)) == 0)
				machine = k;
		if (rc == 0 && machine < 0)
			rc = csv_fail(c, 1, err,
				      "machine: expected device, edge or cloud, got \"%s\"",
				      csv_shown(c, 1, shown));
		for (size_t k = 0; rc == 0 && k < 4; k++)
			rc = csv_number(c, 3 + k, names[3 + k], 0, 1e300, false, t[k], err);
		if (rc < 0)
			return rc;
		j->id = arena_printf(a, "%s", c->field[0]);
		if (j->id == NULL)
			return no_memory(err);
		j->machine = (enum tier)machine;
		g->n_jobs++;
	}
	if (rc < 0)
		return rc;
	jobrun_gantt_title(title, 512, m.scenario, m.policy, total[0], total[1], total[2]);
	return 0;
}

static int read_gantt(struct arena *a, const char *dir, struct plot_gantt *g, struct ts_error *err)
{
	struct csv c = {0};
	int rc = parse_gantt(a, dir, g, &c, err);

	csv_close(&c);
	return rc;
}

/* ---- health timelines: timeseries.csv and migrations.csv ---- */

/* By enum health_state: idle, pass, warning, critical. */
static const char *const state_colours[HEALTH_STATE_COUNT] = {"#bbbbbb", "#228833", "#ccbb44",
							      "#ee6677"};

/* One health check: the node's state from t0 until its next check. */
struct hrow {
	size_t node;
	double t0, t1, lat_ms;
	int state;
};

struct migration {
	double t;
	size_t from, to;
};

struct health_in {
	const char **nodes; /* the timeseries' nodes, then those only migrations name */
	size_t n_nodes, n_checked;
	struct hrow *rows;
	size_t n_rows;
	struct migration *migs;
	size_t n_migs;
	double t_end;
};

static int parse_migrations(struct arena *a, const char *dir, struct health_in *h, struct csv *c,
			    struct ts_error *err)
{
	static const char *const names[] = {"time_s", "stream", "app", "from",
					    "to",     "reason", NULL};
	char *file = path_in(a, dir, "migrations.csv");
	const char **nodes;
	int rc;

	if (file == NULL)
		return no_memory(err);
	rc = csv_open(c, a, file, err);
	if (rc == 0)
		rc = csv_header(c, a, names, false, err);
	if (rc < 0)
		return rc;
	h->migs = arena_calloc(a, c->rows, sizeof(*h->migs));
	nodes = arena_calloc(a, h->n_nodes + 2 * c->rows, sizeof(*nodes));
	if (h->migs == NULL || nodes == NULL)
		return no_memory(err);
	memcpy(nodes, h->nodes, h->n_nodes * sizeof(*nodes));
	h->nodes = nodes;
	while ((rc = csv_next(c, a, err)) == 1) {
		struct migration *mg = &h->migs[h->n_migs];

		rc = csv_width(c, 6, err);
		if (rc == 0)
			rc = csv_number(c, 0, "time_s", 0, 1e12, false, &mg->t, err);
		if (rc == 0)
			rc = csv_nonempty(c, 3, "from", err);
		if (rc == 0)
			rc = csv_nonempty(c, 4, "to", err);
		if (rc < 0)
			return rc;
		mg->from = intern(a, h->nodes, &h->n_nodes, c->field[3]);
		mg->to = intern(a, h->nodes, &h->n_nodes, c->field[4]);
		if (mg->from == SIZE_MAX || mg->to == SIZE_MAX)
			return no_memory(err);
		h->t_end = fmax(h->t_end, mg->t);
		h->n_migs++;
	}
	return rc;
}

static int read_migrations(struct arena *a, const char *dir, struct health_in *h,
			   struct ts_error *err)
{
	struct csv c = {0};
	int rc = parse_migrations(a, dir, h, &c, err);

	csv_close(&c);
	return rc;
}

static int parse_health(struct arena *a, const char *dir, struct health_in *h, struct csv *c,
			struct ts_error *err)
{
	static const char *const names[] = {"time_s", "node",	      "instances", "avg_inf_lat_ms",
					    "state",  "queue_length", NULL};
	char *file = path_in(a, dir, "timeseries.csv");
	double *last, min_step = INFINITY;
	int rc;

	if (file == NULL)
		return no_memory(err);
	rc = csv_open(c, a, file, err);
	if (rc == 0)
		rc = csv_header(c, a, names, false, err);
	if (rc < 0)
		return rc;
	h->rows = arena_calloc(a, c->rows, sizeof(*h->rows));
	h->nodes = arena_calloc(a, c->rows, sizeof(*h->nodes));
	last = arena_calloc(a, c->rows, sizeof(*last));
	if (h->rows == NULL || h->nodes == NULL || last == NULL)
		return no_memory(err);
	while ((rc = csv_next(c, a, err)) == 1) {
		struct hrow *r = &h->rows[h->n_rows];
		double v;
		char shown[SHOWN + 4];
		size_t before = h->n_nodes;

		r->state = -1;
		rc = csv_width(c, 6, err);
		if (rc == 0)
			rc = csv_number(c, 0, "time_s", 0, 1e12, false, &r->t0, err);
		if (rc == 0)
			rc = csv_nonempty(c, 1, "node", err);
		if (rc == 0)
			rc = csv_integer(c, 2, "instances", 0, 1e9, false, &v, err);
		if (rc == 0)
			rc = csv_number(c, 3, "avg_inf_lat_ms", 0, 1e12, true, &r->lat_ms, err);
		for (int k = 0; rc == 0 && k < HEALTH_STATE_COUNT; k++)
			if (strcmp(c->field[4], health_state_name((enum health_state)k)) == 0)
				r->state = k;
		if (rc == 0 && r->state < 0)
			rc = csv_fail(c, 4, err,
				      "state: expected pass, warning, critical or idle, got \"%s\"",
				      csv_shown(c, 4, shown));
		if (rc == 0)
			rc = csv_integer(c, 5, "queue_length", 0, 1e12, false, &v, err);
		if (rc < 0)
			return rc;
		r->node = intern(a, h->nodes, &h->n_nodes, c->field[1]);
		if (r->node == SIZE_MAX)
			return no_memory(err);
		if (h->n_nodes == before && r->t0 <= last[r->node])
			return csv_fail(c, 0, err,
					"time_s: expected a time after node %s's previous check at "
					"%g s, got %g",
					c->field[1], last[r->node], r->t0);
		if (h->n_nodes == before)
			min_step = fmin(min_step, r->t0 - last[r->node]);
		last[r->node] = r->t0;
		h->n_rows++;
	}
	if (rc < 0)
		return rc;
	/* A check's state holds until the node's next check; the last one for
	 * as long as the shortest period seen (1 s when every node was checked
	 * once). */
	for (size_t i = 0; i < h->n_nodes; i++)
		last[i] = NAN;
	for (size_t i = h->n_rows; i-- > 0;) {
		struct hrow *r = &h->rows[i];

		r->t1 = isnan(last[r->node]) ? r->t0 + (isfinite(min_step) ? min_step : 1)
					     : last[r->node];
		last[r->node] = r->t0;
		h->t_end = fmax(h->t_end, r->t1);
	}
	h->n_checked = h->n_nodes;
	if (h->n_rows == 0)
		return ts_error_set(err, TS_EINVALID,
				    "%s: expected rows after the header, got none", file);
	return 0;
}

static int read_health(struct arena *a, const char *dir, struct health_in *h, struct ts_error *err)
{
	struct csv c = {0};
	int rc = parse_health(a, dir, h, &c, err);

	csv_close(&c);
	return rc;
}

/* ---- sweep directories: aggregate.csv ---- */

struct srow {
	double point, x, mean, ci;
	const char *label; /* the first parameter's text */
	size_t series, metric;
};

struct sweep_in {
	const char *param; /* the x axis: the first parameter, or "point" */
	bool numeric_x;
	const char **series; /* policy and the other parameters' values */
	size_t n_series;
	const char **metrics;
	size_t n_metrics;
	struct srow *rows;
	size_t n_rows;
};

/* The series a row belongs to: its policy, and the values of the
 * parameters after the first, which a line over the first must hold. */
static const char *series_key(struct arena *a, const struct csv *c, const char **params,
			      size_t n_params, size_t policy_col)
{
	char *key = arena_printf(a, "%s", c->field[policy_col]);

	for (size_t k = 1; key != NULL && k < n_params; k++)
		key = arena_printf(a, "%s, %s %s", key, params[k], c->field[1 + k]);
	return key;
}

static int parse_sweep(struct arena *a, const char *dir, struct sweep_in *sw, struct csv *c,
		       struct ts_error *err)
{
	static const char *const names[] = {"point", "policy",		"metric", "n",
					    "mean",  "ci95_half_width", NULL};
	char *file = path_in(a, dir, "aggregate.csv");
	const char **params;
	size_t n_params, pc;
	int rc;

	if (file == NULL)
		return no_memory(err);
	rc = csv_open(c, a, file, err);
	if (rc == 0)
		rc = csv_header(c, a, names, true, err);
	if (rc < 0)
		return rc;
	n_params = c->n - 6;
	pc = 1 + n_params;
	params = arena_calloc(a, n_params, sizeof(*params));
	sw->rows = arena_calloc(a, c->rows, sizeof(*sw->rows));
	sw->series = arena_calloc(a, c->rows, sizeof(*sw->series));
	sw->metrics = arena_calloc(a, c->rows, sizeof(*sw->metrics));
	if (params == NULL || sw->rows == NULL || sw->series == NULL || sw->metrics == NULL)
		return no_memory(err);
	for (size_t k = 0; k < n_params; k++)
		if ((params[k] = arena_printf(a, "%s", c->field[1 + k])) == NULL)
			return no_memory(err);
	sw->param = n_params > 0 ? params[0] : "point";
	sw->numeric_x = true;
	while ((rc = csv_next(c, a, err)) == 1) {
		struct srow *r = &sw->rows[sw->n_rows];
		const char *key;
		double n;

		rc = csv_width(c, pc + 5, err);
		if (rc == 0)
			rc = csv_integer(c, 0, "point", 0, 1e15, false, &r->point, err);
		if (rc == 0)
			rc = csv_nonempty(c, pc, "policy", err);
		if (rc == 0)
			rc = csv_nonempty(c, pc + 1, "metric", err);
		if (rc == 0)
			rc = csv_integer(c, pc + 2, "n", 0, 1e15, true, &n, err);
		if (rc == 0)
			rc = csv_number(c, pc + 3, "mean", -1e300, 1e300, true, &r->mean, err);
		if (rc == 0)
			rc = csv_number(c, pc + 4, "ci95_half_width", 0, 1e300, true, &r->ci, err);
		if (rc < 0)
			return rc;
		r->label = arena_printf(a, "%s", n_params > 0 ? c->field[1] : c->field[0]);
		if (r->label == NULL)
			return no_memory(err);
		if (n_params > 0) {
			char *end;

			errno = 0;
			r->x = strtod(r->label, &end);
			if (*r->label == '\0' || *end != '\0' || errno == ERANGE || !isfinite(r->x))
				sw->numeric_x = false;
		} else {
			r->x = r->point;
		}
		key = series_key(a, c, params, n_params, pc);
		if (key == NULL)
			return no_memory(err);
		r->series = intern(a, sw->series, &sw->n_series, key);
		r->metric = intern(a, sw->metrics, &sw->n_metrics, c->field[pc + 1]);
		if (r->series == SIZE_MAX || r->metric == SIZE_MAX)
			return no_memory(err);
		sw->n_rows++;
	}
	if (rc == 0 && sw->n_rows == 0)
		return ts_error_set(err, TS_EINVALID,
				    "%s: expected rows after the header, got none", file);
	/* Text values stand at 0, 1, 2... in order of first appearance. */
	if (rc == 0 && !sw->numeric_x) {
		const char **labels = arena_calloc(a, sw->n_rows, sizeof(*labels));
		size_t n_labels = 0;

		if (labels == NULL)
			return no_memory(err);
		for (size_t i = 0; i < sw->n_rows; i++) {
			size_t k = intern(a, labels, &n_labels, sw->rows[i].label);

			if (k == SIZE_MAX)
				return no_memory(err);
			sw->rows[i].x = (double)k;
		}
	}
	return rc;
}

static int read_sweep(struct arena *a, const char *dir, struct sweep_in *sw, struct ts_error *err)
{
	struct csv c = {0};
	int rc = parse_sweep(a, dir, sw, &c, err);

	csv_close(&c);
	return rc;
}

/* ---- writing scripts and data ---- */

struct ctx {
	struct arena *a;
	const char *dir, *format;
	char *gnuplot; /* NULL when gnuplot is not on PATH */
	FILE *out, *msg;
	const char **pending; /* scripts left to render by hand */
	size_t n_pending;
};

typedef int plot_writer(FILE *gp, FILE *dat, const void *arg, const char *dat_path,
			const char *image, const char *format, struct ts_error *err);

/* NAME.dat and NAME.gp, committed, then NAME.FORMAT rendered from them. */
static int emit(struct ctx *x, const char *name, plot_writer *fn, const void *arg,
		struct ts_error *err)
{
	struct outfile gp = {0}, dat = {0};
	char *gp_name = arena_printf(x->a, "%s.gp", name);
	char *dat_name = arena_printf(x->a, "%s.dat", name);
	char *gp_path = arena_printf(x->a, "%s/%s.gp", x->dir, name);
	char *dat_path = arena_printf(x->a, "%s/%s.dat", x->dir, name);
	char *image = arena_printf(x->a, "%s/%s.%s", x->dir, name, x->format);
	int rc = gp_name == NULL || dat_name == NULL || gp_path == NULL || dat_path == NULL ||
			 image == NULL
		     ? no_memory(err)
		     : 0;

	if (rc == 0)
		rc = outfile_open(&dat, x->dir, dat_name, err);
	if (rc == 0)
		rc = outfile_open(&gp, x->dir, gp_name, err);
	if (rc == 0)
		rc = fn(gp.f, dat.f, arg, dat_path, image, x->format, err);
	if (rc == 0)
		rc = outfile_commit(&dat, err);
	if (rc == 0)
		rc = outfile_commit(&gp, err);
	outfile_discard(&dat);
	outfile_discard(&gp);
	if (rc < 0)
		return rc;
	if (x->gnuplot == NULL) {
		fprintf(x->out, "plot: wrote %s and %s\n", gp_path, dat_path);
		x->pending[x->n_pending++] = gp_path;
		return 0;
	}
	rc = plot_image(x->gnuplot, x->dir, name, x->format, err);
	if (rc == 0)
		fprintf(x->out, "plot: wrote %s (from %s and %s)\n", image, gp_path, dat_path);
	return rc;
}

/* The unit a metric or parameter name's suffix gives, or NULL. */
static const char *unit_of(const char *name)
{
	static const char *const suffix[][2] = {
	    {"_ms", "ms"},
	    {"_ratio", "share"},
	    {"_rps", "requests/s"},
	    {"utilisation", "share"},
	    {"_Bps", "bytes/s"},
	    {"_fps", "frames/s"},
	    {"_s", "s"},
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		size_t k = strlen(suffix[i][0]);

		if (n >= k && strcmp(name + n - k, suffix[i][0]) == 0)
			return suffix[i][1];
	}
	return NULL;
}

static void put_axis_label(FILE *gp, const char *axis, const char *name)
{
	const char *unit = unit_of(name);

	fprintf(gp, "set %s ", axis);
	plot_quote(gp, name);
	if (unit != NULL) {
		fputs(" . ' (' . ", gp);
		plot_quote(gp, unit);
		fputs(" . ')'", gp);
	}
	fputc('\n', gp);
}

struct cdf_arg {
	const struct run_in *runs;
	size_t n_runs;
	const char **titles; /* one per curve, in run and app order */
	size_t n_curves;
	const char *scenario; /* NULL when the runs are of several scenarios */
};

static int write_cdf(FILE *gp, FILE *dat, const void *arg, const char *dat_path, const char *image,
		     const char *format, struct ts_error *err)
{
	const struct cdf_arg *c = arg;
	double lo = INFINITY, hi = 0;
	size_t curve = 0;
	bool logx;

	(void)err;
	fputs("# response_ms share_of_requests_at_most: one block per curve\n", dat);
	for (size_t i = 0; i < c->n_runs; i++) {
		const struct run_in *r = &c->runs[i];

		for (size_t k = 0, from = 0; k < r->n_apps; k++) {
			size_t to = from, n;

			while (to < r->n_resp && r->resp[to].app == k)
				to++;
			n = to - from;
			if (n == 0)
				continue;
			fprintf(dat, "%s# %s\n", curve > 0 ? "\n\n" : "", c->titles[curve]);
			/* Every order statistic up to CDF_POINTS, else evenly spaced
			 * ones and the largest. */
			for (size_t j = 1; j <= (n < CDF_POINTS ? n : CDF_POINTS); j++) {
				size_t rank =
				    n < CDF_POINTS ? j : (j * n + CDF_POINTS - 1) / CDF_POINTS;

				plot_data_number(dat, r->resp[from + rank - 1].ms, " ");
				plot_data_number(dat, (double)rank / (double)n, "\n");
			}
			lo = fmin(lo, r->resp[from].ms);
			hi = fmax(hi, r->resp[to - 1].ms);
			curve++;
			from = to;
		}
	}
	logx = lo > 0 && hi / lo >= 100;
	plot_script_begin(gp, "Response-time CDF per policy", image, format, 1000, 640);
	fputs("set title ", gp);
	plot_quote(gp, c->scenario != NULL ? c->scenario : "several scenarios");
	fputs(" . ': response time of the completed requests created after the warm-up'\n", gp);
	fprintf(gp, "set xlabel 'response time (ms%s)'\n", logx ? ", log scale" : "");
	fputs("set ylabel 'share of requests answered within x'\n"
	      "set yrange [0:1]\nset key right bottom\nset grid\n",
	      gp);
	if (logx)
		fputs("set logscale x\n", gp);
	if (!(hi > lo))
		fprintf(gp, "set xrange [%.17g:%.17g]\n", lo * 0.9, lo * 1.1 + 1e-9);
	fputs("plot ", gp);
	for (size_t k = 0; k < c->n_curves; k++) {
		if (k == 0)
			plot_quote(gp, dat_path);
		else
			fputs(", \\\n     ''", gp);
		fprintf(gp, " index %zu using 1:2 with steps lw 2 dt %zu title ", k, k % 5 + 1);
		plot_quote(gp, c->titles[k]);
	}
	fputc('\n', gp);
	return 0;
}

static int write_breakdown(FILE *gp, FILE *dat, const void *arg, const char *dat_path,
			   const char *image, const char *format, struct ts_error *err)
{
	const struct run_in *r = arg;
	double x = 0, top = 0;
	int width = 260 + 110 * (int)r->n_groups;

	(void)err;
	fputs("# x cpu_pre_ms accelerator_ms cpu_post_ms requests\n", dat);
	for (size_t i = 0; i < r->n_groups; i++) {
		const struct group *g = &r->groups[i];

		if (i > 0)
			x += strcmp(g->node, r->groups[i - 1].node) != 0 ? 1.5 : 1;
		plot_data_number(dat, x, " ");
		plot_data_number(dat, g->pre_ms, " ");
		plot_data_number(dat, g->accel_ms, " ");
		plot_data_number(dat, g->post_ms, " ");
		fprintf(dat, "%zu\n", g->n);
		top = fmax(top, g->pre_ms + g->accel_ms + g->post_ms);
	}
	plot_script_begin(gp, "CPU and accelerator latency per node and instance count", image,
			  format, width < 1000 ? 1000 : width, 640);
	fputs("set title ", gp);
	plot_quote(gp, r->scenario);
	fputs(" . ', policy ' . ", gp);
	plot_quote(gp, r->policy);
	fputs(" . ': mean service stages per request (n above each bar)'\n"
	      "set ylabel 'mean time per request (ms)'\n"
	      "set xlabel 'node (tier) and instances active at service start' offset 0,-2\n"
	      "set style fill solid 0.8 border -1\nset grid y\n"
	      "set key outside top center horizontal\n",
	      gp);
	/* Room above the tallest bar for its count. */
	fprintf(gp, "set yrange [0:%.17g]\n", top * 1.15);
	fprintf(gp, "set xrange [-0.8:%.17g]\nset xtics (", x + 0.8);
	x = 0;
	for (size_t i = 0; i < r->n_groups; i++) {
		const struct group *g = &r->groups[i];

		if (i > 0) {
			x += strcmp(g->node, r->groups[i - 1].node) != 0 ? 1.5 : 1;
			fputs(", ", gp);
		}
		plot_quote(gp, g->node);
		fputs(" . \"\\n(\" . ", gp);
		plot_quote(gp, g->tier);
		fprintf(gp, " . \")\\n%.0f instance%s\" %.17g", g->instances,
			g->instances == 1 ? "" : "s", x);
	}
	fputs(")\nset bmargin 7\nplot ", gp);
	plot_quote(gp, dat_path);
	/* Each stage a box from the end of the one below it, so the key
	 * lists them in order. */
	fputs(" using 1:2:($1-0.4):($1+0.4):(0):2 with boxxyerror lc rgb '#4477aa' "
	      "title 'CPU pre-processing', \\\n"
	      "     '' using 1:($2+$3):($1-0.4):($1+0.4):2:($2+$3) with boxxyerror "
	      "lc rgb '#ee6677' title 'accelerator inference', \\\n"
	      "     '' using 1:($2+$3+$4):($1-0.4):($1+0.4):($2+$3):($2+$3+$4) with boxxyerror "
	      "lc rgb '#66ccee' title 'CPU post-processing', \\\n"
	      "     '' using 1:($2+$3+$4):(sprintf('n %d', $5)) with labels offset 0,0.8 "
	      "notitle\n",
	      gp);
	return 0;
}

static int write_gantt(FILE *gp, FILE *dat, const void *arg, const char *dat_path,
		       const char *image, const char *format, struct ts_error *err)
{
	return plot_gantt_write(gp, dat, arg, dat_path, image, format, err);
}

static int write_health(FILE *gp, FILE *dat, const void *arg, const char *dat_path,
			const char *image, const char *format, struct ts_error *err)
{
	const struct health_in *h = arg;
	int top = 150 + 40 * (int)h->n_nodes, bottom = 0, label_chars = 4;
	bool has_lat = false;
	double t0 = INFINITY;

	(void)err;
	for (size_t i = 0; i < h->n_rows; i++) {
		has_lat |= !isnan(h->rows[i].lat_ms);
		t0 = fmin(t0, h->rows[i].t0);
	}
	for (size_t i = 0; i < h->n_migs; i++)
		t0 = fmin(t0, h->migs[i].t);
	for (size_t i = 0; i < h->n_nodes; i++)
		if ((int)strlen(h->nodes[i]) > label_chars)
			label_chars = (int)strlen(h->nodes[i]);
	if (has_lat)
		bottom = 330;
	/* One band per run of checks in the same state, node by node. */
	fputs("# index 0, states: mid_s row half_width_s colour state\n", dat);
	for (size_t k = 0; k < h->n_checked; k++) {
		const struct hrow *band = NULL;
		double end = 0;

		for (size_t i = 0; i <= h->n_rows; i++) {
			const struct hrow *r = i < h->n_rows ? &h->rows[i] : NULL;

			if (r != NULL && r->node != k)
				continue;
			if (band != NULL && (r == NULL || r->state != band->state)) {
				plot_data_number(dat, (band->t0 + end) / 2, " ");
				fprintf(dat, "%zu ", k);
				plot_data_number(dat, (end - band->t0) / 2, " ");
				fprintf(dat, "%lu %s\n",
					strtoul(state_colours[band->state] + 1, NULL, 16),
					health_state_name((enum health_state)band->state));
				band = NULL;
			}
			if (r == NULL)
				break;
			if (band == NULL)
				band = r;
			end = r->t1;
		}
	}
	fputs("\n\n# index 1, migrations: time_s from_row to_row\n", dat);
	for (size_t i = 0; i < h->n_migs; i++) {
		plot_data_number(dat, h->migs[i].t, " ");
		fprintf(dat, "%zu %zu\n", h->migs[i].from, h->migs[i].to);
	}
	if (h->n_migs == 0)
		fputs("NaN NaN NaN\n", dat);
	for (size_t k = 0; k < h->n_checked; k++) {
		fprintf(dat, "\n\n# index %zu, AvgInfLat of ", k + 2);
		plot_data_string(dat, h->nodes[k], ": time_s avg_inf_lat_ms\n");
		for (size_t i = 0; i < h->n_rows; i++) {
			if (h->rows[i].node != k)
				continue;
			if (isnan(h->rows[i].lat_ms)) {
				fputc('\n', dat);
				continue;
			}
			plot_data_number(dat, h->rows[i].t0, " ");
			plot_data_number(dat, h->rows[i].lat_ms, "\n");
		}
	}
	plot_script_begin(gp, "Health-state timeline per node", image, format, 1000, top + bottom);
	fprintf(gp,
		"set multiplot\nset lmargin at screen %.3f\nset rmargin at screen 0.78\n"
		"set xrange [%.17g:%.17g]\nset xlabel 'time (s)'\nset grid x\n"
		"set key outside right top vertical\n",
		(double)(label_chars * 9 + 40) / 1000, t0, h->t_end);
	fprintf(gp, "set origin 0,%.4f\nset size 1,%.4f\n", (double)bottom / (top + bottom),
		(double)top / (top + bottom));
	fputs("set title 'Health state of each node from each check to the next; arrows: "
	      "migrations from one node to another'\n"
	      "set ylabel 'node'\n",
	      gp);
	fprintf(gp, "set yrange [%zu.5:-0.5]\nset ytics (", h->n_nodes - 1);
	for (size_t i = 0; i < h->n_nodes; i++) {
		fputs(i > 0 ? ", " : "", gp);
		plot_quote(gp, h->nodes[i]);
		fprintf(gp, " %zu", i);
	}
	fputs(")\nplot ", gp);
	plot_quote(gp, dat_path);
	fputs(" index 0 using 1:2:3:(0.35):4 with boxxyerror fs solid 0.9 noborder "
	      "lc rgb variable notitle",
	      gp);
	for (int k = 0; k < HEALTH_STATE_COUNT; k++)
		fprintf(gp, ", \\\n     keyentry with boxes fs solid 0.9 fc rgb '%s' title '%s'",
			state_colours[k], health_state_name((enum health_state)k));
	if (h->n_migs > 0)
		fputs(", \\\n     '' index 1 using 1:2:(0):($3-$2) with vectors head filled "
		      "lw 2 lc rgb 'black' title 'migration'",
		      gp);
	fputc('\n', gp);
	if (has_lat) {
		fprintf(gp, "set origin 0,0\nset size 1,%.4f\n", (double)bottom / (top + bottom));
		fputs("set title 'Mean inference latency at each check (AvgInfLat)'\n"
		      "set ylabel 'AvgInfLat (ms)'\nset autoscale y\nset yrange [0:*]\n"
		      "set ytics auto\nset grid y\nplot ",
		      gp);
		/* Nodes that never had a latency (always idle) get no line. */
		bool first = true;

		for (size_t k = 0; k < h->n_checked; k++) {
			bool any = false;

			for (size_t i = 0; i < h->n_rows && !any; i++)
				any = h->rows[i].node == k && !isnan(h->rows[i].lat_ms);
			if (!any)
				continue;
			if (first)
				plot_quote(gp, dat_path);
			else
				fputs(", \\\n     ''", gp);
			first = false;
			fprintf(gp, " index %zu using 1:2 with linespoints pt 7 ps 0.6 title ",
				k + 2);
			plot_quote(gp, h->nodes[k]);
		}
		fputc('\n', gp);
	}
	fputs("unset multiplot\n", gp);
	return 0;
}

struct sweep_arg {
	const struct sweep_in *sw;
	size_t metric;
};

static int srow_cmp(const void *a, const void *b)
{
	const struct srow *x = *(const struct srow *const *)a, *y = *(const struct srow *const *)b;

	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	return (x->point > y->point) - (x->point < y->point);
}

static int write_sweep(FILE *gp, FILE *dat, const void *arg, const char *dat_path,
		       const char *image, const char *format, struct ts_error *err)
{
	const struct sweep_arg *s = arg;
	const struct sweep_in *sw = s->sw;
	const struct srow **rows = malloc((sw->n_rows + 1) * sizeof(*rows));
	size_t *blocks = malloc((sw->n_series + 1) * sizeof(*blocks));
	size_t n_blocks = 0;
	bool nonnegative = true;

	if (rows == NULL || blocks == NULL) {
		free(rows);
		free(blocks);
		return no_memory(err);
	}
	fputs("# x mean ci95_half_width label: one block per line (policy and the other "
	      "parameters)\n",
	      dat);
	for (size_t k = 0; k < sw->n_series; k++) {
		size_t n = 0;

		for (size_t i = 0; i < sw->n_rows; i++)
			if (sw->rows[i].series == k && sw->rows[i].metric == s->metric &&
			    !isnan(sw->rows[i].mean))
				rows[n++] = &sw->rows[i];
		if (n == 0)
			continue;
		qsort(rows, n, sizeof(*rows), srow_cmp);
		fprintf(dat, "%s# ", n_blocks > 0 ? "\n\n" : "");
		plot_data_string(dat, sw->series[k], "\n");
		for (size_t i = 0; i < n; i++) {
			plot_data_number(dat, rows[i]->x, " ");
			plot_data_number(dat, rows[i]->mean, " ");
			plot_data_number(dat, isnan(rows[i]->ci) ? 0 : rows[i]->ci, " ");
			plot_data_string(dat, rows[i]->label, "\n");
			nonnegative &= rows[i]->mean >= 0;
		}
		blocks[n_blocks++] = k;
	}
	free(rows);
	plot_script_begin(gp, "Sweep: one metric against the first swept parameter", image, format,
			  1000, 640);
	fputs("set title ", gp);
	plot_quote(gp, sw->metrics[s->metric]);
	fputs(" . ': mean over replications with its 95% confidence interval'\n", gp);
	put_axis_label(gp, "xlabel", sw->param);
	put_axis_label(gp, "ylabel", sw->metrics[s->metric]);
	fputs("set grid\nset key outside right top vertical\nset offsets graph 0.03, graph 0.03, "
	      "0, 0\n",
	      gp);
	if (nonnegative)
		fputs("set yrange [0:*]\n", gp);
	if (n_blocks == 0)
		fputs("set label 1 'no defined value' at graph 0.5, graph 0.5 center\n"
		      "set xrange [0:1]\nset yrange [0:1]\nplot -1 notitle\n",
		      gp);
	for (size_t b = 0; b < n_blocks; b++) {
		if (b == 0) {
			fputs("plot ", gp);
			plot_quote(gp, dat_path);
		} else {
			fputs(", \\\n     ''", gp);
		}
		/* Dash and point types differ too, so equal lines stay visible. */
		fprintf(gp, " index %zu using 1:2:3%s with yerrorlines lw 2 dt %zu pt %zu title ",
			b, sw->numeric_x ? "" : ":xticlabels(4)", b % 5 + 1, 5 + 2 * (b % 5));
		plot_quote(gp, sw->series[blocks[b]]);
	}
	fputc('\n', gp);
	free(blocks);
	return 0;
}

/* ---- the command ---- */

struct dir_in {
	const char *path;
	struct run_in *run;
	struct plot_gantt *gantt;
	struct health_in *health;
	struct sweep_in *sweep;
	const char *missing; /* why a run has no CDF: requests.csv is missing */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The metrics drawn without --metric: every app's mean and p95 response
 * time and deadline-miss ratio, and the tiers' utilisation. */
static bool default_metric(const char *m)
{
	if (strncmp(m, "apps.", 5) == 0)
		return ends_with(m, ".mean_ms") || ends_with(m, ".p95_ms") ||
		       ends_with(m, ".deadline_miss_ratio");
	return strncmp(m, "tiers.", 6) == 0 && ends_with(m, ".utilisation");
}

static int missing_requests(struct arena *a, struct dir_in *d, struct ts_error *err)
{
	struct manifest m = {0};
	int rc = read_manifest(a, d->path, false, &m, err);

	if (rc < 0)
		return rc;
	d->missing = arena_printf(
	    a,
	    "%s/requests.csv not found: the response-time CDF and the latency breakdown are drawn "
	    "from it; write it with: tiersim run %s --policy %s --seed %s --requests-csv -o %s",
	    d->path, m.path, m.policy, m.seed, d->path);
	return d->missing == NULL ? no_memory(err) : 0;
}

/* Reads what d->path holds; TS_EINVALID when it is nothing plottable. */
static int load_dir(struct arena *a, struct dir_in *d, struct ts_error *err)
{
	bool manifest = file_exists(d->path, "manifest.json");
	int rc = 0;

	if (access(d->path, F_OK) != 0)
		return ts_error_set(err, TS_EINVALID, "%s: no such results directory", d->path);
	if (manifest && file_exists(d->path, "schedule.csv")) {
		d->gantt = arena_calloc(a, 1, sizeof(*d->gantt));
		rc = d->gantt == NULL ? no_memory(err) : read_gantt(a, d->path, d->gantt, err);
	} else if (manifest && file_exists(d->path, "requests.csv")) {
		struct manifest m = {0};

		d->run = arena_calloc(a, 1, sizeof(*d->run));
		rc = d->run == NULL ? no_memory(err) : read_manifest(a, d->path, false, &m, err);
		if (rc == 0) {
			*d->run = (struct run_in){
			    .dir = d->path, .scenario = m.scenario, .policy = m.policy};
			rc = read_requests(a, d->run, &m, err);
		}
	} else if (manifest && file_exists(d->path, "summary.json")) {
		rc = missing_requests(a, d, err);
	}
	if (rc == 0 && file_exists(d->path, "timeseries.csv")) {
		d->health = arena_calloc(a, 1, sizeof(*d->health));
		rc = d->health == NULL ? no_memory(err) : read_health(a, d->path, d->health, err);
		if (rc == 0 && file_exists(d->path, "migrations.csv"))
			rc = read_migrations(a, d->path, d->health, err);
	}
	if (rc == 0 && file_exists(d->path, "aggregate.csv")) {
		d->sweep = arena_calloc(a, 1, sizeof(*d->sweep));
		rc = d->sweep == NULL ? no_memory(err) : read_sweep(a, d->path, d->sweep, err);
	}
	if (rc < 0 || d->run != NULL || d->gantt != NULL || d->health != NULL || d->sweep != NULL)
		return rc;
	if (d->missing != NULL)
		return ts_error_set(err, TS_EINVALID, "%s", d->missing);
	return ts_error_set(err, TS_EINVALID,
			    "%s: nothing to plot: looked for requests.csv (with manifest.json), "
			    "schedule.csv (with manifest.json and summary.json), timeseries.csv "
			    "and aggregate.csv",
			    d->path);
}

/* Checks --metric against the sweeps' metrics; marks what to draw. */
static int pick_metrics(const struct plotdir_options *o, const struct dir_in *d, bool *draw,
			struct ts_error *err)
{
	const struct sweep_in *sw = d->sweep;
	bool any = false;

	for (size_t m = 0; m < sw->n_metrics; m++) {
		draw[m] = o->n_metrics == 0 && default_metric(sw->metrics[m]);
		any |= draw[m];
	}
	for (size_t k = 0; k < o->n_metrics; k++) {
		size_t m = 0;
		char list[512] = "";

		while (m < sw->n_metrics && strcmp(sw->metrics[m], o->metrics[k]) != 0)
			m++;
		if (m < sw->n_metrics) {
			draw[m] = any = true;
			continue;
		}
		for (size_t i = 0; i < sw->n_metrics && strlen(list) < 400; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i > 0 ? ", " : "", sw->metrics[i]);
		return ts_error_set(err, TS_EINVALID,
				    "--metric %s: %s/aggregate.csv has no such metric; it has: %s",
				    o->metrics[k], d->path, list);
	}
	/* A sweep of none of the default metrics draws them all. */
	for (size_t m = 0; !any && m < sw->n_metrics; m++)
		draw[m] = true;
	return 0;
}

/* A file name part for a metric: characters other than letters, digits,
 * '.', '-' and '_' become '_'. */
static char *metric_name(struct arena *a, const char *metric, const char *suffix)
{
	char *name = arena_printf(a, "sweep-%s%s", metric, suffix);

	for (char *p = name != NULL ? name + 6 : NULL; p != NULL && *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
	return name;
}

static int plot_dir(struct ctx *x, const struct plotdir_options *o, const struct dir_in *d,
		    const char *suffix, struct ts_error *err)
{
	int rc = 0;
	char *name;

	if (d->run != NULL && d->run->n_groups == 0)
		fprintf(x->msg,
			"plot: note: no request created after the warm-up finished service in "
			"%s/requests.csv: no latency breakdown\n",
			d->path);
	if (d->run != NULL && d->run->n_groups > 0) {
		name = arena_printf(x->a, "breakdown%s", suffix);
		rc = name == NULL ? no_memory(err) : emit(x, name, write_breakdown, d->run, err);
	}
	if (rc == 0 && d->gantt != NULL) {
		name = arena_printf(x->a, "gantt%s", suffix);
		rc = name == NULL ? no_memory(err) : emit(x, name, write_gantt, d->gantt, err);
	}
	if (rc == 0 && d->health != NULL) {
		name = arena_printf(x->a, "health%s", suffix);
		rc = name == NULL ? no_memory(err) : emit(x, name, write_health, d->health, err);
	}
	if (rc == 0 && d->sweep != NULL) {
		bool *draw = arena_calloc(x->a, d->sweep->n_metrics, sizeof(*draw));

		rc = draw == NULL ? no_memory(err) : pick_metrics(o, d, draw, err);
		for (size_t m = 0; rc == 0 && m < d->sweep->n_metrics; m++) {
			struct sweep_arg arg = {.sw = d->sweep, .metric = m};

			if (!draw[m])
				continue;
			name = metric_name(x->a, d->sweep->metrics[m], suffix);
			rc = name == NULL ? no_memory(err) : emit(x, name, write_sweep, &arg, err);
		}
	}
	return rc;
}

/* The curves of the CDF: a run's policy, its app when some run has
 * several, and its directory when that leaves two curves alike. */
static int cdf_titles(struct arena *a, struct cdf_arg *c, const struct dir_in *d, size_t n_dirs,
		      struct ts_error *err)
{
	size_t n = 0, cap = 0;
	bool apps = false;
	struct run_in *runs = arena_calloc(a, n_dirs, sizeof(*runs));
	const char **dirs;
	bool *twin;

	if (runs == NULL)
		return no_memory(err);
	c->runs = runs;
	for (size_t i = 0; i < n_dirs; i++) {
		if (d[i].run == NULL)
			continue;
		if (c->n_runs == 0)
			c->scenario = d[i].run->scenario;
		else if (c->scenario != NULL && strcmp(c->scenario, d[i].run->scenario) != 0)
			c->scenario = NULL;
		runs[c->n_runs++] = *d[i].run;
		apps |= d[i].run->n_apps > 1;
		cap += d[i].run->n_apps;
	}
	c->titles = arena_calloc(a, cap, sizeof(*c->titles));
	dirs = arena_calloc(a, cap, sizeof(*dirs));
	twin = arena_calloc(a, cap, sizeof(*twin));
	if (c->titles == NULL || dirs == NULL || twin == NULL)
		return no_memory(err);
	for (size_t i = 0; i < c->n_runs; i++) {
		const struct run_in *r = &runs[i];

		for (size_t k = 0; k < r->n_apps; k++) {
			bool any = false;

			for (size_t j = 0; j < r->n_resp && !any; j++)
				any = r->resp[j].app == k;
			if (!any)
				continue;
			dirs[n] = r->dir;
			c->titles[n] =
			    apps ? arena_printf(a, "%s, app %s", r->policy, r->apps[k]) : r->policy;
			if (c->titles[n++] == NULL)
				return no_memory(err);
		}
	}
	/* Names shared by two curves get their directories. */
	for (size_t i = 0; i < n; i++) {
		twin[i] = false;
		for (size_t j = 0; j < n && !twin[i]; j++)
			twin[i] = j != i && strcmp(c->titles[i], c->titles[j]) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (twin[i] &&
		    (c->titles[i] = arena_printf(a, "%s (%s)", c->titles[i], dirs[i])) == NULL)
			return no_memory(err);
	c->n_curves = n;
	return 0;
}

int plotdir_run(const struct plotdir_options *o, FILE *out, FILE *msg, struct ts_error *err)
{
	struct arena a = {0};
	struct ctx x = {.a = &a,
			.dir = o->out_dir != NULL ? o->out_dir : o->dirs[0],
			.format = o->format,
			.out = out,
			.msg = msg};
	struct dir_in *d = arena_calloc(&a, o->n_dirs, sizeof(*d));
	struct cdf_arg cdf = {0};
	bool sweeps = false;
	size_t n_plots = 1;
	int rc = d == NULL ? no_memory(err) : 0;

	for (size_t i = 0; rc == 0 && i < o->n_dirs; i++) {
		d[i].path = o->dirs[i];
		rc = load_dir(&a, &d[i], err);
		sweeps |= d[i].sweep != NULL;
		n_plots += 3 + (d[i].sweep != NULL ? d[i].sweep->n_metrics : 0);
	}
	if (rc == 0 && o->n_metrics > 0 && !sweeps)
		rc = ts_error_set(err, TS_EUSAGE,
				  "--metric is for sweep directories (aggregate.csv), and none "
				  "was given");
	if (rc == 0)
		rc = cdf_titles(&a, &cdf, d, o->n_dirs, err);
	x.pending = arena_calloc(&a, n_plots, sizeof(*x.pending));
	if (rc == 0 && x.pending == NULL)
		rc = no_memory(err);
	if (rc == 0)
		rc = outfile_mkdirs(x.dir, err);
	if (rc == 0)
		x.gnuplot = plot_find_on_path("gnuplot");
	for (size_t i = 0; rc == 0 && i < o->n_dirs; i++) {
		char suffix[32] = "";

		if (d[i].missing != NULL)
			fprintf(msg, "plot: note: %s\n", d[i].missing);
		if (o->n_dirs > 1)
			snprintf(suffix, sizeof(suffix), "-%zu", i + 1);
		rc = plot_dir(&x, o, &d[i], suffix, err);
	}
	if (rc == 0 && cdf.n_curves > 0)
		rc = emit(&x, "cdf", write_cdf, &cdf, err);
	else if (rc == 0 && cdf.n_runs > 0)
		fprintf(msg, "plot: note: no request created after the warm-up completed: no "
			     "response-time CDF\n");
	if (rc == 0 && x.n_pending > 0) {
		fprintf(out, "plot: gnuplot is not on PATH; render the images with:\n");
		for (size_t i = 0; i < x.n_pending; i++)
			fprintf(out, "  gnuplot %s\n", x.pending[i]);
	}
	free(x.gnuplot);
	arena_release(&a);
	return rc;
}
