/*
 * mnpen-factory: writes the pen's factory record for the Cortex-M image.
 *
 *   mnpen-factory DATA_PEN_DIR OUT.c
 *
 * Loads data/pen, builds the mnpen_config the host port would hand to
 * mnpen_init(), and writes it to OUT.c (see factory.h). The host build runs
 * it before every cross build whose inputs changed (cross.cmake).
 */
#include <stdio.h>

#include "factory.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: mnpen-factory DATA_PEN_DIR OUT.c\n");
    return 2;
  }
  char err[512] = "";
  mnpen_config cfg;
  if (mnpen_factory_load(&cfg, argv[1], err, sizeof err) != 0 ||
      mnpen_factory_write(&cfg, argv[2], err, sizeof err) != 0) {
    fprintf(stderr, "mnpen-factory: %s\n", err);
    return 1;
  }
  return 0;
}
