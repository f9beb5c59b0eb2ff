/* Allocation-failure injection, a library for tests loaded with
 * LD_PRELOAD into the tiersim program (tests/test_failalloc.c).
 *
 * It counts the calls of malloc, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc, memalign, strdup and strndup made by the
 * program and every library it uses (libc's own stdio, cJSON, GSL, nettle
 * all allocate through them) and passes them on to the next definition
 * (libc's).  The environment says what to do:
 *
 *   TIERSIM_FAIL_ALLOC=N        the N-th allocation (N >= 1) fails with
 *                               ENOMEM, and so does every later one
 *   TIERSIM_ALLOC_COUNT=1       at exit, write "tiersim-failalloc: K
 *                               allocations" to stderr
 *
 * Nothing fails once exit() has begun: LeakSanitizer's runtime, when it is
 * preloaded too, needs memory for its leak check then.
 *
 * realloc(p, 0) and free() are not counted: neither can fail in a way
 * tiersim must handle.  Allocations made before the library's constructor
 * ran (by the dynamic loader and libc's start-up) are not counted either.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*next_malloc)(size_t);
static void *(*next_calloc)(size_t, size_t);
static void *(*next_realloc)(void *, size_t);
static int (*next_posix_memalign)(void **, size_t, size_t);
static void *(*next_aligned_alloc)(size_t, size_t);
static void *(*next_memalign)(size_t, size_t);
static void (*next_free)(void *);

static unsigned long count;
static unsigned long fail_at;
static int report;
static int counting;

/* dlsym() may itself call malloc or calloc before the real ones are known:
 * such early requests are served from this buffer, and free() ignores
 * pointers into it. */
static _Alignas(max_align_t) char early[4096];
static size_t early_used;

static void *early_alloc(size_t n)
{
	size_t start = (early_used + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);

	if (start + n > sizeof(early))
		return NULL;
	early_used = start + n;
	return early + start;
}

/* At exit (before LeakSanitizer's check, which was registered earlier and
 * needs memory) allocations stop failing and the count is final. */
static void at_exit(void)
{
	counting = 0;
	if (report) {
		char line[64];
		int len =
		    snprintf(line, sizeof(line), "tiersim-failalloc: %lu allocations\n", count);

		(void)!write(STDERR_FILENO, line, (size_t)len);
	}
}

/* Finds libc's functions, on the first call of any of them. */
static void resolve(void)
{
	static int resolving;

	if (resolving || next_free != NULL)
		return;
	resolving = 1;
	*(void **)&next_malloc = dlsym(RTLD_NEXT, "malloc");
	*(void **)&next_calloc = dlsym(RTLD_NEXT, "calloc");
	*(void **)&next_realloc = dlsym(RTLD_NEXT, "realloc");
	*(void **)&next_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	*(void **)&next_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	*(void **)&next_memalign = dlsym(RTLD_NEXT, "memalign");
	*(void **)&next_free = dlsym(RTLD_NEXT, "free");
	resolving = 0;
}

__attribute__((constructor)) static void init(void)
{
	const char *n = getenv("TIERSIM_FAIL_ALLOC"), *rep = getenv("TIERSIM_ALLOC_COUNT");

	resolve();
	/* The next allocator may set itself up on its first call
	 * (LeakSanitizer's does, its other interceptors included): make it
	 * now, when it cannot fail. */
	next_free(next_malloc(1));
	fail_at = n != NULL ? strtoul(n, NULL, 10) : 0;
	report = rep != NULL && strcmp(rep, "1") == 0;
	count = 0;
	counting = atexit(at_exit) == 0;
}

/* Counts one allocation; true when it must fail. */
static int must_fail(void)
{
	if (!counting)
		return 0;
	count++;
	if (fail_at == 0 || count < fail_at)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *malloc(size_t n)
{
	resolve();
	if (next_malloc == NULL)
		return early_alloc(n);
	return must_fail() ? NULL : next_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	resolve();
	if (next_calloc == NULL) {
		void *p = n != 0 && size > SIZE_MAX / n ? NULL : early_alloc(n * size);

		return p == NULL ? NULL : memset(p, 0, n * size);
	}
	return must_fail() ? NULL : next_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	resolve();
	if (n == 0)
		return next_realloc(p, n);
	return must_fail() ? NULL : next_realloc(p, n);
}

void free(void *p)
{
	if ((char *)p >= early && (char *)p < early + sizeof(early))
		return;
	resolve();
	next_free(p);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (n != 0 && size > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	return must_fail() ? ENOMEM : next_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	return must_fail() ? NULL : next_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
	resolve();
	return must_fail() ? NULL : next_memalign(align, n);
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	return p == NULL ? NULL : memcpy(p, s, n);
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
