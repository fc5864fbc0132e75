/*
 * Host check of the generated factory record: this program is compiled with
 * the record the cross build uses (so the generated C must compile under the
 * project's strict warnings) and compares it byte for byte with the record
 * built from data/pen at run time. A field the writer leaves out, rounds
 * differently or prints in the wrong place shows up as a difference.
 *
 *   mnpen-factory-check DATA_PEN_DIR
 *
 * Byte comparison is sound here: mnpen_host_config_load() zeroes the whole
 * struct before filling it, and the generated object has static storage, so
 * its padding is zero as well (C11 6.7.9p10).
 */
#include <stdio.h>
#include <string.h>

#include "factory.h"

extern const mnpen_config mnpen_factory_config;

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: mnpen-factory-check DATA_PEN_DIR\n");
    return 2;
  }
  char err[512] = "";
  mnpen_config want;
  if (mnpen_factory_load(&want, argv[1], err, sizeof err) != 0) {
    fprintf(stderr, "mnpen-factory-check: %s\n", err);
    return 1;
  }
  const unsigned char *a = (const unsigned char *)&want;
  const unsigned char *b = (const unsigned char *)&mnpen_factory_config;
  for (size_t i = 0; i < sizeof want; i++) {
    if (a[i] != b[i]) {
      fprintf(stderr,
              "mnpen-factory-check: the generated record differs from data/pen at byte %zu "
              "of %zu (0x%02x, want 0x%02x)\n",
              i, sizeof want, (unsigned)b[i], (unsigned)a[i]);
      return 1;
    }
  }
  if (mnpen_factory_config.regulated != 1u || mnpen_factory_config.speed_default_mhz == 0u) {
    fprintf(stderr, "mnpen-factory-check: the record is not a regulated pen's\n");
    return 1;
  }
  printf("factory record matches data/pen (%zu bytes)\n", sizeof want);
  return 0;
}
