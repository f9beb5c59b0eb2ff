#include "rng.h"

#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

uint64_t rng_derive_seed(uint64_t master, const char *name)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char prefix[32];
	uint64_t seed = 0;
	int n = snprintf(prefix, sizeof(prefix), "%" PRIu64 "/", master);

	sha256_init(&ctx);
	sha256_update(&ctx, (size_t)n, (const uint8_t *)prefix);
	sha256_update(&ctx, strlen(name), (const uint8_t *)name);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (int i = 0; i < 8; i++)
		seed = (seed << 8) | digest[i];
	return seed == 0 ? 1 : seed;
}

gsl_rng *rng_stream_new(uint64_t master, const char *name)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);

	if (r != NULL)
		gsl_rng_set(r, (unsigned long)rng_derive_seed(master, name));
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
