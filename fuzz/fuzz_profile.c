/* libFuzzer harness: the profile loader (profile_load), then lookups at
 * and around the edges of every table of a profile it accepts. */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#include "fuzz_input.h"
#include "profile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gsl_set_error_handler_off();
	return 0;
}

/* Every part is interpolated between values in [0, 1e7] (docs/profiles.md),
 * so it is finite and, but for rounding, inside that range. */
static void check_parts(const struct profile_parts *p)
{
	const double v[] = {p->cpu_pre_ms, p->accel_ms, p->cpu_post_ms};

	for (int i = 0; i < 3; i++)
		fuzz_require(isfinite(v[i]) && v[i] >= -1e-6 && v[i] <= 1e7 * (1 + 1e-12),
			     "a looked-up part is finite and within [0, 1e7] ms");
}

static void check_profile(const struct profile *p)
{
	size_t n = profile_model_count(p);

	fuzz_require(n >= 1, "at least one table");
	fuzz_require(profile_id(p)[0] != '\0' && profile_kind(p) != NULL, "id and kind");
	fuzz_require(profile_jitter_cv(p) >= 0 && profile_jitter_cv(p) <= 1, "jitter_cv");
	for (size_t t = 0; t < n; t++) {
		double px_lo, px_hi, i_lo, i_hi;
		const double px_at[] = {0, 0.5, 1, 1.5};
		struct profile_parts parts;

		fuzz_require(profile_find_model(p, profile_model(p, t)) == (int)t,
			     "model ids are unique and found");
		profile_range(p, (int)t, &px_lo, &px_hi, &i_lo, &i_hi);
		fuzz_require(px_lo >= 1 && px_lo <= px_hi && i_lo >= 1 && i_lo <= i_hi,
			     "table ranges");
		for (size_t a = 0; a < 4; a++) {
			for (size_t b = 0; b < 4; b++) {
				double px = px_lo + px_at[a] * (px_hi - px_lo) + (a == 0 ? -1 : 0);
				double in = i_lo + px_at[b] * (i_hi - i_lo) + (b == 3 ? 1 : 0);
				bool clamped = profile_eval(p, (int)t, px, in, &parts);

				check_parts(&parts);
				fuzz_require(
				    clamped == (px < px_lo || px > px_hi || in < i_lo || in > i_hi),
				    "clamped exactly when outside the table");
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = NULL;
	struct ts_error err = {""};
	int rc = profile_load(fuzz_input_file("profile.json", data, size), &p, &err);

	fuzz_require(rc == 0 || rc == TS_EINVALID || rc == TS_ESYNTAX || rc == TS_EIO ||
			 rc == TS_ENOMEM,
		     "profile_load status");
	fuzz_explain(rc, &err);
	if (rc < 0) {
		fuzz_require(err.msg[0] != '\0', "a failed load says why");
		return 0;
	}
	check_profile(p);
	profile_free(p);
	return 0;
}
