/*
 * Atomic output files: write to a temporary file beside the target, then
 * rename it over the target once complete. A run that is killed or fails
 * half-way leaves either the old file or none, never a truncated one.
 */
#ifndef MN_IO_ATOMIC_H
#define MN_IO_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
  FILE *f;        /* write through this */
  char *path;     /* the target */
  char *tmp_path; /* the temporary beside it */
} mn_atomic_file;

enum { MN_ATOMIC_OK = 0, MN_ATOMIC_EIO = -1, MN_ATOMIC_ENOMEM = -2 };

int mn_atomic_open(mn_atomic_file *a, const char *path, char *err, size_t errlen);
/* Flushes, syncs and renames into place; the handle is closed either way. */
int mn_atomic_commit(mn_atomic_file *a, char *err, size_t errlen);
/* Discards the temporary; the target is untouched. */
void mn_atomic_abort(mn_atomic_file *a);

/* For writers that open their files themselves (HDF5): the temporary's
 * name beside path (NAME.tmp.PID, as mn_atomic_open uses), and, once the
 * writer has closed it, its sync and rename over path (the temporary is
 * removed if that fails). */
int mn_atomic_temp_name(const char *path, char *buf, size_t buflen);
int mn_atomic_publish(const char *tmp_path, const char *path, char *err, size_t errlen);

#endif /* MN_IO_ATOMIC_H */
