#include "analytic.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

double analytic_conv_flops(double out_h, double out_w, double cin, double k, double cout)
{
	return 2 * out_h * out_w * (cin * k * k + 1) * cout;
}

double analytic_depthwise_flops(double out_h, double out_w, double channels, double k)
{
	return 2 * out_h * out_w * (k * k + 1) * channels;
}

double analytic_fc_flops(double inputs, double outputs)
{
	return (2 * inputs - 1) * outputs;
}

double analytic_lstm_flops(double inputs, double hidden, double steps)
{
	return steps * (8 * hidden * (inputs + hidden) + 4 * hidden);
}

/* Reads the integer members keys[0..n) of a layer into v. */
static int layer_values(const struct jin_at *layer, const char *const *keys, size_t n, double *v,
			struct ts_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		int64_t x = 0;

		rc = jin_get_integer(layer, keys[i], true, 1, INT64_C(1000000000), &x, err);
		v[i] = (double)x;
	}
	return rc;
}

enum layer_type { LAYER_CONV, LAYER_DEPTHWISE, LAYER_FC, LAYER_LSTM, LAYER_BLOCK };

/* Layer l's FLOPs and output elements from its sizes v. */
static void layer_size(enum layer_type type, const double *v, struct analytic_layer *l,
		       double *elements)
{
	switch (type) {
	case LAYER_CONV:
		l->flops = analytic_conv_flops(v[0], v[1], v[2], v[3], v[4]);
		*elements = v[0] * v[1] * v[4];
		break;
	case LAYER_DEPTHWISE:
		l->flops = analytic_depthwise_flops(v[0], v[1], v[2], v[3]);
		*elements = v[0] * v[1] * v[2];
		break;
	case LAYER_FC:
		l->flops = analytic_fc_flops(v[0], v[1]);
		*elements = v[1];
		break;
	case LAYER_LSTM:
		/* Its output is the last step's hidden state. */
		l->flops = analytic_lstm_flops(v[0], v[1], v[2]);
		*elements = v[1];
		break;
	case LAYER_BLOCK:
		*elements = 0;
		break;
	}
}

static int read_layer(const struct jin_at *l, double element_bytes, struct analytic_layer *out,
		      struct ts_error *err)
{
	static const char *const types[] = {"conv", "depthwise", "fc", "lstm", "block", NULL};
	/* Each type's sizes after "name", "type" and "out_bytes", in the
	 * order its formula takes them; a block gives its FLOPs. */
	static const char *const keys[][8] = {
	    {"name", "type", "out_bytes", "out_h", "out_w", "in_channels", "kernel",
	     "out_channels"},
	    {"name", "type", "out_bytes", "out_h", "out_w", "channels", "kernel", NULL},
	    {"name", "type", "out_bytes", "inputs", "outputs", NULL},
	    {"name", "type", "out_bytes", "inputs", "hidden", "steps", NULL},
	    {"name", "type", "out_bytes", "flops", NULL},
	};
	static const size_t counts[] = {5, 4, 2, 3, 0};
	const char *allowed[9] = {NULL};
	const char *name = NULL;
	double v[5], elements = 0;
	int type;
	int rc = jin_get_enum(l, "type", true, types, &type, err);

	for (size_t k = 0; rc == 0 && k < 3 + counts[type] + (type == LAYER_BLOCK); k++)
		allowed[k] = keys[type][k];
	if (rc == 0)
		rc = jin_keys(l, allowed, err);
	if (rc == 0)
		rc = jin_get_string(l, "name", false, sizeof(out->name) - 1, &name, err);
	if (rc == 0)
		rc = layer_values(l, keys[type] + 3, counts[type], v, err);
	if (rc == 0 && type == LAYER_BLOCK)
		rc = jin_get_number(l, "flops", true, 0, 1e18, &out->flops, err);
	if (rc < 0)
		return rc;
	if (name != NULL)
		snprintf(out->name, sizeof(out->name), "%s", name);
	layer_size((enum layer_type)type, v, out, &elements);
	out->out_bytes = elements * element_bytes;
	return jin_get_number(l, "out_bytes", type == LAYER_BLOCK, 1, 1e12, &out->out_bytes, err);
}

int analytic_layers_read(const struct jin_at *layers, double element_bytes,
			 struct analytic_layer **out, size_t *n, struct ts_error *err)
{
	struct jin_iter it;
	int rc = jin_array(layers, 1, n, err);

	*out = NULL;
	if (rc < 0)
		return rc;
	*out = calloc(*n, sizeof(**out));
	if (*out == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	jin_iter_init(&it, layers);
	for (size_t i = 0; rc == 0 && i < *n; i++) {
		struct jin_at l = jin_iter_next(&it);

		rc = read_layer(&l, element_bytes, &(*out)[i], err);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

double analytic_node_flops(double cores, double ghz, double flops_per_cycle)
{
	return cores * ghz * 1e9 * flops_per_cycle;
}

double analytic_inference_s(double lambda2_per_byte, double bytes, double flops, double node_flops)
{
	return lambda2_per_byte * bytes * flops / node_flops;
}

double analytic_transfer_s(double lambda1, double bytes, double bandwidth_Bps, double delay_s)
{
	return delay_s + lambda1 * bytes / bandwidth_Bps;
}

double analytic_calibrate_lambda2(double measured_s, double bytes, double flops, double node_flops)
{
	return measured_s / (bytes * flops / node_flops);
}

double analytic_calibrate_lambda1(double measured_s, double bytes, double bandwidth_Bps,
				  double delay_s)
{
	return (measured_s - delay_s) * bandwidth_Bps / bytes;
}
