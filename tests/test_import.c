/* Importers: every vendor sample of tests/data/vendor/ (figures read from
 * the files by hand), the hand-made forms of tests/data/import/, broken
 * files with FILE:LINE and what was expected, and the merge of several
 * files into one profile. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "profile.h"
#include "testutil.h"

#define NROW(a) (sizeof(a) / sizeof((a)[0]))
#define TOL	1e-9

struct good_case {
	const char *format, *file, *select;
	double pre, accel, post;
	int64_t instances; /* 0: the file does not say */
	const char *model;
};

static const struct good_case good[] = {
    /* Vendor samples. */
    {"trtexec", "vendor/trtexec/h100-trt10.16-cudagraph-verbose-console.log", NULL, 0, 0.0387646, 0,
     1, "model-trained"},
    {"trtexec", "vendor/trtexec/h100-trt10.16-dumpProfile-console.log", NULL, 0, 0.0833, 0, 1,
     "model-trained"},
    /* 263 queries; mean of latencyMs computed apart from the importer. */
    {"trtexec-times", "vendor/trtexec/rtx3090-resnet50-fp32.exportTimes.json", NULL, 0,
     12.229919391634974, 0, 0, ""},
    /* Sums of averageMs over 103 and 73 layers. */
    {"trtexec-profile", "vendor/trtexec/rtx3090-resnet50-fp32.exportProfile.json", NULL, 0,
     12.399744, 0, 0, ""},
    {"trtexec-profile", "vendor/trtexec/titanrtx-mobilenetv2-qat-int8.exportProfile.json", NULL, 0,
     0.47038876, 0, 0, ""},
    {"openvino", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", NULL, 0, 9.44, 0, 4,
     ""},
    /* 31 operators, no delegate: their [avg ms] summed. */
    {"tflite", "vendor/tflite/tf-readme-mobilenetv1-quant-op-profiling.txt", NULL, 0, 79.449, 0, 0,
     ""},
    {"coral", "vendor/coral/pycoral-inference_reference_x86_64.csv", "ssd_mobilenet_v1", 0, 10.02,
     0, 0, "ssd_mobilenet_v1_coco_quant_postprocess_edgetpu"},
    {"coral", "vendor/coral/pycoral-inference_reference_aarch64.csv", "ssd_mobilenet_v1", 0, 14.83,
     0, 0, "ssd_mobilenet_v1_coco_quant_postprocess_edgetpu"},
    {"coral", "vendor/coral/pycoral-inference_reference_rp3b.csv", "ssd_mobilenet_v1", 0, 62.6, 0,
     0, "ssd_mobilenet_v1_coco_quant_postprocess_edgetpu"},
    {"coral", "vendor/coral/pycoral-inference_reference_rp3b+.csv", "ssd_mobilenet_v1", 0, 57.68, 0,
     0, "ssd_mobilenet_v1_coco_quant_postprocess_edgetpu"},
    {"coral", "vendor/coral/edgetpu-detection_reference_x86_64.csv",
     "mobilenet_ssd_v1_coco_quant_postprocess_edgetpu.tflite cat_720p.jpg", 0, 10.33, 0, 0,
     "mobilenet_ssd_v1_coco_quant_postprocess_edgetpu"},
    {"coral", "vendor/coral/edgetpu-detection_reference_aarch64.csv",
     "mobilenet_ssd_v1_coco_quant_postprocess_edgetpu.tflite cat_720p.jpg", 0, 15.0, 0, 0,
     "mobilenet_ssd_v1_coco_quant_postprocess_edgetpu"},
    {"coral", "vendor/coral/edgetpu-detection_reference_rp3b.csv",
     "mobilenet_ssd_v1_coco_quant_postprocess_edgetpu.tflite cat_720p.jpg", 0, 67.47, 0, 0,
     "mobilenet_ssd_v1_coco_quant_postprocess_edgetpu"},
    /* The CPU-only row, picked exactly among rows that contain it. */
    {"coral", "vendor/coral/edgetpu-detection_reference_rp3b+.csv",
     "mobilenet_ssd_v1_coco_quant_postprocess.tflite cat.bmp", 0, 592.41, 0, 0,
     "mobilenet_ssd_v1_coco_quant_postprocess"},
    /* Hand-made forms. */
    {"trtexec", "import/trtexec-7.log", NULL, 0, 1.75, 0, 2, "ssd"},
    {"trtexec", "import/trtexec-8.2-crlf.log", NULL, 0, 3.125, 0, 3, "ssd"},
    {"trtexec-times", "import/trtexec-7.exportTimes.json", NULL, 0, 3.75, 0, 0, ""},
    /* A layer name with quotes, a backslash and the key itself in it. */
    {"trtexec-profile", "import/trtexec-unescaped.exportProfile.json", NULL, 0, 2.5, 0, 0, ""},
    {"openvino", "import/openvino-2022.txt", NULL, 0, 37.25, 0, 2, ""},
    {"openvino-csv", "import/openvino-report.csv", NULL, 0, 52.75, 0, 3, ""},
    {"tflite", "import/tflite-2.txt", NULL, 0, 83.25, 0, 0, ""},
    {"tflite", "import/tflite-old.txt", NULL, 0, 240.5, 0, 0, ""},
    {"tflite", "import/tflite-delegate.txt", NULL, 0.25, 10.5, 1.75, 0, ""},
    {"mlperf", "import/mlperf_log_summary.txt", NULL, 0, 1.525, 0, 0, ""},
};

static void data_path(char *buf, size_t size, const char *rel)
{
	char r[512];

	snprintf(r, sizeof(r), "tests/data/%s", rel);
	tu_source_path(buf, size, r);
}

START_TEST(import_reads_samples)
{
	const struct good_case *c = &good[_i];
	const struct import_format *f = import_find(c->format);
	struct import_result r = {0};
	struct ts_error err = {""};
	char path[4096];
	int rc;

	ck_assert_ptr_nonnull(f);
	data_path(path, sizeof(path), c->file);
	rc = f->read(path, c->select, &r, &err);
	ck_assert_msg(rc == 0, "%s: %s", c->file, err.msg);
	ck_assert_double_eq_tol(r.cpu_pre_ms, c->pre, TOL);
	ck_assert_double_eq_tol(r.accel_ms, c->accel, TOL);
	ck_assert_double_eq_tol(r.cpu_post_ms, c->post, TOL);
	ck_assert_int_eq(r.instances, c->instances);
	ck_assert_str_eq(r.model, c->model);
	ck_assert_msg(r.statistic[0] != '\0', "%s: no statistic named", c->file);
}
END_TEST

struct broken_case {
	const char *format, *file, *select;
	const char *phrase; /* after "FILE" in the message */
};

static const struct broken_case broken[] = {
    {"trtexec", "import/broken/trtexec-no-summary.log", NULL,
     ":3: end of file, expected a \"=== Performance summary ===\""},
    {"trtexec", "import/broken/trtexec-no-mean.log", NULL,
     ":3: expected \"mean = X ms\" in the Latency line"},
    {"trtexec", "import/broken/trtexec-streams.log", NULL,
     ":1: expected a whole number of streams in [1, 4096]"},
    /* An OpenVINO console is not a trtexec console. */
    {"trtexec", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", NULL,
     ":48: end of file, expected"},
    {"trtexec-profile", "import/broken/trtexec-profile-record.json", NULL,
     ":4: expected a layer record with \"averageMs\" : X, got \", { \"name\" : \"conv2\""},
    {"trtexec-profile", "vendor/trtexec/rtx3090-resnet50-fp32.exportTimes.json", NULL,
     ":2: expected { \"count\" : N } as the first record"},
    {"trtexec-times", "import/broken/trtexec-times-value.json", NULL,
     ": $[1].latencyMs: expected a number"},
    /* trex's digest of a console log, not --exportTimes output. */
    {"trtexec-times", "vendor/trtexec/rtx3090-resnet50-fp32.profile.metadata.json", NULL,
     ": $: expected an array"},
    {"trtexec-times", "vendor/trtexec/titanrtx-mobilenetv2-qat-int8.profile.metadata.json", NULL,
     ": $: expected an array"},
    {"openvino", "import/broken/openvino-latency.txt", NULL,
     ":3: expected \"Latency: X ms\" or \"Latency:\" alone"},
    {"openvino", "vendor/tflite/tf-readme-mobilenetv1-quant-op-profiling.txt", NULL,
     ":62: end of file, expected \"Latency: X ms\""},
    {"openvino-csv", "import/broken/openvino-report-nolatency.csv", NULL,
     ":3: end of file, expected a \"latency (ms);X\""},
    {"openvino-csv", "import/broken/openvino-report-nireq.csv", NULL,
     ":2: expected a whole number of infer requests in [1, 4096], got 0"},
    {"tflite", "import/broken/tflite-row.txt", NULL,
     ":3: expected a Run Order row of 9 tab-separated fields"},
    {"tflite", "import/broken/tflite-nothing.txt", NULL,
     ":2: end of file, expected an \"Inference timings in us:\" line"},
    {"tflite", "import/broken/tflite-timings.txt", NULL,
     ":1: expected \"Inference (avg): X\" or \", Inference: X\""},
    {"coral", "import/broken/coral-header.csv", NULL,
     ":1: expected the header \"MODEL INFERENCE_TIME\" (pycoral)"},
    {"coral", "import/broken/coral-time.csv", "b_edgetpu",
     ":3: expected 1 space-separated names and a time in ms"},
    {"coral", "import/broken/coral-fields.csv", NULL,
     ":2: expected 2 space-separated names and a time in ms"},
    {"coral", "import/broken/coral-empty.csv", NULL, ":1: end of file, expected rows"},
    {"coral", "vendor/coral/pycoral-inference_reference_x86_64.csv", "mobilenet",
     ":5: --select matches this row and the one of line 4"},
    {"coral", "vendor/coral/pycoral-inference_reference_x86_64.csv", NULL,
     ":3: without --select, every row matches this row and the one of line 2"},
    {"coral", "vendor/coral/pycoral-inference_reference_rp3b.csv", "resnet",
     ":7: end of file, no row matches --select \"resnet\""},
    {"mlperf", "import/broken/mlperf-negative.txt", NULL, ":2: expected \"Mean latency (ns) : N\""},
    {"mlperf", "import/broken/mlperf-nomean.txt", NULL,
     ":2: end of file, expected a \"Mean latency (ns) : N\" line"},
};

START_TEST(import_rejects_broken)
{
	const struct broken_case *c = &broken[_i];
	struct import_result r = {0};
	struct ts_error err = {""};
	char path[4096], want[4400];
	int rc;

	data_path(path, sizeof(path), c->file);
	rc = import_find(c->format)->read(path, c->select, &r, &err);
	ck_assert_msg(rc == TS_EINVALID, "%s: status %d, expected TS_EINVALID; message: %s",
		      c->file, rc, err.msg);
	snprintf(want, sizeof(want), "%s%s", path, c->phrase);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s: message lacks \"%s\": %s", c->file, want,
		      err.msg);
}
END_TEST

/* Files written by the test: odd bytes no shipped file has. */
struct odd_case {
	const char *format;
	const char *text;
	size_t len;
	const char *phrase;
};

static const struct odd_case odd[] = {
    {"trtexec", "[I] Streams: 1\n\0\n", 17, ":2: a NUL byte, expected a text file"},
    {"coral", "", 0, ":1: end of file, expected rows after the header"},
    {"mlperf", "Mean latency (ns) : 1e999\n", 26, ":1: expected \"Mean latency (ns) : N\""},
    {"openvino", "Latency: nan ms\n", 16, ":1: expected \"Latency: X ms\""},
};

static char *write_tmp(char *dir, const char *text, size_t len, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/input.txt", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(import_rejects_odd_bytes)
{
	const struct odd_case *c = &odd[_i];
	char *dir = tu_make_tmpdir(), path[4096];
	struct import_result r = {0};
	struct ts_error err = {""};

	write_tmp(dir, c->text, c->len, path, sizeof(path));
	ck_assert_int_eq(import_find(c->format)->read(path, NULL, &r, &err), TS_EINVALID);
	ck_assert_msg(strstr(err.msg, c->phrase) != NULL, "%s", err.msg);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

/* A line of 4 MiB before the summary: read whole, no fixed buffer. */
START_TEST(import_long_line)
{
	size_t n = 4u << 20;
	const char tail[] = "\n[I] === Performance summary ===\n[I] Latency: mean = 2.5 ms\n";
	char *text = malloc(n + sizeof(tail)), *dir = tu_make_tmpdir(), path[4096];
	struct import_result r = {0};
	struct ts_error err = {""};

	ck_assert_ptr_nonnull(text);
	memset(text, 'x', n);
	memcpy(text + n, tail, sizeof(tail));
	write_tmp(dir, text, n + sizeof(tail) - 1, path, sizeof(path));
	ck_assert_msg(import_trtexec.read(path, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert_double_eq_tol(r.accel_ms, 2.5, TOL);
	free(text);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

static struct import_options options(const struct import_format *f, const char *const *files,
				     size_t n)
{
	return (struct import_options){
	    .format = f,
	    .files = files,
	    .nfiles = n,
	    .id = "imported",
	    .accelerator = "tpu",
	    .host_link = "USB 3.0",
	    .model = "mobilenet-ssd-v1",
	    .frame_w = 300,
	    .frame_h = 300,
	    .cpu_pre_ms = 1.5,
	    .command = "tiersim import coral ...",
	};
}

/* Two pycoral files as instance counts 1 and 2 (given out of order): one
 * table the profile loader accepts, with the CPU parts added. */
START_TEST(import_merges_instances)
{
	char *dir = tu_make_tmpdir(), a[4096], b[4096], out[4200];
	const char *files[2] = {b, a};
	const int64_t inst[2] = {2, 1};
	struct import_options o = options(&import_coral, files, 2);
	struct ts_error err = {""};
	struct profile *p = NULL;
	struct profile_parts parts;

	data_path(a, sizeof(a), "vendor/coral/pycoral-inference_reference_x86_64.csv");
	data_path(b, sizeof(b), "vendor/coral/pycoral-inference_reference_rp3b.csv");
	snprintf(out, sizeof(out), "%s/edgetpu.json", dir);
	o.select = "ssd_mobilenet_v1";
	o.instances = inst;
	ck_assert_msg(import_run(&o, out, &err) == 0, "%s", err.msg);
	ck_assert_msg(profile_load(out, &p, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(profile_id(p), "imported");
	ck_assert_str_eq(profile_kind(p), "tpu");
	ck_assert_int_eq(profile_find_model(p, "mobilenet-ssd-v1"), 0);
	ck_assert(!profile_eval(p, 0, 90000, 1, &parts));
	ck_assert_double_eq_tol(parts.accel_ms, 10.02, TOL);
	ck_assert_double_eq_tol(parts.cpu_pre_ms, 1.5, TOL);
	ck_assert(!profile_eval(p, 0, 90000, 2, &parts));
	ck_assert_double_eq_tol(parts.accel_ms, 62.6, TOL);
	ck_assert(!profile_eval(p, 0, 90000, 1.5, &parts));
	ck_assert_double_eq_tol(parts.accel_ms, (10.02 + 62.6) / 2, TOL);
	profile_free(p);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

/* Instance counts from the files (trtexec streams 3 and 2), one model in
 * two forms (ssd.plan, ssd.onnx). */
START_TEST(import_merges_counts_from_files)
{
	char *dir = tu_make_tmpdir(), a[4096], b[4096], out[4200];
	const char *files[2] = {a, b};
	struct import_options o = options(&import_trtexec, files, 2);
	struct ts_error err = {""};
	struct profile *p = NULL;
	struct profile_parts parts;
	double px_lo, px_hi, lo, hi;

	data_path(a, sizeof(a), "import/trtexec-8.2-crlf.log");
	data_path(b, sizeof(b), "import/trtexec-7.log");
	snprintf(out, sizeof(out), "%s/trt.json", dir);
	o.cpu_pre_ms = 0;
	ck_assert_msg(import_run(&o, out, &err) == 0, "%s", err.msg);
	ck_assert_msg(profile_load(out, &p, &err) == 0, "%s", err.msg);
	profile_range(p, 0, &px_lo, &px_hi, &lo, &hi);
	ck_assert_double_eq(lo, 2);
	ck_assert_double_eq(hi, 3);
	ck_assert(!profile_eval(p, 0, 90000, 2, &parts));
	ck_assert_double_eq_tol(parts.accel_ms, 1.75, TOL);
	ck_assert_double_eq_tol(parts.cpu_pre_ms, 0, TOL);
	ck_assert(!profile_eval(p, 0, 90000, 3, &parts));
	ck_assert_double_eq_tol(parts.accel_ms, 3.125, TOL);
	profile_free(p);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

struct conflict_case {
	const char *format, *a, *b, *select;
	const char *phrase;
};

static const struct conflict_case conflicts[] = {
    /* Neither says its instance count: both are 1. */
    {"coral", "vendor/coral/pycoral-inference_reference_x86_64.csv",
     "vendor/coral/pycoral-inference_reference_rp3b.csv", "ssd_mobilenet_v1",
     "pycoral-inference_reference_rp3b.csv: instances 1 already come from"},
    {"trtexec", "import/trtexec-7.log",
     "vendor/trtexec/h100-trt10.16-cudagraph-verbose-console.log", NULL,
     "h100-trt10.16-cudagraph-verbose-console.log: model \"model-trained\", but"},
};

START_TEST(import_refuses_conflicts)
{
	const struct conflict_case *c = &conflicts[_i];
	char *dir = tu_make_tmpdir(), a[4096], b[4096], out[4200];
	const char *files[2] = {a, b};
	struct import_options o = options(import_find(c->format), files, 2);
	struct ts_error err = {""};
	FILE *f;

	data_path(a, sizeof(a), c->a);
	data_path(b, sizeof(b), c->b);
	snprintf(out, sizeof(out), "%s/p.json", dir);
	o.select = c->select;
	ck_assert_int_eq(import_run(&o, out, &err), TS_EINVALID);
	ck_assert_msg(strstr(err.msg, c->phrase) != NULL, "%s", err.msg);
	f = fopen(out, "r");
	ck_assert_msg(f == NULL, "a refused import left %s", out);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

/* The shipped Edge TPU USB profiles hold what the importer reads from
 * Coral's reference files they cite. */
static const struct {
	const char *profile, *sample;
} shipped[] = {
    {"coral-usb3-edgetpu", "vendor/coral/pycoral-inference_reference_x86_64.csv"},
    {"coral-usb2-edgetpu", "vendor/coral/pycoral-inference_reference_rp3b.csv"},
};

START_TEST(import_matches_shipped_profiles)
{
	char path[4096], rel[256];
	struct import_result r = {0};
	struct ts_error err = {""};
	struct profile *p = NULL;
	struct profile_parts parts;

	data_path(path, sizeof(path), shipped[_i].sample);
	ck_assert_msg(import_coral.read(path, "ssd_mobilenet_v1", &r, &err) == 0, "%s", err.msg);
	snprintf(rel, sizeof(rel), "models/profiles/%s.json", shipped[_i].profile);
	tu_source_path(path, sizeof(path), rel);
	ck_assert_msg(profile_load(path, &p, &err) == 0, "%s", err.msg);
	ck_assert(
	    !profile_eval(p, profile_find_model(p, "mobilenet-ssd-v1"), 600 * 600, 1, &parts));
	ck_assert_double_eq_tol(parts.accel_ms, r.accel_ms, TOL);
	profile_free(p);
}
END_TEST

/* The command line: exit codes 0, 3 (nothing written) and 2. */
struct cli_case {
	const char *format, *file, *extra;
	int exit_code;
	const char *phrase; /* in stdout for 0, stderr otherwise */
};

static const struct cli_case cli[] = {
    {"openvino", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", "--quiet", 2,
     "unknown option --quiet"},
    {"openvino", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", "--frame=1", 2,
     "unknown option --frame=1"},
    {"openvino", "import/broken/openvino-latency.txt", NULL, 3,
     "openvino-latency.txt:3: expected \"Latency: X ms\""},
    {"openvino", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", NULL, 0,
     "1 point of mobilenet-ssd-v1 from openvino"},
    {"openvino", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", "--select", 2,
     "option --select needs a value"},
    {"trtexec", "vendor/trtexec/h100-trt10.16-dumpProfile-console.log", "--select=x", 2,
     "unknown option --select=x"},
    {"opnevino", "vendor/openvino/ncs2-myriad-rpi4-benchmark_app-console.txt", NULL, 2,
     "import needs a FORMAT of the list below, got \"opnevino\""},
};

START_TEST(import_command_line)
{
	const struct cli_case *c = &cli[_i];
	char *dir = tu_make_tmpdir(), in[4096], out[4200];
	const char *args[16] = {"import",
				c->format,
				in,
				"-o",
				out,
				"--id",
				"ncs2",
				"--model",
				"mobilenet-ssd-v1",
				"--accelerator",
				"vpu",
				"--frame",
				"600x600",
				c->extra,
				NULL};
	struct tu_proc p = {0};
	struct ts_error err = {""};
	struct profile *prof = NULL;

	data_path(in, sizeof(in), c->file);
	snprintf(out, sizeof(out), "%s/ncs2.json", dir);
	tu_spawn(args, &p);
	ck_assert_msg(p.exit_code == c->exit_code, "exit %d, expected %d; stderr: %s", p.exit_code,
		      c->exit_code, p.err);
	ck_assert_msg(strstr(c->exit_code == 0 ? p.out : p.err, c->phrase) != NULL, "%s%s", p.out,
		      p.err);
	if (c->exit_code == 0) {
		ck_assert_msg(profile_load(out, &prof, &err) == 0, "%s", err.msg);
		ck_assert_str_eq(profile_id(prof), "ncs2");
		profile_free(prof);
	} else {
		ck_assert_msg(fopen(out, "r") == NULL, "a failed import wrote %s", out);
	}
	tu_proc_release(&p);
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

START_TEST(import_format_names)
{
	for (size_t i = 0; import_formats[i] != NULL; i++) {
		ck_assert_ptr_eq(import_find(import_formats[i]->name), import_formats[i]);
		ck_assert_ptr_nonnull(import_formats[i]->description);
	}
	ck_assert_ptr_null(import_find("trtexec7"));
	ck_assert_ptr_null(import_find(""));
}
END_TEST

static Suite *import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");

	tcase_add_loop_test(tc, import_reads_samples, 0, NROW(good));
	tcase_add_loop_test(tc, import_rejects_broken, 0, NROW(broken));
	tcase_add_loop_test(tc, import_rejects_odd_bytes, 0, NROW(odd));
	tcase_add_test(tc, import_long_line);
	tcase_add_test(tc, import_merges_instances);
	tcase_add_test(tc, import_merges_counts_from_files);
	tcase_add_loop_test(tc, import_refuses_conflicts, 0, NROW(conflicts));
	tcase_add_loop_test(tc, import_matches_shipped_profiles, 0, NROW(shipped));
	tcase_add_loop_test(tc, import_command_line, 0, NROW(cli));
	tcase_add_test(tc, import_format_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(import_suite());
}
