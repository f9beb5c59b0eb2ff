/* End-to-end runs: the request lifecycle on hand-computed cases,
 * conservation, determinism, common random numbers, the golden summary
 * of the default scenario, and request traces (--trace). */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "run.h"
#include "scenario.h"
#include "sim.h"
#include "testutil.h"

/* Runs a scenario from the source tree into dir; returns the status. */
static int run_into(const char *scenario, const char *dir, const char *policy, uint64_t seed,
		    bool has_seed, unsigned replications, bool csv, struct ts_error *err)
{
	char path[4096];
	struct run_config cfg = {
	    .scenario_path = path,
	    .out_dir = dir,
	    .has_seed = has_seed,
	    .seed = seed,
	    .replications = replications,
	    .policy = policy,
	    .requests_csv = csv,
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

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return tu_read_file(p, NULL);
}

/* Counts of each status in a requests.csv and the checks every row must
 * pass: stage times in order and a response equal to their span. */
struct csv_counts {
	long rows, completed, dropped, in_flight;
	long long min_response, max_response;
};

static struct csv_counts check_csv(const char *csv)
{
	struct csv_counts c = {.min_response = -1};
	const char *line = strchr(csv, '\n') + 1;

	for (; *line != '\0'; line = strchr(line, '\n') + 1) {
		char status[32], rest[512];
		long long t[7], response = -1;
		const char *p = line;
		int field = 0;

		for (; field < 6; p++)
			if (*p == ',')
				field++;
		ck_assert_int_eq(sscanf(p, "%31[^,],%511[^\n]", status, rest), 2);
		c.rows++;
		/* rest: reason,created,uplink,start,pre,accel,post,downlink,response,
		 * instances */
		p = strchr(p, ',') + 1;
		p = strchr(p, ',') + 1;
		for (int i = 0; i < 7; i++) {
			t[i] = *p == ',' ? -1 : strtoll(p, NULL, 10);
			p = strchr(p, ',') + 1;
		}
		if (*p != ',')
			response = strtoll(p, NULL, 10);
		p = strchr(p, ',') + 1;
		/* The instance count the profile was read at: one at least
		 * once service started, empty before. */
		if (t[2] >= 0)
			ck_assert_int_ge(strtol(p, NULL, 10), 1);
		else
			ck_assert_int_eq(*p, ',');
		/* A split request's first part ended after its creation and
		 * before the rest reached its node. */
		p = strchr(p, ',') + 1;
		if (*p == ',') {
			ck_assert_int_eq(p[1], '\n');
		} else {
			const char *h = strchr(p, ',') + 1;
			long long head = strtoll(h, NULL, 10);

			ck_assert_int_ge(strtol(p, NULL, 10), 1);
			/* Empty while the first part has not ended. */
			if (*h == '\n')
				ck_assert_int_lt(t[6], 0);
			ck_assert(*h == '\n' || head >= t[0]);
			ck_assert(*h == '\n' || t[1] < 0 || t[1] >= head);
		}
		ck_assert_int_ge(t[0], 0);
		for (int i = 1; i < 7; i++)
			if (t[i] >= 0)
				ck_assert_int_ge(t[i], t[i - 1]);
		if (strcmp(status, "completed") == 0) {
			c.completed++;
			ck_assert_int_eq(response, t[6] - t[0]);
			if (c.min_response < 0 || response < c.min_response)
				c.min_response = response;
			if (response > c.max_response)
				c.max_response = response;
		} else if (strcmp(status, "dropped") == 0) {
			c.dropped++;
		} else {
			ck_assert_str_eq(status, "in_flight");
			c.in_flight++;
		}
	}
	return c;
}

static double summary_number(const char *summary, const char *key)
{
	const char *p = strstr(summary, key);

	ck_assert_msg(p != NULL, "no %s in summary", key);
	return strtod(strchr(p, ':') + 1, NULL);
}

START_TEST(sim_lifecycle_hand_computed)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *csv, *summary;
	struct csv_counts c;

	ck_assert_int_eq(
	    run_into("tests/data/sim/lifecycle.json", dir, NULL, 0, false, 1, true, &err), 0);
	csv = file_in(dir, "requests.csv");
	summary = file_in(dir, "summary.json");
	c = check_csv(csv);
	/* 2 fps for 20 s; uplink 10 ms + 10000 B at 1e6 B/s, service 5 + 20 + 5,
	 * downlink 10 ms + 1000 B: 61 ms, every time. */
	ck_assert_int_eq(c.rows, 40);
	/* The last frame may still be on its way back at the end. */
	ck_assert_int_eq(c.completed + c.in_flight, 40);
	ck_assert_int_le(c.in_flight, 1);
	ck_assert_int_eq(c.min_response, 61000000);
	ck_assert_int_eq(c.max_response, 61000000);
	ck_assert_double_eq_tol(summary_number(summary, "\"p99_ms\""), 61, 1e-9);
	ck_assert_double_eq_tol(summary_number(summary, "\"mean_ms\""), 61, 1e-9);
	/* QoS 60 ms: every measured request misses. */
	ck_assert_double_eq_tol(summary_number(summary, "\"deadline_miss_ratio\""), 1, 1e-12);
	/* Frames created in [2 s, 20 s): 36 of the 40, less one still in
	 * flight. */
	ck_assert_double_eq_tol(summary_number(summary, "\"count\""), 36 - (double)c.in_flight,
				1e-12);
	free(csv);
	free(summary);
	tu_remove_tmpdir(dir);
}
END_TEST

/* With "drain" the run goes on after duration_s until the last request
 * is back: every one of the 40 frames completes, none is in flight, and
 * throughput counts the measured ones over [warmup, the last completion). */
START_TEST(sim_drain_completes_every_request)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *csv, *summary;
	struct csv_counts c;
	double last_created_s;

	ck_assert_int_eq(
	    run_into("tests/data/sim/lifecycle-drain.json", dir, NULL, 0, false, 1, true, &err), 0);
	csv = file_in(dir, "requests.csv");
	summary = file_in(dir, "summary.json");
	c = check_csv(csv);
	ck_assert_int_eq(c.rows, 40);
	ck_assert_int_eq(c.completed, 40);
	ck_assert_double_eq_tol(summary_number(summary, "\"in_flight\""), 0, 1e-12);
	ck_assert_double_eq_tol(summary_number(summary, "\"count\""), 36, 1e-12);
	/* The last frame is created in [19.5, 20) s and back 61 ms later. */
	last_created_s = 36 / (summary_number(summary, "\"throughput_rps\"")) + 2 - 0.061;
	ck_assert_double_ge(last_created_s, 19.5);
	ck_assert_double_lt(last_created_s, 20);
	free(csv);
	free(summary);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Field `k` (from 0) of a CSV line, as a number. */
static long long csv_field(const char *line, int k)
{
	for (int i = 0; i < k; i++)
		line = strchr(line, ',') + 1;
	return strtoll(line, NULL, 10);
}

/* A frame is served at the size its app had when it was created:
 * 30 ms of service before 2 s and from 4 s, 60 ms in between. */
START_TEST(sim_frame_size_changes)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *csv;
	long n[3] = {0};

	ck_assert_int_eq(
	    run_into("tests/data/sim/frame-changes.json", dir, NULL, 0, false, 1, true, &err), 0);
	csv = file_in(dir, "requests.csv");
	for (const char *line = strchr(csv, '\n') + 1; *line != '\0';
	     line = strchr(line, '\n') + 1) {
		long long created = csv_field(line, 8), start = csv_field(line, 10);
		long long post = csv_field(line, 13);
		int band = created < 2000000000 ? 0 : created < 4000000000 ? 1 : 2;

		if (post == 0)
			continue;
		ck_assert_msg(post - start == (band == 1 ? 60000000 : 30000000),
			      "frame created at %lld ns served in %lld ns", created, post - start);
		n[band]++;
	}
	/* 5 fps: 10 frames in each band (the last may be unfinished). */
	ck_assert_int_eq(n[0], 10);
	ck_assert_int_eq(n[1], 10);
	ck_assert_int_ge(n[2], 9);
	free(csv);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Source k of an app starts at start_s + k x stagger_s and sends until
 * the app stops: 2 fps from 1, 5 and 9 s to 12 s, and the fourth source,
 * due at 13 s, never. */
START_TEST(sim_stagger_starts_sources_one_by_one)
{
	static const char *const devices[] = {"d0", "d1", "d2", "d3"};
	static const long want[] = {22, 14, 6, 0};
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	long n[4] = {0};
	long long first[4] = {0};
	char *csv;

	ck_assert_int_eq(
	    run_into("tests/data/sim/stagger.json", dir, NULL, 0, false, 1, true, &err), 0);
	csv = file_in(dir, "requests.csv");
	for (const char *line = strchr(csv, '\n') + 1; *line != '\0';
	     line = strchr(line, '\n') + 1) {
		char source[16];
		long long created = csv_field(line, 8);
		int k = 0;

		ck_assert_int_eq(sscanf(line, "%*[^,],%*[^,],%*[^,],%15[^,]", source), 1);
		while (k < 3 && strcmp(source, devices[k]) != 0)
			k++;
		ck_assert_str_eq(source, devices[k]);
		ck_assert_int_lt(created, 12000000000LL);
		if (n[k]++ == 0 || created < first[k])
			first[k] = created;
	}
	for (int k = 0; k < 4; k++)
		ck_assert_int_eq(n[k], want[k]);
	/* Each starts within its first period (0.5 s) after its start. */
	for (int k = 0; k < 3; k++) {
		ck_assert_int_ge(first[k], (1 + 4 * k) * 1000000000LL);
		ck_assert_int_lt(first[k], (1 + 4 * k) * 1000000000LL + 500000000LL);
	}
	free(csv);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Each direction of a link takes its own law: 10 ms from between[0] to
 * between[1], 30 ms back, whichever end the device is. */
START_TEST(sim_delay_reverse_direction)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *csv;
	long completed[2] = {0, 0};

	ck_assert_int_eq(
	    run_into("tests/data/sim/reverse.json", dir, NULL, 0, false, 1, true, &err), 0);
	csv = file_in(dir, "requests.csv");
	check_csv(csv);
	for (const char *line = strchr(csv, '\n') + 1; *line != '\0';
	     line = strchr(line, '\n') + 1) {
		/* replication,id,app,source,node,tier,status,...: source is 3,
		 * created 8, uplink done 9, post done 13, downlink done 14. */
		const char *source = strchr(strchr(strchr(line, ',') + 1, ',') + 1, ',') + 1;
		bool second = strncmp(source, "dev2,", 5) == 0;

		if (strstr(line, ",completed,") == NULL)
			continue;
		completed[second]++;
		/* dev -> edge is edge's between[0] -> between[1]: 10 ms + 10 ms
		 * of bytes; dev2 -> edge2 is between[1] -> between[0]: 30 + 10. */
		ck_assert_int_eq(csv_field(line, 9) - csv_field(line, 8),
				 second ? 40000000 : 20000000);
		ck_assert_int_eq(csv_field(line, 14) - csv_field(line, 13),
				 second ? 11000000 : 31000000);
		ck_assert_int_eq(csv_field(line, 15), 81000000);
	}
	/* 2 fps for 20 s from each device; the last frame may still be on
	 * its way. */
	ck_assert_int_ge(completed[0], 39);
	ck_assert_int_ge(completed[1], 39);
	free(csv);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(sim_queue_bound_drops_and_conserves)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *csv, *summary;
	struct csv_counts c;

	ck_assert_int_eq(
	    run_into("tests/data/sim/overload.json", dir, NULL, 0, false, 1, true, &err), 0);
	csv = file_in(dir, "requests.csv");
	summary = file_in(dir, "summary.json");
	c = check_csv(csv);
	ck_assert_int_eq(c.rows, 1000);
	ck_assert_int_eq(c.rows, c.completed + c.dropped + c.in_flight);
	ck_assert_int_gt(c.dropped, 600);
	ck_assert_double_eq_tol(summary_number(summary, "\"created\""), 1000, 1e-12);
	ck_assert_double_eq_tol(summary_number(summary, "\"queue_full\""), (double)c.dropped,
				1e-12);
	/* One 30 ms service at a time: the node is busy nearly all the time,
	 * never more. */
	ck_assert_double_le(
	    summary_number(strstr(strstr(summary, "\"nodes\""), "\"edge\""), "\"utilisation\""),
	    1.0);
	ck_assert_double_ge(
	    summary_number(strstr(strstr(summary, "\"nodes\""), "\"edge\""), "\"utilisation\""),
	    0.99);
	/* Waiting for at most one frame ahead: 61 ms plus up to 30 ms. */
	ck_assert_int_ge(c.min_response, 61000000);
	ck_assert_int_le(c.max_response, 91000000);
	free(csv);
	free(summary);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(sim_out_of_range_error_writes_nothing)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char p[4200];

	ck_assert_int_eq(
	    run_into("tests/data/sim/out-of-range.json", dir, NULL, 0, false, 1, true, &err),
	    TS_ERUNTIME);
	ck_assert_ptr_nonnull(strstr(err.msg, "3 instances"));
	ck_assert_ptr_nonnull(strstr(err.msg, "\"out_of_range\": \"error\""));
	snprintf(p, sizeof(p), "%s/summary.json", dir);
	ck_assert_int_ne(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/requests.csv", dir);
	ck_assert_int_ne(access(p, F_OK), 0);
	/* No temporary file is left either. */
	ck_assert_int_eq(rmdir(dir), 0);
	free(dir);
}
END_TEST

/* Every policy on the mixed scenario (partition on its Poisson
 * counterpart): conservation, stage order and utilisation within [0, 1]. */
START_TEST(sim_every_policy_conserves)
{
	const char *policy = policy_registry[_i]->name;
	char *dir;
	struct ts_error err = {0};
	char *csv, *summary;
	struct csv_counts c;
	const char *u;
	int rc;

	/* Job-set policies have no online mode. */
	if (policy_registry[_i]->place == NULL)
		return;
	dir = tu_make_tmpdir();
	/* The partition policy runs on Poisson apps only. */
	rc = run_into(policy_registry[_i]->partition ? "tests/data/sim/partition.json"
						     : "tests/data/sim/mixed.json",
		      dir, policy, 0, false, 1, true, &err);

	ck_assert_msg(rc == 0, "%s: %s", policy, err.msg);
	csv = file_in(dir, "requests.csv");
	summary = file_in(dir, "summary.json");
	c = check_csv(csv);
	ck_assert_double_eq_tol(summary_number(summary, "\"created\""), (double)c.rows, 1e-12);
	ck_assert_double_eq_tol(summary_number(summary, "\"completed\""), (double)c.completed,
				1e-12);
	ck_assert_double_eq_tol(summary_number(summary, "\"in_flight\""), (double)c.in_flight,
				1e-12);
	for (u = strstr(summary, "\"utilisation\""); u != NULL;
	     u = strstr(u + 1, "\"utilisation\"")) {
		double v = strtod(strchr(u, ':') + 1, NULL);

		ck_assert_msg(v >= 0 && v <= 1, "%s: utilisation %g", policy, v);
	}
	free(csv);
	free(summary);
	tu_remove_tmpdir(dir);
}
END_TEST

/* The created_ns column of a requests.csv, in id order. */
static char *arrival_column(const char *csv)
{
	size_t cap = strlen(csv) + 1, used = 0;
	char *out = calloc(cap, 1);
	const char *line = strchr(csv, '\n') + 1;

	for (; *line != '\0'; line = strchr(line, '\n') + 1) {
		const char *p = line;
		char app[64], src[64];
		long id;

		for (int field = 0; field < 8; p++)
			if (*p == ',')
				field++;
		sscanf(line, "%*d,%ld,%63[^,],%63[^,]", &id, app, src);
		used += (size_t)snprintf(out + used, cap - used, "%s/%s@%lld\n", app, src,
					 strtoll(p, NULL, 10));
	}
	return out;
}

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted lines, so two runs that end requests in different orders compare
 * equal when they created the same ones. */
static char *sorted_lines(char *text)
{
	size_t n = 0, len = strlen(text), used = 0;
	char **lines = malloc((len + 1) * sizeof(*lines));
	char *out = malloc(len + 1);

	for (char *tok = strtok(text, "\n"); tok != NULL; tok = strtok(NULL, "\n"))
		lines[n++] = tok;
	qsort(lines, n, sizeof(lines[0]), compare_lines);
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, len + 1 - used, "%s\n", lines[i]);
	free(lines);
	return out;
}

START_TEST(sim_policies_share_arrivals)
{
	char *a = tu_make_tmpdir(), *b = tu_make_tmpdir();
	struct ts_error err = {0};
	char *csv_a, *csv_b, *arr_a, *arr_b, *sa, *sb;

	ck_assert_int_eq(
	    run_into("tests/data/sim/mixed.json", a, "random", 0, false, 1, true, &err), 0);
	ck_assert_int_eq(
	    run_into("tests/data/sim/mixed.json", b, "layer-minimum", 0, false, 1, true, &err), 0);
	csv_a = file_in(a, "requests.csv");
	csv_b = file_in(b, "requests.csv");
	ck_assert_str_ne(csv_a, csv_b);
	arr_a = arrival_column(csv_a);
	arr_b = arrival_column(csv_b);
	sa = sorted_lines(arr_a);
	sb = sorted_lines(arr_b);
	ck_assert_str_eq(sa, sb);
	free(csv_a);
	free(csv_b);
	free(arr_a);
	free(arr_b);
	free(sa);
	free(sb);
	tu_remove_tmpdir(a);
	tu_remove_tmpdir(b);
}
END_TEST

START_TEST(sim_same_seed_same_bytes)
{
	const char *files[] = {"summary.json", "manifest.json", "requests.csv"};
	char *a = tu_make_tmpdir(), *b = tu_make_tmpdir(), *c = tu_make_tmpdir();
	struct ts_error err = {0};

	ck_assert_int_eq(
	    run_into("scenarios/edge-od-heterogeneous.json", a, NULL, 7, true, 2, true, &err), 0);
	ck_assert_int_eq(
	    run_into("scenarios/edge-od-heterogeneous.json", b, NULL, 7, true, 2, true, &err), 0);
	ck_assert_int_eq(
	    run_into("scenarios/edge-od-heterogeneous.json", c, NULL, 8, true, 2, true, &err), 0);
	for (size_t i = 0; i < 3; i++) {
		size_t la, lb;
		char pa[4200], pb[4200], *x, *y, *z;

		snprintf(pa, sizeof(pa), "%s/%s", a, files[i]);
		snprintf(pb, sizeof(pb), "%s/%s", b, files[i]);
		x = tu_read_file(pa, &la);
		y = tu_read_file(pb, &lb);
		z = file_in(c, files[i]);
		ck_assert_uint_eq(la, lb);
		ck_assert_msg(memcmp(x, y, la) == 0, "%s differs between equal seeds", files[i]);
		ck_assert_msg(strcmp(x, z) != 0, "%s is the same for seeds 7 and 8", files[i]);
		free(x);
		free(y);
		free(z);
	}
	tu_remove_tmpdir(a);
	tu_remove_tmpdir(b);
	tu_remove_tmpdir(c);
}
END_TEST

/* The golden summary pins the default scenario's outcome: any change to
 * the engine, a policy or a profile that moves a number fails here until
 * the golden file is regenerated on purpose (docs/outputs.md says how). */
START_TEST(sim_golden_default_scenario)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *got, *want, path[4096];

	ck_assert_int_eq(
	    run_into("scenarios/edge-od-heterogeneous.json", dir, NULL, 7, true, 1, false, &err),
	    0);
	got = file_in(dir, "summary.json");
	tu_source_path(path, sizeof(path),
		       "results/golden/edge-od-heterogeneous-seed7/summary.json");
	want = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(want);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	tu_remove_tmpdir(dir);
}
END_TEST

START_TEST(sim_replications_give_intervals)
{
	char *dir = tu_make_tmpdir();
	struct ts_error err = {0};
	char *summary;

	ck_assert_int_eq(run_into("tests/data/sim/mixed.json", dir, NULL, 0, false, 4, false, &err),
			 0);
	summary = file_in(dir, "summary.json");
	ck_assert_ptr_nonnull(strstr(summary, "\"ci95_half_width\""));
	ck_assert_double_gt(summary_number(strstr(summary, "\"p95_ms\""), "\"ci95_half_width\""),
			    0);
	free(summary);
	tu_remove_tmpdir(dir);
}
END_TEST

/* requests.csv's stage times (created_ns to downlink_done_ns, -1 when
 * empty) by replication and id. */
#define TRACE_REPS 2
#define CSV_STAGES 7

struct csv_times {
	long long (*t)[CSV_STAGES]; /* [rep * n_ids + id] */
	size_t n_ids;
};

static struct csv_times read_csv_times(const char *csv)
{
	struct csv_times c = {0};
	const char *line;

	for (line = strchr(csv, '\n') + 1; *line != '\0'; line = strchr(line, '\n') + 1)
		c.n_ids++;
	c.t = malloc(TRACE_REPS * c.n_ids * sizeof(*c.t));
	ck_assert_ptr_nonnull(c.t);
	memset(c.t, 0xff, TRACE_REPS * c.n_ids * sizeof(*c.t));
	for (line = strchr(csv, '\n') + 1; *line != '\0'; line = strchr(line, '\n') + 1) {
		unsigned rep;
		unsigned long long id;
		const char *f = line;

		ck_assert_int_eq(sscanf(line, "%u,%llu,", &rep, &id), 2);
		ck_assert_uint_lt(rep * c.n_ids + id, TRACE_REPS * c.n_ids);
		for (int k = 0; k < 8; k++)
			f = strchr(f, ',') + 1;
		for (int k = 0; k < CSV_STAGES; k++, f = strchr(f, ',') + 1)
			if (*f != ',')
				c.t[rep * c.n_ids + id][k] = strtoll(f, NULL, 10);
	}
	return c;
}

/* A request's own track: its open spans and the time it last reached. */
struct req_track {
	int depth;
	const char *open[2];
	double last_ts;
	int stages;
};

struct service_span {
	double pid, tid, ts, dur;
};

static int span_order(const void *a, const void *b)
{
	const struct service_span *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

static long long ts_ns(const cJSON *ev, const char *key)
{
	return llround(cJSON_GetObjectItemCaseSensitive(ev, key)->valuedouble * 1000);
}

static const char *const stage_span[CSV_STAGES] = {
    "", "uplink", "queue", "cpu_pre", "accelerator", "cpu_post", "downlink"};

/* Checks a parsed trace against requests.csv: every sampled request (and
 * no other) has a track whose spans nest well and whose stage spans are
 * the CSV's stage times; service spans on an instance's track never
 * overlap.  Returns the number of request tracks. */
static size_t check_trace(const cJSON *events, const struct csv_times *c, uint64_t sample)
{
	size_t n = (size_t)cJSON_GetArraySize(events), n_req = 0, n_svc = 0;
	struct req_track *tr = calloc(TRACE_REPS * c->n_ids, sizeof(*tr));
	struct service_span *svc = calloc(n + 1, sizeof(*svc));
	int rep_of_pid[4096];
	const cJSON *ev;

	ck_assert_ptr_nonnull(tr);
	ck_assert_ptr_nonnull(svc);
	memset(rep_of_pid, 0xff, sizeof(rep_of_pid));
	cJSON_ArrayForEach(ev, events)
	{
		const char *ph = cJSON_GetObjectItemCaseSensitive(ev, "ph")->valuestring;
		const char *name = cJSON_GetObjectItemCaseSensitive(ev, "name")->valuestring;
		int pid = (int)cJSON_GetObjectItemCaseSensitive(ev, "pid")->valuedouble;
		const cJSON *id2 = cJSON_GetObjectItemCaseSensitive(ev, "id2");
		struct req_track *t;
		size_t id;
		int rep;

		ck_assert_int_lt(pid, 4096);
		if (strcmp(ph, "X") == 0) {
			svc[n_svc++] = (struct service_span){
			    pid, cJSON_GetObjectItemCaseSensitive(ev, "tid")->valuedouble,
			    cJSON_GetObjectItemCaseSensitive(ev, "ts")->valuedouble,
			    cJSON_GetObjectItemCaseSensitive(ev, "dur")->valuedouble};
			continue;
		}
		if (strcmp(ph, "M") == 0)
			continue;
		id = (size_t)cJSON_GetObjectItemCaseSensitive(id2, "local")->valuedouble;
		if (strcmp(ph, "b") == 0 && strcmp(name, "request") == 0) {
			const cJSON *args = cJSON_GetObjectItemCaseSensitive(ev, "args");

			rep =
			    (int)cJSON_GetObjectItemCaseSensitive(args, "replication")->valuedouble;
			ck_assert_int_lt(rep, TRACE_REPS);
			ck_assert_msg(rep_of_pid[pid] < 0 || rep_of_pid[pid] == rep,
				      "process %d holds two replications", pid);
			rep_of_pid[pid] = rep;
			ck_assert_uint_eq(id % sample, 0);
			ck_assert_ptr_eq(tr[rep * c->n_ids + id].open[0], NULL);
			n_req++;
		}
		rep = rep_of_pid[pid];
		ck_assert_int_ge(rep, 0);
		ck_assert_uint_lt(id, c->n_ids);
		t = &tr[rep * c->n_ids + id];
		/* In file order a track's events never go back in time, and an
		 * end closes the innermost open span. */
		if (t->depth > 0 || t->open[0] != NULL)
			ck_assert_double_ge(cJSON_GetObjectItemCaseSensitive(ev, "ts")->valuedouble,
					    t->last_ts);
		t->last_ts = cJSON_GetObjectItemCaseSensitive(ev, "ts")->valuedouble;
		if (strcmp(ph, "b") == 0) {
			ck_assert_int_lt(t->depth, 2);
			t->open[t->depth++] = name;
			continue;
		}
		ck_assert_str_eq(ph, "e");
		ck_assert_int_gt(t->depth, 0);
		ck_assert_str_eq(t->open[t->depth - 1], name);
		t->depth--;
		for (int k = 1; k < CSV_STAGES && t->depth == 1; k++)
			if (strcmp(name, stage_span[k]) == 0) {
				const long long *row = c->t[rep * c->n_ids + id];

				ck_assert_int_eq(ts_ns(ev, "ts"), row[k]);
				ck_assert_int_ge(row[k - 1], 0);
				t->stages++;
			}
	}
	for (size_t i = 0; i < TRACE_REPS * c->n_ids; i++) {
		int reached = 0;

		if (c->t[i][0] < 0)
			continue;
		while (reached + 1 < CSV_STAGES && c->t[i][reached + 1] >= 0)
			reached++;
		ck_assert_int_eq(tr[i].depth, 0);
		ck_assert_int_eq(tr[i].stages, (i % c->n_ids) % sample == 0 ? reached : 0);
	}
	qsort(svc, n_svc, sizeof(*svc), span_order);
	for (size_t i = 1; i < n_svc; i++)
		if (svc[i].pid == svc[i - 1].pid && svc[i].tid == svc[i - 1].tid)
			ck_assert_double_ge(svc[i].ts, svc[i - 1].ts + svc[i - 1].dur - 1e-9);
	free(tr);
	free(svc);
	return n_req;
}

static const char *const trace_samples[] = {"1", "7"};

/* --trace on two replications: valid JSON, well nested, the stage times
 * of requests.csv, and only the sampled requests. */
START_TEST(sim_trace_nested_and_matches_csv)
{
	char *dir = tu_make_tmpdir(), scen[4096], trace[2048], out[2048];
	uint64_t sample = strtoull(trace_samples[_i], NULL, 10);
	struct tu_proc p;
	struct csv_times c;
	size_t n_sampled = 0;
	char *text, *csv;
	cJSON *doc;

	tu_source_path(scen, sizeof(scen), "tests/data/sim/overload.json");
	snprintf(trace, sizeof(trace), "%s/t.json", dir);
	snprintf(out, sizeof(out), "%s/r", dir);
	tu_spawn((const char *const[]){"run", scen, "-o", out, "--replications", "2",
				       "--requests-csv", "--trace", trace, "--trace-sample",
				       trace_samples[_i], NULL},
		 &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	ck_assert_uint_eq(p.n_err, 0);
	text = tu_read_file(trace, NULL);
	ck_assert_ptr_nonnull(text);
	doc = cJSON_Parse(text);
	ck_assert_msg(doc != NULL, "the trace is not JSON");
	csv = file_in(out, "requests.csv");
	c = read_csv_times(csv);
	for (size_t i = 0; i < TRACE_REPS * c.n_ids; i++)
		n_sampled += c.t[i][0] >= 0 && (i % c.n_ids) % sample == 0;
	ck_assert_uint_eq(
	    check_trace(cJSON_GetObjectItemCaseSensitive(doc, "traceEvents"), &c, sample),
	    n_sampled);
	free(c.t);
	free(csv);
	free(text);
	cJSON_Delete(doc);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Sampling bounds the trace: at most 15 events per sampled request (and
 * the track names), and the results do not mention or depend on it. */
START_TEST(sim_trace_sample_bounds_spans)
{
	char *dir = tu_make_tmpdir(), scen[4096], trace[2048], out[2048], plain[2048];
	struct tu_proc p;
	char *text, *a, *b, *manifest;
	cJSON *doc;
	double created;

	tu_source_path(scen, sizeof(scen), "scenarios/edge-od-heterogeneous.json");
	snprintf(trace, sizeof(trace), "%s/t.json", dir);
	snprintf(out, sizeof(out), "%s/r", dir);
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	tu_spawn((const char *const[]){"run", scen, "-o", out, "--trace", trace, "--trace-sample",
				       "100", "--quiet", NULL},
		 &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	tu_proc_release(&p);
	tu_spawn((const char *const[]){"run", scen, "-o", plain, NULL}, &p);
	ck_assert_int_eq(p.exit_code, 0);
	/* Not a terminal: no progress line. */
	ck_assert_uint_eq(p.n_err, 0);
	text = tu_read_file(trace, NULL);
	doc = cJSON_Parse(text);
	ck_assert_ptr_nonnull(doc);
	a = file_in(out, "summary.json");
	b = file_in(plain, "summary.json");
	ck_assert_str_eq(a, b);
	ck_assert_ptr_null(strstr(a, "trace"));
	created = summary_number(a, "\"created\"");
	ck_assert_int_le(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "traceEvents")),
			 15 * (int)(created / 100 + 1) + 64);
	manifest = file_in(out, "manifest.json");
	ck_assert_ptr_nonnull(strstr(manifest, "\"sample\":\t100"));
	free(manifest);
	free(a);
	free(b);
	free(text);
	cJSON_Delete(doc);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Usage errors of the trace options exit 2. */
START_TEST(sim_trace_usage_errors)
{
	static const char *const bad[][6] = {
	    {"run", "s.json", "--trace", NULL},
	    {"run", "s.json", "--trace", "t.json", "--trace-sample", "0"},
	    {"run", "s.json", "--trace-sample", "5", NULL},
	    {"run", "s.json", "--trace", "dir/", NULL},
	};
	struct tu_proc p;

	tu_spawn(bad[_i], &p);
	ck_assert_int_eq(p.exit_code, 2);
	tu_proc_release(&p);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("core");
	size_t n_policies = 0;

	while (policy_registry[n_policies] != NULL)
		n_policies++;
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sim_lifecycle_hand_computed);
	tcase_add_test(tc, sim_drain_completes_every_request);
	tcase_add_test(tc, sim_frame_size_changes);
	tcase_add_test(tc, sim_stagger_starts_sources_one_by_one);
	tcase_add_test(tc, sim_delay_reverse_direction);
	tcase_add_test(tc, sim_queue_bound_drops_and_conserves);
	tcase_add_test(tc, sim_out_of_range_error_writes_nothing);
	tcase_add_loop_test(tc, sim_every_policy_conserves, 0, (int)n_policies);
	tcase_add_test(tc, sim_policies_share_arrivals);
	tcase_add_test(tc, sim_same_seed_same_bytes);
	tcase_add_test(tc, sim_golden_default_scenario);
	tcase_add_test(tc, sim_replications_give_intervals);
	tcase_add_loop_test(tc, sim_trace_nested_and_matches_csv, 0, 2);
	tcase_add_test(tc, sim_trace_sample_bounds_spans);
	tcase_add_loop_test(tc, sim_trace_usage_errors, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(sim_suite());
}
