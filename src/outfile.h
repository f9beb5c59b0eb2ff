/* Result files written atomically: to a temporary name in the target
 * directory, then flushed, synced and renamed, so an interrupted run never
 * leaves a half-written file under its final name. */
#ifndef TIERSIM_OUTFILE_H
#define TIERSIM_OUTFILE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "status.h"

struct outfile {
	FILE *f; /* write through this */
	char *final_path;
	char *tmp_path;
};

/* Opens DIR/NAME's temporary file. */
int outfile_open(struct outfile *o, const char *dir, const char *name, struct ts_error *err);

/* Flushes, syncs, closes and renames to the final name. */
int outfile_commit(struct outfile *o, struct ts_error *err);

/* Closes and deletes the temporary file; safe on a zeroed or committed
 * outfile. */
void outfile_discard(struct outfile *o);

/* Prints doc (which it frees, and which is NULL when its building ran out
 * of memory) into the temporary file of DIR/NAME; outfile_commit()
 * renames it. */
int outfile_open_json(struct outfile *o, const char *dir, const char *name, cJSON *doc,
		      struct ts_error *err);

/* Adds item to the object obj under name, or to the array obj when name is
 * NULL, and returns true.  When obj or item is NULL (a failed allocation
 * before) or the addition fails, it frees item, sets *failed and returns
 * false.  Result documents are built with it and with cJSON_Add*ToObject,
 * whose NULL sets *failed too, so that a document missing a part after an
 * allocation failed is never written. */
bool outfile_json_add(cJSON *obj, const char *name, cJSON *item, bool *failed);

/* The shortest "%.*g" text of x that reads back as exactly x. */
void outfile_format_double(double x, char *buf, size_t size);

/* The directory part of path (malloc'd, the caller frees it; "." when
 * there is none; NULL when out of memory) and, in *base, its last
 * component, for outfile_open(). */
char *outfile_split_path(const char *path, const char **base);

/* Creates `dir` and its missing parents (mode 0777 less the umask). */
int outfile_mkdirs(const char *dir, struct ts_error *err);

#endif
