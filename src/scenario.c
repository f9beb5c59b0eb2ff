#include "scenario.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytic.h"
#include "config.h"
#include "jsonin.h"
#include "policy.h"
#include "rng.h"

/* Upper bounds that keep every derived time inside int64 nanoseconds and
 * every count inside its type; documented in docs/scenario.md. */
#define MAX_DURATION_S 1e7
#define MAX_ENTITIES   100000

static const char *const tier_names[] = {"device", "edge", "cloud", NULL};

const char *tier_name(enum tier t)
{
	return tier_names[t];
}

const char *scenario_profile_dir(void)
{
	return TIERSIM_DATADIR "/models/profiles";
}

const char *scenario_model_dir(void)
{
	return TIERSIM_DATADIR "/models";
}

const char *scenario_energy_dir(void)
{
	return TIERSIM_DATADIR "/models/energy";
}

/* A data file named in the scenario: a name without '/' is
 * shipped_dir/NAME.json, a path is relative to the scenario's directory. */
static void data_path(const struct scenario *s, const char *shipped_dir, const char *ref,
		      char *path, size_t size)
{
	if (strchr(ref, '/') == NULL)
		snprintf(path, size, "%s/%s.json", shipped_dir, ref);
	else
		snprintf(path, size, "%s%s", s->dir, ref);
}

/* An id and the index of its entity, sorted by id for bsearch. */
struct id_entry {
	const char *id;
	size_t index;
};

/* Loading looks entities up by id and links by their ends: sorted ids and
 * per-node link lists keep that O(log n) and O(degree), so a scenario of
 * n entities loads in O(n log n). */
struct scn_lookup {
	struct id_entry *nodes, *models; /* sorted by id */
	size_t *adj_start; /* links of node n: adj[adj_start[n] .. adj_start[n + 1]) */
	size_t *adj;	   /* link indices */
};

static void lookup_free(struct scenario *s)
{
	if (s->lookup == NULL)
		return;
	free(s->lookup->nodes);
	free(s->lookup->models);
	free(s->lookup->adj_start);
	free(s->lookup->adj);
	free(s->lookup);
	s->lookup = NULL;
}

static int compare_entries(const void *a, const void *b)
{
	const struct id_entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(((const struct id_entry *)a)->id, ((const struct id_entry *)b)->id);
}

/* The ids of n entities (the id of entity i at first_id + i * stride),
 * sorted by id then index; NULL when out of memory. */
static struct id_entry *sort_ids(const char *first_id, size_t n, size_t stride)
{
	struct id_entry *e = malloc((n == 0 ? 1 : n) * sizeof(*e));

	if (e == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		e[i] = (struct id_entry){first_id + i * stride, i};
	qsort(e, n, sizeof(*e), compare_entries);
	return e;
}

/* The first entity, in array order, whose id an earlier one has: its
 * index, or n when the ids are unique. */
static size_t first_repeat(const struct id_entry *sorted, size_t n)
{
	size_t first = n;

	for (size_t i = 1; i < n; i++)
		if (strcmp(sorted[i - 1].id, sorted[i].id) == 0 && sorted[i].index < first)
			first = sorted[i].index;
	return first;
}

/* Checks that the ids of an array's n entities are unique; with `keep`,
 * hands the sorted ids over in *keep for lookups. */
static int check_unique(const struct jin_at *arr, const char *what, const char *first_id, size_t n,
			size_t stride, struct id_entry **keep, struct ts_error *err)
{
	struct id_entry *e = sort_ids(first_id, n, stride);
	size_t dup;
	int rc = 0;

	if (e == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	dup = first_repeat(e, n);
	if (dup < n) {
		struct jin_at at = jin_element(arr, dup);

		rc = jin_fail(&at, TS_EINVALID, err, "duplicate %s id \"%s\"", what,
			      first_id + dup * stride);
	}
	if (rc == 0 && keep != NULL)
		*keep = e;
	else
		free(e);
	return rc;
}

/* The index of the entity with this id in sorted (n entries, NULL when
 * there are none), or -1. */
static long lookup_id(const struct id_entry *sorted, size_t n, const char *id)
{
	struct id_entry key = {id, 0};
	const struct id_entry *hit;

	/* No such array (a job set without nodes or models). */
	if (sorted == NULL)
		return -1;
	hit = bsearch(&key, sorted, n, sizeof(*sorted), compare_ids);

	return hit == NULL ? -1 : (long)hit->index;
}

void scenario_free(struct scenario *s)
{
	if (s == NULL)
		return;
	lookup_free(s);
	for (size_t i = 0; i < s->n_nodes; i++)
		free(s->nodes[i].accels);
	for (size_t i = 0; i < s->n_apps; i++) {
		free(s->apps[i].sources);
		free(s->apps[i].frame_changes);
	}
	for (size_t i = 0; i < s->n_links; i++) {
		dist_release(&s->links[i].delay);
		dist_release(&s->links[i].delay_reverse);
	}
	for (size_t i = 0; i < s->faults.n_links; i++)
		dist_release(&s->faults.links[i].delay);
	free(s->faults.nodes);
	free(s->faults.links);
	free(s->faults.accels);
	for (size_t i = 0; i < s->n_profiles; i++) {
		profile_free(s->profiles[i]);
		free(s->profile_paths[i]);
	}
	free(s->profiles);
	free(s->profile_paths);
	for (size_t i = 0; i < s->n_models; i++) {
		free(s->models[i].layers);
		free(s->models[i].flops_share);
	}
	free(s->models);
	free(s->nodes);
	free(s->links);
	free(s->apps);
	free(s->jobs);
	free(s->path);
	free(s->dir);
	free(s);
}

long scenario_link(const struct scenario *s, size_t a, size_t b)
{
	for (size_t i = 0; i < s->n_links; i++) {
		const struct scn_link *l = &s->links[i];

		if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
			return (long)i;
	}
	return -1;
}

const struct dist *scenario_link_delay(const struct scn_link *l, size_t from)
{
	return from == l->b && l->has_reverse ? &l->delay_reverse : &l->delay;
}

const struct scn_accel *scenario_executor(const struct scenario *s, size_t node, size_t model,
					  int *table)
{
	return scenario_executor_left(s, node, model, NULL, table);
}

const struct scn_accel *scenario_executor_left(const struct scenario *s, size_t node, size_t model,
					       const bool *lost, int *table)
{
	const struct scn_node *n = &s->nodes[node];

	for (size_t i = 0; i < n->n_accels; i++) {
		if (lost != NULL && lost[i])
			continue;
		*table = profile_find_model(n->accels[i].profile, s->models[model].id);
		if (*table >= 0)
			return &n->accels[i];
	}
	return NULL;
}

/* Reads an id member into dst: 1-63 letters, digits, '.', '_' or '-',
 * starting with a letter or digit.  Ids name the results directory and
 * random streams ("arrivals/APP/NODE") and are written unquoted into CSV
 * rows, so none may hold a separator, a quote or a path component. */
static int get_id(const struct jin_at *obj, const char *key, char *dst, struct ts_error *err)
{
	struct jin_at at;
	const char *v;
	int rc = jin_member(obj, key, true, &at, err);

	if (rc == 0)
		rc = jin_string(&at, SCN_ID_MAX, &v, err);
	if (rc < 0)
		return rc;
	if (!isalnum((unsigned char)v[0]) ||
	    v[strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] !=
		'\0') {
		char shown[SCN_ID_MAX + 1];

		jin_excerpt(v, v + strlen(v), shown, sizeof(shown));
		return jin_fail(&at, TS_EINVALID, err,
				"expected an id of letters, digits, '.', '_' and '-' that starts "
				"with a letter or digit, got \"%s\"",
				shown);
	}
	snprintf(dst, SCN_ID_MAX + 1, "%s", v);
	return 0;
}

static int alloc_array(void **p, size_t n, size_t size, struct ts_error *err)
{
	*p = calloc(n == 0 ? 1 : n, size);
	if (*p == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	return 0;
}

/* Reads the array member `key` and allocates n elements of `size`. */
static int get_list(const struct jin_at *obj, const char *key, size_t min, struct jin_at *arr,
		    void **p, size_t *n, size_t size, struct ts_error *err)
{
	int rc = jin_member(obj, key, true, arr, err);
	size_t count = 0;

	if (rc == 0)
		rc = jin_array(arr, min, &count, err);
	if (rc == 0 && count > MAX_ENTITIES)
		return jin_fail(arr, TS_EINVALID, err, "at most %d elements are allowed, got %zu",
				MAX_ENTITIES, count);
	if (rc == 0)
		rc = alloc_array(p, count, size, err);
	/* The count is set only with the array: scenario_free() walks it. */
	if (rc == 0)
		*n = count;
	return rc;
}

static int find_node(const struct scenario *s, const struct jin_at *at, size_t *index,
		     struct ts_error *err)
{
	const char *id;
	int rc = jin_string(at, SCN_ID_MAX, &id, err);
	long i;

	if (rc < 0)
		return rc;
	i = lookup_id(s->lookup->nodes, s->n_nodes, id);
	if (i >= 0) {
		*index = (size_t)i;
		return 0;
	}
	return jin_fail(at, TS_EINVALID, err, "unknown node \"%s\" (not in $.nodes)", id);
}

static int load_profile(struct scenario *s, const struct jin_at *at, const char *ref,
			const struct profile **out, struct ts_error *err)
{
	char path[4096];
	struct profile *p;
	int rc;

	data_path(s, scenario_profile_dir(), ref, path, sizeof(path));
	for (size_t i = 0; i < s->n_profiles; i++) {
		if (strcmp(s->profile_paths[i], path) == 0) {
			*out = s->profiles[i];
			return 0;
		}
	}
	rc = profile_load(path, &p, err);
	if (rc < 0) {
		ts_error_prefix(err, "%s: %s: profile \"%s\": ", s->path, at->path, ref);
		return rc;
	}
	s->profile_paths[s->n_profiles] = strdup(path);
	if (s->profile_paths[s->n_profiles] == NULL) {
		profile_free(p);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	s->profiles[s->n_profiles++] = p;
	*out = p;
	return 0;
}

/* The keys an inline model and a model file share: description, source,
 * sizes, and the FLOPs as a number or from layers. */
/* The model's FLOPs as the sum over its layers, and the cumulative
 * shares (a model of layers without FLOPs splits them evenly). */
static int model_shares(struct scn_model *model, struct ts_error *err)
{
	size_t n = model->n_layers;
	double sum = 0;

	model->flops_share = malloc((n + 1) * sizeof(double));
	if (model->flops_share == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	model->flops_share[0] = 0;
	for (size_t i = 0; i < n; i++) {
		sum += model->layers[i].flops;
		model->flops_share[i + 1] = sum;
	}
	model->flops = sum;
	for (size_t i = 1; i <= n; i++)
		model->flops_share[i] =
		    sum > 0 ? model->flops_share[i] / sum : (double)i / (double)n;
	return 0;
}

static int model_body(const struct jin_at *m, struct scn_model *model, struct ts_error *err)
{
	struct jin_at flops, layers, eb;
	double element_bytes = 4;
	const char *text;
	int rc = jin_get_string(m, "description", false, 1024, &text, err);

	if (rc == 0)
		rc = jin_get_string(m, "source", false, 1024, &text, err);
	if (rc == 0)
		rc = jin_get_number(m, "input_bytes", false, 1, 1e12, &model->input_bytes, err);
	if (rc == 0)
		rc = jin_get_number(m, "output_bytes", false, 1, 1e12, &model->output_bytes, err);
	if (rc == 0)
		rc = jin_member(m, "flops", false, &flops, err);
	if (rc == 0)
		rc = jin_member(m, "layers", false, &layers, err);
	if (rc == 0 && (flops.node == NULL) == (layers.node == NULL))
		rc = jin_fail(m, TS_EINVALID, err,
			      "a model gives either \"flops\" or \"layers\", %s",
			      flops.node == NULL ? "got neither" : "not both");
	if (rc == 0 && flops.node != NULL)
		rc = jin_number(&flops, 0, 1e18, &model->flops, err);
	if (rc == 0)
		rc = jin_member(m, "element_bytes", false, &eb, err);
	if (rc == 0 && eb.node != NULL && layers.node == NULL)
		rc = jin_fail(
		    &eb, TS_EINVALID, err,
		    "\"element_bytes\" sizes the tensors of \"layers\"; this model has none");
	if (rc == 0 && eb.node != NULL)
		rc = jin_number(&eb, 1, 16, &element_bytes, err);
	if (rc == 0 && layers.node != NULL)
		rc = analytic_layers_read(&layers, element_bytes, &model->layers, &model->n_layers,
					  err);
	if (rc == 0 && layers.node != NULL)
		rc = model_shares(model, err);
	return rc;
}

/* A model file (docs/models.md): a name without '/' is
 * TIERSIM_DATADIR/models/NAME.json, a path is relative to the scenario's
 * directory.  The entry's own id, when given, replaces the file's. */
static int load_model_file(const struct scenario *s, const struct jin_at *at, const char *ref,
			   bool has_id, struct scn_model *model, struct ts_error *err)
{
	static const char *const keys[] = {
	    "tiersim_model", "id",    "description", "source",	      "input_bytes",
	    "output_bytes",  "flops", "layers",	     "element_bytes", NULL};
	char path[4096], id[SCN_ID_MAX + 1];
	struct jin_doc doc = {0};
	struct jin_at root;
	int64_t version = 0;
	int rc;

	data_path(s, scenario_model_dir(), ref, path, sizeof(path));
	rc = jin_doc_load(&doc, path, err);
	if (rc == 0) {
		root = jin_root(&doc);
		rc = jin_keys(&root, keys, err);
	}
	if (rc == 0)
		rc = jin_get_integer(&root, "tiersim_model", true, 1, 1, &version, err);
	if (rc == 0)
		rc = get_id(&root, "id", id, err);
	if (rc == 0 && !has_id)
		memcpy(model->id, id, sizeof(id));
	if (rc == 0)
		rc = model_body(&root, model, err);
	jin_doc_release(&doc);
	if (rc < 0)
		ts_error_prefix(err, "%s: %s: model \"%s\": ", s->path, at->path, ref);
	return rc;
}

static int load_models(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"id",	   "description", "source", "input_bytes",
					   "output_bytes", "flops",	  "layers", "element_bytes",
					   "file",	   NULL};
	static const char *const file_keys[] = {"id", "file", NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc = get_list(root, "models", 1, &arr, (void **)&s->models, &s->n_models,
			  sizeof(*s->models), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->n_models; i++) {
		struct jin_at m = jin_iter_next(&it), file, id;
		struct scn_model *model = &s->models[i];
		const char *ref;

		rc = jin_member(&m, "file", false, &file, err);
		if (rc == 0)
			rc = jin_keys(&m, file.node != NULL ? file_keys : keys, err);
		if (rc == 0)
			rc = jin_member(&m, "id", file.node == NULL, &id, err);
		if (rc == 0 && id.node != NULL)
			rc = get_id(&m, "id", model->id, err);
		if (rc == 0 && file.node != NULL)
			rc = jin_string(&file, 1024, &ref, err);
		if (rc == 0 && file.node != NULL)
			rc = load_model_file(s, &file, ref, id.node != NULL, model, err);
		else if (rc == 0)
			rc = model_body(&m, model, err);
	}
	if (rc == 0)
		rc = check_unique(&arr, "model", s->models[0].id, s->n_models, sizeof(*s->models),
				  &s->lookup->models, err);
	return rc;
}

/* The index of the model named at `at`. */
static int find_model(const struct scenario *s, const struct jin_at *at, size_t *index,
		      struct ts_error *err)
{
	const char *id;
	int rc = jin_string(at, SCN_ID_MAX, &id, err);
	long m;

	if (rc < 0)
		return rc;
	m = lookup_id(s->lookup->models, s->n_models, id);
	if (m >= 0) {
		*index = (size_t)m;
		return 0;
	}
	return jin_fail(at, TS_EINVALID, err, "unknown model \"%s\" (not in $.models)", id);
}

/* A profile's layer times of a model describe that model's layers, one
 * each. */
static int check_layer_times(const struct scenario *s, const struct jin_at *at,
			     const struct profile *p, struct ts_error *err)
{
	for (size_t m = 0; m < s->n_models; m++) {
		int table = profile_find_model(p, s->models[m].id);
		const double *share;
		size_t n = table < 0 ? 0 : profile_layers(p, table, &share);

		if (n > 0 && n != s->models[m].n_layers)
			return jin_fail(at, TS_EINVALID, err,
					"profile \"%s\" gives the times of %zu layers of model "
					"\"%s\", which has %zu; expected one time per layer of "
					"the model's \"layers\"",
					profile_id(p), n, s->models[m].id, s->models[m].n_layers);
	}
	return 0;
}

static int load_accels(struct scenario *s, struct scn_node *node, const struct jin_at *n,
		       struct ts_error *err)
{
	static const char *const keys[] = {"id", "profile", NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc = get_list(n, "accelerators", 0, &arr, (void **)&node->accels, &node->n_accels,
			  sizeof(*node->accels), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < node->n_accels; i++) {
		struct jin_at a = jin_iter_next(&it), ref;
		struct scn_accel *acc = &node->accels[i];
		const char *name;

		rc = jin_keys(&a, keys, err);
		if (rc == 0)
			rc = get_id(&a, "id", acc->id, err);
		if (rc == 0)
			rc = jin_member(&a, "profile", true, &ref, err);
		if (rc == 0)
			rc = jin_string(&ref, 1024, &name, err);
		if (rc == 0)
			rc = load_profile(s, &ref, name, &acc->profile, err);
		if (rc == 0)
			rc = check_layer_times(s, &ref, acc->profile, err);
	}
	if (rc == 0 && node->n_accels > 1)
		rc = check_unique(&arr, "accelerator", node->accels[0].id, node->n_accels,
				  sizeof(*node->accels), NULL, err);
	return rc;
}

/* A processor's FLOPS: "gflops", or cores x ghz x "flops_per_cycle"; left
 * as it is when neither is given. */
static int processor_flops(const struct jin_at *p, double cores, double ghz, double *flops,
			   struct ts_error *err)
{
	struct jin_at g, f;
	double v;
	int rc = jin_member(p, "gflops", false, &g, err);

	if (rc == 0)
		rc = jin_member(p, "flops_per_cycle", false, &f, err);
	if (rc == 0 && g.node != NULL && f.node != NULL)
		return jin_fail(p, TS_EINVALID, err,
				"give \"gflops\" or \"flops_per_cycle\", not both");
	if (rc == 0 && g.node != NULL) {
		rc = jin_number(&g, 1e-6, 1e12, &v, err);
		*flops = v * 1e9;
	}
	if (rc == 0 && f.node != NULL) {
		rc = jin_number(&f, 1e-6, 1e6, &v, err);
		*flops = analytic_node_flops(cores, ghz, v);
	}
	return rc;
}

/* The optional "gpu": "gflops", or cores, ghz and flops_per_cycle. */
static int load_gpu(struct scn_node *node, const struct jin_at *n, struct ts_error *err)
{
	static const char *const keys[] = {"model",	      "cores",	"ghz",
					   "flops_per_cycle", "gflops", NULL};
	struct jin_at g, gflops, per_cycle;
	const char *text;
	int64_t cores = 1;
	double ghz = 1;
	int rc = jin_member(n, "gpu", false, &g, err);

	if (rc < 0 || g.node == NULL)
		return rc;
	rc = jin_keys(&g, keys, err);
	if (rc == 0)
		rc = jin_get_string(&g, "model", false, 1024, &text, err);
	if (rc == 0)
		rc = jin_member(&g, "gflops", false, &gflops, err);
	if (rc == 0)
		rc = jin_get_integer(&g, "cores", gflops.node == NULL, 1, 1000000, &cores, err);
	if (rc == 0)
		rc = jin_get_number(&g, "ghz", gflops.node == NULL, 0.001, 100, &ghz, err);
	if (rc == 0 && gflops.node == NULL)
		rc = jin_member(&g, "flops_per_cycle", true, &per_cycle, err);
	if (rc == 0)
		rc = processor_flops(&g, (double)cores, ghz, &node->gpu_flops, err);
	return rc;
}

/* A device group: "count" identical devices that send requests and run
 * nothing themselves. */
static int load_count(struct scn_node *node, const struct jin_at *n, struct ts_error *err)
{
	struct jin_at c;
	int rc = jin_get_integer(n, "count", false, 1, 1000000000, &node->count, err);

	if (rc < 0 || node->count == 1)
		return rc;
	jin_member(n, "count", true, &c, err);
	if (node->tier != TIER_DEVICE)
		return jin_fail(&c, TS_EINVALID, err,
				"only a device may stand for several (count %lld on a node of "
				"tier \"%s\")",
				(long long)node->count, tier_name(node->tier));
	if (node->n_accels > 0)
		return jin_fail(&c, TS_EINVALID, err,
				"a device group (count %lld) runs no models: its \"accelerators\" "
				"must be empty",
				(long long)node->count);
	return 0;
}

/* A device's optional "battery_J", which needs its power model. */
static int load_battery(struct scenario *s, struct scn_node *node, const struct jin_at *n,
			struct ts_error *err)
{
	struct jin_at b;
	int rc = jin_member(n, "battery_J", false, &b, err);

	if (rc < 0 || b.node == NULL)
		return rc;
	rc = jin_number(&b, 1e-9, 1e12, &node->battery_J, err);
	if (rc == 0 && (node->tier != TIER_DEVICE || node->count != 1))
		rc = jin_fail(&b, TS_EINVALID, err, "only a single device has a battery, not %s",
			      node->tier != TIER_DEVICE ? "an edge or cloud node"
							: "a device group");
	if (rc == 0 && !node->has_energy)
		rc = jin_fail(&b, TS_EINVALID, err,
			      "a battery needs the node's power model (\"energy\") to drain it");
	s->has_battery |= rc == 0;
	return rc;
}

/* The node's optional "energy" (a power-model file), "battery_J" and
 * "cost". */
static int load_node_energy(struct scenario *s, struct scn_node *node, const struct jin_at *n,
			    struct ts_error *err)
{
	struct jin_at ref, cost;
	const char *name;
	char path[4096];
	int rc = jin_member(n, "energy", false, &ref, err);

	if (rc == 0 && ref.node != NULL) {
		rc = jin_string(&ref, 1024, &name, err);
		if (rc == 0) {
			data_path(s, scenario_energy_dir(), name, path, sizeof(path));
			rc = energy_model_load(path, &node->energy, err);
			if (rc < 0)
				ts_error_prefix(err, "%s: %s: power model \"%s\": ", s->path,
						ref.path, name);
		}
		node->has_energy = rc == 0;
	}
	if (rc == 0)
		rc = load_battery(s, node, n, err);
	if (rc == 0)
		rc = jin_member(n, "cost", false, &cost, err);
	if (rc == 0 && cost.node != NULL) {
		rc = node_cost_read(&cost, &node->cost, err);
		s->has_cost = true;
	}
	return rc;
}

/* Energy is accounted for every node or none: a node without a power
 * model would make every total too small without a word. */
static int check_energy(struct scenario *s, const struct jin_at *arr, struct ts_error *err)
{
	size_t with = 0;

	for (size_t i = 0; i < s->n_nodes; i++)
		with += s->nodes[i].has_energy;
	s->has_energy = with > 0;
	for (size_t i = 0; with > 0 && i < s->n_nodes; i++)
		if (!s->nodes[i].has_energy) {
			struct jin_at n = jin_element(arr, i);

			return jin_fail(&n, TS_EINVALID, err,
					"node \"%s\" has no \"energy\", but %zu other node%s "
					"do: give every node a power model, or none",
					s->nodes[i].id, with, with == 1 ? "" : "s");
		}
	return 0;
}

static int load_nodes(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"id",    "description",  "tier",	      "cpu",
					   "gpu",   "accelerators", "queue_capacity", "servers",
					   "count", "energy",	    "battery_J",      "cost",
					   NULL};
	static const char *const cpu_keys[] = {"model",		  "cores",  "ghz",
					       "flops_per_cycle", "gflops", NULL};
	struct jin_at arr;
	struct jin_iter it;
	size_t total_accels = 0;
	int rc = get_list(root, "nodes", 1, &arr, (void **)&s->nodes, &s->n_nodes,
			  sizeof(*s->nodes), err);

	/* Profiles are cached by path; there are at most as many distinct
	 * files as accelerators. */
	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->n_nodes; i++) {
		struct jin_at n = jin_iter_next(&it), acc;
		size_t count = 0;

		rc = jin_member(&n, "accelerators", false, &acc, err);
		if (rc == 0 && cJSON_IsArray(acc.node))
			count = (size_t)cJSON_GetArraySize(acc.node);
		total_accels += count;
	}
	if (rc == 0)
		rc = alloc_array((void **)&s->profiles, total_accels, sizeof(*s->profiles), err);
	if (rc == 0)
		rc = alloc_array((void **)&s->profile_paths, total_accels,
				 sizeof(*s->profile_paths), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->n_nodes; i++) {
		struct jin_at n = jin_iter_next(&it), cpu;
		struct scn_node *node = &s->nodes[i];
		const char *text;
		int tier = TIER_DEVICE;
		int64_t cores = 1;

		rc = jin_keys(&n, keys, err);
		if (rc == 0)
			rc = get_id(&n, "id", node->id, err);
		if (rc == 0)
			rc = jin_get_string(&n, "description", false, 1024, &text, err);
		if (rc == 0)
			rc = jin_get_enum(&n, "tier", true, tier_names, &tier, err);
		node->tier = (enum tier)tier;
		if (rc == 0)
			rc = jin_member(&n, "cpu", true, &cpu, err);
		if (rc == 0)
			rc = jin_keys(&cpu, cpu_keys, err);
		if (rc == 0)
			rc = jin_get_string(&cpu, "model", false, 1024, &text, err);
		if (rc == 0)
			rc = jin_get_integer(&cpu, "cores", true, 1, 4096, &cores, err);
		node->cpu_cores = (int)cores;
		if (rc == 0)
			rc = jin_get_number(&cpu, "ghz", true, 0.001, 100, &node->cpu_ghz, err);
		if (rc == 0)
			rc = processor_flops(&cpu, node->cpu_cores, node->cpu_ghz, &node->cpu_flops,
					     err);
		if (rc == 0)
			rc = load_gpu(node, &n, err);
		if (rc == 0)
			rc = jin_get_integer(&n, "queue_capacity", false, 1, 1000000000,
					     &node->queue_capacity, err);
		node->servers = 1;
		if (rc == 0)
			rc = jin_get_integer(&n, "servers", false, 1, 1000000, &node->servers, err);
		if (rc == 0)
			rc = load_accels(s, node, &n, err);
		node->count = 1;
		if (rc == 0)
			rc = load_count(node, &n, err);
		if (rc == 0)
			rc = load_node_energy(s, node, &n, err);
	}
	if (rc == 0)
		rc = check_energy(s, &arr, err);
	if (rc == 0)
		rc = check_unique(&arr, "node", s->nodes[0].id, s->n_nodes, sizeof(*s->nodes),
				  &s->lookup->nodes, err);
	return rc;
}

/* The link's delay laws and bandwidth: its own keys, else its preset's. */
static int load_link_network(struct scenario *s, struct scn_link *link, const struct jin_at *l,
			     struct ts_error *err)
{
	const struct dist_preset *preset = NULL;
	struct jin_at name, delay, reverse, bandwidth;
	const char *text;
	int rc = jin_member(l, "preset", false, &name, err);

	if (rc == 0 && name.node != NULL)
		rc = jin_string(&name, SCN_ID_MAX, &text, err);
	if (rc == 0 && name.node != NULL) {
		preset = dist_preset_find(text);
		if (preset == NULL) {
			rc = dist_preset_unknown(text, err);
			ts_error_prefix(err, "%s: %s: ", s->path, name.path);
		}
	}
	if (rc == 0)
		rc = jin_member(l, "delay", preset == NULL, &delay, err);
	if (rc == 0 && delay.node != NULL)
		rc = dist_parse(&delay, s->dir, &link->delay, err);
	else if (rc == 0)
		link->delay = preset->delay;
	if (rc == 0)
		rc = jin_member(l, "delay_reverse", false, &reverse, err);
	if (rc == 0 && reverse.node != NULL) {
		rc = dist_parse(&reverse, s->dir, &link->delay_reverse, err);
		link->has_reverse = rc == 0;
	}
	if (rc == 0)
		rc = jin_member(l, "bandwidth_Bps", false, &bandwidth, err);
	if (rc == 0 && bandwidth.node == NULL && preset != NULL && preset->bandwidth_Bps == 0)
		rc = jin_fail(l, TS_EINVALID, err,
			      "preset \"%s\" has no bandwidth: the link must give bandwidth_Bps",
			      preset->name);
	if (rc == 0) {
		link->bandwidth_Bps = preset != NULL ? preset->bandwidth_Bps : 0;
		rc = jin_get_number(l, "bandwidth_Bps", preset == NULL, 1, 1e15,
				    &link->bandwidth_Bps, err);
	}
	return rc;
}

/* A link's ends, the lower node index first. */
struct link_pair {
	size_t lo, hi, index;
};

static int compare_pairs(const void *a, const void *b)
{
	const struct link_pair *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Two links between the same nodes: the later one, in array order, is an
 * error. */
static int check_links_unique(const struct scenario *s, const struct jin_at *arr,
			      struct ts_error *err)
{
	struct link_pair *p = malloc((s->n_links == 0 ? 1 : s->n_links) * sizeof(*p));
	size_t dup = s->n_links;
	int rc = 0;

	if (p == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n_links; i++) {
		size_t a = s->links[i].a, b = s->links[i].b;

		p[i] = (struct link_pair){a < b ? a : b, a < b ? b : a, i};
	}
	qsort(p, s->n_links, sizeof(*p), compare_pairs);
	for (size_t i = 1; i < s->n_links; i++)
		if (p[i].lo == p[i - 1].lo && p[i].hi == p[i - 1].hi && p[i].index < dup)
			dup = p[i].index;
	free(p);
	if (dup < s->n_links) {
		struct jin_at l = jin_element(arr, dup), between;

		jin_member(&l, "between", true, &between, err);
		rc =
		    jin_fail(&between, TS_EINVALID, err, "duplicate link between \"%s\" and \"%s\"",
			     s->nodes[s->links[dup].a].id, s->nodes[s->links[dup].b].id);
	}
	return rc;
}

/* The links of each node, for check_servable(). */
static int index_links(struct scenario *s, struct ts_error *err)
{
	struct scn_lookup *lk = s->lookup;
	size_t *fill;

	lk->adj_start = calloc(s->n_nodes + 1, sizeof(*lk->adj_start));
	lk->adj = malloc((s->n_links == 0 ? 1 : 2 * s->n_links) * sizeof(*lk->adj));
	fill = calloc(s->n_nodes == 0 ? 1 : s->n_nodes, sizeof(*fill));
	if (lk->adj_start == NULL || lk->adj == NULL || fill == NULL) {
		free(fill);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < s->n_links; i++) {
		lk->adj_start[s->links[i].a + 1]++;
		lk->adj_start[s->links[i].b + 1]++;
	}
	for (size_t n = 0; n < s->n_nodes; n++)
		lk->adj_start[n + 1] += lk->adj_start[n];
	for (size_t i = 0; i < s->n_links; i++) {
		size_t a = s->links[i].a, b = s->links[i].b;

		lk->adj[lk->adj_start[a] + fill[a]++] = i;
		lk->adj[lk->adj_start[b] + fill[b]++] = i;
	}
	free(fill);
	return 0;
}

static int load_links(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"between",	    "preset",	     "delay",
					   "delay_reverse", "bandwidth_Bps", NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc = get_list(root, "links", 0, &arr, (void **)&s->links, &s->n_links,
			  sizeof(*s->links), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->n_links; i++) {
		struct jin_at l = jin_iter_next(&it), between;
		struct scn_link *link = &s->links[i];
		size_t n;

		rc = jin_keys(&l, keys, err);
		if (rc == 0)
			rc = jin_member(&l, "between", true, &between, err);
		if (rc == 0)
			rc = jin_array(&between, 2, &n, err);
		if (rc == 0 && n != 2)
			rc = jin_fail(&between, TS_EINVALID, err,
				      "expected exactly 2 node ids, got %zu", n);
		if (rc == 0) {
			struct jin_at a = jin_element(&between, 0), b = jin_element(&between, 1);

			rc = find_node(s, &a, &link->a, err);
			if (rc == 0)
				rc = find_node(s, &b, &link->b, err);
			if (rc == 0 && link->a == link->b)
				rc = jin_fail(&between, TS_EINVALID, err,
					      "a link joins two different nodes, got \"%s\" twice",
					      s->nodes[link->a].id);
		}
		if (rc == 0)
			rc = load_link_network(s, link, &l, err);
	}
	if (rc == 0)
		rc = check_links_unique(s, &arr, err);
	if (rc == 0)
		rc = index_links(s, err);
	return rc;
}

/* obj.frame_px: [width, height]. */
static int load_frame_px(const struct jin_at *obj, int *w, int *h, struct ts_error *err)
{
	struct jin_at px;
	size_t n;
	int rc = jin_member(obj, "frame_px", true, &px, err);

	if (rc == 0)
		rc = jin_array(&px, 2, &n, err);
	if (rc == 0 && n != 2)
		rc =
		    jin_fail(&px, TS_EINVALID, err, "expected [width, height], got %zu numbers", n);
	for (size_t i = 0; rc == 0 && i < 2; i++) {
		struct jin_at v = jin_element(&px, i);
		int64_t side;

		rc = jin_integer(&v, 1, 100000, &side, err);
		*(i == 0 ? w : h) = (int)side;
	}
	return rc;
}

/* workload.frame_px_changes: [{"at_s", "frame_px"}...], at_s strictly
 * increasing and inside the run. */
static int load_frame_changes(struct scenario *s, struct scn_app *app, const struct jin_at *w,
			      struct ts_error *err)
{
	static const char *const keys[] = {"at_s", "frame_px", NULL};
	struct jin_at arr;
	size_t n;
	int rc = jin_member(w, "frame_px_changes", false, &arr, err);

	if (rc < 0 || arr.node == NULL)
		return rc;
	rc = jin_array(&arr, 1, &n, err);
	if (rc < 0)
		return rc;
	app->frame_changes = calloc(n, sizeof(*app->frame_changes));
	if (app->frame_changes == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct jin_at c = jin_element(&arr, i);
		struct scn_frame_change *fc = &app->frame_changes[i];
		double at_s = 0;

		rc = jin_keys(&c, keys, err);
		if (rc == 0)
			rc = jin_get_number(&c, "at_s", true, 0, MAX_DURATION_S, &at_s, err);
		if (rc == 0)
			rc = load_frame_px(&c, &fc->w, &fc->h, err);
		fc->at = sim_from_s(at_s);
		if (rc == 0 && fc->at >= s->duration)
			rc = jin_fail(
			    &c, TS_EINVALID, err,
			    "at_s (%.17g) must be before the scenario's duration_s (%.17g)", at_s,
			    sim_to_s(s->duration));
		if (rc == 0 && i > 0 && fc->at <= fc[-1].at)
			rc = jin_fail(&c, TS_EINVALID, err,
				      "at_s (%.17g) must be after the previous change's (%.17g)",
				      at_s, sim_to_s(fc[-1].at));
		app->n_frame_changes++;
	}
	return rc;
}

void scenario_frame_px(const struct scn_app *app, sim_time_t t, int *w, int *h)
{
	size_t lo = 0, hi = app->n_frame_changes;

	/* The number of changes at or before t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (app->frame_changes[mid].at <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	*w = lo == 0 ? app->frame_w : app->frame_changes[lo - 1].w;
	*h = lo == 0 ? app->frame_h : app->frame_changes[lo - 1].h;
}

static int load_workload(struct scenario *s, struct scn_app *app, const struct jin_at *w,
			 struct ts_error *err)
{
	static const char *const types[] = {"stream", "poisson", NULL};
	static const char *const stream_keys[] = {
	    "type",    "fps",	    "frame_px",	  "frame_px_changes",
	    "start_s", "stagger_s", "duration_s", NULL};
	static const char *const poisson_keys[] = {
	    "type",    "rate_hz",   "frame_px",	  "frame_px_changes",
	    "start_s", "stagger_s", "duration_s", NULL};
	double start_s = 0, stagger_s = 0, duration_s = sim_to_s(s->duration);
	int type;
	int rc = jin_get_enum(w, "type", true, types, &type, err);

	if (rc < 0)
		return rc;
	app->workload = (enum workload)type;
	if (app->workload == WORKLOAD_STREAM && policy_find(s->policy)->partition)
		return jin_fail(w, TS_EINVALID, err,
				"policy \"%s\" places and may split each request on its own; "
				"expected \"type\": \"poisson\", not a stream",
				s->policy);
	rc = jin_keys(w, app->workload == WORKLOAD_STREAM ? stream_keys : poisson_keys, err);
	if (rc == 0 && app->workload == WORKLOAD_STREAM)
		rc = jin_get_number(w, "fps", true, 1e-6, 1e6, &app->fps, err);
	if (rc == 0 && app->workload == WORKLOAD_POISSON)
		rc = jin_get_number(w, "rate_hz", true, 1e-9, 1e9, &app->rate_hz, err);
	if (rc == 0)
		rc = load_frame_px(w, &app->frame_w, &app->frame_h, err);
	if (rc == 0)
		rc = load_frame_changes(s, app, w, err);
	if (rc == 0)
		rc = jin_get_number(w, "start_s", false, 0, MAX_DURATION_S, &start_s, err);
	if (rc == 0)
		rc = jin_get_number(w, "stagger_s", false, 0, MAX_DURATION_S, &stagger_s, err);
	if (rc == 0)
		rc = jin_get_number(w, "duration_s", false, 1e-9, MAX_DURATION_S, &duration_s, err);
	app->start = sim_from_s(start_s);
	app->stagger = sim_from_s(stagger_s);
	app->stop = sim_from_s(start_s + duration_s);
	if (app->stop > s->duration)
		app->stop = s->duration;
	if (rc == 0 && app->start >= s->duration)
		rc = jin_fail(w, TS_EINVALID, err,
			      "start_s (%.17g) must be before the scenario's duration_s (%.17g)",
			      start_s, sim_to_s(s->duration));
	return rc;
}

/* A source device must have at least one node able to serve it: one with a
 * profile for the model that is the device itself or linked to it. */
static int check_servable(const struct scenario *s, const struct scn_app *app,
			  const struct jin_at *at, size_t device, struct ts_error *err)
{
	const struct scn_lookup *lk = s->lookup;
	int table;

	if (scenario_executor(s, device, app->model, &table) != NULL)
		return 0;
	/* Servers linked to the device; another device does not serve it. */
	for (size_t k = lk->adj_start[device]; k < lk->adj_start[device + 1]; k++) {
		const struct scn_link *l = &s->links[lk->adj[k]];
		size_t n = l->a == device ? l->b : l->a;

		if (s->nodes[n].tier != TIER_DEVICE &&
		    scenario_executor(s, n, app->model, &table) != NULL)
			return 0;
	}
	return jin_fail(at, TS_EINVALID, err,
			"no node can serve device \"%s\": none that is the device or linked to it "
			"has a profile for model \"%s\"",
			s->nodes[device].id, s->models[app->model].id);
}

static int load_apps(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"id",      "description",   "model",
					   "sources", "workload",      "qos_ms",
					   "weight",  "request_bytes", NULL};
	struct jin_at arr;
	struct jin_iter it;
	/* listed[n] = i + 1 once node n is a source of app i. */
	size_t *listed = calloc(s->n_nodes == 0 ? 1 : s->n_nodes, sizeof(*listed));
	int rc =
	    get_list(root, "apps", 1, &arr, (void **)&s->apps, &s->n_apps, sizeof(*s->apps), err);

	if (rc == 0 && listed == NULL)
		rc = ts_error_set(err, TS_ENOMEM, "out of memory");
	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->n_apps; i++) {
		struct jin_at a = jin_iter_next(&it), model, sources, workload;
		struct scn_app *app = &s->apps[i];
		struct jin_iter src_it;
		const char *text;

		rc = jin_keys(&a, keys, err);
		if (rc == 0)
			rc = get_id(&a, "id", app->id, err);
		if (rc == 0)
			rc = jin_get_string(&a, "description", false, 1024, &text, err);
		if (rc == 0)
			rc = jin_member(&a, "model", true, &model, err);
		if (rc == 0)
			rc = find_model(s, &model, &app->model, err);
		if (rc == 0 && (s->models[app->model].input_bytes == 0 ||
				s->models[app->model].output_bytes == 0))
			rc = jin_fail(
			    &model, TS_EINVALID, err,
			    "model \"%s\" has no input_bytes or output_bytes, which an app "
			    "needs",
			    s->models[app->model].id);
		if (rc == 0)
			rc = get_list(&a, "sources", 1, &sources, (void **)&app->sources,
				      &app->n_sources, sizeof(*app->sources), err);
		if (rc == 0)
			jin_iter_init(&src_it, &sources);
		for (size_t k = 0; rc == 0 && k < app->n_sources; k++) {
			struct jin_at src = jin_iter_next(&src_it);

			rc = find_node(s, &src, &app->sources[k], err);
			if (rc == 0 && s->nodes[app->sources[k]].tier != TIER_DEVICE)
				rc = jin_fail(&src, TS_EINVALID, err,
					      "a source must be a node of tier \"device\", \"%s\" "
					      "is \"%s\"",
					      s->nodes[app->sources[k]].id,
					      tier_name(s->nodes[app->sources[k]].tier));
			if (rc == 0 && listed[app->sources[k]] == i + 1)
				rc = jin_fail(&src, TS_EINVALID, err,
					      "device \"%s\" is listed twice",
					      s->nodes[app->sources[k]].id);
			if (rc == 0)
				listed[app->sources[k]] = i + 1;
			if (rc == 0)
				rc = check_servable(s, app, &src, app->sources[k], err);
		}
		if (rc == 0)
			rc = jin_member(&a, "workload", true, &workload, err);
		if (rc == 0)
			rc = load_workload(s, app, &workload, err);
		/* A stream belongs to one device. */
		for (size_t k = 0;
		     rc == 0 && app->workload == WORKLOAD_STREAM && k < app->n_sources; k++)
			if (s->nodes[app->sources[k]].count > 1)
				rc = jin_fail(&workload, TS_EINVALID, err,
					      "a stream needs single devices as sources, but "
					      "\"%s\" is a group of %lld (count)",
					      s->nodes[app->sources[k]].id,
					      (long long)s->nodes[app->sources[k]].count);
		if (rc == 0)
			rc = jin_get_number(&a, "qos_ms", true, 1e-6, 1e9, &app->qos_ms, err);
		app->weight = 1;
		if (rc == 0)
			rc = jin_get_number(&a, "weight", false, 1e-9, 1e9, &app->weight, err);
		if (rc == 0) {
			app->request_bytes = s->models[app->model].input_bytes;
			rc = jin_get_number(&a, "request_bytes", false, 1, 1e12,
					    &app->request_bytes, err);
		}
	}
	free(listed);
	if (rc == 0)
		rc = check_unique(&arr, "app", s->apps[0].id, s->n_apps, sizeof(*s->apps), NULL,
				  err);
	return rc;
}

/* policy.params: each key a parameter the policy declares, in its range. */
static int load_policy_params(struct scenario *s, const struct policy_ops *ops,
			      const struct jin_at *params, struct ts_error *err)
{
	char valid[1024] = "";
	size_t used = 0;

	for (size_t k = 0; k < ops->n_params; k++) {
		s->policy_params[k] = ops->params[k].def;
		if (used < sizeof(valid))
			used += (size_t)snprintf(valid + used, sizeof(valid) - used, "%s%s",
						 k == 0 ? "" : ", ", ops->params[k].name);
	}
	if (params->node == NULL)
		return 0;
	if (!cJSON_IsObject(params->node))
		return jin_fail(params, TS_EINVALID, err, "expected an object");
	for (const cJSON *c = params->node->child; c != NULL; c = c->next) {
		int k = policy_param_find(ops, c->string);
		const struct policy_param *pp;
		struct jin_at v;
		int64_t whole;
		int rc;

		if (k < 0 && ops->n_params == 0)
			return jin_fail(params, TS_EINVALID, err,
					"policy \"%s\" takes no parameters, got \"%s\"", ops->name,
					c->string);
		if (k < 0)
			return jin_fail(params, TS_EINVALID, err,
					"policy \"%s\" has no parameter \"%s\" (valid: %s)",
					ops->name, c->string, valid);
		pp = &ops->params[k];
		rc = jin_member(params, c->string, true, &v, err);
		if (rc == 0 && pp->integer) {
			rc = jin_integer(&v, (int64_t)pp->min, (int64_t)pp->max, &whole, err);
			s->policy_params[k] = (double)whole;
		} else if (rc == 0) {
			rc = jin_number(&v, pp->min, pp->max, &s->policy_params[k], err);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int load_policy(struct scenario *s, const struct jin_at *root, bool jobs,
		       struct ts_error *err)
{
	static const char *const keys[] = {"name", "params", NULL};
	const struct policy_ops *ops = NULL;
	struct jin_at p, params;
	int rc = jin_member(root, "policy", true, &p, err);

	if (rc == 0)
		rc = jin_keys(&p, keys, err);
	if (rc == 0)
		rc = get_id(&p, "name", s->policy, err);
	if (rc == 0) {
		ops = policy_find(s->policy);
		rc = ops == NULL ? policy_unknown(s->policy, err)
				 : policy_check_mode(ops, jobs, err);
		if (rc < 0)
			ts_error_prefix(err, "%s: %s.name: ", s->path, p.path);
	}
	if (rc == 0)
		rc = jin_member(&p, "params", false, &params, err);
	if (rc == 0)
		rc = load_policy_params(s, ops, &params, err);
	return rc;
}

/* The delay estimate of link l's direction leaving `from`, in ms: what
 * policies see (docs/policies.md). */
static int link_delay_ms(const struct scenario *s, const struct jin_at *at, size_t l, size_t from,
			 double *ms, struct ts_error *err)
{
	int rc = dist_estimate(scenario_link_delay(&s->links[l], from),
			       (unsigned long)rng_derive_seed(0, "estimate"), ms);

	if (rc == TS_ENOMEM)
		return ts_error_set(err, rc, "out of memory");
	if (rc < 0)
		return jin_fail(at, rc, err,
				"the delay law of the link between \"%s\" and \"%s\" "
				"keeps drawing below its floor",
				s->nodes[s->links[l].a].id, s->nodes[s->links[l].b].id);
	return 0;
}

/* The FLOPS the analytic model uses for node n: its GPU's, else its
 * CPU's. */
static int node_flops(const struct scenario *s, const struct jin_at *at, size_t n, double *flops,
		      struct ts_error *err)
{
	*flops = s->nodes[n].gpu_flops > 0 ? s->nodes[n].gpu_flops : s->nodes[n].cpu_flops;
	if (*flops == 0)
		return jin_fail(at, TS_EINVALID, err,
				"node \"%s\" has no FLOPS for the analytic model: give its "
				"cpu.flops_per_cycle or cpu.gflops, or a gpu",
				s->nodes[n].id);
	return 0;
}

/* The link between device d and node n, with its index in *l. */
static int device_link(const struct scenario *s, const struct jin_at *at, size_t d, size_t n,
		       long *l, struct ts_error *err)
{
	*l = scenario_link(s, d, n);
	if (*l < 0)
		return jin_fail(at, TS_EINVALID, err, "no link between device \"%s\" and \"%s\"",
				s->nodes[d].id, s->nodes[n].id);
	return 0;
}

/* The analytic model's lambdas: given, or calibrated from one measured
 * pair each (docs/models.md). */
static int load_analytic(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"lambda1", "lambda1_from", "lambda2_per_byte",
					   "lambda2_from", NULL};
	static const char *const from1_keys[] = {"device", "node", "data_bytes", "measured_ms",
						 NULL};
	static const char *const from2_keys[] = {"model", "node", "data_bytes", "measured_ms",
						 NULL};
	struct jin_at a, from, at;
	double bytes = 0, measured_ms = 0, flops, delay_ms;
	size_t d, n, m;
	long l;
	int rc = jin_member(root, "analytic", false, &a, err);

	s->lambda1 = 1;
	if (rc < 0 || a.node == NULL)
		return rc;
	rc = jin_keys(&a, keys, err);
	if (rc == 0 && cJSON_HasObjectItem(a.node, "lambda1") &&
	    cJSON_HasObjectItem(a.node, "lambda1_from"))
		rc = jin_fail(&a, TS_EINVALID, err,
			      "give \"lambda1\" or \"lambda1_from\", not both");
	if (rc == 0 && cJSON_HasObjectItem(a.node, "lambda2_per_byte") &&
	    cJSON_HasObjectItem(a.node, "lambda2_from"))
		rc = jin_fail(&a, TS_EINVALID, err,
			      "give \"lambda2_per_byte\" or \"lambda2_from\", not both");
	if (rc == 0)
		rc = jin_get_number(&a, "lambda1", false, 1e-9, 1e9, &s->lambda1, err);
	if (rc == 0)
		rc = jin_get_number(&a, "lambda2_per_byte", false, 1e-18, 1e9, &s->lambda2_per_byte,
				    err);
	if (rc == 0)
		rc = jin_member(&a, "lambda1_from", false, &from, err);
	if (rc == 0 && from.node != NULL) {
		rc = jin_keys(&from, from1_keys, err);
		if (rc == 0)
			rc = jin_member(&from, "device", true, &at, err);
		if (rc == 0)
			rc = find_node(s, &at, &d, err);
		if (rc == 0)
			rc = jin_member(&from, "node", true, &at, err);
		if (rc == 0)
			rc = find_node(s, &at, &n, err);
		if (rc == 0)
			rc = jin_get_number(&from, "data_bytes", true, 1, 1e15, &bytes, err);
		if (rc == 0)
			rc = jin_get_number(&from, "measured_ms", true, 1e-9, 1e10, &measured_ms,
					    err);
		if (rc == 0)
			rc = device_link(s, &from, d, n, &l, err);
		if (rc == 0)
			rc = link_delay_ms(s, &from, (size_t)l, d, &delay_ms, err);
		if (rc == 0 && measured_ms <= delay_ms)
			rc = jin_fail(&from, TS_EINVALID, err,
				      "measured_ms (%.17g) must exceed the link's delay (%.17g ms)",
				      measured_ms, delay_ms);
		if (rc == 0)
			s->lambda1 = analytic_calibrate_lambda1(
			    measured_ms / 1e3, bytes, s->links[l].bandwidth_Bps, delay_ms / 1e3);
	}
	if (rc == 0)
		rc = jin_member(&a, "lambda2_from", false, &from, err);
	if (rc == 0 && from.node != NULL) {
		rc = jin_keys(&from, from2_keys, err);
		if (rc == 0)
			rc = jin_member(&from, "model", true, &at, err);
		if (rc == 0)
			rc = find_model(s, &at, &m, err);
		if (rc == 0)
			rc = jin_member(&from, "node", true, &at, err);
		if (rc == 0)
			rc = find_node(s, &at, &n, err);
		if (rc == 0)
			rc = node_flops(s, &at, n, &flops, err);
		if (rc == 0)
			rc = jin_get_number(&from, "data_bytes", true, 1, 1e15, &bytes, err);
		if (rc == 0)
			rc = jin_get_number(&from, "measured_ms", true, 1e-9, 1e10, &measured_ms,
					    err);
		if (rc == 0 && s->models[m].flops == 0)
			rc = jin_fail(&from, TS_EINVALID, err, "model \"%s\" has 0 FLOPs",
				      s->models[m].id);
		if (rc == 0)
			s->lambda2_per_byte = analytic_calibrate_lambda2(measured_ms / 1e3, bytes,
									 s->models[m].flops, flops);
	}
	return rc;
}

/* A time of the job set, read in time units: at most 10^7 s. */
static int get_time_tu(const struct scenario *s, const struct jin_at *obj, const char *key,
		       sim_time_t *out, struct ts_error *err)
{
	double v = 0;
	int rc = jin_get_number(obj, key, true, 0, MAX_DURATION_S * 1e3 / s->time_unit_ms, &v, err);

	*out = sim_from_ms(v * s->time_unit_ms);
	return rc;
}

static int explicit_times(const struct scenario *s, const struct jin_at *j, struct scn_job *job,
			  struct ts_error *err)
{
	static const char *const processing_keys[] = {"device", "edge", "cloud", NULL};
	static const char *const transmission_keys[] = {"edge", "cloud", NULL};
	struct jin_at p, t;
	int rc = jin_member(j, "processing_tu", true, &p, err);

	if (rc == 0)
		rc = jin_keys(&p, processing_keys, err);
	for (int m = 0; rc == 0 && m < TIER_COUNT; m++)
		rc = get_time_tu(s, &p, tier_name((enum tier)m), &job->processing[m], err);
	if (rc == 0)
		rc = jin_member(j, "transmission_tu", true, &t, err);
	if (rc == 0)
		rc = jin_keys(&t, transmission_keys, err);
	for (int m = TIER_EDGE; rc == 0 && m < TIER_COUNT; m++)
		rc = get_time_tu(s, &t, tier_name((enum tier)m), &job->upload[m], err);
	return rc;
}

/* The one edge and one cloud node a job set's analytic jobs run on. */
static int job_servers(const struct scenario *s, const struct jin_at *at, size_t *server,
		       struct ts_error *err)
{
	for (int m = TIER_EDGE; m < TIER_COUNT; m++) {
		size_t count = 0;

		for (size_t n = 0; n < s->n_nodes; n++)
			if (s->nodes[n].tier == (enum tier)m) {
				server[m] = n;
				count++;
			}
		if (count != 1)
			return jin_fail(at, TS_EINVALID, err,
					"a job with a model runs on exactly one edge and one cloud "
					"node; $.nodes has %zu of tier \"%s\"",
					count, tier_name((enum tier)m));
	}
	return 0;
}

/* The job's device: its "device", or the scenario's only device node. */
static int job_device(const struct scenario *s, const struct jin_at *j, size_t *d,
		      struct ts_error *err)
{
	struct jin_at at;
	size_t count = 0;
	int rc = jin_member(j, "device", false, &at, err);

	if (rc == 0 && at.node != NULL) {
		rc = find_node(s, &at, d, err);
		if (rc == 0 && s->nodes[*d].tier != TIER_DEVICE)
			rc = jin_fail(&at, TS_EINVALID, err, "\"%s\" is not of tier \"device\"",
				      s->nodes[*d].id);
		return rc;
	}
	for (size_t n = 0; rc == 0 && n < s->n_nodes; n++)
		if (s->nodes[n].tier == TIER_DEVICE) {
			*d = n;
			count++;
		}
	if (rc == 0 && count != 1)
		rc = jin_fail(j, TS_EINVALID, err,
			      "give the job's \"device\": $.nodes has %zu of tier \"device\"",
			      count);
	return rc;
}

/* Processing and upload times from the analytic model. */
static int derived_times(const struct scenario *s, const struct jin_at *j, struct scn_job *job,
			 struct ts_error *err)
{
	struct jin_at model;
	size_t server[TIER_COUNT], m;
	double bytes = 0;
	int rc = jin_member(j, "model", true, &model, err);

	if (rc == 0)
		rc = find_model(s, &model, &m, err);
	if (rc == 0)
		rc = jin_get_number(j, "data_bytes", true, 1, 1e15, &bytes, err);
	if (rc == 0 && s->lambda2_per_byte == 0)
		rc = jin_fail(j, TS_EINVALID, err,
			      "a job with a model needs $.analytic.lambda2_per_byte or "
			      "$.analytic.lambda2_from");
	if (rc == 0)
		rc = job_device(s, j, &server[TIER_DEVICE], err);
	if (rc == 0)
		rc = job_servers(s, j, server, err);
	for (int t = 0; rc == 0 && t < TIER_COUNT; t++) {
		double flops, proc_s, up_s = 0, delay_ms;
		long l;

		rc = node_flops(s, j, server[t], &flops, err);
		proc_s =
		    analytic_inference_s(s->lambda2_per_byte, bytes, s->models[m].flops, flops);
		if (rc == 0 && t != TIER_DEVICE)
			rc = device_link(s, j, server[TIER_DEVICE], server[t], &l, err);
		if (rc == 0 && t != TIER_DEVICE)
			rc = link_delay_ms(s, j, (size_t)l, server[TIER_DEVICE], &delay_ms, err);
		if (rc == 0 && t != TIER_DEVICE)
			up_s = analytic_transfer_s(s->lambda1, bytes, s->links[l].bandwidth_Bps,
						   delay_ms / 1e3);
		if (rc == 0 && (proc_s > MAX_DURATION_S || up_s > MAX_DURATION_S))
			rc = jin_fail(j, TS_EINVALID, err,
				      "on \"%s\" the analytic model gives %.6g s of processing and "
				      "%.6g s of upload; at most %g s each are allowed",
				      s->nodes[server[t]].id, proc_s, up_s, MAX_DURATION_S);
		job->processing[t] = sim_from_s(proc_s);
		job->upload[t] = sim_from_s(up_s);
	}
	return rc;
}

static int load_jobs(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const explicit_keys[] = {
	    "id", "description", "release_tu", "weight", "processing_tu", "transmission_tu", NULL};
	static const char *const derived_keys[] = {"id",    "description", "release_tu", "weight",
						   "model", "data_bytes",  "device",	 NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc =
	    get_list(root, "jobs", 1, &arr, (void **)&s->jobs, &s->n_jobs, sizeof(*s->jobs), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->n_jobs; i++) {
		struct jin_at j = jin_iter_next(&it);
		struct scn_job *job = &s->jobs[i];
		bool derived = cJSON_IsObject(j.node) && cJSON_HasObjectItem(j.node, "model");
		const char *text;

		if (derived && cJSON_HasObjectItem(j.node, "processing_tu"))
			rc = jin_fail(&j, TS_EINVALID, err,
				      "a job gives \"processing_tu\" and \"transmission_tu\", or "
				      "\"model\" and \"data_bytes\", not both");
		if (rc == 0)
			rc = jin_keys(&j, derived ? derived_keys : explicit_keys, err);
		if (rc == 0)
			rc = get_id(&j, "id", job->id, err);
		if (rc == 0)
			rc = jin_get_string(&j, "description", false, 1024, &text, err);
		if (rc == 0)
			rc = get_time_tu(s, &j, "release_tu", &job->release, err);
		job->weight = 1;
		if (rc == 0)
			rc = jin_get_number(&j, "weight", false, 1e-9, 1e9, &job->weight, err);
		if (rc == 0)
			rc = derived ? derived_times(s, &j, job, err)
				     : explicit_times(s, &j, job, err);
	}
	if (rc == 0)
		rc = check_unique(&arr, "job", s->jobs[0].id, s->n_jobs, sizeof(*s->jobs), NULL,
				  err);
	return rc;
}

/* Fails on the first of `keys` that root has: it belongs to the other
 * kind of scenario. */
static int reject_keys(const struct jin_at *root, const char *const *keys, const char *kind,
		       struct ts_error *err)
{
	for (size_t i = 0; keys[i] != NULL; i++) {
		struct jin_at at;
		int rc = jin_member(root, keys[i], false, &at, err);

		if (rc < 0)
			return rc;
		if (at.node != NULL)
			return jin_fail(&at, TS_EINVALID, err,
					"\"%s\" belongs to scenarios with \"%s\"", keys[i], kind);
	}
	return 0;
}

/* ---- "faults" (docs/scenario.md) ---- */

/* obj[key]: a time in seconds, into ns. */
static int get_time_s(const struct jin_at *obj, const char *key, bool required, double lo,
		      sim_time_t *out, struct ts_error *err)
{
	double v = 0;
	int rc = jin_get_number(obj, key, required, lo, MAX_DURATION_S, &v, err);

	if (rc == 0 && (required || cJSON_HasObjectItem(obj->node, key)))
		*out = sim_from_s(v);
	return rc;
}

/* An edge or cloud node named by obj.node. */
static int fault_node(const struct scenario *s, const struct jin_at *obj, size_t *n,
		      struct ts_error *err)
{
	struct jin_at at;
	int rc = jin_member(obj, "node", true, &at, err);

	if (rc == 0)
		rc = find_node(s, &at, n, err);
	if (rc == 0 && s->nodes[*n].tier == TIER_DEVICE)
		rc = jin_fail(&at, TS_EINVALID, err,
			      "expected an edge or cloud node, got device \"%s\"", s->nodes[*n].id);
	return rc;
}

static int load_node_faults(struct scenario *s, const struct jin_at *f, struct ts_error *err)
{
	static const char *const keys[] = {"node", "at_s", "down_s", "mtbf_s", "mttr_s", NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc = get_list(f, "nodes", 0, &arr, (void **)&s->faults.nodes, &s->faults.n_nodes,
			  sizeof(*s->faults.nodes), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->faults.n_nodes; i++) {
		struct jin_at e = jin_iter_next(&it);
		struct scn_node_fault *nf = &s->faults.nodes[i];

		rc = jin_keys(&e, keys, err);
		if (rc == 0)
			rc = fault_node(s, &e, &nf->node, err);
		nf->random = rc == 0 && cJSON_HasObjectItem(e.node, "mtbf_s");
		nf->down = -1;
		if (rc == 0 && nf->random == cJSON_HasObjectItem(e.node, "at_s"))
			rc = jin_fail(&e, TS_EINVALID, err,
				      "expected a crash at a fixed time (at_s, optional down_s) or "
				      "random crashes (mtbf_s and mttr_s), got %s",
				      nf->random ? "both" : "neither");
		if (rc == 0 && nf->random) {
			rc = jin_get_number(&e, "mtbf_s", true, 1e-3, MAX_DURATION_S, &nf->mtbf_s,
					    err);
			if (rc == 0)
				rc = jin_get_number(&e, "mttr_s", true, 1e-3, MAX_DURATION_S,
						    &nf->mttr_s, err);
			if (rc == 0 && cJSON_HasObjectItem(e.node, "down_s")) {
				struct jin_at d;

				jin_member(&e, "down_s", true, &d, err);
				rc = jin_fail(&d, TS_EINVALID, err,
					      "down_s belongs to a crash at a fixed time (at_s); "
					      "random crashes last mttr_s on average");
			}
		} else if (rc == 0) {
			rc = get_time_s(&e, "at_s", true, 0, &nf->at, err);
			if (rc == 0)
				rc = get_time_s(&e, "down_s", false, 1e-3, &nf->down, err);
			if (rc == 0 && cJSON_HasObjectItem(e.node, "mttr_s")) {
				struct jin_at d;

				jin_member(&e, "mttr_s", true, &d, err);
				rc = jin_fail(&d, TS_EINVALID, err,
					      "mttr_s belongs to random crashes (with mtbf_s); a "
					      "crash at at_s lasts down_s");
			}
		}
	}
	return rc;
}

/* Windows of one link must not overlap: sorted by (link, from). */
static int compare_windows(const void *a, const void *b)
{
	const struct scn_link_fault *x = *(const struct scn_link_fault *const *)a;
	const struct scn_link_fault *y = *(const struct scn_link_fault *const *)b;

	if (x->link != y->link)
		return x->link < y->link ? -1 : 1;
	return (x->from > y->from) - (x->from < y->from);
}

static int check_windows(const struct scenario *s, const struct jin_at *arr, struct ts_error *err)
{
	const struct scn_faults *f = &s->faults;
	const struct scn_link_fault **w = malloc((f->n_links + 1) * sizeof(*w));
	int rc = 0;

	if (w == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (size_t i = 0; i < f->n_links; i++)
		w[i] = &f->links[i];
	qsort(w, f->n_links, sizeof(*w), compare_windows);
	for (size_t i = 1; rc == 0 && i < f->n_links; i++)
		if (w[i]->link == w[i - 1]->link && w[i]->from < w[i - 1]->to) {
			size_t later = (size_t)(w[i] - f->links) > (size_t)(w[i - 1] - f->links)
					   ? (size_t)(w[i] - f->links)
					   : (size_t)(w[i - 1] - f->links);
			struct jin_at e = jin_element(arr, later);

			rc = jin_fail(&e, TS_EINVALID, err,
				      "windows of link %s~%s overlap; one link has one window at "
				      "a time",
				      s->nodes[s->links[w[i]->link].a].id,
				      s->nodes[s->links[w[i]->link].b].id);
		}
	free(w);
	return rc;
}

static int load_link_window(struct scenario *s, struct scn_link_fault *lf, const struct jin_at *e,
			    struct ts_error *err)
{
	struct jin_at between, delay;
	size_t n, a = 0, b = 0;
	long l = -1;
	int rc = jin_member(e, "between", true, &between, err);

	if (rc == 0)
		rc = jin_array(&between, 2, &n, err);
	if (rc == 0 && n != 2)
		rc =
		    jin_fail(&between, TS_EINVALID, err, "expected exactly 2 node ids, got %zu", n);
	if (rc == 0) {
		struct jin_at x = jin_element(&between, 0), y = jin_element(&between, 1);

		rc = find_node(s, &x, &a, err);
		if (rc == 0)
			rc = find_node(s, &y, &b, err);
		if (rc == 0)
			l = scenario_link(s, a, b);
		if (rc == 0 && l < 0)
			rc = jin_fail(&between, TS_EINVALID, err,
				      "no link joins \"%s\" and \"%s\" (not in $.links)",
				      s->nodes[a].id, s->nodes[b].id);
	}
	lf->link = (size_t)(l < 0 ? 0 : l);
	if (rc == 0)
		rc = get_time_s(e, "from_s", true, 0, &lf->from, err);
	if (rc == 0)
		rc = get_time_s(e, "to_s", true, 0, &lf->to, err);
	if (rc == 0 && lf->to <= lf->from) {
		struct jin_at to;

		jin_member(e, "to_s", true, &to, err);
		rc = jin_fail(&to, TS_EINVALID, err, "to_s (%.17g) must be after from_s (%.17g)",
			      sim_to_s(lf->to), sim_to_s(lf->from));
	}
	if (rc == 0)
		rc = jin_get_bool(e, "outage", false, &lf->outage, err);
	if (rc == 0)
		rc = jin_member(e, "delay", false, &delay, err);
	if (rc == 0 && delay.node != NULL) {
		rc = dist_parse(&delay, s->dir, &lf->delay, err);
		lf->has_delay = rc == 0;
	}
	if (rc == 0)
		rc = jin_get_number(e, "bandwidth_Bps", false, 1, 1e15, &lf->bandwidth_Bps, err);
	if (rc == 0 && lf->outage == (lf->has_delay || lf->bandwidth_Bps > 0))
		rc = jin_fail(e, TS_EINVALID, err,
			      "expected \"outage\": true, or a degradation (delay and/or "
			      "bandwidth_Bps), %s",
			      lf->outage ? "got both" : "got neither");
	return rc;
}

static int load_link_faults(struct scenario *s, const struct jin_at *f, struct ts_error *err)
{
	static const char *const keys[] = {"between", "from_s",	       "to_s", "outage",
					   "delay",   "bandwidth_Bps", NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc = get_list(f, "links", 0, &arr, (void **)&s->faults.links, &s->faults.n_links,
			  sizeof(*s->faults.links), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->faults.n_links; i++) {
		struct jin_at e = jin_iter_next(&it);

		rc = jin_keys(&e, keys, err);
		if (rc == 0)
			rc = load_link_window(s, &s->faults.links[i], &e, err);
	}
	if (rc == 0)
		rc = check_windows(s, &arr, err);
	return rc;
}

static int load_accel_faults(struct scenario *s, const struct jin_at *f, struct ts_error *err)
{
	static const char *const keys[] = {"node", "accelerator", "at_s", NULL};
	struct jin_at arr;
	struct jin_iter it;
	int rc = get_list(f, "accelerators", 0, &arr, (void **)&s->faults.accels,
			  &s->faults.n_accels, sizeof(*s->faults.accels), err);

	if (rc == 0)
		jin_iter_init(&it, &arr);
	for (size_t i = 0; rc == 0 && i < s->faults.n_accels; i++) {
		struct jin_at e = jin_iter_next(&it), acc;
		struct scn_accel_fault *af = &s->faults.accels[i];
		const struct scn_node *node;
		const char *id = NULL;

		rc = jin_keys(&e, keys, err);
		if (rc == 0)
			rc = fault_node(s, &e, &af->node, err);
		if (rc == 0)
			rc = jin_member(&e, "accelerator", true, &acc, err);
		if (rc == 0)
			rc = jin_string(&acc, SCN_ID_MAX, &id, err);
		if (rc < 0)
			break;
		node = &s->nodes[af->node];
		for (af->accel = 0; af->accel < node->n_accels; af->accel++)
			if (strcmp(node->accels[af->accel].id, id) == 0)
				break;
		if (af->accel == node->n_accels)
			rc = jin_fail(&acc, TS_EINVALID, err,
				      "node \"%s\" has no accelerator \"%s\"", node->id, id);
		if (rc == 0)
			rc = get_time_s(&e, "at_s", true, 0, &af->at, err);
	}
	return rc;
}

static int load_faults(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"retry", "nodes", "links", "accelerators", NULL};
	static const char *const retry_keys[] = {"max_retries", "timeout_ms", NULL};
	struct jin_at f, retry;
	int64_t retries = 0;
	double timeout_ms = 0;
	int rc = jin_member(root, "faults", false, &f, err);

	if (rc < 0 || f.node == NULL)
		return rc;
	s->faults.present = true;
	rc = jin_keys(&f, keys, err);
	if (rc == 0)
		rc = jin_member(&f, "retry", false, &retry, err);
	if (rc == 0 && retry.node != NULL) {
		rc = jin_keys(&retry, retry_keys, err);
		if (rc == 0)
			rc = jin_get_integer(&retry, "max_retries", false, 0, 100, &retries, err);
		if (rc == 0)
			rc = jin_get_number(&retry, "timeout_ms", false, 0, 1e3 * MAX_DURATION_S,
					    &timeout_ms, err);
	}
	s->faults.max_retries = (int)retries;
	s->faults.timeout = sim_from_ms(timeout_ms);
	if (rc == 0 && cJSON_HasObjectItem(f.node, "nodes"))
		rc = load_node_faults(s, &f, err);
	if (rc == 0 && cJSON_HasObjectItem(f.node, "links"))
		rc = load_link_faults(s, &f, err);
	if (rc == 0 && cJSON_HasObjectItem(f.node, "accelerators"))
		rc = load_accel_faults(s, &f, err);
	return rc;
}

/* duration_s, warmup_s, drain and out_of_range: the online simulation's. */
static int load_online(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const oor_names[] = {"clamp", "error", NULL};
	static const char *const job_keys[] = {"time_unit_ms", "analytic", NULL};
	double duration_s = 0, warmup_s = 0;
	int oor = OOR_CLAMP;
	int rc = reject_keys(root, job_keys, "jobs", err);

	if (rc == 0)
		rc = jin_get_number(root, "duration_s", true, 1e-6, MAX_DURATION_S, &duration_s,
				    err);
	s->duration = sim_from_s(duration_s);
	if (rc == 0)
		rc = jin_get_number(root, "warmup_s", false, 0, MAX_DURATION_S, &warmup_s, err);
	s->warmup = sim_from_s(warmup_s);
	if (rc == 0 && s->warmup >= s->duration) {
		struct jin_at w;

		jin_member(root, "warmup_s", true, &w, err);
		rc = jin_fail(&w, TS_EINVALID, err,
			      "warmup_s (%.17g) must be below duration_s (%.17g)", warmup_s,
			      duration_s);
	}
	if (rc == 0)
		rc = jin_get_bool(root, "drain", false, &s->drain, err);
	if (rc == 0)
		rc = jin_get_enum(root, "out_of_range", false, oor_names, &oor, err);
	s->out_of_range = (enum out_of_range)oor;
	return rc;
}

static int load_root(struct scenario *s, const struct jin_doc *doc, struct ts_error *err)
{
	static const char *const keys[] = {"tiersim_scenario",
					   "name",
					   "description",
					   "seed",
					   "duration_s",
					   "warmup_s",
					   "drain",
					   "out_of_range",
					   "time_unit_ms",
					   "analytic",
					   "policy",
					   "models",
					   "nodes",
					   "links",
					   "apps",
					   "jobs",
					   "faults",
					   NULL};
	static const char *const online_keys[] = {"duration_s",	  "warmup_s", "drain",
						  "out_of_range", "faults",   NULL};
	struct jin_at root = jin_root(doc);
	const char *text;
	int64_t version = 0, seed = 1;
	bool jobs;
	int rc = jin_keys(&root, keys, err);

	jobs = rc == 0 && cJSON_HasObjectItem(root.node, "jobs");
	if (rc == 0 && jobs && cJSON_HasObjectItem(root.node, "apps"))
		rc = jin_fail(&root, TS_EINVALID, err,
			      "a scenario has \"apps\" (an online simulation) or \"jobs\" (an "
			      "offline job set), not both");
	if (rc == 0)
		rc = jin_get_integer(&root, "tiersim_scenario", true, 1, INT32_MAX, &version, err);
	if (rc == 0 && version != 1) {
		struct jin_at v;

		jin_member(&root, "tiersim_scenario", true, &v, err);
		rc = jin_fail(
		    &v, TS_EINVALID, err,
		    "unsupported scenario format version %lld; this tiersim reads version 1",
		    (long long)version);
	}
	if (rc == 0)
		rc = get_id(&root, "name", s->name, err);
	if (rc == 0)
		rc = jin_get_string(&root, "description", false, 4096, &text, err);
	/* Seeds above 2^53 would not survive a JSON double. */
	if (rc == 0)
		rc =
		    jin_get_integer(&root, "seed", false, 0, INT64_C(9007199254740992), &seed, err);
	s->seed = (uint64_t)seed;
	s->time_unit_ms = 1;
	if (rc == 0 && jobs)
		rc = reject_keys(&root, online_keys, "apps", err);
	if (rc == 0 && jobs)
		rc = jin_get_number(&root, "time_unit_ms", false, 1e-6, 1e6, &s->time_unit_ms, err);
	else if (rc == 0)
		rc = load_online(s, &root, err);
	if (rc == 0)
		rc = load_policy(s, &root, jobs, err);
	/* A job set with explicit times needs no models, nodes or links. */
	if (rc == 0 && (!jobs || cJSON_HasObjectItem(root.node, "models")))
		rc = load_models(s, &root, err);
	if (rc == 0 && (!jobs || cJSON_HasObjectItem(root.node, "nodes")))
		rc = load_nodes(s, &root, err);
	if (rc == 0 && jobs && (s->has_energy || s->has_cost))
		rc = jin_fail(&root, TS_EINVALID, err,
			      "nodes' \"energy\" and \"cost\" belong to scenarios with \"apps\"");
	if (rc == 0 && (!jobs || cJSON_HasObjectItem(root.node, "links")))
		rc = load_links(s, &root, err);
	if (rc == 0 && jobs)
		rc = load_analytic(s, &root, err);
	if (rc == 0 && jobs)
		rc = load_jobs(s, &root, err);
	else if (rc == 0)
		rc = load_apps(s, &root, err);
	if (rc == 0 && !jobs)
		rc = load_faults(s, &root, err);
	return rc;
}

int scenario_load_text(const char *text, size_t len, const char *path, const char *dir,
		       struct scenario **out, struct ts_error *err)
{
	struct scenario *s = calloc(1, sizeof(*s));
	struct jin_doc doc = {0};
	int rc;

	if (s == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	s->path = strdup(path);
	s->dir = strdup(dir);
	s->lookup = calloc(1, sizeof(*s->lookup));
	if (s->path == NULL || s->dir == NULL || s->lookup == NULL) {
		scenario_free(s);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	rng_sha256_hex(text, len, s->sha256);
	rc = jin_doc_parse(&doc, path, text, len, err);
	if (rc == 0)
		rc = load_root(s, &doc, err);
	jin_doc_release(&doc);
	lookup_free(s);
	if (rc < 0) {
		scenario_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int scenario_load(const char *path, struct scenario **out, struct ts_error *err)
{
	char *text = NULL, *dir = scenario_dir_of(path);
	size_t len;
	int rc;

	if (dir == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	rc = jin_read_file(path, &text, &len, err);
	if (rc == 0)
		rc = scenario_load_text(text, len, path, dir, out, err);
	free(text);
	free(dir);
	return rc;
}

char *scenario_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	/* Everything up to the last '/', or nothing. */
	return strndup(path, slash == NULL ? 0 : (size_t)(slash - path + 1));
}
