#include "import.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"

const struct import_format *const import_formats[] = {
    &import_trtexec,  &import_trtexec_times, &import_trtexec_profile,
    &import_openvino, &import_openvino_csv,  &import_tflite,
    &import_coral,    &import_mlperf,	     NULL,
};

const struct import_format *import_find(const char *name)
{
	for (size_t i = 0; import_formats[i] != NULL; i++)
		if (strcmp(import_formats[i]->name, name) == 0)
			return import_formats[i];
	return NULL;
}

struct imported {
	struct import_result r;
	const char *file;
	char source[32];
};

static int compare_instances(const void *a, const void *b)
{
	const struct imported *x = a, *y = b;

	return x->r.instances < y->r.instances ? -1 : x->r.instances > y->r.instances;
}

static cJSON *point_json(const struct import_options *o, const struct imported *m, bool *failed)
{
	cJSON *pt = cJSON_CreateObject(), *frame = cJSON_CreateArray();

	outfile_json_add(frame, NULL, cJSON_CreateNumber((double)o->frame_w), failed);
	outfile_json_add(frame, NULL, cJSON_CreateNumber((double)o->frame_h), failed);
	outfile_json_add(pt, "frame_px", frame, failed);
	outfile_json_add(pt, "instances", cJSON_CreateNumber((double)m->r.instances), failed);
	outfile_json_add(pt, "cpu_pre_ms", cJSON_CreateNumber(m->r.cpu_pre_ms), failed);
	outfile_json_add(pt, "accel_ms", cJSON_CreateNumber(m->r.accel_ms), failed);
	outfile_json_add(pt, "cpu_post_ms", cJSON_CreateNumber(m->r.cpu_post_ms), failed);
	outfile_json_add(pt, "source", cJSON_CreateString(m->source), failed);
	return pt;
}

static cJSON *source_text(const struct import_options *o, const struct imported *m)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s, %s: %s%s%s; instances %" PRId64 "%s",
		 o->format->description, m->file, m->r.statistic,
		 m->r.model[0] != '\0' ? "; model " : "", m->r.model, m->r.instances,
		 o->cpu_pre_ms > 0 || o->cpu_post_ms > 0
		     ? "; CPU parts given on the command line added"
		     : "");
	return cJSON_CreateString(text);
}

static cJSON *profile_json(const struct import_options *o, const struct imported *ms, size_t n)
{
	bool failed = false;
	cJSON *doc = cJSON_CreateObject(), *sources = cJSON_CreateObject();
	cJSON *prov = cJSON_CreateObject(), *tables = cJSON_CreateArray();
	cJSON *table = cJSON_CreateObject(), *points = cJSON_CreateArray();
	char desc[512];

	snprintf(desc, sizeof(desc), "Imported from %s", o->format->description);
	outfile_json_add(doc, "tiersim_profile", cJSON_CreateNumber(1), &failed);
	outfile_json_add(doc, "id", cJSON_CreateString(o->id), &failed);
	outfile_json_add(doc, "description",
			 cJSON_CreateString(o->description != NULL ? o->description : desc),
			 &failed);
	outfile_json_add(doc, "accelerator", cJSON_CreateString(o->accelerator), &failed);
	if (o->host_link != NULL)
		outfile_json_add(doc, "host_link", cJSON_CreateString(o->host_link), &failed);
	for (size_t i = 0; i < n; i++)
		outfile_json_add(sources, ms[i].source, source_text(o, &ms[i]), &failed);
	outfile_json_add(doc, "sources", sources, &failed);
	outfile_json_add(prov, "tool", cJSON_CreateString("tiersim import"), &failed);
	outfile_json_add(prov, "format", cJSON_CreateString(o->format->name), &failed);
	if (o->command != NULL)
		outfile_json_add(prov, "command", cJSON_CreateString(o->command), &failed);
	outfile_json_add(doc, "provenance", prov, &failed);
	outfile_json_add(table, "model", cJSON_CreateString(o->model), &failed);
	for (size_t i = 0; i < n; i++)
		outfile_json_add(points, NULL, point_json(o, &ms[i], &failed), &failed);
	outfile_json_add(table, "points", points, &failed);
	outfile_json_add(tables, NULL, table, &failed);
	outfile_json_add(doc, "tables", tables, &failed);
	if (failed) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

static int merge(const struct import_options *o, struct imported *ms, struct ts_error *err)
{
	for (size_t i = 0; i < o->nfiles; i++) {
		struct imported *m = &ms[i];

		m->file = o->files[i];
		snprintf(m->source, sizeof(m->source), "file-%zu", i + 1);
		if (o->instances != NULL)
			m->r.instances = o->instances[i];
		else if (m->r.instances == 0)
			m->r.instances = 1;
		m->r.cpu_pre_ms += o->cpu_pre_ms;
		m->r.cpu_post_ms += o->cpu_post_ms;
		for (size_t k = 0; k < i; k++) {
			if (ms[k].r.instances == m->r.instances)
				return ts_error_set(err, TS_EINVALID,
						    "%s: instances %" PRId64
						    " already come from %s, expected one file "
						    "per instance count",
						    m->file, m->r.instances, ms[k].file);
			if (ms[k].r.model[0] != '\0' && m->r.model[0] != '\0' &&
			    strcmp(ms[k].r.model, m->r.model) != 0)
				return ts_error_set(err, TS_EINVALID,
						    "%s: model \"%s\", but %s is of model \"%s\"; "
						    "expected files of one model",
						    m->file, m->r.model, ms[k].file, ms[k].r.model);
		}
	}
	qsort(ms, o->nfiles, sizeof(*ms), compare_instances);
	return 0;
}

int import_run(const struct import_options *o, const char *out_path, struct ts_error *err)
{
	struct imported *ms = calloc(o->nfiles, sizeof(*ms));
	struct outfile out = {0};
	const char *base;
	char *dir = NULL;
	int rc = 0;

	if (ms == NULL)
		return ts_error_set(err, TS_ENOMEM, "import: out of memory");
	for (size_t i = 0; i < o->nfiles && rc == 0; i++)
		rc = o->format->read(o->files[i], o->select, &ms[i].r, err);
	if (rc == 0)
		rc = merge(o, ms, err);
	if (rc == 0) {
		dir = outfile_split_path(out_path, &base);
		rc = dir == NULL
			 ? ts_error_set(err, TS_ENOMEM, "import: out of memory")
			 : outfile_open_json(&out, dir, base, profile_json(o, ms, o->nfiles), err);
	}
	if (rc == 0)
		rc = outfile_commit(&out, err);
	outfile_discard(&out);
	free(dir);
	free(ms);
	return rc;
}
