/* The oneDNN backend: every oneDNN call of tiersim is in this file (the C
 * API changed in oneDNN 3; this is written against 2.6).
 *
 * Each layer's primitive is created with format_tag_any for its source,
 * weights and destination, so oneDNN picks the layouts its fastest kernel
 * wants; a reorder is inserted wherever a producer's layout differs from
 * what its consumer picked.  Passing a producer's exact blocked layout
 * instead can silently select a reference kernel many times slower, so
 * the implementation of every primitive is checked and a "ref" one is
 * reported.  Each instance has its own engine, stream and scratchpad
 * (user scratchpad mode), and sets its OpenMP thread count on the thread
 * that creates and runs it.
 */
#include "backend.h"

#include <dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ARGS 5

struct step {
	int layer; /* the net layer whose time it counts in */
	dnnl_primitive_t prim;
	dnnl_exec_arg_t args[MAX_ARGS];
	int nargs;
	dnnl_memory_desc_t scratch_md; /* zero size: none */
};

struct onednn {
	const struct net *net;
	int threads;
	dnnl_engine_t engine;
	dnnl_stream_t stream;
	dnnl_primitive_attr_t attr;
	struct step *steps;
	size_t n_steps;
	int layer; /* the layer being built, for its steps */
	/* Every memory object, freed together; layer outputs by layer. */
	dnnl_memory_t *mems;
	size_t n_mems;
	dnnl_memory_t out[NET_MAX_LAYERS];
	dnnl_memory_t input, outputs[NET_MAX_LAYERS];
	void *scratch;
};

static char version_text[32];

#define TRY(call)                                                                                  \
	do {                                                                                       \
		dnnl_status_t st_ = (call);                                                        \
		if (st_ != dnnl_success)                                                           \
			return ts_error_set(err, TS_ERUNTIME, "oneDNN: %s failed: status %d",      \
					    #call, (int)st_);                                      \
	} while (0)

static int onednn_probe(struct ts_error *err)
{
	dnnl_engine_t e;

	if (dnnl_engine_get_count(dnnl_cpu) < 1)
		return ts_error_set(err, TS_ERUNTIME, "unavailable: oneDNN sees no CPU engine");
	TRY(dnnl_engine_create(&e, dnnl_cpu, 0));
	dnnl_engine_destroy(e);
	return TS_EOK;
}

static const char *isa_name(dnnl_cpu_isa_t isa)
{
	switch (isa) {
	case dnnl_cpu_isa_sse41:
		return "sse41";
	case dnnl_cpu_isa_avx:
		return "avx";
	case dnnl_cpu_isa_avx2:
		return "avx2";
	case dnnl_cpu_isa_avx512_mic:
		return "avx512_mic";
	case dnnl_cpu_isa_avx512_mic_4ops:
		return "avx512_mic_4ops";
	case dnnl_cpu_isa_avx512_core:
		return "avx512_core";
	case dnnl_cpu_isa_avx512_core_vnni:
		return "avx512_core_vnni";
	case dnnl_cpu_isa_avx512_core_bf16:
		return "avx512_core_bf16";
	case dnnl_cpu_isa_avx512_core_amx:
		return "avx512_core_amx";
	case dnnl_cpu_isa_avx2_vnni:
		return "avx2_vnni";
	default:
		return "unknown";
	}
}

static void onednn_describe(struct backend_info *info)
{
	const dnnl_version_t *v = dnnl_version();

	snprintf(version_text, sizeof version_text, "oneDNN %d.%d.%d", v->major, v->minor,
		 v->patch);
	info->library = version_text;
	info->isa = isa_name(dnnl_get_effective_cpu_isa());
	info->driver = "";
}

static int keep_mem(struct onednn *o, const dnnl_memory_desc_t *md, void *handle,
		    dnnl_memory_t *out, struct ts_error *err)
{
	dnnl_memory_t *grown = realloc(o->mems, (o->n_mems + 1) * sizeof *grown);

	if (grown == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory for oneDNN memories");
	o->mems = grown;
	TRY(dnnl_memory_create(out, md, o->engine, handle));
	o->mems[o->n_mems++] = *out;
	return TS_EOK;
}

/* Appends primitive pd (which it destroys) with its arguments. */
static int add_step(struct onednn *o, dnnl_primitive_desc_t pd, const dnnl_exec_arg_t *args,
		    int nargs, FILE *warn, const char *what, struct ts_error *err)
{
	struct step *grown = realloc(o->steps, (o->n_steps + 1) * sizeof *grown);
	struct step *s;
	const char *impl = "";
	dnnl_status_t st;

	if (grown == NULL) {
		dnnl_primitive_desc_destroy(pd);
		return ts_error_set(err, TS_ENOMEM, "out of memory for oneDNN primitives");
	}
	o->steps = grown;
	s = &o->steps[o->n_steps];
	memset(s, 0, sizeof *s);
	s->layer = o->layer;
	dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
	if (warn != NULL && strstr(impl, "ref") != NULL)
		fprintf(warn,
			"tiersim: warning: oneDNN runs %s with the reference kernel \"%s\": "
			"timings will be far slower than this CPU allows\n",
			what, impl);
	s->scratch_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
	st = dnnl_primitive_create(&s->prim, pd);
	dnnl_primitive_desc_destroy(pd);
	if (st != dnnl_success)
		return ts_error_set(err, TS_ERUNTIME,
				    "oneDNN: creating the %s primitive: status %d", what, (int)st);
	memcpy(s->args, args, (size_t)nargs * sizeof *args);
	s->nargs = nargs;
	o->n_steps++;
	return TS_EOK;
}

/* A reorder from src to a new memory of layout md, as a step when `step`
 * (or executed once now otherwise: weights). */
static int reorder(struct onednn *o, dnnl_memory_t src, const dnnl_memory_desc_t *md, bool step,
		   dnnl_memory_t *dst, struct ts_error *err)
{
	const dnnl_memory_desc_t *smd;
	dnnl_primitive_desc_t pd;
	dnnl_primitive_t p;
	int rc;

	TRY(dnnl_memory_get_memory_desc(src, &smd));
	if (step && dnnl_memory_desc_equal(smd, md)) {
		*dst = src;
		return TS_EOK;
	}
	rc = keep_mem(o, md, DNNL_MEMORY_ALLOCATE, dst, err);
	if (rc != 0)
		return rc;
	TRY(dnnl_reorder_primitive_desc_create(&pd, smd, o->engine, md, o->engine,
					       step ? o->attr : NULL));
	if (step) {
		dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, *dst}};

		return add_step(o, pd, args, 2, NULL, "reorder", err);
	}
	rc = dnnl_primitive_create(&p, pd) == dnnl_success ? 0 : -1;
	dnnl_primitive_desc_destroy(pd);
	if (rc != 0)
		return ts_error_set(err, TS_ERUNTIME, "oneDNN: creating a weights reorder failed");
	{
		dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, *dst}};
		dnnl_status_t st = dnnl_primitive_execute(p, o->stream, 2, args);

		if (st == dnnl_success)
			st = dnnl_stream_wait(o->stream);
		dnnl_primitive_destroy(p);
		if (st != dnnl_success)
			return ts_error_set(err, TS_ERUNTIME,
					    "oneDNN: reordering weights: status %d", (int)st);
	}
	return TS_EOK;
}

static int add_conv(struct onednn *o, int li, uint64_t seed, dnnl_memory_t src, FILE *warn,
		    struct ts_error *err)
{
	const struct net_layer *l = &o->net->layers[li];
	dnnl_dims_t sd = {1, l->in_c, l->in_h, l->in_w}, dd = {1, l->out_c, l->out_h, l->out_w};
	dnnl_dims_t wd = {l->groups, l->out_c / l->groups, l->in_c / l->groups, l->k, l->k};
	dnnl_dims_t bd = {l->out_c}, strides = {l->stride, l->stride}, pad = {l->pad, l->pad};
	dnnl_dims_t pad_r;
	int wdims = l->groups > 1 ? 5 : 4;
	dnnl_memory_desc_t s_any, w_any, b_md, d_any, w_user;
	dnnl_convolution_desc_t cd;
	dnnl_primitive_desc_t pd;
	dnnl_primitive_attr_t attr;
	dnnl_post_ops_t po;
	dnnl_memory_t w_mem, w_prim, b_mem, s_mem, d_mem;
	char what[48];
	dnnl_status_t st;
	int rc;

	/* Right padding so that the output size is exactly the net's. */
	for (int i = 0; i < 2; i++)
		pad_r[i] = ((i ? l->out_w : l->out_h) - 1) * l->stride + l->k -
			   (i ? l->in_w : l->in_h) - l->pad;
	if (l->groups == 1)
		memmove(wd, wd + 1, 4 * sizeof wd[0]);
	TRY(dnnl_memory_desc_init_by_tag(&s_any, 4, sd, dnnl_f32, dnnl_format_tag_any));
	TRY(dnnl_memory_desc_init_by_tag(&w_any, wdims, wd, dnnl_f32, dnnl_format_tag_any));
	TRY(dnnl_memory_desc_init_by_tag(&w_user, wdims, wd, dnnl_f32,
					 l->groups > 1 ? dnnl_goihw : dnnl_oihw));
	TRY(dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_x));
	TRY(dnnl_memory_desc_init_by_tag(&d_any, 4, dd, dnnl_f32, dnnl_format_tag_any));
	TRY(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
					       &s_any, &w_any, &b_md, &d_any, strides, pad, pad_r));
	TRY(dnnl_primitive_attr_clone(&attr, o->attr));
	if (l->relu6) {
		/* ReLU6 is eltwise clip(0, 6) (bounded_relu is gone in 3.x). */
		TRY(dnnl_post_ops_create(&po));
		dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f);
		dnnl_primitive_attr_set_post_ops(attr, po);
		dnnl_post_ops_destroy(po);
	}
	st = dnnl_primitive_desc_create(&pd, &cd, attr, o->engine, NULL);
	dnnl_primitive_attr_destroy(attr);
	if (st != dnnl_success)
		return ts_error_set(err, TS_ERUNTIME,
				    "oneDNN: no convolution for layer %d: status %d", li, (int)st);
	rc = keep_mem(o, &w_user, DNNL_MEMORY_ALLOCATE, &w_mem, err);
	if (rc == 0)
		rc = keep_mem(o, &b_md, DNNL_MEMORY_ALLOCATE, &b_mem, err);
	if (rc == 0) {
		void *w, *b;

		dnnl_memory_get_data_handle(w_mem, &w);
		dnnl_memory_get_data_handle(b_mem, &b);
		rc = net_fill_weights(o->net, li, seed, w, b, err);
	}
	if (rc == 0)
		rc = reorder(o, w_mem, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
			     false, &w_prim, err);
	if (rc == 0)
		rc = reorder(o, src, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), true,
			     &s_mem, err);
	if (rc == 0)
		rc = keep_mem(o, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
			      DNNL_MEMORY_ALLOCATE, &d_mem, err);
	if (rc != 0) {
		dnnl_primitive_desc_destroy(pd);
		return rc;
	}
	o->out[li] = d_mem;
	snprintf(what, sizeof what, "layer %d (%s convolution)", li,
		 l->groups > 1 ? "depthwise" : "dense");
	{
		dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, s_mem},
					   {DNNL_ARG_WEIGHTS, w_prim},
					   {DNNL_ARG_BIAS, b_mem},
					   {DNNL_ARG_DST, d_mem}};

		return add_step(o, pd, args, 4, warn, what, err);
	}
}

static int add_pool(struct onednn *o, int li, dnnl_memory_t src, FILE *warn, struct ts_error *err)
{
	const struct net_layer *l = &o->net->layers[li];
	dnnl_dims_t dd = {1, l->out_c, 1, 1};
	dnnl_dims_t strides = {1, 1}, kernel = {l->in_h, l->in_w}, pad = {0, 0};
	const dnnl_memory_desc_t *smd;
	dnnl_memory_desc_t d_any, s_md;
	dnnl_pooling_desc_t pdesc;
	dnnl_primitive_desc_t pd;
	dnnl_memory_t d_mem;
	int rc;

	TRY(dnnl_memory_get_memory_desc(src, &smd));
	s_md = *smd;
	TRY(dnnl_memory_desc_init_by_tag(&d_any, 4, dd, dnnl_f32, dnnl_format_tag_any));
	TRY(dnnl_pooling_forward_desc_init(&pdesc, dnnl_forward_inference,
					   dnnl_pooling_avg_exclude_padding, &s_md, &d_any, strides,
					   kernel, pad, pad));
	TRY(dnnl_primitive_desc_create(&pd, &pdesc, o->attr, o->engine, NULL));
	rc = keep_mem(o, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
		      DNNL_MEMORY_ALLOCATE, &d_mem, err);
	if (rc != 0) {
		dnnl_primitive_desc_destroy(pd);
		return rc;
	}
	o->out[li] = d_mem;
	{
		dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, d_mem}};

		return add_step(o, pd, args, 2, warn, "average pooling", err);
	}
}

/* One scratchpad, as large as the largest any primitive wants, shared by
 * the instance's primitives (they run one after another). */
static int add_scratchpad(struct onednn *o, struct ts_error *err)
{
	size_t size = 0;

	for (size_t i = 0; i < o->n_steps; i++) {
		size_t s = dnnl_memory_desc_get_size(&o->steps[i].scratch_md);

		size = s > size ? s : size;
	}
	if (size == 0)
		return TS_EOK;
	o->scratch = aligned_alloc(64, (size + 63) / 64 * 64);
	if (o->scratch == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory for a %zu-byte scratchpad",
				    size);
	for (size_t i = 0; i < o->n_steps; i++) {
		struct step *s = &o->steps[i];
		dnnl_memory_t m;
		int rc;

		if (dnnl_memory_desc_get_size(&s->scratch_md) == 0)
			continue;
		rc = keep_mem(o, &s->scratch_md, o->scratch, &m, err);
		if (rc != 0)
			return rc;
		s->args[s->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, m};
	}
	return TS_EOK;
}

static void onednn_destroy(void *inst)
{
	struct onednn *o = inst;

	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n_steps; i++)
		dnnl_primitive_destroy(o->steps[i].prim);
	for (size_t i = 0; i < o->n_mems; i++)
		dnnl_memory_destroy(o->mems[i]);
	free(o->steps);
	free(o->mems);
	free(o->scratch);
	if (o->attr != NULL)
		dnnl_primitive_attr_destroy(o->attr);
	if (o->stream != NULL)
		dnnl_stream_destroy(o->stream);
	if (o->engine != NULL)
		dnnl_engine_destroy(o->engine);
	free(o);
}

static int build(struct onednn *o, uint64_t seed, FILE *warn, struct ts_error *err)
{
	const struct net *n = o->net;
	dnnl_dims_t id = {1, 3, n->input_px, n->input_px};
	dnnl_memory_desc_t in_md;
	int rc;

	TRY(dnnl_engine_create(&o->engine, dnnl_cpu, 0));
	TRY(dnnl_stream_create(&o->stream, o->engine, dnnl_stream_default_flags));
	TRY(dnnl_primitive_attr_create(&o->attr));
	TRY(dnnl_primitive_attr_set_scratchpad_mode(o->attr, dnnl_scratchpad_mode_user));
	TRY(dnnl_memory_desc_init_by_tag(&in_md, 4, id, dnnl_f32, dnnl_nchw));
	rc = keep_mem(o, &in_md, DNNL_MEMORY_NONE, &o->input, err);
	for (int li = 0; li < n->n_layers && rc == 0; li++) {
		const struct net_layer *l = &n->layers[li];
		dnnl_memory_t src = l->src < 0 ? o->input : o->out[l->src];

		o->layer = li;
		rc = l->op == NET_CONV ? add_conv(o, li, seed, src, warn, err)
				       : add_pool(o, li, src, warn, err);
		if (rc == 0 && l->output) {
			dnnl_dims_t od = {1, l->out_c, l->out_h, l->out_w};
			dnnl_memory_desc_t omd;

			TRY(dnnl_memory_desc_init_by_tag(&omd, 4, od, dnnl_f32, dnnl_nchw));
			rc = reorder(o, o->out[li], &omd, true, &o->outputs[li], err);
		}
	}
	return rc == 0 ? add_scratchpad(o, err) : rc;
}

static int onednn_create(const struct net *n, uint64_t seed, int threads, FILE *warn, void **inst,
			 struct ts_error *err)
{
	struct onednn *o = calloc(1, sizeof *o);
	int rc;

	if (o == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory for a oneDNN instance");
	o->net = n;
	o->threads = threads;
	/* The OpenMP thread count is per thread: set it here, on the thread
	 * that builds and runs this instance, before any primitive exists. */
	omp_set_num_threads(threads);
	rc = build(o, seed, warn, err);
	if (rc != 0) {
		onednn_destroy(o);
		return rc;
	}
	*inst = o;
	return TS_EOK;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One inference; with ms, each step is waited for and its wall time
 * added to its layer's.  Without, the steps are queued back to back and
 * waited for once. */
static int execute(struct onednn *o, const float *in, float *out, double *ms, struct ts_error *err)
{
	size_t at = 0;

	TRY(dnnl_memory_set_data_handle(o->input, (void *)in));
	if (ms != NULL)
		memset(ms, 0, (size_t)o->net->n_layers * sizeof *ms);
	for (size_t i = 0; i < o->n_steps; i++) {
		const struct step *s = &o->steps[i];
		int64_t t0 = ms != NULL ? now_ns() : 0;

		TRY(dnnl_primitive_execute(s->prim, o->stream, s->nargs, s->args));
		if (ms != NULL) {
			TRY(dnnl_stream_wait(o->stream));
			ms[s->layer] += (double)(now_ns() - t0) / 1e6;
		}
	}
	TRY(dnnl_stream_wait(o->stream));
	for (int li = 0; li < o->net->n_layers; li++) {
		const struct net_layer *l = &o->net->layers[li];
		size_t size = (size_t)l->out_c * l->out_h * l->out_w;
		void *h;

		if (!l->output)
			continue;
		TRY(dnnl_memory_get_data_handle(o->outputs[li], &h));
		memcpy(out + at, h, size * sizeof *out);
		at += size;
	}
	return TS_EOK;
}

static int onednn_run(void *inst, const float *in, float *out, struct ts_error *err)
{
	return execute(inst, in, out, NULL, err);
}

static int onednn_run_layers(void *inst, const float *in, float *out, double *ms,
			     struct ts_error *err)
{
	return execute(inst, in, out, ms, err);
}

const struct backend_ops backend_onednn = {
    .name = "onednn",
    .description = "CPU inference with oneDNN (Debian libdnnl-dev), float32",
    .probe = onednn_probe,
    .describe = onednn_describe,
    .create = onednn_create,
    .run = onednn_run,
    .destroy = onednn_destroy,
    .run_layers = onednn_run_layers,
};
