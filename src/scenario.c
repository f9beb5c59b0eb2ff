#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void scenario_free(struct scenario *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_nodes; i++)
		free(s->nodes[i].accels);
	for (size_t i = 0; i < s->n_apps; i++)
		free(s->apps[i].sources);
	for (size_t i = 0; i < s->n_links; i++) {
		dist_release(&s->links[i].delay);
		dist_release(&s->links[i].delay_reverse);
	}
	for (size_t i = 0; i < s->n_profiles; i++) {
		profile_free(s->profiles[i]);
		free(s->profile_paths[i]);
	}
	free(s->profiles);
	free(s->profile_paths);
	free(s->models);
	free(s->nodes);
	free(s->links);
	free(s->apps);
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
	const struct scn_node *n = &s->nodes[node];

	for (size_t i = 0; i < n->n_accels; i++) {
		*table = profile_find_model(n->accels[i].profile, s->models[model].id);
		if (*table >= 0)
			return &n->accels[i];
	}
	return NULL;
}

/* Reads an "id" member into dst. */
static int get_id(const struct jin_at *obj, const char *key, char *dst, struct ts_error *err)
{
	const char *v;
	int rc = jin_get_string(obj, key, true, SCN_ID_MAX, &v, err);

	if (rc == 0)
		snprintf(dst, SCN_ID_MAX + 1, "%s", v);
	return rc;
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

	if (rc == 0)
		rc = jin_array(arr, min, n, err);
	if (rc == 0 && *n > MAX_ENTITIES)
		return jin_fail(arr, TS_EINVALID, err, "at most %d elements are allowed, got %zu",
				MAX_ENTITIES, *n);
	if (rc == 0)
		rc = alloc_array(p, *n, size, err);
	return rc;
}

static int find_node(const struct scenario *s, const struct jin_at *at, size_t *index,
		     struct ts_error *err)
{
	const char *id;
	int rc = jin_string(at, SCN_ID_MAX, &id, err);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < s->n_nodes; i++) {
		if (strcmp(s->nodes[i].id, id) == 0) {
			*index = i;
			return 0;
		}
	}
	return jin_fail(at, TS_EINVALID, err, "unknown node \"%s\" (not in $.nodes)", id);
}

static int load_profile(struct scenario *s, const struct jin_at *at, const char *ref,
			const struct profile **out, struct ts_error *err)
{
	char path[4096];
	struct profile *p;
	int rc;

	if (strchr(ref, '/') == NULL) {
		snprintf(path, sizeof(path), "%s/%s.json", scenario_profile_dir(), ref);
	} else {
		snprintf(path, sizeof(path), "%s%s", s->dir, ref);
	}
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

static int load_models(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"id",	   "description", "input_bytes",
					   "output_bytes", "flops",	  NULL};
	struct jin_at arr;
	int rc = get_list(root, "models", 1, &arr, (void **)&s->models, &s->n_models,
			  sizeof(*s->models), err);

	for (size_t i = 0; rc == 0 && i < s->n_models; i++) {
		struct jin_at m = jin_element(&arr, i);
		struct scn_model *model = &s->models[i];
		const char *description;

		rc = jin_keys(&m, keys, err);
		if (rc == 0)
			rc = get_id(&m, "id", model->id, err);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (strcmp(s->models[j].id, model->id) == 0)
				rc = jin_fail(&m, TS_EINVALID, err, "duplicate model id \"%s\"",
					      model->id);
		if (rc == 0)
			rc = jin_get_string(&m, "description", false, 1024, &description, err);
		if (rc == 0)
			rc = jin_get_number(&m, "input_bytes", true, 1, 1e12, &model->input_bytes,
					    err);
		if (rc == 0)
			rc = jin_get_number(&m, "output_bytes", true, 1, 1e12, &model->output_bytes,
					    err);
		if (rc == 0)
			rc = jin_get_number(&m, "flops", true, 0, 1e18, &model->flops, err);
	}
	return rc;
}

static int load_accels(struct scenario *s, struct scn_node *node, const struct jin_at *n,
		       struct ts_error *err)
{
	static const char *const keys[] = {"id", "profile", NULL};
	struct jin_at arr;
	int rc = get_list(n, "accelerators", 0, &arr, (void **)&node->accels, &node->n_accels,
			  sizeof(*node->accels), err);

	for (size_t i = 0; rc == 0 && i < node->n_accels; i++) {
		struct jin_at a = jin_element(&arr, i), ref;
		struct scn_accel *acc = &node->accels[i];
		const char *name;

		rc = jin_keys(&a, keys, err);
		if (rc == 0)
			rc = get_id(&a, "id", acc->id, err);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (strcmp(node->accels[j].id, acc->id) == 0)
				rc = jin_fail(&a, TS_EINVALID, err,
					      "duplicate accelerator id \"%s\"", acc->id);
		if (rc == 0)
			rc = jin_member(&a, "profile", true, &ref, err);
		if (rc == 0)
			rc = jin_string(&ref, 1024, &name, err);
		if (rc == 0)
			rc = load_profile(s, &ref, name, &acc->profile, err);
	}
	return rc;
}

static int load_nodes(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"id",	   "description",    "tier", "cpu",
					   "accelerators", "queue_capacity", NULL};
	static const char *const cpu_keys[] = {"model", "cores", "ghz", NULL};
	struct jin_at arr;
	size_t total_accels = 0;
	int rc = get_list(root, "nodes", 1, &arr, (void **)&s->nodes, &s->n_nodes,
			  sizeof(*s->nodes), err);

	/* Profiles are cached by path; there are at most as many distinct
	 * files as accelerators. */
	for (size_t i = 0; rc == 0 && i < s->n_nodes; i++) {
		struct jin_at n = jin_element(&arr, i), acc;
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

	for (size_t i = 0; rc == 0 && i < s->n_nodes; i++) {
		struct jin_at n = jin_element(&arr, i), cpu;
		struct scn_node *node = &s->nodes[i];
		const char *text;
		int tier;
		int64_t cores = 1;

		rc = jin_keys(&n, keys, err);
		if (rc == 0)
			rc = get_id(&n, "id", node->id, err);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (strcmp(s->nodes[j].id, node->id) == 0)
				rc = jin_fail(&n, TS_EINVALID, err, "duplicate node id \"%s\"",
					      node->id);
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
			rc = jin_get_integer(&n, "queue_capacity", false, 1, 1000000000,
					     &node->queue_capacity, err);
		if (rc == 0)
			rc = load_accels(s, node, &n, err);
	}
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

static int load_links(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"between",	    "preset",	     "delay",
					   "delay_reverse", "bandwidth_Bps", NULL};
	struct jin_at arr;
	int rc = get_list(root, "links", 0, &arr, (void **)&s->links, &s->n_links,
			  sizeof(*s->links), err);

	for (size_t i = 0; rc == 0 && i < s->n_links; i++) {
		struct jin_at l = jin_element(&arr, i), between;
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
			if (rc == 0 && scenario_link(s, link->a, link->b) < (long)i)
				rc = jin_fail(&between, TS_EINVALID, err,
					      "duplicate link between \"%s\" and \"%s\"",
					      s->nodes[link->a].id, s->nodes[link->b].id);
		}
		if (rc == 0)
			rc = load_link_network(s, link, &l, err);
	}
	return rc;
}

static int load_workload(struct scenario *s, struct scn_app *app, const struct jin_at *w,
			 struct ts_error *err)
{
	static const char *const types[] = {"stream", "poisson", NULL};
	static const char *const stream_keys[] = {"type",    "fps",	   "frame_px",
						  "start_s", "duration_s", NULL};
	static const char *const poisson_keys[] = {"type",    "rate_hz",    "frame_px",
						   "start_s", "duration_s", NULL};
	struct jin_at px;
	double start_s = 0, duration_s = sim_to_s(s->duration);
	size_t n;
	int type;
	int rc = jin_get_enum(w, "type", true, types, &type, err);

	if (rc < 0)
		return rc;
	app->workload = (enum workload)type;
	rc = jin_keys(w, app->workload == WORKLOAD_STREAM ? stream_keys : poisson_keys, err);
	if (rc == 0 && app->workload == WORKLOAD_STREAM)
		rc = jin_get_number(w, "fps", true, 1e-6, 1e6, &app->fps, err);
	if (rc == 0 && app->workload == WORKLOAD_POISSON)
		rc = jin_get_number(w, "rate_hz", true, 1e-9, 1e9, &app->rate_hz, err);
	if (rc == 0)
		rc = jin_member(w, "frame_px", true, &px, err);
	if (rc == 0)
		rc = jin_array(&px, 2, &n, err);
	if (rc == 0 && n != 2)
		rc =
		    jin_fail(&px, TS_EINVALID, err, "expected [width, height], got %zu numbers", n);
	for (size_t i = 0; rc == 0 && i < 2; i++) {
		struct jin_at v = jin_element(&px, i);
		int64_t side;

		rc = jin_integer(&v, 1, 100000, &side, err);
		*(i == 0 ? &app->frame_w : &app->frame_h) = (int)side;
	}
	if (rc == 0)
		rc = jin_get_number(w, "start_s", false, 0, MAX_DURATION_S, &start_s, err);
	if (rc == 0)
		rc = jin_get_number(w, "duration_s", false, 1e-9, MAX_DURATION_S, &duration_s, err);
	app->start = sim_from_s(start_s);
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
	for (size_t n = 0; n < s->n_nodes; n++) {
		int table;

		if (s->nodes[n].tier == TIER_DEVICE && n != device)
			continue;
		if (n != device && scenario_link(s, device, n) < 0)
			continue;
		if (scenario_executor(s, n, app->model, &table) != NULL)
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
	int rc =
	    get_list(root, "apps", 1, &arr, (void **)&s->apps, &s->n_apps, sizeof(*s->apps), err);

	for (size_t i = 0; rc == 0 && i < s->n_apps; i++) {
		struct jin_at a = jin_element(&arr, i), model, sources, workload;
		struct scn_app *app = &s->apps[i];
		const char *text;

		rc = jin_keys(&a, keys, err);
		if (rc == 0)
			rc = get_id(&a, "id", app->id, err);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (strcmp(s->apps[j].id, app->id) == 0)
				rc = jin_fail(&a, TS_EINVALID, err, "duplicate app id \"%s\"",
					      app->id);
		if (rc == 0)
			rc = jin_get_string(&a, "description", false, 1024, &text, err);
		if (rc == 0)
			rc = jin_member(&a, "model", true, &model, err);
		if (rc == 0)
			rc = jin_string(&model, SCN_ID_MAX, &text, err);
		if (rc == 0) {
			app->model = s->n_models;
			for (size_t m = 0; m < s->n_models; m++)
				if (strcmp(s->models[m].id, text) == 0)
					app->model = m;
			if (app->model == s->n_models)
				rc = jin_fail(&model, TS_EINVALID, err,
					      "unknown model \"%s\" (not in $.models)", text);
		}
		if (rc == 0)
			rc = get_list(&a, "sources", 1, &sources, (void **)&app->sources,
				      &app->n_sources, sizeof(*app->sources), err);
		for (size_t k = 0; rc == 0 && k < app->n_sources; k++) {
			struct jin_at src = jin_element(&sources, k);

			rc = find_node(s, &src, &app->sources[k], err);
			if (rc == 0 && s->nodes[app->sources[k]].tier != TIER_DEVICE)
				rc = jin_fail(&src, TS_EINVALID, err,
					      "a source must be a node of tier \"device\", \"%s\" "
					      "is \"%s\"",
					      s->nodes[app->sources[k]].id,
					      tier_name(s->nodes[app->sources[k]].tier));
			for (size_t j = 0; rc == 0 && j < k; j++)
				if (app->sources[j] == app->sources[k])
					rc = jin_fail(&src, TS_EINVALID, err,
						      "device \"%s\" is listed twice",
						      s->nodes[app->sources[k]].id);
			if (rc == 0)
				rc = check_servable(s, app, &src, app->sources[k], err);
		}
		if (rc == 0)
			rc = jin_member(&a, "workload", true, &workload, err);
		if (rc == 0)
			rc = load_workload(s, app, &workload, err);
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
	return rc;
}

static int load_policy(struct scenario *s, const struct jin_at *root, struct ts_error *err)
{
	static const char *const keys[] = {"name", "params", NULL};
	struct jin_at p, params;
	int rc = jin_member(root, "policy", true, &p, err);

	if (rc == 0)
		rc = jin_keys(&p, keys, err);
	if (rc == 0)
		rc = get_id(&p, "name", s->policy, err);
	if (rc == 0 && policy_find(s->policy) == NULL) {
		rc = policy_unknown(s->policy, err);
		ts_error_prefix(err, "%s: %s.name: ", s->path, p.path);
	}
	if (rc == 0)
		rc = jin_member(&p, "params", false, &params, err);
	/* No policy of format v1 takes parameters. */
	if (rc == 0 && params.node != NULL && !cJSON_IsObject(params.node))
		rc = jin_fail(&params, TS_EINVALID, err, "expected an object");
	if (rc == 0 && params.node != NULL && params.node->child != NULL)
		rc = jin_fail(&params, TS_EINVALID, err,
			      "policy \"%s\" takes no parameters, got \"%s\"", s->policy,
			      params.node->child->string);
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
					   "out_of_range",
					   "policy",
					   "models",
					   "nodes",
					   "links",
					   "apps",
					   NULL};
	static const char *const oor_names[] = {"clamp", "error", NULL};
	struct jin_at root = jin_root(doc);
	const char *text;
	double duration_s = 0, warmup_s = 0;
	int64_t version = 0, seed = 1;
	int oor = OOR_CLAMP;
	int rc = jin_keys(&root, keys, err);

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
	if (rc == 0)
		rc = jin_get_number(&root, "duration_s", true, 1e-6, MAX_DURATION_S, &duration_s,
				    err);
	s->duration = sim_from_s(duration_s);
	if (rc == 0)
		rc = jin_get_number(&root, "warmup_s", false, 0, MAX_DURATION_S, &warmup_s, err);
	s->warmup = sim_from_s(warmup_s);
	if (rc == 0 && s->warmup >= s->duration) {
		struct jin_at w;

		jin_member(&root, "warmup_s", true, &w, err);
		rc = jin_fail(&w, TS_EINVALID, err,
			      "warmup_s (%.17g) must be below duration_s (%.17g)", warmup_s,
			      duration_s);
	}
	if (rc == 0)
		rc = jin_get_enum(&root, "out_of_range", false, oor_names, &oor, err);
	s->out_of_range = (enum out_of_range)oor;
	if (rc == 0)
		rc = load_policy(s, &root, err);
	if (rc == 0)
		rc = load_models(s, &root, err);
	if (rc == 0)
		rc = load_nodes(s, &root, err);
	if (rc == 0)
		rc = load_links(s, &root, err);
	if (rc == 0)
		rc = load_apps(s, &root, err);
	return rc;
}

int scenario_load(const char *path, struct scenario **out, struct ts_error *err)
{
	struct scenario *s = calloc(1, sizeof(*s));
	struct jin_doc doc = {0};
	char *text = NULL;
	size_t len;
	int rc;

	if (s == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	s->path = strdup(path);
	s->dir = strdup(path);
	if (s->path == NULL || s->dir == NULL) {
		free(s->path);
		free(s->dir);
		free(s);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	/* Keep everything up to the last '/', or nothing. */
	s->dir[strrchr(path, '/') == NULL ? 0 : strrchr(path, '/') - path + 1] = '\0';
	rc = jin_read_file(path, &text, &len, err);
	if (rc == 0) {
		rng_sha256_hex(text, len, s->sha256);
		rc = jin_doc_parse(&doc, path, text, len, err);
	}
	free(text);
	if (rc == 0)
		rc = load_root(s, &doc, err);
	jin_doc_release(&doc);
	if (rc < 0) {
		scenario_free(s);
		return rc;
	}
	*out = s;
	return 0;
}
