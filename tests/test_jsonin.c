#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonin.h"
#include "status.h"
#include "testutil.h"

#define NROW(a) (sizeof(a) / sizeof((a)[0]))
/* The name the in-memory documents are parsed under. */
#define DOC "mem.json"

static void expect_text(const struct ts_error *err, const char *what, const char *part)
{
	ck_assert_msg(strstr(err->msg, part) != NULL, "%s: message lacks \"%s\": %s", what, part,
		      err->msg);
}

static void parse_ok(struct jin_doc *doc, const char *text)
{
	struct ts_error err = {""};
	int rc = jin_doc_parse(doc, DOC, text, strlen(text), &err);

	ck_assert_msg(rc == 0, "%s: %s", text, err.msg);
	ck_assert_ptr_nonnull(doc->root);
}

/* Member `key` of the root of doc, which must be there. */
static struct jin_at member(const struct jin_doc *doc, const char *key)
{
	struct ts_error err = {""};
	struct jin_at root = jin_root(doc), out;

	ck_assert_msg(jin_member(&root, key, true, &out, &err) == 0, "%s", err.msg);
	return out;
}

/* A text jin_doc_parse() must refuse: its status and two parts of the
 * message (the second may be NULL). */
struct parse_case {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
	int status;
	const char *part1, *part2;
};

static const struct parse_case bad_text[] = {
    /* The position is that of the ']' where a value should be. */
    {"syntax-multiline", "{\n  \"a\": 1,\n  \"b\": ]\n}\n", 0, TS_ESYNTAX,
     DOC ":3:8: ", "syntax error near ']"},
    {"syntax-first-char", "x", 0, TS_ESYNTAX, DOC ":1:1: ", "syntax error"},
    {"empty", "", 0, TS_ESYNTAX, DOC ":1:1: ", "unexpected end of input"},
    {"nul-byte", "{\n  \"a\":\0 1}", 12, TS_ESYNTAX, DOC ":2:7: ", "NUL byte"},
    {"nul-after-value", "{}\0", 3, TS_ESYNTAX, DOC ":1:3: ", "NUL byte"},
    {"trailing-text", "{\"a\": 1} x", 0, TS_ESYNTAX,
     DOC ":1:10: ", "text after the JSON value: 'x'"},
    {"trailing-value", "{}\n\n  []\n", 0, TS_ESYNTAX, DOC ":3:3: ", "text after the JSON value"},
    {"duplicate-root", "{\"a\": 1, \"b\": 2, \"a\": 3}", 0, TS_EINVALID,
     DOC ": $: ", "duplicate key \"a\""},
    {"duplicate-in-array-of-objects", "{\"a\": [{\"x\": 1}, {\"y\": 1, \"z\": 0, \"y\": 2}]}", 0,
     TS_EINVALID, DOC ": $.a[1]: ", "duplicate key \"y\""},
    {"duplicate-in-nested-arrays", "{\"a\": [[], [{\"k\": {\"m\": 1, \"m\": 1}}]]}", 0, TS_EINVALID,
     DOC ": $.a[1][0].k: ", "duplicate key \"m\""},
    {"duplicate-in-root-array", "[1, {\"q\": null, \"q\": null}]", 0, TS_EINVALID,
     DOC ": $[1]: ", "duplicate key \"q\""},
};

START_TEST(jsonin_parse_rejects)
{
	const struct parse_case *c = &bad_text[_i];
	size_t len = c->len != 0 ? c->len : strlen(c->text);
	struct ts_error err = {""};
	struct jin_doc doc;
	int rc = jin_doc_parse(&doc, DOC, c->text, len, &err);

	ck_assert_msg(rc == c->status, "%s: status %d, expected %d (%s)", c->name, rc, c->status,
		      err.msg);
	ck_assert_int_eq(ts_status_exit(rc), TS_EXIT_INVALID);
	ck_assert_msg(strncmp(err.msg, DOC, strlen(DOC)) == 0,
		      "%s: message does not start with "
		      "the file name: %s",
		      c->name, err.msg);
	expect_text(&err, c->name, c->part1);
	if (c->part2 != NULL)
		expect_text(&err, c->name, c->part2);
	/* A failed parse leaves nothing to release. */
	ck_assert_ptr_null(doc.root);
	ck_assert_ptr_null(doc.file);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_parse_accepts)
{
	struct jin_doc doc;

	/* The same key in different objects is no duplicate; white space may
	 * follow the value. */
	parse_ok(&doc, "{\"a\": [{\"x\": 1}, {\"x\": 2}], \"b\": {\"x\": 3}}\r\n\t \n");
	ck_assert_str_eq(doc.file, DOC);
	jin_doc_release(&doc);
	ck_assert_ptr_null(doc.root);
	/* Released twice, and a zeroed document: both harmless. */
	jin_doc_release(&doc);
	memset(&doc, 0, sizeof(doc));
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_keys_lists_allowed)
{
	static const char *const allowed[] = {"alpha", "beta", "gamma", NULL};
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at root, obj;
	int rc;

	parse_ok(&doc,
		 "{\"o\": {\"alpha\": 1, \"gamma\": 2, \"delta\": 3}, \"ok\": {\"beta\": 1}}");
	obj = member(&doc, "o");
	rc = jin_keys(&obj, allowed, &err);
	ck_assert_int_eq(rc, TS_EINVALID);
	expect_text(&err, "unknown key", DOC ": $.o: unknown key \"delta\"");
	expect_text(&err, "unknown key", "(expected one of: alpha, beta, gamma)");

	obj = member(&doc, "ok");
	ck_assert_int_eq(jin_keys(&obj, allowed, &err), 0);

	/* Keys are case-sensitive. */
	jin_doc_release(&doc);
	parse_ok(&doc, "{\"Alpha\": 1}");
	root = jin_root(&doc);
	ck_assert_int_eq(jin_keys(&root, allowed, &err), TS_EINVALID);
	expect_text(&err, "case", "unknown key \"Alpha\"");

	/* Not an object at all. */
	jin_doc_release(&doc);
	parse_ok(&doc, "{\"o\": [1]}");
	obj = member(&doc, "o");
	ck_assert_int_eq(jin_keys(&obj, allowed, &err), TS_EINVALID);
	expect_text(&err, "array", DOC ": $.o: expected an object, got an array");
	jin_doc_release(&doc);
}
END_TEST

/* A key, the allowed keys and whether the message must give a unit hint. */
struct unit_case {
	const char *text;
	const char *allowed[3];
	const char *part;
	bool hint;
};

static const struct unit_case unit_cases[] = {
    {"{\"duration_ms\": 1}",
     {"duration_s", "name", NULL},
     "unknown key \"duration_ms\": wrong unit, this field is \"duration_s\"",
     true},
    {"{\"bandwidth_bytes\": 1}",
     {"name", "bandwidth_Bps", NULL},
     "unknown key \"bandwidth_bytes\": wrong unit, this field is \"bandwidth_Bps\"",
     true},
    /* "sd" and "cv" are no units: a plain unknown key. */
    {"{\"jitter_sd\": 1}",
     {"jitter_cv", NULL},
     "unknown key \"jitter_sd\" (expected one of: jitter_cv)",
     false},
    /* Same unit, another stem. */
    {"{\"latency_ms\": 1}",
     {"delay_ms", NULL},
     "unknown key \"latency_ms\" (expected one of: delay_ms)",
     false},
};

START_TEST(jsonin_keys_unit_hint)
{
	const struct unit_case *c = &unit_cases[_i];
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at root;

	parse_ok(&doc, c->text);
	root = jin_root(&doc);
	ck_assert_int_eq(jin_keys(&root, c->allowed, &err), TS_EINVALID);
	expect_text(&err, c->text, c->part);
	ck_assert_msg((strstr(err.msg, "wrong unit") != NULL) == c->hint,
		      "%s: unit hint should be %s: %s", c->text, c->hint ? "given" : "absent",
		      err.msg);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_number_range)
{
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at v;
	double x = -1;

	parse_ok(&doc, "{\"lo\": 0, \"hi\": 1, \"in\": 0.25, \"above\": 1.5, \"below\": -0.001, "
		       "\"text\": \"0.5\", \"null\": null, \"huge\": 1e999, \"flag\": true}");
	v = member(&doc, "lo");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), 0);
	ck_assert_double_eq(x, 0);
	v = member(&doc, "hi");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), 0);
	ck_assert_double_eq(x, 1);
	v = member(&doc, "in");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), 0);
	ck_assert_double_eq(x, 0.25);

	v = member(&doc, "above");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "above", DOC ": $.above: expected a number in [0, 1], got 1.5");
	v = member(&doc, "below");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "below", "got -0.001");
	v = member(&doc, "text");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "text", "$.text: expected a number in [0, 1], got \"0.5\"");
	v = member(&doc, "null");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "null", "got null");
	v = member(&doc, "flag");
	ck_assert_int_eq(jin_number(&v, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "flag", "got true");
	/* 1e999 overflows to infinity, which no range admits. */
	v = member(&doc, "huge");
	ck_assert_int_eq(jin_number(&v, -INFINITY, INFINITY, &x, &err), TS_EINVALID);
	expect_text(&err, "huge", "$.huge: expected a number");
	expect_text(&err, "huge", "got a number beyond the range of a double");
	/* A failed read leaves the output alone. */
	ck_assert_double_eq(x, 0.25);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_get_optional_and_required)
{
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at root, absent;
	double x = 42;
	int64_t i = 7;
	const char *s = "default";
	bool b = true;
	int e = 3;
	static const char *const names[] = {"a", "b", NULL};

	parse_ok(&doc, "{\"present\": 2}");
	root = jin_root(&doc);
	/* Absent and optional: 0, the default kept. */
	ck_assert_int_eq(jin_get_number(&root, "missing", false, 0, 10, &x, &err), 0);
	ck_assert_double_eq(x, 42);
	ck_assert_int_eq(jin_get_integer(&root, "missing", false, 0, 10, &i, &err), 0);
	ck_assert_int_eq(i, 7);
	ck_assert_int_eq(jin_get_string(&root, "missing", false, 10, &s, &err), 0);
	ck_assert_str_eq(s, "default");
	ck_assert_int_eq(jin_get_bool(&root, "missing", false, &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(jin_get_enum(&root, "missing", false, names, &e, &err), 0);
	ck_assert_int_eq(e, 3);
	ck_assert_int_eq(jin_member(&root, "missing", false, &absent, &err), 0);
	ck_assert_ptr_null(absent.node);
	ck_assert_str_eq(absent.path, "$.missing");

	/* Absent and required: an error at the object's path. */
	ck_assert_int_eq(jin_get_number(&root, "missing", true, 0, 10, &x, &err), TS_EINVALID);
	expect_text(&err, "required", DOC ": $: missing required key \"missing\"");
	ck_assert_int_eq(jin_get_number(&root, "present", true, 0, 10, &x, &err), 0);
	ck_assert_double_eq(x, 2);
	ck_assert_int_eq(jin_get_integer(&root, "present", true, 0, 10, &i, &err), 0);
	ck_assert_int_eq(i, 2);
	/* A member of something that is not an object. */
	absent = member(&doc, "present");
	ck_assert_int_eq(jin_get_number(&absent, "x", false, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "not an object", "$.present: expected an object, got a number");
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_integer_whole)
{
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at v;
	int64_t i = 5;

	parse_ok(&doc, "{\"half\": 1.5, \"two63\": 9223372036854775808, "
		       "\"minus63\": -9223372036854775808, \"two53\": 9007199254740992, "
		       "\"exp\": 1e3, \"neg\": -3, \"text\": \"3\"}");
	v = member(&doc, "half");
	ck_assert_int_eq(jin_integer(&v, 0, 10, &i, &err), TS_EINVALID);
	expect_text(&err, "half", DOC ": $.half: expected a whole number in [0, 10], got 1.5");
	/* 2^63 is above every int64, even with the widest range. */
	v = member(&doc, "two63");
	ck_assert_int_eq(jin_integer(&v, INT64_MIN, INT64_MAX, &i, &err), TS_EINVALID);
	expect_text(&err, "2^63", "$.two63: expected a whole number");
	ck_assert_int_eq(i, 5);
	v = member(&doc, "minus63");
	ck_assert_int_eq(jin_integer(&v, INT64_MIN, INT64_MAX, &i, &err), 0);
	ck_assert(i == INT64_MIN);
	v = member(&doc, "two53");
	ck_assert_int_eq(jin_integer(&v, 0, INT64_MAX, &i, &err), 0);
	ck_assert(i == INT64_C(9007199254740992));
	v = member(&doc, "exp");
	ck_assert_int_eq(jin_integer(&v, 0, 1000, &i, &err), 0);
	ck_assert_int_eq(i, 1000);
	ck_assert_int_eq(jin_integer(&v, 0, 999, &i, &err), TS_EINVALID);
	expect_text(&err, "above", "expected a whole number in [0, 999], got 1000");
	v = member(&doc, "neg");
	ck_assert_int_eq(jin_integer(&v, 0, 10, &i, &err), TS_EINVALID);
	expect_text(&err, "negative", "got -3");
	v = member(&doc, "text");
	ck_assert_int_eq(jin_integer(&v, 0, 10, &i, &err), TS_EINVALID);
	expect_text(&err, "text", "got \"3\"");
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_string_length)
{
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at v;
	const char *s = NULL;

	parse_ok(&doc, "{\"empty\": \"\", \"four\": \"abcd\", \"five\": \"abcde\", \"num\": 4}");
	v = member(&doc, "empty");
	ck_assert_int_eq(jin_string(&v, 4, &s, &err), TS_EINVALID);
	expect_text(&err, "empty",
		    DOC ": $.empty: expected a non-empty string of at most 4 bytes, got \"\"");
	v = member(&doc, "four");
	ck_assert_int_eq(jin_string(&v, 4, &s, &err), 0);
	ck_assert_str_eq(s, "abcd");
	v = member(&doc, "five");
	ck_assert_int_eq(jin_string(&v, 4, &s, &err), TS_EINVALID);
	expect_text(&err, "five",
		    "$.five: expected a non-empty string of at most 4 bytes, got "
		    "\"abcde\"");
	v = member(&doc, "num");
	ck_assert_int_eq(jin_string(&v, 4, &s, &err), TS_EINVALID);
	expect_text(&err, "num", "got 4");
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_long_value_is_shortened)
{
	char text[256], big[121];
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at v;
	const char *s;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(text, sizeof(text), "{\"s\": \"%s\"}", big);
	parse_ok(&doc, text);
	v = member(&doc, "s");
	ck_assert_int_eq(jin_string(&v, 10, &s, &err), TS_EINVALID);
	expect_text(&err, "long", "...");
	ck_assert_ptr_null(strstr(err.msg, big));
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_enum_lists_names)
{
	static const char *const names[] = {"device", "edge", "cloud", NULL};
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at v;
	int e = -1;

	parse_ok(&doc, "{\"ok\": \"cloud\", \"bad\": \"fog\", \"case\": \"Edge\", \"num\": 1}");
	v = member(&doc, "ok");
	ck_assert_int_eq(jin_enum(&v, names, &e, &err), 0);
	ck_assert_int_eq(e, 2);
	v = member(&doc, "bad");
	ck_assert_int_eq(jin_enum(&v, names, &e, &err), TS_EINVALID);
	expect_text(&err, "bad",
		    DOC ": $.bad: expected one of \"device\", \"edge\", \"cloud\", got \"fog\"");
	v = member(&doc, "case");
	ck_assert_int_eq(jin_enum(&v, names, &e, &err), TS_EINVALID);
	expect_text(&err, "case", "got \"Edge\"");
	v = member(&doc, "num");
	ck_assert_int_eq(jin_enum(&v, names, &e, &err), TS_EINVALID);
	expect_text(&err, "num", "expected one of \"device\", \"edge\", \"cloud\", got 1");
	ck_assert_int_eq(e, 2);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_bool_and_array)
{
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at v;
	bool b = false;
	size_t n = 99;

	parse_ok(&doc, "{\"t\": true, \"one\": 1, \"arr\": [1, 2], \"obj\": {}}");
	v = member(&doc, "t");
	ck_assert_int_eq(jin_bool(&v, &b, &err), 0);
	ck_assert(b);
	v = member(&doc, "one");
	ck_assert_int_eq(jin_bool(&v, &b, &err), TS_EINVALID);
	expect_text(&err, "bool", "$.one: expected true or false, got 1");
	v = member(&doc, "arr");
	ck_assert_int_eq(jin_array(&v, 2, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(jin_array(&v, 3, &n, &err), TS_EINVALID);
	expect_text(&err, "short", "$.arr: expected an array of at least 3 elements, got 2");
	v = member(&doc, "obj");
	ck_assert_int_eq(jin_array(&v, 0, &n, &err), TS_EINVALID);
	expect_text(&err, "object", "$.obj: expected an array, got an object");
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_nested_paths)
{
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at a, el, b, inner, d;
	double x;
	size_t n;

	parse_ok(&doc, "{\"a\": [{}, {}, {\"b\": \"x\", \"c\": [[0, 1, {\"d\": 5}]]}]}");
	a = member(&doc, "a");
	ck_assert_str_eq(a.path, "$.a");
	ck_assert_int_eq(jin_array(&a, 3, &n, &err), 0);
	el = jin_element(&a, 2);
	ck_assert_str_eq(el.path, "$.a[2]");
	ck_assert_int_eq(jin_member(&el, "b", true, &b, &err), 0);
	ck_assert_str_eq(b.path, "$.a[2].b");
	ck_assert_int_eq(jin_number(&b, 0, 1, &x, &err), TS_EINVALID);
	expect_text(&err, "b", DOC ": $.a[2].b: expected a number in [0, 1], got \"x\"");

	ck_assert_int_eq(jin_member(&el, "c", true, &inner, &err), 0);
	inner = jin_element(&inner, 0);
	inner = jin_element(&inner, 2);
	ck_assert_int_eq(jin_member(&inner, "d", true, &d, &err), 0);
	ck_assert_str_eq(d.path, "$.a[2].c[0][2].d");
	ck_assert_int_eq(jin_fail(&d, TS_EINVALID, &err, "made up: %d", 5), TS_EINVALID);
	ck_assert_str_eq(err.msg, DOC ": $.a[2].c[0][2].d: made up: 5");

	/* A missing member is reported at the object that lacks it. */
	ck_assert_int_eq(jin_member(&el, "zz", true, &b, &err), TS_EINVALID);
	ck_assert_str_eq(err.msg, DOC ": $.a[2]: missing required key \"zz\"");
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_long_path_is_shortened)
{
	char key[64];
	struct ts_error err = {""};
	struct jin_doc doc;
	struct jin_at at;
	size_t len;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	parse_ok(&doc, "{}");
	at = jin_root(&doc);
	for (int i = 0; i < 5; i++) {
		struct jin_at next;

		/* Absent optional members still get their path. */
		ck_assert_int_eq(jin_member(&at, key, false, &next, &err), 0);
		next.node = at.node;
		at = next;
	}
	len = strlen(at.path);
	ck_assert_uint_lt(len, JIN_PATH_MAX);
	ck_assert_str_eq(at.path + len - 3, "...");
	ck_assert(strncmp(at.path, "$.kkk", 5) == 0);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_read_file_directory)
{
	const char *root = getenv("TIERSIM_SOURCE_ROOT");
	struct ts_error err = {""};
	struct jin_doc doc;
	char *text = NULL;
	size_t len = 0;

	ck_assert_msg(root != NULL, "TIERSIM_SOURCE_ROOT is not set");
	ck_assert_int_eq(jin_read_file(root, &text, &len, &err), TS_EINVALID);
	ck_assert_ptr_null(text);
	expect_text(&err, "directory", root);
	expect_text(&err, "directory", "not a regular file");
	ck_assert_int_eq(jin_doc_load(&doc, root, &err), TS_EINVALID);
	ck_assert_ptr_null(doc.root);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_read_file_missing)
{
	const char *root = getenv("TIERSIM_SOURCE_ROOT");
	struct ts_error err = {""};
	struct jin_doc doc;
	char path[4096];
	char *text = NULL;
	size_t len = 0;

	ck_assert_msg(root != NULL, "TIERSIM_SOURCE_ROOT is not set");
	snprintf(path, sizeof(path), "%s/tests/no-such-file.json", root);
	ck_assert_int_eq(jin_read_file(path, &text, &len, &err), TS_EINVALID);
	ck_assert_ptr_null(text);
	expect_text(&err, "missing", path);
	expect_text(&err, "missing", "cannot open");
	ck_assert_int_eq(ts_status_exit(TS_EINVALID), TS_EXIT_INVALID);
	ck_assert_int_eq(jin_doc_load(&doc, path, &err), TS_EINVALID);
	ck_assert_ptr_null(doc.root);
	jin_doc_release(&doc);
}
END_TEST

START_TEST(jsonin_read_file_whole)
{
	const char *root = getenv("TIERSIM_SOURCE_ROOT");
	struct ts_error err = {""};
	struct jin_doc doc;
	char path[4096];
	char *text = NULL;
	size_t len = 0;

	ck_assert_msg(root != NULL, "TIERSIM_SOURCE_ROOT is not set");
	snprintf(path, sizeof(path), "%s/tests/scenarios/minimal.json", root);
	ck_assert_int_eq(jin_read_file(path, &text, &len, &err), 0);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_uint_gt(len, 0);
	free(text);
	ck_assert_msg(jin_doc_load(&doc, path, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(doc.file, path);
	jin_doc_release(&doc);
}
END_TEST

/* The duplicate-key check visits an object's members in one pass: it used
 * to look each member up by name, so an object of n keys took n^2 steps
 * (200000 keys, 2.3 MB, took 57 s; a 64 MiB file would take hours).  The
 * test fails on Check's 4 s timeout if that comes back. */
START_TEST(jsonin_many_keys_linear)
{
	enum { KEYS = 100000 };
	size_t cap = (size_t)KEYS * 16 + 64, used = 0;
	char *text = malloc(cap);
	struct ts_error err = {""};
	struct jin_doc doc;

	ck_assert_ptr_nonnull(text);
	used += (size_t)snprintf(text + used, cap - used, "{\"o\": {");
	for (int i = 0; i < KEYS; i++)
		used +=
		    (size_t)snprintf(text + used, cap - used, "%s\"k%d\":%d", i ? "," : "", i, i);
	used += (size_t)snprintf(text + used, cap - used, "}}");
	ck_assert_msg(jin_doc_parse(&doc, DOC, text, used, &err) == 0, "%s", err.msg);
	jin_doc_release(&doc);
	/* The same with one key repeated at the end. */
	used -= 2;
	used += (size_t)snprintf(text + used, cap - used, ",\"k5\":0}}");
	ck_assert_int_eq(jin_doc_parse(&doc, DOC, text, used, &err), TS_EINVALID);
	expect_text(&err, "repeated key", DOC ": $.o: duplicate key \"k5\"");
	ck_assert_ptr_null(doc.root);
	free(text);
}
END_TEST

/* 10^6 opening brackets: refused at the first one past JIN_DEPTH_MAX,
 * before cJSON recurses into them. */
/* A part of a file (a journal line): a tree, or which of the two failures. */
START_TEST(jsonin_parse_part)
{
	char deep[2 * JIN_DEPTH_MAX + 2];
	cJSON *tree = NULL;

	ck_assert_int_eq(jin_parse_part("{\"item\": 3}\n{", 12, &tree), 0);
	ck_assert_double_eq(cJSON_GetObjectItemCaseSensitive(tree, "item")->valuedouble, 3);
	cJSON_Delete(tree);
	ck_assert_int_eq(jin_parse_part("{\"item\": 3", 10, &tree), TS_ESYNTAX);
	ck_assert_ptr_null(tree);
	memset(deep, '[', JIN_DEPTH_MAX + 1);
	memset(deep + JIN_DEPTH_MAX + 1, ']', JIN_DEPTH_MAX + 1);
	ck_assert_int_eq(jin_parse_part(deep, sizeof(deep), &tree), TS_ESYNTAX);
	ck_assert_ptr_null(tree);
}
END_TEST

START_TEST(jsonin_deep_nesting_refused)
{
	enum { N = 1000000 };
	char *text = malloc(N);
	struct ts_error err = {""};
	struct jin_doc doc;
	char where[64];

	ck_assert_ptr_nonnull(text);
	memset(text, '[', N);
	ck_assert_int_eq(jin_doc_parse(&doc, DOC, text, N, &err), TS_EINVALID);
	snprintf(where, sizeof(where), DOC ":1:%d: ", JIN_DEPTH_MAX + 1);
	expect_text(&err, "deep", where);
	expect_text(&err, "deep", "nested deeper than the limit of 100 levels");
	ck_assert_ptr_null(doc.root);
	/* Brackets inside strings do not count; the limit itself is fine. */
	memset(text, '[', JIN_DEPTH_MAX);
	snprintf(text + JIN_DEPTH_MAX, 16, "\"[[[{{\"");
	memset(text + JIN_DEPTH_MAX + 7, ']', JIN_DEPTH_MAX);
	ck_assert_msg(jin_doc_parse(&doc, DOC, text, 2 * JIN_DEPTH_MAX + 7, &err) == 0, "%s",
		      err.msg);
	jin_doc_release(&doc);
	free(text);
}
END_TEST

/* A file over the 64 MiB limit is refused before it is read (a sparse
 * file: nothing is written). */
START_TEST(jsonin_file_size_limit)
{
	char *dir = tu_make_tmpdir(), path[4096];
	struct ts_error err = {""};
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/huge.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 64L * 1024 * 1024 + 1), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(jin_read_file(path, &text, &len, &err), TS_EINVALID);
	ck_assert_ptr_null(text);
	expect_text(&err, "huge", path);
	expect_text(&err, "huge", "file is 67108865 bytes, larger than the 67108864-byte limit");
	ck_assert_int_eq(tu_remove_tmpdir(dir), 0);
}
END_TEST

static Suite *jsonin_suite(void)
{
	Suite *s = suite_create("jsonin");
	TCase *tc = tcase_create("jsonin");

	tcase_add_loop_test(tc, jsonin_parse_rejects, 0, NROW(bad_text));
	tcase_add_test(tc, jsonin_parse_accepts);
	tcase_add_test(tc, jsonin_parse_part);
	tcase_add_test(tc, jsonin_keys_lists_allowed);
	tcase_add_loop_test(tc, jsonin_keys_unit_hint, 0, NROW(unit_cases));
	tcase_add_test(tc, jsonin_number_range);
	tcase_add_test(tc, jsonin_get_optional_and_required);
	tcase_add_test(tc, jsonin_integer_whole);
	tcase_add_test(tc, jsonin_string_length);
	tcase_add_test(tc, jsonin_long_value_is_shortened);
	tcase_add_test(tc, jsonin_enum_lists_names);
	tcase_add_test(tc, jsonin_bool_and_array);
	tcase_add_test(tc, jsonin_nested_paths);
	tcase_add_test(tc, jsonin_long_path_is_shortened);
	tcase_add_test(tc, jsonin_read_file_directory);
	tcase_add_test(tc, jsonin_read_file_missing);
	tcase_add_test(tc, jsonin_read_file_whole);
	tcase_add_test(tc, jsonin_many_keys_linear);
	tcase_add_test(tc, jsonin_deep_nesting_refused);
	tcase_add_test(tc, jsonin_file_size_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run(jsonin_suite());
}
