/* libFuzzer harness: every importer's reader (import_formats[]) on the
 * same input, with and without a row selection, then the checks that
 * hold for any file a reader accepts. */
#include <math.h>
#include <string.h>

#include "fuzz_input.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int rc, const struct import_result *r, const struct ts_error *err,
		  const char *file)
{
	const double parts[] = {r->cpu_pre_ms, r->accel_ms, r->cpu_post_ms};

	fuzz_require(rc == 0 || rc == TS_EINVALID || rc == TS_ESYNTAX || rc == TS_EIO ||
			 rc == TS_ENOMEM,
		     "import read status");
	fuzz_explain(rc, err);
	if (rc < 0) {
		fuzz_require(strstr(err->msg, file) != NULL, "a failed read names the file");
		return;
	}
	for (int i = 0; i < 3; i++)
		fuzz_require(isfinite(parts[i]) && parts[i] >= 0, "parts are finite and >= 0");
	fuzz_require(r->instances >= 0 && r->instances <= 4096, "instances in [0, 4096]");
	fuzz_require(memchr(r->model, '\0', sizeof(r->model)) != NULL, "model is terminated");
	fuzz_require(r->statistic[0] != '\0', "an accepted file names its statistic");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *file = fuzz_input_file("vendor-output.txt", data, size);

	for (size_t i = 0; import_formats[i] != NULL; i++) {
		const char *selects[] = {NULL, "ssd"};

		for (size_t s = 0; s < 2; s++) {
			struct import_result r = {0};
			struct ts_error err = {""};

			check(import_formats[i]->read(file, selects[s], &r, &err), &r, &err, file);
		}
	}
	return 0;
}
