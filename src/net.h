/* The networks that calibration backends run: MobileNetV1 and
 * MobileNetV1-SSD as lists of layers, their deterministic random weights,
 * and the plain-C pre- and post-processing around them.
 *
 * A network is described once here and built by each backend from the
 * description, so every backend runs the same layers on the same weights.
 * Tensors are float32, NCHW with N = 1; weights are OIHW with I the input
 * channels of one group (a depthwise layer has groups = channels, I = 1).
 */
#ifndef TIERSIM_NET_H
#define TIERSIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define NET_MAX_LAYERS 64

enum net_op {
	NET_CONV,    /* convolution with bias, optional ReLU6 */
	NET_AVGPOOL, /* global average pooling */
};

struct net_layer {
	enum net_op op;
	int src; /* index of the producing layer, -1 for the network's input */
	int in_c, in_h, in_w;
	int out_c, out_h, out_w;
	int k, stride, pad, groups; /* NET_CONV only */
	bool relu6;
	bool output; /* part of the network's output, in layer order */
};

struct net {
	char model[32]; /* "mobilenet-v1" or "mobilenet-ssd-v1" */
	double width;	/* width multiplier, (0, 1] */
	int input_px;	/* square input side */
	int n_layers;
	struct net_layer layers[NET_MAX_LAYERS];
	size_t output_floats; /* sum over output layers of C x H x W */
	double macs;	      /* multiply-accumulates of one inference */
};

/* The model ids net_build() knows, NULL-terminated. */
extern const char *const net_models[];

/* Builds the description of `model` at width multiplier `width` in (0, 1]
 * and input side `input_px` (32-4096).  TS_EINVALID names the bad value. */
int net_build(struct net *n, const char *model, double width, int input_px, struct ts_error *err);

/* Floats of layer l's weights (out_c x in_c/groups x k x k). */
size_t net_weight_count(const struct net_layer *l);

/* Fills layer `index`'s weights (net_weight_count floats) and bias (out_c
 * floats) with uniform variates scaled to the layer's fan-in, from the
 * stream "calibrate/weights/<index>" under `seed`: the same seed gives
 * the same network in every backend.  TS_ENOMEM when no generator. */
int net_fill_weights(const struct net *n, int index, uint64_t seed, float *w, float *bias,
		     struct ts_error *err);

/* Resizes an RGB8 frame (w x h, interleaved) to the network's input
 * (bilinear) and normalises each channel to [-1, 1] into in (3 x side x
 * side floats, NCHW). */
void net_preprocess(const struct net *n, const uint8_t *rgb, int w, int h, float *in);

/* Post-processing of one output (net->output_floats floats).  SSD: the
 * boxes decoded from the default boxes, thresholded and thinned by greedy
 * NMS; returns the number of detections kept.  Classifier: returns the
 * index of the top class. */
size_t net_postprocess(const struct net *n, const float *out);

#endif
