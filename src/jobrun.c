#include "jobrun.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jobset.h"
#include "outfile.h"
#include "plot.h"

/* What one run computed, times in ns. */
struct jobrun_result {
	const struct scenario *s;
	const struct policy_ops *policy;
	const double *params;
	const char *dir;
	enum tier *machine;
	struct jobset_slot *slots;
	struct jobset_totals totals;
};

/* A time in the scenario's time units. */
static double in_units(const struct scenario *s, double ns)
{
	return ns / (s->time_unit_ms * 1e6);
}

static void put_units(FILE *f, const struct scenario *s, double ns, const char *sep)
{
	char buf[32];

	outfile_format_double(in_units(s, ns), buf, sizeof(buf));
	fprintf(f, "%s%s", buf, sep);
}

/* NULL when out of memory. */
static cJSON *summary_json(const struct jobrun_result *r)
{
	const struct scenario *s = r->s;
	cJSON *root = cJSON_CreateObject(), *jobs, *machines;
	size_t count[TIER_COUNT] = {0};
	bool failed = root == NULL;

	for (size_t i = 0; i < s->n_jobs; i++)
		count[r->machine[i]]++;
	failed |= cJSON_AddStringToObject(root, "format", "tiersim-summary/1") == NULL;
	failed |= cJSON_AddStringToObject(root, "scenario", s->name) == NULL;
	failed |= cJSON_AddStringToObject(root, "policy", r->policy->name) == NULL;
	jobs = cJSON_AddObjectToObject(root, "jobs");
	failed |= jobs == NULL;
	failed |= cJSON_AddNumberToObject(jobs, "count", (double)s->n_jobs) == NULL;
	failed |= cJSON_AddNumberToObject(jobs, "time_unit_ms", s->time_unit_ms) == NULL;
	failed |= cJSON_AddNumberToObject(jobs, "weighted_total_response",
					  in_units(s, r->totals.weighted)) == NULL;
	failed |=
	    cJSON_AddNumberToObject(jobs, "total_response", in_units(s, r->totals.total)) == NULL;
	failed |= cJSON_AddNumberToObject(jobs, "last_completion",
					  in_units(s, (double)r->totals.last)) == NULL;
	machines = cJSON_AddObjectToObject(jobs, "machines");
	failed |= machines == NULL;
	for (int m = 0; m < TIER_COUNT; m++)
		failed |= cJSON_AddNumberToObject(machines, tier_name((enum tier)m),
						  (double)count[m]) == NULL;
	if (failed) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* NULL when out of memory. */
static cJSON *manifest_json(const struct jobrun_result *r)
{
	const struct scenario *s = r->s;
	cJSON *root = cJSON_CreateObject(), *sc, *params;
	bool failed = root == NULL;

	failed |= cJSON_AddStringToObject(root, "format", "tiersim-manifest/1") == NULL;
	failed |= cJSON_AddStringToObject(root, "tiersim_version", TIERSIM_VERSION) == NULL;
	sc = cJSON_AddObjectToObject(root, "scenario");
	failed |= sc == NULL;
	failed |= cJSON_AddStringToObject(sc, "path", s->path) == NULL;
	failed |= cJSON_AddStringToObject(sc, "name", s->name) == NULL;
	failed |= cJSON_AddStringToObject(sc, "sha256", s->sha256) == NULL;
	failed |= cJSON_AddStringToObject(root, "policy", r->policy->name) == NULL;
	params = cJSON_AddObjectToObject(root, "policy_params");
	failed |= params == NULL;
	for (size_t k = 0; k < r->policy->n_params; k++)
		failed |= cJSON_AddNumberToObject(params, r->policy->params[k].name,
						  r->params[k]) == NULL;
	failed |= cJSON_AddNumberToObject(root, "jobs", (double)s->n_jobs) == NULL;
	failed |= cJSON_AddNumberToObject(root, "time_unit_ms", s->time_unit_ms) == NULL;
	if (s->lambda2_per_byte > 0) {
		failed |= cJSON_AddNumberToObject(root, "lambda1", s->lambda1) == NULL;
		failed |=
		    cJSON_AddNumberToObject(root, "lambda2_per_byte", s->lambda2_per_byte) == NULL;
	}
	if (failed) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static void write_schedule(FILE *f, const struct jobrun_result *r)
{
	const struct scenario *s = r->s;

	fputs("job,machine,weight,release_tu,arrival_tu,start_tu,end_tu,response_tu\n", f);
	for (size_t i = 0; i < s->n_jobs; i++) {
		const struct jobset_slot *sl = &r->slots[i];
		char w[32];

		outfile_format_double(s->jobs[i].weight, w, sizeof(w));
		fprintf(f, "%s,%s,%s,", s->jobs[i].id, tier_name(r->machine[i]), w);
		put_units(f, s, (double)s->jobs[i].release, ",");
		put_units(f, s, (double)sl->arrival, ",");
		put_units(f, s, (double)sl->start, ",");
		put_units(f, s, (double)sl->end, ",");
		put_units(f, s, (double)(sl->end - s->jobs[i].release), "\n");
	}
}

/* The title both the job run and tiersim plot give the chart. */
void jobrun_gantt_title(char *buf, size_t size, const char *scenario, const char *policy,
			double weighted, double total, double last)
{
	snprintf(buf, size, "%s, policy %s: weighted total %.6g, total %.6g, last completion %.6g",
		 scenario, policy, weighted, total, last);
}

static int write_gantt(FILE *gp, FILE *dat, const struct jobrun_result *r, const char *dat_path,
		       const char *png_path, struct ts_error *err)
{
	const struct scenario *s = r->s;
	struct plot_gantt_job *jobs = calloc(s->n_jobs + 1, sizeof(*jobs));
	char title[256];
	int rc;

	if (jobs == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n_jobs; i++)
		jobs[i] = (struct plot_gantt_job){
		    .id = s->jobs[i].id,
		    .machine = r->machine[i],
		    .release = in_units(s, (double)s->jobs[i].release),
		    .arrival = in_units(s, (double)r->slots[i].arrival),
		    .start = in_units(s, (double)r->slots[i].start),
		    .end = in_units(s, (double)r->slots[i].end),
		};
	jobrun_gantt_title(title, sizeof(title), s->name, r->policy->name,
			   in_units(s, r->totals.weighted), in_units(s, r->totals.total),
			   in_units(s, (double)r->totals.last));
	rc = plot_gantt_write(
	    gp, dat,
	    &(struct plot_gantt){
		.title = title, .time_unit_ms = s->time_unit_ms, .jobs = jobs, .n_jobs = s->n_jobs},
	    dat_path, png_path, "png", err);
	free(jobs);
	return rc;
}

/* gantt.png and gantt.svg from the committed script, or a message saying
 * how to render it. */
static int render_gantt(const struct jobrun_result *r, FILE *out, struct ts_error *err)
{
	char *gnuplot = plot_find_on_path("gnuplot");
	int rc;

	if (gnuplot == NULL) {
		fprintf(out,
			"plot: gnuplot is not on PATH; render the Gantt chart with: gnuplot "
			"%s/gantt.gp\n",
			r->dir);
		return 0;
	}
	rc = plot_image(gnuplot, r->dir, "gantt", "png", err);
	if (rc == 0)
		rc = plot_image(gnuplot, r->dir, "gantt", "svg", err);
	if (rc == 0)
		fprintf(out, "plot: %s/gantt.png, %s/gantt.svg\n", r->dir, r->dir);
	free(gnuplot);
	return rc;
}

static int write_files(const struct jobrun_result *r, struct ts_error *err)
{
	struct outfile summary = {0}, manifest = {0}, csv = {0}, gp = {0}, dat = {0};
	size_t n = strlen(r->dir) + 16;
	char *gp_path = malloc(n), *dat_path = malloc(n), *png_path = malloc(n);
	int rc = gp_path == NULL || dat_path == NULL || png_path == NULL
		     ? ts_error_set(err, TS_ENOMEM, "out of memory")
		     : 0;

	if (rc == 0) {
		snprintf(gp_path, n, "%s/gantt.gp", r->dir);
		snprintf(dat_path, n, "%s/gantt.dat", r->dir);
		snprintf(png_path, n, "%s/gantt.png", r->dir);
		rc = outfile_open_json(&summary, r->dir, "summary.json", summary_json(r), err);
	}
	if (rc == 0)
		rc = outfile_open_json(&manifest, r->dir, "manifest.json", manifest_json(r), err);
	if (rc == 0)
		rc = outfile_open(&csv, r->dir, "schedule.csv", err);
	if (rc == 0)
		rc = outfile_open(&dat, r->dir, "gantt.dat", err);
	if (rc == 0)
		rc = outfile_open(&gp, r->dir, "gantt.gp", err);
	if (rc == 0) {
		write_schedule(csv.f, r);
		rc = write_gantt(gp.f, dat.f, r, dat_path, png_path, err);
	}
	/* Every file is complete under its temporary name before the first
	 * is renamed. */
	if (rc == 0)
		rc = outfile_commit(&csv, err);
	if (rc == 0)
		rc = outfile_commit(&dat, err);
	if (rc == 0)
		rc = outfile_commit(&gp, err);
	if (rc == 0)
		rc = outfile_commit(&summary, err);
	if (rc == 0)
		rc = outfile_commit(&manifest, err);
	outfile_discard(&summary);
	outfile_discard(&manifest);
	outfile_discard(&csv);
	outfile_discard(&gp);
	outfile_discard(&dat);
	free(gp_path);
	free(dat_path);
	free(png_path);
	return rc;
}

static void print_schedule(FILE *out, const struct jobrun_result *r)
{
	const struct scenario *s = r->s;

	fprintf(out, "tiersim %s: scenario %s, policy %s, %zu jobs (time unit %g ms)\n",
		TIERSIM_VERSION, s->name, r->policy->name, s->n_jobs, s->time_unit_ms);
	fprintf(out, "  %-12s %-7s %10s %10s %10s %10s %10s\n", "job", "machine", "release",
		"arrival", "start", "end", "response");
	for (size_t i = 0; i < s->n_jobs; i++) {
		const struct jobset_slot *sl = &r->slots[i];

		fprintf(out, "  %-12s %-7s %10.6g %10.6g %10.6g %10.6g %10.6g\n", s->jobs[i].id,
			tier_name(r->machine[i]), in_units(s, (double)s->jobs[i].release),
			in_units(s, (double)sl->arrival), in_units(s, (double)sl->start),
			in_units(s, (double)sl->end),
			in_units(s, (double)(sl->end - s->jobs[i].release)));
	}
	fprintf(out,
		"totals (time units): weighted response %.10g, unweighted response %.10g, last "
		"completion %.10g\n",
		in_units(s, r->totals.weighted), in_units(s, r->totals.total),
		in_units(s, (double)r->totals.last));
}

int jobrun(const struct run_config *cfg, const struct scenario *s, const struct policy_ops *policy,
	   const char *dir, FILE *out, struct ts_error *err)
{
	struct jobrun_result r = {.s = s, .policy = policy, .dir = dir};
	struct jobset_job *jobs = calloc(s->n_jobs, sizeof(*jobs));
	struct jobset *set = NULL;
	double defaults[SCN_POLICY_PARAMS_MAX];
	int rc = 0;

	if (cfg->replications > 1 || cfg->requests_csv || cfg->trace != NULL)
		rc = ts_error_set(err, TS_EINVALID,
				  "%s: a job set is scheduled, not simulated: --replications, "
				  "--requests-csv and --trace are for scenarios with \"apps\"",
				  s->path);
	r.params = policy_params(policy, s, defaults);
	r.machine = calloc(s->n_jobs, sizeof(*r.machine));
	r.slots = calloc(s->n_jobs, sizeof(*r.slots));
	if (rc == 0 && (jobs == NULL || r.machine == NULL || r.slots == NULL))
		rc = ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < s->n_jobs; i++) {
		jobs[i].release = s->jobs[i].release;
		jobs[i].weight = s->jobs[i].weight;
		memcpy(jobs[i].processing, s->jobs[i].processing, sizeof(jobs[i].processing));
		memcpy(jobs[i].upload, s->jobs[i].upload, sizeof(jobs[i].upload));
	}
	if (rc == 0)
		rc = jobset_new(jobs, s->n_jobs, &set, err);
	if (rc == 0)
		rc = outfile_mkdirs(dir, err);
	if (rc == 0) {
		rc = policy->assign(set, r.params, r.machine, err);
		if (rc < 0)
			ts_error_prefix(err, "%s: ", s->path);
	}
	if (rc == 0) {
		jobset_evaluate(set, r.machine, r.slots, &r.totals);
		rc = write_files(&r, err);
	}
	if (rc == 0) {
		print_schedule(out, &r);
		rc = render_gantt(&r, out, err);
	}
	if (rc == 0)
		fprintf(out, "results: %s/\n", dir);
	jobset_free(set);
	free(jobs);
	free(r.machine);
	free(r.slots);
	return rc;
}
