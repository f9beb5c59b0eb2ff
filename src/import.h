/* Importers: latency profiles from the output of vendors' benchmark tools.
 *
 * Each format (docs/importers.md) reads one file into one measurement: the
 * three parts of a profile point in milliseconds and, where the file says,
 * the number of concurrent instances and the model's name.  import_run()
 * merges one file per instance count into a profile table (docs/profiles.md)
 * and writes it atomically.  Errors name the file and line ("FILE:LINE:
 * ...") and what was expected there (TS_EINVALID), or the I/O problem.
 */
#ifndef TIERSIM_IMPORT_H
#define TIERSIM_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define IMPORT_TEXT_MAX 160

struct import_result {
	double cpu_pre_ms, accel_ms, cpu_post_ms;
	int64_t instances;		 /* 0 when the file does not say */
	char model[IMPORT_TEXT_MAX];	 /* the model the file names, "" when none */
	char statistic[IMPORT_TEXT_MAX]; /* which figures became the parts, in words */
};

struct import_format {
	const char *name;
	const char *description; /* one line: the tool and its output */
	/* Reads `file` into *out (zeroed by the caller).  `select` picks one
	 * row of a file that holds several models (NULL: the file must hold
	 * one); formats with one measurement per file ignore it. */
	int (*read)(const char *file, const char *select, struct import_result *out,
		    struct ts_error *err);
};

/* The formats, in the order `tiersim import --help` lists them. */
extern const struct import_format import_trtexec, import_trtexec_times, import_trtexec_profile,
    import_openvino, import_openvino_csv, import_tflite, import_coral, import_mlperf;

/* The format called `name`, or NULL; import_formats[] ends with NULL. */
extern const struct import_format *const import_formats[];
const struct import_format *import_find(const char *name);

struct import_options {
	const struct import_format *format;
	const char *const *files; /* nfiles >= 1 */
	size_t nfiles;
	/* One per file, overriding what the files say; NULL to take it from
	 * the files (1 where a file does not say). */
	const int64_t *instances;
	const char *select;	 /* may be NULL */
	const char *id;		 /* profile id */
	const char *description; /* may be NULL: from the format and files */
	const char *accelerator; /* gpu|tpu|vpu|cpu */
	const char *host_link;	 /* may be NULL */
	const char *model;	 /* the table's model id */
	int64_t frame_w, frame_h;
	/* Added to cpu_pre_ms / cpu_post_ms of every point: the host's CPU
	 * parts, measured elsewhere, for tools that time the accelerator
	 * only. */
	double cpu_pre_ms, cpu_post_ms;
	const char *command; /* the command line, recorded in the provenance */
};

/* Reads every file, merges them over instance counts and writes the
 * profile to `out_path`.  Two files for the same instance count, or files
 * naming different models, are refused. */
int import_run(const struct import_options *o, const char *out_path, struct ts_error *err);

#endif
