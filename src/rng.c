#include "rng.h"

#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

/* SHA-256("<master in decimal>/<name>"). */
static void digest_of(uint64_t master, const char *name, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	char prefix[32];
	int n = snprintf(prefix, sizeof(prefix), "%" PRIu64 "/", master);

	sha256_init(&ctx);
	sha256_update(&ctx, (size_t)n, (const uint8_t *)prefix);
	sha256_update(&ctx, strlen(name), (const uint8_t *)name);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
}

uint64_t rng_derive_seed(uint64_t master, const char *name)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	uint64_t seed = 0;

	digest_of(master, name, digest);
	for (int i = 0; i < 8; i++)
		seed = (seed << 8) | digest[i];
	return seed == 0 ? 1 : seed;
}

/* GSL seeds taus2 from the low 32 bits of a seed, so two of a run's
 * thousands of streams could share their numbers.  The generator's state
 * is three 32-bit words (L'Ecuyer 1996); they are filled from 96 bits of
 * the stream's digest instead, raised to the minimum each word needs
 * (s1 > 1, s2 > 7, s3 > 15) and warmed up with six draws, as GSL's own
 * taus2 seeding does. */
gsl_rng *rng_stream_new(uint64_t master, const char *name)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	uint8_t digest[SHA256_DIGEST_SIZE];
	static const unsigned long minimum[3] = {2, 8, 16};
	unsigned long *state;

	if (r == NULL)
		return NULL;
	gsl_rng_set(r, (unsigned long)rng_derive_seed(master, name));
	if (gsl_rng_size(r) != 3 * sizeof(unsigned long))
		return r;
	digest_of(master, name, digest);
	state = gsl_rng_state(r);
	for (int w = 0; w < 3; w++) {
		unsigned long v = 0;

		for (int b = 0; b < 4; b++)
			v = (v << 8) | digest[8 + 4 * w + b];
		state[w] = v < minimum[w] ? v + minimum[w] : v;
	}
	for (int i = 0; i < 6; i++)
		gsl_rng_get(r);
	return r;
}

void rng_sha256_hex(const void *data, size_t len, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}
