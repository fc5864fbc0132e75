/* The pen's parameter table; see pen_params.h. */
#include "cli/pen_params.h"

#include <stdio.h>

#include "io/datadir.h"

int mn_cli_pen_params(mn_params **out, char *err, size_t errlen) {
  *out = NULL;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/pen", mn_data_dir());
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (mn_params_load_dir(t, dir, err, errlen) != 0) {
    mn_params_destroy(&t);
    return -1;
  }
  *out = t;
  return 0;
}
