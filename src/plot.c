#include "plot.h"

#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void plot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	}
	fputc('\'', f);
}

char *plot_find_on_path(const char *name)
{
	const char *p = getenv("PATH");

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, ":");
		char *cand = malloc(len + strlen(name) + 3);

		if (cand == NULL)
			return NULL;
		/* An empty PATH entry means the working directory. */
		sprintf(cand, "%.*s/%s", len == 0 ? 1 : (int)len, len == 0 ? "." : p, name);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += len + (p[len] == ':');
	}
	return NULL;
}

/* Appends name='value' (with ' doubled) at p; returns the new end. */
static char *append_assign(char *p, const char *name, const char *value)
{
	p += sprintf(p, "%s='", name);
	for (; *value != '\0'; value++) {
		if (*value == '\'')
			*p++ = '\'';
		*p++ = *value;
	}
	return p + sprintf(p, "'");
}

int plot_render(const char *gnuplot, const char *script, const char *term, struct outfile *image,
		struct ts_error *err)
{
	size_t n = strlen(image->tmp_path) * 2 + (term != NULL ? strlen(term) * 2 : 0) + 32;
	char *assign = malloc(n), *p;
	char *argv[] = {"gnuplot", "-e", assign, (char *)script, NULL};
	pid_t pid;
	int rc, status;

	if (assign == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	p = append_assign(assign, "out", image->tmp_path);
	if (term != NULL)
		append_assign(p + sprintf(p, "; "), "term", term);
	rc = posix_spawn(&pid, gnuplot, NULL, NULL, argv, environ);
	free(assign);
	if (rc != 0)
		return ts_error_set(err, TS_ERUNTIME, "cannot start %s: %s", gnuplot, strerror(rc));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ts_error_set(err, TS_ERUNTIME, "waiting for gnuplot: %s",
					    strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ts_error_set(err, TS_ERUNTIME, "gnuplot failed on %s", script);
	return outfile_commit(image, err);
}
