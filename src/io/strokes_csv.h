/*
 * The stroke record as CSV (time_s, depth_mm, force_n): what the pen's
 * software-in-the-loop run hands the skin model, one row per stroke.
 */
#ifndef MN_IO_STROKES_CSV_H
#define MN_IO_STROKES_CSV_H

#include <stddef.h>

#include "plant/plant.h"

int mn_strokes_write_csv(const char *path, const mn_plant_stroke *s, size_t n, char *err,
                         size_t errlen);

#endif /* MN_IO_STROKES_CSV_H */
