/* The tiersim command line.  The usage texts here are the reference for
 * docs/cli.md and the README; keep them in step. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "config.h"
#include "import.h"
#include "dist.h"
#include "fit.h"
#include "outfile.h"
#include "plot.h"
#include "plotdir.h"
#include "calibrate.h"
#include "policy.h"
#include "profile.h"
#include "run.h"
#include "scenario.h"
#include "status.h"
#include "sweep.h"
#include "trace.h"

static const char usage_main[] =
    "usage: tiersim COMMAND [ARGS]\n"
    "\n"
    "Discrete-event simulation of AI inference on devices, edge nodes and cloud.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO [options]       simulate a scenario and write its results\n"
    "  sweep SWEEP [options]        run a scenario over parameter values, policies\n"
    "                               and replications (resumable; MPI-parallel)\n"
    "  validate SCENARIO...         check scenario files without running them\n"
    "  list policies|distributions|profiles\n"
    "                               show what scenarios can name\n"
    "  fit-delay TRACE [options]    fit delay laws to a measured trace\n"
    "  check GOLDEN_DIR...          re-run golden results and compare their metrics\n"
    "  plot RESULTS_DIR... [options]\n"
    "                               draw results with gnuplot (CDF, breakdown, Gantt,\n"
    "                               health timeline, sweep)\n"
    "  import FORMAT FILE... -o PROFILE [options]\n"
    "                               build a latency profile from vendor benchmark output\n"
    "  calibrate --backend B --model M --frames WxH,... -o PROFILE [options]\n"
    "                               measure a profile on this machine (oneDNN)\n"
    "  fidelity --backend B --model M --fps F --duration S [options]\n"
    "                               measured against simulated latency of a workload\n"
    "  version                      print the version\n"
    "  help [COMMAND]               show this text or a command's\n"
    "\n"
    "Each command takes --help.\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid input\n";

static const char usage_run[] =
    "usage: tiersim run SCENARIO [-o DIR] [--seed N] [--replications R]\n"
    "                   [--policy NAME] [--requests-csv] [--trace FILE]\n"
    "                   [--trace-sample N] [--quiet]\n"
    "\n"
    "Simulates SCENARIO and writes manifest.json, summary.json and, with\n"
    "--requests-csv, requests.csv into the results directory, and for a policy\n"
    "that keeps health state (health-threshold, weighted) timeseries.csv,\n"
    "migrations.csv and states.csv of replication 0; prints a short\n"
    "summary.  A scenario with \"jobs\" is scheduled instead: summary.json,\n"
    "manifest.json, schedule.csv and a Gantt chart (gantt.png and gantt.svg when\n"
    "gnuplot is on PATH, else gantt.gp and gantt.dat to render); the schedule and\n"
    "its totals are printed.\n"
    "\n"
    "  -o DIR             results directory (default: results/<scenario name>)\n"
    "  --seed N           master seed, 0 to 2^64-1 (default: the scenario's seed)\n"
    "  --replications R   independent replications, 1 to 10000 (default 1); the\n"
    "                     summary then gives means with 95% confidence intervals\n"
    "  --policy NAME      use this policy instead of the scenario's\n"
    "  --requests-csv     also write one row per request with every stage time\n"
    "  --trace FILE       write a Chrome/Perfetto trace of the requests to FILE: a\n"
    "                     track per node, instance and request, a span per stage\n"
    "  --trace-sample N   trace only requests whose id is a multiple of N,\n"
    "                     1 to 2^64-1 (default 1: every request)\n"
    "  --quiet            no progress line (shown on a terminal for runs over 1 s)\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid input\n";

static const char usage_sweep[] =
    "usage: tiersim sweep SWEEP [-o DIR] [--quiet]\n"
    "\n"
    "Runs the scenario a sweep file (format tiersim-sweep/1, docs/sweep.md) names\n"
    "at every point of its parameter grid, under each of its policies, for each\n"
    "replication, and writes runs.csv (one row per work item), aggregate.csv\n"
    "(mean and 95% confidence half width per point, policy and metric) and\n"
    "manifest.json into the results directory.  Work item (point P, replication\n"
    "R) has seed rng_derive_seed(sweep seed, \"point/P/replication/R\") for every\n"
    "policy and equals `tiersim run` of the point's scenario with that seed.\n"
    "\n"
    "Finished items are kept in DIR/journal.jsonl: run the same command again\n"
    "after an interruption and only the missing items run.  Built with Open MPI\n"
    "and started by mpirun (or srun --mpi=pmix), rank 0 hands items to the other\n"
    "ranks and alone writes; the results do not depend on the number of ranks.\n"
    "\n"
    "  -o DIR    results directory (default: results/<sweep name>)\n"
    "  --quiet   no progress line (shown on a terminal for sweeps over 1 s)\n"
    "\n"
    "TIERSIM_SWEEP_STOP_AFTER=N (a test hook) stops with exit code 1 after N\n"
    "work items, as if the sweep had been killed.\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid input\n";

static const char usage_validate[] =
    "usage: tiersim validate SCENARIO...\n"
    "\n"
    "Loads each scenario and its profiles and reports the first problem in each.\n"
    "\n"
    "exit codes: 0 all valid, 2 usage error, 3 at least one invalid\n";

static const char usage_list[] =
    "usage: tiersim list policies|distributions|profiles\n"
    "\n"
    "  policies        allocation policies a scenario's policy.name can name, the\n"
    "                  kind of scenario each runs on, and their parameters\n"
    "  distributions   network delay laws for links\n"
    "  profiles        shipped latency profiles (models/profiles)\n"
    "\n"
    "exit codes: 0 success, 2 usage error, 3 a shipped profile is invalid\n";

static const char usage_fit_delay[] =
    "usage: tiersim fit-delay TRACE [--family F|all] [--json] [--plot FILE]\n"
    "\n"
    "Fits delay laws to TRACE (one delay in ms per line, or raw ping output) and\n"
    "ranks them by Kolmogorov-Smirnov distance D: stable (McCulloch's quantile\n"
    "method), normal, lognormal, exponential, gamma and weibull (maximum\n"
    "likelihood).  Prints the quantiles, the ranked table and notes.\n"
    "\n"
    "  --family F    fit only F: stable, normal, lognormal, exponential, gamma,\n"
    "                weibull, or all (default)\n"
    "  --json        print only the best law (or F) as a link \"delay\" object\n"
    "  --plot FILE   draw the empirical CDF against the fitted CDFs into the PNG\n"
    "                FILE with gnuplot, from FILE.gp and FILE.dat written beside it\n"
    "                (without gnuplot on PATH only those two are written)\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid trace\n";

static const char usage_check[] =
    "usage: tiersim check GOLDEN_DIR...\n"
    "\n"
    "Re-runs the scenario each golden directory's manifest.json records (its\n"
    "seed, policy, replications and options) into a temporary directory and\n"
    "compares the new summary.json with the golden one, exactly unless the\n"
    "manifest's \"tolerances\" allow a difference (docs/regression.md).  Prints\n"
    "every value that differs and a verdict per directory.  Relative scenario\n"
    "paths are read from the current directory.\n"
    "\n"
    "exit codes: 0 all match, 1 a regression or a failed run, 2 usage error,\n"
    "3 invalid manifest, summary or scenario\n";

static const char usage_plot[] =
    "usage: tiersim plot RESULTS_DIR... [-o DIR] [--format png|svg] [--metric NAME]...\n"
    "\n"
    "Writes a gnuplot script (NAME.gp) and its data (NAME.dat) for each plot the\n"
    "directories' files allow and, when gnuplot is on PATH, renders NAME.png (or\n"
    "NAME.svg); without gnuplot it prints the gnuplot command of each script.\n"
    "\n"
    "  requests.csv (tiersim run --requests-csv)\n"
    "      cdf: response-time CDF, one curve per directory (its policy) and app\n"
    "      breakdown: mean CPU pre, accelerator and CPU post time per node and\n"
    "      instance count\n"
    "  schedule.csv (a job set)   gantt: the Gantt chart of the schedule\n"
    "  timeseries.csv             health: state per node over time, AvgInfLat,\n"
    "                             migrations.csv marked when present\n"
    "  aggregate.csv (a sweep)    sweep-METRIC: the metric against the first\n"
    "                             parameter, one line per policy, 95% intervals\n"
    "\n"
    "  -o DIR            where the files go (default: the first RESULTS_DIR)\n"
    "  --format F        png (default) or svg\n"
    "  --metric NAME     a sweep metric to draw (repeatable; default: every\n"
    "                    apps.*.mean_ms, p95_ms, deadline_miss_ratio and\n"
    "                    tiers.*.utilisation)\n"
    "\n"
    "With several directories the CDF overlays their runs and every other plot's\n"
    "name ends in -N, N the directory's position (docs/plots.md).\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure (gnuplot failed), 2 usage error,\n"
    "3 invalid or missing input file, or a directory with nothing to plot\n";

static const char usage_import[] =
    "usage: tiersim import FORMAT FILE... -o PROFILE --id ID --model MODEL\n"
    "                      --accelerator gpu|tpu|vpu|cpu --frame WxH [options]\n"
    "\n"
    "Reads the output of a vendor's benchmark tool, one FILE per number of\n"
    "concurrent instances, and writes a latency profile (docs/profiles.md) with\n"
    "one table for MODEL at frame size WxH.  docs/importers.md says what each\n"
    "format maps to accel_ms, cpu_pre_ms and cpu_post_ms.\n"
    "\n"
    "formats:\n"
    "  trtexec            TensorRT trtexec console output (7.x, 8.0-8.2, 8.4+,\n"
    "                     --dumpProfile table)\n"
    "  trtexec-times      trtexec --exportTimes JSON\n"
    "  trtexec-profile    trtexec --exportProfile JSON\n"
    "  openvino           OpenVINO benchmark_app console output (old and 2022+)\n"
    "  openvino-csv       OpenVINO benchmark_app report CSV\n"
    "  tflite             TFLite benchmark_model console output, op-profiling tables\n"
    "  coral              Coral pycoral inference or edgetpu detection CSV\n"
    "  mlperf             MLPerf LoadGen mlperf_log_summary.txt\n"
    "\n"
    "options:\n"
    "  -o PROFILE          the profile file to write (replaced atomically)\n"
    "  --id ID             the profile's id (1-63 bytes)\n"
    "  --model MODEL       the model id of the table (models/*.json)\n"
    "  --accelerator KIND  gpu, tpu, vpu or cpu\n"
    "  --frame WxH         the frame size of every point, in pixels\n"
    "  --instances N,...   one instance count per FILE, in order (default: what\n"
    "                      each file says: trtexec streams, benchmark_app requests;\n"
    "                      else 1); two files may not give the same count\n"
    "  --select TEXT       coral only: the row of a file holding several models, the\n"
    "                      one whose names are TEXT, or the only one containing it\n"
    "  --description TEXT  the hardware, in words (default: the format)\n"
    "  --host-link TEXT    how the accelerator hangs off its host (USB 3.0, PCIe)\n"
    "  --cpu-pre-ms MS     added to cpu_pre_ms of every point (default 0)\n"
    "  --cpu-post-ms MS    added to cpu_post_ms of every point (default 0)\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid input\n";

static const char usage_version[] = "usage: tiersim version\n\nPrints the version.\n";

static int usage_error(const char *usage, const char *fmt, const char *arg)
{
	fprintf(stderr, "tiersim: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return TS_EXIT_USAGE;
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static bool parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static int report(int rc, const struct ts_error *err)
{
	if (rc == 0)
		return TS_EXIT_OK;
	fprintf(stderr, "tiersim: %s\n", err->msg);
	return ts_status_exit(rc);
}

static int cmd_run(int argc, char **argv)
{
	struct run_config cfg = {.replications = 1, .trace_sample = 1};
	struct ts_error err = {0};
	bool quiet = false;

	if (wants_help(argc, argv)) {
		fputs(usage_run, stdout);
		return TS_EXIT_OK;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		uint64_t v;

		if (strcmp(a, "-o") == 0 || strcmp(a, "--seed") == 0 ||
		    strcmp(a, "--replications") == 0 || strcmp(a, "--policy") == 0 ||
		    strcmp(a, "--trace") == 0 || strcmp(a, "--trace-sample") == 0) {
			if (!has_value)
				return usage_error(usage_run, "option %s needs a value", a);
			i++;
		}
		if (strcmp(a, "-o") == 0) {
			cfg.out_dir = argv[i];
		} else if (strcmp(a, "--seed") == 0) {
			if (!parse_u64(argv[i], UINT64_MAX, &cfg.seed))
				return usage_error(usage_run,
						   "--seed wants a whole number from 0 to "
						   "18446744073709551615, got \"%s\"",
						   argv[i]);
			cfg.has_seed = true;
		} else if (strcmp(a, "--replications") == 0) {
			if (!parse_u64(argv[i], 10000, &v) || v == 0)
				return usage_error(usage_run,
						   "--replications wants a whole number from 1 to "
						   "10000, got \"%s\"",
						   argv[i]);
			cfg.replications = (unsigned)v;
		} else if (strcmp(a, "--policy") == 0) {
			struct ts_error err = {0};

			cfg.policy = argv[i];
			if (policy_find(cfg.policy) == NULL) {
				policy_unknown(cfg.policy, &err);
				return usage_error(usage_run, "--policy: %s", err.msg);
			}
		} else if (strcmp(a, "--requests-csv") == 0) {
			cfg.requests_csv = true;
		} else if (strcmp(a, "--trace") == 0) {
			cfg.trace = argv[i];
			if (cfg.trace[0] == '\0' || cfg.trace[strlen(cfg.trace) - 1] == '/')
				return usage_error(
				    usage_run, "--trace wants a file name, got \"%s\"", cfg.trace);
		} else if (strcmp(a, "--trace-sample") == 0) {
			if (!parse_u64(argv[i], UINT64_MAX, &cfg.trace_sample) ||
			    cfg.trace_sample == 0)
				return usage_error(usage_run,
						   "--trace-sample wants a whole number from 1 to "
						   "18446744073709551615, got \"%s\"",
						   argv[i]);
		} else if (strcmp(a, "--quiet") == 0) {
			quiet = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error(usage_run, "unknown option %s", a);
		} else if (cfg.scenario_path == NULL) {
			cfg.scenario_path = a;
		} else {
			return usage_error(usage_run, "unexpected argument \"%s\"", a);
		}
	}
	if (cfg.scenario_path == NULL)
		return usage_error(usage_run, "%s", "run needs a SCENARIO file");
	if (cfg.trace_sample != 1 && cfg.trace == NULL)
		return usage_error(usage_run, "%s", "--trace-sample needs --trace FILE");
	/* A progress line only makes sense where it is rewritten in place. */
	cfg.progress = !quiet && isatty(STDERR_FILENO) ? stderr : NULL;
	return report(run_scenario(&cfg, stdout, stderr, &err), &err);
}

static int cmd_sweep(int argc, char **argv)
{
	struct sweep_config cfg = {0};
	struct ts_error err = {0};
	const char *stop = getenv("TIERSIM_SWEEP_STOP_AFTER");
	bool quiet = false, primary;
	uint64_t v;
	int rc;

	if (wants_help(argc, argv)) {
		fputs(usage_sweep, stdout);
		return TS_EXIT_OK;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-o") == 0) {
			if (i + 1 == argc)
				return usage_error(usage_sweep, "option %s needs a value", a);
			cfg.out_dir = argv[++i];
		} else if (strcmp(a, "--quiet") == 0) {
			quiet = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error(usage_sweep, "unknown option %s", a);
		} else if (cfg.path == NULL) {
			cfg.path = a;
		} else {
			return usage_error(usage_sweep, "unexpected argument \"%s\"", a);
		}
	}
	if (cfg.path == NULL)
		return usage_error(usage_sweep, "%s", "sweep needs a SWEEP file");
	if (stop != NULL) {
		if (!parse_u64(stop, SWEEP_MAX_ITEMS, &v) || v == 0)
			return usage_error(usage_sweep,
					   "TIERSIM_SWEEP_STOP_AFTER wants a whole number from 1 "
					   "to 1000000, got \"%s\"",
					   stop);
		cfg.stop_after = (size_t)v;
	}
	cfg.progress = !quiet && isatty(STDERR_FILENO) ? stderr : NULL;
	rc = sweep_run(&cfg, stdout, stderr, &primary, &err);
	/* Under MPI only rank 0 speaks. */
	return primary ? report(rc, &err) : ts_status_exit(rc);
}

static int cmd_validate(int argc, char **argv)
{
	int worst = TS_EXIT_OK;

	if (wants_help(argc, argv)) {
		fputs(usage_validate, stdout);
		return TS_EXIT_OK;
	}
	if (argc == 0)
		return usage_error(usage_validate, "%s", "validate needs at least one SCENARIO");
	for (int i = 0; i < argc; i++) {
		struct ts_error err = {0};
		struct scenario *s;
		int rc = scenario_load(argv[i], &s, &err);

		if (rc < 0) {
			int code = report(rc, &err);

			if (code > worst)
				worst = code;
			continue;
		}
		if (s->n_jobs > 0)
			printf("%s: valid (%zu jobs, %zu nodes, %zu links, policy %s)\n", argv[i],
			       s->n_jobs, s->n_nodes, s->n_links, s->policy);
		else
			printf("%s: valid (%zu nodes, %zu links, %zu apps, policy %s)\n", argv[i],
			       s->n_nodes, s->n_links, s->n_apps, s->policy);
		scenario_free(s);
	}
	return worst;
}

static int profile_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static int list_profiles(void)
{
	const char *dir = scenario_profile_dir();
	struct dirent **names;
	int n = scandir(dir, &names, profile_filter, alphasort);
	int code = TS_EXIT_OK;

	if (n < 0) {
		fprintf(stderr, "tiersim: %s: cannot list: %s\n", dir, strerror(errno));
		return TS_EXIT_RUNTIME;
	}
	printf("profiles in %s (name it in an accelerator's \"profile\"):\n", dir);
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct ts_error err = {0};
		struct profile *p;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		rc = profile_load(path, &p, &err);
		if (rc < 0) {
			code = report(rc, &err);
			continue;
		}
		printf("  %-22s %-4s %s\n", profile_id(p), profile_kind(p), profile_description(p));
		for (size_t m = 0; m < profile_model_count(p); m++) {
			double px_lo, px_hi, i_lo, i_hi;

			profile_range(p, (int)m, &px_lo, &px_hi, &i_lo, &i_hi);
			printf("  %-22s      model %s: %.0f-%.0f pixels, %.0f-%.0f instances\n", "",
			       profile_model(p, m), px_lo, px_hi, i_lo, i_hi);
		}
		profile_free(p);
	}
	free(names);
	return code;
}

static int cmd_list(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_list, stdout);
		return TS_EXIT_OK;
	}
	if (argc != 1)
		return usage_error(usage_list, "%s",
				   "list wants one of: policies, distributions, profiles");
	if (strcmp(argv[0], "policies") == 0) {
		printf("%-16s %-11s %s\n", "policy", "runs on", "what it does");
		for (size_t i = 0; policy_registry[i] != NULL; i++) {
			const struct policy_ops *p = policy_registry[i];

			printf("%-16s %-11s %s\n", p->name, policy_modes(p), p->description);
			for (size_t k = 0; k < p->n_params; k++)
				printf("%-28s param %s: %s; %.15g to %.15g, default %.15g\n", "",
				       p->params[k].name, p->params[k].description,
				       p->params[k].min, p->params[k].max, p->params[k].def);
		}
		printf("\n\"runs on\": apps = scenarios with \"apps\" (online simulation), jobs = "
		       "scenarios with \"jobs\" (offline job sets)\n");
		return TS_EXIT_OK;
	}
	if (strcmp(argv[0], "distributions") == 0) {
		for (int k = 0; k < DIST_KIND_COUNT; k++)
			printf("%-12s %s\n", dist_name((enum dist_kind)k),
			       dist_description((enum dist_kind)k));
		printf("any law also takes floor_ms (draws at or below are resampled) and "
		       "cap_ms (draws above become cap_ms)\n");
		printf("\npresets (a link's \"preset\"; the link's own delay and bandwidth_Bps "
		       "override the preset's):\n");
		for (size_t i = 0; dist_presets[i] != NULL; i++) {
			const struct dist_preset *p = dist_presets[i];
			char law[512];

			dist_format(&p->delay, law, sizeof(law));
			if (p->bandwidth_Bps > 0)
				printf("%-17s %s, bandwidth_Bps %.15g\n", p->name, law,
				       p->bandwidth_Bps);
			else
				printf("%-17s %s, no bandwidth (the link gives bandwidth_Bps)\n",
				       p->name, law);
			printf("%-17s source: %s\n", "", p->source);
		}
		return TS_EXIT_OK;
	}
	if (strcmp(argv[0], "profiles") == 0)
		return list_profiles();
	return usage_error(usage_list, "unknown list \"%s\"", argv[0]);
}

static void print_quantised_note(const struct fit *fit)
{
	const struct fit_dequant *dq = &fit->dq;

	printf("- quantised: %zu of %zu delays are tied; every delay ", dq->n_tied, fit->n);
	if (dq->step_ms > 0 && dq->sig_digits > 0)
		printf("is a multiple of\n  %g ms with at most %d significant digits.\n",
		       dq->step_ms, dq->sig_digits);
	else if (dq->step_ms > 0)
		printf("is a multiple of\n  %g ms.\n", dq->step_ms);
	else
		printf("has at most\n  %d significant digits.\n", dq->sig_digits);
	printf("  Before fitting, each run of k equal values v was spread evenly over\n"
	       "  v +- q/2: the j-th (j = 0..k-1) became v + q ((j + 0.5) / k - 0.5), q\n"
	       "  being v's rounding step (%g",
	       dq->min_step_ms);
	if (dq->max_step_ms > dq->min_step_ms)
		printf(" to %g", dq->max_step_ms);
	printf(" ms here).  The quantiles above are of the\n  delays as read.\n");
}

static void print_stable_note(const struct fit_mcculloch *m)
{
	printf("- stable: McCulloch's (1986) quantile estimate, from nu_alpha %.4g and\n"
	       "  nu_beta %.4g.\n",
	       m->nu_alpha, m->nu_beta);
	if (m->clamped)
		printf("  These lie outside his tables (no stable law has them), so alpha and\n"
		       "  beta are the nearest values the tables give.\n");
	printf("  GSL has no stable CDF: D is the two-sample distance to %d draws of\n"
	       "  the fitted law (fixed seed), which adds up to about 0.004, and p uses\n"
	       "  the size n m / (n + m).\n",
	       FIT_STABLE_REF_DRAWS);
}

static void print_fit_table(const char *path, const struct trace *t, const struct fit *fit)
{
	printf("%s: %zu delays%s\n", path, fit->n, t->ping ? " (ping replies)" : "");
	printf("quantiles (ms): 5%% %g, 25%% %g, 50%% %g, 75%% %g, 95%% %g\n\n", fit->q[0],
	       fit->q[1], fit->q[2], fit->q[3], fit->q[4]);
	printf("%-12s %-7s %-7s %s\n", "family", "KS D", "p", "parameters");
	for (size_t i = 0; i < fit->n_laws; i++) {
		const struct fit_law *l = &fit->law[i];
		char p[16];

		if (l->ks_p < 0.001)
			snprintf(p, sizeof(p), "<0.001");
		else
			snprintf(p, sizeof(p), "%.3f", l->ks_p);
		printf("%-12s %-7.4f %-7s", fit_family_name(l->family), l->ks_d, p);
		for (size_t k = 0; k < fit_param_count(l->family); k++)
			printf(" %s %.6g", fit_param_name(l->family, k), l->param[k]);
		printf("\n");
	}
	printf("\nnotes:\n");
	if (fit->dq.applied)
		print_quantised_note(fit);
	printf("- D is the largest gap between the empirical CDF and the fitted CDF; smaller\n"
	       "  is better.  p is the asymptotic Kolmogorov p-value, too large here because\n"
	       "  the parameters were estimated from the same data (Lilliefors): compare\n"
	       "  families by D and read a small p as a clear misfit.\n");
	for (size_t i = 0; i < fit->n_laws; i++)
		if (fit->law[i].family == FIT_STABLE)
			print_stable_note(&fit->stable);
	for (size_t i = 0; i < fit->n_skips; i++)
		printf("- %s not fitted: %s\n", fit_family_name(fit->skip[i].family),
		       fit->skip[i].why.msg);
}

/* The law as a link "delay" object on one line; a law that reaches below
 * 0 ms gets "floor_ms": 0, since delays are positive. */
static int print_fit_json(const struct fit_law *l, struct ts_error *err)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && cJSON_AddStringToObject(o, "law", fit_family_name(l->family));
	char *text = NULL;

	for (size_t k = 0; ok && k < fit_param_count(l->family); k++) {
		char num[32];

		outfile_format_double(l->param[k], num, sizeof(num));
		ok = cJSON_AddRawToObject(o, fit_param_name(l->family, k), num) != NULL;
	}
	if (ok && fit_below_zero(l->family))
		ok = cJSON_AddNumberToObject(o, "floor_ms", 0) != NULL;
	if (ok)
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	printf("%s\n", text);
	cJSON_free(text);
	return 0;
}

#define PLOT_POINTS 400

static void write_plot_data(FILE *f, const struct trace *t, const struct fit *fit, bool logx)
{
	double lo = t->sorted[0], hi = t->sorted[t->n - 1];

	fprintf(f, "# delay_ms, P(delay <= delay_ms): block 0 the trace (steps), then one\n"
		   "# block per fitted law in the order of the table\n");
	for (size_t i = 0; i < t->n; i++)
		fprintf(f, "%.17g %.17g\n", t->sorted[i], (double)(i + 1) / (double)t->n);
	for (size_t k = 0; k < fit->n_laws; k++) {
		fprintf(f, "\n\n# %s\n", fit_family_name(fit->law[k].family));
		for (int i = 0; i < PLOT_POINTS; i++) {
			double u = (double)i / (PLOT_POINTS - 1);
			double x = logx ? lo * pow(hi / lo, u) : lo + (hi - lo) * u;

			fprintf(f, "%.17g %.17g\n", x, fit_cdf(fit, k, x));
		}
	}
}

static void write_plot_script(FILE *f, const char *trace_path, const struct fit *fit,
			      const char *png, const char *dat, bool logx, double lo, double hi)
{
	plot_script_begin(f, "Empirical CDF of a delay trace against the laws fit-delay fitted",
			  png, "png", 1000, 640);
	fputs("set title ", f);
	plot_quote(f, trace_path);
	fprintf(f, " . ': measured delays (n = %zu) and fitted laws'\n", fit->n);
	fprintf(f, "set xlabel 'delay (ms)%s'\n", logx ? ", log scale" : "");
	fprintf(f, "set ylabel 'P(delay <= x)'\n"
		   "set key right bottom\n"
		   "set grid\n");
	if (logx)
		fprintf(f, "set logscale x\n");
	fprintf(f, "set xrange [%.17g:%.17g]\nset yrange [0:1]\nplot ", lo, hi);
	plot_quote(f, dat);
	fprintf(f, " index 0 using 1:2 with steps lw 2 lc rgb 'black' title 'measured'");
	for (size_t k = 0; k < fit->n_laws; k++)
		fprintf(f, ", \\\n     '' index %zu using 1:2 with lines lw 2 title '%s (D %.4f)'",
			k + 1, fit_family_name(fit->law[k].family), fit->law[k].ks_d);
	fprintf(f, "\n");
}

static int write_plot(const char *plot, const char *trace_path, const struct trace *t,
		      const struct fit *fit, FILE *msg, struct ts_error *err)
{
	const char *base;
	char *dir = outfile_split_path(plot, &base);
	size_t n = strlen(base) + 5;
	char *gp_name = malloc(n), *dat_name = malloc(n), *gp_path = NULL, *dat_path = NULL;
	char *gnuplot = NULL;
	struct outfile gp = {0}, dat = {0}, png = {0};
	double lo = t->sorted[0], hi = t->sorted[t->n - 1];
	bool logx = lo > 0 && hi / lo >= 10;
	int rc = TS_ENOMEM;

	if (dir == NULL || gp_name == NULL || dat_name == NULL) {
		ts_error_set(err, rc, "out of memory");
		goto out;
	}
	snprintf(gp_name, n, "%s.gp", base);
	snprintf(dat_name, n, "%s.dat", base);
	rc = outfile_open(&dat, dir, dat_name, err);
	if (rc == 0)
		rc = outfile_open(&gp, dir, gp_name, err);
	if (rc < 0)
		goto out;
	/* The script names the data by the path as given, so it renders from
	 * the directory tiersim ran in, and the bytes do not depend on it. */
	gp_path = malloc(strlen(plot) + 5);
	dat_path = malloc(strlen(plot) + 5);
	if (gp_path == NULL || dat_path == NULL) {
		rc = ts_error_set(err, TS_ENOMEM, "out of memory");
		goto out;
	}
	sprintf(gp_path, "%s.gp", plot);
	sprintf(dat_path, "%s.dat", plot);
	write_plot_data(dat.f, t, fit, logx);
	write_plot_script(gp.f, trace_path, fit, plot, dat_path, logx, lo, hi);
	rc = outfile_commit(&dat, err);
	if (rc == 0)
		rc = outfile_commit(&gp, err);
	if (rc < 0)
		goto out;
	gnuplot = plot_find_on_path("gnuplot");
	if (gnuplot == NULL) {
		fprintf(msg,
			"plot: gnuplot is not on PATH; wrote %s and %s, render them with:\n"
			"  gnuplot %s\n",
			gp_path, dat_path, gp_path);
		goto out;
	}
	rc = outfile_open(&png, dir, base, err);
	if (rc == 0)
		rc = plot_render(gnuplot, gp_path, NULL, &png, err);
	if (rc == 0)
		fprintf(msg, "plot: wrote %s (from %s and %s)\n", plot, gp_path, dat_path);
out:
	outfile_discard(&dat);
	outfile_discard(&gp);
	outfile_discard(&png);
	free(gnuplot);
	free(gp_path);
	free(dat_path);
	free(gp_name);
	free(dat_name);
	free(dir);
	return rc;
}

/* Control characters in a path would break the gnuplot script. */
static bool plain_path(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			return false;
	return true;
}

static int cmd_fit_delay(int argc, char **argv)
{
	const char *path = NULL, *plot = NULL;
	unsigned families = (1u << FIT_FAMILY_COUNT) - 1;
	bool json = false;
	struct trace t = {0};
	struct fit fit = {0};
	struct ts_error err = {0};
	int rc;

	if (wants_help(argc, argv)) {
		fputs(usage_fit_delay, stdout);
		return TS_EXIT_OK;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--family") == 0 || strcmp(a, "--plot") == 0) {
			if (i + 1 == argc)
				return usage_error(usage_fit_delay, "option %s needs a value", a);
			i++;
		}
		if (strcmp(a, "--family") == 0) {
			enum fit_family f;

			if (strcmp(argv[i], "all") == 0) {
				families = (1u << FIT_FAMILY_COUNT) - 1;
			} else if (fit_family_find(argv[i], &f)) {
				families = 1u << f;
			} else {
				return usage_error(usage_fit_delay,
						   "--family wants stable, normal, lognormal, "
						   "exponential, gamma, weibull or all, got \"%s\"",
						   argv[i]);
			}
		} else if (strcmp(a, "--plot") == 0) {
			plot = argv[i];
			if (plot[0] == '\0' || plot[strlen(plot) - 1] == '/' || !plain_path(plot))
				return usage_error(usage_fit_delay,
						   "--plot wants a file name without control "
						   "characters, got \"%s\"",
						   plot);
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error(usage_fit_delay, "unknown option %s", a);
		} else if (path == NULL) {
			path = a;
		} else {
			return usage_error(usage_fit_delay, "unexpected argument \"%s\"", a);
		}
	}
	if (path == NULL)
		return usage_error(usage_fit_delay, "%s", "fit-delay needs a TRACE file");
	rc = trace_load(path, &t, &err);
	if (rc == 0) {
		rc = fit_run(&fit, t.ms, t.n, families, &err);
		if (rc < 0)
			ts_error_prefix(&err, "%s: ", path);
	}
	if (rc == 0 && json)
		rc = print_fit_json(&fit.law[0], &err);
	else if (rc == 0)
		print_fit_table(path, &t, &fit);
	if (rc == 0 && plot != NULL)
		rc = write_plot(plot, path, &t, &fit, json ? stderr : stdout, &err);
	fit_release(&fit);
	trace_release(&t);
	return report(rc, &err);
}

static int cmd_check(int argc, char **argv)
{
	int worst = TS_EXIT_OK;

	if (wants_help(argc, argv)) {
		fputs(usage_check, stdout);
		return TS_EXIT_OK;
	}
	if (argc == 0)
		return usage_error(usage_check, "%s", "check needs at least one GOLDEN_DIR");
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-')
			return usage_error(usage_check, "unknown option %s", argv[i]);
	for (int i = 0; i < argc; i++) {
		struct ts_error err = {0};
		struct golden_result res;
		int rc = golden_check(argv[i], stdout, &res, &err);
		int code = rc < 0		 ? report(rc, &err)
			   : res.regressions > 0 ? TS_EXIT_RUNTIME
						 : TS_EXIT_OK;

		if (code > worst)
			worst = code;
	}
	return worst;
}

static int cmd_plot(int argc, char **argv)
{
	struct plotdir_options o = {.format = "png"};
	struct ts_error err = {0};
	const char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	const char **metrics = calloc((size_t)argc + 1, sizeof(*metrics));
	int code = TS_EXIT_OK;

	if (wants_help(argc, argv)) {
		fputs(usage_plot, stdout);
		goto out;
	}
	if (dirs == NULL || metrics == NULL) {
		fprintf(stderr, "tiersim: out of memory\n");
		code = TS_EXIT_RUNTIME;
		goto out;
	}
	o.dirs = dirs;
	o.metrics = metrics;
	for (int i = 0; code == TS_EXIT_OK && i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-o") == 0 || strcmp(a, "--format") == 0 ||
		    strcmp(a, "--metric") == 0) {
			if (i + 1 == argc) {
				code = usage_error(usage_plot, "option %s needs a value", a);
				break;
			}
			i++;
		}
		if (strcmp(a, "-o") == 0) {
			o.out_dir = argv[i];
		} else if (strcmp(a, "--format") == 0) {
			o.format = argv[i];
			if (strcmp(o.format, "png") != 0 && strcmp(o.format, "svg") != 0)
				code = usage_error(
				    usage_plot, "--format wants png or svg, got \"%s\"", o.format);
		} else if (strcmp(a, "--metric") == 0) {
			metrics[o.n_metrics++] = argv[i];
		} else if (a[0] == '-' && a[1] != '\0') {
			code = usage_error(usage_plot, "unknown option %s", a);
		} else if (!plain_path(a)) {
			code = usage_error(usage_plot, "%s",
					   "RESULTS_DIR wants a path without control characters");
		} else {
			dirs[o.n_dirs++] = a;
		}
	}
	if (code == TS_EXIT_OK && o.out_dir != NULL && !plain_path(o.out_dir))
		code = usage_error(usage_plot, "%s", "-o wants a path without control characters");
	if (code == TS_EXIT_OK && o.n_dirs == 0)
		code = usage_error(usage_plot, "%s", "plot needs at least one RESULTS_DIR");
	if (code == TS_EXIT_OK)
		code = report(plotdir_run(&o, stdout, stderr, &err), &err);
out:
	free(dirs);
	free(metrics);
	return code;
}

/* "A,B,C": one instance count in [1, 4096] per file, exactly `want`. */
static int64_t *parse_instances(const char *text, size_t want)
{
	int64_t *v = calloc(want, sizeof(*v));
	const char *p = text;
	size_t n = 0;

	while (v != NULL && n < want) {
		char buf[16];
		size_t len = strcspn(p, ",");
		uint64_t x;

		if (len == 0 || len >= sizeof(buf))
			break;
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (!parse_u64(buf, 4096, &x) || x == 0)
			break;
		v[n++] = (int64_t)x;
		p += len;
		if (*p == '\0')
			break;
		p++;
	}
	if (v != NULL && n == want && *p == '\0')
		return v;
	free(v);
	return NULL;
}

static int cmd_import(int argc, char **argv)
{
	static const char *const value_opts[] = {
	    "-o",	   "--id",	   "--model",	    "--accelerator",
	    "--frame",	   "--instances",  "--select",	    "--description",
	    "--host-link", "--cpu-pre-ms", "--cpu-post-ms", NULL};
	struct import_options o = {0};
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	const char *out = NULL, *inst = NULL, *format = NULL;
	char *command = NULL;
	struct ts_error err = {0};
	size_t clen = strlen("tiersim import") + 1;
	int code = TS_EXIT_OK;

	if (wants_help(argc, argv)) {
		free(files);
		fputs(usage_import, stdout);
		return TS_EXIT_OK;
	}
	if (files == NULL) {
		fputs("tiersim: out of memory\n", stderr);
		return TS_EXIT_RUNTIME;
	}
	for (int i = 0; i < argc && code == TS_EXIT_OK; i++) {
		const char *a = argv[i], *v = NULL;
		char *end;

		for (size_t k = 0; value_opts[k] != NULL; k++) {
			if (strcmp(a, value_opts[k]) != 0)
				continue;
			if (i + 1 == argc) {
				code = usage_error(usage_import, "option %s needs a value", a);
				goto out;
			}
			v = argv[++i];
		}
		if (strcmp(a, "-o") == 0) {
			out = v;
		} else if (strcmp(a, "--id") == 0) {
			o.id = v;
		} else if (strcmp(a, "--model") == 0) {
			o.model = v;
		} else if (strcmp(a, "--accelerator") == 0) {
			o.accelerator = v;
			if (strcmp(v, "gpu") != 0 && strcmp(v, "tpu") != 0 &&
			    strcmp(v, "vpu") != 0 && strcmp(v, "cpu") != 0)
				code = usage_error(
				    usage_import,
				    "--accelerator wants gpu, tpu, vpu or cpu, got \"%s\"", v);
		} else if (strcmp(a, "--frame") == 0) {
			long w = strtol(v, &end, 10),
			     h = *end == 'x' ? strtol(end + 1, &end, 10) : 0;

			if (v[0] < '1' || v[0] > '9' || *end != '\0' || w < 1 || w > 100000 ||
			    h < 1 || h > 100000)
				code =
				    usage_error(usage_import,
						"--frame wants WxH, whole numbers in [1, 100000], "
						"got \"%s\"",
						v);
			o.frame_w = w;
			o.frame_h = h;
		} else if (strcmp(a, "--instances") == 0) {
			inst = v;
		} else if (strcmp(a, "--select") == 0) {
			o.select = v;
		} else if (strcmp(a, "--description") == 0) {
			o.description = v;
		} else if (strcmp(a, "--host-link") == 0) {
			o.host_link = v;
		} else if (strcmp(a, "--cpu-pre-ms") == 0 || strcmp(a, "--cpu-post-ms") == 0) {
			double ms = strtod(v, &end);

			if (!(v[0] >= '0' && v[0] <= '9') || *end != '\0' || !(ms <= 1e6))
				code =
				    usage_error(usage_import,
						"--cpu-pre-ms and --cpu-post-ms want milliseconds "
						"in [0, 1e6], got \"%s\"",
						v);
			*(strcmp(a, "--cpu-pre-ms") == 0 ? &o.cpu_pre_ms : &o.cpu_post_ms) = ms;
		} else if (a[0] == '-' && a[1] != '\0') {
			code = usage_error(usage_import, "unknown option %s", a);
		} else if (format == NULL) {
			format = a;
		} else {
			files[o.nfiles++] = a;
		}
	}
	if (code != TS_EXIT_OK)
		goto out;
	if (format == NULL || (o.format = import_find(format)) == NULL) {
		code =
		    usage_error(usage_import, "import needs a FORMAT of the list below, got \"%s\"",
				format != NULL ? format : "");
		goto out;
	}
	if (o.select != NULL && o.format != &import_coral) {
		code = usage_error(usage_import,
				   "--select picks a row of a coral CSV; %s has no rows", format);
		goto out;
	}
	if (o.nfiles == 0 || out == NULL || o.id == NULL || o.model == NULL ||
	    o.accelerator == NULL || o.frame_w == 0) {
		code = usage_error(usage_import, "%s",
				   "import needs FILE..., -o, --id, --model, --accelerator and "
				   "--frame");
		goto out;
	}
	if (strlen(o.id) > 63 || strlen(o.model) > 63) {
		code = usage_error(usage_import, "%s", "--id and --model take at most 63 bytes");
		goto out;
	}
	if (inst != NULL && (o.instances = parse_instances(inst, o.nfiles)) == NULL) {
		code = usage_error(usage_import,
				   "--instances wants one count in [1, 4096] per FILE, "
				   "comma-separated, got \"%s\"",
				   inst);
		goto out;
	}
	for (int i = 0; i < argc; i++)
		clen += strlen(argv[i]) + 1;
	command = malloc(clen);
	if (command != NULL) {
		strcpy(command, "tiersim import");
		for (int i = 0; i < argc; i++) {
			strcat(command, " ");
			strcat(command, argv[i]);
		}
	}
	o.files = files;
	o.command = command;
	code = report(import_run(&o, out, &err), &err);
	if (code == TS_EXIT_OK)
		printf("%s: %zu point%s of %s from %s\n", out, o.nfiles, o.nfiles == 1 ? "" : "s",
		       o.model, o.format->name);
out:
	free((void *)o.instances);
	free(command);
	free(files);
	return code;
}

static int cmd_version(int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		fputs(usage_version, stdout);
		return TS_EXIT_OK;
	}
	if (argc != 0)
		return usage_error(usage_version, "unexpected argument \"%s\"", argv[0]);
	printf("tiersim %s\n", TIERSIM_VERSION);
	return TS_EXIT_OK;
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
    {"run", cmd_run, usage_run},
    {"sweep", cmd_sweep, usage_sweep},
    {"validate", cmd_validate, usage_validate},
    {"list", cmd_list, usage_list},
    {"fit-delay", cmd_fit_delay, usage_fit_delay},
    {"check", cmd_check, usage_check},
    {"plot", cmd_plot, usage_plot},
    {"import", cmd_import, usage_import},
    {"calibrate", calibrate_cmd, calibrate_usage},
    {"fidelity", fidelity_cmd, fidelity_usage},
    {"version", cmd_version, usage_version},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;

	/* GSL's default handler aborts; every GSL status is checked instead. */
	gsl_set_error_handler_off();
	if (argc < 2)
		return usage_error(usage_main, "%s", "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			c = find_command(argv[2]);
			if (c == NULL)
				return usage_error(usage_main, "unknown command \"%s\"", argv[2]);
			fputs(c->usage, stdout);
			return TS_EXIT_OK;
		}
		fputs(usage_main, stdout);
		return TS_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	c = find_command(argv[1]);
	if (c == NULL)
		return usage_error(usage_main, "unknown command \"%s\"", argv[1]);
	return c->fn(argc - 2, argv + 2);
}
