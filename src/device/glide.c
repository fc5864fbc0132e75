/* Glide path planning; see glide.h. */
#include "device/glide.h"

#include <math.h>
#include <string.h>

int mn_glide_pattern_parse(const char *s, mn_glide_pattern *p) {
  if (s != NULL && strcmp(s, "lines") == 0) {
    *p = MN_GLIDE_LINES;
    return 0;
  }
  if (s != NULL && strcmp(s, "crosshatch") == 0) {
    *p = MN_GLIDE_CROSSHATCH;
    return 0;
  }
  return -1;
}

const char *mn_glide_pattern_name(mn_glide_pattern p) {
  return p == MN_GLIDE_CROSSHATCH ? "crosshatch" : "lines";
}

/* Needle-centre bounds of the face along one axis. */
static void bounds(const mn_cartridge *c, int axis_y, double *lo, double *hi) {
  const double *v = axis_y ? c->y_mm : c->x_mm;
  *lo = *hi = v[0];
  for (size_t i = 1; i < c->needles; i++) {
    *lo = fmin(*lo, v[i]);
    *hi = fmax(*hi, v[i]);
  }
}

double mn_glide_step_mm(const mn_cartridge *c, int along_y) {
  double ex = 0.0, ey = 0.0;
  mn_cartridge_extent(c, &ex, &ey);
  if (c->roller) {
    /* A roller is pushed along its rolling direction whichever way the pass
     * runs: the step across is always the drum width. */
    return ey;
  }
  return along_y ? ex : ey;
}

size_t mn_glide_plan(const mn_cartridge *c, double w_mm, double h_mm, int passes,
                     mn_glide_pattern pattern, mn_glide_lane *lanes, size_t cap) {
  return mn_glide_plan_offset(c, w_mm, h_mm, passes, pattern, NULL, NULL, lanes, cap);
}

size_t mn_glide_plan_offset(const mn_cartridge *c, double w_mm, double h_mm, int passes,
                            mn_glide_pattern pattern, const double *across_frac,
                            const double *along_frac, mn_glide_lane *lanes, size_t cap) {
  if (c == NULL || !(w_mm > 0.0) || !(h_mm > 0.0) || passes < 1) {
    return 0;
  }
  size_t n = 0;
  for (int pass = 0; pass < passes; pass++) {
    int along_y = pattern == MN_GLIDE_CROSSHATCH && (pass % 2) == 1;
    double length_area = along_y ? h_mm : w_mm; /* along the lane */
    double width_area = along_y ? w_mm : h_mm;  /* across */
    double step = mn_glide_step_mm(c, along_y);
    /* A hand never retraces the last pass: the pass's lanes are shifted
     * across by a fraction of the lane step (one more lane keeps the area
     * covered) and start earlier along by a fraction of it. */
    double shift = across_frac ? across_frac[pass] * step : 0.0;
    double lead = along_frac ? along_frac[pass] * step : 0.0;
    /* Face bounds along and across the lane; a roller's drum is symmetric
     * across and has no extent along. */
    double a_lo = 0.0, a_hi = 0.0, c_lo = 0.0, c_hi = 0.0;
    if (c->roller) {
      c_lo = c_hi = 0.0;
    } else {
      bounds(c, along_y ? 1 : 0, &a_lo, &a_hi);
      bounds(c, along_y ? 0 : 1, &c_lo, &c_hi);
    }
    size_t lanes_n = (size_t)ceil(width_area / step - 1e-9) + (shift > 0.0 ? 1u : 0u);
    for (size_t j = 0; j < lanes_n; j++) {
      double across = (0.5 + (double)j) * step - shift - 0.5 * (c_lo + c_hi);
      int forward = (j % 2) == 0;
      double s0 = forward ? -a_hi - lead : length_area - a_lo + lead;
      double len = length_area + (a_hi - a_lo) + lead;
      if (n < cap) {
        mn_glide_lane *l = &lanes[n];
        l->pass = pass;
        l->along_y = along_y;
        l->length_mm = len;
        double dir = forward ? 1.0 : -1.0;
        if (along_y) {
          l->start_x_mm = across;
          l->start_y_mm = s0;
          l->dir_x = 0.0;
          l->dir_y = dir;
        } else {
          l->start_x_mm = s0;
          l->start_y_mm = across;
          l->dir_x = dir;
          l->dir_y = 0.0;
        }
      }
      n++;
    }
  }
  return n;
}
