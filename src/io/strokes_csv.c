/*
 * Stroke record CSV writer; written atomically (io/atomic.h). Full double
 * precision for time, so the stroke intervals survive the round trip.
 */
#include "io/strokes_csv.h"

#include <stdio.h>

#include "io/atomic.h"

int mn_strokes_write_csv(const char *path, const mn_plant_stroke *s, size_t n, char *err,
                         size_t errlen) {
  mn_atomic_file a;
  int rc = mn_atomic_open(&a, path, err, errlen);
  if (rc != 0) {
    return rc;
  }
  fprintf(a.f, "time_s,depth_mm,force_n\n");
  for (size_t i = 0; i < n; i++) {
    fprintf(a.f, "%.9f,%.6f,%.6f\n", s[i].time_s, s[i].depth_m * 1e3, s[i].force_n);
  }
  return mn_atomic_commit(&a, err, errlen);
}
