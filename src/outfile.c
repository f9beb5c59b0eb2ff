#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *join(const char *dir, const char *prefix, const char *name, const char *suffix)
{
	size_t n = strlen(dir) + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s%s%s", dir, prefix, name, suffix);
	return p;
}

int outfile_open(struct outfile *o, const char *dir, const char *name, struct ts_error *err)
{
	char suffix[32];
	int fd;

	memset(o, 0, sizeof(*o));
	snprintf(suffix, sizeof(suffix), ".tmp.%ld", (long)getpid());
	o->final_path = join(dir, "", name, "");
	o->tmp_path = join(dir, ".", name, suffix);
	if (o->final_path == NULL || o->tmp_path == NULL) {
		outfile_discard(o);
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	}
	fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd >= 0)
		o->f = fdopen(fd, "w");
	if (o->f == NULL) {
		int rc = ts_error_set(err, TS_EIO, "%s: cannot create: %s", o->tmp_path,
				      strerror(errno));

		if (fd >= 0)
			close(fd);
		outfile_discard(o);
		return rc;
	}
	return 0;
}

/* Syncs the directory that final_path (always "DIR/NAME") is in, so that
 * the rename into it survives a crash of the system, not only of tiersim. */
static int sync_dir(char *final_path)
{
	char *slash = strrchr(final_path, '/');
	int fd, rc;

	*slash = '\0';
	fd = open(slash == final_path ? "/" : final_path, O_RDONLY | O_DIRECTORY);
	*slash = '/';
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	/* Some file systems cannot sync a directory; the rename stands. */
	if (rc != 0 && errno == EINVAL)
		rc = 0;
	close(fd);
	return rc;
}

int outfile_commit(struct outfile *o, struct ts_error *err)
{
	int failed = fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0;
	int rc;

	failed |= fclose(o->f) != 0;
	o->f = NULL;
	if (failed || rename(o->tmp_path, o->final_path) != 0) {
		rc = ts_error_set(err, TS_EIO, "%s: cannot write: %s", o->final_path,
				  strerror(errno));
		outfile_discard(o);
		return rc;
	}
	rc = 0;
	if (sync_dir(o->final_path) != 0)
		rc = ts_error_set(err, TS_EIO, "%s: cannot sync its directory: %s", o->final_path,
				  strerror(errno));
	free(o->tmp_path);
	free(o->final_path);
	o->tmp_path = NULL;
	o->final_path = NULL;
	return rc;
}

void outfile_discard(struct outfile *o)
{
	if (o->f != NULL)
		fclose(o->f);
	if (o->tmp_path != NULL)
		unlink(o->tmp_path);
	free(o->tmp_path);
	free(o->final_path);
	memset(o, 0, sizeof(*o));
}

int outfile_mkdirs(const char *dir, struct ts_error *err)
{
	char *p = strdup(dir);

	if (p == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory");
	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			int rc = ts_error_set(err, TS_EIO, "%s: cannot create directory: %s", p,
					      strerror(errno));

			free(p);
			return rc;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return 0;
}

int outfile_open_json(struct outfile *o, const char *dir, const char *name, cJSON *doc,
		      struct ts_error *err)
{
	char *text = doc == NULL ? NULL : cJSON_Print(doc);
	int rc;

	cJSON_Delete(doc);
	if (text == NULL)
		return ts_error_set(err, TS_ENOMEM, "out of memory writing %s", name);
	rc = outfile_open(o, dir, name, err);
	if (rc == 0) {
		fputs(text, o->f);
		fputc('\n', o->f);
	}
	free(text);
	return rc;
}

bool outfile_json_add(cJSON *obj, const char *name, cJSON *item, bool *failed)
{
	bool ok = obj != NULL && item != NULL &&
		  (name == NULL ? cJSON_AddItemToArray(obj, item)
				: cJSON_AddItemToObject(obj, name, item));

	if (!ok) {
		cJSON_Delete(item);
		*failed = true;
	}
	return ok;
}

void outfile_format_double(double x, char *buf, size_t size)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, size, "%.*g", digits, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

char *outfile_split_path(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return strdup(".");
	}
	*base = slash + 1;
	return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}
