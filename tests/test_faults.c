/* Simulated faults (docs/scenario.md, "faults"): each kind on a tiny
 * scenario whose outcome can be counted by hand, retries and the timeout,
 * conservation and placement around a crash under every policy, common
 * random numbers, and a broken scenario for every field. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "scenario.h"
#include "sim.h"
#include "testutil.h"

/* One device streams 2 frames per second to edge node e1 (and e2 when
 * asked) over constant 10 ms links at 10^6 B/s: uplink 10 + 10 ms,
 * service 5 + 20 + 5 ms (fixed-edge), downlink 10 + 1 ms, 61 ms in all.
 * %s: the policy and its params, e1's second accelerator, more nodes,
 * more links, the app's workload, the faults. */
static const char base[] =
    "{\"tiersim_scenario\": 1, \"name\": \"f\", \"seed\": 5, \"duration_s\": 20,"
    " \"warmup_s\": 2, \"policy\": {\"name\": \"%s\"%s},"
    " \"models\": [{\"id\": \"m\", \"input_bytes\": 10000, \"output_bytes\": 1000, \"flops\": "
    "1e6}],"
    " \"nodes\": [{\"id\": \"dev\", \"tier\": \"device\", \"cpu\": {\"cores\": 1, \"ghz\": 1},"
    " \"accelerators\": []},"
    " {\"id\": \"e1\", \"tier\": \"edge\", \"cpu\": {\"cores\": 4, \"ghz\": 2}, \"accelerators\":"
    " [{\"id\": \"gpu\", \"profile\": \"../profiles/fixed-edge.json\"}%s]}%s],"
    " \"links\": [{\"between\": [\"dev\", \"e1\"], \"delay\": {\"law\": \"constant\","
    " \"value_ms\": 10}, \"bandwidth_Bps\": 1e6}%s],"
    " \"apps\": [{\"id\": \"a\", \"model\": \"m\", \"sources\": [\"dev\"], \"workload\": %s,"
    " \"qos_ms\": 60, \"request_bytes\": 10000}]%s}";

static const char stream[] = "{\"type\": \"stream\", \"fps\": 2, \"frame_px\": [100, 100]}";
static const char second_edge_node[] =
    ", {\"id\": \"e2\", \"tier\": \"edge\", \"cpu\": {\"cores\": 4, \"ghz\": 2},"
    " \"accelerators\": [{\"id\": \"gpu\", \"profile\": \"../profiles/fixed-edge.json\"}]}";
static const char second_edge_link[] =
    ", {\"between\": [\"dev\", \"e2\"], \"delay\": {\"law\": \"constant\", \"value_ms\": 10},"
    " \"bandwidth_Bps\": 1e6}";
static const char cpu_accel[] = ", {\"id\": \"cpu\", \"profile\": \"../profiles/fixed-cpu.json\"}";

struct spec {
	const char *policy;
	const char *params; /* NULL, or ", \"params\": {...}" */
	bool two_edges, cpu_fallback;
	const char *workload;
	const char *faults; /* "" or ", \"faults\": {...}" */
};

/* A run's status and message, its report and its requests.csv rows (no
 * header). */
struct outcome {
	struct sim_report rep;
	char *csv;
	int rc;
	char msg[1024];
};

static struct scenario *load(const struct spec *sp, struct ts_error *err, int *rc)
{
	char text[8192], dir[4096];
	struct scenario *s = NULL;

	snprintf(text, sizeof(text), base, sp->policy, sp->params != NULL ? sp->params : "",
		 sp->cpu_fallback ? cpu_accel : "", sp->two_edges ? second_edge_node : "",
		 sp->two_edges ? second_edge_link : "", sp->workload, sp->faults);
	tu_source_path(dir, sizeof(dir), "tests/data/sim/");
	*rc = scenario_load_text(text, strlen(text), "faults.json", dir, &s, err);
	return s;
}

/* Runs loaded scenario s (freed here) with its seed and policy. */
static struct outcome simulate(struct scenario *s)
{
	struct outcome o = {0};
	struct ts_error err = {""};
	struct sim_options opt = {.seed = s->seed, .policy = policy_find(s->policy)};
	size_t len = 0;

	opt.requests_csv = open_memstream(&o.csv, &len);
	ck_assert_ptr_nonnull(opt.requests_csv);
	o.rc = sim_run(s, &opt, &o.rep, &err);
	fclose(opt.requests_csv);
	snprintf(o.msg, sizeof(o.msg), "%s", err.msg);
	scenario_free(s);
	return o;
}

static struct outcome run(const struct spec *sp)
{
	struct ts_error err = {""};
	int rc;
	struct scenario *s = load(sp, &err, &rc);

	ck_assert_msg(rc == 0, "%s", err.msg);
	return simulate(s);
}

static void outcome_release(struct outcome *o)
{
	sim_report_release(&o->rep);
	free(o->csv);
}

/* The row of request `id` (replication 0). */
static const char *row_of(const char *csv, uint64_t id)
{
	char key[32];
	size_t n = (size_t)snprintf(key, sizeof(key), "0,%" PRIu64 ",", id);

	for (const char *line = csv; line != NULL && *line != '\0';) {
		if (strncmp(line, key, n) == 0)
			return line;
		line = strchr(line, '\n');
		line = line == NULL ? NULL : line + 1;
	}
	ck_abort_msg("no row for request %" PRIu64, id);
	return NULL;
}

/* Field k (from 0) of a row, as text up to the next comma, into buf. */
static const char *field(const char *row, int k, char *buf, size_t size)
{
	size_t n;

	for (int i = 0; i < k; i++)
		row = strchr(row, ',') + 1;
	n = strcspn(row, ",\n");
	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), row);
	return buf;
}

static long long number(const char *row, int k)
{
	char buf[32];

	return strtoll(field(row, k, buf, sizeof(buf)), NULL, 10);
}

/* Columns of requests.csv (docs/outputs.md). */
enum {
	C_NODE = 4,
	C_STATUS = 6,
	C_REASON = 7,
	C_CREATED = 8,
	C_START = 10,
	C_RESPONSE = 15,
	C_INSTANCES = 16
};

/* Rows of each status; every request ends once: ids 0..created-1. */
static void count_rows(const char *csv, long *completed, long *failed, long *dropped,
		       long *in_flight)
{
	long rows = 0;

	*completed = *failed = *dropped = *in_flight = 0;
	for (const char *line = csv; *line != '\0'; line = strchr(line, '\n') + 1) {
		char st[32];

		(void)row_of(csv, (uint64_t)rows);
		field(line, C_STATUS, st, sizeof(st));
		*completed += strcmp(st, "completed") == 0;
		*failed += strcmp(st, "failed") == 0;
		*dropped += strcmp(st, "dropped") == 0;
		*in_flight += strcmp(st, "in_flight") == 0;
		rows++;
	}
	ck_assert_int_eq(rows, *completed + *failed + *dropped + *in_flight);
}

static double failed_total(const struct sim_report *rep)
{
	double n = 0;

	for (int f = 0; f < SIM_FAIL_COUNT; f++)
		n += rep->faults[SIM_F_FAILED_NODE_CRASH + f];
	return n;
}

/* The whole-run accounting, and the CSV agrees with it. */
static void check_accounting(const struct outcome *o)
{
	const double *t = o->rep.totals;
	long completed, failed, dropped, in_flight;

	ck_assert_double_eq(t[SIM_T_CREATED], t[SIM_T_COMPLETED] + failed_total(&o->rep) +
						  t[SIM_T_DROPPED_QUEUE_FULL] +
						  t[SIM_T_DROPPED_NO_NODE] + t[SIM_T_IN_FLIGHT]);
	count_rows(o->csv, &completed, &failed, &dropped, &in_flight);
	ck_assert_double_eq(completed, t[SIM_T_COMPLETED]);
	ck_assert_double_eq(failed, failed_total(&o->rep));
	ck_assert_double_eq(dropped, t[SIM_T_DROPPED_QUEUE_FULL] + t[SIM_T_DROPPED_NO_NODE]);
	ck_assert_double_eq(in_flight, t[SIM_T_IN_FLIGHT]);
}

/* When request 10 is created, in ns: the stream's phase (request 0's
 * creation, in a run without faults) + 10 periods.  Faults do not move
 * it: arrivals have their own random stream. */
static long long request10_ns(const struct spec *sp)
{
	struct spec plain = *sp;
	struct outcome o;
	long long t;

	plain.faults = "";
	o = run(&plain);
	ck_assert_int_eq(o.rc, 0);
	t = number(row_of(o.csv, 0), C_CREATED);
	outcome_release(&o);
	return t + 5000000000LL;
}

/* Request 10 is created at c10 = phase + 5 s; e1 crashes 30 ms later,
 * while it is in service (20 ms to 50 ms), and is back 1 s after that.
 * Without a second node or a retry: request 10 fails (node_crash), the
 * frames created while e1 is down (11 and 12) are dropped (no_node), and
 * e1 is up 17 s of the 18 s measured. */
START_TEST(faults_crash_loses_what_it_holds)
{
	struct spec sp = {.policy = "all-edge", .workload = stream};
	char faults[256], buf[32];
	long long c10 = request10_ns(&sp);
	struct outcome o;

	snprintf(faults, sizeof(faults),
		 ", \"faults\": {\"nodes\": [{\"node\": \"e1\", \"at_s\": %.9f, \"down_s\": 1}]}",
		 (double)(c10 + 30000000) / 1e9);
	sp.faults = faults;
	o = run(&sp);
	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_eq(o.rep.faults[SIM_F_NODE_CRASHES], 1);
	ck_assert_double_eq(o.rep.faults[SIM_F_NODE_RECOVERIES], 1);
	ck_assert_double_eq(o.rep.faults[SIM_F_FAILED_NODE_CRASH], 1);
	ck_assert_double_eq(failed_total(&o.rep), 1);
	ck_assert_double_eq(o.rep.faults[SIM_F_RETRIED], 0);
	ck_assert_double_eq(o.rep.totals[SIM_T_DROPPED_NO_NODE], 2);
	ck_assert_str_eq(field(row_of(o.csv, 10), C_STATUS, buf, sizeof(buf)), "failed");
	ck_assert_str_eq(field(row_of(o.csv, 10), C_REASON, buf, sizeof(buf)), "node_crash");
	ck_assert_str_eq(field(row_of(o.csv, 11), C_REASON, buf, sizeof(buf)), "no_node");
	ck_assert_str_eq(field(row_of(o.csv, 12), C_REASON, buf, sizeof(buf)), "no_node");
	ck_assert_str_eq(field(row_of(o.csv, 13), C_STATUS, buf, sizeof(buf)), "completed");
	ck_assert_double_eq_tol(o.rep.availability[1], 1 - 1.0 / 18, 1e-12);
	ck_assert_double_eq(o.rep.availability[0], 1);
	outcome_release(&o);
}
END_TEST

/* The same crash with e2 beside e1 and one retry: request 10 is sent
 * again at the crash and served on e2, 30 ms + 61 ms after its creation;
 * the stream moves to e2, nothing is lost.  With a timeout of 20 ms the
 * request, 30 ms old when caught, fails (timeout) instead; with 100 ms it
 * is retried. */
START_TEST(faults_crash_retries_elsewhere)
{
	static const char *const retry[] = {"{\"max_retries\": 1}",
					    "{\"max_retries\": 1, \"timeout_ms\": 100}",
					    "{\"max_retries\": 1, \"timeout_ms\": 20}"};
	struct spec sp = {.policy = "all-edge", .two_edges = true, .workload = stream};
	char faults[512], buf[32];
	long long c10 = request10_ns(&sp);
	bool timed_out = _i == 2;
	struct outcome o;

	snprintf(faults, sizeof(faults),
		 ", \"faults\": {\"retry\": %s, \"nodes\": [{\"node\": \"e1\", \"at_s\": %.9f,"
		 " \"down_s\": 1}]}",
		 retry[_i], (double)(c10 + 30000000) / 1e9);
	sp.faults = faults;
	o = run(&sp);
	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_eq(o.rep.faults[SIM_F_STREAMS_MOVED], 1);
	ck_assert_double_eq(o.rep.totals[SIM_T_DROPPED_NO_NODE], 0);
	ck_assert_double_eq(o.rep.faults[SIM_F_RETRIED], timed_out ? 0 : 1);
	ck_assert_double_eq(o.rep.faults[SIM_F_FAILED_TIMEOUT], timed_out ? 1 : 0);
	ck_assert_double_eq(failed_total(&o.rep), timed_out ? 1 : 0);
	if (timed_out) {
		ck_assert_str_eq(field(row_of(o.csv, 10), C_REASON, buf, sizeof(buf)), "timeout");
	} else {
		ck_assert_str_eq(field(row_of(o.csv, 10), C_NODE, buf, sizeof(buf)), "e2");
		ck_assert_int_eq(number(row_of(o.csv, 10), C_RESPONSE), 91000000);
	}
	/* Frames created while e1 is down go to e2. */
	ck_assert_str_eq(field(row_of(o.csv, 11), C_NODE, buf, sizeof(buf)), "e2");
	ck_assert_int_eq(number(row_of(o.csv, 11), C_RESPONSE), 61000000);
	outcome_release(&o);
}
END_TEST

/* A stream that has ended still has requests on their way to e1 when it
 * crashes (a degradation makes each uplink 2.01 s): each is caught when it
 * arrives, 0.5 s after the one before, and sent to e2.  The stream's
 * instance on e2 closes between them, so each needs one of its own: every
 * one is served with one active instance, none on a closed one. */
START_TEST(faults_retry_after_the_stream_ended)
{
	struct spec sp = {
	    .policy = "all-edge",
	    .two_edges = true,
	    .workload = "{\"type\": \"stream\", \"fps\": 2, \"frame_px\": [100, 100],"
			" \"duration_s\": 3}",
	    .faults = ", \"faults\": {\"retry\": {\"max_retries\": 1}, \"nodes\": [{\"node\":"
		      " \"e1\", \"at_s\": 3.2}], \"links\": [{\"between\": [\"dev\", \"e1\"],"
		      " \"from_s\": 0, \"to_s\": 3.1, \"bandwidth_Bps\": 5e3}]}"};
	struct outcome o = run(&sp);
	long on_e2 = 0;
	char buf[32];

	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_ge(o.rep.faults[SIM_F_RETRIED], 2);
	for (const char *line = o.csv; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (strcmp(field(line, C_NODE, buf, sizeof(buf)), "e2") != 0)
			continue;
		on_e2++;
		ck_assert_str_eq(field(line, C_STATUS, buf, sizeof(buf)), "completed");
		ck_assert_str_eq(field(line, C_INSTANCES, buf, sizeof(buf)), "1");
	}
	ck_assert_int_eq(on_e2, (long)o.rep.faults[SIM_F_RETRIED]);
	outcome_release(&o);
}
END_TEST

/* Link dev~e1 is out from c10 + 5 ms to c10 + 505 ms: request 10, in its
 * uplink (0 to 20 ms), fails (link_down); frame 11, created at c10 +
 * 500 ms, finds no usable route (no_node); frame 12 goes through.  A
 * degradation window around c10 (delay 50 ms, 5 * 10^5 B/s) makes
 * request 10's uplink 50 + 20 ms, its response 70 + 30 + 11 ms; its
 * downlink starts after the window. */
START_TEST(faults_link_outage_and_degradation)
{
	struct spec sp = {.policy = "all-edge", .workload = stream};
	char faults[512], buf[32];
	long long c10 = request10_ns(&sp);
	struct outcome o;

	snprintf(faults, sizeof(faults),
		 ", \"faults\": {\"links\": [{\"between\": [\"e1\", \"dev\"], \"from_s\": %.9f,"
		 " \"to_s\": %.9f, \"outage\": true}]}",
		 (double)(c10 + 5000000) / 1e9, (double)(c10 + 505000000) / 1e9);
	sp.faults = faults;
	o = run(&sp);
	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_eq(o.rep.faults[SIM_F_LINK_OUTAGES], 1);
	ck_assert_double_eq(o.rep.faults[SIM_F_FAILED_LINK_DOWN], 1);
	ck_assert_double_eq(o.rep.totals[SIM_T_DROPPED_NO_NODE], 1);
	ck_assert_str_eq(field(row_of(o.csv, 10), C_REASON, buf, sizeof(buf)), "link_down");
	ck_assert_str_eq(field(row_of(o.csv, 11), C_REASON, buf, sizeof(buf)), "no_node");
	ck_assert_int_eq(number(row_of(o.csv, 12), C_RESPONSE), 61000000);
	outcome_release(&o);

	snprintf(faults, sizeof(faults),
		 ", \"faults\": {\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": %.9f,"
		 " \"to_s\": %.9f, \"delay\": {\"law\": \"constant\", \"value_ms\": 50},"
		 " \"bandwidth_Bps\": 5e5}]}",
		 (double)(c10 - 1000000) / 1e9, (double)(c10 + 1000000) / 1e9);
	o = run(&sp);
	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_eq(o.rep.faults[SIM_F_LINK_DEGRADATIONS], 1);
	ck_assert_double_eq(failed_total(&o.rep), 0);
	ck_assert_int_eq(number(row_of(o.csv, 10), C_RESPONSE), 111000000);
	ck_assert_int_eq(number(row_of(o.csv, 9), C_RESPONSE), 61000000);
	ck_assert_int_eq(number(row_of(o.csv, 11), C_RESPONSE), 61000000);
	outcome_release(&o);
}
END_TEST

/* e1's GPU is lost at c10 + 30 ms, with request 10 in service on it.
 * With the CPU profile beside it (10 + 80 + 10 ms) and one retry,
 * request 10 is sent again and served on the CPU: 30 + 20 + 100 + 11 ms;
 * later frames take 20 + 100 + 11 ms.  Without it, request 10 fails
 * (accelerator_lost) and e1 can no longer serve: frames 11-39 are
 * dropped (no_node). */
START_TEST(faults_accelerator_falls_back_to_cpu)
{
	struct spec sp = {.policy = "all-edge", .workload = stream, .cpu_fallback = _i == 0};
	char faults[512], buf[32];
	long long c10 = request10_ns(&sp);
	struct outcome o;

	snprintf(faults, sizeof(faults),
		 ", \"faults\": {\"retry\": {\"max_retries\": %d}, \"accelerators\": [{\"node\":"
		 " \"e1\", \"accelerator\": \"gpu\", \"at_s\": %.9f}]}",
		 _i == 0 ? 1 : 0, (double)(c10 + 30000000) / 1e9);
	sp.faults = faults;
	o = run(&sp);
	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_eq(o.rep.faults[SIM_F_ACCEL_LOSSES], 1);
	if (_i == 0) {
		ck_assert_double_eq(failed_total(&o.rep), 0);
		ck_assert_double_eq(o.rep.faults[SIM_F_RETRIED], 1);
		ck_assert_int_eq(number(row_of(o.csv, 10), C_RESPONSE), 161000000);
		ck_assert_int_eq(number(row_of(o.csv, 11), C_RESPONSE), 131000000);
		ck_assert_int_eq(number(row_of(o.csv, 9), C_RESPONSE), 61000000);
	} else {
		ck_assert_double_eq(o.rep.faults[SIM_F_FAILED_ACCEL_LOST], 1);
		ck_assert_str_eq(field(row_of(o.csv, 10), C_REASON, buf, sizeof(buf)),
				 "accelerator_lost");
		ck_assert_double_eq(o.rep.totals[SIM_T_DROPPED_NO_NODE], 29);
	}
	outcome_release(&o);
}
END_TEST

/* Under every online policy, a Poisson app over two edge nodes with
 * random crashes of e1 (mean 2 s up, 1 s down) and one retry: the
 * accounting adds up, and no request starts service on e1 while it is
 * down.  The crash times, from their own random stream, are the same for
 * every policy. */
static const char poisson[] = "{\"type\": \"poisson\", \"rate_hz\": 20, \"frame_px\": [100, 100]}";
static const char random_crashes[] =
    ", \"faults\": {\"retry\": {\"max_retries\": 1}, \"nodes\": [{\"node\": \"e1\","
    " \"mtbf_s\": 2, \"mttr_s\": 1}]}";

START_TEST(faults_policies_avoid_down_nodes)
{
	struct spec ref = {.policy = "round-robin",
			   .two_edges = true,
			   .workload = poisson,
			   .faults = random_crashes};
	struct outcome r = run(&ref);

	ck_assert_int_eq(r.rc, 0);
	ck_assert_double_ge(r.rep.faults[SIM_F_NODE_CRASHES], 2);
	ck_assert_double_lt(r.rep.availability[1], 1);
	for (size_t k = 0; policy_registry[k] != NULL; k++) {
		struct spec sp = ref;
		struct outcome o;

		if (policy_registry[k]->place == NULL)
			continue;
		sp.policy = policy_registry[k]->name;
		o = run(&sp);
		ck_assert_msg(o.rc == 0, "%s: %s", sp.policy, o.msg);
		check_accounting(&o);
		ck_assert_double_eq(o.rep.faults[SIM_F_NODE_CRASHES],
				    r.rep.faults[SIM_F_NODE_CRASHES]);
		ck_assert_double_eq(o.rep.availability[1], r.rep.availability[1]);
		/* Service on e1 never overlaps a down period: its
		 * utilisation is at most its availability. */
		ck_assert_double_le(o.rep.nodes[1 * SIM_M_COUNT_ALL + SIM_M_UTILISATION],
				    o.rep.availability[1]);
		outcome_release(&o);
	}
	outcome_release(&r);
}
END_TEST

/* Service starts on e1 only while it is up: from the CSV, with the crash
 * times of a fixed schedule. */
START_TEST(faults_no_service_on_a_down_node)
{
	struct spec sp = {.policy = "least-loaded",
			  .two_edges = true,
			  .workload = poisson,
			  .faults = ", \"faults\": {\"retry\": {\"max_retries\": 2}, \"nodes\": ["
				    "{\"node\": \"e1\", \"at_s\": 4, \"down_s\": 3},"
				    "{\"node\": \"e1\", \"at_s\": 6, \"down_s\": 4},"
				    "{\"node\": \"e2\", \"at_s\": 12, \"down_s\": 1}]}"};
	struct outcome o = run(&sp);
	long on_e1 = 0;

	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	/* Overlapping crashes of e1 make one down period, 4 s to 10 s. */
	ck_assert_double_eq(o.rep.faults[SIM_F_NODE_CRASHES], 2);
	ck_assert_double_eq_tol(o.rep.availability[1], 1 - 6.0 / 18, 1e-12);
	ck_assert_double_eq_tol(o.rep.availability[2], 1 - 1.0 / 18, 1e-12);
	for (const char *line = o.csv; *line != '\0'; line = strchr(line, '\n') + 1) {
		char node[16];
		long long start = number(line, C_START);

		field(line, C_NODE, node, sizeof(node));
		if (strcmp(node, "e1") != 0 || field(line, C_START, node, sizeof(node))[0] == '\0')
			continue;
		on_e1++;
		ck_assert_msg(start < 4000000000LL || start >= 10000000000LL,
			      "service on e1 at %lld ns, while it was down", start);
	}
	ck_assert_int_gt(on_e1, 0);
	outcome_release(&o);
}
END_TEST

/* Health probes every 100 ms over the one link: 200 in 20 s, but none
 * while the link is out from 5 s to 7 s (the window starts before the
 * probe due at 5 s and ends before the one due at 7 s): 180. */
START_TEST(faults_no_probe_over_a_link_out)
{
	struct spec sp = {.policy = "health-threshold",
			  .params = ", \"params\": {\"probe_period_ms\": 100}",
			  .workload = stream,
			  .faults = ""};
	struct outcome o = run(&sp);

	ck_assert_msg(o.rc == 0, "%s", o.msg);
	ck_assert_double_eq(o.rep.health[SIM_H_PROBES], 200);
	outcome_release(&o);
	sp.faults = ", \"faults\": {\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 5,"
		    " \"to_s\": 7, \"outage\": true}]}";
	o = run(&sp);
	ck_assert_msg(o.rc == 0, "%s", o.msg);
	check_accounting(&o);
	ck_assert_double_eq(o.rep.health[SIM_H_PROBES], 180);
	outcome_release(&o);
}
END_TEST

/* tests/data/sim/faults.json has every kind of fault: each happens, the
 * accounting adds up, and a second run gives the same bytes. */
static struct outcome run_file(const char *rel)
{
	struct ts_error err = {""};
	struct scenario *s = NULL;
	char path[4096];

	tu_source_path(path, sizeof(path), rel);
	ck_assert_msg(scenario_load(path, &s, &err) == 0, "%s", err.msg);
	return simulate(s);
}

START_TEST(faults_every_kind_repeats_exactly)
{
	struct outcome a = run_file("tests/data/sim/faults.json");
	struct outcome b = run_file("tests/data/sim/faults.json");

	ck_assert_msg(a.rc == 0, "%s", a.msg);
	ck_assert_int_eq(b.rc, 0);
	check_accounting(&a);
	ck_assert_double_ge(a.rep.faults[SIM_F_NODE_CRASHES], 2);
	ck_assert_double_eq(a.rep.faults[SIM_F_LINK_OUTAGES], 1);
	ck_assert_double_eq(a.rep.faults[SIM_F_LINK_DEGRADATIONS], 1);
	ck_assert_double_eq(a.rep.faults[SIM_F_ACCEL_LOSSES], 1);
	ck_assert_str_eq(a.csv, b.csv);
	for (int k = 0; k < SIM_F_COUNT_ALL; k++)
		ck_assert_double_eq(a.rep.faults[k], b.rep.faults[k]);
	outcome_release(&a);
	outcome_release(&b);
}
END_TEST

/* ---- broken "faults" sections: the JSON path and what was expected ---- */

struct broken_fault {
	const char *faults;
	const char *path, *phrase;
};

static const struct broken_fault broken[] = {
    {"[]", "$.faults", "expected an object"},
    {"{\"crashes\": []}", "$.faults", "unknown key \"crashes\""},
    {"{\"retry\": {\"max_retries\": -1}}", "$.faults.retry.max_retries",
     "expected a whole number in [0, 100]"},
    {"{\"retry\": {\"max_retries\": 1.5}}", "$.faults.retry.max_retries",
     "expected a whole number in [0, 100]"},
    {"{\"retry\": {\"timeout_ms\": -5}}", "$.faults.retry.timeout_ms", "expected a number"},
    {"{\"retry\": {\"tries\": 2}}", "$.faults.retry", "unknown key \"tries\""},
    {"{\"nodes\": {}}", "$.faults.nodes", "expected an array"},
    {"{\"nodes\": [{\"at_s\": 1}]}", "$.faults.nodes[0]", "missing required key \"node\""},
    {"{\"nodes\": [{\"node\": \"x\", \"at_s\": 1}]}", "$.faults.nodes[0].node",
     "unknown node \"x\""},
    {"{\"nodes\": [{\"node\": \"dev\", \"at_s\": 1}]}", "$.faults.nodes[0].node",
     "expected an edge or cloud node, got device \"dev\""},
    {"{\"nodes\": [{\"node\": \"e1\"}]}", "$.faults.nodes[0]", "mttr_s), got neither"},
    {"{\"nodes\": [{\"node\": \"e1\", \"at_s\": 1, \"mtbf_s\": 5, \"mttr_s\": 1}]}",
     "$.faults.nodes[0]", "mttr_s), got both"},
    {"{\"nodes\": [{\"node\": \"e1\", \"at_s\": -1}]}", "$.faults.nodes[0].at_s",
     "expected a number in [0, "},
    {"{\"nodes\": [{\"node\": \"e1\", \"at_s\": 1, \"down_s\": 0}]}", "$.faults.nodes[0].down_s",
     "expected a number in ["},
    {"{\"nodes\": [{\"node\": \"e1\", \"at_s\": 1, \"mttr_s\": 2}]}", "$.faults.nodes[0].mttr_s",
     "mttr_s belongs to random crashes"},
    {"{\"nodes\": [{\"node\": \"e1\", \"mtbf_s\": 5}]}", "$.faults.nodes[0]",
     "missing required key \"mttr_s\""},
    {"{\"nodes\": [{\"node\": \"e1\", \"mtbf_s\": 0, \"mttr_s\": 1}]}", "$.faults.nodes[0].mtbf_s",
     "expected a number in ["},
    {"{\"nodes\": [{\"node\": \"e1\", \"mtbf_s\": 5, \"mttr_s\": 1, \"down_s\": 1}]}",
     "$.faults.nodes[0].down_s", "down_s belongs to a crash at a fixed time"},
    {"{\"nodes\": [{\"node\": \"e1\", \"at_s\": \"1\"}]}", "$.faults.nodes[0].at_s", "got \"1\""},
    {"{\"links\": [{\"between\": [\"dev\"], \"from_s\": 1, \"to_s\": 2, \"outage\": true}]}",
     "$.faults.links[0].between", "at least 2"},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\", \"e1\"], \"from_s\": 1, \"to_s\": 2,"
     " \"outage\": true}]}",
     "$.faults.links[0].between", "expected exactly 2 node ids, got 3"},
    {"{\"links\": [{\"between\": [\"dev\", \"nowhere\"], \"from_s\": 1, \"to_s\": 2,"
     " \"outage\": true}]}",
     "$.faults.links[0].between[1]", "unknown node \"nowhere\""},
    {"{\"links\": [{\"between\": [\"dev\", \"dev\"], \"from_s\": 1, \"to_s\": 2,"
     " \"outage\": true}]}",
     "$.faults.links[0].between", "no link joins \"dev\" and \"dev\""},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"to_s\": 2, \"outage\": true}]}",
     "$.faults.links[0]", "missing required key \"from_s\""},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 2, \"to_s\": 2,"
     " \"outage\": true}]}",
     "$.faults.links[0].to_s", "to_s (2) must be after from_s (2)"},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 2}]}",
     "$.faults.links[0]", "got neither"},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 2,"
     " \"outage\": true, \"bandwidth_Bps\": 10}]}",
     "$.faults.links[0]", "bandwidth_Bps), got both"},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 2,"
     " \"outage\": \"yes\"}]}",
     "$.faults.links[0].outage", "expected true or false"},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 2,"
     " \"bandwidth_Bps\": 0}]}",
     "$.faults.links[0].bandwidth_Bps", "expected a number in [1, "},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 2,"
     " \"delay\": {\"law\": \"levy\"}}]}",
     "$.faults.links[0].delay.law", "got \"levy\""},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 3,"
     " \"outage\": true}, {\"between\": [\"e1\", \"dev\"], \"from_s\": 2, \"to_s\": 4,"
     " \"bandwidth_Bps\": 10}]}",
     "$.faults.links[1]", "windows of link dev~e1 overlap"},
    {"{\"links\": [{\"between\": [\"dev\", \"e1\"], \"from_s\": 1, \"to_s\": 3,"
     " \"outage\": true, \"colour\": 1}]}",
     "$.faults.links[0]", "unknown key \"colour\""},
    {"{\"accelerators\": [{\"node\": \"e1\", \"accelerator\": \"tpu\", \"at_s\": 1}]}",
     "$.faults.accelerators[0].accelerator", "node \"e1\" has no accelerator \"tpu\""},
    {"{\"accelerators\": [{\"node\": \"e1\", \"accelerator\": \"gpu\"}]}",
     "$.faults.accelerators[0]", "missing required key \"at_s\""},
    {"{\"accelerators\": [{\"node\": \"dev\", \"accelerator\": \"gpu\", \"at_s\": 1}]}",
     "$.faults.accelerators[0].node", "expected an edge or cloud node"},
    {"{\"accelerators\": [{\"node\": \"e1\", \"accelerator\": 3, \"at_s\": 1}]}",
     "$.faults.accelerators[0].accelerator", "expected a non-empty string"},
};

START_TEST(faults_broken_sections)
{
	const struct broken_fault *b = &broken[_i];
	char faults[1024], where[256];
	struct spec sp = {.policy = "all-edge", .workload = stream, .faults = faults};
	struct ts_error err = {""};
	struct scenario *s;
	int rc;

	snprintf(faults, sizeof(faults), ", \"faults\": %s", b->faults);
	s = load(&sp, &err, &rc);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(rc, TS_EINVALID);
	snprintf(where, sizeof(where), "faults.json: %s: ", b->path);
	ck_assert_msg(strstr(err.msg, where) != NULL, "row %d: no \"%s\" in: %s", _i, where,
		      err.msg);
	ck_assert_msg(strstr(err.msg, b->phrase) != NULL, "row %d: no \"%s\" in: %s", _i, b->phrase,
		      err.msg);
}
END_TEST

/* A job set has no faults to simulate. */
START_TEST(faults_not_in_job_sets)
{
	static const char text[] =
	    "{\"tiersim_scenario\": 1, \"name\": \"j\", \"policy\": {\"name\": \"all-cloud\"},"
	    " \"faults\": {}, \"jobs\": [{\"id\": \"j1\", \"processing_tu\": {\"device\": 1,"
	    " \"edge\": 1, \"cloud\": 1}, \"upload_tu\": {\"edge\": 1, \"cloud\": 1}}]}";
	struct scenario *s = NULL;
	struct ts_error err = {""};
	int rc = scenario_load_text(text, strlen(text), "j.json", "", &s, &err);

	ck_assert_int_eq(rc, TS_EINVALID);
	ck_assert_msg(strstr(err.msg, "j.json: $.faults: \"faults\" belongs to scenarios with "
				      "\"apps\"") != NULL,
		      "%s", err.msg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, faults_crash_loses_what_it_holds);
	tcase_add_test(tc, faults_retry_after_the_stream_ended);
	tcase_add_loop_test(tc, faults_crash_retries_elsewhere, 0, 3);
	tcase_add_test(tc, faults_link_outage_and_degradation);
	tcase_add_loop_test(tc, faults_accelerator_falls_back_to_cpu, 0, 2);
	tcase_add_test(tc, faults_policies_avoid_down_nodes);
	tcase_add_test(tc, faults_no_service_on_a_down_node);
	tcase_add_test(tc, faults_every_kind_repeats_exactly);
	tcase_add_test(tc, faults_no_probe_over_a_link_out);
	tcase_add_loop_test(tc, faults_broken_sections, 0, (int)(sizeof(broken) / sizeof(*broken)));
	tcase_add_test(tc, faults_not_in_job_sets);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
