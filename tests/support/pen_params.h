/*
 * Test support: the pen's plant parameters from the shipped data/pen files,
 * as a cmocka group setup fills them for the plant tests.
 */
#ifndef MN_TEST_PEN_PARAMS_H
#define MN_TEST_PEN_PARAMS_H

#include <stdio.h>

#include "io/params.h"
#include "plant/plant.h"

/* Loads data/pen into *prm; 0 or -1 with the reason on stderr. */
static int pen_params_load(mn_plant_params *prm) {
  mn_params *t = NULL;
  char err[512] = "";
  int rc = mn_params_create(&t) != 0 ||
           mn_params_load_dir(t, MN_DATA_DIR "/pen", err, sizeof err) != 0 ||
           mn_plant_params_from(prm, t, err, sizeof err) != 0;
  if (rc) {
    fprintf(stderr, "data/pen: %s\n", err);
  }
  mn_params_destroy(&t);
  return rc ? -1 : 0;
}

#endif /* MN_TEST_PEN_PARAMS_H */
