#include "jsonin.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Larger inputs are refused rather than read into memory. */
#define JIN_FILE_MAX (64L * 1024 * 1024)
/* Longest rendering of a bad value quoted in a message. */
#define JIN_VALUE_SHOWN 60

/* cJSON reports an allocation that failed while parsing as a syntax error
 * where it happened.  Its allocations go through parse_malloc, which notes
 * a failure, so that the two can be told apart.  (tiersim parses on one
 * thread.) */
static bool parse_out_of_memory;

static void *parse_malloc(size_t size)
{
	void *p = malloc(size);

	if (p == NULL)
		parse_out_of_memory = true;
	return p;
}

static void value_text(const cJSON *node, char *buf, size_t size)
{
	char *text = cJSON_PrintUnformatted(node);

	/* cJSON reads 1e999 as infinity and prints it as null. */
	if (cJSON_IsNumber(node) && !isfinite(node->valuedouble)) {
		free(text);
		snprintf(buf, size, "a number beyond the range of a double");
		return;
	}
	if (text == NULL) {
		snprintf(buf, size, "(value)");
		return;
	}
	if (strlen(text) > JIN_VALUE_SHOWN)
		snprintf(buf, size, "%.*s...", JIN_VALUE_SHOWN, text);
	else
		snprintf(buf, size, "%s", text);
	free(text);
}

int jin_fail(const struct jin_at *at, int status, struct ts_error *err, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return ts_error_set(err, status, "%s: %s: %s", at->doc->file, at->path, text);
}

static int fail_value(const struct jin_at *at, struct ts_error *err, const char *expected)
{
	char shown[JIN_VALUE_SHOWN + 8];

	value_text(at->node, shown, sizeof(shown));
	return jin_fail(at, TS_EINVALID, err, "expected %s, got %s", expected, shown);
}

bool jin_excerpt(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	for (; p < end && n + 1 < size; p++, n++)
		out[n] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	out[n] = '\0';
	return p < end;
}

static void line_column(const char *text, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* Very deep documents get a shortened path ending in "..." rather than a
 * wrong one. */
static void path_join(char *dst, const char *base, const char *sep, const char *tail)
{
	int n = snprintf(dst, JIN_PATH_MAX, "%s%s%s", base, sep, tail);

	if (n < 0 || n >= JIN_PATH_MAX)
		memcpy(dst + JIN_PATH_MAX - 4, "...", 4);
}

static struct jin_at element(const struct jin_at *at, const cJSON *node, size_t i)
{
	struct jin_at out = {.doc = at->doc, .node = node};
	char index[32];

	snprintf(index, sizeof(index), "[%zu]", i);
	path_join(out.path, at->path, "", index);
	return out;
}

static int compare_names(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* cJSON keeps every member of an object, so a repeated key would silently
 * lose to the first one on lookup; sort the names to find repeats. */
static int check_duplicates(const struct jin_at *at, struct ts_error *err)
{
	const cJSON *child;
	size_t n = 0, i = 0;
	const cJSON **names;
	int rc = 0;

	if (!cJSON_IsObject(at->node) && !cJSON_IsArray(at->node))
		return 0;
	if (cJSON_IsArray(at->node)) {
		for (child = at->node->child; child != NULL; child = child->next, i++) {
			struct jin_at sub = element(at, child, i);

			rc = check_duplicates(&sub, err);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	for (child = at->node->child; child != NULL; child = child->next)
		n++;
	if (n == 0)
		return 0;
	names = malloc(n * sizeof(*names));
	if (names == NULL)
		return ts_error_set(err, TS_ENOMEM, "%s: out of memory", at->doc->file);
	for (child = at->node->child; child != NULL; child = child->next)
		names[i++] = child;
	qsort(names, n, sizeof(*names), compare_names);
	for (i = 1; i < n; i++) {
		if (strcmp(names[i - 1]->string, names[i]->string) == 0) {
			rc = jin_fail(at, TS_EINVALID, err, "duplicate key \"%s\"",
				      names[i]->string);
			break;
		}
	}
	free(names);
	/* Each member directly: looking it up by name (jin_member) would make
	 * an object of n keys cost n^2. */
	for (child = at->node->child; rc == 0 && child != NULL; child = child->next) {
		struct jin_at sub = {.doc = at->doc, .node = child};

		path_join(sub.path, at->path, ".", child->string);
		rc = check_duplicates(&sub, err);
	}
	return rc;
}

/* The bracket that opens nesting level max + 1, outside strings; NULL when
 * there is none.  cJSON's own limit (1000 levels) is far above what any
 * input needs, and its message does not say "too deep". */
static const char *too_deep(const char *text, size_t len, int max)
{
	bool in_string = false;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return text + i;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return NULL;
}

int jin_parse_part(const char *text, size_t len, cJSON **out)
{
	cJSON_Hooks hooks = {.malloc_fn = parse_malloc, .free_fn = free};

	cJSON_InitHooks(&hooks);
	parse_out_of_memory = false;
	*out = too_deep(text, len, JIN_DEPTH_MAX) != NULL ? NULL : cJSON_ParseWithLength(text, len);
	if (*out != NULL)
		return 0;
	return parse_out_of_memory ? TS_ENOMEM : TS_ESYNTAX;
}

int jin_doc_parse(struct jin_doc *doc, const char *file, const char *text, size_t len,
		  struct ts_error *err)
{
	cJSON_Hooks hooks = {.malloc_fn = parse_malloc, .free_fn = free};
	const char *end = NULL, *deep;
	struct jin_at root;
	int rc;

	memset(doc, 0, sizeof(*doc));
	doc->file = strdup(file);
	if (doc->file == NULL)
		return ts_error_set(err, TS_ENOMEM, "%s: out of memory", file);
	if (memchr(text, '\0', len) != NULL) {
		int line, col;

		line_column(text, memchr(text, '\0', len), &line, &col);
		rc = ts_error_set(err, TS_ESYNTAX, "%s:%d:%d: syntax error: NUL byte in JSON text",
				  file, line, col);
		jin_doc_release(doc);
		return rc;
	}
	deep = too_deep(text, len, JIN_DEPTH_MAX);
	if (deep != NULL) {
		int line, col;

		line_column(text, deep, &line, &col);
		rc = ts_error_set(err, TS_EINVALID,
				  "%s:%d:%d: arrays and objects nested deeper than the limit of %d "
				  "levels",
				  file, line, col, JIN_DEPTH_MAX);
		jin_doc_release(doc);
		return rc;
	}
	cJSON_InitHooks(&hooks);
	parse_out_of_memory = false;
	doc->root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (doc->root == NULL && parse_out_of_memory) {
		jin_doc_release(doc);
		return ts_error_set(err, TS_ENOMEM, "%s: out of memory", file);
	}
	if (doc->root == NULL) {
		int line, col;

		if (end == NULL || end < text || end > text + len)
			end = text + len;
		line_column(text, end, &line, &col);
		if (end >= text + len)
			rc = ts_error_set(err, TS_ESYNTAX,
					  "%s:%d:%d: syntax error: unexpected end of input", file,
					  line, col);
		else {
			char near[21];

			jin_excerpt(end, text + len, near, sizeof(near));
			rc = ts_error_set(err, TS_ESYNTAX, "%s:%d:%d: syntax error near '%s'", file,
					  line, col, near);
		}
		jin_doc_release(doc);
		return rc;
	}
	/* Only white space may follow the value. */
	while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end < text + len) {
		char after[21];
		int line, col;

		line_column(text, end, &line, &col);
		jin_excerpt(end, text + len, after, sizeof(after));
		rc = ts_error_set(err, TS_ESYNTAX,
				  "%s:%d:%d: syntax error: text after the JSON value: '%s'", file,
				  line, col, after);
		jin_doc_release(doc);
		return rc;
	}
	root = jin_root(doc);
	rc = check_duplicates(&root, err);
	if (rc < 0)
		jin_doc_release(doc);
	return rc;
}

int jin_read_file(const char *file, char **text, size_t *len, struct ts_error *err)
{
	FILE *f = fopen(file, "rb");
	struct stat st;
	long size;

	/* A missing input file is a mistake in the input, not an I/O
	 * failure. */
	if (f == NULL)
		return ts_error_set(err,
				    errno == ENOENT   ? TS_EINVALID
				    : errno == ENOMEM ? TS_ENOMEM
						      : TS_EIO,
				    "%s: cannot open: %s", file, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return ts_error_set(err, TS_EINVALID, "%s: not a regular file", file);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return ts_error_set(err, TS_EIO, "%s: cannot read: %s", file, strerror(errno));
	}
	if (size > JIN_FILE_MAX) {
		fclose(f);
		return ts_error_set(err, TS_EINVALID,
				    "%s: file is %ld bytes, larger than the %ld-byte limit", file,
				    size, JIN_FILE_MAX);
	}
	*text = malloc((size_t)size + 1);
	if (*text == NULL) {
		fclose(f);
		return ts_error_set(err, TS_ENOMEM, "%s: out of memory", file);
	}
	if (fread(*text, 1, (size_t)size, f) != (size_t)size || ferror(f)) {
		free(*text);
		*text = NULL;
		fclose(f);
		return ts_error_set(err, TS_EIO, "%s: read error", file);
	}
	fclose(f);
	(*text)[size] = '\0';
	*len = (size_t)size;
	return 0;
}

int jin_doc_load(struct jin_doc *doc, const char *file, struct ts_error *err)
{
	char *text;
	size_t len;
	int rc;

	memset(doc, 0, sizeof(*doc));
	rc = jin_read_file(file, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = jin_doc_parse(doc, file, text, len, err);
	free(text);
	return rc;
}

void jin_doc_release(struct jin_doc *doc)
{
	cJSON_Delete(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

struct jin_at jin_root(const struct jin_doc *doc)
{
	struct jin_at at = {.doc = doc, .node = doc->root, .path = "$"};

	return at;
}

static const char *type_name(const cJSON *node)
{
	if (cJSON_IsObject(node))
		return "an object";
	if (cJSON_IsArray(node))
		return "an array";
	if (cJSON_IsString(node))
		return "a string";
	if (cJSON_IsNumber(node))
		return "a number";
	if (cJSON_IsBool(node))
		return "a boolean";
	return "null";
}

static int expect_object(const struct jin_at *at, struct ts_error *err)
{
	if (cJSON_IsObject(at->node))
		return 0;
	return jin_fail(at, TS_EINVALID, err, "expected an object, got %s", type_name(at->node));
}

/* Length of the part before a unit suffix ("duration" of "duration_ms"),
 * or 0 when the key has no unit suffix. */
static size_t stem_length(const char *key)
{
	static const char *const units[] = {"ns", "us",	 "ms", "s",   "bytes", "Bps", "W",
					    "J",  "usd", "hz", "ghz", "px",    NULL};
	const char *u = strrchr(key, '_');

	for (size_t i = 0; u != NULL && units[i] != NULL; i++)
		if (strcmp(u + 1, units[i]) == 0)
			return (size_t)(u - key);
	return 0;
}

int jin_keys(const struct jin_at *at, const char *const *allowed, struct ts_error *err)
{
	int rc = expect_object(at, err);

	if (rc < 0)
		return rc;
	for (const cJSON *child = at->node->child; child != NULL; child = child->next) {
		char list[512] = "";
		size_t used = 0;
		const char *same_stem = NULL;
		bool known = false;

		for (const char *const *a = allowed; *a != NULL; a++) {
			size_t stem = stem_length(child->string);

			if (strcmp(*a, child->string) == 0) {
				known = true;
				break;
			}
			if (stem > 0 && stem == stem_length(*a) &&
			    strncmp(*a, child->string, stem) == 0)
				same_stem = *a;
			if (used < sizeof(list))
				used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
							 a == allowed ? "" : ", ", *a);
		}
		if (known)
			continue;
		if (same_stem != NULL)
			return jin_fail(at, TS_EINVALID, err,
					"unknown key \"%s\": wrong unit, this field is \"%s\"",
					child->string, same_stem);
		return jin_fail(at, TS_EINVALID, err, "unknown key \"%s\" (expected one of: %s)",
				child->string, list);
	}
	return 0;
}

int jin_member(const struct jin_at *at, const char *key, bool required, struct jin_at *out,
	       struct ts_error *err)
{
	int rc = expect_object(at, err);

	if (rc < 0)
		return rc;
	out->doc = at->doc;
	out->node = cJSON_GetObjectItemCaseSensitive(at->node, key);
	path_join(out->path, at->path, ".", key);
	if (out->node == NULL && required)
		return jin_fail(at, TS_EINVALID, err, "missing required key \"%s\"", key);
	return 0;
}

struct jin_at jin_element(const struct jin_at *at, size_t i)
{
	return element(at, cJSON_GetArrayItem(at->node, (int)i), i);
}

void jin_iter_init(struct jin_iter *it, const struct jin_at *array)
{
	it->array = array;
	it->next = array->node->child;
	it->i = 0;
}

struct jin_at jin_iter_next(struct jin_iter *it)
{
	struct jin_at out = element(it->array, it->next, it->i);

	it->next = it->next->next;
	it->i++;
	return out;
}

int jin_array(const struct jin_at *at, size_t min, size_t *n, struct ts_error *err)
{
	if (!cJSON_IsArray(at->node))
		return jin_fail(at, TS_EINVALID, err, "expected an array, got %s",
				type_name(at->node));
	*n = (size_t)cJSON_GetArraySize(at->node);
	if (*n < min)
		return jin_fail(at, TS_EINVALID, err,
				"expected an array of at least %zu element%s, got %zu", min,
				min == 1 ? "" : "s", *n);
	return 0;
}

int jin_number(const struct jin_at *at, double lo, double hi, double *out, struct ts_error *err)
{
	char expected[128];
	double v;

	snprintf(expected, sizeof(expected), "a number in [%.17g, %.17g]", lo, hi);
	if (!cJSON_IsNumber(at->node))
		return fail_value(at, err, expected);
	v = at->node->valuedouble;
	if (!isfinite(v) || v < lo || v > hi)
		return fail_value(at, err, expected);
	*out = v;
	return 0;
}

int jin_integer(const struct jin_at *at, int64_t lo, int64_t hi, int64_t *out, struct ts_error *err)
{
	char expected[128];
	double v;

	snprintf(expected, sizeof(expected), "a whole number in [%lld, %lld]", (long long)lo,
		 (long long)hi);
	if (!cJSON_IsNumber(at->node))
		return fail_value(at, err, expected);
	v = at->node->valuedouble;
	/* 2^63 is the first double beyond int64; the cast below needs
	 * v < 2^63. */
	if (!isfinite(v) || v != floor(v) || v < (double)lo || v > (double)hi ||
	    v >= 9223372036854775808.0)
		return fail_value(at, err, expected);
	*out = (int64_t)v;
	return 0;
}

int jin_string(const struct jin_at *at, size_t max_len, const char **out, struct ts_error *err)
{
	char expected[96];

	snprintf(expected, sizeof(expected), "a non-empty string of at most %zu bytes", max_len);
	if (!cJSON_IsString(at->node) || at->node->valuestring[0] == '\0' ||
	    strlen(at->node->valuestring) > max_len)
		return fail_value(at, err, expected);
	*out = at->node->valuestring;
	return 0;
}

int jin_enum(const struct jin_at *at, const char *const *names, int *out, struct ts_error *err)
{
	char expected[512] = "one of";
	size_t used = strlen(expected);

	if (cJSON_IsString(at->node)) {
		for (int i = 0; names[i] != NULL; i++) {
			if (strcmp(names[i], at->node->valuestring) == 0) {
				*out = i;
				return 0;
			}
		}
	}
	for (int i = 0; names[i] != NULL && used < sizeof(expected); i++)
		used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s \"%s\"",
					 i == 0 ? "" : ",", names[i]);
	return fail_value(at, err, expected);
}

int jin_bool(const struct jin_at *at, bool *out, struct ts_error *err)
{
	if (!cJSON_IsBool(at->node))
		return fail_value(at, err, "true or false");
	*out = cJSON_IsTrue(at->node);
	return 0;
}

int jin_get_number(const struct jin_at *obj, const char *key, bool required, double lo, double hi,
		   double *out, struct ts_error *err)
{
	struct jin_at v;
	int rc = jin_member(obj, key, required, &v, err);

	if (rc < 0 || v.node == NULL)
		return rc;
	return jin_number(&v, lo, hi, out, err);
}

int jin_get_integer(const struct jin_at *obj, const char *key, bool required, int64_t lo,
		    int64_t hi, int64_t *out, struct ts_error *err)
{
	struct jin_at v;
	int rc = jin_member(obj, key, required, &v, err);

	if (rc < 0 || v.node == NULL)
		return rc;
	return jin_integer(&v, lo, hi, out, err);
}

int jin_get_string(const struct jin_at *obj, const char *key, bool required, size_t max_len,
		   const char **out, struct ts_error *err)
{
	struct jin_at v;
	int rc = jin_member(obj, key, required, &v, err);

	if (rc < 0 || v.node == NULL)
		return rc;
	return jin_string(&v, max_len, out, err);
}

int jin_get_enum(const struct jin_at *obj, const char *key, bool required, const char *const *names,
		 int *out, struct ts_error *err)
{
	struct jin_at v;
	int rc = jin_member(obj, key, required, &v, err);

	if (rc < 0 || v.node == NULL)
		return rc;
	return jin_enum(&v, names, out, err);
}

int jin_get_bool(const struct jin_at *obj, const char *key, bool required, bool *out,
		 struct ts_error *err)
{
	struct jin_at v;
	int rc = jin_member(obj, key, required, &v, err);

	if (rc < 0 || v.node == NULL)
		return rc;
	return jin_bool(&v, out, err);
}

int jin_sources(const struct jin_at *sources, size_t max_len, struct ts_error *err)
{
	size_t n = 0;
	int rc;

	if (!cJSON_IsObject(sources->node)) {
		char *text = cJSON_PrintUnformatted(sources->node);

		rc = jin_fail(sources, TS_EINVALID, err,
			      "expected an object mapping source ids to citations, got %.60s",
			      text != NULL ? text : "another type");
		free(text);
		return rc;
	}
	for (const cJSON *c = sources->node->child; c != NULL; c = c->next, n++) {
		struct jin_at s;
		const char *text;

		if ((rc = jin_member(sources, c->string, true, &s, err)) < 0 ||
		    (rc = jin_string(&s, max_len, &text, err)) < 0)
			return rc;
	}
	if (n == 0)
		return jin_fail(sources, TS_EINVALID, err,
				"expected at least one source, got an empty object");
	return 0;
}

int jin_get_source(const struct jin_at *obj, const struct jin_at *sources, struct ts_error *err)
{
	struct jin_at src;
	const char *name;
	int rc = jin_member(obj, "source", true, &src, err);

	if (rc == 0)
		rc = jin_string(&src, 4096, &name, err);
	if (rc == 0 && cJSON_GetObjectItemCaseSensitive(sources->node, name) == NULL)
		rc = jin_fail(&src, TS_EINVALID, err,
			      "expected a key of %s, got \"%s\" (no such source)", sources->path,
			      name);
	return rc;
}
