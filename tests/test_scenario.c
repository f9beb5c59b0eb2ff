#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"
#include "profile.h"
#include "scenario.h"
#include "status.h"
#include "testutil.h"

#define NROW(a)	  (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS  12
#define PATH_SIZE 4096

/* dir/name into buf[PATH_SIZE]; a path too long fails the test. */
static void join_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_SIZE, "%s/%s", dir, name);

	ck_assert_msg(n >= 0 && n < PATH_SIZE, "path too long: %s/%s", dir, name);
}

static void fixture(char *buf, size_t size, const char *name)
{
	char rel[256];

	ck_assert_int_lt(snprintf(rel, sizeof(rel), "tests/scenarios/%s", name), (int)sizeof(rel));
	tu_source_path(buf, size, rel);
}

/* Lines of text that start with prefix. */
static int lines_starting(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *line = text; *line != '\0';) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, prefix, strlen(prefix)) == 0)
			n++;
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	return n;
}

/* Entries of a directory other than . and ..; -1 when it does not exist. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static bool exists(const char *dir, const char *name)
{
	char path[PATH_SIZE];
	struct stat st;

	join_path(path, dir, name);
	return stat(path, &st) == 0;
}

/* ---- broken scenarios ---- */

/* A file of tests/scenarios/broken/ and what its one error line must say.
 * `where` is the JSON path ("$.apps[0]"), which must follow "FILE: ", or
 * ":LINE:COLUMN", which must follow "FILE"; NULL accepts any line and
 * column. */
struct broken_case {
	const char *file;
	const char *where;
	const char *phrase, *phrase2;
	bool lists_policies; /* every registered policy is named */
};

static const struct broken_case broken[] = {
    {"syntax-missing-comma.json", ":5:3", "syntax error near '\"duration_s\"", NULL, false},
    {"syntax-unterminated.json", NULL, "syntax error", NULL, false},
    {"trailing-garbage.json", ":22:1", "syntax error: text after the JSON value: '}", NULL, false},
    {"root-not-object.json", "$", "expected an object, got an array", NULL, false},
    {"unknown-top-key.json", "$", "unknown key \"colour\"",
     "(expected one of: tiersim_scenario, name, description, seed, duration_s", false},
    {"unknown-nested-key.json", "$.nodes[1].cpu", "unknown key \"threads\"",
     "(expected one of: model, cores, ghz, flops_per_cycle, gflops)", false},
    {"duplicate-key.json", "$.apps[0]", "duplicate key \"qos_ms\"", NULL, false},
    {"duration-string.json", "$.duration_s", "expected a number in [", "got \"10\"", false},
    {"duration-wrong-unit.json", "$", "unknown key \"duration_ms\"",
     "wrong unit, this field is \"duration_s\"", false},
    {"bandwidth-negative.json", "$.links[0].bandwidth_Bps", "expected a number in [1, ", "got -1",
     false},
    {"alpha-zero.json", "$.links[0].delay.alpha", "alpha must be in (0, 2]", "got 0", false},
    {"alpha-above-two.json", "$.links[0].delay.alpha", "alpha must be in (0, 2]", "got 2.5", false},
    {"beta-out-of-range.json", "$.links[0].delay.beta", "expected a number in [-1, 1]", "got 1.5",
     false},
    {"normal-negative-sd.json", "$.links[0].delay.sd_ms", "expected a number in [0, ", "got -2",
     false},
    {"unknown-law.json", "$.links[0].delay.law",
     "expected one of \"constant\", \"uniform\", \"normal\", \"lognormal\", \"exponential\", "
     "\"gamma\", \"weibull\", \"pareto\", \"stable\", \"empirical\"",
     "got \"levy\"", false},
    {"preset-unknown.json", "$.links[0].preset", "unknown preset \"6g_edge\"",
     "(valid: 5g_edge, 5g_edge_literal, wan_cloud_device, lan_edge_device)", false},
    {"preset-no-bandwidth.json", "$.links[0]",
     "preset \"5g_edge\" has no bandwidth: the link must give bandwidth_Bps", NULL, false},
    {"delay-missing.json", "$.links[0]", "missing required key \"delay\"", NULL, false},
    {"delay-reverse-bad.json", "$.links[0].delay_reverse.shape",
     "shape must be in (0, 1000000], got 0", NULL, false},
    {"delay-reverse-not-object.json", "$.links[0].delay_reverse", "expected an object", NULL,
     false},
    {"empirical-trace-missing.json", "$.links[0].delay.trace",
     "tests/scenarios/broken/no-such-trace.txt: cannot open", NULL, false},
    {"empirical-trace-malformed.json", "$.links[0].delay.trace",
     "../../data/traces/broken/garbage.txt:3: expected one delay in ms per line",
     "got \"hello world\"", false},
    {"floor-above-cap.json", "$.links[0].delay.cap_ms", "cap_ms must be above floor_ms (50)",
     "got 10", false},
    {"constant-at-floor.json", "$.links[0].delay", "value_ms (0) must be above floor_ms (0)", NULL,
     false},
    {"missing-profile.json", "$.nodes[1].accelerators[0].profile", "profile \"no-such-board\"",
     "no-such-board.json: cannot open", false},
    {"profile-broken.json", "$.nodes[1].accelerators[0].profile",
     "profile \"../../data/profiles/broken/syntax.json\"", "syntax.json:4:3: syntax error", false},
    {"faults-device-crash.json", "$.faults.nodes[0].node", "expected an edge or cloud node",
     "got device \"dev\"", false},
    {"faults-overlapping-windows.json", "$.faults.links[1]", "windows of link dev~edge overlap",
     NULL, false},
    {"faults-unknown-accelerator.json", "$.faults.accelerators[0].accelerator",
     "node \"edge\" has no accelerator \"gpu\"", NULL, false},
    {"unknown-policy.json", "$.policy.name", "unknown policy \"fastest\"", "(valid: ", true},
    {"policy-params.json", "$.policy.params", "takes no parameters", "\"threshold\"", false},
    {"link-unknown-node.json", "$.links[0].between[1]", "unknown node \"cloud\"", NULL, false},
    {"link-to-itself.json", "$.links[0].between", "a link joins two different nodes",
     "\"edge\" twice", false},
    {"link-one-end.json", "$.links[0].between", "expected an array of at least 2 elements", "got 1",
     false},
    {"duplicate-link.json", "$.links[1].between", "duplicate link between \"edge\" and \"dev\"",
     NULL, false},
    {"app-unknown-model.json", "$.apps[0].model", "unknown model \"yolo-v3\"", NULL, false},
    {"source-not-device.json", "$.apps[0].sources[0]", "a source must be a node of tier \"device\"",
     "\"edge\" is \"edge\"", false},
    {"source-unknown-node.json", "$.apps[0].sources[0]", "unknown node \"phone\"", NULL, false},
    {"source-listed-twice.json", "$.apps[0].sources[1]", "device \"dev\" is listed twice", NULL,
     false},
    {"device-unservable.json", "$.apps[0].sources[0]", "no node can serve device \"dev\"",
     "model \"mobilenet-ssd-v1\"", false},
    {"duplicate-node-id.json", "$.nodes[1]", "duplicate node id \"dev\"", NULL, false},
    {"duplicate-model-id.json", "$.models[1]", "duplicate model id \"mobilenet-ssd-v1\"", NULL,
     false},
    {"duplicate-app-id.json", "$.apps[1]", "duplicate app id \"od\"", NULL, false},
    {"duplicate-accelerator-id.json", "$.nodes[1].accelerators[2]",
     "duplicate accelerator id \"vpu\"", NULL, false},
    {"unknown-tier.json", "$.nodes[1].tier", "expected one of \"device\", \"edge\", \"cloud\"",
     "got \"fog\"", false},
    {"cpu-not-object.json", "$.nodes[1].cpu", "expected an object, got a number", NULL, false},
    {"cores-fractional.json", "$.nodes[1].cpu.cores", "expected a whole number in [1, 4096]",
     "got 2.5", false},
    {"drain-not-bool.json", "$.drain", "expected true or false", "got \"yes\"", false},
    {"count-on-edge.json", "$.nodes[1].count", "only a device may stand for several",
     "count 2 on a node of tier \"edge\"", false},
    {"count-with-accelerators.json", "$.nodes[0].count", "a device group (count 5) runs no models",
     NULL, false},
    {"count-stream.json", "$.apps[0].workload", "a stream needs single devices as sources",
     "\"dev\" is a group of 5", false},
    {"servers-zero.json", "$.nodes[1].servers", "expected a whole number in [1, 1000000]", "got 0",
     false},
    {"warmup-not-below-duration.json", "$.warmup_s", "warmup_s (10) must be below duration_s (10)",
     NULL, false},
    {"qos-zero.json", "$.apps[0].qos_ms", "expected a number in [", "got 0", false},
    {"fps-zero.json", "$.apps[0].workload.fps", "expected a number in [", "got 0", false},
    {"frame-px-one-number.json", "$.apps[0].workload.frame_px",
     "expected an array of at least 2 elements", "got 1", false},
    {"frame-px-zero.json", "$.apps[0].workload.frame_px[1]",
     "expected a whole number in [1, 100000]", "got 0", false},
    {"frame-px-three-numbers.json", "$.apps[0].workload.frame_px",
     "expected [width, height], got 3 numbers", NULL, false},
    {"frame-changes-order.json", "$.apps[0].workload.frame_px_changes[1]",
     "at_s (4) must be after the previous change's (4)", NULL, false},
    {"frame-changes-late.json", "$.apps[0].workload.frame_px_changes[0]",
     "at_s (10) must be before the scenario's duration_s (10)", NULL, false},
    {"policy-param-unknown-health.json", "$.policy.params",
     "policy \"health-threshold\" has no parameter \"cooldown_s\"", "no_healthy_node)", false},
    {"stagger-negative.json", "$.apps[0].workload.stagger_s", "expected a number in [0, ", "got -1",
     false},
    {"start-at-duration.json", "$.apps[0].workload",
     "start_s (10) must be before the scenario's duration_s (10)", NULL, false},
    {"version-unsupported.json", "$.tiersim_scenario", "unsupported scenario format version 2",
     "reads version 1", false},
    /* Hostile values: the limits of docs/reliability.md. */
    {"number-huge.json", "$.duration_s", "expected a number in [",
     "got a number beyond the range of a double", false},
    {"number-nan-string.json", "$.duration_s", "expected a number in [", "got \"NaN\"", false},
    {"count-infinity-string.json", "$.nodes[1].cpu.cores", "expected a whole number in [1, 4096]",
     "got \"Infinity\"", false},
    {"count-huge-integer.json", "$.nodes[1].cpu.cores", "expected a whole number in [1, 4096]",
     "got 1e+23", false},
    {"id-odd-characters.json", "$.apps[0].id",
     "expected an id of letters, digits, '.', '_' and '-' that starts with a letter or digit",
     "got \"od,\"x\"\"", false},
    {"name-path.json", "$.name", "expected an id of letters", "got \"../escape\"", false},
    {"deep-nesting.json", ":5:117", "arrays and objects nested deeper than the limit of 100 levels",
     NULL, false},
    {"seed-negative.json", "$.seed", "expected a whole number in [0, ", "got -1", false},
    {"models-missing.json", "$", "missing required key \"models\"", NULL, false},
    {"apps-empty.json", "$.apps", "expected an array of at least 1 element", "got 0", false},
    {"out-of-range-unknown.json", "$.out_of_range", "expected one of \"clamp\", \"error\"",
     "got \"wrap\"", false},
    {"id-too-long.json", "$.apps[0].id", "expected a non-empty string of at most 63 bytes", NULL,
     false},
    {"apps-and-jobs.json", "$", "a scenario has \"apps\"",
     "or \"jobs\" (an offline job set), not both", false},
    {"apps-job-policy.json", "$.policy.name",
     "policy \"exact\" does not run on a scenario with \"apps\"",
     "policies for \"apps\": all-device", false},
    {"jobs-online-policy.json", "$.policy.name",
     "policy \"round-robin\" does not run on a scenario with \"jobs\"",
     "policies for \"jobs\": all-device, all-edge, all-cloud, layer-minimum, tabu, exact", false},
    {"jobs-duration.json", "$.duration_s", "\"duration_s\" belongs to scenarios with \"apps\"",
     NULL, false},
    {"job-negative-release.json", "$.jobs[0].release_tu", "expected a number in [0, ", "got -1",
     false},
    {"job-negative-processing.json", "$.jobs[1].processing_tu.edge", "expected a number in [0, ",
     "got -3", false},
    {"job-unknown-machine.json", "$.jobs[0].processing_tu", "unknown key \"fog\"",
     "(expected one of: device, edge, cloud)", false},
    {"job-duplicate-id.json", "$.jobs[1]", "duplicate job id \"J1\"", NULL, false},
    {"job-both-forms.json", "$.jobs[0]", "a job gives \"processing_tu\" and \"transmission_tu\"",
     "not both", false},
    {"job-missing-transmission.json", "$.jobs[0]", "missing required key \"transmission_tu\"", NULL,
     false},
    {"job-weight-zero.json", "$.jobs[0].weight", "expected a number in [", "got 0", false},
    {"job-model-no-lambda.json", "$.jobs[0]",
     "a job with a model needs $.analytic.lambda2_per_byte", NULL, false},
    {"job-unknown-model.json", "$.jobs[0].model", "unknown model \"lstm\"", NULL, false},
    {"policy-param-unknown.json", "$.policy.params", "policy \"tabu\" has no parameter \"max_cnt\"",
     "(valid: max_count)", false},
    {"policy-param-range.json", "$.policy.params.max_count", "expected a whole number in [1, ",
     "got 0", false},
    {"model-file-missing.json", "$.models[0].file", "model \"no-such-model\"",
     "no-such-model.json: cannot open", false},
    {"model-flops-and-layers.json", "$.models[0]", "a model gives either \"flops\" or \"layers\"",
     "not both", false},
    {"layer-unknown-type.json", "$.models[0].layers[1].type",
     "expected one of \"conv\", \"depthwise\", \"fc\", \"lstm\"", "got \"pool\"", false},
};

/* True when text has path followed by ":LINE:COLUMN: " somewhere. */
static bool has_line_column(const char *text, const char *path)
{
	for (const char *p = strstr(text, path); p != NULL; p = strstr(p + 1, path)) {
		const char *q = p + strlen(path);
		size_t digits;

		if (*q++ != ':')
			continue;
		digits = strspn(q, "0123456789");
		if (digits == 0 || q[digits] != ':')
			continue;
		q += digits + 1;
		digits = strspn(q, "0123456789");
		if (digits > 0 && q[digits] == ':')
			return true;
	}
	return false;
}

/* Checks one error message (stderr or an in-process error) for row c. */
static void check_message(const struct broken_case *c, const char *path, const char *text,
			  const char *what)
{
	char where[PATH_SIZE + 256];
	int n;

	ck_assert_msg(strstr(text, path) != NULL, "%s %s: message does not name the file: %s", what,
		      c->file, text);
	if (c->where == NULL) {
		ck_assert_msg(has_line_column(text, path), "%s %s: no FILE:LINE:COLUMN: in %s",
			      what, c->file, text);
	} else {
		n = snprintf(where, sizeof(where), "%s%s%s: ", path, c->where[0] == '$' ? ": " : "",
			     c->where);
		ck_assert_int_lt(n, (int)sizeof(where));
		ck_assert_msg(strstr(text, where) != NULL, "%s %s: message lacks \"%s\": %s", what,
			      c->file, where, text);
	}
	ck_assert_msg(strstr(text, c->phrase) != NULL, "%s %s: message lacks \"%s\": %s", what,
		      c->file, c->phrase, text);
	if (c->phrase2 != NULL)
		ck_assert_msg(strstr(text, c->phrase2) != NULL, "%s %s: message lacks \"%s\": %s",
			      what, c->file, c->phrase2, text);
	for (size_t i = 0; c->lists_policies && policy_registry[i] != NULL; i++)
		ck_assert_msg(strstr(text, policy_registry[i]->name) != NULL,
			      "%s %s: policy \"%s\" not listed: %s", what, c->file,
			      policy_registry[i]->name, text);
}

static void broken_path(char *buf, size_t size, const struct broken_case *c)
{
	char rel[256];

	ck_assert_int_lt(snprintf(rel, sizeof(rel), "broken/%s", c->file), (int)sizeof(rel));
	fixture(buf, size, rel);
}

/* The CLI's answer to an invalid scenario: exit 3, one "tiersim: " line
 * with the message, nothing on stdout. */
static void check_invalid(const struct broken_case *c, const char *path, const struct tu_proc *p,
			  const char *cmd)
{
	ck_assert_msg(p->exit_code == TS_EXIT_INVALID, "%s %s: exit %d, expected 3; stderr: %s",
		      cmd, c->file, p->exit_code, p->err);
	ck_assert_msg(lines_starting(p->err, "tiersim: ") == 1,
		      "%s %s: expected exactly one \"tiersim: \" line: %s", cmd, c->file, p->err);
	ck_assert_msg(strncmp(p->err, "tiersim: ", 9) == 0, "%s %s: stderr: %s", cmd, c->file,
		      p->err);
	ck_assert_msg(p->n_out == 0, "%s %s: unexpected stdout: %s", cmd, c->file, p->out);
	check_message(c, path, p->err, cmd);
}

START_TEST(scenario_validate_rejects_broken)
{
	const struct broken_case *c = &broken[_i];
	char path[PATH_SIZE];
	struct tu_proc p;

	broken_path(path, sizeof(path), c);
	tu_spawn((const char *const[]){"validate", path, NULL}, &p);
	check_invalid(c, path, &p, "validate");
	tu_proc_release(&p);
}
END_TEST

START_TEST(scenario_run_rejects_broken)
{
	const struct broken_case *c = &broken[_i];
	char path[PATH_SIZE], out[PATH_SIZE], *tmp;
	struct tu_proc p;
	int n;

	broken_path(path, sizeof(path), c);
	tmp = tu_make_tmpdir();
	join_path(out, tmp, "out");
	tu_spawn((const char *const[]){"run", path, "-o", out, NULL}, &p);
	n = dir_entries(out);
	tu_remove_tmpdir(tmp);
	check_invalid(c, path, &p, "run");
	/* Nothing written: no result file, not even under a temporary name. */
	ck_assert_msg(n <= 0, "run %s: %d files written to the results directory", c->file, n);
	tu_proc_release(&p);
}
END_TEST

START_TEST(scenario_load_rejects_broken)
{
	const struct broken_case *c = &broken[_i];
	struct ts_error err = {""};
	struct scenario *s = NULL;
	char path[PATH_SIZE];
	int rc;

	broken_path(path, sizeof(path), c);
	rc = scenario_load(path, &s, &err);
	ck_assert_msg(rc == TS_EINVALID || rc == TS_ESYNTAX, "%s: status %d (%s)", c->file, rc,
		      err.msg);
	ck_assert_int_eq(ts_status_exit(rc), TS_EXIT_INVALID);
	ck_assert_ptr_null(s);
	check_message(c, path, err.msg, "scenario_load");
	ck_assert_ptr_null(strchr(err.msg, '\n'));
}
END_TEST

/* ---- valid scenarios, in process ---- */

static struct scenario *load_fixture(const char *path)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	int rc = scenario_load(path, &s, &err);

	ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

static size_t node_index(const struct scenario *s, const char *id)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].id, id) == 0)
			return i;
	ck_abort_msg("no node \"%s\"", id);
	return 0;
}

static void expect_sha256(const struct scenario *s)
{
	ck_assert_uint_eq(strlen(s->sha256), 64);
	ck_assert_uint_eq(strspn(s->sha256, "0123456789abcdef"), 64);
}

START_TEST(scenario_minimal_fields)
{
	char path[PATH_SIZE];
	struct scenario *s;
	const struct scn_node *dev, *edge;
	const struct scn_link *l;
	const struct scn_app *a;
	const struct scn_accel *acc;
	int table = -1;

	fixture(path, sizeof(path), "minimal.json");
	s = load_fixture(path);
	ck_assert_str_eq(s->path, path);
	expect_sha256(s);
	ck_assert_str_eq(s->name, "minimal");
	ck_assert_uint_eq(s->seed, 7);
	ck_assert(s->duration == INT64_C(10000000000));
	ck_assert(s->warmup == INT64_C(1500000000));
	ck_assert_int_eq(s->out_of_range, OOR_CLAMP);
	ck_assert_str_eq(s->policy, "all-edge");

	ck_assert_uint_eq(s->n_models, 1);
	ck_assert_str_eq(s->models[0].id, "mobilenet-ssd-v1");
	ck_assert_double_eq(s->models[0].input_bytes, 270000);
	ck_assert_double_eq(s->models[0].output_bytes, 2400);
	ck_assert_double_eq(s->models[0].flops, 2480000000.0);

	ck_assert_uint_eq(s->n_nodes, 2);
	dev = &s->nodes[0];
	edge = &s->nodes[1];
	ck_assert_str_eq(dev->id, "dev");
	ck_assert_int_eq(dev->tier, TIER_DEVICE);
	ck_assert_int_eq(dev->cpu_cores, 4);
	ck_assert_double_eq(dev->cpu_ghz, 1.2);
	ck_assert(dev->queue_capacity == 0);
	ck_assert(dev->servers == 1);
	ck_assert(dev->count == 1);
	ck_assert_uint_eq(dev->n_accels, 1);
	ck_assert_str_eq(dev->accels[0].id, "cpu");
	ck_assert_str_eq(profile_id(dev->accels[0].profile), "rpi3b-cpu");
	ck_assert_str_eq(edge->id, "edge");
	ck_assert_int_eq(edge->tier, TIER_EDGE);
	ck_assert_double_eq(edge->cpu_ghz, 1.6);
	ck_assert_uint_eq(edge->n_accels, 1);
	ck_assert_str_eq(edge->accels[0].id, "vpu");
	ck_assert_str_eq(profile_id(edge->accels[0].profile), "up2-myriadx");
	ck_assert_uint_eq(s->n_profiles, 2);

	ck_assert_uint_eq(s->n_links, 1);
	l = &s->links[0];
	ck_assert_uint_eq(l->a, 0);
	ck_assert_uint_eq(l->b, 1);
	ck_assert_int_eq(l->delay.kind, DIST_STABLE);
	ck_assert_double_eq(l->delay.u.stable.alpha, 1.5);
	ck_assert_double_eq(l->delay.u.stable.beta, 1);
	ck_assert_double_eq(l->delay.u.stable.scale_ms, 5);
	ck_assert_double_eq(l->delay.u.stable.loc_ms, 12);
	ck_assert(l->delay.has_floor);
	ck_assert_double_eq(l->delay.floor_ms, 0);
	ck_assert(!l->delay.has_cap);
	ck_assert_double_eq(l->bandwidth_Bps, 1e7);
	ck_assert_int_eq(scenario_link(s, 0, 1), 0);
	ck_assert_int_eq(scenario_link(s, 1, 0), 0);

	ck_assert_uint_eq(s->n_apps, 1);
	a = &s->apps[0];
	ck_assert_str_eq(a->id, "od");
	ck_assert_uint_eq(a->model, 0);
	ck_assert_uint_eq(a->n_sources, 1);
	ck_assert_uint_eq(a->sources[0], 0);
	ck_assert_int_eq(a->workload, WORKLOAD_STREAM);
	ck_assert_double_eq(a->fps, 10);
	ck_assert_int_eq(a->frame_w, 600);
	ck_assert_int_eq(a->frame_h, 600);
	/* Arrivals cover the whole run by default. */
	ck_assert(a->start == 0);
	ck_assert(a->stop == s->duration);
	ck_assert_double_eq(a->qos_ms, 150);
	/* Defaults: weight 1, a request carries the model's input. */
	ck_assert_double_eq(a->weight, 1);
	ck_assert_double_eq(a->request_bytes, 270000);

	acc = scenario_executor(s, 1, 0, &table);
	ck_assert_ptr_nonnull(acc);
	ck_assert_str_eq(acc->id, "vpu");
	ck_assert_int_ge(table, 0);
	ck_assert_ptr_nonnull(scenario_executor(s, 0, 0, &table));
	scenario_free(s);
}
END_TEST

START_TEST(scenario_explicit_fields)
{
	char path[PATH_SIZE];
	struct scenario *s;
	const struct scn_app *od, *probe;
	const struct scn_accel *acc;
	size_t dev, edge, cloud, relay;
	long l;
	int table = -1;

	fixture(path, sizeof(path), "explicit.json");
	s = load_fixture(path);
	ck_assert_str_eq(s->name, "explicit");
	/* Absent seed and warmup_s: 1 and 0. */
	ck_assert_uint_eq(s->seed, 1);
	ck_assert(s->warmup == 0);
	ck_assert(s->duration == INT64_C(20000000000));
	ck_assert_int_eq(s->out_of_range, OOR_ERROR);
	ck_assert_str_eq(s->policy, "round-robin");
	ck_assert_uint_eq(s->n_models, 2);
	ck_assert_double_eq(s->models[1].flops, 0);

	ck_assert_uint_eq(s->n_nodes, 4);
	dev = node_index(s, "dev");
	edge = node_index(s, "edge");
	cloud = node_index(s, "cloud");
	relay = node_index(s, "relay");
	ck_assert(s->nodes[dev].queue_capacity == 2);
	ck_assert(s->nodes[edge].queue_capacity == 8);
	ck_assert(s->nodes[edge].servers == 3);
	ck_assert_int_eq(s->nodes[cloud].tier, TIER_CLOUD);
	ck_assert_int_eq(s->nodes[cloud].cpu_cores, 64);
	ck_assert_uint_eq(s->nodes[relay].n_accels, 0);
	ck_assert_uint_eq(s->nodes[edge].n_accels, 2);
	/* grid.json is named twice by the same relative path: loaded once. */
	ck_assert_uint_eq(s->n_profiles, 3);
	ck_assert_ptr_eq(s->nodes[edge].accels[1].profile, s->nodes[cloud].accels[0].profile);
	ck_assert_str_eq(profile_id(s->nodes[cloud].accels[0].profile), "test-grid");

	/* The accelerator with a table for the model, on a node with two. */
	acc = scenario_executor(s, edge, 0, &table);
	ck_assert_ptr_nonnull(acc);
	ck_assert_str_eq(acc->id, "vpu");
	acc = scenario_executor(s, edge, 1, &table);
	ck_assert_ptr_nonnull(acc);
	ck_assert_str_eq(acc->id, "grid");
	ck_assert_ptr_null(scenario_executor(s, relay, 0, &table));
	ck_assert_ptr_null(scenario_executor(s, dev, 1, &table));

	ck_assert_uint_eq(s->n_links, 3);
	l = scenario_link(s, dev, edge);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(s->links[l].delay.kind, DIST_CONSTANT);
	ck_assert_double_eq(s->links[l].delay.u.constant.value_ms, 2);
	ck_assert(!s->links[l].delay.has_floor);
	l = scenario_link(s, cloud, edge);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(s->links[l].delay.kind, DIST_NORMAL);
	ck_assert_double_eq(s->links[l].delay.u.normal.mean_ms, 20);
	ck_assert_double_eq(s->links[l].delay.u.normal.sd_ms, 3);
	ck_assert(s->links[l].delay.has_floor && s->links[l].delay.has_cap);
	ck_assert_double_eq(s->links[l].delay.floor_ms, 1);
	ck_assert_double_eq(s->links[l].delay.cap_ms, 80);
	ck_assert_double_eq(s->links[l].bandwidth_Bps, 1e9);
	l = scenario_link(s, dev, cloud);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(s->links[l].delay.kind, DIST_LOGNORMAL);
	ck_assert_double_eq(s->links[l].delay.u.lognormal.median_ms, 40);
	ck_assert_double_eq(s->links[l].delay.u.lognormal.sigma, 0.5);
	ck_assert_int_eq(scenario_link(s, dev, relay), -1);

	ck_assert_uint_eq(s->n_apps, 2);
	od = &s->apps[0];
	probe = &s->apps[1];
	ck_assert_int_eq(od->workload, WORKLOAD_STREAM);
	ck_assert_double_eq(od->fps, 5);
	ck_assert_int_eq(od->frame_w, 1200);
	ck_assert_int_eq(od->frame_h, 800);
	ck_assert(od->start == INT64_C(2000000000));
	/* 2 s + 100 s ends after the run: cut at its end. */
	ck_assert(od->stop == s->duration);
	ck_assert_double_eq(od->weight, 2.5);
	ck_assert_double_eq(od->request_bytes, 50000);
	ck_assert_double_eq(od->qos_ms, 300);
	ck_assert_int_eq(probe->workload, WORKLOAD_POISSON);
	ck_assert_uint_eq(probe->model, 1);
	ck_assert_double_eq(probe->rate_hz, 0.5);
	ck_assert(probe->start == INT64_C(1000000000));
	ck_assert(probe->stop == INT64_C(6000000000));
	ck_assert_double_eq(probe->weight, 1);
	ck_assert_double_eq(probe->request_bytes, 1000);
	scenario_free(s);
}
END_TEST

/* Presets, keys overriding them, per-direction laws, a relative trace. */
START_TEST(scenario_network_fields)
{
	char path[PATH_SIZE];
	struct scenario *s;
	const struct scn_link *l;
	size_t dev, dev2, edge, cloud;

	fixture(path, sizeof(path), "network.json");
	s = load_fixture(path);
	dev = node_index(s, "dev");
	dev2 = node_index(s, "dev2");
	edge = node_index(s, "edge");
	cloud = node_index(s, "cloud");

	/* The preset's law and bandwidth, both ways. */
	l = &s->links[scenario_link(s, dev, edge)];
	ck_assert(!l->has_reverse);
	ck_assert_int_eq(l->delay.kind, DIST_CONSTANT);
	ck_assert_double_eq(l->delay.u.constant.value_ms, 0.239);
	ck_assert_double_eq(l->bandwidth_Bps, 1e7);
	ck_assert_ptr_eq(scenario_link_delay(l, dev), &l->delay);
	ck_assert_ptr_eq(scenario_link_delay(l, edge), &l->delay);

	/* bandwidth_Bps overrides the preset's; its law stays. */
	l = &s->links[scenario_link(s, dev, cloud)];
	ck_assert_double_eq(l->delay.u.constant.value_ms, 42);
	ck_assert_double_eq(l->bandwidth_Bps, 1e6);

	/* delay overrides the preset's; its bandwidth stays. */
	l = &s->links[scenario_link(s, dev2, cloud)];
	ck_assert_int_eq(l->delay.kind, DIST_EMPIRICAL);
	ck_assert_uint_eq(l->delay.u.empirical.trace->n, 5);
	ck_assert_double_eq(l->bandwidth_Bps, 2.9e6);

	/* between[1] -> between[0] takes delay_reverse. */
	l = &s->links[scenario_link(s, cloud, edge)];
	ck_assert_uint_eq(l->a, cloud);
	ck_assert(l->has_reverse);
	ck_assert_int_eq(l->delay.kind, DIST_STABLE);
	ck_assert_double_eq(l->delay.u.stable.scale_ms, 5.4);
	ck_assert_int_eq(l->delay_reverse.kind, DIST_CONSTANT);
	ck_assert_double_eq(l->delay_reverse.u.constant.value_ms, 3);
	ck_assert_ptr_eq(scenario_link_delay(l, cloud), &l->delay);
	ck_assert_ptr_eq(scenario_link_delay(l, edge), &l->delay_reverse);
	ck_assert_double_eq(l->bandwidth_Bps, 1e8);
	scenario_free(s);
}
END_TEST

START_TEST(scenario_shipped_loads)
{
	char path[PATH_SIZE];
	struct scenario *s;

	tu_source_path(path, sizeof(path), "scenarios/edge-od-heterogeneous.json");
	s = load_fixture(path);
	ck_assert_str_eq(s->name, "edge-od-heterogeneous");
	ck_assert_uint_eq(s->n_nodes, 7);
	ck_assert_uint_eq(s->n_links, 12);
	ck_assert_uint_eq(s->n_models, 1);
	ck_assert_uint_eq(s->n_apps, 1);
	ck_assert_uint_eq(s->apps[0].n_sources, 4);
	ck_assert_double_eq(s->apps[0].request_bytes, 50000);
	ck_assert(s->duration == INT64_C(60000000000));
	ck_assert(s->warmup == INT64_C(5000000000));
	ck_assert_str_eq(s->policy, "layer-minimum");
	/* Four device nodes share one profile file. */
	ck_assert_uint_eq(s->n_profiles, 4);
	for (size_t i = 0; i < s->n_links; i++)
		ck_assert_int_eq(s->links[i].delay.kind, DIST_STABLE);
	scenario_free(s);
}
END_TEST

/* The text loader with the file's directory reads what scenario_load()
 * reads; the name it is given is the one its messages and path carry. */
START_TEST(scenario_text_loads)
{
	static const char broken[] = "{\"tiersim_scenario\": 1, \"name\": 7}";
	char path[PATH_SIZE], *text, *dir;
	struct ts_error err = {""};
	struct scenario *file, *s = NULL;
	size_t len;

	tu_source_path(path, sizeof(path), "scenarios/edge-od-heterogeneous.json");
	file = load_fixture(path);
	text = tu_read_file(path, &len);
	ck_assert_ptr_nonnull(text);
	dir = scenario_dir_of(path);
	ck_assert_ptr_nonnull(dir);
	ck_assert_str_eq(file->dir, dir);
	ck_assert_int_eq(scenario_load_text(text, len, "point 3", dir, &s, &err), 0);
	ck_assert_str_eq(s->path, "point 3");
	ck_assert_str_eq(s->sha256, file->sha256);
	ck_assert_uint_eq(s->n_nodes, file->n_nodes);
	ck_assert_uint_eq(s->n_profiles, file->n_profiles);
	scenario_free(s);
	s = NULL;
	ck_assert_int_eq(scenario_load_text(broken, sizeof(broken) - 1, "point 3", dir, &s, &err),
			 TS_EINVALID);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "point 3: $.name") != NULL, "%s", err.msg);
	free(dir);
	free(text);
	scenario_free(file);
}
END_TEST

START_TEST(scenario_dir_of_paths)
{
	static const struct {
		const char *path, *dir;
	} rows[] = {{"a.json", ""}, {"s/a.json", "s/"}, {"/x/y/a.json", "/x/y/"}, {"/a", "/"}};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *dir = scenario_dir_of(rows[i].path);

		ck_assert_ptr_nonnull(dir);
		ck_assert_str_eq(dir, rows[i].dir);
		free(dir);
	}
}
END_TEST

START_TEST(scenario_missing_file)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	char path[PATH_SIZE];
	struct tu_proc p;

	fixture(path, sizeof(path), "no-such-scenario.json");
	ck_assert_int_eq(scenario_load(path, &s, &err), TS_EINVALID);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, path) != NULL, "no file name: %s", err.msg);
	ck_assert_msg(strstr(err.msg, "cannot open") != NULL, "%s", err.msg);

	tu_spawn((const char *const[]){"validate", path, NULL}, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_INVALID);
	ck_assert_int_eq(lines_starting(p.err, "tiersim: "), 1);
	ck_assert_ptr_nonnull(strstr(p.err, path));
	tu_proc_release(&p);
}
END_TEST

/* 10^6 nodes: refused by the element limit, exit 3, the path and the limit
 * named. */
START_TEST(scenario_million_nodes_refused)
{
	char *tmp = tu_make_tmpdir(), path[PATH_SIZE], src[PATH_SIZE];
	char *text = NULL, *at;
	struct tu_proc p;
	FILE *f;

	fixture(src, sizeof(src), "minimal.json");
	text = tu_read_file(src, NULL);
	ck_assert_ptr_nonnull(text);
	at = strstr(text, "\"nodes\": [");
	ck_assert_ptr_nonnull(at);
	snprintf(path, sizeof(path), "%s/million.json", tmp);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%.*s\"nodes\": [", (int)(at - text), text);
	for (int i = 0; i < 1000000; i++)
		fputs("{},", f);
	fputs(at + strlen("\"nodes\": ["), f);
	ck_assert_int_eq(fclose(f), 0);
	free(text);
	tu_spawn((const char *const[]){"validate", path, NULL}, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_INVALID);
	ck_assert_msg(strstr(p.err, "$.nodes: at most 100000 elements are allowed, got 1000002") !=
			  NULL,
		      "%s", p.err);
	tu_proc_release(&p);
	ck_assert_int_eq(tu_remove_tmpdir(tmp), 0);
}
END_TEST

START_TEST(scenario_free_null)
{
	scenario_free(NULL);
}
END_TEST

/* ---- the command line ---- */

START_TEST(scenario_validate_valid)
{
	char path[PATH_SIZE], bad[PATH_SIZE];
	struct tu_proc p;

	fixture(path, sizeof(path), "minimal.json");
	tu_spawn((const char *const[]){"validate", path, NULL}, &p);
	ck_assert_msg(p.exit_code == 0, "exit %d: %s", p.exit_code, p.err);
	ck_assert_msg(strstr(p.out, "valid") != NULL, "stdout: %s", p.out);
	ck_assert_uint_eq(p.n_err, 0);
	tu_proc_release(&p);

	/* One bad file among good ones: each is reported, exit 3. */
	fixture(bad, sizeof(bad), "broken/alpha-zero.json");
	tu_spawn((const char *const[]){"validate", path, bad, path, NULL}, &p);
	ck_assert_int_eq(p.exit_code, TS_EXIT_INVALID);
	ck_assert_int_eq(lines_starting(p.out, path), 2);
	ck_assert_int_eq(lines_starting(p.err, "tiersim: "), 1);
	ck_assert_ptr_nonnull(strstr(p.err, bad));
	tu_proc_release(&p);
}
END_TEST

START_TEST(scenario_run_writes_results)
{
	char path[PATH_SIZE], out[PATH_SIZE], *tmp;
	struct tu_proc p;
	bool summary, manifest;

	/* The counterpart of scenario_run_rejects_broken: a valid file does
	 * write where those must not. */
	fixture(path, sizeof(path), "minimal.json");
	tmp = tu_make_tmpdir();
	join_path(out, tmp, "out");
	tu_spawn((const char *const[]){"run", path, "-o", out, NULL}, &p);
	summary = exists(out, "summary.json");
	manifest = exists(out, "manifest.json");
	tu_remove_tmpdir(tmp);
	ck_assert_msg(p.exit_code == 0, "exit %d: %s", p.exit_code, p.err);
	ck_assert(summary);
	ck_assert(manifest);
	ck_assert_uint_gt(p.n_out, 0);
	tu_proc_release(&p);
}
END_TEST

struct cli_case {
	const char *args[MAX_ARGS]; /* "@" stands for tests/scenarios/minimal.json */
	int exit_code;
	const char *phrase; /* on stderr for errors, on stdout for success */
};

static const struct cli_case cli[] = {
    {{NULL}, TS_EXIT_USAGE, "no command given"},
    {{"frobnicate", NULL}, TS_EXIT_USAGE, "unknown command \"frobnicate\""},
    {{"help", "frobnicate", NULL}, TS_EXIT_USAGE, "unknown command \"frobnicate\""},
    {{"run", NULL}, TS_EXIT_USAGE, "run needs a SCENARIO file"},
    {{"run", "@", "--frobnicate", NULL}, TS_EXIT_USAGE, "unknown option --frobnicate"},
    {{"run", "@", "--replications", "0", NULL}, TS_EXIT_USAGE, "--replications wants"},
    {{"run", "@", "--replications", "10001", NULL}, TS_EXIT_USAGE, "--replications wants"},
    {{"run", "@", "--seed", "-1", NULL}, TS_EXIT_USAGE, "--seed wants"},
    {{"run", "@", "--seed", "18446744073709551616", NULL}, TS_EXIT_USAGE, "--seed wants"},
    {{"run", "@", "--seed", "12x", NULL}, TS_EXIT_USAGE, "--seed wants"},
    {{"run", "@", "-o", NULL}, TS_EXIT_USAGE, "option -o needs a value"},
    {{"run", "@", "--policy", "fastest", NULL}, TS_EXIT_USAGE, "--policy: unknown policy"},
    {{"run", "@", "@", NULL}, TS_EXIT_USAGE, "unexpected argument"},
    {{"validate", NULL}, TS_EXIT_USAGE, "validate needs at least one SCENARIO"},
    {{"list", "nonsense", NULL}, TS_EXIT_USAGE, "unknown list \"nonsense\""},
    {{"list", NULL}, TS_EXIT_USAGE, "list wants one of"},
    {{"version", "extra", NULL}, TS_EXIT_USAGE, "unexpected argument \"extra\""},
    {{"--help", NULL}, TS_EXIT_OK, "usage: tiersim COMMAND"},
    {{"help", NULL}, TS_EXIT_OK, "usage: tiersim COMMAND"},
    {{"help", "run", NULL}, TS_EXIT_OK, "usage: tiersim run"},
    {{"run", "--help", NULL}, TS_EXIT_OK, "usage: tiersim run"},
    {{"run", "@", "-h", NULL}, TS_EXIT_OK, "usage: tiersim run"},
    {{"validate", "--help", NULL}, TS_EXIT_OK, "usage: tiersim validate"},
    {{"list", "--help", NULL}, TS_EXIT_OK, "usage: tiersim list"},
    {{"list", "policies", NULL}, TS_EXIT_OK, "layer-minimum"},
    {{"list", "distributions", NULL}, TS_EXIT_OK, "stable"},
    {{"list", "distributions", NULL},
     TS_EXIT_OK,
     "wan_cloud_device  {\"law\": \"constant\", \"value_ms\": 42}, bandwidth_Bps 2900000"},
    {{"list", "profiles", NULL}, TS_EXIT_OK, "up2-myriadx"},
    {{"version", NULL}, TS_EXIT_OK, "tiersim "},
    {{"--version", NULL}, TS_EXIT_OK, "tiersim "},
};

START_TEST(scenario_cli_exit_codes)
{
	const struct cli_case *c = &cli[_i];
	const char *args[MAX_ARGS + 1] = {NULL};
	char minimal[PATH_SIZE], line[512] = "tiersim";
	struct tu_proc p;

	fixture(minimal, sizeof(minimal), "minimal.json");
	for (size_t i = 0; c->args[i] != NULL; i++) {
		args[i] = strcmp(c->args[i], "@") == 0 ? minimal : c->args[i];
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
		strncat(line, c->args[i], sizeof(line) - strlen(line) - 1);
	}
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == c->exit_code, "%s: exit %d, expected %d; stderr: %s", line,
		      p.exit_code, c->exit_code, p.err);
	if (c->exit_code == TS_EXIT_OK) {
		ck_assert_msg(p.n_out > 0, "%s: nothing on stdout", line);
		ck_assert_msg(strstr(p.out, c->phrase) != NULL, "%s: stdout lacks \"%s\": %s", line,
			      c->phrase, p.out);
		ck_assert_msg(p.n_err == 0, "%s: unexpected stderr: %s", line, p.err);
	} else {
		ck_assert_msg(p.n_out == 0, "%s: unexpected stdout: %s", line, p.out);
		ck_assert_msg(strncmp(p.err, "tiersim: ", 9) == 0, "%s: stderr: %s", line, p.err);
		ck_assert_msg(lines_starting(p.err, "tiersim: ") == 1,
			      "%s: expected exactly one \"tiersim: \" line: %s", line, p.err);
		ck_assert_msg(strstr(p.err, c->phrase) != NULL, "%s: stderr lacks \"%s\": %s", line,
			      c->phrase, p.err);
	}
	tu_proc_release(&p);
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("scenario");

	/* Each row starts tiersim; the whole table takes seconds, not the
	 * default 4. */
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, scenario_validate_rejects_broken, 0, NROW(broken));
	tcase_add_loop_test(tc, scenario_run_rejects_broken, 0, NROW(broken));
	tcase_add_loop_test(tc, scenario_load_rejects_broken, 0, NROW(broken));
	tcase_add_test(tc, scenario_minimal_fields);
	tcase_add_test(tc, scenario_explicit_fields);
	tcase_add_test(tc, scenario_network_fields);
	tcase_add_test(tc, scenario_shipped_loads);
	tcase_add_test(tc, scenario_text_loads);
	tcase_add_test(tc, scenario_dir_of_paths);
	tcase_add_test(tc, scenario_missing_file);
	tcase_add_test(tc, scenario_free_null);
	tcase_add_test(tc, scenario_million_nodes_refused);
	tcase_add_test(tc, scenario_validate_valid);
	tcase_add_test(tc, scenario_run_writes_results);
	tcase_add_loop_test(tc, scenario_cli_exit_codes, 0, NROW(cli));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(scenario_suite());
}
