/* The network descriptions, the backend registry and the cuDNN probe
 * (which must say "unavailable: <reason>" where there is no GPU). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "calib.h"
#include "config.h"
#include "net.h"
#include "testutil.h"

/* MobileNetV1-SSD 300x300: 1.15 GMAC (models/mobilenet-ssd-v1.json) in
 * six maps of 19, 10, 5, 3, 2 and 1 cells. */
START_TEST(net_ssd_shape)
{
	static const int sides[6] = {19, 10, 5, 3, 2, 1};
	struct ts_error err = {""};
	struct net n;
	int m = 0;

	ck_assert_int_eq(net_build(&n, "mobilenet-ssd-v1", 1, 300, &err), 0);
	ck_assert_msg(n.macs > 1.1e9 && n.macs < 1.35e9, "%g MAC", n.macs);
	for (int li = 0; li < n.n_layers; li++) {
		const struct net_layer *l = &n.layers[li];

		if (!l->output)
			continue;
		ck_assert_int_eq(l->out_h, sides[m / 2]);
		ck_assert_int_eq(l->out_c, (m / 2 == 0 ? 3 : 6) * (m % 2 ? 21 : 4));
		m++;
	}
	ck_assert_int_eq(m, 12);
}
END_TEST

/* MobileNetV1 224x224: 569 MMAC and 1000 classes. */
START_TEST(net_classifier_shape)
{
	struct ts_error err = {""};
	struct net n;

	ck_assert_int_eq(net_build(&n, "mobilenet-v1", 1, 224, &err), 0);
	ck_assert_msg(fabs(n.macs - 569e6) < 10e6, "%g MAC", n.macs);
	ck_assert_uint_eq(n.output_floats, 1000);
	ck_assert_int_eq(n.layers[n.n_layers - 2].op, NET_AVGPOOL);
}
END_TEST

struct bad_net {
	const char *model;
	double width;
	int input;
	const char *phrase;
};

static const struct bad_net bad_nets[] = {
    {"resnet18", 1, 300, "model \"resnet18\": expected mobilenet-v1 or mobilenet-ssd-v1"},
    {"mobilenet-v1", 0, 300, "width multiplier 0: expected a number in (0, 1]"},
    {"mobilenet-v1", 1.5, 300, "width multiplier 1.5"},
    {"mobilenet-v1", 1, 16, "input size 16: expected 32 to 4096 pixels"},
};

START_TEST(net_rejects_bad)
{
	struct ts_error err = {""};
	struct net n;

	ck_assert_int_eq(
	    net_build(&n, bad_nets[_i].model, bad_nets[_i].width, bad_nets[_i].input, &err),
	    TS_EINVALID);
	ck_assert_msg(strstr(err.msg, bad_nets[_i].phrase) != NULL, "%s", err.msg);
}
END_TEST

/* Same seed, same weights; another layer, other weights. */
START_TEST(net_weights_deterministic)
{
	struct ts_error err = {""};
	struct net n;
	float w1[27 * 8], w2[27 * 8], b1[8], b2[8];

	ck_assert_int_eq(net_build(&n, "mobilenet-v1", 0.25, 64, &err), 0);
	ck_assert_uint_eq(net_weight_count(&n.layers[0]), 27 * 8);
	ck_assert_int_eq(net_fill_weights(&n, 0, 3, w1, b1, &err), 0);
	ck_assert_int_eq(net_fill_weights(&n, 0, 3, w2, b2, &err), 0);
	ck_assert_mem_eq(w1, w2, sizeof w1);
	ck_assert_mem_eq(b1, b2, sizeof b1);
	ck_assert_int_eq(net_fill_weights(&n, 0, 4, w2, b2, &err), 0);
	ck_assert(memcmp(w1, w2, sizeof w1) != 0);
	for (size_t i = 0; i < 27 * 8; i++)
		ck_assert(fabsf(w1[i]) <= sqrtf(3.0f / 27));
}
END_TEST

/* A uniform grey frame normalises to one value everywhere, whatever the
 * resize. */
START_TEST(net_preprocess_normalises)
{
	struct ts_error err = {""};
	struct net n;
	uint8_t rgb[50 * 40 * 3];
	float *in;

	memset(rgb, 51, sizeof rgb);
	ck_assert_int_eq(net_build(&n, "mobilenet-v1", 0.25, 32, &err), 0);
	in = malloc(3 * 32 * 32 * sizeof *in);
	net_preprocess(&n, rgb, 50, 40, in);
	for (size_t i = 0; i < 3 * 32 * 32; i++)
		ck_assert_float_eq_tol(in[i], 51 / 127.5 - 1, 1e-6);
	free(in);
}
END_TEST

/* SSD post-processing with zero logits: every class scores 1/21, above
 * the 0.01 threshold, so boxes are kept, at most 100 after NMS. */
START_TEST(net_postprocess_ssd)
{
	struct ts_error err = {""};
	struct net n;
	float *out;
	size_t kept;

	ck_assert_int_eq(net_build(&n, "mobilenet-ssd-v1", 0.25, 300, &err), 0);
	out = calloc(n.output_floats, sizeof *out);
	kept = net_postprocess(&n, out);
	ck_assert_uint_gt(kept, 0);
	ck_assert_uint_le(kept, 100);
	free(out);
}
END_TEST

START_TEST(backend_unknown_lists_built)
{
	struct ts_error err = {""};

	ck_assert_ptr_null(backend_find("tpu", &err));
	ck_assert_msg(strstr(err.msg, "unknown backend \"tpu\"") != NULL, "%s", err.msg);
	if (TIERSIM_HAVE_ONEDNN)
		ck_assert_msg(strstr(err.msg, "onednn") != NULL, "%s", err.msg);
}
END_TEST

/* Where cuDNN's headers were found, the backend is built; its probe either
 * finds a GPU and describes it or says cleanly why not. */
START_TEST(cudnn_probe_is_clean)
{
	struct ts_error err = {""};
	const struct backend_ops *b;
	struct backend_info info = {NULL, NULL, NULL};

	if (!TIERSIM_HAVE_CUDNN) {
		ck_assert_ptr_null(backend_find("cudnn", &err));
		return;
	}
	b = backend_find("cudnn", &err);
	ck_assert_ptr_nonnull(b);
	ck_assert(b->create == NULL);
	if (b->probe(&err) == 0) {
		b->describe(&info);
		ck_assert_msg(strncmp(info.library, "cuDNN ", 6) == 0, "%s", info.library);
		ck_assert_msg(strncmp(info.driver, "CUDA driver ", 12) == 0, "%s", info.driver);
		return;
	}
	ck_assert_msg(strncmp(err.msg, "unavailable: ", 13) == 0, "%s", err.msg);
	ck_assert_msg(strlen(err.msg) > 20, "no reason given: %s", err.msg);
	ck_assert_msg(strchr(err.msg, '\n') == NULL, "%s", err.msg);
}
END_TEST

/* A backend that fails to build its `fail_at`-th instance (0: never). */
static int fake_made, fake_fail_at;

static int fake_create(const struct net *n, uint64_t seed, int threads, FILE *warn, void **inst,
		       struct ts_error *err)
{
	(void)seed, (void)threads, (void)warn;
	if (__atomic_add_fetch(&fake_made, 1, __ATOMIC_SEQ_CST) == fake_fail_at)
		return ts_error_set(err, TS_ERUNTIME, "fake create failed");
	/* The instance is the network, whose output size run needs. */
	*inst = (void *)n;
	return TS_EOK;
}

static int fake_run(void *inst, const float *in, float *out, struct ts_error *err)
{
	const struct net *n = inst;

	(void)in, (void)err;
	/* Every output written, as the interface asks of a backend. */
	for (size_t i = 0; i < n->output_floats; i++)
		out[i] = i == 0 ? 1 : 0;
	return TS_EOK;
}

static void fake_destroy(void *inst)
{
	(void)inst;
}

static const struct backend_ops fake = {
    .name = "fake", .create = fake_create, .run = fake_run, .destroy = fake_destroy};

/* An instance that cannot be built fails the whole run with its message;
 * the others, released from the start barrier, time nothing and end. */
START_TEST(calib_instance_failure)
{
	struct ts_error err = {""};
	struct net n;
	struct calib_config c = {.backend = &fake,
				 .net = &n,
				 .frame_w = 40,
				 .frame_h = 30,
				 .instances = 3,
				 .threads = 1,
				 .iters = 2};
	struct calib_run r;

	ck_assert_int_eq(net_build(&n, "mobilenet-v1", 0.25, 32, &err), 0);
	fake_made = 0;
	fake_fail_at = 2;
	ck_assert_int_eq(calib_run(&c, &r, &err), TS_ERUNTIME);
	ck_assert_msg(strstr(err.msg, ": fake create failed") != NULL, "%s", err.msg);
	ck_assert_int_eq(fake_made, 3);
	fake_fail_at = 0;
	ck_assert_msg(calib_run(&c, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.instances, 3);
	calib_run_release(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backend");
	TCase *tc = tcase_create("backend");

	tcase_add_test(tc, net_ssd_shape);
	tcase_add_test(tc, net_classifier_shape);
	tcase_add_loop_test(tc, net_rejects_bad, 0, sizeof bad_nets / sizeof bad_nets[0]);
	tcase_add_test(tc, net_weights_deterministic);
	tcase_add_test(tc, net_preprocess_normalises);
	tcase_add_test(tc, net_postprocess_ssd);
	tcase_add_test(tc, backend_unknown_lists_built);
	tcase_add_test(tc, cudnn_probe_is_clean);
	tcase_add_test(tc, calib_instance_failure);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
