/*
 * Atomic output files; see atomic.h. The temporary name carries the process
 * id so two runs writing the same target do not share a temporary.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mn_atomic_open(mn_atomic_file *a, const char *path, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  size_t n = strlen(path) + 32;
  a->path = strdup(path);
  a->tmp_path = malloc(n);
  if (a->path == NULL || a->tmp_path == NULL) {
    free(a->path);
    free(a->tmp_path);
    snprintf(err, errlen, "%s: out of memory", path);
    return MN_ATOMIC_ENOMEM;
  }
  mn_atomic_temp_name(path, a->tmp_path, n);
  a->f = fopen(a->tmp_path, "w");
  if (a->f == NULL) {
    snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    free(a->path);
    free(a->tmp_path);
    memset(a, 0, sizeof *a);
    return MN_ATOMIC_EIO;
  }
  return MN_ATOMIC_OK;
}

static void release(mn_atomic_file *a) {
  free(a->path);
  free(a->tmp_path);
  memset(a, 0, sizeof *a);
}

int mn_atomic_commit(mn_atomic_file *a, char *err, size_t errlen) {
  int ok = fflush(a->f) == 0 && !ferror(a->f) && fsync(fileno(a->f)) == 0;
  int saved = errno;
  ok = (fclose(a->f) == 0) && ok;
  a->f = NULL;
  if (ok && rename(a->tmp_path, a->path) == 0) {
    release(a);
    return MN_ATOMIC_OK;
  }
  if (ok) {
    saved = errno;
  }
  snprintf(err, errlen, "%s: cannot write: %s", a->path, strerror(saved));
  remove(a->tmp_path);
  release(a);
  return MN_ATOMIC_EIO;
}

void mn_atomic_abort(mn_atomic_file *a) {
  if (a->f != NULL) {
    fclose(a->f);
    remove(a->tmp_path);
  }
  release(a);
}

int mn_atomic_temp_name(const char *path, char *buf, size_t buflen) {
  int n = snprintf(buf, buflen, "%s.tmp.%ld", path, (long)getpid());
  return n > 0 && (size_t)n < buflen ? MN_ATOMIC_OK : MN_ATOMIC_EIO;
}

int mn_atomic_publish(const char *tmp_path, const char *path, char *err, size_t errlen) {
  int fd = open(tmp_path, O_RDONLY);
  int ok = fd >= 0 && fsync(fd) == 0;
  int saved = errno;
  if (fd >= 0) {
    close(fd);
  }
  if (ok && rename(tmp_path, path) == 0) {
    return MN_ATOMIC_OK;
  }
  if (ok) {
    saved = errno;
  }
  snprintf(err, errlen, "%s: cannot write: %s", path, strerror(saved));
  remove(tmp_path);
  return MN_ATOMIC_EIO;
}
