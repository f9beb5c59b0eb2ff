/* Reading a text file line by line, for the vendor-output importers.
 *
 * The whole file (at most 64 MiB, jin_read_file) is read into memory and
 * cut into lines in place: "\n" and "\r\n" both end a line, the last line
 * may lack one, and a NUL byte inside the file is an error (these are
 * text files).  Lines may be of any length.  Errors name the file and the
 * 1-based line number, "FILE:LINE: ...".
 */
#ifndef TIERSIM_LINES_H
#define TIERSIM_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

struct lines {
	const char *file; /* borrowed, for messages */
	char *text;	  /* owned */
	size_t len, pos;
	size_t lineno; /* of the line last returned; 0 before the first */
};

/* Reads `file`; release with lines_release() whatever it returns. */
int lines_open(struct lines *l, const char *file, struct ts_error *err);

/* The next line (NUL-terminated, without its end of line; owned by l), or
 * NULL at the end of the file. */
char *lines_next(struct lines *l);

/* Frees the text; safe on a zeroed or released reader. */
void lines_release(struct lines *l);

/* Writes "FILE:LINE: " and the formatted text into err and returns
 * status; LINE is the line last returned (the last line at the end of the
 * file). */
int lines_fail(const struct lines *l, int status, struct ts_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Skips leading blanks and any "[...]" tags before the text (console log
 * prefixes such as "[07/07/2026-02:11:29] [I] " or "[ INFO ] "). */
const char *lines_untag(const char *s);

/* When s starts with `prefix` (after blanks), returns what follows it,
 * else NULL. */
const char *lines_after(const char *s, const char *prefix);

/* Reads a finite number in [0, 1e12] at s (after blanks, C locale, exponent
 * form allowed) into *out and returns the text after it, or NULL. */
const char *lines_number(const char *s, double *out);

/* Copies at most 60 bytes of s for a message, with control characters
 * shown as '?'. */
void lines_quote(const char *s, char *out, size_t size);

#endif
