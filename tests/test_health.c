/* Health states, moving averages and the network latency matrix; the
 * health-threshold and weighted policies on hand-built candidates; and
 * whole runs: outputs, migration, cooldown, probes and determinism. */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "policy.h"
#include "run.h"
#include "testutil.h"

/* ---- states ---- */

static const struct {
	double latency_ms;
	enum health_state expected;
} state_cases[] = {
    {0, HEALTH_PASS},	      {74.999, HEALTH_PASS}, {75, HEALTH_WARNING},
    {89.999, HEALTH_WARNING}, {90, HEALTH_WARNING},  {90.001, HEALTH_CRITICAL},
    {1000, HEALTH_CRITICAL},
};

START_TEST(health_state_boundaries)
{
	enum health_state got = health_classify(state_cases[_i].latency_ms, 100, 0.75, 0.9);

	ck_assert_msg(got == state_cases[_i].expected, "%.17g ms of 100: %s, expected %s",
		      state_cases[_i].latency_ms, health_state_name(got),
		      health_state_name(state_cases[_i].expected));
}
END_TEST

START_TEST(health_state_names)
{
	ck_assert_str_eq(health_state_name(HEALTH_IDLE), "idle");
	ck_assert_str_eq(health_state_name(HEALTH_PASS), "pass");
	ck_assert_str_eq(health_state_name(HEALTH_WARNING), "warning");
	ck_assert_str_eq(health_state_name(HEALTH_CRITICAL), "critical");
}
END_TEST

/* ---- moving averages ---- */

START_TEST(health_ema_arithmetic)
{
	struct health_ema e = {0};

	/* Window 3: alpha = 0.5. */
	health_ema_add(&e, 10, 3);
	ck_assert_double_eq_tol(e.value, 10, 1e-12);
	health_ema_add(&e, 20, 3);
	ck_assert_double_eq_tol(e.value, 15, 1e-12);
	health_ema_add(&e, 40, 3);
	ck_assert_double_eq_tol(e.value, 27.5, 1e-12);
	ck_assert_double_eq_tol(e.latest, 40, 1e-12);
	/* Window 1: the latest sample alone. */
	health_ema_add(&e, 7, 1);
	ck_assert_double_eq_tol(e.value, 7, 1e-12);
}
END_TEST

START_TEST(health_tema_arithmetic)
{
	struct health_tema e = {0};
	double a = exp(-30.0 / 60);

	health_tema_add(&e, 0, 10, 60);
	ck_assert_double_eq_tol(e.value, 10, 1e-12);
	health_tema_add(&e, 30 * SIM_NS_PER_S, 20, 60);
	ck_assert_double_eq_tol(e.value, a * 10 + (1 - a) * 20, 1e-12);
	/* The same instant: no decay, the sample does not move it. */
	health_tema_add(&e, 30 * SIM_NS_PER_S, 1000, 60);
	ck_assert_double_eq_tol(e.value, a * 10 + (1 - a) * 20, 1e-12);
}
END_TEST

START_TEST(health_nlm_score_and_state)
{
	struct health_nlm_config cfg = {
	    .weights = {0.5, 0.3, 0.2}, .warning_ms = 15, .critical_ms = 30};
	struct health_nlm *nlm = health_nlm_new(3, &cfg);
	double e[3], want = 0;
	static const double tau[3] = {60, 300, 900};

	ck_assert_ptr_nonnull(nlm);
	ck_assert_uint_eq(health_nlm_count(nlm, 0, 2), 0);
	ck_assert(isnan(health_nlm_ema(nlm, 0, 2, 0)));
	/* Before an observation: the prior. */
	ck_assert_double_eq_tol(health_nlm_score(nlm, 0, 2, 12.5), 12.5, 1e-12);
	health_nlm_observe(nlm, 0, 2, 0, 10);
	ck_assert_double_eq_tol(health_nlm_score(nlm, 2, 0, 99), 10, 1e-12);
	/* The other direction updates the same entry. */
	health_nlm_observe(nlm, 2, 0, 60 * SIM_NS_PER_S, 40);
	ck_assert_uint_eq(health_nlm_count(nlm, 0, 2), 2);
	for (int w = 0; w < 3; w++) {
		double a = exp(-60 / tau[w]);

		e[w] = a * 10 + (1 - a) * 40;
		ck_assert_double_eq_tol(health_nlm_ema(nlm, 0, 2, w), e[w], 1e-9);
		want += cfg.weights[w] * e[w];
	}
	ck_assert_double_eq_tol(health_nlm_score(nlm, 0, 2, 0), want, 1e-9);
	/* Other entries are untouched. */
	ck_assert_uint_eq(health_nlm_count(nlm, 0, 1), 0);
	ck_assert(health_nlm_state(nlm, 14.9) == HEALTH_PASS);
	ck_assert(health_nlm_state(nlm, 15) == HEALTH_WARNING);
	ck_assert(health_nlm_state(nlm, 30) == HEALTH_WARNING);
	ck_assert(health_nlm_state(nlm, 30.1) == HEALTH_CRITICAL);
	health_nlm_free(nlm);
	health_nlm_free(NULL);
}
END_TEST

/* ---- the policies on hand-built candidates ---- */

/* Runs policy `name` (place, or migrate) with its defaults, parameter
 * `param` set to value; *fallback says whether it fell back. */
static long decide(const char *name, bool migrate, const char *param, double value,
		   const struct policy_candidate *c, size_t n, bool *fallback)
{
	const struct policy_ops *ops = policy_find(name);
	double params[SCN_POLICY_PARAMS_MAX];
	struct policy_query q = {.cands = c, .n_cands = n, .params = params, .fallback = fallback};
	int k;

	ck_assert_ptr_nonnull(ops);
	for (size_t i = 0; i < ops->n_params; i++)
		params[i] = ops->params[i].def;
	k = policy_param_find(ops, param);
	ck_assert_int_ge(k, 0);
	params[k] = value;
	*fallback = false;
	return migrate ? ops->migrate(NULL, &q) : ops->place(NULL, &q);
}

/* The device, then three edge nodes. */
static const struct policy_candidate mixed[] = {
    {.node = 0, .tier = TIER_DEVICE, .service_ms = 250},
    {.node = 1, .tier = TIER_EDGE, .state = HEALTH_CRITICAL, .avg_inf_lat_ms = 95, .nlm_ms = 5},
    {.node = 2, .tier = TIER_EDGE, .state = HEALTH_PASS, .avg_inf_lat_ms = 40, .nlm_ms = 20},
    {.node = 3, .tier = TIER_EDGE, .state = HEALTH_IDLE, .avg_inf_lat_ms = 0, .nlm_ms = 30},
};

static const struct policy_candidate unhealthy[] = {
    {.node = 0, .tier = TIER_DEVICE, .service_ms = 250},
    {.node = 1, .tier = TIER_EDGE, .state = HEALTH_CRITICAL, .avg_inf_lat_ms = 95, .nlm_ms = 5},
    {.node = 2, .tier = TIER_EDGE, .state = HEALTH_WARNING, .avg_inf_lat_ms = 85, .nlm_ms = 20},
    {.node = 3, .tier = TIER_EDGE, .state = HEALTH_WARNING, .avg_inf_lat_ms = 80, .nlm_ms = 30},
};

START_TEST(health_threshold_places_on_healthy_nearest)
{
	bool fb;

	/* The critical node 1 is nearest, but takes nothing new. */
	ck_assert_int_eq(decide("health-threshold", false, "no_healthy_node", 0, mixed, 4, &fb), 2);
	ck_assert(!fb);
	/* Migration: the healthiest (least AvgInfLat), the idle node. */
	ck_assert_int_eq(decide("health-threshold", true, "no_healthy_node", 0, mixed, 4, &fb), 3);
	ck_assert(!fb);
}
END_TEST

START_TEST(health_threshold_no_healthy_node_both_ways)
{
	bool fb;

	/* Stay: a new stream stays on its device, a migration does not
	 * happen; both count. */
	ck_assert_int_eq(decide("health-threshold", false, "no_healthy_node", 0, unhealthy, 4, &fb),
			 0);
	ck_assert(fb);
	ck_assert_int_eq(
	    decide("health-threshold", false, "no_healthy_node", 0, unhealthy + 1, 3, &fb), -1);
	ck_assert(fb);
	ck_assert_int_eq(decide("health-threshold", true, "no_healthy_node", 0, unhealthy, 4, &fb),
			 -1);
	ck_assert(fb);
	/* Least bad: the nearest warning node for a new stream, the warning
	 * node with the least AvgInfLat for a migration; never the critical
	 * one. */
	ck_assert_int_eq(decide("health-threshold", false, "no_healthy_node", 1, unhealthy, 4, &fb),
			 2);
	ck_assert(fb);
	ck_assert_int_eq(decide("health-threshold", true, "no_healthy_node", 1, unhealthy, 4, &fb),
			 3);
	ck_assert(fb);
	ck_assert_int_eq(decide("health-threshold", false, "no_healthy_node", 1, unhealthy, 2, &fb),
			 0);
}
END_TEST

/* Node 1: near but busy; node 2: far and idle. */
static const struct policy_candidate weighing[] = {
    {.node = 0, .tier = TIER_DEVICE, .cpu_pre_ms = 100, .accel_ms = 200},
    {.node = 1, .tier = TIER_EDGE, .load = 4, .cpu_pre_ms = 10, .accel_ms = 20, .nlm_ms = 5},
    {.node = 2, .tier = TIER_EDGE, .load = 0, .cpu_pre_ms = 10, .accel_ms = 20, .nlm_ms = 40},
};

START_TEST(health_weighted_knob)
{
	bool fb;

	/* k = 1: latency alone picks the near node; k = 0: load alone the
	 * idle one; the device is never weighed. */
	ck_assert_int_eq(decide("weighted", false, "latency_vs_utilisation", 1, weighing, 3, &fb),
			 1);
	ck_assert_int_eq(decide("weighted", false, "latency_vs_utilisation", 0, weighing, 3, &fb),
			 2);
	/* k = 0.5: W1 = 0.25 x 1 + 0.25 x 1 + 0.5 x 5/40 = 0.5625 against
	 * W2 = 0.25 x 0.2 + 0.25 x 0.2 + 0.5 x 1 = 0.6. */
	ck_assert_int_eq(decide("weighted", false, "latency_vs_utilisation", 0.5, weighing, 3, &fb),
			 1);
	ck_assert_int_eq(decide("weighted", false, "latency_vs_utilisation", 1, weighing, 1, &fb),
			 0);
}
END_TEST

/* ---- whole runs ---- */

static int run_health(const char *scenario, const char *dir, uint64_t seed, unsigned reps,
		      struct ts_error *err)
{
	char path[4096];
	struct run_config cfg = {
	    .scenario_path = path,
	    .out_dir = dir,
	    .has_seed = true,
	    .seed = seed,
	    .replications = reps,
	    .requests_csv = true,
	};
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	tu_source_path(path, sizeof(path), scenario);
	rc = run_scenario(&cfg, devnull, devnull, err);
	fclose(devnull);
	return rc;
}

static char *file_in(const char *dir, const char *name)
{
	char p[4200];
	char *text;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	text = tu_read_file(p, NULL);
	ck_assert_msg(text != NULL, "no %s", p);
	return text;
}

static long count_lines(const char *text)
{
	long n = 0;

	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

static double health_number(const char *dir, const char *key)
{
	char *text = file_in(dir, "summary.json");
	cJSON *root = cJSON_Parse(text);
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "health"), key);
	double x;

	ck_assert_msg(cJSON_IsNumber(v), "summary.json has no health.%s", key);
	x = v->valuedouble;
	cJSON_Delete(root);
	free(text);
	return x;
}

/* The node of every requests.csv row of a source, split at time t_ns:
 * counts of rows on `node` created before and at/after t_ns. */
static void rows_of(const char *csv, const char *app_source, const char *node, long long t_ns,
		    long *before, long *after, long *elsewhere_after)
{
	const char *line = strchr(csv, '\n') + 1;
	size_t n = strcspn(app_source, "/");

	*before = *after = *elsewhere_after = 0;
	for (; *line != '\0'; line = strchr(line, '\n') + 1) {
		char f[16][64];
		int k = 0;
		const char *p = line;

		memset(f, 0, sizeof(f));
		while (k < 16 && *p != '\n') {
			size_t len = strcspn(p, ",\n");

			snprintf(f[k++], sizeof(f[0]), "%.*s", (int)len, p);
			p += len + (p[len] == ',');
		}
		if (strlen(f[2]) != n || strncmp(f[2], app_source, n) != 0 ||
		    strcmp(f[3], app_source + n + 1) != 0 || f[4][0] == '\0')
			continue;
		if (atoll(f[8]) < t_ns)
			*before += strcmp(f[4], node) == 0;
		else if (strcmp(f[4], node) == 0)
			*after += 1;
		else
			*elsewhere_after += 1;
	}
}

START_TEST(health_critical_node_migrates_worst_instance)
{
	char *dir = tu_make_tmpdir(), *mig, *csv, *ts, *states;
	struct ts_error err = {""};
	double t_s;
	char stream[64], app[64], from[64], to[64], reason[64];
	long before, after, elsewhere;

	ck_assert_int_eq(run_health("tests/data/health/overload.json", dir, 3, 1, &err), 0);
	mig = file_in(dir, "migrations.csv");
	ck_assert_msg(strncmp(mig, "time_s,stream,app,from,to,reason\n", 33) == 0, "%s", mig);
	/* Exactly one move: e1 (two instances, 60 ms against a 60 ms QoS)
	 * sends a stream to e2, the healthy node nearest its devices. */
	ck_assert_int_eq(count_lines(mig), 2);
	ck_assert_int_eq(sscanf(strchr(mig, '\n') + 1,
				"%lf,%63[^,],%63[^,],%63[^,],%63[^,],%63[^\n]", &t_s, stream, app,
				from, to, reason),
			 6);
	ck_assert_str_eq(app, "a");
	ck_assert_str_eq(from, "e1");
	ck_assert_str_eq(to, "e2");
	ck_assert_str_eq(reason, "node_critical");
	ck_assert(t_s > 1 && t_s < 1.1);
	ck_assert_double_eq(health_number(dir, "migrations"), 1);
	ck_assert_double_eq(health_number(dir, "migration_bytes"), 4096);

	/* Frames sent before the switch finish on e1, later ones go to e2. */
	csv = file_in(dir, "requests.csv");
	rows_of(csv, stream, "e1", (long long)llround(t_s * 1e9), &before, &after, &elsewhere);
	ck_assert_int_gt(before, 5);
	ck_assert_int_eq(after, 0);
	ck_assert_int_gt(elsewhere, 30);
	rows_of(csv, stream, "e2", (long long)llround(t_s * 1e9), &before, &after, &elsewhere);
	ck_assert_int_eq(before, 0);
	ck_assert_int_eq(elsewhere, 0);

	/* The stream starting at 1.5 s avoids e1, critical at the check at
	 * 1 s although nearest, and e2 has no link to its device: e3. */
	rows_of(csv, "b/d3", "e3", 0, &before, &after, &elsewhere);
	ck_assert_int_gt(after, 30);
	ck_assert_int_eq(elsewhere, 0);

	/* One row per edge node per check: 5 s / 1 s x 3 nodes. */
	ts = file_in(dir, "timeseries.csv");
	ck_assert_msg(
	    strncmp(ts, "time_s,node,instances,avg_inf_lat_ms,state,queue_length\n", 56) == 0,
	    "%.80s", ts);
	ck_assert_int_eq(count_lines(ts), 1 + 5 * 3);
	ck_assert_ptr_nonnull(strstr(ts, "\n1,e1,2,"));
	ck_assert_ptr_nonnull(strstr(ts, ",critical,"));
	ck_assert_ptr_nonnull(strstr(ts, "\n1,e3,0,0,idle,0\n"));

	/* States: the node's change, and the NLM entries learnt from the
	 * constant 5 ms link (pass under the 50 ms default). */
	states = file_in(dir, "states.csv");
	ck_assert_ptr_nonnull(strstr(states, "time_s,kind,subject,from,to,latency_ms\n"));
	ck_assert_ptr_nonnull(strstr(states, "\n1,node,e1,idle,critical,"));
	ck_assert_ptr_nonnull(strstr(states, "\n1,link,d1~e1,idle,pass,5\n"));
	/* The stream that moved had the highest InfLat EMA on e1 at 1 s. */
	{
		double moved = -1, other = -1;

		for (const char *line = strchr(states, '\n') + 1; *line != '\0';
		     line = strchr(line, '\n') + 1) {
			char subject[128];
			double t, lat;

			if (sscanf(line, "%lf,instance,%127[^,],%*[^,],%*[^,],%lf", &t, subject,
				   &lat) != 3 ||
			    t != 1 || strncmp(subject, "e1:", 3) != 0)
				continue;
			if (strcmp(subject + 3, stream) == 0)
				moved = lat;
			else
				other = lat;
		}
		ck_assert_double_gt(moved, 0);
		ck_assert_double_gt(other, 0);
		ck_assert_double_ge(moved, other);
	}
	free(mig);
	free(csv);
	free(ts);
	free(states);
	tu_remove_tmpdir(dir);
}
END_TEST

/* summary.json's time_in_state_s against timeseries.csv: a node is idle
 * until the first check, then in the state of each check until the next
 * (the last until the end), counted inside [warmup_s, duration_s). */
START_TEST(health_time_in_state_matches_timeseries)
{
	static const char *const nodes[] = {"up2", "coral", "nano"};
	static const char *const states[] = {"idle", "pass", "warning", "critical"};
	const double warmup = 5, duration = 120;
	char *dir = tu_make_tmpdir(), *ts, *text;
	struct ts_error err = {""};
	double want[3][4] = {{0}}, since[3] = {0};
	int state[3] = {0};
	cJSON *root, *times;

	ck_assert_int_eq(run_health("scenarios/edge-od-health.json", dir, 11, 1, &err), 0);
	ts = file_in(dir, "timeseries.csv");
	for (const char *line = strchr(ts, '\n') + 1; *line != '\0';
	     line = strchr(line, '\n') + 1) {
		char node[16], st[16];
		double t;
		int n = 0, k = 0;

		ck_assert_int_eq(sscanf(line, "%lf,%15[^,],%*[^,],%*[^,],%15[^,]", &t, node, st),
				 3);
		while (n < 2 && strcmp(node, nodes[n]) != 0)
			n++;
		while (k < 3 && strcmp(st, states[k]) != 0)
			k++;
		ck_assert_str_eq(node, nodes[n]);
		ck_assert_str_eq(st, states[k]);
		want[n][state[n]] += fmax(0, t - fmax(since[n], warmup));
		since[n] = t;
		state[n] = k;
	}
	text = file_in(dir, "summary.json");
	root = cJSON_Parse(text);
	times = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "health"),
						 "time_in_state_s");
	ck_assert_int_eq(cJSON_GetArraySize(times), 3);
	for (int n = 0; n < 3; n++) {
		const cJSON *node = cJSON_GetObjectItemCaseSensitive(times, nodes[n]);
		double sum = 0;

		want[n][state[n]] += duration - fmax(since[n], warmup);
		for (int k = 0; k < 4; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(node, states[k]);

			ck_assert_msg(cJSON_IsNumber(v), "no %s.%s", nodes[n], states[k]);
			ck_assert_double_eq_tol(v->valuedouble, want[n][k], 1e-6);
			sum += v->valuedouble;
		}
		ck_assert_double_eq_tol(sum, duration - warmup, 1e-6);
	}
	/* Streams join and leave: some time both loaded and idle. */
	ck_assert_double_gt(want[2][0], 0);
	ck_assert_double_gt(want[2][1] + want[2][2] + want[2][3], 0);
	cJSON_Delete(root);
	free(text);
	free(ts);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(health_no_healthy_node_stays_on_device)
{
	char *dir = tu_make_tmpdir(), *csv;
	struct ts_error err = {""};
	long before, after, elsewhere;

	/* The only edge node is critical when b's stream starts: with the
	 * default "stay" the stream runs on its own device, once counted. */
	ck_assert_int_eq(run_health("tests/data/health/no-healthy.json", dir, 5, 1, &err), 0);
	ck_assert_double_eq(health_number(dir, "no_healthy_node"), 1);
	ck_assert_double_eq(health_number(dir, "migrations"), 0);
	csv = file_in(dir, "requests.csv");
	rows_of(csv, "b/d3", "d3", 0, &before, &after, &elsewhere);
	ck_assert_int_gt(after, 10);
	ck_assert_int_eq(elsewhere, 0);
	free(csv);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(health_probes_counted)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {""};

	/* Every 100 ms over 5 s, one probe per link (11), none still in
	 * flight at the next (delays <= 20 ms): 50 x 11 of 64 bytes. */
	ck_assert_int_eq(run_health("tests/data/health/overload.json", dir, 3, 1, &err), 0);
	ck_assert_double_eq(health_number(dir, "probes"), 550);
	ck_assert_double_eq(health_number(dir, "probe_bytes"), 550 * 64);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Migrations of each stream and out of each node, at least `gap_s`
 * apart; returns how many rows. */
static long check_gaps(const char *mig, double gap_s)
{
	const char *line = strchr(mig, '\n') + 1;
	char stream[8][64], node[8][64];
	double last_stream[8], last_node[8];
	int n_stream = 0, n_node = 0;
	long rows = 0;

	for (; *line != '\0'; line = strchr(line, '\n') + 1, rows++) {
		double t;
		char s[64], app[64], from[64], to[64];
		int i, j;

		ck_assert_int_eq(
		    sscanf(line, "%lf,%63[^,],%63[^,],%63[^,],%63[^,]", &t, s, app, from, to), 5);
		for (i = 0; i < n_stream && strcmp(stream[i], s) != 0; i++)
			;
		if (i < n_stream)
			ck_assert_msg(t - last_stream[i] >= gap_s - 1e-9,
				      "%s moved at %.17g and %.17g", s, last_stream[i], t);
		else
			snprintf(stream[n_stream++], 64, "%s", s);
		last_stream[i] = t;
		for (j = 0; j < n_node && strcmp(node[j], from) != 0; j++)
			;
		if (j < n_node)
			ck_assert_msg(t - last_node[j] >= gap_s - 1e-9,
				      "%s sent streams at %.17g and %.17g", from, last_node[j], t);
		else
			snprintf(node[n_node++], 64, "%s", from);
		last_node[j] = t;
	}
	return rows;
}

START_TEST(health_cooldown_prevents_ping_pong)
{
	char *dir = tu_make_tmpdir(), *cooled = tu_make_tmpdir(), *mig;
	struct ts_error err = {""};
	long free_moves, cooled_moves;

	/* Without a cooldown the stream bounces between e1 and the slow e2
	 * at every check. */
	ck_assert_int_eq(run_health("tests/data/health/pingpong.json", dir, 4, 1, &err), 0);
	mig = file_in(dir, "migrations.csv");
	free_moves = check_gaps(mig, 1);
	ck_assert_int_ge(free_moves, 15);
	free(mig);
	/* The same with a 5 s cooldown. */
	ck_assert_int_eq(run_health("tests/data/health/pingpong-cooldown.json", cooled, 4, 1, &err),
			 0);
	mig = file_in(cooled, "migrations.csv");
	cooled_moves = check_gaps(mig, 5);
	ck_assert_int_ge(cooled_moves, 1);
	ck_assert_int_lt(cooled_moves, free_moves);
	free(mig);
	tu_remove_tmpdir(dir);
	tu_remove_tmpdir(cooled);
}
END_TEST

START_TEST(health_same_seed_same_bytes)
{
	static const char *const files[] = {"timeseries.csv", "migrations.csv", "states.csv",
					    "summary.json", "requests.csv"};
	char *a = tu_make_tmpdir(), *b = tu_make_tmpdir();
	struct ts_error err = {""};

	ck_assert_int_eq(run_health("tests/data/health/pingpong.json", a, 9, 2, &err), 0);
	ck_assert_int_eq(run_health("tests/data/health/pingpong.json", b, 9, 2, &err), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *x = file_in(a, files[i]), *y = file_in(b, files[i]);

		ck_assert_msg(strcmp(x, y) == 0, "%s differs", files[i]);
		free(x);
		free(y);
	}
	/* Two replications: the time series is replication 0's alone. */
	{
		char *ts = file_in(a, "timeseries.csv");

		ck_assert_int_eq(count_lines(ts), 1 + 20 * 2);
		free(ts);
	}
	tu_remove_tmpdir(a);
	tu_remove_tmpdir(b);
}
END_TEST

START_TEST(health_outputs_only_for_health_policies)
{
	char *dir = tu_make_tmpdir(), p[4200];
	const char *args[] = {"run", NULL, "--policy", "layer-minimum", "-o", dir, NULL};
	struct tu_proc proc;
	char scen[4096];
	FILE *f;

	tu_source_path(scen, sizeof(scen), "tests/data/health/overload.json");
	args[1] = scen;
	tu_spawn(args, &proc);
	ck_assert_int_eq(proc.exit_code, 0);
	snprintf(p, sizeof(p), "%s/timeseries.csv", dir);
	f = fopen(p, "r");
	ck_assert_ptr_null(f);
	ck_assert_ptr_null(strstr(proc.out, "health:"));
	tu_proc_release(&proc);
	args[3] = "weighted";
	tu_spawn(args, &proc);
	ck_assert_int_eq(proc.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(proc.out, "health: 0 migrations"));
	f = fopen(p, "r");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	tu_proc_release(&proc);
	tu_remove_tmpdir(dir);
}
END_TEST

static Suite *health_suite(void)
{
	Suite *s = suite_create("health");
	TCase *unit = tcase_create("unit"), *runs = tcase_create("runs");

	tcase_add_loop_test(unit, health_state_boundaries, 0,
			    (int)(sizeof(state_cases) / sizeof(state_cases[0])));
	tcase_add_test(unit, health_state_names);
	tcase_add_test(unit, health_ema_arithmetic);
	tcase_add_test(unit, health_tema_arithmetic);
	tcase_add_test(unit, health_nlm_score_and_state);
	tcase_add_test(unit, health_threshold_places_on_healthy_nearest);
	tcase_add_test(unit, health_threshold_no_healthy_node_both_ways);
	tcase_add_test(unit, health_weighted_knob);
	suite_add_tcase(s, unit);
	tcase_set_timeout(runs, 60);
	tcase_add_test(runs, health_critical_node_migrates_worst_instance);
	tcase_add_test(runs, health_time_in_state_matches_timeseries);
	tcase_add_test(runs, health_no_healthy_node_stays_on_device);
	tcase_add_test(runs, health_probes_counted);
	tcase_add_test(runs, health_cooldown_prevents_ping_pong);
	tcase_add_test(runs, health_same_seed_same_bytes);
	tcase_add_test(runs, health_outputs_only_for_health_policies);
	suite_add_tcase(s, runs);
	return s;
}

int main(void)
{
	return tu_run(health_suite());
}
