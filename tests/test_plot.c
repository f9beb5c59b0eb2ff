/* `tiersim plot`: the scripts and data of every plot type from the
 * fixtures in tests/data/plot and from real runs, the images where
 * gnuplot is on PATH and the commands printed where it is not, bad input
 * with its line and column, and the options. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot.h"
#include "testutil.h"

static char *path_of(const char *dir, const char *name)
{
	static char buf[4][8400];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static bool exists(const char *dir, const char *name)
{
	struct stat st;

	return stat(path_of(dir, name), &st) == 0;
}

static long size_of(const char *dir, const char *name)
{
	struct stat st;

	return stat(path_of(dir, name), &st) == 0 ? (long)st.st_size : -1;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	FILE *f = fopen(path_of(dir, name), "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *read_in(const char *dir, const char *name)
{
	char *text = tu_read_file(path_of(dir, name), NULL);

	ck_assert_msg(text != NULL, "cannot read %s/%s", dir, name);
	return text;
}

/* Runs tiersim with PATH set to an empty directory, so gnuplot is not
 * found, when `hide_gnuplot`. */
static void spawn(const char *const *args, bool hide_gnuplot, struct tu_proc *p)
{
	char *saved = NULL, *empty = NULL;

	if (hide_gnuplot) {
		saved = strdup(getenv("PATH") != NULL ? getenv("PATH") : "");
		empty = tu_make_tmpdir();
		ck_assert_int_eq(setenv("PATH", empty, 1), 0);
	}
	tu_spawn(args, p);
	if (hide_gnuplot) {
		ck_assert_int_eq(setenv("PATH", saved, 1), 0);
		free(saved);
		tu_remove_tmpdir(empty);
	}
}

/* The plot NAME was written: script and data, and the image exactly when
 * gnuplot was found, else the command that renders it was printed; with
 * `legend`, the plot names what it draws. */
static void check_plot(const struct tu_proc *p, const char *dir, const char *name, bool gnuplot,
		       bool legend)
{
	char file[256], cmd[4400];
	char *gp;

	snprintf(file, sizeof(file), "%s.gp", name);
	ck_assert_msg(size_of(dir, file) > 0, "no %s/%s; stdout: %s", dir, file, p->out);
	gp = read_in(dir, file);
	/* Every plot has a title, labelled axes and a legend: named
	 * curves, bars or states. */
	ck_assert_ptr_nonnull(strstr(gp, "set title "));
	ck_assert_ptr_nonnull(strstr(gp, "set xlabel "));
	ck_assert_ptr_nonnull(strstr(gp, "set ylabel "));
	ck_assert_ptr_nonnull(strstr(gp, "\nplot "));
	if (legend)
		ck_assert_msg(strstr(strstr(gp, "\nplot "), " title '") != NULL,
			      "%s/%s.gp has no legend", dir, name);
	free(gp);
	snprintf(file, sizeof(file), "%s.dat", name);
	ck_assert_msg(size_of(dir, file) > 0, "no %s/%s", dir, file);
	snprintf(file, sizeof(file), "%s.png", name);
	if (gnuplot) {
		ck_assert_msg(size_of(dir, file) > 0, "no image %s/%s; stderr: %s", dir, file,
			      p->err);
	} else {
		ck_assert_msg(!exists(dir, file), "%s/%s without gnuplot", dir, file);
		snprintf(cmd, sizeof(cmd), "  gnuplot %s/%s.gp\n", dir, name);
		ck_assert_msg(strstr(p->out, cmd) != NULL, "no \"%s\" in: %s", cmd, p->out);
	}
}

static bool have_gnuplot(void)
{
	char *g = plot_find_on_path("gnuplot");

	free(g);
	return g != NULL;
}

/* The health timeline and the sweep figures from the fixtures, with
 * gnuplot (where installed: _i 0) and without it (_i 1). */
START_TEST(plot_fixtures_every_type)
{
	bool gnuplot = _i == 0 && have_gnuplot();
	char health[4096], sweep[4096], *out = tu_make_tmpdir(), *gp;
	const char *args[] = {"plot", health, sweep, "-o", out, NULL};
	struct tu_proc p;

	if (_i == 0 && !gnuplot)
		fprintf(stderr, "plot_fixtures_every_type: gnuplot is not on PATH: the images "
				"are not checked\n");
	tu_source_path(health, sizeof(health), "tests/data/plot/health");
	tu_source_path(sweep, sizeof(sweep), "tests/data/plot/sweep");
	spawn(args, _i == 1, &p);
	ck_assert_msg(p.exit_code == 0, "exit %d: %s", p.exit_code, p.err);
	check_plot(&p, out, "health-1", gnuplot, true);
	/* The default metrics, and only they. */
	check_plot(&p, out, "sweep-apps.od.mean_ms-2", gnuplot, true);
	check_plot(&p, out, "sweep-apps.od.p95_ms-2", gnuplot, true);
	check_plot(&p, out, "sweep-apps.od.deadline_miss_ratio-2", gnuplot, true);
	check_plot(&p, out, "sweep-tiers.edge.utilisation-2", gnuplot, true);
	ck_assert(!exists(out, "sweep-apps.od.p99_ms-2.gp"));
	ck_assert(!exists(out, "sweep-totals.completed-2.gp"));
	/* Units from the metric's suffix; migrations drawn. */
	gp = read_in(out, "sweep-apps.od.deadline_miss_ratio-2.gp");
	ck_assert_ptr_nonnull(
	    strstr(gp, "set ylabel 'apps.od.deadline_miss_ratio' . ' (' . 'share'"));
	ck_assert_ptr_nonnull(strstr(gp, "set xlabel 'rate_rps' . ' (' . 'requests/s'"));
	ck_assert_ptr_nonnull(strstr(gp, "with yerrorlines"));
	ck_assert_ptr_nonnull(strstr(gp, "title 'round-robin'"));
	free(gp);
	gp = read_in(out, "health-1.gp");
	ck_assert_ptr_nonnull(strstr(gp, "title 'migration'"));
	ck_assert_ptr_nonnull(strstr(gp, "title 'critical'"));
	ck_assert_ptr_nonnull(strstr(gp, "'cloud1' 3"));
	free(gp);
	tu_proc_release(&p);
	tu_remove_tmpdir(out);
}
END_TEST

/* The same inputs give the same scripts and data, byte for byte. */
START_TEST(plot_deterministic)
{
	static const char *const files[] = {"health-1.gp", "health-1.dat",
					    "sweep-apps.od.p95_ms-2.gp",
					    "sweep-apps.od.p95_ms-2.dat"};
	char health[4096], sweep[4096], *out = tu_make_tmpdir(), *first[4];
	const char *args[] = {"plot", health, sweep, "-o", out, NULL};
	struct tu_proc p;

	tu_source_path(health, sizeof(health), "tests/data/plot/health");
	tu_source_path(sweep, sizeof(sweep), "tests/data/plot/sweep");
	spawn(args, true, &p);
	ck_assert_int_eq(p.exit_code, 0);
	tu_proc_release(&p);
	for (int i = 0; i < 4; i++)
		first[i] = read_in(out, files[i]);
	spawn(args, true, &p);
	ck_assert_int_eq(p.exit_code, 0);
	for (int i = 0; i < 4; i++) {
		char *again = read_in(out, files[i]);

		ck_assert_msg(strcmp(first[i], again) == 0, "%s differs", files[i]);
		free(again);
		free(first[i]);
	}
	tu_proc_release(&p);
	tu_remove_tmpdir(out);
}
END_TEST

static void run_minimal(const char *dir, const char *policy, bool requests_csv)
{
	char scenario[4096];
	const char *args[] = {"run", scenario, "--policy", policy,
			      "-o",  dir,      "--quiet",  requests_csv ? "--requests-csv" : NULL,
			      NULL};
	struct tu_proc p;

	tu_source_path(scenario, sizeof(scenario), "tests/scenarios/minimal.json");
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == 0, "run: %s", p.err);
	tu_proc_release(&p);
}

/* Two runs of one scenario with two policies: one CDF with a curve per
 * policy, a breakdown per run. */
START_TEST(plot_runs_cdf_and_breakdown)
{
	bool gnuplot = _i == 0 && have_gnuplot();
	char *root = tu_make_tmpdir();
	char edge[4200], device[4200], out[4200], *gp, *dat;
	const char *args[] = {"plot", edge, device, "-o", out, NULL};
	struct tu_proc p;

	snprintf(edge, sizeof(edge), "%s/edge", root);
	snprintf(device, sizeof(device), "%s/device", root);
	snprintf(out, sizeof(out), "%s/plots", root);
	run_minimal(edge, "all-edge", true);
	run_minimal(device, "all-device", true);
	spawn(args, _i == 1, &p);
	ck_assert_msg(p.exit_code == 0, "exit %d: %s", p.exit_code, p.err);
	check_plot(&p, out, "cdf", gnuplot, true);
	check_plot(&p, out, "breakdown-1", gnuplot, true);
	check_plot(&p, out, "breakdown-2", gnuplot, true);
	gp = read_in(out, "cdf.gp");
	ck_assert_ptr_nonnull(strstr(gp, "title 'all-edge'"));
	ck_assert_ptr_nonnull(strstr(gp, "title 'all-device'"));
	ck_assert_ptr_nonnull(strstr(gp, "set xlabel 'response time (ms"));
	free(gp);
	/* The edge node serves every request with one instance. */
	gp = read_in(out, "breakdown-1.gp");
	ck_assert_ptr_nonnull(strstr(gp, "'edge' . \"\\n(\" . 'edge' . \")\\n1 instance\""));
	ck_assert_ptr_nonnull(strstr(gp, "title 'accelerator inference'"));
	free(gp);
	/* The CDF ends at 1 for each curve. */
	dat = read_in(out, "cdf.dat");
	ck_assert_ptr_nonnull(strstr(dat, " 1\n\n\n# all-device\n"));
	ck_assert_int_eq(dat[strlen(dat) - 2], '1');
	free(dat);
	tu_proc_release(&p);
	tu_remove_tmpdir(root);
}
END_TEST

/* Two curves of one policy are told apart by their directories. */
START_TEST(plot_same_policy_twice)
{
	char *dir = tu_make_tmpdir(), out[4200], *gp, *first, want[4400];
	const char *args[] = {"plot", dir, dir, "-o", out, NULL};
	struct tu_proc p;

	snprintf(out, sizeof(out), "%s/plots", dir);
	run_minimal(dir, "all-edge", true);
	spawn(args, true, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	gp = read_in(out, "cdf.gp");
	snprintf(want, sizeof(want), "title 'all-edge (%s)'", dir);
	first = strstr(gp, want);
	ck_assert_msg(first != NULL, "no %s in %s", want, gp);
	ck_assert_ptr_nonnull(strstr(first + 1, want));
	free(gp);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A run without requests.csv: the message says how to write it. */
START_TEST(plot_missing_requests_csv)
{
	char *dir = tu_make_tmpdir();
	const char *args[] = {"plot", dir, NULL};
	struct tu_proc p;

	run_minimal(dir, "all-edge", false);
	spawn(args, true, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_msg(strstr(p.err, "/requests.csv not found: the response-time CDF") != NULL, "%s",
		      p.err);
	ck_assert_msg(strstr(p.err, "--policy all-edge --seed 7 --requests-csv -o ") != NULL, "%s",
		      p.err);
	ck_assert(!exists(dir, "cdf.gp"));
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A job set's Gantt chart: tiersim plot draws from schedule.csv the
 * chart tiersim run wrote. */
START_TEST(plot_job_set_gantt)
{
	char *dir = tu_make_tmpdir(), scenario[4096], out[4200];
	const char *run[] = {"run", scenario, "-o", dir, NULL};
	const char *plot[] = {"plot", dir, "-o", out, "--format", "svg", NULL};
	struct tu_proc p;
	char *a, *b;

	tu_source_path(scenario, sizeof(scenario), "scenarios/icu-lstm-18.json");
	snprintf(out, sizeof(out), "%s/again", dir);
	spawn(run, true, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	tu_proc_release(&p);
	spawn(plot, !have_gnuplot(), &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	a = read_in(dir, "gantt.dat");
	b = read_in(out, "gantt.dat");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	if (have_gnuplot())
		ck_assert_int_gt(size_of(out, "gantt.svg"), 0);
	/* Short bars of the ICU set keep their ids above them. */
	a = read_in(out, "gantt.gp");
	ck_assert_ptr_nonnull(strstr(a, "with labels notitle"));
	ck_assert_ptr_nonnull(strstr(a, "term = 'svg'"));
	free(a);
	b = read_in(out, "gantt.dat");
	ck_assert_ptr_nonnull(strstr(b, " 0.64 \"sob-1\"\n"));
	free(b);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

static const char manifest[] =
    "{\"scenario\": {\"name\": \"s\", \"path\": \"s.json\"}, \"policy\": \"all-edge\", "
    "\"seed\": \"7\", \"time_unit_ms\": 1, \"options\": {\"warmup_s\": 0}}\n";
static const char summary[] = "{\"jobs\": {\"weighted_total_response\": 3, \"total_response\": "
			      "2, \"last_completion\": 2}}\n";
static const char requests_header[] =
    "replication,id,app,source,node,tier,status,reason,created_ns,uplink_done_ns,start_ns,"
    "cpu_pre_done_ns,accel_done_ns,cpu_post_done_ns,downlink_done_ns,response_ns,instances,"
    "split_after,head_done_ns\n";

/* Bad input files and the message each gives: file:line:column. */
static const struct {
	const char *file, *text, *expected;
} bad[] = {
    {"timeseries.csv",
     "time_s,node,instances,avg_inf_lat_ms,state,queue_length\n0,a,1,5,pass,0\n1,a,1,5,fine,0\n",
     "timeseries.csv:3:9: state: expected pass, warning, critical or idle, got \"fine\""},
    {"timeseries.csv", "time_s,node,instances,avg_inf_lat_ms,state,queue_length\n0,a,1,5,pass\n",
     "timeseries.csv:2:1: expected 6 comma-separated fields, got 5"},
    {"timeseries.csv",
     "time_s,node,instances,avg_inf_lat_ms,state,queue_length\n2,a,1,5,pass,0\n1,a,1,5,pass,0\n",
     "timeseries.csv:3:1: time_s: expected a time after node a's previous check at 2 s"},
    {"timeseries.csv", "time_s,node,instances,avg_latency_ms,state,queue_length\n",
     "timeseries.csv:1:23: expected column \"avg_inf_lat_ms\", got \"avg_latency_ms\""},
    {"timeseries.csv", "", "timeseries.csv:1:1: expected a header line, got an empty file"},
    {"timeseries.csv", "time_s,node,instances,avg_inf_lat_ms,state,queue_length\n",
     "timeseries.csv: expected rows after the header, got none"},
    {"aggregate.csv",
     "point,rate_rps,policy,metric,n,mean,ci95_half_width\n0,5,p,apps.a.mean_ms,3,1x,0.5\n",
     "aggregate.csv:2:24: mean: expected a number from -1e+300 to 1e+300 or nothing, got \"1x\""},
    {"aggregate.csv", "point,policy,metric,n,mean\n",
     "aggregate.csv:1:1: expected at least 6 columns, got 5"},
    {"schedule.csv",
     "job,machine,weight,release_tu,arrival_tu,start_tu,end_tu,response_tu\nJ1,fog,1,0,0,0,1,1\n",
     "schedule.csv:2:4: machine: expected device, edge or cloud, got \"fog\""},
    {"requests.csv", "0,0,od,dev,edge,edge,done,,0,1,1,2,3,4,5,5,1,,\n",
     "requests.csv:2:22: status: expected completed, dropped, failed or in_flight, got "
     "\"done\""},
    {"requests.csv", "0,0,od,dev,edge,edge,completed,,0,1,1,2,3,4,5,5,0,,\n",
     "requests.csv:2:49: instances: expected a number from 1 to 1e+09, got \"0\""},
    {"requests.csv", "0,0,od,dev,edge,edge,completed,,0,1,3,2,3,4,5,5,1,,\n",
     "requests.csv:2:39: cpu_pre_done_ns: expected a time at or after start_ns"},
};

START_TEST(plot_bad_input_line_column)
{
	char *dir = tu_make_tmpdir();
	const char *args[] = {"plot", dir, NULL};
	struct tu_proc p;

	if (strcmp(bad[_i].file, "requests.csv") == 0) {
		char *text = malloc(strlen(requests_header) + strlen(bad[_i].text) + 1);

		strcat(strcpy(text, requests_header), bad[_i].text);
		write_file(dir, "requests.csv", text);
		free(text);
	} else {
		write_file(dir, bad[_i].file, bad[_i].text);
	}
	write_file(dir, "manifest.json", manifest);
	write_file(dir, "summary.json", summary);
	spawn(args, true, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_msg(strstr(p.err, bad[_i].expected) != NULL, "expected \"%s\" in: %s",
		      bad[_i].expected, p.err);
	/* Nothing was written. */
	ck_assert(!exists(dir, "cdf.gp") && !exists(dir, "health.gp") && !exists(dir, "gantt.gp"));
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A request a fault caught ends "failed" (docs/outputs.md): the CDF has
 * the completed one only. */
START_TEST(plot_failed_requests)
{
	char *dir = tu_make_tmpdir(), *text, *dat;
	const char *args[] = {"plot", dir, NULL};
	static const char rows[] = "0,0,od,dev,edge,edge,completed,,0,1,1,2,3,4,5,5,1,,\n"
				   "0,1,od,dev,edge,edge,failed,node_crash,6,7,7,,,,,,1,,\n";
	struct tu_proc p;

	text = malloc(strlen(requests_header) + strlen(rows) + 1);
	ck_assert_ptr_nonnull(text);
	strcat(strcpy(text, requests_header), rows);
	write_file(dir, "requests.csv", text);
	free(text);
	write_file(dir, "manifest.json", manifest);
	write_file(dir, "summary.json", summary);
	spawn(args, true, &p);
	ck_assert_msg(p.exit_code == 0, "exit %d: %s", p.exit_code, p.err);
	dat = read_in(dir, "cdf.dat");
	ck_assert_ptr_nonnull(strstr(dat, "5e-06 1\n"));
	free(dat);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Options and directories the command refuses. */
START_TEST(plot_refusals)
{
	char *dir = tu_make_tmpdir(), sweep[4096], health[4096];
	const char *empty[] = {"plot", dir, NULL};
	const char *format[] = {"plot", dir, "--format", "bmp", NULL};
	const char *metric[] = {"plot", sweep, "-o", dir, "--metric", "apps.od.p50_ms", NULL};
	const char *no_sweep[] = {"plot", health, "-o", dir, "--metric", "apps.od.p50_ms", NULL};
	const char *none[] = {"plot", NULL};
	struct tu_proc p;

	tu_source_path(sweep, sizeof(sweep), "tests/data/plot/sweep");
	tu_source_path(health, sizeof(health), "tests/data/plot/health");
	spawn(empty, true, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(p.err, ": nothing to plot: looked for requests.csv"));
	tu_proc_release(&p);
	spawn(format, true, &p);
	ck_assert_int_eq(p.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "--format wants png or svg, got \"bmp\""));
	tu_proc_release(&p);
	spawn(metric, true, &p);
	ck_assert_int_eq(p.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(p.err, "--metric apps.od.p50_ms: "));
	ck_assert_ptr_nonnull(strstr(p.err, "it has: apps.od.mean_ms, apps.od.p95_ms"));
	tu_proc_release(&p);
	spawn(no_sweep, true, &p);
	ck_assert_int_eq(p.exit_code, 2);
	tu_proc_release(&p);
	spawn(none, true, &p);
	ck_assert_int_eq(p.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(p.err, "plot needs at least one RESULTS_DIR"));
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* --metric picks the figures, undefined points (empty cells) left out. */
START_TEST(plot_metric_option)
{
	char *dir = tu_make_tmpdir(), sweep[4096], *dat;
	const char *args[] = {"plot", sweep, "-o", dir, "--metric", "apps.od.p99_ms", NULL};
	struct tu_proc p;

	tu_source_path(sweep, sizeof(sweep), "tests/data/plot/sweep");
	spawn(args, true, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	ck_assert(exists(dir, "sweep-apps.od.p99_ms.gp"));
	ck_assert(!exists(dir, "sweep-apps.od.mean_ms.gp"));
	dat = read_in(dir, "sweep-apps.od.p99_ms.dat");
	ck_assert_ptr_null(strstr(dat, "\n5 "));
	ck_assert_ptr_nonnull(strstr(dat, "\n10 300 12 \"10\"\n"));
	free(dat);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

/* A metric never defined (empty means) still renders: an empty figure
 * that says so. */
START_TEST(plot_sweep_undefined_metric)
{
	bool gnuplot = have_gnuplot();
	char *dir = tu_make_tmpdir();
	const char *args[] = {"plot", dir, NULL};
	struct tu_proc p;

	write_file(dir, "aggregate.csv",
		   "point,load,policy,metric,n,mean,ci95_half_width\n0,1,p,apps.a.p99_ms,2,,\n");
	spawn(args, !gnuplot, &p);
	ck_assert_msg(p.exit_code == 0, "%s", p.err);
	check_plot(&p, dir, "sweep-apps.a.p99_ms", gnuplot, false);
	tu_proc_release(&p);
	tu_remove_tmpdir(dir);
}
END_TEST

static Suite *plot_suite(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, plot_fixtures_every_type, 0, 2);
	tcase_add_test(tc, plot_deterministic);
	tcase_add_loop_test(tc, plot_runs_cdf_and_breakdown, 0, 2);
	tcase_add_test(tc, plot_same_policy_twice);
	tcase_add_test(tc, plot_missing_requests_csv);
	tcase_add_test(tc, plot_job_set_gantt);
	tcase_add_loop_test(tc, plot_bad_input_line_column, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, plot_failed_requests);
	tcase_add_test(tc, plot_refusals);
	tcase_add_test(tc, plot_metric_option);
	tcase_add_test(tc, plot_sweep_undefined_metric);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(plot_suite());
}
