/* `tiersim run` on a scenario with "jobs": the policy's assignment, its
 * schedule (jobset.h) and the result files of docs/outputs.md. */
#ifndef TIERSIM_JOBRUN_H
#define TIERSIM_JOBRUN_H

#include <stdio.h>

#include "policy.h"
#include "run.h"
#include "scenario.h"

/* Schedules s's job set with `policy` (whose job-set hook is not NULL),
 * writes summary.json, manifest.json, schedule.csv, gantt.gp and gantt.dat
 * into dir (created when missing) and, when gnuplot is on PATH, gantt.png and
 * gantt.svg; prints the schedule and its totals to out.  The data files
 * are complete under their final names before gnuplot runs. */
int jobrun(const struct run_config *cfg, const struct scenario *s, const struct policy_ops *policy,
	   const char *dir, FILE *out, struct ts_error *err);

/* The Gantt chart's title: the scenario, the policy and the totals in
 * time units, as summary.json gives them. */
void jobrun_gantt_title(char *buf, size_t size, const char *scenario, const char *policy,
			double weighted, double total, double last);

#endif
