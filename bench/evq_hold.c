/* Event-queue micro-benchmark, the classic hold model: with N events
 * pending, pop the earliest and push one at a random time ahead of it, so
 * the queue size stays N.  Prints events (pop + push pairs) per second of
 * wall time for N = 10^3, 10^5 and 10^6.
 *
 *   build/bench/evq_hold [HOLDS]   (default 10^7 holds per size)
 */
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "evq.h"
#include "rng.h"

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {1000, 100000, 1000000};
	long holds = argc > 1 ? atol(argv[1]) : 10000000L;
	gsl_rng *r = rng_stream_new(1, "bench/evq_hold");

	if (holds <= 0 || r == NULL) {
		fprintf(stderr, "usage: evq_hold [HOLDS > 0]\n");
		return 2;
	}
	printf("%10s %12s %14s\n", "pending", "holds", "events/s");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct evq *q = evq_new();
		struct evq_event ev = {0};
		double start;

		for (size_t i = 0; i < sizes[s]; i++) {
			ev.time = (sim_time_t)gsl_rng_uniform_int(r, 1000000000UL);
			if (q == NULL || evq_push(q, ev, NULL) < 0)
				return 1;
		}
		start = seconds();
		for (long i = 0; i < holds; i++) {
			evq_pop(q, &ev);
			ev.time += 1 + (sim_time_t)gsl_rng_uniform_int(r, 1000000000UL);
			evq_push(q, ev, NULL);
		}
		printf("%10zu %12ld %14.0f\n", sizes[s], holds,
		       (double)holds / (seconds() - start));
		evq_free(q);
	}
	gsl_rng_free(r);
	return 0;
}
