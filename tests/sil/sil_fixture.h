/*
 * Shared set-up of the SIL suites: the pen's parameters (data/pen) loaded
 * once per group into `params`, for mnpen_sil_run. Include after cmocka.
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

#endif
