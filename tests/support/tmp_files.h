/*
 * Test support: a temporary directory of small files a test writes and the
 * teardown removes. Used as cmocka setup/teardown (the state is a
 * tmp_files *). Header-only so each test executable stays one source file.
 */
#ifndef MN_TEST_TMP_FILES_H
#define MN_TEST_TMP_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { TMP_FILES_MAX = 8, TMP_FILES_PATH = 160 };

typedef struct {
  char dir[64];
  char paths[TMP_FILES_MAX][TMP_FILES_PATH];
  int n;
} tmp_files;

static int tmp_files_setup(void **state) {
  tmp_files *tf = calloc(1, sizeof *tf);
  assert_non_null(tf);
  snprintf(tf->dir, sizeof tf->dir, "/tmp/mnlab_test_XXXXXX");
  assert_non_null(mkdtemp(tf->dir));
  *state = tf;
  return 0;
}

static int tmp_files_teardown(void **state) {
  tmp_files *tf = *state;
  for (int i = 0; i < tf->n; i++) {
    unlink(tf->paths[i]);
  }
  rmdir(tf->dir);
  free(tf);
  return 0;
}

/* Writes `text` to DIR/name and returns its path. */
static const char *tmp_files_write(tmp_files *tf, const char *name, const char *text) {
  assert_true(tf->n < TMP_FILES_MAX);
  char *path = tf->paths[tf->n++];
  char buf[TMP_FILES_PATH];
  int len = snprintf(buf, sizeof buf, "%s/%s", tf->dir, name);
  assert_true(len > 0 && len < TMP_FILES_PATH);
  memcpy(path, buf, sizeof buf);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

#endif /* MN_TEST_TMP_FILES_H */
