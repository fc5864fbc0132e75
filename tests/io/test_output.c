/*
 * Output plumbing: the time series table round-trips through CSV (NaN as an
 * empty cell), and output directories appear whole or not at all.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/outdir.h"
#include "io/table.h"

static char tmpdir[64];

static int make_tmp(void **state) {
  (void)state;
  strcpy(tmpdir, "/tmp/mnlab-out-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static void table_round_trips_through_csv(void **state) {
  (void)state;
  const char *names[] = {"time_h", "tewl_g_m2_h", "collagen_I"};
  mn_table *t = NULL;
  assert_int_equal(mn_table_create(&t, 3, names), 0);
  for (int i = 0; i < 1000; i++) {
    double row[3] = {i * 0.1, 10.0 + i, (i % 2) ? NAN : 1.0 / 3.0};
    assert_int_equal(mn_table_append(t, row), 0);
  }
  assert_int_equal(mn_table_rows(t), 1000);
  assert_int_equal(mn_table_find(t, "tewl_g_m2_h"), 1);
  assert_int_equal(mn_table_find(t, "nope"), -1);
  assert_true(isnan(mn_table_get(t, 1000, 0)));
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/ts.csv", tmpdir);
  assert_int_equal(mn_table_write_csv(t, path, err, sizeof err), 0);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[256];
  assert_non_null(fgets(line, sizeof line, f));
  assert_string_equal(line, "time_h,tewl_g_m2_h,collagen_I\n");
  for (int i = 0; i < 1000; i++) {
    assert_non_null(fgets(line, sizeof line, f));
    double a, b, c;
    if (i % 2) {
      assert_int_equal(sscanf(line, "%lf,%lf,", &a, &b), 2);
      assert_true(line[strlen(line) - 2] == ','); /* empty last cell */
    } else {
      assert_int_equal(sscanf(line, "%lf,%lf,%lf", &a, &b, &c), 3);
      assert_true(fabs(c - 1.0 / 3.0) < 1e-8);
    }
    assert_true(fabs(a - i * 0.1) < 1e-9 * (1 + a));
    assert_true(fabs(b - (10.0 + i)) < 1e-9 * b);
  }
  assert_null(fgets(line, sizeof line, f));
  fclose(f);
  remove(path);
  mn_table_destroy(&t);
  assert_null(t);
}

static void new_outdir_appears_only_on_commit(void **state) {
  (void)state;
  char target[128], file[256], err[256];
  snprintf(target, sizeof target, "%s/run1", tmpdir);
  mn_outdir o;
  assert_int_equal(mn_outdir_begin(&o, target, err, sizeof err), 0);
  FILE *f = fopen(mn_outdir_path(&o, "summary.json", file, sizeof file), "w");
  assert_non_null(f);
  fputs("{}\n", f);
  fclose(f);
  assert_false(exists(target)); /* not before the commit */
  assert_int_equal(mn_outdir_commit(&o, err, sizeof err), 0);
  snprintf(file, sizeof file, "%s/summary.json", target);
  assert_true(exists(file));
  remove(file);
  rmdir(target);
}

static void aborted_outdir_leaves_nothing(void **state) {
  (void)state;
  char target[128], file[256], err[256];
  snprintf(target, sizeof target, "%s/run2", tmpdir);
  mn_outdir o;
  assert_int_equal(mn_outdir_begin(&o, target, err, sizeof err), 0);
  char staging[256];
  snprintf(staging, sizeof staging, "%s", o.staging);
  FILE *f = fopen(mn_outdir_path(&o, "half.csv", file, sizeof file), "w");
  assert_non_null(f);
  fputs("time_h\n1", f);
  fclose(f);
  /* a subdirectory with a file, as a run's fields/ or a compare's a/ */
  char sub[300], subfile[320];
  snprintf(sub, sizeof sub, "%s/fields", staging);
  assert_int_equal(mkdir(sub, 0755), 0);
  snprintf(subfile, sizeof subfile, "%s/s1.h5", sub);
  f = fopen(subfile, "w");
  assert_non_null(f);
  fputs("x", f);
  fclose(f);
  mn_outdir_abort(&o);
  assert_false(exists(target));
  assert_false(exists(staging));
}

static void existing_outdir_is_reused(void **state) {
  (void)state;
  char target[128], err[256];
  snprintf(target, sizeof target, "%s/run3", tmpdir);
  assert_int_equal(mkdir(target, 0777), 0);
  mn_outdir o;
  assert_int_equal(mn_outdir_begin(&o, target, err, sizeof err), 0);
  assert_string_equal(o.staging, target);
  assert_int_equal(mn_outdir_commit(&o, err, sizeof err), 0);
  assert_true(exists(target));
  rmdir(target);
  /* A file where the directory should be is an error naming it. */
  FILE *f = fopen(target, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_not_equal(mn_outdir_begin(&o, target, err, sizeof err), 0);
  assert_non_null(strstr(err, target));
  remove(target);
}

/* A staging directory with a file and a subdirectory, named for `pid`. */
static void make_partial(char *path, size_t n, const char *target, long pid) {
  snprintf(path, n, "%s.partial-%ld", target, pid);
  assert_int_equal(mkdir(path, 0755), 0);
  char sub[300], file[320];
  snprintf(sub, sizeof sub, "%s/fields", path);
  assert_int_equal(mkdir(sub, 0755), 0);
  snprintf(file, sizeof file, "%s/s1.h5", sub);
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fputs("x", f);
  fclose(f);
}

/* A run killed before renaming its staging directory leaves DIR.partial-PID
 * beside DIR; the next run into DIR removes it once its process is gone, and
 * leaves a live run's alone, and another target's. */
static void killed_runs_staging_is_swept(void **state) {
  (void)state;
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    _exit(0);
  }
  assert_int_equal(waitpid(child, NULL, 0), child);
  char target[128], other[128], dead[256], live[256], dead_other[256], err[256];
  snprintf(target, sizeof target, "%s/run4", tmpdir);
  snprintf(other, sizeof other, "%s/run4b", tmpdir);
  make_partial(dead, sizeof dead, target, (long)child);
  make_partial(live, sizeof live, target, (long)getppid());
  make_partial(dead_other, sizeof dead_other, other, (long)child);
  mn_outdir o;
  assert_int_equal(mn_outdir_begin(&o, target, err, sizeof err), 0);
  assert_false(exists(dead));
  assert_true(exists(live));
  assert_true(exists(dead_other));
  mn_outdir_abort(&o);
  assert_false(exists(target));
  /* tidy: the two left were never the code's to remove */
  char p[400];
  const char *left[] = {live, dead_other};
  for (int i = 0; i < 2; i++) {
    snprintf(p, sizeof p, "%s/fields/s1.h5", left[i]);
    remove(p);
    snprintf(p, sizeof p, "%s/fields", left[i]);
    rmdir(p);
    rmdir(left[i]);
  }
}

static int remove_tmp(void **state) {
  (void)state;
  return rmdir(tmpdir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_round_trips_through_csv),
      cmocka_unit_test(new_outdir_appears_only_on_commit),
      cmocka_unit_test(aborted_outdir_leaves_nothing),
      cmocka_unit_test(existing_outdir_is_reused),
      cmocka_unit_test(killed_runs_staging_is_swept),
  };
  return cmocka_run_group_tests(tests, make_tmp, remove_tmp);
}
