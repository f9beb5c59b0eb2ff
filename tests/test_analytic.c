/* The analytic model: FLOPs formulas on known layers, the layer reader,
 * node FLOPS, the times and their calibration, and the shipped model
 * files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytic.h"
#include "net.h"
#include "scenario.h"
#include "testutil.h"

START_TEST(analytic_layer_formulas)
{
	/* ResNet/VGG-style first layer: 224x224 output, 3 -> 64 channels,
	 * 3x3: 2 * 224 * 224 * (3 * 9 + 1) * 64. */
	ck_assert_double_eq(analytic_conv_flops(224, 224, 3, 3, 64), 179830784.0);
	/* A 1x1 convolution is a fully connected map per pixel, with bias. */
	ck_assert_double_eq(analytic_conv_flops(1, 1, 4096, 1, 1000), 2 * 4097 * 1000.0);
	/* MobileNetV1's first depthwise layer at 224: 112x112, 32
	 * channels, 3x3: 2 * 112 * 112 * 10 * 32. */
	ck_assert_double_eq(analytic_depthwise_flops(112, 112, 32, 3), 8028160.0);
	/* AlexNet/VGG's last layer: 4096 -> 1000. */
	ck_assert_double_eq(analytic_fc_flops(4096, 1000), 8191000.0);
	ck_assert_double_eq(analytic_fc_flops(1, 1), 1.0);
	/* LSTM, 10 inputs, 20 hidden, one step: 8 * 20 * 30 + 4 * 20. */
	ck_assert_double_eq(analytic_lstm_flops(10, 20, 1), 4880.0);
	ck_assert_double_eq(analytic_lstm_flops(10, 20, 48), 48 * 4880.0);
}
END_TEST

/* Parses text as a document whose root is a layers array of 4-byte
 * elements: the FLOPs summed, and the out_bytes of the first 4 layers. */
static int layers_bytes(const char *text, double *flops, double *out_bytes, struct ts_error *err)
{
	struct jin_doc doc = {0};
	struct jin_at root;
	struct analytic_layer *layers = NULL;
	size_t n = 0;
	int rc = jin_doc_parse(&doc, "layers.json", text, strlen(text), err);

	if (rc == 0) {
		root = jin_root(&doc);
		rc = analytic_layers_read(&root, 4, &layers, &n, err);
	}
	*flops = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		*flops += layers[i].flops;
		if (out_bytes != NULL && i < 4)
			out_bytes[i] = layers[i].out_bytes;
	}
	free(layers);
	jin_doc_release(&doc);
	return rc;
}

static int layers_of(const char *text, double *flops, struct ts_error *err)
{
	return layers_bytes(text, flops, NULL, err);
}

START_TEST(analytic_layers_sum)
{
	struct ts_error err = {""};
	double flops = -1;

	ck_assert_int_eq(
	    layers_of(
		"[{\"type\": \"conv\", \"out_h\": 224, \"out_w\": 224, \"in_channels\": 3, "
		"\"kernel\": 3, \"out_channels\": 64},"
		" {\"type\": \"depthwise\", \"out_h\": 112, \"out_w\": 112, \"channels\": 32, "
		"\"kernel\": 3},"
		" {\"type\": \"fc\", \"inputs\": 4096, \"outputs\": 1000},"
		" {\"type\": \"lstm\", \"inputs\": 10, \"hidden\": 20, \"steps\": 48}]",
		&flops, &err),
	    0);
	ck_assert_double_eq(flops, 179830784.0 + 8028160.0 + 8191000.0 + 48 * 4880.0);
	ck_assert_int_eq(
	    layers_of("[{\"type\": \"fc\", \"inputs\": 2, \"outputs\": 3, \"kernel\": 1}]", &flops,
		      &err),
	    TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "$[0]: unknown key \"kernel\""));
	ck_assert_int_eq(
	    layers_of("[{\"type\": \"fc\", \"inputs\": 2.5, \"outputs\": 3}]", &flops, &err),
	    TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "$[0].inputs: expected a whole number"));
	ck_assert_int_eq(
	    layers_of("[{\"type\": \"lstm\", \"inputs\": 2, \"hidden\": 3}]", &flops, &err),
	    TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing required key \"steps\""));
	ck_assert_int_eq(layers_of("[]", &flops, &err), TS_EINVALID);
}
END_TEST

/* The bytes a split after each layer sends: its output tensor at 4 bytes
 * an element, or the layer's own out_bytes; a block gives both. */
START_TEST(analytic_layers_out_bytes)
{
	struct ts_error err = {""};
	double flops = -1, bytes[4] = {0};

	ck_assert_int_eq(
	    layers_bytes("[{\"name\": \"c\", \"type\": \"conv\", \"out_h\": 10, \"out_w\": 20, "
			 "\"in_channels\": 3, \"kernel\": 3, \"out_channels\": 8},"
			 " {\"type\": \"depthwise\", \"out_h\": 5, \"out_w\": 5, \"channels\": 8, "
			 "\"kernel\": 3, \"out_bytes\": 7},"
			 " {\"type\": \"fc\", \"inputs\": 200, \"outputs\": 10},"
			 " {\"type\": \"block\", \"flops\": 1000, \"out_bytes\": 64}]",
			 &flops, bytes, &err),
	    0);
	ck_assert_double_eq(bytes[0], 10 * 20 * 8 * 4.0);
	ck_assert_double_eq(bytes[1], 7);
	ck_assert_double_eq(bytes[2], 40);
	ck_assert_double_eq(bytes[3], 64);
	ck_assert_double_eq(flops,
			    2 * 10 * 20 * 28 * 8.0 + 2 * 5 * 5 * 10 * 8.0 + 399 * 10.0 + 1000);
	ck_assert_int_eq(layers_of("[{\"type\": \"block\", \"flops\": 5}]", &flops, &err),
			 TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing required key \"out_bytes\""));
	ck_assert_int_eq(
	    layers_of("[{\"type\": \"fc\", \"inputs\": 2, \"outputs\": 3, \"out_bytes\": 0}]",
		      &flops, &err),
	    TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "$[0].out_bytes"));
	ck_assert_int_eq(layers_of("[{\"type\": \"block\", \"flops\": 5, \"out_bytes\": 1, "
				   "\"inputs\": 3}]",
				   &flops, &err),
			 TS_EINVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown key \"inputs\""));
}
END_TEST

START_TEST(analytic_node_flops_and_times)
{
	/* The study's machines: 16 and 8 Xeon cores at 2.2 GHz and a
	 * Raspberry Pi 4B, 32 FLOPs per cycle. */
	ck_assert_double_eq_tol(analytic_node_flops(16, 2.2, 32), 1126.4e9, 1e-3);
	ck_assert_double_eq_tol(analytic_node_flops(8, 2.2, 32), 563.2e9, 1e-3);
	ck_assert_double_eq_tol(analytic_node_flops(4, 1.5, 32), 192e9, 1e-3);
	/* 1e6 bytes x 1e9 FLOPs / 1e12 FLOPS x 1e-6 per byte = 1 ms. */
	ck_assert_double_eq_tol(analytic_inference_s(1e-6, 1e6, 1e9, 1e12), 1e-3, 1e-15);
	/* 42 ms + 2.9e6 bytes at 2.9 MB/s. */
	ck_assert_double_eq_tol(analytic_transfer_s(1, 2.9e6, 2.9e6, 0.042), 1.042, 1e-12);
	ck_assert_double_eq_tol(analytic_transfer_s(0.5, 2.9e6, 2.9e6, 0.042), 0.542, 1e-12);
}
END_TEST

START_TEST(analytic_calibration_inverts)
{
	double l2 = analytic_calibrate_lambda2(0.25, 7e5, 105089, 563.2e9);
	double l1 = analytic_calibrate_lambda1(0.3, 1e6, 1e7, 0.000239);

	ck_assert_double_eq_tol(analytic_inference_s(l2, 7e5, 105089, 563.2e9), 0.25, 1e-12);
	ck_assert_double_eq_tol(analytic_transfer_s(l1, 1e6, 1e7, 0.000239), 0.3, 1e-12);
	ck_assert_double_le(analytic_calibrate_lambda1(0.0001, 1e6, 1e7, 0.000239), 0);
}
END_TEST

/* The shipped model files through the scenarios that name them. */
START_TEST(analytic_shipped_models)
{
	static const struct {
		const char *scenario;
		const char *model;
		double flops;
	} want[] = {
	    {"scenarios/icu-lstm-18.json", "lstm-short-of-breath", 105089},
	    {"scenarios/icu-lstm-18.json", "lstm-life-death", 7569},
	    {"scenarios/icu-lstm-18.json", "lstm-phenotype", 347417},
	    {"scenarios/image-placement.json", "facenet", 1.7e9},
	    {"scenarios/image-placement.json", "lanenet", 18.91e9},
	    {"scenarios/image-placement.json", "resnet18", 7.84e9},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char path[4096];
		struct ts_error err = {""};
		struct scenario *s;
		bool found = false;

		snprintf(path, sizeof(path), "%s/%s", getenv("TIERSIM_SOURCE_ROOT"),
			 want[i].scenario);
		ck_assert_msg(scenario_load(path, &s, &err) == 0, "%s", err.msg);
		for (size_t m = 0; m < s->n_models; m++)
			if (strcmp(s->models[m].id, want[i].model) == 0) {
				ck_assert_double_eq(s->models[m].flops, want[i].flops);
				found = true;
			}
		ck_assert_msg(found, "%s: no model %s", want[i].scenario, want[i].model);
		/* Cloud: 16 x 2.2 GHz x 32 CPU and a 110 TFLOPS GPU. */
		ck_assert_double_eq_tol(s->nodes[0].cpu_flops, 1126.4e9, 1e-3);
		ck_assert_double_eq(s->nodes[0].gpu_flops, 110e12);
		scenario_free(s);
	}
}
END_TEST

/* models/NAME.json's layers, 4 bytes an element, into *layers (the
 * caller frees). */
static size_t model_file_layers(const char *name, struct analytic_layer **layers)
{
	char rel[128], path[4096];
	struct ts_error err = {""};
	struct jin_doc doc = {0};
	struct jin_at root, arr;
	size_t n = 0;

	snprintf(rel, sizeof(rel), "models/%s.json", name);
	tu_source_path(path, sizeof(path), rel);
	ck_assert_msg(jin_doc_load(&doc, path, &err) == 0, "%s", err.msg);
	root = jin_root(&doc);
	ck_assert_int_eq(jin_member(&root, "layers", true, &arr, &err), 0);
	ck_assert_msg(analytic_layers_read(&arr, 4, layers, &n, &err) == 0, "%s", err.msg);
	jin_doc_release(&doc);
	return n;
}

/* The model files of the networks tiersim calibrate runs (src/net.c)
 * describe them layer for layer, so that a calibrated profile's per-layer
 * times line up with the model's layers: the same FLOPs (a global
 * average pool, a block, one operation per input element), and after
 * each layer the bytes of every tensor computed so far that a later
 * layer reads or that is part of the output. */
static const struct {
	const char *model;
	int input_px;
	double flops; /* 2 x MAC plus biases (and the pool) */
} nets[] = {
    {"mobilenet-ssd-v1", 300, 2315502698.0},
    {"mobilenet-v1", 224, 1147618256.0},
};

START_TEST(analytic_model_files_are_nets)
{
	struct ts_error err = {""};
	struct analytic_layer *layers = NULL;
	struct net net;
	size_t n = model_file_layers(nets[_i].model, &layers);
	double flops = 0;

	ck_assert_int_eq(net_build(&net, nets[_i].model, 1, nets[_i].input_px, &err), 0);
	ck_assert_uint_eq(n, (size_t)net.n_layers);
	for (int k = 0; k < net.n_layers; k++) {
		const struct net_layer *l = &net.layers[k];
		double live = 0;

		ck_assert_double_eq(layers[k].flops,
				    l->op == NET_AVGPOOL
					? (double)l->in_c * l->in_h * l->in_w
					: analytic_conv_flops(l->out_h, l->out_w,
							      l->in_c / l->groups, l->k, l->out_c));
		for (int t = 0; t <= k; t++) {
			bool read_later = net.layers[t].output;

			for (int j = k + 1; j < net.n_layers; j++)
				read_later = read_later || net.layers[j].src == t;
			if (read_later)
				live += 4.0 * net.layers[t].out_c * net.layers[t].out_h *
					net.layers[t].out_w;
		}
		ck_assert_msg(layers[k].out_bytes == live,
			      "%s layer %d (%s): %.17g bytes, expected %.17g", nets[_i].model,
			      k + 1, layers[k].name, layers[k].out_bytes, live);
		flops += layers[k].flops;
	}
	ck_assert_double_eq(layers[n - 1].out_bytes, 4.0 * (double)net.output_floats);
	ck_assert_double_eq(flops, nets[_i].flops);
	free(layers);
}
END_TEST

/* By hand: after conv13_pw the maps 19x19x512 and 10x10x1024 cross;
 * after extra1_3x3 also its 5x5x512; after cls0 the maps of 10, 5, 3, 2
 * and 1 cells (1024, 512, 256, 256 and 128 channels) and the first map's
 * 19x19x(12 + 63) predictions; after the last layer the 47925 floats of
 * the 12 predictors. */
START_TEST(analytic_ssd_split_bytes)
{
	struct analytic_layer *layers = NULL;
	size_t n = model_file_layers("mobilenet-ssd-v1", &layers);

	ck_assert_uint_eq(n, 47);
	ck_assert_str_eq(layers[26].name, "conv13_pw");
	ck_assert_double_eq(layers[26].out_bytes, 4.0 * (19 * 19 * 512 + 10 * 10 * 1024));
	ck_assert_str_eq(layers[28].name, "extra1_3x3");
	ck_assert_double_eq(layers[28].out_bytes,
			    4.0 * (19 * 19 * 512 + 10 * 10 * 1024 + 5 * 5 * 512));
	ck_assert_str_eq(layers[36].name, "cls0");
	ck_assert_double_eq(
	    layers[36].out_bytes,
	    4.0 * (10 * 10 * 1024 + 5 * 5 * 512 + 3 * 3 * 256 + 2 * 2 * 256 + 128 + 19 * 19 * 75));
	ck_assert_str_eq(layers[46].name, "cls5");
	ck_assert_double_eq(layers[46].out_bytes, 4.0 * 47925);
	free(layers);
}
END_TEST

static Suite *analytic_suite(void)
{
	Suite *s = suite_create("analytic");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, analytic_layer_formulas);
	tcase_add_test(tc, analytic_layers_sum);
	tcase_add_test(tc, analytic_layers_out_bytes);
	tcase_add_test(tc, analytic_node_flops_and_times);
	tcase_add_test(tc, analytic_calibration_inverts);
	tcase_add_test(tc, analytic_shipped_models);
	tcase_add_loop_test(tc, analytic_model_files_are_nets, 0, sizeof(nets) / sizeof(nets[0]));
	tcase_add_test(tc, analytic_ssd_split_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(analytic_suite());
}
