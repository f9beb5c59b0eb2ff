/* Named random-number streams.
 *
 * Every source of randomness has its own GSL generator (gsl_rng_taus2:
 * simulation quality, 24 bytes of state), seeded from the master seed and
 * the stream's name ("arrivals/od/rpi1", "link/rpi1/up2", ...).  A stream's
 * numbers therefore do not depend on which other streams exist or how
 * often they are drawn from: changing the policy leaves the arrivals
 * untouched (common random numbers), so policy comparisons are paired.
 *
 * Seed derivation: D = SHA-256("<master seed in decimal>/<name>").  A
 * derived seed (rng_derive_seed: replication seeds) is D's first 8 bytes,
 * big-endian, with 0 mapped to 1 because GSL treats seed 0 as "the
 * generator's default seed".  A stream's generator state is D's bytes 8-19
 * (96 bits), so distinct names do not share numbers as they would through
 * GSL's 32-bit seeding of taus2.
 */
#ifndef TIERSIM_RNG_H
#define TIERSIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* The derived seed of stream `name` under `master`. */
uint64_t rng_derive_seed(uint64_t master, const char *name);

/* A new generator for stream `name`; NULL when out of memory.  Free with
 * gsl_rng_free(). */
gsl_rng *rng_stream_new(uint64_t master, const char *name);

/* Hex SHA-256 of data[0..len) into hex[65]. */
void rng_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
