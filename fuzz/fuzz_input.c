#include "fuzz_input.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[4096];
static char file[4200];

/* Links DIR/rel to SOURCE_ROOT/target. */
static void link_source(const char *rel, const char *target)
{
	char from[4200], to[4200];

	snprintf(from, sizeof(from), "%s/%s", dir, rel);
	snprintf(to, sizeof(to), "%s/%s", TIERSIM_DATADIR, target);
	if (symlink(to, from) != 0) {
		perror(from);
		abort();
	}
}

static void remove_dir(void)
{
	static const char *const links[] = {"a/profiles", "a/data", "a/traces", "data", "traces"};
	char p[4200];

	DIR *d;
	struct dirent *e;

	/* The inputs and whatever a harness wrote beside them. */
	snprintf(p, sizeof(p), "%s/a/b", dir);
	d = opendir(p);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char f[4500];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(f, sizeof(f), "%s/%s", p, e->d_name);
		unlink(f);
	}
	if (d != NULL)
		closedir(d);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, links[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/a/b", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/a", dir);
	rmdir(p);
	rmdir(dir);
}

static void make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[4200];

	snprintf(dir, sizeof(dir), "%s/tiersim-fuzz-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		abort();
	}
	snprintf(p, sizeof(p), "%s/a", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/a/b", dir);
	mkdir(p, 0700);
	link_source("a/profiles", "tests/data/profiles");
	link_source("a/data", "tests/data");
	link_source("a/traces", "tests/data/traces");
	link_source("data", "tests/data");
	link_source("traces", "traces");
	atexit(remove_dir);
}

const char *fuzz_input_file(const char *name, const uint8_t *data, size_t size)
{
	FILE *f;

	if (dir[0] == '\0')
		make_dir();
	snprintf(file, sizeof(file), "%s/a/b/%s", dir, name);
	f = fopen(file, "wb");
	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(file);
		abort();
	}
	return file;
}

void fuzz_require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz: check failed: %s\n", what);
		abort();
	}
}

void fuzz_explain(int rc, const struct ts_error *err)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("TIERSIM_FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "fuzz: %s%s%s\n", ts_strstatus(rc), rc < 0 ? ": " : "",
			rc < 0 ? err->msg : "");
}
