/*
 * Recursive parameter loading; see params_tree.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/params_tree.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Folders of data/ that are not parameter files. */
static const char *const skipped[] = {"protocols", "validation"};

static int is_skipped(const char *name) {
  for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
    if (strcmp(name, skipped[i]) == 0) {
      return 1;
    }
  }
  return name[0] == '.';
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int mn_params_load_tree(mn_params *t, const char *root, char *err, size_t errlen) {
  int rc = mn_params_load_dir(t, root, err, errlen);
  if (rc != 0) {
    return rc;
  }
  DIR *d = opendir(root);
  if (d == NULL) {
    snprintf(err, errlen, "%s: %s", root, strerror(errno));
    return MN_PARAMS_EIO;
  }
  char **subs = NULL;
  size_t n = 0, cap = 0;
  rc = 0;
  for (struct dirent *de = readdir(d); de != NULL && rc == 0; de = readdir(d)) {
    if (is_skipped(de->d_name)) {
      continue;
    }
    size_t len = strlen(root) + strlen(de->d_name) + 2;
    char *path = malloc(len);
    if (path == NULL) {
      rc = MN_PARAMS_ENOMEM;
      break;
    }
    snprintf(path, len, "%s/%s", root, de->d_name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
      free(path);
      continue;
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 16;
      char **p = realloc(subs, cap * sizeof *p);
      if (p == NULL) {
        free(path);
        rc = MN_PARAMS_ENOMEM;
        break;
      }
      subs = p;
    }
    subs[n++] = path;
  }
  closedir(d);
  if (rc == MN_PARAMS_ENOMEM) {
    snprintf(err, errlen, "%s: out of memory", root);
  }
  if (n > 1) {
    qsort(subs, n, sizeof *subs, cmp_str);
  }
  for (size_t i = 0; i < n && rc == 0; i++) {
    rc = mn_params_load_tree(t, subs[i], err, errlen);
  }
  for (size_t i = 0; i < n; i++) {
    free(subs[i]);
  }
  free(subs);
  return rc;
}
