/*
 * Shared set-up of the SIL suites: the pen's parameters (data/pen) loaded
 * once per group into `params`, and a run that must complete. Include after
 * cmocka.
 */
#ifndef MN_TESTS_SIL_FIXTURE_H
#define MN_TESTS_SIL_FIXTURE_H

#include <stdio.h>

#include "io/params.h"
#include "mnpen_host/sil.h"

static mn_params *params;

static int load_params(void **state) {
  (void)state;
  char err[512];
  if (mn_params_create(&params) != 0 ||
      mn_params_load_dir(params, MN_DATA_DIR "/pen", err, sizeof err) != 0) {
    fprintf(stderr, "cannot load data/pen: %s\n", err);
    return -1;
  }
  return 0;
}

static int free_params(void **state) {
  (void)state;
  mn_params_destroy(&params);
  return 0;
}

/* A SIL run that must complete (whatever the pen's own outcome). */
static mnpen_sil_result sil_run_ok(const mnpen_sil_options *o) {
  mnpen_sil_result r;
  char err[512] = "";
  int rc = mnpen_sil_run(o, params, &r, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "sil run failed: %s\n", err);
  }
  assert_int_equal(rc, 0);
  return r;
}

#endif
