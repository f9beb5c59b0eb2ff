#include "golden.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonin.h"
#include "outfile.h"
#include "run.h"

#define KEY_MAX 256

struct tolerance {
	char key[KEY_MAX]; /* dotted components, e.g. "apps.od.p99_ms" */
	double abs, rel;
};

struct golden {
	char scenario[4096];
	uint64_t seed;
	bool has_seed; /* job sets record none */
	unsigned replications;
	char policy[128];
	bool requests_csv;
	struct tolerance *tol;
	size_t n_tol;
};

static const char *const manifest_keys[] = {"format",
					    "tiersim_version",
					    "scenario",
					    "seed",
					    "replications",
					    "replication_seeds",
					    "policy",
					    "policy_params",
					    "options",
					    "profiles",
					    "warnings",
					    "jobs",
					    "time_unit_ms",
					    "lambda1",
					    "lambda2_per_byte",
					    "tolerances",
					    NULL};

/* DIR/NAME into path[4096]. */
static int dir_file(char *path, const char *dir, const char *name, struct ts_error *err)
{
	if ((size_t)snprintf(path, 4096, "%s/%s", dir, name) >= 4096)
		return ts_error_set(err, TS_EINVALID, "%s: path too long", dir);
	return 0;
}

static int load_summary(const char *dir, struct jin_doc *doc, struct ts_error *err)
{
	char path[4096];
	int rc = dir_file(path, dir, "summary.json", err);

	return rc < 0 ? rc : jin_doc_load(doc, path, err);
}

static int read_tolerances(const struct jin_at *root, struct golden *g, struct ts_error *err)
{
	static const char *const keys[] = {"abs", "rel", NULL};
	struct jin_at tol;
	const cJSON *item;
	int rc = jin_member(root, "tolerances", false, &tol, err);

	if (rc < 0 || tol.node == NULL)
		return rc;
	if (!cJSON_IsObject(tol.node))
		return jin_fail(&tol, TS_EINVALID, err,
				"wants an object of metric keys and {\"abs\", \"rel\"}");
	g->tol = calloc((size_t)cJSON_GetArraySize(tol.node) + 1, sizeof(*g->tol));
	if (g->tol == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	cJSON_ArrayForEach(item, tol.node)
	{
		struct tolerance *t = &g->tol[g->n_tol++];
		struct jin_at at;

		rc = jin_member(&tol, item->string, true, &at, err);
		if (rc == 0 && (item->string[0] == '\0' || strlen(item->string) >= KEY_MAX))
			rc = jin_fail(&at, TS_EINVALID, err, "a metric key is 1 to %d bytes",
				      KEY_MAX - 1);
		if (rc == 0)
			rc = jin_keys(&at, keys, err);
		if (rc == 0)
			rc = jin_get_number(&at, "abs", false, 0, HUGE_VAL, &t->abs, err);
		if (rc == 0)
			rc = jin_get_number(&at, "rel", false, 0, HUGE_VAL, &t->rel, err);
		if (rc < 0)
			return rc;
		snprintf(t->key, sizeof(t->key), "%s", item->string);
	}
	return 0;
}

static int read_manifest(const char *dir, struct golden *g, struct ts_error *err)
{
	char path[4096];
	struct jin_doc doc = {0};
	struct jin_at root, sc, opts;
	const char *text;
	int64_t reps = 1;
	int rc = dir_file(path, dir, "manifest.json", err);

	if (rc == 0)
		rc = jin_doc_load(&doc, path, err);
	if (rc < 0)
		return rc;
	root = jin_root(&doc);
	rc = jin_keys(&root, manifest_keys, err);
	if (rc == 0)
		rc = jin_member(&root, "scenario", true, &sc, err);
	if (rc == 0)
		rc = jin_get_string(&sc, "path", true, sizeof(g->scenario) - 1, &text, err);
	if (rc == 0)
		snprintf(g->scenario, sizeof(g->scenario), "%s", text);
	if (rc == 0)
		rc = jin_get_string(&root, "policy", true, sizeof(g->policy) - 1, &text, err);
	if (rc == 0)
		snprintf(g->policy, sizeof(g->policy), "%s", text);
	text = NULL;
	if (rc == 0)
		rc = jin_get_string(&root, "seed", false, 20, &text, err);
	if (rc == 0 && text != NULL) {
		char *end;

		/* Seeds are written as decimal strings (64 bits). */
		errno = 0;
		g->seed = strtoull(text, &end, 10);
		g->has_seed = true;
		if (errno != 0 || *end != '\0' || text[0] < '0' || text[0] > '9') {
			struct jin_at at;

			jin_member(&root, "seed", true, &at, err);
			rc = jin_fail(&at, TS_EINVALID, err, "wants a decimal seed, got \"%s\"",
				      text);
		}
	}
	if (rc == 0)
		rc = jin_get_integer(&root, "replications", false, 1, 10000, &reps, err);
	g->replications = (unsigned)reps;
	if (rc == 0)
		rc = jin_member(&root, "options", false, &opts, err);
	if (rc == 0 && opts.node != NULL && cJSON_IsObject(opts.node))
		rc = jin_get_bool(&opts, "requests_csv", false, &g->requests_csv, err);
	if (rc == 0)
		rc = read_tolerances(&root, g, err);
	jin_doc_release(&doc);
	return rc;
}

/* The tolerance of the metric at dotted path p: the longest key whose
 * components occur in a row among p's; NULL (exact) when none does. */
static const struct tolerance *tolerance_for(const struct golden *g, const char *p)
{
	const struct tolerance *best = NULL;
	char wrapped[2 * KEY_MAX], key[KEY_MAX + 2];

	snprintf(wrapped, sizeof(wrapped), ".%s.", p);
	for (size_t i = 0; i < g->n_tol; i++) {
		snprintf(key, sizeof(key), ".%s.", g->tol[i].key);
		if (strstr(wrapped, key) != NULL &&
		    (best == NULL || strlen(g->tol[i].key) > strlen(best->key)))
			best = &g->tol[i];
	}
	return best;
}

static void print_value(FILE *out, const cJSON *v)
{
	char num[32];

	if (v == NULL)
		fprintf(out, " %14s", "(missing)");
	else if (cJSON_IsNumber(v)) {
		outfile_format_double(v->valuedouble, num, sizeof(num));
		fprintf(out, " %14s", num);
	} else if (cJSON_IsString(v))
		fprintf(out, " %14.14s", v->valuestring);
	else
		fprintf(out, " %14s", cJSON_IsNull(v) ? "null" : "(other)");
}

/* Compares one leaf, printing a row when it differs. */
static void compare_leaf(const struct golden *g, const char *p, const cJSON *want, const cJSON *got,
			 FILE *out, struct golden_result *res)
{
	const struct tolerance *t = tolerance_for(g, p);
	bool equal, pass;

	res->compared++;
	if (want != NULL && got != NULL && cJSON_IsNumber(want) && cJSON_IsNumber(got)) {
		double d = fabs(got->valuedouble - want->valuedouble);

		equal = got->valuedouble == want->valuedouble;
		pass = equal || (t != NULL && d <= fmax(t->abs, t->rel * fabs(want->valuedouble)));
	} else {
		equal = want != NULL && got != NULL && cJSON_Compare(want, got, true);
		pass = equal;
	}
	if (equal)
		return;
	res->differing++;
	res->regressions += !pass;
	fprintf(out, "  %-40s", p);
	print_value(out, want);
	print_value(out, got);
	if (t != NULL)
		fprintf(out, "  abs %-8g rel %-8g", t->abs, t->rel);
	else
		fprintf(out, "  %-25s", "exact");
	fprintf(out, " %s\n", pass ? "ok" : "REGRESSION");
}

/* Walks the golden tree and the new one together; members only one side
 * has are regressions. */
static void compare(const struct golden *g, const char *p, const cJSON *want, const cJSON *got,
		    FILE *out, struct golden_result *res)
{
	const cJSON *c;
	char sub[1024];

	if (!cJSON_IsObject(want) || !cJSON_IsObject(got)) {
		compare_leaf(g, p, want, got, out, res);
		return;
	}
	cJSON_ArrayForEach(c, want)
	{
		snprintf(sub, sizeof(sub), "%s%s%s", p, p[0] ? "." : "", c->string);
		compare(g, sub, c, cJSON_GetObjectItemCaseSensitive(got, c->string), out, res);
	}
	cJSON_ArrayForEach(c, got)
	{
		if (cJSON_GetObjectItemCaseSensitive(want, c->string) != NULL)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", p, p[0] ? "." : "", c->string);
		compare_leaf(g, sub, NULL, c, out, res);
	}
}

/* Removes what a run wrote (plain files, one level) and the directory. */
static void remove_run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path))
			unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

int golden_check(const char *golden_dir, FILE *out, struct golden_result *res, struct ts_error *err)
{
	struct golden g = {0};
	struct jin_doc want = {0}, got = {0};
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	FILE *sink = NULL;
	int rc;

	*res = (struct golden_result){0};
	snprintf(dir, sizeof(dir), "%s/tiersim-check-XXXXXX", tmp != NULL && tmp[0] ? tmp : "/tmp");
	rc = read_manifest(golden_dir, &g, err);
	if (rc == 0)
		rc = load_summary(golden_dir, &want, err);
	if (rc == 0 && mkdtemp(dir) == NULL)
		rc = ts_error_set(err, TS_EIO, "%s: cannot create: %s", dir, strerror(errno));
	if (rc == 0) {
		struct run_config cfg = {
		    .scenario_path = g.scenario,
		    .out_dir = dir,
		    .has_seed = g.has_seed,
		    .seed = g.seed,
		    .replications = g.replications,
		    .policy = g.policy,
		    .requests_csv = g.requests_csv,
		};

		/* The run's own report and warnings are not the check's. */
		sink = fopen("/dev/null", "w");
		if (sink == NULL)
			rc = ts_error_set(err, TS_EIO, "/dev/null: %s", strerror(errno));
		if (rc == 0)
			rc = run_scenario(&cfg, sink, sink, err);
		if (rc < 0)
			ts_error_prefix(err, "%s: re-running %s: ", golden_dir, g.scenario);
		if (rc == 0)
			rc = load_summary(dir, &got, err);
		remove_run_dir(dir);
	}
	if (sink != NULL)
		fclose(sink);
	if (rc == 0) {
		fprintf(out, "%s: scenario %s, policy %s\n", golden_dir, g.scenario, g.policy);
		fprintf(out, "  %-40s %14s %14s  %-25s %s\n", "metric (values that differ)",
			"golden", "now", "tolerance", "verdict");
		compare(&g, "", want.root, got.root, out, res);
		fprintf(out, "%s: %zu values compared, %zu differ, %zu regressions: %s\n",
			golden_dir, res->compared, res->differing, res->regressions,
			res->regressions > 0 ? "FAIL" : "ok");
	}
	jin_doc_release(&want);
	jin_doc_release(&got);
	free(g.tol);
	return rc;
}
