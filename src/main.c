/* The tiersim command line.  The usage texts here are the reference for
 * docs/cli.md and the README; keep them in step. */
#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dist.h"
#include "policy.h"
#include "profile.h"
#include "run.h"
#include "scenario.h"
#include "status.h"

static const char usage_main[] =
    "usage: tiersim COMMAND [ARGS]\n"
    "\n"
    "Discrete-event simulation of AI inference on devices, edge nodes and cloud.\n"
    "\n"
    "commands:\n"
    "  run SCENARIO [options]       simulate a scenario and write its results\n"
    "  validate SCENARIO...         check scenario files without running them\n"
    "  list policies|distributions|profiles\n"
    "                               show what scenarios can name\n"
    "  version                      print the version\n"
    "  help [COMMAND]               show this text or a command's\n"
    "\n"
    "Each command takes --help.\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid input\n";

static const char usage_run[] =
    "usage: tiersim run SCENARIO [-o DIR] [--seed N] [--replications R]\n"
    "                   [--policy NAME] [--requests-csv]\n"
    "\n"
    "Simulates SCENARIO and writes manifest.json, summary.json and, with\n"
    "--requests-csv, requests.csv into the results directory; prints a short\n"
    "summary.\n"
    "\n"
    "  -o DIR             results directory (default: results/<scenario name>)\n"
    "  --seed N           master seed, 0 to 2^64-1 (default: the scenario's seed)\n"
    "  --replications R   independent replications, 1 to 10000 (default 1); the\n"
    "                     summary then gives means with 95% confidence intervals\n"
    "  --policy NAME      use this policy instead of the scenario's\n"
    "  --requests-csv     also write one row per request with every stage time\n"
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
    "  policies        allocation policies a scenario's policy.name can name\n"
    "  distributions   network delay laws for links\n"
    "  profiles        shipped latency profiles (models/profiles)\n"
    "\n"
    "exit codes: 0 success, 2 usage error, 3 a shipped profile is invalid\n";

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
	struct run_config cfg = {.replications = 1};
	struct ts_error err = {0};

	if (wants_help(argc, argv)) {
		fputs(usage_run, stdout);
		return TS_EXIT_OK;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		uint64_t v;

		if (strcmp(a, "-o") == 0 || strcmp(a, "--seed") == 0 ||
		    strcmp(a, "--replications") == 0 || strcmp(a, "--policy") == 0) {
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
	return report(run_scenario(&cfg, stdout, stderr, &err), &err);
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
		for (size_t i = 0; policy_registry[i] != NULL; i++)
			printf("%-15s %s\n", policy_registry[i]->name,
			       policy_registry[i]->description);
		return TS_EXIT_OK;
	}
	if (strcmp(argv[0], "distributions") == 0) {
		for (int k = 0; k < DIST_KIND_COUNT; k++)
			printf("%-10s %s\n", dist_name((enum dist_kind)k),
			       dist_description((enum dist_kind)k));
		printf("any law also takes floor_ms (draws at or below are resampled) and "
		       "cap_ms (draws above become cap_ms)\n");
		return TS_EXIT_OK;
	}
	if (strcmp(argv[0], "profiles") == 0)
		return list_profiles();
	return usage_error(usage_list, "unknown list \"%s\"", argv[0]);
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
    {"validate", cmd_validate, usage_validate},
    {"list", cmd_list, usage_list},
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
