#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ts_strstatus(int status)
{
	switch (status) {
#define TS_STATUS_TEXT(name, value, exit_code, text)                                               \
	case value:                                                                                \
		return text;
		TS_STATUS_MAP(TS_STATUS_TEXT)
#undef TS_STATUS_TEXT
	}
	return "unknown status";
}

int ts_status_exit(int status)
{
	switch (status) {
#define TS_STATUS_EXIT(name, value, exit_code, text)                                               \
	case value:                                                                                \
		return exit_code;
		TS_STATUS_MAP(TS_STATUS_EXIT)
#undef TS_STATUS_EXIT
	}
	return TS_EXIT_RUNTIME;
}

int ts_error_set(struct ts_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

void ts_error_prefix(struct ts_error *err, const char *fmt, ...)
{
	char prefix[512];
	char old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* A message too long for the buffer is cut, never overrun. */
	if (snprintf(err->msg, sizeof(err->msg), "%s%s", prefix, old) >= (int)sizeof(err->msg))
		err->msg[sizeof(err->msg) - 1] = '\0';
}
