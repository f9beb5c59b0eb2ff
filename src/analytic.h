/* The analytic execution model (docs/models.md).
 *
 * A model's FLOPs come from a number or from its layers; a node's FLOPS
 * from cores x GHz x FLOPs per cycle or a number.  Inference takes
 * I = lambda2 * s * comp / CR seconds and a transfer
 * D = delay + lambda1 * s * D_unit seconds with D_unit = 1 / bandwidth, s
 * the data size in bytes, comp the model's FLOPs and CR the node's FLOPS.
 * lambda1 (dimensionless) and lambda2 (per byte) are given or calibrated
 * from one measured pair by inverting these formulas.  Pure functions but
 * for the layer reader.
 */
#ifndef TIERSIM_ANALYTIC_H
#define TIERSIM_ANALYTIC_H

#include "jsonin.h"
#include "status.h"

/* Convolution with bias: out_h x out_w outputs per output channel, each
 * cin * k^2 multiply-adds plus the bias: 2 H W (Cin K^2 + 1) Cout. */
double analytic_conv_flops(double out_h, double out_w, double cin, double k, double cout);

/* Depthwise convolution with bias, one k x k filter per channel:
 * 2 H W (K^2 + 1) C. */
double analytic_depthwise_flops(double out_h, double out_w, double channels, double k);

/* Fully connected, without bias: (2 I - 1) O. */
double analytic_fc_flops(double inputs, double outputs);

/* LSTM over `steps` time steps: per step four gates, each a fully
 * connected map of I + H inputs to H outputs with bias, 2 (I + H) H, and
 * 4 H element-wise products and sums for the cell and hidden state;
 * activations are not counted: steps x (8 H (I + H) + 4 H). */
double analytic_lstm_flops(double inputs, double hidden, double steps);

/* One element of a model's "layers" (docs/models.md): a layer, or a
 * block of layers given by its totals. */
struct analytic_layer {
	char name[64]; /* "" when not given */
	double flops;
	/* Bytes that cross the link when the model is split after it: its
	 * output tensor (element_bytes per element) unless it gives
	 * "out_bytes". */
	double out_bytes;
};

/* Reads a "layers" array into *out (malloc'd, *n >= 1 elements, the
 * caller's to free); element_bytes is the size of one tensor element.
 * Errors name the JSON path. */
int analytic_layers_read(const struct jin_at *layers, double element_bytes,
			 struct analytic_layer **out, size_t *n, struct ts_error *err);

/* cores x ghz x flops_per_cycle, in FLOPS. */
double analytic_node_flops(double cores, double ghz, double flops_per_cycle);

/* I in seconds. */
double analytic_inference_s(double lambda2_per_byte, double bytes, double flops, double node_flops);

/* D in seconds: the link's delay plus lambda1 x bytes / bandwidth. */
double analytic_transfer_s(double lambda1, double bytes, double bandwidth_Bps, double delay_s);

/* The lambda2 that makes analytic_inference_s() equal measured_s. */
double analytic_calibrate_lambda2(double measured_s, double bytes, double flops, double node_flops);

/* The lambda1 that makes analytic_transfer_s() equal measured_s (<= 0
 * when measured_s does not exceed the delay). */
double analytic_calibrate_lambda1(double measured_s, double bytes, double bandwidth_Bps,
				  double delay_s);

#endif
