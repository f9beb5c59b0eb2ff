/* The oneDNN backend against a naive reference forward pass, and the
 * calibration driver end to end on a tiny network (structure only, never
 * timings).  Without oneDNN the suite exits 77: meson reports it skipped. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "calib.h"
#include "config.h"
#include "net.h"
#include "testutil.h"

#define SEED 7

/* The naive convolution the backend must agree with: direct loops over
 * NCHW input and OIHW weights, grouped, zero padding, ReLU6. */
static void ref_conv(const struct net_layer *l, const float *in, const float *w, const float *b,
		     float *out)
{
	int ipg = l->in_c / l->groups, opg = l->out_c / l->groups;

	for (int o = 0; o < l->out_c; o++)
		for (int y = 0; y < l->out_h; y++)
			for (int x = 0; x < l->out_w; x++) {
				double s = b[o];

				for (int i = 0; i < ipg; i++)
					for (int ky = 0; ky < l->k; ky++)
						for (int kx = 0; kx < l->k; kx++) {
							int iy = y * l->stride - l->pad + ky;
							int ix = x * l->stride - l->pad + kx;
							int c = o / opg * ipg + i;

							if (iy < 0 || iy >= l->in_h || ix < 0 ||
							    ix >= l->in_w)
								continue;
							s += (double)w[((o * ipg + i) * l->k + ky) *
									   l->k +
								       kx] *
							     in[((size_t)c * l->in_h + iy) *
								    l->in_w +
								ix];
						}
				if (l->relu6)
					s = fmin(fmax(s, 0), 6);
				out[((size_t)o * l->out_h + y) * l->out_w + x] = (float)s;
			}
}

static void ref_pool(const struct net_layer *l, const float *in, float *out)
{
	size_t plane = (size_t)l->in_h * l->in_w;

	for (int c = 0; c < l->in_c; c++) {
		double s = 0;

		for (size_t i = 0; i < plane; i++)
			s += in[c * plane + i];
		out[c] = (float)(s / plane);
	}
}

/* The whole network by reference, output layers concatenated into out. */
static void ref_forward(const struct net *n, const float *in, float *out)
{
	float *act[NET_MAX_LAYERS] = {NULL};
	struct ts_error err;
	size_t at = 0;

	for (int li = 0; li < n->n_layers; li++) {
		const struct net_layer *l = &n->layers[li];
		const float *src = l->src < 0 ? in : act[l->src];
		size_t size = (size_t)l->out_c * l->out_h * l->out_w;

		act[li] = malloc(size * sizeof(float));
		ck_assert_ptr_nonnull(act[li]);
		if (l->op == NET_AVGPOOL) {
			ref_pool(l, src, act[li]);
		} else {
			float *w = malloc(net_weight_count(l) * sizeof *w);
			float *b = malloc((size_t)l->out_c * sizeof *b);

			ck_assert_int_eq(net_fill_weights(n, li, SEED, w, b, &err), 0);
			ref_conv(l, src, w, b, act[li]);
			free(w);
			free(b);
		}
		if (l->output) {
			memcpy(out + at, act[li], size * sizeof(float));
			at += size;
		}
	}
	ck_assert_uint_eq(at, n->output_floats);
	for (int li = 0; li < n->n_layers; li++)
		free(act[li]);
}

static const struct backend_ops *onednn(void)
{
	struct ts_error err = {""};
	const struct backend_ops *b = backend_find("onednn", &err);

	ck_assert_msg(b != NULL, "%s", err.msg);
	ck_assert_msg(b->probe(&err) == 0, "%s", err.msg);
	return b;
}

static const char *const tiny_models[] = {"mobilenet-v1", "mobilenet-ssd-v1"};

/* Width 0.25 at 96x96: the whole network in well under a second. */
START_TEST(onednn_matches_reference)
{
	const struct backend_ops *b = onednn();
	struct ts_error err = {""};
	struct net n;
	float *in, *got, *want;
	void *inst = NULL;
	double worst = 0, scale = 0, ms[NET_MAX_LAYERS], sum = 0;
	size_t side;

	ck_assert_int_eq(net_build(&n, tiny_models[_i], 0.25, 96, &err), 0);
	side = (size_t)n.input_px;
	in = malloc(3 * side * side * sizeof *in);
	got = calloc(n.output_floats, sizeof *got);
	want = calloc(n.output_floats, sizeof *want);
	for (size_t i = 0; i < 3 * side * side; i++)
		/* Amplitude 8, so that ReLU6 clips in the first layers. */
		in[i] = (float)(8 * sin(0.37 * (double)i));
	ck_assert_msg(b->create(&n, SEED, 1, stderr, &inst, &err) == 0, "%s", err.msg);
	ck_assert_msg(b->run(inst, in, got, &err) == 0, "%s", err.msg);
	ref_forward(&n, in, want);
	for (size_t i = 0; i < n.output_floats; i++) {
		worst = fmax(worst, fabs(got[i] - want[i]));
		scale = fmax(scale, fabs(want[i]));
	}
	ck_assert_msg(scale > 0.01, "%s: the reference output is all but zero", n.model);
	ck_assert_msg(worst <= 1e-4 * scale, "%s: largest difference %g (largest value %g)",
		      n.model, worst, scale);
	/* Timing each layer computes the same output. */
	ck_assert_msg(b->run_layers(inst, in, want, ms, &err) == 0, "%s", err.msg);
	ck_assert(memcmp(got, want, n.output_floats * sizeof *got) == 0);
	for (int l = 0; l < n.n_layers; l++) {
		ck_assert_msg(isfinite(ms[l]) && ms[l] >= 0, "layer %d: %g ms", l, ms[l]);
		sum += ms[l];
	}
	ck_assert(sum > 0);
	b->destroy(inst);
	free(in);
	free(got);
	free(want);
}
END_TEST

static double frame_ms(const struct calib_run *r, size_t i)
{
	double t = 0;

	for (int p = 0; p < CALIB_PHASES; p++) {
		ck_assert_msg(isfinite(r->wall[p][i]) && r->wall[p][i] > 0,
			      "phase %d of frame %zu: wall %g ms", p, i, r->wall[p][i]);
		ck_assert_msg(isfinite(r->cpu[p][i]) && r->cpu[p][i] >= 0,
			      "phase %d of frame %zu: cpu %g ms", p, i, r->cpu[p][i]);
		t += r->wall[p][i];
	}
	return t;
}

/* One and two instances back to back, then two fed at a rate: every
 * timing positive and finite, a frame's latency at least its phases, and
 * a frame of two instances not cheaper than a quarter of one.  That last
 * check compares the median thread-CPU time of a frame, which other
 * processes on a shared machine do not inflate as they do wall time, with
 * a loose factor: the test asserts no timing. */
START_TEST(calib_driver_structure)
{
	const struct backend_ops *b = onednn();
	struct ts_error err = {""};
	struct net n;
	struct calib_config c = {.backend = b,
				 .net = &n,
				 .seed = SEED,
				 .frame_w = 160,
				 .frame_h = 120,
				 .threads = 1,
				 .warmup = 1,
				 .iters = 4};
	struct calib_run r;
	double cpu[3], v[8];

	ck_assert_int_eq(net_build(&n, "mobilenet-ssd-v1", 0.25, 64, &err), 0);
	for (int k = 0; k < 3; k++) {
		c.instances = k == 0 ? 1 : 2;
		c.period_ns = k == 2 ? 20000000 : 0;
		ck_assert_msg(calib_run(&c, &r, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(r.instances, c.instances);
		for (size_t i = 0; i < (size_t)c.instances * c.iters; i++) {
			double t = frame_ms(&r, i);

			v[i] = r.cpu[CALIB_PRE][i] + r.cpu[CALIB_ACCEL][i] + r.cpu[CALIB_POST][i];
			if (k == 2)
				ck_assert_msg(r.latency[i] >= t * 0.999,
					      "frame %zu: latency %g ms < its phases %g ms", i,
					      r.latency[i], t);
		}
		ck_assert(calib_undisturbed(&r, c.threads, 2) > 0);
		{
			double p95, mean;

			calib_stats(v, (size_t)c.instances * c.iters, &cpu[k], &p95, &mean);
		}
		calib_run_release(&r);
	}
	ck_assert_msg(cpu[1] >= 0.25 * cpu[0], "2 instances %g CPU ms per frame, 1 instance %g",
		      cpu[1], cpu[0]);
	/* Timing each layer: per instance each layer's mean, none negative. */
	c.per_layer = true;
	ck_assert_msg(calib_run(&c, &r, &err) == 0, "%s", err.msg);
	for (int l = 0; l < 2 * n.n_layers; l++)
		ck_assert_msg(isfinite(r.layer_ms[l]) && r.layer_ms[l] >= 0, "layer %d: %g ms", l,
			      r.layer_ms[l]);
	calib_run_release(&r);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	if (!TIERSIM_HAVE_ONEDNN)
		return 77;
	s = suite_create("onednn");
	tc = tcase_create("onednn");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, onednn_matches_reference, 0, 2);
	tcase_add_test(tc, calib_driver_structure);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
