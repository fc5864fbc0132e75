/*
 * Validation case files (data/validation/): every shipped case loads and
 * says whether it is a calibration or a check; a malformed case is refused
 * with the file, line and key named; metric expressions read summary.json
 * figures, sums across stages included.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/validation.h"

static char path[64];

static int make_tmp(void **state) {
  (void)state;
  strcpy(path, "/tmp/mnlab-case-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) {
    return -1;
  }
  close(fd);
  return 0;
}

static int remove_tmp(void **state) {
  (void)state;
  unlink(path);
  return 0;
}

static const char *GOOD = "case: c1\n"
                          "protocol: default.yaml\n"
                          "metric: barrier.tewl_recovery_h\n"
                          "measured: 4.5\n"
                          "accept: [4.0, 5.0]\n"
                          "tolerance: \"the paper's range\"\n"
                          "source: \"A paper\"\n";

/* Writes GOOD with `extra` lines after it and loads the file. */
static int load_with(const char *extra, mn_validation_case *c, char *err, size_t errlen) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(GOOD, f);
  fputs(extra, f);
  fclose(f);
  return mn_validation_case_load(c, path, err, errlen);
}

static void shipped_cases_load_with_a_role(void **state) {
  (void)state;
  mn_validation_case *cases = NULL;
  size_t n = 0;
  char err[512] = "";
  int rc = mn_validation_cases_load(MN_DATA_DIR "/validation", &cases, &n, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  assert_true(n >= 13);
  int checks = 0;
  for (size_t i = 0; i < n; i++) {
    checks += !cases[i].calibration;
  }
  /* nothing was fitted to the Puri pen cases at 500 um */
  assert_true(checks >= 2);
  free(cases);
}

static void role_is_required_and_checked(void **state) {
  (void)state;
  mn_validation_case c;
  char err[512];
  assert_int_equal(load_with("role: calibration\n", &c, err, sizeof err), 0);
  assert_int_equal(c.calibration, 1);
  assert_string_equal(c.name, "c1");
  assert_true(c.accept_lo == 4.0 && c.accept_hi == 5.0);
  assert_int_equal(load_with("role: check\n", &c, err, sizeof err), 0);
  assert_int_equal(c.calibration, 0);

  assert_int_equal(load_with("", &c, err, sizeof err), MN_VALIDATION_ESCHEMA);
  assert_non_null(strstr(err, "role: missing"));
  assert_non_null(strstr(err, path));

  assert_int_equal(load_with("role: fitted\n", &c, err, sizeof err), MN_VALIDATION_ESCHEMA);
  assert_non_null(strstr(err, ":8: role: 'fitted' is not valid here (calibration or check)"));

  assert_int_equal(load_with("role: check\nrole: check\n", &c, err, sizeof err),
                   MN_VALIDATION_ESCHEMA);
  assert_non_null(strstr(err, ":9: role: given twice"));

  assert_int_equal(load_with("role: check\nweight: 2\n", &c, err, sizeof err),
                   MN_VALIDATION_ESCHEMA);
  assert_non_null(strstr(err, ":9: weight: unknown key"));
}

static void metric_reads_paths_and_sums(void **state) {
  (void)state;
  json_error_t je;
  json_t *s = json_loads("{\"healing\": {\"gf_days\": 10.0}, \"acute_h\": 72.0, "
                         "\"topical\": null}",
                         0, &je);
  assert_non_null(s);
  assert_true(mn_validation_metric_value(s, "healing.gf_days") == 10.0);
  assert_true(fabs(mn_validation_metric_value(s, "healing.gf_days + acute_h / 24") - 13.0) < 1e-12);
  assert_true(mn_validation_metric_value(s, "acute_h * 2") == 144.0);
  assert_true(isnan(mn_validation_metric_value(s, "topical.enhancement_vs_intact")));
  assert_true(isnan(mn_validation_metric_value(s, "healing.nothing")));
  assert_false(mn_validation_metric_ok("healing.gf_days +"));
  json_decref(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shipped_cases_load_with_a_role),
      cmocka_unit_test_setup_teardown(role_is_required_and_checked, make_tmp, remove_tmp),
      cmocka_unit_test(metric_reads_paths_and_sums),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
