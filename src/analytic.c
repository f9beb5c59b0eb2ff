#include "analytic.h"

#include <stddef.h>

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

enum layer_type { LAYER_CONV, LAYER_DEPTHWISE, LAYER_FC, LAYER_LSTM };

int analytic_layers_flops(const struct jin_at *layers, double *flops, struct ts_error *err)
{
	static const char *const types[] = {"conv", "depthwise", "fc", "lstm", NULL};
	/* Each type's keys after "type", in the order its formula takes them. */
	static const char *const keys[][6] = {
	    {"type", "out_h", "out_w", "in_channels", "kernel", "out_channels"},
	    {"type", "out_h", "out_w", "channels", "kernel", NULL},
	    {"type", "inputs", "outputs", NULL},
	    {"type", "inputs", "hidden", "steps", NULL},
	};
	static const size_t counts[] = {5, 4, 2, 3};
	struct jin_iter it;
	size_t n;
	int rc = jin_array(layers, 1, &n, err);

	*flops = 0;
	if (rc == 0)
		jin_iter_init(&it, layers);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct jin_at l = jin_iter_next(&it);
		const char *allowed[7] = {NULL};
		double v[5];
		int type;

		rc = jin_get_enum(&l, "type", true, types, &type, err);
		for (size_t k = 0; rc == 0 && k <= counts[type]; k++)
			allowed[k] = keys[type][k];
		if (rc == 0)
			rc = jin_keys(&l, allowed, err);
		if (rc == 0)
			rc = layer_values(&l, keys[type] + 1, counts[type], v, err);
		if (rc < 0)
			break;
		switch ((enum layer_type)type) {
		case LAYER_CONV:
			*flops += analytic_conv_flops(v[0], v[1], v[2], v[3], v[4]);
			break;
		case LAYER_DEPTHWISE:
			*flops += analytic_depthwise_flops(v[0], v[1], v[2], v[3]);
			break;
		case LAYER_FC:
			*flops += analytic_fc_flops(v[0], v[1]);
			break;
		case LAYER_LSTM:
			*flops += analytic_lstm_flops(v[0], v[1], v[2]);
			break;
		}
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
