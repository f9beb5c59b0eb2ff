/* Simulated time: int64 nanoseconds.  Conversions happen at the input
 * edge only (scenario and profile loaders); the engine never sees a
 * floating-point time. */
#ifndef TIERSIM_SIMTIME_H
#define TIERSIM_SIMTIME_H

#include <math.h>
#include <stdint.h>

typedef int64_t sim_time_t;

#define SIM_NS_PER_MS INT64_C(1000000)
#define SIM_NS_PER_S  INT64_C(1000000000)
/* Largest representable simulated time (about 292 years). */
#define SIM_TIME_MAX INT64_MAX

/* Rounds a duration in milliseconds to the nearest nanosecond.  The caller
 * has range-checked ms so the result fits. */
static inline sim_time_t sim_from_ms(double ms)
{
	return (sim_time_t)llround(ms * 1e6);
}

static inline sim_time_t sim_from_s(double s)
{
	return (sim_time_t)llround(s * 1e9);
}

static inline double sim_to_ms(sim_time_t t)
{
	return (double)t / 1e6;
}

static inline double sim_to_s(sim_time_t t)
{
	return (double)t / 1e9;
}

#endif
