/* Shared set-up for the acute-stage tests: the parameter table from data/
 * and puncture lattices of a given density. */
#ifndef MN_TEST_ACUTE_FIXTURE_H
#define MN_TEST_ACUTE_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/datadir.h"
#include "io/params.h"
#include "skin/acute.h"

#define FIX_MAX 256

typedef struct fixture {
  mn_params *t;
  double x[FIX_MAX], y[FIX_MAX], d[FIX_MAX], r[FIX_MAX], ts[FIX_MAX];
} fixture;

static inline int fix_load(fixture *f) {
  char err[512], dir[1024];
  if (mn_params_create(&f->t))
    return -1;
  const char *sub[] = {"skin/acute", "skin/sites"};
  for (int i = 0; i < 2; i++) {
    snprintf(dir, sizeof dir, "%s/%s", mn_data_dir(), sub[i]);
    if (mn_params_load_dir(f->t, dir, err, sizeof err)) {
      fprintf(stderr, "%s\n", err);
      return -1;
    }
  }
  return 0;
}

static inline double fix_get(const fixture *f, const char *key, const char *unit) {
  double v = NAN;
  char err[256];
  if (mn_params_get(f->t, key, unit, &v, err, sizeof err))
    fprintf(stderr, "%s\n", err);
  return v;
}

/* Input for species/site with a square lattice of punctures at density
 * per cm^2 over a square window (mm) at resolution (um). */
static inline void fix_input(fixture *f, mn_acute_input *in, const char *species, const char *site,
                             double density, double depth_um, double radius_um, double window,
                             double res) {
  char err[256];
  memset(in, 0, sizeof *in);
  snprintf(in->species, sizeof in->species, "%s", species);
  snprintf(in->site, sizeof in->site, "%s", site);
  mn_skin_layers_load(f->t, species, site, &in->layers, err, sizeof err);
  mn_acute_options_default(&in->options);
  in->options.window_mm[0] = in->options.window_mm[1] = window;
  in->options.resolution_um = res;
  in->options.nthreads = 1; /* tiny grids: threads would only spin */
  size_t n = (size_t)lround(density * window * window / 100.0);
  size_t m = (size_t)ceil(sqrt((double)n));
  size_t c = 0;
  for (size_t i = 0; i < m && c < n && c < FIX_MAX; i++) {
    for (size_t j = 0; j < m && c < n && c < FIX_MAX; j++, c++) {
      f->x[c] = (i + 0.5) * window / (double)m;
      f->y[c] = (j + 0.5) * window / (double)m;
      f->d[c] = depth_um;
      f->r[c] = radius_um;
      f->ts[c] = 0.0;
    }
  }
  in->punctures = (mn_skin_punctures){c, f->x, f->y, f->d, f->r, f->ts};
}

#endif
