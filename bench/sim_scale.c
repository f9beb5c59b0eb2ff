/* One row of the scale table (tools/bench, docs/performance.md): loads a
 * scenario, runs it once with its own seed and policy and no output files
 * (no requests.csv, no trace: the hot path does no I/O), and prints
 *
 *   N, requests, events, load s, wall s, CPU s, requests per wall second,
 *   events per wall second, peak RSS, bytes per device, mean requests in
 *   flight, bytes per request in flight
 *
 * where wall and CPU seconds cover sim_run() alone, the peak RSS is the
 * process's (getrusage: loading included), bytes per device is that peak
 * over N, the mean number of requests in flight follows from Little's law
 * (completed requests x mean response time / the run's end time), and
 * bytes per request in flight is what the run raised the peak RSS by,
 * over that mean: 0 when loading's peak (the JSON tree) was higher than
 * the run's.
 *
 *   build/bench/sim_scale --header
 *   build/bench/sim_scale SCENARIO N
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "policy.h"
#include "scenario.h"
#include "sim.h"

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Peak resident set size so far, bytes. */
static double peak_rss(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return 1024.0 * (double)u.ru_maxrss;
}

int main(int argc, char **argv)
{
	struct scenario *s = NULL;
	struct ts_error err = {0};
	struct sim_report rep;
	struct sim_options opt = {0};
	double t0, load_s, wall0, cpu0, wall, cpu, rss_loaded, rss, requests, in_flight;
	long n;

	if (argc == 2 && strcmp(argv[1], "--header") == 0) {
		printf("%8s %10s %11s %7s %7s %7s %11s %11s %9s %9s %9s %11s\n", "N", "requests",
		       "events", "load_s", "wall_s", "cpu_s", "req/wall_s", "events/s", "RSS_MiB",
		       "B/device", "in_flight", "B/in_flight");
		return 0;
	}
	if (argc != 3 || (n = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: sim_scale --header | sim_scale SCENARIO N\n");
		return 2;
	}
	gsl_set_error_handler_off();
	t0 = clock_s(CLOCK_MONOTONIC);
	if (scenario_load(argv[1], &s, &err) < 0) {
		printf("%8ld refused: %s\n", n, err.msg);
		return 3;
	}
	load_s = clock_s(CLOCK_MONOTONIC) - t0;
	rss_loaded = peak_rss();
	opt.seed = s->seed;
	opt.policy = policy_find(s->policy);
	wall0 = clock_s(CLOCK_MONOTONIC);
	cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (sim_run(s, &opt, &rep, &err) < 0) {
		fprintf(stderr, "sim_scale: %s\n", err.msg);
		scenario_free(s);
		return 1;
	}
	wall = clock_s(CLOCK_MONOTONIC) - wall0;
	cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	rss = peak_rss();
	requests = rep.totals[SIM_T_COMPLETED];
	in_flight = rep.apps[SIM_M_COUNT] * rep.apps[SIM_M_MEAN] / 1e3 /
		    (rep.apps[SIM_M_COUNT] / rep.apps[SIM_M_THROUGHPUT]);
	printf("%8ld %10.0f %11.0f %7.2f %7.2f %7.2f %11.0f %11.0f %9.1f %9.0f %9.0f %11.0f\n", n,
	       requests, rep.totals[SIM_T_EVENTS], load_s, wall, cpu, requests / wall,
	       rep.totals[SIM_T_EVENTS] / wall, rss / (1024.0 * 1024.0), rss / (double)n, in_flight,
	       (rss - rss_loaded) / in_flight);
	sim_report_release(&rep);
	scenario_free(s);
	return 0;
}
