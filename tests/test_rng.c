#include <check.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "testutil.h"

#define DRAWS 1000

/* Rows: (master, name) pairs the derivation is checked on. */
struct seed_case {
	uint64_t master;
	const char *name;
};

static const struct seed_case seed_cases[] = {
    {0, "arrivals/od/rpi1"},
    {1, "arrivals/od/rpi1"},
    {42, "link/rpi1-up2"},
    {42, ""},
    {20240601, "estimate"},
    {UINT64_MAX, "replication/17"},
    {12345678901234567890u, "node/a name with spaces/\xc3\xa9"},
};

#define NSEEDS (sizeof(seed_cases) / sizeof(seed_cases[0]))

/* The derivation documented in rng.h, recomputed here from nettle:
 * SHA-256("<master in decimal>/<name>"), first 8 bytes big-endian, 0 -> 1. */
static uint64_t reference_seed(uint64_t master, const char *name)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	char text[256];
	int len = snprintf(text, sizeof(text), "%" PRIu64 "/%s", master, name);
	uint64_t seed = 0;

	ck_assert_int_gt(len, 0);
	ck_assert_int_lt(len, (int)sizeof(text));
	sha256_init(&ctx);
	sha256_update(&ctx, (size_t)len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (int i = 0; i < 8; i++)
		seed = seed << 8 | digest[i];
	return seed == 0 ? 1 : seed;
}

START_TEST(rng_derive_seed_matches_sha256)
{
	const struct seed_case *c = &seed_cases[_i];

	ck_assert_uint_eq(rng_derive_seed(c->master, c->name), reference_seed(c->master, c->name));
}
END_TEST

/* Fixed values, computed independently (Python hashlib), so a change to
 * the derivation is caught even if reference_seed changed with it. */
START_TEST(rng_derive_seed_golden)
{
	ck_assert_uint_eq(rng_derive_seed(0, "arrivals/od/rpi1"), UINT64_C(0x8ec48abddfab7632));
	ck_assert_uint_eq(rng_derive_seed(42, "link/rpi1-up2"), UINT64_C(0x8accd57edcca8cde));
	ck_assert_uint_eq(rng_derive_seed(UINT64_MAX, "replication/17"),
			  UINT64_C(0x5ab094da45b5645c));
}
END_TEST

START_TEST(rng_derive_seed_deterministic)
{
	const struct seed_case *c = &seed_cases[_i];
	uint64_t seed = rng_derive_seed(c->master, c->name);

	ck_assert_uint_ne(seed, 0);
	ck_assert_uint_eq(rng_derive_seed(c->master, c->name), seed);
}
END_TEST

/* No two rows share a seed: names and masters both change it. */
START_TEST(rng_derive_seed_distinct)
{
	for (size_t i = 0; i < NSEEDS; i++)
		for (size_t j = i + 1; j < NSEEDS; j++)
			ck_assert_msg(rng_derive_seed(seed_cases[i].master, seed_cases[i].name) !=
					  rng_derive_seed(seed_cases[j].master, seed_cases[j].name),
				      "rows %zu and %zu share a seed", i, j);
	/* Neighbouring names and masters, and the "<master>/" separator. */
	ck_assert_uint_ne(rng_derive_seed(7, "link/1"), rng_derive_seed(7, "link/2"));
	ck_assert_uint_ne(rng_derive_seed(7, "link/1"), rng_derive_seed(8, "link/1"));
	ck_assert_uint_ne(rng_derive_seed(1, "1/x"), rng_derive_seed(11, "x"));
	ck_assert_uint_eq(rng_derive_seed(1, "1/x"), reference_seed(1, "1/x"));
}
END_TEST

START_TEST(rng_derive_seed_never_zero)
{
	char name[32];

	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "stream/%d", i);
		ck_assert_uint_ne(rng_derive_seed((uint64_t)i, name), 0);
	}
}
END_TEST

static void draw(gsl_rng *r, unsigned long *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = gsl_rng_get(r);
}

START_TEST(rng_stream_reproducible)
{
	const struct seed_case *c = &seed_cases[_i];
	gsl_rng *a = rng_stream_new(c->master, c->name);
	gsl_rng *b = rng_stream_new(c->master, c->name);
	unsigned long xa[DRAWS], xb[DRAWS];

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(gsl_rng_name(a), "taus2");
	draw(a, xa, DRAWS);
	draw(b, xb, DRAWS);
	ck_assert_mem_eq(xa, xb, sizeof(xa));
	gsl_rng_free(a);
	gsl_rng_free(b);
}
END_TEST

/* Different names (and different masters) give different sequences. */
START_TEST(rng_stream_names_differ)
{
	const uint64_t master = 99;
	const char *names[] = {"arrivals/od/rpi1", "arrivals/od/rpi2", "link/rpi1-up2", "policy"};
	const size_t nn = sizeof(names) / sizeof(names[0]);
	unsigned long x[4][DRAWS], y[DRAWS];

	for (size_t i = 0; i < nn; i++) {
		gsl_rng *r = rng_stream_new(master, names[i]);

		ck_assert_ptr_nonnull(r);
		draw(r, x[i], DRAWS);
		gsl_rng_free(r);
	}
	/* taus2 outputs are 32-bit: two independent streams agree at a given
	 * position with probability 2^-32, so 10 agreements in 1000 draws
	 * already means they are not independent. */
	for (size_t i = 0; i < nn; i++) {
		for (size_t j = i + 1; j < nn; j++) {
			size_t same = 0;

			for (size_t k = 0; k < DRAWS; k++)
				same += x[i][k] == x[j][k];
			ck_assert_msg(same < 10, "%s and %s agree on %zu of %d draws", names[i],
				      names[j], same, DRAWS);
		}
	}
	{
		gsl_rng *r = rng_stream_new(master + 1, names[0]);
		size_t same = 0;

		ck_assert_ptr_nonnull(r);
		draw(r, y, DRAWS);
		for (size_t k = 0; k < DRAWS; k++)
			same += y[k] == x[0][k];
		ck_assert_uint_lt(same, 10);
		gsl_rng_free(r);
	}
}
END_TEST

/* Common random numbers: a stream's sequence does not depend on which other
 * streams exist or how much they are drawn from. */
START_TEST(rng_stream_independent_of_others)
{
	unsigned long alone[DRAWS], mixed[DRAWS];
	gsl_rng *a = rng_stream_new(5, "arrivals/od/rpi1");
	gsl_rng *b, *c;

	ck_assert_ptr_nonnull(a);
	draw(a, alone, DRAWS);
	gsl_rng_free(a);

	b = rng_stream_new(5, "link/rpi1-up2");
	a = rng_stream_new(5, "arrivals/od/rpi1");
	c = rng_stream_new(5, "policy");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	for (size_t i = 0; i < DRAWS; i++) {
		/* Interleave uneven amounts of other streams' draws. */
		for (size_t k = 0; k < i % 7; k++)
			(void)gsl_rng_uniform(b);
		if (i % 3 == 0)
			(void)gsl_rng_get(c);
		mixed[i] = gsl_rng_get(a);
	}
	ck_assert_mem_eq(alone, mixed, sizeof(alone));
	gsl_rng_free(a);
	gsl_rng_free(b);
	gsl_rng_free(c);
}
END_TEST

/* Rows: FIPS 180-2 test vectors. */
struct sha_case {
	const char *data;
	const char *hex;
};

static const struct sha_case sha_cases[] = {
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
};

/* These two names share the low 32 bits of their derived seeds, which is
 * all GSL's taus2 seeding would use. */
START_TEST(rng_stream_seeds_use_more_than_32_bits)
{
	gsl_rng *a = rng_stream_new(1, "link/57074");
	gsl_rng *b = rng_stream_new(1, "link/67725");
	int same = 0;

	ck_assert_uint_eq(rng_derive_seed(1, "link/57074") & 0xffffffffu,
			  rng_derive_seed(1, "link/67725") & 0xffffffffu);
	for (int i = 0; i < 100; i++)
		same += gsl_rng_get(a) == gsl_rng_get(b);
	ck_assert_int_lt(same, 3);
	gsl_rng_free(a);
	gsl_rng_free(b);
}
END_TEST

START_TEST(rng_sha256_hex_vectors)
{
	const struct sha_case *c = &sha_cases[_i];
	char hex[65];

	memset(hex, 'x', sizeof(hex));
	rng_sha256_hex(c->data, strlen(c->data), hex);
	ck_assert_str_eq(hex, c->hex);
}
END_TEST

static Suite *rng_suite(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("rng");

	tcase_add_loop_test(tc, rng_derive_seed_matches_sha256, 0, NSEEDS);
	tcase_add_test(tc, rng_derive_seed_golden);
	tcase_add_test(tc, rng_stream_seeds_use_more_than_32_bits);
	tcase_add_loop_test(tc, rng_derive_seed_deterministic, 0, NSEEDS);
	tcase_add_test(tc, rng_derive_seed_distinct);
	tcase_add_test(tc, rng_derive_seed_never_zero);
	tcase_add_loop_test(tc, rng_stream_reproducible, 0, NSEEDS);
	tcase_add_test(tc, rng_stream_names_differ);
	tcase_add_test(tc, rng_stream_independent_of_others);
	tcase_add_loop_test(tc, rng_sha256_hex_vectors, 0,
			    sizeof(sha_cases) / sizeof(sha_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(rng_suite());
}
