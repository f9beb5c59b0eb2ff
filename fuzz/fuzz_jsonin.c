/* libFuzzer harness: strict JSON input (jin_doc_parse) on the raw bytes,
 * then every typed getter on every value of a document it accepts, so
 * that each error message is built once: paths of any depth, long keys,
 * values of every type shown in a message. */
#include <math.h>
#include <string.h>

#include "fuzz_input.h"
#include "jsonin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const allowed[] = {"id", "name", "duration_s", "nodes", "a", NULL};

static void check_failed(int rc, const struct ts_error *err)
{
	fuzz_require(rc == 0 || (rc == TS_EINVALID && err->msg[0] != '\0'),
		     "a getter fails with TS_EINVALID and a message");
}

static void visit(const struct jin_at *at)
{
	struct ts_error err = {""};
	struct jin_at sub;
	struct jin_iter it;
	const char *s;
	double d;
	int64_t i;
	int e;
	bool b;
	size_t n;
	int rc;

	fuzz_require(strlen(at->path) < JIN_PATH_MAX, "paths fit");
	if (cJSON_IsObject(at->node)) {
		check_failed(jin_keys(at, allowed, &err), &err);
		check_failed(jin_get_number(at, "duration_s", false, 0, 1e7, &d, &err), &err);
		check_failed(jin_get_integer(at, "a", false, -5, 5, &i, &err), &err);
		check_failed(jin_get_string(at, "id", false, 63, &s, &err), &err);
		check_failed(jin_get_enum(at, "name", false, allowed, &e, &err), &err);
		check_failed(jin_get_bool(at, "nodes", false, &b, &err), &err);
		rc = jin_member(at, "missing", true, &sub, &err);
		fuzz_require(rc == TS_EINVALID || (rc == 0 && sub.node != NULL), "required member");
		for (const cJSON *c = at->node->child; c != NULL; c = c->next) {
			rc = jin_member(at, c->string, true, &sub, &err);
			fuzz_require(rc == 0 && sub.node != NULL, "every key is found");
			visit(&sub);
		}
		return;
	}
	if (cJSON_IsArray(at->node)) {
		rc = jin_array(at, 0, &n, &err);
		fuzz_require(rc == 0, "an array is an array");
		check_failed(jin_array(at, 3, &n, &err), &err);
		jin_iter_init(&it, at);
		for (size_t k = 0; k < n; k++) {
			sub = jin_iter_next(&it);
			fuzz_require(sub.node != NULL, "every element is found");
			/* The iterator and random access agree (checked on
			 * the last element: jin_element is O(k)). */
			fuzz_require(k + 1 < n || jin_element(at, k).node == sub.node,
				     "the last element is the same");
			visit(&sub);
		}
		return;
	}
	rc = jin_number(at, -1e300, 1e300, &d, &err);
	check_failed(rc, &err);
	fuzz_require(rc < 0 || isfinite(d), "numbers are finite");
	check_failed(jin_number(at, 0, 1, &d, &err), &err);
	rc = jin_integer(at, INT64_MIN, INT64_MAX, &i, &err);
	check_failed(rc, &err);
	check_failed(jin_integer(at, 1, 100000, &i, &err), &err);
	fuzz_require(rc < 0 || (double)i == at->node->valuedouble, "integers are exact");
	rc = jin_string(at, 63, &s, &err);
	check_failed(rc, &err);
	fuzz_require(rc < 0 || (strlen(s) >= 1 && strlen(s) <= 63), "string length");
	check_failed(jin_enum(at, allowed, &e, &err), &err);
	check_failed(jin_bool(at, &b, &err), &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jin_doc doc;
	struct ts_error err = {""};
	struct jin_at root;
	char excerpt[21];
	int rc;

	/* The text is exactly size bytes, not NUL-terminated: the contract is
	 * text[0..len). */
	rc = jin_doc_parse(&doc, "fuzz.json", (const char *)data, size, &err);
	fuzz_explain(rc, &err);
	jin_excerpt((const char *)data, (const char *)data + size, excerpt, sizeof(excerpt));
	fuzz_require(strlen(excerpt) < sizeof(excerpt), "excerpt fits");
	if (rc < 0) {
		fuzz_require((rc == TS_ESYNTAX || rc == TS_EINVALID || rc == TS_ENOMEM) &&
				 doc.root == NULL && err.msg[0] != '\0',
			     "a refused document says why");
		jin_doc_release(&doc);
		return 0;
	}
	root = jin_root(&doc);
	visit(&root);
	jin_doc_release(&doc);
	return 0;
}
