#include "net.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

const char *const net_models[] = {"mobilenet-v1", "mobilenet-ssd-v1", NULL};

/* SSD's 21 classes (20 VOC classes and background) and default boxes per
 * location of its six feature maps, as in MobileNetV1-SSD 300x300. */
#define SSD_CLASSES    21
#define SSD_MAPS       6
#define SSD_TOP_K      200
#define SSD_KEEP       100
#define SSD_SCORE_MIN  0.01
#define SSD_IOU_MAX    0.45
#define CLASSIFIER_OUT 1000
static const int ssd_anchors[SSD_MAPS] = {3, 6, 6, 6, 6, 6};

static int channels(double width, int c)
{
	int w = (int)(c * width + 0.5);

	return w < 8 ? 8 : w;
}

static int add_layer(struct net *n, enum net_op op, int src, int out_c, int k, int stride,
		     int groups_all, bool relu6)
{
	struct net_layer *l = &n->layers[n->n_layers];
	const struct net_layer *p = src < 0 ? NULL : &n->layers[src];

	l->op = op;
	l->src = src;
	l->in_c = p ? p->out_c : 3;
	l->in_h = p ? p->out_h : n->input_px;
	l->in_w = p ? p->out_w : n->input_px;
	l->relu6 = relu6;
	if (op == NET_AVGPOOL) {
		l->out_c = l->in_c;
		l->out_h = l->out_w = 1;
		l->k = l->in_h;
		l->stride = 1;
		l->groups = 1;
	} else {
		l->out_c = groups_all ? l->in_c : out_c;
		l->k = k;
		l->stride = stride;
		l->pad = k / 2;
		l->groups = groups_all ? l->in_c : 1;
		l->out_h = (l->in_h + 2 * l->pad - k) / stride + 1;
		l->out_w = (l->in_w + 2 * l->pad - k) / stride + 1;
		n->macs += (double)l->out_c * l->out_h * l->out_w * (l->in_c / l->groups) * k * k;
	}
	return n->n_layers++;
}

/* MobileNetV1's body: a 3x3 stride-2 convolution, then 13 depthwise 3x3 +
 * pointwise 1x1 pairs.  Returns the index of the last layer and, in
 * *conv11, that of the 11th pair's pointwise layer (SSD's first map). */
static int mobilenet_body(struct net *n, int *conv11)
{
	static const struct {
		int out_c, stride;
	} pairs[13] = {{64, 1},	 {128, 2}, {128, 1}, {256, 2}, {256, 1},  {512, 2}, {512, 1},
		       {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
	int last = add_layer(n, NET_CONV, -1, channels(n->width, 32), 3, 2, 0, true);

	for (int i = 0; i < 13; i++) {
		last = add_layer(n, NET_CONV, last, 0, 3, pairs[i].stride, 1, true);
		last =
		    add_layer(n, NET_CONV, last, channels(n->width, pairs[i].out_c), 1, 1, 0, true);
		if (i == 10)
			*conv11 = last;
	}
	return last;
}

static void mark_output(struct net *n, int l)
{
	const struct net_layer *p = &n->layers[l];

	n->layers[l].output = true;
	n->output_floats += (size_t)p->out_c * p->out_h * p->out_w;
}

int net_build(struct net *n, const char *model, double width, int input_px, struct ts_error *err)
{
	int conv11, last;

	memset(n, 0, sizeof *n);
	if (!(width > 0 && width <= 1))
		return ts_error_set(err, TS_EINVALID,
				    "width multiplier %g: expected a number in (0, 1]", width);
	if (input_px < 32 || input_px > 4096)
		return ts_error_set(err, TS_EINVALID, "input size %d: expected 32 to 4096 pixels",
				    input_px);
	n->width = width;
	n->input_px = input_px;
	if (strcmp(model, "mobilenet-v1") == 0) {
		last = mobilenet_body(n, &conv11);
		last = add_layer(n, NET_AVGPOOL, last, 0, 0, 0, 0, false);
		mark_output(n, add_layer(n, NET_CONV, last, CLASSIFIER_OUT, 1, 1, 0, false));
	} else if (strcmp(model, "mobilenet-ssd-v1") == 0) {
		/* The extra layers shrink the map by 2 each: a 1x1
		 * bottleneck, then a 3x3 stride-2 convolution.  Box and
		 * class predictors are 1x1 convolutions on each map. */
		static const int extras[4][2] = {{256, 512}, {128, 256}, {128, 256}, {64, 128}};
		int maps[SSD_MAPS];

		last = mobilenet_body(n, &conv11);
		maps[0] = conv11;
		maps[1] = last;
		for (int i = 0; i < 4; i++) {
			last = add_layer(n, NET_CONV, last, channels(width, extras[i][0]), 1, 1, 0,
					 true);
			last = add_layer(n, NET_CONV, last, channels(width, extras[i][1]), 3, 2, 0,
					 true);
			maps[2 + i] = last;
		}
		for (int m = 0; m < SSD_MAPS; m++) {
			mark_output(
			    n, add_layer(n, NET_CONV, maps[m], ssd_anchors[m] * 4, 1, 1, 0, false));
			mark_output(n, add_layer(n, NET_CONV, maps[m], ssd_anchors[m] * SSD_CLASSES,
						 1, 1, 0, false));
		}
	} else {
		return ts_error_set(err, TS_EINVALID,
				    "model \"%s\": expected mobilenet-v1 or mobilenet-ssd-v1",
				    model);
	}
	snprintf(n->model, sizeof n->model, "%s", model);
	return TS_EOK;
}

size_t net_weight_count(const struct net_layer *l)
{
	return (size_t)l->out_c * (l->in_c / l->groups) * l->k * l->k;
}

int net_fill_weights(const struct net *n, int index, uint64_t seed, float *w, float *bias,
		     struct ts_error *err)
{
	const struct net_layer *l = &n->layers[index];
	char name[64];
	gsl_rng *r;
	/* Uniform on [-a, a] with a = sqrt(3 / fan-in): unit variance of
	 * each output for unit inputs, so activations neither vanish nor
	 * saturate ReLU6 through the 27 layers. */
	double a = sqrt(3.0 / ((l->in_c / l->groups) * l->k * l->k));

	snprintf(name, sizeof name, "calibrate/weights/%d", index);
	r = rng_stream_new(seed, name);
	if (r == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory for the weights' generator");
	for (size_t i = 0, c = net_weight_count(l); i < c; i++)
		w[i] = (float)(a * (2 * gsl_rng_uniform(r) - 1));
	for (int o = 0; o < l->out_c; o++)
		bias[o] = (float)(0.1 * (2 * gsl_rng_uniform(r) - 1));
	gsl_rng_free(r);
	return TS_EOK;
}

void net_preprocess(const struct net *n, const uint8_t *rgb, int w, int h, float *in)
{
	int side = n->input_px;
	double sx = (double)w / side, sy = (double)h / side;

	for (int y = 0; y < side; y++) {
		double fy = (y + 0.5) * sy - 0.5;
		int y0 = fy < 0 ? 0 : (int)fy;
		int y1 = y0 + 1 < h ? y0 + 1 : h - 1;
		double dy = fy < 0 ? 0 : fy - y0;

		for (int x = 0; x < side; x++) {
			double fx = (x + 0.5) * sx - 0.5;
			int x0 = fx < 0 ? 0 : (int)fx;
			int x1 = x0 + 1 < w ? x0 + 1 : w - 1;
			double dx = fx < 0 ? 0 : fx - x0;

			for (int c = 0; c < 3; c++) {
				double top = rgb[((size_t)y0 * w + x0) * 3 + c] * (1 - dx) +
					     rgb[((size_t)y0 * w + x1) * 3 + c] * dx;
				double bot = rgb[((size_t)y1 * w + x0) * 3 + c] * (1 - dx) +
					     rgb[((size_t)y1 * w + x1) * 3 + c] * dx;
				double v = top * (1 - dy) + bot * dy;

				in[((size_t)c * side + y) * side + x] = (float)(v / 127.5 - 1);
			}
		}
	}
}

struct ssd_box {
	double score, x0, y0, x1, y1;
};

static double iou(const struct ssd_box *a, const struct ssd_box *b)
{
	double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0);
	double h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);
	double inter = w > 0 && h > 0 ? w * h : 0;
	double u = (a->x1 - a->x0) * (a->y1 - a->y0) + (b->x1 - b->x0) * (b->y1 - b->y0) - inter;

	return u > 0 ? inter / u : 0;
}

/* Default box a of map m: scales from 0.2 to 0.9 over the maps, aspect
 * ratios 1, 2, 1/2 (and 3, 1/3 and an intermediate scale with 6 boxes);
 * the first map's unit box has scale 0.1. */
static void default_box(int m, int a, double *w, double *h)
{
	static const double ratios[6] = {1, 2, 0.5, 3, 1.0 / 3, 1};
	double s = 0.2 + 0.7 * m / (SSD_MAPS - 1), s1 = 0.2 + 0.7 * (m + 1) / (SSD_MAPS - 1);

	if (m == 0 && a == 0)
		s = 0.1;
	if (a == 5)
		s = sqrt(s * s1);
	*w = s * sqrt(ratios[a]);
	*h = s / sqrt(ratios[a]);
}

/* Collects the best non-background class of each default box above
 * SSD_SCORE_MIN, keeps the SSD_TOP_K best and decodes their offsets
 * (variances 0.1 and 0.2), then greedy NMS keeps at most SSD_KEEP. */
static size_t ssd_postprocess(const struct net *n, const float *out)
{
	struct ssd_box best[SSD_TOP_K];
	size_t kept = 0, n_best = 0;
	const float *p = out;
	int mi = 0;

	for (int li = 0; li < n->n_layers; li++) {
		const struct net_layer *loc = &n->layers[li], *conf;
		size_t plane;

		if (!loc->output)
			continue;
		conf = &n->layers[li + 1];
		plane = (size_t)loc->out_h * loc->out_w;
		for (int a = 0; a < ssd_anchors[mi]; a++) {
			double aw, ah;

			default_box(mi, a, &aw, &ah);
			for (size_t i = 0; i < plane; i++) {
				const float *c =
				    p + loc->out_c * plane + (size_t)a * SSD_CLASSES * plane;
				double mx = c[i], sum = 0, top = 0;
				struct ssd_box b;

				for (int k = 1; k < SSD_CLASSES; k++)
					mx = fmax(mx, c[k * plane + i]);
				for (int k = 0; k < SSD_CLASSES; k++)
					sum += exp(c[k * plane + i] - mx);
				for (int k = 1; k < SSD_CLASSES; k++)
					top = fmax(top, exp(c[k * plane + i] - mx) / sum);
				if (top < SSD_SCORE_MIN)
					continue;
				{
					const float *l = p + (size_t)a * 4 * plane + i;
					double acx = ((double)(i % loc->out_w) + 0.5) / loc->out_w;
					double acy = ((double)(i / loc->out_w) + 0.5) / loc->out_h;
					double cx = acx + 0.1 * l[0] * aw,
					       cy = acy + 0.1 * l[plane] * ah;
					double bw = aw * exp(0.2 * l[2 * plane]);
					double bh = ah * exp(0.2 * l[3 * plane]);

					b = (struct ssd_box){top, cx - bw / 2, cy - bh / 2,
							     cx + bw / 2, cy + bh / 2};
				}
				if (n_best == SSD_TOP_K && top <= best[SSD_TOP_K - 1].score)
					continue;
				/* Insertion into the list kept sorted by score. */
				size_t at = n_best < SSD_TOP_K ? n_best++ : SSD_TOP_K - 1;

				for (; at > 0 && best[at - 1].score < top; at--)
					best[at] = best[at - 1];
				best[at] = b;
			}
		}
		p += (size_t)(loc->out_c + conf->out_c) * plane;
		li++;
		mi++;
	}
	for (size_t i = 0; i < n_best && kept < SSD_KEEP; i++) {
		bool suppressed = false;

		for (size_t j = 0; j < kept && !suppressed; j++)
			suppressed = iou(&best[i], &best[j]) > SSD_IOU_MAX;
		if (!suppressed)
			best[kept++] = best[i];
	}
	return kept;
}

size_t net_postprocess(const struct net *n, const float *out)
{
	size_t top = 0;

	if (strcmp(n->model, "mobilenet-ssd-v1") == 0)
		return ssd_postprocess(n, out);
	for (size_t i = 1; i < n->output_floats; i++)
		if (out[i] > out[top])
			top = i;
	return top;
}
