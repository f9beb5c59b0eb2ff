/* Model partitioning (docs/hybrid.md): the partition policy's choice of
 * split point on hand-computed cases, split requests executed and charged
 * against closed forms, requests conserved, and bad layer data or a
 * partition policy on streams rejected with messages. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partition.h"
#include "policy.h"
#include "scenario.h"
#include "sim.h"
#include "testutil.h"

/* Device d1 runs the four-layer model m in 5 + 100 + 5 ms (layers 10,
 * 20, 30 and 40 ms: fixed-device-layers), edge node e1 in 5 + 20 + 5 ms
 * (fixed-edge, shares by equal FLOPs); a constant 10 ms link at 10^6 B/s
 * joins them.  Requests of 100000 bytes, results of 1000; a split after
 * layer k sends 50000, 1000 or 2000 bytes.  %s: d1's keys, e1's, the
 * policy's params and the app's workload, then the scenario's last
 * keys. */
static const char base[] =
    "{\"tiersim_scenario\": 1, \"name\": \"p\", \"seed\": 3, \"duration_s\": 100,"
    " \"warmup_s\": 2, \"drain\": true, \"policy\": {\"name\": \"partition\"%s},"
    " \"models\": [{\"id\": \"m\", \"input_bytes\": 100000, \"output_bytes\": 1000,"
    " \"layers\": [{\"type\": \"block\", \"flops\": 1, \"out_bytes\": 50000},"
    " {\"type\": \"block\", \"flops\": 1, \"out_bytes\": 1000},"
    " {\"type\": \"block\", \"flops\": 1, \"out_bytes\": 2000},"
    " {\"type\": \"block\", \"flops\": 1, \"out_bytes\": 500}]}],"
    " \"nodes\": [{\"id\": \"d1\", \"tier\": \"device\", \"cpu\": {\"cores\": 1, \"ghz\": 1},"
    " \"accelerators\": [{\"id\": \"cpu\", \"profile\": \"../profiles/fixed-device-layers.json\"}]"
    "%s},"
    " {\"id\": \"e1\", \"tier\": \"edge\", \"cpu\": {\"cores\": 4, \"ghz\": 2}, \"accelerators\":"
    " [{\"id\": \"gpu\", \"profile\": \"../profiles/fixed-edge.json\"}]%s}],"
    " \"links\": [{\"between\": [\"d1\", \"e1\"], \"delay\": {\"law\": \"constant\","
    " \"value_ms\": 10}, \"bandwidth_Bps\": 1e6}],"
    " \"apps\": [{\"id\": \"a\", \"model\": \"m\", \"sources\": [\"d1\"], \"workload\": %s,"
    " \"qos_ms\": 100}]%s}";

/* One device streaming to its own profile fixed-device-layers; %s: the
 * model's FLOPs or layers. */
static const char one_device[] =
    "{\"tiersim_scenario\": 1, \"name\": \"p\", \"duration_s\": 1, \"policy\": {\"name\":"
    " \"all-device\"}, \"models\": [{\"id\": \"m\", \"input_bytes\": 1, \"output_bytes\": 1,"
    " %s}], \"nodes\": [{\"id\": \"d\", \"tier\": \"device\", \"cpu\": {\"cores\": 1,"
    " \"ghz\": 1}, \"accelerators\": [{\"id\": \"c\", \"profile\":"
    " \"../profiles/fixed-device-layers.json\"}]}], \"links\": [],"
    " \"apps\": [{\"id\": \"a\", \"model\": \"m\", \"sources\": [\"d\"], \"workload\":"
    " {\"type\": \"stream\", \"fps\": 1, \"frame_px\": [100, 100]}, \"qos_ms\": 1}]}";

static const char poisson[] = "{\"type\": \"poisson\", \"rate_hz\": 0.2, \"frame_px\": [100, 100]}";
static const char dev_energy[] = ", \"energy\": \"../energy/dev.json\"";
static const char edge_energy_cost[] =
    ", \"energy\": \"../energy/edge.json\", \"cost\": {\"per_s_usd\": 0.5,"
    " \"per_inference_usd\": 0.01, \"per_GB_usd\": 2, \"source\": \"round numbers\"}";

static int load_with(const char *params, const char *d1, const char *e1, const char *workload,
		     const char *tail, struct scenario **s, struct ts_error *err)
{
	char text[8192], dir[4096];

	snprintf(text, sizeof(text), base, params, d1, e1, workload, tail);
	tu_source_path(dir, sizeof(dir), "tests/data/sim/");
	return scenario_load_text(text, strlen(text), "partition.json", dir, s, err);
}

static struct scenario *load_ok(const char *params, const char *d1, const char *e1)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;

	ck_assert_msg(load_with(params, d1, e1, poisson, "", &s, &err) == 0, "%s", err.msg);
	return s;
}

/* The candidates the engine would offer with idle nodes: the device
 * (0) and e1 (1), with the layer shares of their profiles. */
static const double dev_share[] = {0, 0.1, 0.3, 0.6, 1};
static const double edge_share[] = {0, 0.25, 0.5, 0.75, 1};

static void candidates(struct policy_candidate *c)
{
	c[0] = (struct policy_candidate){.node = 0,
					 .tier = TIER_DEVICE,
					 .service_ms = 110,
					 .cpu_pre_ms = 5,
					 .accel_ms = 100,
					 .cpu_post_ms = 5,
					 .share = dev_share};
	c[1] = (struct policy_candidate){.node = 1,
					 .tier = TIER_EDGE,
					 .service_ms = 30,
					 .cpu_pre_ms = 5,
					 .accel_ms = 20,
					 .cpu_post_ms = 5,
					 .up_ms = 10,
					 .down_ms = 10,
					 .bandwidth_Bps = 1e6,
					 .share = edge_share};
}

/* Asks the policy; returns the candidate and writes the split. */
static long choose(const struct scenario *s, const struct policy_candidate *c, size_t n,
		   const double *params, size_t *split)
{
	struct policy_query q = {.scenario = s,
				 .app = 0,
				 .device = 0,
				 .cands = c,
				 .n_cands = n,
				 .params = params,
				 .split = split};

	*split = 99;
	return partition_policy.place(NULL, &q);
}

static double estimate_ms(const struct scenario *s, const struct policy_candidate *c, size_t cand,
			  size_t k)
{
	struct policy_query q = {
	    .scenario = s, .app = 0, .device = 0, .cands = c, .n_cands = 2, .params = NULL};
	struct partition_estimate e;

	ck_assert(partition_estimate(&q, cand, k, &e));
	return e.ms;
}

/* With idle nodes: the device alone 110 ms; the whole model on e1
 * 10 + 100 + 30 + 10 + 1 = 151 ms; split after layer 1: 5 + 10 | 10 +
 * 50 | 15 + 5 | 11 = 106 ms; after 2: 35 | 11 | 15 | 11 = 72 ms; after 3:
 * 65 | 12 | 10 | 11 = 98 ms.  The split after layer 2 wins. */
START_TEST(partition_hand_computed)
{
	struct scenario *s = load_ok("", "", "");
	struct policy_candidate c[2];
	double lat[] = {1, 0, 0, 0};
	size_t split;

	candidates(c);
	ck_assert_double_eq_tol(estimate_ms(s, c, 0, 0), 110, 1e-9);
	ck_assert_double_eq_tol(estimate_ms(s, c, 1, 0), 151, 1e-9);
	ck_assert_double_eq_tol(estimate_ms(s, c, 1, 1), 106, 1e-9);
	ck_assert_double_eq_tol(estimate_ms(s, c, 1, 2), 72, 1e-9);
	ck_assert_double_eq_tol(estimate_ms(s, c, 1, 3), 98, 1e-9);
	ck_assert_int_eq(choose(s, c, 2, lat, &split), 1);
	ck_assert_uint_eq(split, 2);

	/* A queue of 40 ms at e1 makes its options 40 ms longer: 112 ms
	 * for the best split, so the device alone (110 ms) wins. */
	c[1].wait_ms = 40;
	ck_assert_int_eq(choose(s, c, 2, lat, &split), 0);
	ck_assert_uint_eq(split, 0);
	scenario_free(s);
}
END_TEST

/* A link of 100 B/s makes every transfer take seconds: all on the
 * device.  A model the device needs 10^6 ms for goes whole to e1 over a
 * fast link (a split still runs its share of layers on the device). */
START_TEST(partition_extremes)
{
	struct scenario *s = load_ok("", "", "");
	struct policy_candidate c[2];
	double lat[] = {1, 0, 0, 0};
	size_t split;

	candidates(c);
	c[1].bandwidth_Bps = 100;
	ck_assert_int_eq(choose(s, c, 2, lat, &split), 0);
	ck_assert_uint_eq(split, 0);

	candidates(c);
	c[0].accel_ms = 1e6;
	c[1].bandwidth_Bps = 1e9;
	ck_assert_int_eq(choose(s, c, 2, lat, &split), 1);
	ck_assert_uint_eq(split, 0);

	/* Without a device able to run the model, no split: e1 whole. */
	ck_assert_int_eq(choose(s, c + 1, 1, lat, &split), 0);
	ck_assert_uint_eq(split, 0);
	/* ... and keeping the input on the device leaves no option. */
	ck_assert_int_eq(choose(s, c + 1, 1, (double[]){1, 0, 0, 1}, &split), -1);
	scenario_free(s);
}
END_TEST

/* keep_input forbids the whole model on e1; energy and cost weights
 * choose by joules and dollars. */
START_TEST(partition_objectives)
{
	struct scenario *s = load_ok("", dev_energy, edge_energy_cost);
	struct policy_candidate c[2];
	struct partition_estimate e;
	struct policy_query q = {.scenario = s, .device = 0, .n_cands = 2};
	size_t split;

	candidates(c);
	q.cands = c;
	/* Whole on e1 would win on latency if the device were slow. */
	c[0].accel_ms = 1e4;
	ck_assert_int_eq(choose(s, c, 2, (double[]){1, 0, 0, 0}, &split), 1);
	ck_assert_uint_eq(split, 0);
	ck_assert_int_eq(choose(s, c, 2, (double[]){1, 0, 0, 1}, &split), 1);
	ck_assert_uint_eq(split, 1);

	/* Energy, device (3 - 1 W CPU, no accelerator power, radio 1 and
	 * 2 uJ per byte sent and received) and e1 (6 - 2 W CPU, 11 - 1 W
	 * accelerator):
	 *   device alone: 2 W x 10 ms = 0.02 J;
	 *   e1 whole: 0.1 + 0.002 radio + 4 W x 10 ms + 10 W x 20 ms = 0.342 J;
	 *   split after 2: 2 W x 5 ms + 0.001 + 0.002 + 10 W x 10 ms + 4 W x
	 *   5 ms = 0.133 J. */
	candidates(c);
	q.cands = c;
	ck_assert(partition_estimate(&q, 0, 0, &e));
	ck_assert_double_eq_tol(e.J, 0.02, 1e-12);
	ck_assert(partition_estimate(&q, 1, 0, &e));
	ck_assert_double_eq_tol(e.J, 0.342, 1e-12);
	ck_assert(partition_estimate(&q, 1, 2, &e));
	ck_assert_double_eq_tol(e.J, 0.133, 1e-12);
	ck_assert_int_eq(choose(s, c, 2, (double[]){0, 1, 0, 0}, &split), 0);
	/* Cost: e1 charges 0.01 per inference, 0.5 per second of service and
	 * 2 per GB; the device nothing.  Split after 2: 0.01 + 0.5 x 0.015 +
	 * 2 x 2000 / 10^9. */
	ck_assert_double_eq_tol(e.usd, 0.0175 + 4e-6, 1e-12);
	ck_assert_int_eq(choose(s, c, 2, (double[]){0, 0, 1, 0}, &split), 0);
	/* A weighted sum: 1 per ms and 1000 per joule.  Device alone 110 +
	 * 20 = 130; the split after 2, 72 + 133 = 205; so the device. */
	ck_assert_int_eq(choose(s, c, 2, (double[]){1, 1000, 0, 0}, &split), 0);
	ck_assert_int_eq(choose(s, c, 2, (double[]){1, 100, 0, 0}, &split), 1);
	ck_assert_uint_eq(split, 2);
	scenario_free(s);
}
END_TEST

/* A drained run of rare requests, each one split after layer 2 with idle
 * nodes: a response of exactly 72 ms, and per request the device's CPU
 * 0.01 J and radio 0.003 J, e1's CPU 0.02 J (post-processing) and
 * accelerator 0.1 J (half the model); e1 charges 0.01 + 0.5 x 0.015 USD
 * for the service and 2 USD per GB of 2000 bytes. */
START_TEST(partition_run_closed_form)
{
	struct scenario *s = load_ok("", dev_energy, edge_energy_cost);
	struct sim_options opt = {.seed = s->seed, .policy = policy_find("partition")};
	struct ts_error err = {""};
	struct sim_report rep;
	char *text = NULL;
	size_t len = 0, rows = 0, split = 0;
	FILE *csv = open_memstream(&text, &len);
	double n;

	ck_assert_ptr_nonnull(csv);
	opt.requests_csv = csv;
	ck_assert_msg(sim_run(s, &opt, &rep, &err) == 0, "%s", err.msg);
	fclose(csv);
	for (char *line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
		rows++;
		split +=
		    strstr(line, ",completed,") != NULL && strstr(line, ",72000000,1,2,") != NULL;
	}
	n = rep.apps[SIM_M_COUNT];
	ck_assert_double_gt(n, 10);
	ck_assert_uint_eq(split, rows);
	ck_assert_double_eq(rep.totals[SIM_T_CREATED], (double)rows);
	ck_assert_double_eq(rep.totals[SIM_T_COMPLETED], (double)rows);
	ck_assert_double_eq_tol(rep.apps[SIM_M_MEAN], 72, 1e-9);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_CPU], n * 0.01, 1e-9);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_ACCEL], 0, 1e-9);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_RADIO], n * 0.003, 1e-9);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_COUNT_ALL + SIM_NE_CPU], n * 0.02, 1e-9);
	ck_assert_double_eq_tol(rep.node_energy[SIM_NE_COUNT_ALL + SIM_NE_ACCEL], n * 0.1, 1e-9);
	ck_assert_double_eq_tol(rep.node_cost[SIM_NC_COUNT_ALL + SIM_NC_COMPUTE], n * 0.0175, 1e-9);
	ck_assert_double_eq_tol(rep.node_cost[SIM_NC_COUNT_ALL + SIM_NC_TRANSFER], n * 4e-6, 1e-12);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_CPU], 0.03, 1e-9);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_ACCEL], 0.1, 1e-9);
	ck_assert_double_eq_tol(rep.energy[SIM_E_PR_RADIO], 0.003, 1e-9);
	sim_report_release(&rep);
	free(text);
	scenario_free(s);
}
END_TEST

/* Bad layer data and a partition policy on streams: rejected, with the
 * JSON path, the value and what was expected. */
START_TEST(partition_bad_input)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	static const char stream[] = "{\"type\": \"stream\", \"fps\": 2, \"frame_px\": [100, 100]}";
	struct sim_options opt = {.seed = 1, .policy = policy_find("partition")};
	struct sim_report rep;
	char text[4096], dir[4096];

	ck_assert_int_eq(load_with("", "", "", stream, "", &s, &err), TS_EINVALID);
	ck_assert_msg(strstr(err.msg, "$.apps[0].workload: policy \"partition\" places and may "
				      "split each request on its own; expected \"type\": "
				      "\"poisson\"") != NULL,
		      "%s", err.msg);
	ck_assert_int_eq(
	    load_with(", \"params\": {\"keep_input\": 2}", "", "", poisson, "", &s, &err),
	    TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "$.policy.params.keep_input"));

	/* The profile gives four layer times; a model of one layer.  And
	 * element_bytes belongs to layers. */
	tu_source_path(dir, sizeof(dir), "tests/data/sim/");
	snprintf(text, sizeof(text), one_device,
		 "\"layers\": [{\"type\": \"fc\", \"inputs\": 2, \"outputs\": 2}]");
	ck_assert_int_eq(scenario_load_text(text, strlen(text), "p.json", dir, &s, &err),
			 TS_EINVALID);
	ck_assert_msg(strstr(err.msg,
			     "p.json: $.nodes[0].accelerators[0].profile: profile "
			     "\"fixed-device-layers\" gives the times of 4 layers of model "
			     "\"m\", which has 1") != NULL,
		      "%s", err.msg);
	snprintf(text, sizeof(text), one_device, "\"element_bytes\": 2, \"flops\": 1");
	ck_assert_int_eq(scenario_load_text(text, strlen(text), "p.json", dir, &s, &err),
			 TS_EINVALID);
	ck_assert_msg(strstr(err.msg, "$.models[0].element_bytes: \"element_bytes\" sizes the "
				      "tensors of \"layers\"; this model has none") != NULL,
		      "%s", err.msg);

	/* A policy named on the command line is checked when the run
	 * starts. */
	snprintf(text, sizeof(text), one_device,
		 "\"layers\": [{\"type\": \"block\", \"flops\": 1, \"out_bytes\": 1},"
		 " {\"type\": \"block\", \"flops\": 1, \"out_bytes\": 1},"
		 " {\"type\": \"block\", \"flops\": 1, \"out_bytes\": 1},"
		 " {\"type\": \"block\", \"flops\": 1, \"out_bytes\": 1}]");
	ck_assert_msg(scenario_load_text(text, strlen(text), "p.json", dir, &s, &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(sim_run(s, &opt, &rep, &err), TS_EINVALID);
	ck_assert_msg(strstr(err.msg, "app \"a\" is a stream, and policy \"partition\"") != NULL,
		      "%s", err.msg);
	scenario_free(s);
}
END_TEST

/* Bad profile layer times: rejected with the file and JSON path. */
START_TEST(partition_bad_profile_layers)
{
	static const struct {
		const char *layers, *expected;
	} bad[] = {
	    {"{\"accel_ms\": [0, 0], \"source\": \"f\"}",
	     "$.tables[0].layers.accel_ms: the layers' times sum to 0"},
	    {"{\"accel_ms\": [1, -1], \"source\": \"f\"}", "$.tables[0].layers.accel_ms[1]"},
	    {"{\"accel_ms\": [], \"source\": \"f\"}", "$.tables[0].layers.accel_ms"},
	    {"{\"accel_ms\": [1], \"source\": \"nope\"}", "$.tables[0].layers.source"},
	    {"{\"accel_ms\": [1]}", "missing required key \"source\""},
	};
	char *dir = tu_make_tmpdir();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[2048], path[4200];
		struct ts_error err = {""};
		struct profile *p = NULL;
		FILE *f;

		snprintf(
		    text, sizeof(text),
		    "{\"tiersim_profile\": 1, \"id\": \"x\", \"description\": \"x\", "
		    "\"accelerator\": \"cpu\", \"sources\": {\"f\": \"fixture\"}, \"tables\": "
		    "[{\"model\": \"m\", \"points\": [{\"frame_px\": [1, 1], \"instances\": 1, "
		    "\"cpu_pre_ms\": 1, \"accel_ms\": 1, \"cpu_post_ms\": 1, \"source\": "
		    "\"f\"}], \"layers\": %s}]}",
		    bad[i].layers);
		snprintf(path, sizeof(path), "%s/p.json", dir);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(text, f);
		fclose(f);
		ck_assert_int_eq(profile_load(path, &p, &err), TS_EINVALID);
		ck_assert_msg(strstr(err.msg, bad[i].expected) != NULL, "%s: %s", bad[i].layers,
			      err.msg);
		ck_assert_ptr_null(p);
	}
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("partition");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, partition_hand_computed);
	tcase_add_test(tc, partition_extremes);
	tcase_add_test(tc, partition_objectives);
	tcase_add_test(tc, partition_run_closed_form);
	tcase_add_test(tc, partition_bad_input);
	tcase_add_test(tc, partition_bad_profile_layers);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
