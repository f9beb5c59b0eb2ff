#include "lines.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"

int lines_open(struct lines *l, const char *file, struct ts_error *err)
{
	const char *nul;
	int rc;

	*l = (struct lines){.file = file};
	if ((rc = jin_read_file(file, &l->text, &l->len, err)) < 0)
		return rc;
	nul = memchr(l->text, '\0', l->len);
	if (nul != NULL) {
		size_t line = 1;

		for (const char *p = l->text; p < nul; p++)
			line += *p == '\n';
		return ts_error_set(err, TS_EINVALID, "%s:%zu: a NUL byte, expected a text file",
				    file, line);
	}
	return 0;
}

char *lines_next(struct lines *l)
{
	char *start, *nl;
	size_t n;

	if (l->pos >= l->len)
		return NULL;
	start = l->text + l->pos;
	nl = memchr(start, '\n', l->len - l->pos);
	n = nl != NULL ? (size_t)(nl - start) : l->len - l->pos;
	l->pos += n + (nl != NULL);
	start[n] = '\0';
	if (n > 0 && start[n - 1] == '\r')
		start[n - 1] = '\0';
	l->lineno++;
	return start;
}

void lines_release(struct lines *l)
{
	free(l->text);
	l->text = NULL;
	l->len = l->pos = 0;
}

int lines_fail(const struct lines *l, int status, struct ts_error *err, const char *fmt, ...)
{
	char text[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return ts_error_set(err, status, "%s:%zu: %s", l->file, l->lineno > 0 ? l->lineno : 1,
			    text);
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

const char *lines_untag(const char *s)
{
	s = skip_blanks(s);
	while (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			break;
		s = skip_blanks(close + 1);
	}
	return s;
}

const char *lines_after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	s = skip_blanks(s);
	return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

const char *lines_number(const char *s, double *out)
{
	char *end;
	double v;

	s = skip_blanks(s);
	/* strtod also takes hex, "inf" and "nan": only decimal text here. */
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '.' && isdigit((unsigned char)s[1])))
		return NULL;
	v = strtod(s, &end);
	if (!isfinite(v) || v < 0 || v > 1e12)
		return NULL;
	*out = v;
	return end;
}

void lines_quote(const char *s, char *out, size_t size)
{
	jin_excerpt(s, s + strnlen(s, 60), out, size);
}
