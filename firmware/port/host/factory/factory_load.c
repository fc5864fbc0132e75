/*
 * Factory record from data/pen: the same two steps the host port's
 * software-in-the-loop runner takes (mn_plant_params_from, then
 * mnpen_host_config_load), so the Cortex-M image and the simulated pen are
 * configured identically.
 */
#include <stdio.h>

#include "factory.h"
#include "io/params.h"
#include "mnpen_host/config.h"
#include "plant/plant.h"

int mnpen_factory_load(mnpen_config *cfg, const char *dir, char *err, size_t errlen) {
  mn_params *t = NULL;
  int rc = mn_params_create(&t);
  if (rc != 0) {
    snprintf(err, errlen, "mnpen_factory_load: out of memory");
    return rc;
  }
  rc = mn_params_load_dir(t, dir, err, errlen);
  mn_plant_params plant;
  if (rc == 0) {
    rc = mn_plant_params_from(&plant, t, err, errlen);
  }
  if (rc == 0) {
    rc = mnpen_host_config_load(cfg, t, &plant, 1, err, errlen);
  }
  mn_params_destroy(&t);
  return rc;
}
