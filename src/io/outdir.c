/*
 * Output directories; see outdir.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d != NULL) {
    memcpy(d, s, n);
  }
  return d;
}

static void release(mn_outdir *o) {
  free(o->target);
  free(o->staging);
  memset(o, 0, sizeof *o);
}

static void sweep_partials(const char *target);

int mn_outdir_begin(mn_outdir *o, const char *target, char *err, size_t errlen) {
  memset(o, 0, sizeof *o);
  sweep_partials(target); /* staging directories of killed runs into the same DIR */
  o->target = dup_str(target);
  if (o->target == NULL) {
    snprintf(err, errlen, "%s: out of memory", target);
    return MN_OUTDIR_ENOMEM;
  }
  struct stat st;
  if (stat(target, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "%s: exists and is not a directory", target);
      release(o);
      return MN_OUTDIR_EIO;
    }
    o->staging = dup_str(target);
    o->staged = 0;
    mn_outdir_sweep(target); /* what killed runs left */
  } else {
    size_t n = strlen(target) + 40;
    o->staging = malloc(n);
    if (o->staging != NULL) {
      snprintf(o->staging, n, "%s.partial-%ld", target, (long)getpid());
    }
    o->staged = 1;
    if (o->staging == NULL || mkdir(o->staging, 0777) != 0) {
      snprintf(err, errlen, "%s: cannot create: %s", target,
               o->staging ? strerror(errno) : "out of memory");
      release(o);
      return MN_OUTDIR_EIO;
    }
  }
  return MN_OUTDIR_OK;
}

const char *mn_outdir_path(const mn_outdir *o, const char *name, char *buf, size_t buflen) {
  snprintf(buf, buflen, "%s/%s", o->staging, name);
  return buf;
}

int mn_outdir_commit(mn_outdir *o, char *err, size_t errlen) {
  if (o->staged && rename(o->staging, o->target) != 0) {
    snprintf(err, errlen, "%s: cannot move results into place: %s", o->target, strerror(errno));
    mn_outdir_abort(o);
    return MN_OUTDIR_EIO;
  }
  release(o);
  return MN_OUTDIR_OK;
}

/* Removes a staging directory with what it holds: plain files and the
 * subdirectories a run makes (fields/, a compare's a/ and b/), never
 * following a symbolic link; `depth` bounds the descent. */
enum { STAGING_DEPTH_MAX = 4 };

/* "dir/name", malloc'ed; NULL when out of memory. */
static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p != NULL) {
    snprintf(p, n, "%s/%s", dir, name);
  }
  return p;
}

/* 1 for a directory itself, not a symbolic link to one. */
static int is_dir(const char *p) {
  struct stat st;
  return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void remove_tree(const char *dir, int depth) {
  DIR *d = opendir(dir);
  if (d != NULL) {
    for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
        continue;
      }
      char *p = join_path(dir, de->d_name);
      if (p != NULL) {
        if (is_dir(p) && depth < STAGING_DEPTH_MAX) {
          remove_tree(p, depth + 1);
        } else {
          remove(p);
        }
        free(p);
      }
    }
    closedir(d);
  }
  rmdir(dir);
}

void mn_outdir_abort(mn_outdir *o) {
  if (o->staged && o->staging != NULL) {
    remove_tree(o->staging, 0);
  }
  release(o);
}

/* A process id written in decimal to the end of the string, or 0. */
static long parse_pid(const char *digits) {
  long pid = 0;
  for (const char *c = digits; *c != '\0'; c++) {
    if (*c < '0' || *c > '9' || pid > 100000000L) {
      return 0;
    }
    pid = pid * 10 + (*c - '0');
  }
  return digits[0] != '\0' ? pid : 0;
}

/* The process id of a temporary's name (NAME.tmp.PID), or 0. */
static long temp_owner(const char *name) {
  const char *tag = strstr(name, ".tmp.");
  return tag != NULL && tag != name ? parse_pid(tag + 5) : 0;
}

/* 1 when the process that owns a temporary is gone (it cannot finish it). */
static int owner_gone(long pid) {
  if (pid <= 0 || pid == (long)getpid()) {
    return 0;
  }
  return kill((pid_t)pid, 0) != 0 && errno == ESRCH; /* EPERM: another user's live process */
}

/* A run killed before it renamed its staging directory (TARGET.partial-PID)
 * into place leaves it beside TARGET; the next run into TARGET removes those
 * whose process is gone. */
static void sweep_partials(const char *target) {
  const char *slash = strrchr(target, '/');
  size_t plen = slash != NULL ? (size_t)(slash - target) : 0;
  const char *base = slash != NULL ? slash + 1 : target;
  char *parent = malloc(plen + 2);
  if (parent == NULL || base[0] == '\0') {
    free(parent);
    return;
  }
  if (slash == NULL) {
    strcpy(parent, ".");
  } else if (plen == 0) {
    strcpy(parent, "/");
  } else {
    memcpy(parent, target, plen);
    parent[plen] = '\0';
  }
  DIR *d = opendir(parent);
  if (d != NULL) {
    size_t blen = strlen(base);
    for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
      if (strncmp(de->d_name, base, blen) != 0 || strncmp(de->d_name + blen, ".partial-", 9) != 0 ||
          !owner_gone(parse_pid(de->d_name + blen + 9))) {
        continue;
      }
      char *p = join_path(parent, de->d_name);
      if (p != NULL && is_dir(p)) {
        remove_tree(p, 0);
      }
      free(p);
    }
    closedir(d);
  }
  free(parent);
}

int mn_outdir_sweep(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    return 0;
  }
  int removed = 0;
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    if (!owner_gone(temp_owner(de->d_name))) {
      continue; /* not a temporary, or its writer still runs */
    }
    char *p = join_path(dir, de->d_name);
    removed += p != NULL && remove(p) == 0;
    free(p);
  }
  closedir(d);
  return removed;
}
