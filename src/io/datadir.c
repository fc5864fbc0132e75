/* Data directory lookup; see datadir.h. */
#include "io/datadir.h"

#include <stdlib.h>

const char *mn_data_dir(void) {
  const char *env = getenv("MNLAB_DATA");
  return (env != NULL && env[0] != '\0') ? env : MN_DATA_DIR;
}
