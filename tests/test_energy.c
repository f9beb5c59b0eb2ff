/* Energy and cost accounting (docs/energy.md): the arithmetic against
 * closed forms on a tiny run whose every time is known, every node
 * charged or none, and broken power models and prices rejected with the
 * file, the JSON path, the value and what was expected. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "run.h"
#include "scenario.h"
#include "sim.h"
#include "testutil.h"

/* One device streams 2 frames per second to edge node e1 over a constant
 * 10 ms link at 10^6 B/s (10000 bytes up, 1000 down); e1 serves each in
 * 5 + 20 + 5 ms (fixed-edge, no jitter), and the run drains.  %s: the
 * device's node keys, e1's, then the scenario's last keys. */
static const char base[] =
    "{\"tiersim_scenario\": 1, \"name\": \"e\", \"seed\": 3, \"duration_s\": 20,"
    " \"warmup_s\": 2, \"drain\": true, \"policy\": {\"name\": \"all-edge\"},"
    " \"models\": [{\"id\": \"m\", \"input_bytes\": 10000, \"output_bytes\": 1000, \"flops\": "
    "1e6}],"
    " \"nodes\": [{\"id\": \"dev\", \"tier\": \"device\", \"cpu\": {\"cores\": 1, \"ghz\": 1},"
    " \"accelerators\": []%s},"
    " {\"id\": \"e1\", \"tier\": \"edge\", \"cpu\": {\"cores\": 4, \"ghz\": 2}, \"accelerators\":"
    " [{\"id\": \"gpu\", \"profile\": \"../profiles/fixed-edge.json\"}]%s}],"
    " \"links\": [{\"between\": [\"dev\", \"e1\"], \"delay\": {\"law\": \"constant\","
    " \"value_ms\": 10}, \"bandwidth_Bps\": 1e6}],"
    " \"apps\": [{\"id\": \"a\", \"model\": \"m\", \"sources\": [\"dev\"], \"workload\":"
    " {\"type\": \"stream\", \"fps\": 2, \"frame_px\": [100, 100]},"
    " \"qos_ms\": 60, \"request_bytes\": 10000}]%s}";

static const char dev_energy[] = ", \"energy\": \"../energy/dev.json\"";
static const char edge_energy[] = ", \"energy\": \"../energy/edge.json\"";
static const char edge_cost[] =
    ", \"cost\": {\"per_s_usd\": 0.5, \"per_inference_usd\": 0.01, \"per_GB_usd\": 2,"
    " \"per_hour_usd\": 3.6, \"source\": \"round numbers\"}";

static int load(const char *dev, const char *edge, const char *tail, const char *dir,
		struct scenario **s, struct ts_error *err)
{
	char text[8192], data[4096];

	snprintf(text, sizeof(text), base, dev, edge, tail);
	if (dir == NULL) {
		tu_source_path(data, sizeof(data), "tests/data/sim/");
		dir = data;
	}
	return scenario_load_text(text, strlen(text), "energy.json", dir, s, err);
}

static void simulate(struct scenario *s, struct sim_report *rep)
{
	struct ts_error err = {""};
	struct sim_options opt = {.seed = s->seed, .policy = policy_find(s->policy)};

	ck_assert_msg(sim_run(s, &opt, rep, &err) == 0, "%s", err.msg);
}

#define TOL 1e-9

/* Each measured request: CPU (6 - 2) W x 10 ms, accelerator (11 - 1) W x
 * 20 ms on e1, and the device's radio 10000 x 10^-6 + 1000 x 2 x 10^-6 J;
 * idle power (1 W on the device, 2 + 1 W on e1) over the measured window,
 * which the drained run ends at its last completion. */
START_TEST(energy_closed_form)
{
	char edge[512];
	struct ts_error err = {""};
	struct scenario *s = NULL;
	struct sim_report rep;
	double n, window_s, idle_dev, idle_e1, per;

	snprintf(edge, sizeof(edge), "%s%s", edge_energy, edge_cost);
	ck_assert_msg(load(dev_energy, edge, "", NULL, &s, &err) == 0, "%s", err.msg);
	ck_assert(s->has_energy && s->has_cost);
	simulate(s, &rep);
	n = rep.apps[SIM_M_COUNT];
	ck_assert_double_eq(n, 36);
	window_s = n / rep.apps[SIM_M_THROUGHPUT];
	idle_dev = 1 * window_s;
	idle_e1 = 3 * window_s;

	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_CPU], 0, TOL);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_RADIO], n * 0.012, TOL);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_IDLE], idle_dev, TOL);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_COUNT_ALL + SIM_NE_CPU], n * 0.04, TOL);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_COUNT_ALL + SIM_NE_ACCEL], n * 0.2, TOL);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_COUNT_ALL + SIM_NE_IDLE], idle_e1, TOL);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_COUNT_ALL + SIM_NE_TOTAL],
				n * 0.24 + idle_e1, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_CPU], 0.04, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_ACCEL], 0.2, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_RADIO], 0.012, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_IDLE], (idle_dev + idle_e1) / n, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_DEVICE], 0.012 + idle_dev / n, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_EDGE], 0.24 + idle_e1 / n, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_CLOUD], 0, TOL);
	per = 0.252 + (idle_dev + idle_e1) / n;
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_TOTAL], per, TOL);
	ck_assert_double_eq_tol(rep.energy[SIM_E_TOTAL], per * n, TOL);

	/* 0.01 USD per inference and 0.5 USD per second of 30 ms service;
	 * 2 USD per GB of 11000 bytes; 3.6 USD per hour of the window. */
	ck_assert_double_eq_tol(rep.node_cost[SIM_NC_TOTAL], 0, TOL);
	ck_assert_double_eq_tol(rep.node_cost[SIM_NC_COUNT_ALL + SIM_NC_COMPUTE], n * 0.025, TOL);
	ck_assert_double_eq_tol(rep.node_cost[SIM_NC_COUNT_ALL + SIM_NC_TRANSFER], n * 2.2e-5, TOL);
	ck_assert_double_eq_tol(rep.node_cost[SIM_NC_COUNT_ALL + SIM_NC_AMORTISED],
				0.001 * window_s, TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_PR_COMPUTE], 0.025, TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_PR_TRANSFER], 2.2e-5, TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_PR_AMORTISED], 0.001 * window_s / n, TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_PR_DEVICE], 0, TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_PR_EDGE], rep.cost[SIM_C_PR_TOTAL], TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_PR_TOTAL], 0.025022 + 0.001 * window_s / n, TOL);
	ck_assert_double_eq_tol(rep.cost[SIM_C_TOTAL], rep.cost[SIM_C_PR_TOTAL] * n, TOL);
	sim_report_release(&rep);
	scenario_free(s);
}
END_TEST

/* Without power models or prices nothing is charged and the summary has
 * neither object; with them it has both. */
START_TEST(energy_only_when_given)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	struct sim_report rep;
	cJSON *sum;

	ck_assert_msg(load("", "", "", NULL, &s, &err) == 0, "%s", err.msg);
	ck_assert(!s->has_energy && !s->has_cost);
	simulate(s, &rep);
	ck_assert_ptr_null(rep.node_energy);
	ck_assert_ptr_null(rep.node_cost);
	sum = run_summary_json(s, s->policy, &rep, 1);
	ck_assert_ptr_nonnull(sum);
	ck_assert(!cJSON_HasObjectItem(sum, "energy") && !cJSON_HasObjectItem(sum, "cost"));
	cJSON_Delete(sum);
	sim_report_release(&rep);
	scenario_free(s);

	ck_assert_msg(load(dev_energy, edge_energy, "", NULL, &s, &err) == 0, "%s", err.msg);
	simulate(s, &rep);
	sum = run_summary_json(s, s->policy, &rep, 1);
	ck_assert_ptr_nonnull(sum);
	ck_assert(cJSON_HasObjectItem(sum, "energy") && !cJSON_HasObjectItem(sum, "cost"));
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(sum, "energy"), "per_request_J"), "radio")));
	cJSON_Delete(sum);
	sim_report_release(&rep);
	scenario_free(s);
}
END_TEST

/* ---- broken power models and prices ---- */

struct broken {
	const char *file; /* the power model's text, or NULL: dev uses the good one */
	const char *cost; /* e1's cost object, or NULL */
	const char *where, *phrase;
};

#define GOOD_SOURCES "\"sources\": {\"s\": \"a citation\"}"

static const struct broken broken[] = {
    {"{\"tiersim_energy\": 2}", NULL, "bad.json: $.tiersim_energy",
     "expected a whole number in [1, 1]"},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES ", \"cpu\": {\"idle_W\": 2,"
     " \"busy_W\": 1, \"source\": \"s\"}}",
     NULL, "bad.json: $.cpu.busy_W", "expected busy_W at least idle_W (2), got 1"},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES ", \"cpu\": {\"idle_W\": -1,"
     " \"busy_W\": 1, \"source\": \"s\"}}",
     NULL, "bad.json: $.cpu.idle_W", "expected a number in [0, "},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES ", \"cpu\": {\"idle_W\": 1,"
     " \"busy_W\": 2, \"source\": \"t\"}}",
     NULL, "bad.json: $.cpu.source", "got \"t\" (no such source)"},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES "}", NULL, "bad.json: $",
     "missing required key \"cpu\""},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", \"sources\": {}, \"cpu\": {\"idle_W\": 1,"
     " \"busy_W\": 2, \"source\": \"s\"}}",
     NULL, "bad.json: $.sources", "expected at least one source"},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES ", \"cpu\": {\"idle_W\": 1,"
     " \"busy_mW\": 2, \"source\": \"s\"}}",
     NULL, "bad.json: $.cpu", "busy_mW"},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES ", \"cpu\": {\"idle_W\": 1,"
     " \"busy_W\": 2, \"source\": \"s\"}, \"radio\": {\"tx_per_byte_J\": \"1e-6\","
     " \"rx_per_byte_J\": 0, \"source\": \"s\"}}",
     NULL, "bad.json: $.radio.tx_per_byte_J", "got \"1e-6\""},
    {"{\"tiersim_energy\": 1, \"id\": \"x\", " GOOD_SOURCES ", \"cpu\": {\"idle_W\": 1,"
     " \"busy_W\": 2, \"source\": \"s\"}, \"battery_J\": 5}",
     NULL, "bad.json: $", "unknown key \"battery_J\""},
    {"{\"tiersim_energy\": 1,", NULL, "bad.json:1:", ""},
    {NULL, "{\"per_GB_usd\": -2}", "energy.json: $.nodes[1].cost.per_GB_usd",
     "expected a number in [0, "},
    {NULL, "{\"per_request_usd\": 1}", "energy.json: $.nodes[1].cost",
     "unknown key \"per_request_usd\""},
    {NULL, "[1]", "energy.json: $.nodes[1].cost", "expected an object"},
};

/* The device's power model is the row's file (in a temporary directory);
 * e1 has the row's cost. */
START_TEST(energy_broken_data)
{
	const struct broken *b = &broken[_i];
	char *dir = tu_make_tmpdir(), path[4096], edge[1024];
	struct ts_error err = {""};
	struct scenario *s = NULL;
	int rc;

	if (b->file != NULL) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/bad.json", dir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(b->file, f);
		fclose(f);
	}
	snprintf(edge, sizeof(edge), "%s%s", b->cost != NULL ? ", \"cost\": " : "",
		 b->cost != NULL ? b->cost : "");
	snprintf(path, sizeof(path), "%s/", dir);
	/* The device's file fails before e1's profile is looked for. */
	rc = load(b->file != NULL ? ", \"energy\": \"./bad.json\"" : "", edge, "",
		  b->file != NULL ? path : NULL, &s, &err);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(rc, b->phrase[0] == '\0' ? TS_ESYNTAX : TS_EINVALID);
	ck_assert_msg(strstr(err.msg, b->where) != NULL, "row %d: no \"%s\" in: %s", _i, b->where,
		      err.msg);
	ck_assert_msg(strstr(err.msg, b->phrase) != NULL, "row %d: no \"%s\" in: %s", _i, b->phrase,
		      err.msg);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

/* Every node has a power model, or none has. */
START_TEST(energy_every_node_or_none)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	int rc = load("", edge_energy, "", NULL, &s, &err);

	ck_assert_ptr_null(s);
	ck_assert_int_eq(rc, TS_EINVALID);
	ck_assert_msg(strstr(err.msg,
			     "energy.json: $.nodes[0]: node \"dev\" has no \"energy\", but "
			     "1 other node do") != NULL,
		      "%s", err.msg);
}
END_TEST

/* A 5 J battery on the device: 1 W idle plus 0.01 J per request sent
 * and 0.002 J per result received run it out just before 5 s; then the
 * device creates nothing more, draws nothing more, and has 0 J left. */
START_TEST(energy_battery_runs_out)
{
	char dev[256];
	struct ts_error err = {""};
	struct scenario *s = NULL;
	struct sim_options opt = {.policy = policy_find("all-edge")};
	struct sim_report rep;
	char *csv = NULL;
	size_t len = 0, ups = 0, downs = 0;
	double t_empty;

	snprintf(dev, sizeof(dev), "%s, \"battery_J\": 5", dev_energy);
	ck_assert_msg(load(dev, edge_energy, "", NULL, &s, &err) == 0, "%s", err.msg);
	ck_assert(s->has_battery);
	opt.seed = s->seed;
	opt.requests_csv = open_memstream(&csv, &len);
	ck_assert_msg(sim_run(s, &opt, &rep, &err) == 0, "%s", err.msg);
	fclose(opt.requests_csv);
	t_empty = rep.battery_empty_s[0];
	ck_assert(t_empty > 4.8 && t_empty < 5);
	ck_assert(isnan(rep.battery_empty_s[1]) && isnan(rep.battery_left_J[1]));
	ck_assert_double_eq(rep.battery_left_J[0], 0);
	/* Count the transfers that ended by then from requests.csv (created_ns
	 * is its 9th column, uplink_done_ns its 10th, downlink_done_ns its
	 * 15th). */
	for (const char *row = csv; *row != '\0'; row = strchr(row, '\n') + 1) {
		const char *f = row;
		long long created, up, down;
		char *end;

		for (int k = 0; k < 8; k++)
			f = strchr(f, ',') + 1;
		created = strtoll(f, &end, 10);
		ck_assert_double_le(sim_to_s(created), t_empty);
		up = strtoll(end + 1, &end, 10);
		for (int k = 0; k < 4; k++)
			end = strchr(end + 1, ',');
		down = strtoll(end + 1, NULL, 10);
		ups += up > 0 && sim_to_s(up) <= t_empty;
		downs += down > 0 && sim_to_s(down) <= t_empty;
	}
	ck_assert_uint_ge(ups, 8);
	ck_assert_double_eq_tol(t_empty + 0.01 * (double)ups + 0.002 * (double)downs, 5, 1e-6);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_IDLE], t_empty - 2, 1e-9);
	free(csv);
	sim_report_release(&rep);
	scenario_free(s);
}
END_TEST

struct broken_battery {
	const char *dev, *edge, *where, *phrase;
};

static const struct broken_battery broken_batteries[] = {
    {", \"battery_J\": 5", "", "$.nodes[0].battery_J", "a battery needs the node's power model"},
    {", \"energy\": \"../energy/dev.json\", \"battery_J\": 0",
     ", \"energy\": \"../energy/edge.json\"", "$.nodes[0].battery_J", "expected a number in ["},
    {", \"energy\": \"../energy/dev.json\"",
     ", \"energy\": \"../energy/edge.json\", \"battery_J\": 5", "$.nodes[1].battery_J",
     "only a single device has a battery, not an edge or cloud node"},
};

START_TEST(energy_broken_battery)
{
	const struct broken_battery *b = &broken_batteries[_i];
	struct ts_error err = {""};
	struct scenario *s = NULL;
	char where[256];
	int rc = load(b->dev, b->edge, "", NULL, &s, &err);

	ck_assert_ptr_null(s);
	ck_assert_int_eq(rc, TS_EINVALID);
	snprintf(where, sizeof(where), "energy.json: %s: ", b->where);
	ck_assert_msg(strstr(err.msg, where) != NULL, "row %d: %s", _i, err.msg);
	ck_assert_msg(strstr(err.msg, b->phrase) != NULL, "row %d: %s", _i, err.msg);
}
END_TEST

/* tiersim sweep takes the accounts like every other metric. */
START_TEST(energy_in_sweeps)
{
	char *dir = tu_make_tmpdir(), scn[4096], path[4200], out[4100], *csv;
	const char *args[] = {"sweep", path, "-o", out, "--quiet", NULL};
	struct tu_proc p;
	FILE *f;

	tu_source_path(scn, sizeof(scn), "scenarios/edge-od-energy.json");
	snprintf(path, sizeof(path), "%s/sweep.json", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"format\": \"tiersim-sweep/1\", \"name\": \"e\", \"scenario\": \"%s\","
		" \"parameters\": [{\"name\": \"fps\", \"pointer\": \"/apps/0/workload/fps\","
		" \"values\": [5, 10]}], \"policies\": [\"layer-minimum\"], \"replications\": 1, "
		"\"seed\": 1}",
		scn);
	fclose(f);
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	tu_proc_release(&p);
	snprintf(path, sizeof(path), "%s/runs.csv", out);
	csv = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(csv);
	*strchr(csv, '\n') = '\0';
	ck_assert_ptr_nonnull(strstr(csv, ",energy.per_request_J.total,"));
	ck_assert_ptr_nonnull(strstr(csv, ",energy.nodes.rpi1.radio_J,"));
	ck_assert_ptr_nonnull(strstr(csv, ",cost.per_request_usd.amortised,"));
	free(csv);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("energy");
	TCase *tc = tcase_create("energy");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, energy_closed_form);
	tcase_add_test(tc, energy_only_when_given);
	tcase_add_loop_test(tc, energy_broken_data, 0, (int)(sizeof(broken) / sizeof(*broken)));
	tcase_add_test(tc, energy_every_node_or_none);
	tcase_add_test(tc, energy_in_sweeps);
	tcase_add_test(tc, energy_battery_runs_out);
	tcase_add_loop_test(tc, energy_broken_battery, 0,
			    (int)(sizeof(broken_batteries) / sizeof(*broken_batteries)));
	suite_add_tcase(s, tc);
	return tu_run(s);
}
