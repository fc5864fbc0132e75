/*
 * The pen's factory record as a build input of the Cortex-M image.
 *
 * A pen leaves the factory with an mnpen_config in its flash. The host port
 * builds that record from data/pen at run time (mnpen_host_config_load); the
 * Cortex-M image cannot read YAML, so mnpen-factory runs the very same
 * conversion on the host at build time and writes the result as a C source
 * file defining `const mnpen_config mnpen_factory_config`, which the cross
 * build compiles into the product image. No number of the record is typed by
 * hand: every value comes from data/pen through the host port's conversion.
 */
#ifndef MNPEN_FACTORY_H
#define MNPEN_FACTORY_H

#include <stddef.h>

#include "mnpen/pen.h"

/* Loads every parameter file of `dir` (data/pen) and builds the record as
 * the host port does for a regulated pen: plant parameters standing in for
 * the factory's motor calibration, firmware.yaml for the settings, and the
 * simulated pen's test master key. */
int mnpen_factory_load(mnpen_config *cfg, const char *dir, char *err, size_t errlen);

/* Writes `cfg` as a C source file at `path`, atomically: a temporary file
 * in the same directory, renamed over `path` once complete, so a build that
 * is interrupted never leaves a half-written record behind. The text depends
 * on `cfg` alone (no time stamps, no paths), so equal records give equal
 * bytes. */
int mnpen_factory_write(const mnpen_config *cfg, const char *path, char *err, size_t errlen);

#endif /* MNPEN_FACTORY_H */
