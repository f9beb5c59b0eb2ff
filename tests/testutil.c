#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	gsl_set_error_handler_off();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- files and directories ---- */

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096;
	char *text;

	if (f == NULL)
		return NULL;
	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (;;) {
		n += fread(text + n, 1, cap - 1 - n, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		text = realloc(text, cap);
		ck_assert_ptr_nonnull(text);
	}
	ck_assert_msg(!ferror(f), "read %s failed", path);
	fclose(f);
	text[n] = '\0';
	if (len != NULL)
		*len = n;
	return text;
}

void tu_source_path(char *buf, size_t size, const char *rel)
{
	const char *root = getenv("TIERSIM_SOURCE_ROOT");
	int n;

	ck_assert_msg(root != NULL, "TIERSIM_SOURCE_ROOT is not set");
	n = snprintf(buf, size, "%s/%s", root, rel);
	ck_assert_msg(n >= 0 && (size_t)n < size, "path too long: %s/%s", root, rel);
}

char *tu_make_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *base = tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp";
	size_t size = strlen(base) + sizeof("/tiersim-test-XXXXXX");
	char *dir = malloc(size);

	ck_assert_ptr_nonnull(dir);
	snprintf(dir, size, "%s/tiersim-test-XXXXXX", base);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

/* Removes path and, for a directory, what is below it; 0 when gone. */
static int remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 ? 0 : -1;
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t size;
		char *sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size = strlen(path) + strlen(e->d_name) + 2;
		sub = malloc(size);
		if (sub == NULL) {
			rc = -1;
			break;
		}
		snprintf(sub, size, "%s/%s", path, e->d_name);
		if (remove_tree(sub) != 0)
			rc = -1;
		free(sub);
	}
	closedir(d);
	if (rmdir(path) != 0)
		rc = -1;
	return rc;
}

int tu_remove_tmpdir(char *dir)
{
	int rc;

	if (dir == NULL)
		return 0;
	rc = remove_tree(dir);
	free(dir);
	return rc;
}

/* ---- running the built tiersim ---- */

/* A growing, NUL-terminated buffer of what a pipe gave. */
struct sink {
	char **buf;
	size_t *n, cap;
};

/* Appends what fd has to offer to s; false at end of file. */
static bool drain(int fd, struct sink *s)
{
	char chunk[4096];
	ssize_t got = read(fd, chunk, sizeof(chunk));

	if (got < 0 && errno == EINTR)
		return true;
	ck_assert_msg(got >= 0, "read: %s", strerror(errno));
	if (got == 0)
		return false;
	if (*s->n + (size_t)got + 1 > s->cap) {
		while (*s->n + (size_t)got + 1 > s->cap)
			s->cap *= 2;
		*s->buf = realloc(*s->buf, s->cap);
		ck_assert_ptr_nonnull(*s->buf);
	}
	memcpy(*s->buf + *s->n, chunk, (size_t)got);
	*s->n += (size_t)got;
	(*s->buf)[*s->n] = '\0';
	return true;
}

void tu_spawn(const char *const *args, struct tu_proc *p)
{
	tu_spawn_with(NULL, args, p);
}

void tu_spawn_with(const char *const *wrapper, const char *const *args, struct tu_proc *p)
{
	const char *bin = getenv("TIERSIM_BIN");
	posix_spawn_file_actions_t fa;
	int out_pipe[2], err_pipe[2];
	struct pollfd fds[2];
	struct sink sinks[2] = {{&p->out, &p->n_out, 4096}, {&p->err, &p->n_err, 4096}};
	int open_fds = 2, status, rc;
	size_t argc = 0, n_wrap = 0;
	char **argv;
	pid_t pid;

	ck_assert_msg(bin != NULL, "TIERSIM_BIN is not set");
	memset(p, 0, sizeof(*p));
	p->out = calloc(1, sinks[0].cap);
	p->err = calloc(1, sinks[1].cap);
	ck_assert(p->out != NULL && p->err != NULL);
	while (args[argc] != NULL)
		argc++;
	while (wrapper != NULL && wrapper[n_wrap] != NULL)
		n_wrap++;
	argv = calloc(n_wrap + argc + 2, sizeof(*argv));
	ck_assert_ptr_nonnull(argv);
	for (size_t i = 0; i < n_wrap; i++)
		argv[i] = (char *)wrapper[i];
	argv[n_wrap] = (char *)bin;
	for (size_t i = 0; i < argc; i++)
		argv[n_wrap + i + 1] = (char *)args[i];
	ck_assert_int_eq(pipe(out_pipe), 0);
	ck_assert_int_eq(pipe(err_pipe), 0);
	ck_assert_int_eq(posix_spawn_file_actions_init(&fa), 0);
	ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO), 0);
	ck_assert_int_eq(posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO), 0);
	ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, out_pipe[0]), 0);
	ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, out_pipe[1]), 0);
	ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, err_pipe[0]), 0);
	ck_assert_int_eq(posix_spawn_file_actions_addclose(&fa, err_pipe[1]), 0);
	rc = n_wrap > 0 ? posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)
			: posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	close(out_pipe[1]);
	close(err_pipe[1]);
	if (rc != 0) {
		close(out_pipe[0]);
		close(err_pipe[0]);
	}
	ck_assert_msg(rc == 0, "cannot start %s: %s", n_wrap > 0 ? wrapper[0] : bin, strerror(rc));

	/* Both pipes are read as they fill, so neither stream can block the
	 * child. */
	fds[0] = (struct pollfd){.fd = out_pipe[0], .events = POLLIN};
	fds[1] = (struct pollfd){.fd = err_pipe[0], .events = POLLIN};
	while (open_fds > 0) {
		if (poll(fds, 2, -1) < 0) {
			ck_assert_msg(errno == EINTR, "poll: %s", strerror(errno));
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			if (!drain(fds[i].fd, &sinks[i])) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0)
		ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
	p->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void tu_proc_release(struct tu_proc *p)
{
	free(p->out);
	free(p->err);
	memset(p, 0, sizeof(*p));
}
