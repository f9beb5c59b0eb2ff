#include "profile.h"

#include <assert.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>
#include <gsl/gsl_interp2d.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"

#define PROFILE_ID_MAX	 63
#define PROFILE_TEXT_MAX 4096
/* Most tables of a profile and points of a table: far more than any
 * measured profile has, and a bound on what a hostile file costs. */
#define PROFILE_TABLES_MAX 1000
#define PROFILE_POINTS_MAX 100000
#define PROFILE_LAYERS_MAX 100000
#define NPARTS		   3

struct table {
	char *model;
	size_t npx, ninst;
	double *px, *inst;	  /* strictly increasing axes */
	double *z[NPARTS];	  /* z[k][j * npx + i], GSL's interp2d layout */
	gsl_interp2d *i2[NPARTS]; /* both axes vary */
	gsl_interp *i1[NPARTS];	  /* exactly one axis varies */
	/* From "layers": the cumulative share of the accelerator time in
	 * layers 1..k, k = 0..n_layers; NULL and 0 without it. */
	double *layer_share;
	size_t n_layers;
};

struct profile {
	char id[PROFILE_ID_MAX + 1];
	char *description;
	int kind;
	double jitter_cv;
	size_t ntables;
	struct table *tables;
};

/* One point while loading: its grid cell, its parts and where it was. */
struct point {
	double px, inst;
	int64_t w, h;
	double v[NPARTS];
	size_t idx;
};

static const char *const kinds[] = {"gpu", "tpu", "vpu", "cpu", NULL};
static const char *const part_keys[NPARTS] = {"cpu_pre_ms", "accel_ms", "cpu_post_ms"};

static int nomem(const struct jin_at *at, struct ts_error *err)
{
	return ts_error_set(err, TS_ENOMEM, "%s: out of memory", at->doc->file);
}

static int compare_points(const void *a, const void *b)
{
	const struct point *x = a, *y = b;

	if (x->px != y->px)
		return x->px < y->px ? -1 : 1;
	if (x->inst != y->inst)
		return x->inst < y->inst ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int read_point(const struct jin_at *pt, const struct jin_at *sources, struct point *out,
		      struct ts_error *err)
{
	static const char *const keys[] = {"frame_px",	  "instances", "cpu_pre_ms", "accel_ms",
					   "cpu_post_ms", "source",    NULL};
	struct jin_at frame;
	int64_t dim[2], inst;
	size_t n;
	int rc;

	if ((rc = jin_keys(pt, keys, err)) < 0 ||
	    (rc = jin_member(pt, "frame_px", true, &frame, err)) < 0 ||
	    (rc = jin_array(&frame, 0, &n, err)) < 0)
		return rc;
	if (n != 2) {
		char *text = cJSON_PrintUnformatted(frame.node);

		rc = jin_fail(&frame, TS_EINVALID, err,
			      "expected [width, height], exactly 2 whole numbers, got %.60s",
			      text != NULL ? text : "another length");
		free(text);
		return rc;
	}
	for (size_t i = 0; i < 2; i++) {
		struct jin_at d = jin_element(&frame, i);

		if ((rc = jin_integer(&d, 1, 100000, &dim[i], err)) < 0)
			return rc;
	}
	if ((rc = jin_get_integer(pt, "instances", true, 1, 4096, &inst, err)) < 0)
		return rc;
	for (size_t k = 0; k < NPARTS; k++)
		if ((rc = jin_get_number(pt, part_keys[k], true, 0, 1e7, &out->v[k], err)) < 0)
			return rc;
	if ((rc = jin_get_source(pt, sources, err)) < 0)
		return rc;
	out->w = dim[0];
	out->h = dim[1];
	/* At most 1e10, exact in a double. */
	out->px = (double)(dim[0] * dim[1]);
	out->inst = (double)inst;
	return 0;
}

/* Sorted by (pixels, instances), a full grid without repeats is
 * pixel-major: pts[i * ninst + j] is cell (px[i], inst[j]). */
static int check_grid(const struct jin_at *points, struct point *pts, size_t n, size_t npx,
		      const double *inst, size_t ninst, struct ts_error *err)
{
	size_t s = 0;

	for (size_t a = 1; a < n; a++) {
		if (pts[a].px == pts[a - 1].px && pts[a].inst == pts[a - 1].inst) {
			struct jin_at at = jin_element(points, pts[a].idx);

			return jin_fail(&at, TS_EINVALID, err,
					"duplicate grid cell (frame pixels %.0f, instances %.0f), "
					"already given at %s[%zu]",
					pts[a].px, pts[a].inst, points->path, pts[a - 1].idx);
		}
	}
	if (n == npx * ninst)
		return 0;
	for (size_t i = 0; i < npx; i++) {
		size_t first = s;

		for (size_t j = 0; j < ninst; j++, s++) {
			if (s < n && pts[s].px == pts[first].px && pts[s].inst == inst[j])
				continue;
			return jin_fail(points, TS_EINVALID, err,
					"missing grid cell (frame pixels %.0f = %" PRId64
					"x%" PRId64 ", instances %.0f): expected every frame "
					"size with every instance count",
					pts[first].px, pts[first].w, pts[first].h, inst[j]);
		}
	}
	assert(0 && "grid size mismatch without a missing cell");
	return jin_fail(points, TS_EINVALID, err, "inconsistent grid");
}

static int build_interp(const struct jin_at *at, struct table *t, struct ts_error *err)
{
	for (size_t k = 0; k < NPARTS; k++) {
		int rc = GSL_SUCCESS;

		if (t->npx >= 2 && t->ninst >= 2) {
			t->i2[k] = gsl_interp2d_alloc(gsl_interp2d_bilinear, t->npx, t->ninst);
			if (t->i2[k] == NULL)
				return nomem(at, err);
			rc = gsl_interp2d_init(t->i2[k], t->px, t->inst, t->z[k], t->npx, t->ninst);
		} else if (t->npx >= 2 || t->ninst >= 2) {
			bool by_px = t->npx >= 2;
			size_t n = by_px ? t->npx : t->ninst;

			/* With one axis of size 1, z[k] is contiguous along the other. */
			t->i1[k] = gsl_interp_alloc(gsl_interp_linear, n);
			if (t->i1[k] == NULL)
				return nomem(at, err);
			rc = gsl_interp_init(t->i1[k], by_px ? t->px : t->inst, t->z[k], n);
		}
		if (rc != GSL_SUCCESS)
			return jin_fail(at, TS_ERUNTIME, err, "GSL interpolation setup failed: %s",
					gsl_strerror(rc));
	}
	return 0;
}

/* A table's optional "layers": the accelerator time of each layer of the
 * model at one instance, kept as cumulative shares. */
static int read_layers(const struct jin_at *tab, const struct jin_at *sources, struct table *t,
		       struct ts_error *err)
{
	static const char *const keys[] = {"accel_ms", "source", NULL};
	struct jin_at layers, ms;
	struct jin_iter it;
	double sum = 0;
	int rc = jin_member(tab, "layers", false, &layers, err);

	if (rc < 0 || layers.node == NULL)
		return rc;
	if ((rc = jin_keys(&layers, keys, err)) < 0 ||
	    (rc = jin_get_source(&layers, sources, err)) < 0 ||
	    (rc = jin_member(&layers, "accel_ms", true, &ms, err)) < 0 ||
	    (rc = jin_array(&ms, 1, &t->n_layers, err)) < 0)
		return rc;
	if (t->n_layers > PROFILE_LAYERS_MAX)
		return jin_fail(&ms, TS_EINVALID, err, "at most %d layers are allowed, got %zu",
				PROFILE_LAYERS_MAX, t->n_layers);
	t->layer_share = malloc((t->n_layers + 1) * sizeof(double));
	if (t->layer_share == NULL)
		return nomem(tab, err);
	t->layer_share[0] = 0;
	jin_iter_init(&it, &ms);
	for (size_t i = 0; i < t->n_layers; i++) {
		struct jin_at v = jin_iter_next(&it);
		double x;

		if ((rc = jin_number(&v, 0, 1e7, &x, err)) < 0)
			return rc;
		sum += x;
		t->layer_share[i + 1] = sum;
	}
	if (sum <= 0)
		return jin_fail(&ms, TS_EINVALID, err,
				"the layers' times sum to 0; expected some time above 0");
	for (size_t i = 1; i <= t->n_layers; i++)
		t->layer_share[i] /= sum;
	return 0;
}

static int read_table(const struct jin_at *tab, const struct jin_at *sources, struct table *t,
		      struct ts_error *err)
{
	static const char *const keys[] = {"model", "points", "layers", NULL};
	struct jin_at points;
	struct jin_iter it;
	struct point *pts = NULL;
	const char *model;
	size_t n;
	int rc;

	if ((rc = jin_keys(tab, keys, err)) < 0 ||
	    (rc = jin_get_string(tab, "model", true, PROFILE_TEXT_MAX, &model, err)) < 0)
		return rc;
	t->model = strdup(model);
	if (t->model == NULL)
		return nomem(tab, err);
	if ((rc = jin_member(tab, "points", true, &points, err)) < 0 ||
	    (rc = jin_array(&points, 1, &n, err)) < 0)
		return rc;
	if (n > PROFILE_POINTS_MAX)
		return jin_fail(&points, TS_EINVALID, err, "at most %d points are allowed, got %zu",
				PROFILE_POINTS_MAX, n);
	jin_iter_init(&it, &points);
	pts = calloc(n, sizeof(*pts));
	t->inst = calloc(n, sizeof(*t->inst));
	t->px = calloc(n, sizeof(*t->px));
	for (size_t k = 0; k < NPARTS; k++)
		t->z[k] = calloc(n, sizeof(*t->z[k]));
	if (pts == NULL || t->inst == NULL || t->px == NULL || t->z[0] == NULL || t->z[1] == NULL ||
	    t->z[2] == NULL) {
		rc = nomem(tab, err);
		goto out;
	}
	for (size_t a = 0; a < n; a++) {
		struct jin_at pt = jin_iter_next(&it);

		if ((rc = read_point(&pt, sources, &pts[a], err)) < 0)
			goto out;
		pts[a].idx = a;
		t->inst[a] = pts[a].inst;
	}
	qsort(pts, n, sizeof(*pts), compare_points);
	qsort(t->inst, n, sizeof(*t->inst), compare_doubles);
	for (size_t a = 0; a < n; a++) {
		if (t->ninst == 0 || t->inst[a] != t->inst[t->ninst - 1])
			t->inst[t->ninst++] = t->inst[a];
		if (t->npx == 0 || pts[a].px != t->px[t->npx - 1])
			t->px[t->npx++] = pts[a].px;
	}
	if ((rc = check_grid(&points, pts, n, t->npx, t->inst, t->ninst, err)) < 0)
		goto out;
	for (size_t i = 0; i < t->npx; i++)
		for (size_t j = 0; j < t->ninst; j++)
			for (size_t k = 0; k < NPARTS; k++)
				t->z[k][j * t->npx + i] = pts[i * t->ninst + j].v[k];
	rc = build_interp(&points, t, err);
	if (rc == 0)
		rc = read_layers(tab, sources, t, err);
out:
	free(pts);
	return rc;
}

/* Provenance is documentation for readers of the file (what produced the
 * tables, on which host, with which command); nothing uses it, so it is
 * only checked to be a flat object of strings and numbers. */
static int read_profile(const struct jin_at *root, struct profile *p, struct ts_error *err)
{
	static const char *const keys[] = {
	    "tiersim_profile", "id",	  "description", "accelerator", "host_link",
	    "jitter_cv",       "sources", "tables",	 "provenance",	NULL};
	struct jin_at version, sources, tables, provenance;
	struct jin_iter it;
	const char *s;
	int64_t v;
	size_t n;
	int rc;

	/* The version comes first: a newer file fails on it, not on its new keys. */
	if ((rc = jin_member(root, "tiersim_profile", true, &version, err)) < 0 ||
	    (rc = jin_integer(&version, 0, INT32_MAX, &v, err)) < 0)
		return rc;
	if (v != 1)
		return jin_fail(&version, TS_EINVALID, err,
				"unsupported profile format version %" PRId64 ", expected 1", v);
	if ((rc = jin_keys(root, keys, err)) < 0 ||
	    (rc = jin_get_string(root, "id", true, PROFILE_ID_MAX, &s, err)) < 0)
		return rc;
	memcpy(p->id, s, strlen(s) + 1);
	if ((rc = jin_get_string(root, "description", true, PROFILE_TEXT_MAX, &s, err)) < 0)
		return rc;
	p->description = strdup(s);
	if (p->description == NULL)
		return nomem(root, err);
	/* host_link is documentation for readers of the file; nothing uses it. */
	if ((rc = jin_get_enum(root, "accelerator", true, kinds, &p->kind, err)) < 0 ||
	    (rc = jin_get_string(root, "host_link", false, PROFILE_TEXT_MAX, &s, err)) < 0 ||
	    (rc = jin_get_number(root, "jitter_cv", false, 0, 1, &p->jitter_cv, err)) < 0 ||
	    (rc = jin_member(root, "provenance", false, &provenance, err)) < 0)
		return rc;
	/* provenance, like host_link, is for readers: only its type is checked. */
	if (provenance.node != NULL && !cJSON_IsObject(provenance.node))
		return jin_fail(&provenance, TS_EINVALID, err, "expected an object");
	if ((rc = jin_member(root, "sources", true, &sources, err)) < 0 ||
	    (rc = jin_sources(&sources, PROFILE_TEXT_MAX, err)) < 0 ||
	    (rc = jin_member(root, "tables", true, &tables, err)) < 0 ||
	    (rc = jin_array(&tables, 1, &n, err)) < 0)
		return rc;
	if (n > PROFILE_TABLES_MAX)
		return jin_fail(&tables, TS_EINVALID, err, "at most %d tables are allowed, got %zu",
				PROFILE_TABLES_MAX, n);
	p->tables = calloc(n, sizeof(*p->tables));
	if (p->tables == NULL)
		return nomem(root, err);
	jin_iter_init(&it, &tables);
	for (size_t i = 0; i < n; i++) {
		struct jin_at tab = jin_iter_next(&it);

		p->ntables = i + 1;
		if ((rc = read_table(&tab, &sources, &p->tables[i], err)) < 0)
			return rc;
		for (size_t k = 0; k < i; k++) {
			if (strcmp(p->tables[k].model, p->tables[i].model) == 0) {
				struct jin_at m;

				jin_member(&tab, "model", true, &m, err);
				return jin_fail(&m, TS_EINVALID, err,
						"duplicate model \"%s\", expected unique model ids "
						"(first at %s[%zu].model)",
						p->tables[i].model, tables.path, k);
			}
		}
	}
	return 0;
}

int profile_load(const char *path, struct profile **out, struct ts_error *err)
{
	struct jin_doc doc;
	struct jin_at root;
	struct profile *p;
	int rc;

	*out = NULL;
	rc = jin_doc_load(&doc, path, err);
	if (rc < 0)
		return rc;
	root = jin_root(&doc);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		rc = nomem(&root, err);
	else
		rc = read_profile(&root, p, err);
	jin_doc_release(&doc);
	if (rc < 0) {
		profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->ntables; i++) {
		struct table *t = &p->tables[i];

		for (size_t k = 0; k < NPARTS; k++) {
			gsl_interp2d_free(t->i2[k]);
			gsl_interp_free(t->i1[k]);
			free(t->z[k]);
		}
		free(t->model);
		free(t->layer_share);
		free(t->px);
		free(t->inst);
	}
	free(p->tables);
	free(p->description);
	free(p);
}

const char *profile_id(const struct profile *p)
{
	return p->id;
}

const char *profile_description(const struct profile *p)
{
	return p->description;
}

const char *profile_kind(const struct profile *p)
{
	return kinds[p->kind];
}

double profile_jitter_cv(const struct profile *p)
{
	return p->jitter_cv;
}

size_t profile_model_count(const struct profile *p)
{
	return p->ntables;
}

const char *profile_model(const struct profile *p, size_t i)
{
	assert(i < p->ntables);
	return p->tables[i].model;
}

int profile_find_model(const struct profile *p, const char *model)
{
	for (size_t i = 0; i < p->ntables; i++)
		if (strcmp(p->tables[i].model, model) == 0)
			return (int)i;
	return -1;
}

static const struct table *table_at(const struct profile *p, int table)
{
	assert(table >= 0 && (size_t)table < p->ntables);
	return &p->tables[table];
}

void profile_range(const struct profile *p, int table, double *px_lo, double *px_hi,
		   double *inst_lo, double *inst_hi)
{
	const struct table *t = table_at(p, table);

	*px_lo = t->px[0];
	*px_hi = t->px[t->npx - 1];
	*inst_lo = t->inst[0];
	*inst_hi = t->inst[t->ninst - 1];
}

/* NaN fails both comparisons and is clamped to the low edge, so a bad
 * query is reported as clamped instead of poisoning the simulation. */
static bool clamp(double *x, double lo, double hi)
{
	if (*x >= lo && *x <= hi)
		return false;
	*x = *x > hi ? hi : lo;
	return true;
}

static double eval_part(const struct table *t, size_t k, double px, double inst)
{
	double v = t->z[k][0];
	int rc = GSL_SUCCESS;

	if (t->i2[k] != NULL)
		rc = gsl_interp2d_eval_e(t->i2[k], t->px, t->inst, t->z[k], px, inst, NULL, NULL,
					 &v);
	else if (t->i1[k] != NULL)
		rc = gsl_interp_eval_e(t->i1[k], t->npx >= 2 ? t->px : t->inst, t->z[k],
				       t->npx >= 2 ? px : inst, NULL, &v);
	/* Cannot fail on a clamped query; NaN rather than a plausible wrong
	 * value in builds without assertions. */
	assert(rc == GSL_SUCCESS);
	return rc == GSL_SUCCESS ? v : NAN;
}

bool profile_eval(const struct profile *p, int table, double pixels, double instances,
		  struct profile_parts *out)
{
	const struct table *t = table_at(p, table);
	bool clamped = clamp(&pixels, t->px[0], t->px[t->npx - 1]);

	clamped |= clamp(&instances, t->inst[0], t->inst[t->ninst - 1]);
	out->cpu_pre_ms = eval_part(t, 0, pixels, instances);
	out->accel_ms = eval_part(t, 1, pixels, instances);
	out->cpu_post_ms = eval_part(t, 2, pixels, instances);
	return clamped;
}

size_t profile_layers(const struct profile *p, int table, const double **share)
{
	*share = p->tables[table].layer_share;
	return p->tables[table].n_layers;
}
