/* `tiersim calibrate` and `tiersim fidelity` end to end on a tiny network
 * with few frames: the files they write and their structure (positive,
 * finite, loadable), never their timings; and their usage errors. */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "config.h"
#include "net.h"
#include "profile.h"
#include "scenario.h"
#include "testutil.h"

/* The tiny network and few frames every run here uses, of either model
 * (TINY_NET) or the SSD (TINY). */
#define TINY_NET "--width", "0.25", "--input", "64", "--warmup", "1", "--repeats", "2", "--quiet"
#define TINY	 "--model", "mobilenet-ssd-v1", TINY_NET

static cJSON *read_json(const char *path)
{
	char *text = tu_read_file(path, NULL);
	cJSON *j = cJSON_Parse(text);

	ck_assert_msg(j != NULL, "%s does not parse", path);
	free(text);
	return j;
}

static double num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	ck_assert_msg(cJSON_IsNumber(v), "no number %s", key);
	return v->valuedouble;
}

START_TEST(calibrate_writes_profile)
{
	char *dir = tu_make_tmpdir(), path[4096];
	const char *args[] = {"calibrate",    "--backend",   "onednn", TINY,	       "--frames",
			      "64x48,128x96", "--instances", "1-2",    "--iterations", "3",
			      "-o",	      path,	     NULL};
	struct ts_error err = {""};
	struct profile *p = NULL;
	struct tu_proc r;
	cJSON *doc, *prov, *pts;
	const cJSON *pt;
	int n = 0;

	snprintf(path, sizeof path, "%s/tiny-cpu.json", dir);
	tu_spawn(args, &r);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	ck_assert_msg(profile_load(path, &p, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(profile_id(p), "tiny-cpu");
	ck_assert_str_eq(profile_kind(p), "cpu");
	ck_assert_int_eq(profile_find_model(p, "mobilenet-ssd-v1"), 0);
	profile_free(p);
	doc = read_json(path);
	prov = cJSON_GetObjectItemCaseSensitive(doc, "provenance");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(prov, "backend")->valuestring, "onednn");
	ck_assert(strncmp(cJSON_GetObjectItemCaseSensitive(prov, "library")->valuestring, "oneDNN ",
			  7) == 0);
	ck_assert(strstr(cJSON_GetObjectItemCaseSensitive(prov, "command")->valuestring,
			 "calibrate --backend onednn") != NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(prov, "load_average")),
			 3);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(prov, "cells")), 4);
	pts = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "tables"), 0), "points");
	cJSON_ArrayForEach(pt, pts)
	{
		ck_assert(num(pt, "cpu_pre_ms") > 0 && isfinite(num(pt, "cpu_pre_ms")));
		ck_assert(num(pt, "accel_ms") > 0 && isfinite(num(pt, "accel_ms")));
		ck_assert(num(pt, "cpu_post_ms") >= 0 && isfinite(num(pt, "cpu_post_ms")));
		n++;
	}
	ck_assert_int_eq(n, 4);
	cJSON_Delete(doc);
	tu_proc_release(&r);
	tu_remove_tmpdir(dir);
}
END_TEST

static const struct {
	const char *model;
	size_t layers;
} tiny_models[] = {{"mobilenet-ssd-v1", 47}, {"mobilenet-v1", 29}};

/* A scenario in dir naming the model file and the profile dir/p.json;
 * its path into path. */
static void write_scenario(const char *dir, const char *model, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/s.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"{\"tiersim_scenario\": 1, \"name\": \"layers\", \"seed\": 1, "
		"\"duration_s\": 1, \"warmup_s\": 0, \"policy\": {\"name\": \"all-device\"}, "
		"\"models\": [{\"file\": \"%s\"}], \"nodes\": [{\"id\": \"host\", \"tier\": "
		"\"device\", \"cpu\": {\"cores\": 1, \"ghz\": 1}, \"accelerators\": [{\"id\": "
		"\"backend\", \"profile\": \"./p.json\"}]}], \"links\": [], \"apps\": [{\"id\": "
		"\"s\", \"model\": \"%s\", \"sources\": [\"host\"], \"workload\": {\"type\": "
		"\"stream\", \"fps\": 5, \"frame_px\": [128, 96]}, \"qos_ms\": 1000}]}\n",
		model, model);
	ck_assert_int_eq(fclose(f), 0);
}

/* The accelerator time of each layer, at one instance at the first frame
 * size: one per layer of the model file, none negative, their sum within
 * a factor 3 of the table's one-instance accel_ms at that size (no
 * absolute time); the profile loads, and so does a scenario naming it
 * with the model file. */
START_TEST(calibrate_layer_times)
{
	char *dir = tu_make_tmpdir(), path[4096], scn[4096];
	/* One thread and the least disturbed of 3 repeats of 20 frames: a
	 * frame of the tiny network is shorter than a time slice, and one
	 * taken by another process would weigh on a mean of few frames. */
	const char *args[] = {
	    "calibrate",    "--backend", "onednn",   "--model",	     tiny_models[_i].model,
	    TINY_NET,	    "--repeats", "3",	     "--threads",    "1",
	    "--iterations", "20",	 "--frames", "128x96,64x48", "-o",
	    path,	    NULL};
	struct ts_error err = {""};
	struct profile *p = NULL;
	struct scenario *s = NULL;
	struct tu_proc r;
	const double *share;
	const cJSON *t, *pt, *layers, *ms;
	cJSON *doc;
	double sum = 0, accel = -1;
	size_t n;

	snprintf(path, sizeof path, "%s/p.json", dir);
	tu_spawn(args, &r);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	ck_assert_msg(strstr(r.err, "no per-layer times") == NULL, "%s", r.err);
	ck_assert_msg(profile_load(path, &p, &err) == 0, "%s", err.msg);
	n = profile_layers(p, 0, &share);
	profile_free(p);
	write_scenario(dir, tiny_models[_i].model, scn, sizeof scn);
	ck_assert_msg(scenario_load(scn, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(s->models[0].n_layers, tiny_models[_i].layers);
	ck_assert_uint_eq(n, s->models[0].n_layers);
	scenario_free(s);
	doc = read_json(path);
	t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "tables"), 0);
	cJSON_ArrayForEach(pt, cJSON_GetObjectItemCaseSensitive(t, "points"))
	{
		const cJSON *px = cJSON_GetObjectItemCaseSensitive(pt, "frame_px");

		if (num(pt, "instances") == 1 && cJSON_GetArrayItem(px, 0)->valuedouble == 128)
			accel = num(pt, "accel_ms");
	}
	layers = cJSON_GetObjectItemCaseSensitive(t, "layers");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(layers, "source")->valuestring, "layers");
	ck_assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "sources"), "layers")));
	ms = cJSON_GetObjectItemCaseSensitive(layers, "accel_ms");
	ck_assert_uint_eq((size_t)cJSON_GetArraySize(ms), n);
	cJSON_ArrayForEach(pt, ms)
	{
		ck_assert(cJSON_IsNumber(pt) && pt->valuedouble >= 0 && isfinite(pt->valuedouble));
		sum += pt->valuedouble;
	}
	ck_assert(accel > 0);
	ck_assert_msg(sum >= accel / 3 && sum <= 3 * accel,
		      "the layers' times sum to %g ms, the frame's accelerator time is %g ms", sum,
		      accel);
	cJSON_Delete(doc);
	tu_proc_release(&r);
	tu_remove_tmpdir(dir);
}
END_TEST

/* Per-layer times need a model file with one layer per layer of the
 * network; each mismatch says why. */
START_TEST(calibrate_layers_need_the_model_file)
{
	struct ts_error err = {""};
	struct net ssd, v1;
	char why[512] = "";

	ck_assert_int_eq(net_build(&ssd, "mobilenet-ssd-v1", 0.25, 64, &err), 0);
	ck_assert_int_eq(net_build(&v1, "mobilenet-v1", 1, 224, &err), 0);
	ck_assert(calibrate_layers_match("mobilenet-ssd-v1", &ssd, why, sizeof why));
	ck_assert(calibrate_layers_match("mobilenet-v1", &v1, why, sizeof why));
	ck_assert(!calibrate_layers_match("mobilenet-ssd-v1", &v1, why, sizeof why));
	ck_assert_str_eq(why, "the model file of mobilenet-ssd-v1 has 47 layers, the network 29");
	ck_assert(!calibrate_layers_match("resnet18", &v1, why, sizeof why));
	ck_assert_str_eq(why, "the model file of resnet18 gives no layers");
	ck_assert(!calibrate_layers_match("no-such-model", &v1, why, sizeof why));
	ck_assert_msg(strstr(why, "no-such-model.json: cannot open") != NULL, "%s", why);
}
END_TEST

/* Per instance count: every fed frame measured (N x 0.3 s x 20 fps),
 * the simulated ones from a fixed profile counted, latencies positive,
 * errors and KS distance finite; the plot's data and script written. */
START_TEST(fidelity_writes_report)
{
	char *dir = tu_make_tmpdir(), path[4096], profile[4096];
	const char *args[] = {"fidelity",    "--backend", "onednn",  TINY,    "--profile", profile,
			      "--instances", "1-2",	  "--frame", "64x48", "--fps",	   "20",
			      "--duration",  "0.3",	  "-o",	     dir,     NULL};
	struct tu_proc r;
	const cJSON *row;
	cJSON *doc;
	int n = 0;

	tu_source_path(profile, sizeof profile, "tests/data/calibrate/tiny.json");
	tu_spawn(args, &r);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	ck_assert(strstr(r.out, "fidelity: ") != NULL);
	snprintf(path, sizeof path, "%s/fidelity.json", dir);
	doc = read_json(path);
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(doc, "instances"))
	{
		const char *sides[] = {"measured", "simulated"};

		ck_assert_int_eq((int)num(row, "instances"), n + 1);
		for (int s = 0; s < 2; s++) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, sides[s]);

			/* Simulated streams start at a random phase. */
			ck_assert_msg(s == 0 ? num(m, "count") == (n + 1) * 6
					     : num(m, "count") >= (n + 1) * 5,
				      "%s: %g frames", sides[s], num(m, "count"));
			ck_assert(num(m, "p50_ms") > 0 && num(m, "p95_ms") >= num(m, "p50_ms"));
		}
		ck_assert(
		    isfinite(num(cJSON_GetObjectItemCaseSensitive(row, "relative_error"), "p95")));
		ck_assert(num(row, "ks") >= 0 && num(row, "ks") <= 1);
		n++;
	}
	ck_assert_int_eq(n, 2);
	cJSON_Delete(doc);
	for (int i = 0; i < 2; i++) {
		static const char *const files[] = {"fidelity.dat", "fidelity.gp"};
		FILE *f;

		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		f = fopen(path, "r");
		ck_assert_msg(f != NULL, "%s missing", files[i]);
		fclose(f);
	}
	tu_proc_release(&r);
	tu_remove_tmpdir(dir);
}
END_TEST

struct bad_cli {
	const char *args[12];
	int exit_code;
	const char *phrase;
};

static const struct bad_cli bad[] = {
    {{"calibrate", "--backend", "onednn", "--model", "mobilenet-v1", "-o", "x.json", NULL},
     2,
     "--frames is required"},
    {{"calibrate", "--backend", "onednn", "--model", "m", "--frames", "600x", "-o", "x", NULL},
     2,
     "--frames wants WxH"},
    {{"calibrate", "--backend", "onednn", "--instances", "3-1", NULL}, 2, "--instances wants"},
    {{"calibrate", "--backend", "tpu", "--model", "mobilenet-v1", "--frames", "8x8", "-o", "x.json",
      NULL},
     3,
     "unknown backend \"tpu\""},
    {{"calibrate", "--backend", "onednn", "--model", "resnet", "--frames", "8x8", "-o", "x.json",
      NULL},
     3,
     "model \"resnet\": expected mobilenet-v1 or mobilenet-ssd-v1"},
    {{"fidelity", "--backend", "onednn", "--model", "mobilenet-v1", "--fps", "0", NULL},
     2,
     "--fps wants a number"},
    {{"fidelity", "--backend", "onednn", "--model", "mobilenet-v1", "--fps", "5", NULL},
     2,
     "--duration is required"},
    {{"fidelity", "--backend", "onednn", "--model", "mobilenet-v1", "--fps", "5", "--duration", "1",
      "--profile", "no/such.json", NULL},
     3,
     "no/such.json"},
};

START_TEST(cli_rejects_bad)
{
	const struct bad_cli *c = &bad[_i];
	struct tu_proc r;

	tu_spawn(c->args, &r);
	ck_assert_msg(r.exit_code == c->exit_code, "exit %d, expected %d: %s", r.exit_code,
		      c->exit_code, r.err);
	ck_assert_msg(strstr(r.err, c->phrase) != NULL, "no \"%s\" in: %s", c->phrase, r.err);
	tu_proc_release(&r);
}
END_TEST

/* Where the cuDNN backend is built and no GPU is present, calibrating
 * with it fails cleanly: exit 1, "unavailable: <reason>". */
START_TEST(cudnn_unavailable_exit)
{
	const char *args[] = {"calibrate", "--backend", "cudnn", "--model", "mobilenet-v1",
			      "--frames",  "8x8",	"-o",	 "x.json",  NULL};
	struct tu_proc r;

	tu_spawn(args, &r);
	if (TIERSIM_HAVE_CUDNN && strstr(r.err, "unavailable: ") == NULL)
		ck_assert_msg(strstr(r.err, "runs no network") != NULL, "%s", r.err);
	else if (TIERSIM_HAVE_CUDNN)
		ck_assert_msg(strstr(r.err, "backend cudnn: unavailable: ") != NULL, "%s", r.err);
	ck_assert_msg(r.exit_code == (TIERSIM_HAVE_CUDNN ? 1 : 3), "exit %d: %s", r.exit_code,
		      r.err);
	tu_proc_release(&r);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	if (!TIERSIM_HAVE_ONEDNN)
		return 77;
	s = suite_create("calibrate");
	tc = tcase_create("calibrate");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, calibrate_writes_profile);
	tcase_add_loop_test(tc, calibrate_layer_times, 0, 2);
	tcase_add_test(tc, calibrate_layers_need_the_model_file);
	tcase_add_test(tc, fidelity_writes_report);
	tcase_add_loop_test(tc, cli_rejects_bad, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, cudnn_unavailable_exit);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
