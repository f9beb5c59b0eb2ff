/* Strict JSON input: parsing with line/column errors and typed getters.
 *
 * A struct jin_doc owns one parsed cJSON tree.  Values are visited through
 * struct jin_at cursors that carry the JSON path ("$.nodes[2].id") so every
 * message names the file, the path, the bad value and what was expected.
 * Lookups are case-sensitive.  Duplicate keys anywhere in the document are
 * rejected by jin_doc_parse(); unknown keys by jin_keys().  Numbers are read
 * from valuedouble and range-checked (cJSON's valueint saturates).
 *
 * Loaders copy what they need into plain structs and release the document
 * before simulating.
 */
#ifndef TIERSIM_JSONIN_H
#define TIERSIM_JSONIN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define JIN_PATH_MAX 192
/* Deepest nesting of arrays and objects a document may have. */
#define JIN_DEPTH_MAX 100

struct jin_doc {
	char *file; /* owned copy of the file name, for messages */
	cJSON *root;
};

struct jin_at {
	const struct jin_doc *doc;
	const cJSON *node; /* NULL when an optional member is absent */
	char path[JIN_PATH_MAX];
};

/* Parses text[0..len) as JSON.  Syntax errors (TS_ESYNTAX) give
 * "FILE:LINE:COLUMN: ...", and so does nesting deeper than JIN_DEPTH_MAX
 * (TS_EINVALID); duplicate keys give TS_EINVALID with the path; a parse
 * that ran out of memory gives TS_ENOMEM.  It installs cJSON's allocation
 * hooks (cJSON_InitHooks: malloc and free, through a function that notes a
 * failure) for the whole process.
 * On success the document owns the tree; release with jin_doc_release(). */
int jin_doc_parse(struct jin_doc *doc, const char *file, const char *text, size_t len,
		  struct ts_error *err);

/* Parses a JSON text that is one part of a file (a line of a journal), for
 * a caller that reports errors in its own words: 0 and the tree in *out
 * (the caller deletes it), TS_ENOMEM when memory ran out, TS_ESYNTAX when
 * the text is not JSON or nests deeper than jin_doc_parse allows. */
int jin_parse_part(const char *text, size_t len, cJSON **out);

/* Reads a whole file of at most 64 MiB into *text (NUL-terminated, the
 * caller frees it) and its length into *len. */
int jin_read_file(const char *file, char **text, size_t *len, struct ts_error *err);

/* Copies the text [p, end) into out[size] (at most size - 1 bytes,
 * NUL-terminated) for quoting input in a message, control characters shown
 * as '?'.  Returns true when the text was cut short. */
bool jin_excerpt(const char *p, const char *end, char *out, size_t size);

/* Reads the whole file (jin_read_file) and parses it. */
int jin_doc_load(struct jin_doc *doc, const char *file, struct ts_error *err);

/* Frees the tree; safe on a zeroed or already released document. */
void jin_doc_release(struct jin_doc *doc);

/* Cursor on the document root ("$"). */
struct jin_at jin_root(const struct jin_doc *doc);

/* Checks that `at` is an object whose keys are all in `allowed` (a
 * NULL-terminated list).  An unknown key is an error listing the allowed
 * ones; a key that differs from an allowed one only in its unit suffix
 * ("duration_ms" for "duration_s") says which unit is expected. */
int jin_keys(const struct jin_at *at, const char *const *allowed, struct ts_error *err);

/* Member `key` of object `at`.  Absent and required: an error.  Absent and
 * optional: returns 0 with out->node == NULL. */
int jin_member(const struct jin_at *at, const char *key, bool required, struct jin_at *out,
	       struct ts_error *err);

/* Element i of array `at` (the caller checked i < jin_array() count);
 * O(i): walk whole arrays with struct jin_iter. */
struct jin_at jin_element(const struct jin_at *at, size_t i);

/* The elements of an array in order, each in O(1). */
struct jin_iter {
	const struct jin_at *array; /* must outlive the iterator */
	const cJSON *next;
	size_t i;
};

void jin_iter_init(struct jin_iter *it, const struct jin_at *array);

/* The next element; call it at most as many times as jin_array() counted. */
struct jin_at jin_iter_next(struct jin_iter *it);

/* Checks that `at` is an array with at least `min` elements; *n is set to
 * its length. */
int jin_array(const struct jin_at *at, size_t min, size_t *n, struct ts_error *err);

/* A finite number in [lo, hi]. */
int jin_number(const struct jin_at *at, double lo, double hi, double *out, struct ts_error *err);

/* A whole number in [lo, hi]. */
int jin_integer(const struct jin_at *at, int64_t lo, int64_t hi, int64_t *out,
		struct ts_error *err);

/* A non-empty string of at most `max_len` bytes; *out points into the
 * document (copy it before releasing). */
int jin_string(const struct jin_at *at, size_t max_len, const char **out, struct ts_error *err);

/* A string that must be one of `names` (NULL-terminated); *out is its index. */
int jin_enum(const struct jin_at *at, const char *const *names, int *out, struct ts_error *err);

/* A boolean. */
int jin_bool(const struct jin_at *at, bool *out, struct ts_error *err);

/* Shorthands for an optional or required member read in one call: when the
 * member is absent and optional, *out keeps its value (the default). */
int jin_get_number(const struct jin_at *obj, const char *key, bool required, double lo, double hi,
		   double *out, struct ts_error *err);
int jin_get_integer(const struct jin_at *obj, const char *key, bool required, int64_t lo,
		    int64_t hi, int64_t *out, struct ts_error *err);
int jin_get_string(const struct jin_at *obj, const char *key, bool required, size_t max_len,
		   const char **out, struct ts_error *err);
int jin_get_enum(const struct jin_at *obj, const char *key, bool required, const char *const *names,
		 int *out, struct ts_error *err);
int jin_get_bool(const struct jin_at *obj, const char *key, bool required, bool *out,
		 struct ts_error *err);

/* Checks a data file's "sources" (at `sources`): an object, not empty,
 * that maps source ids to citations (strings of at most max_len bytes). */
int jin_sources(const struct jin_at *sources, size_t max_len, struct ts_error *err);

/* obj's required "source": a key of `sources` (checked by jin_sources). */
int jin_get_source(const struct jin_at *obj, const struct jin_at *sources, struct ts_error *err);

/* Writes "FILE: PATH: " followed by the formatted text into err and
 * returns status; for errors the getters above cannot see (dangling
 * references, inconsistent values). */
int jin_fail(const struct jin_at *at, int status, struct ts_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
