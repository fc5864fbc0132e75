/*
 * Glide paths: how the pen or roller is moved over a rectangular treatment
 * area [0, W] x [0, H] (mm). A pass is a set of parallel lanes swept one
 * after another, back and forth, with a lateral step equal to the
 * cartridge's footprint across the lane, so neighbouring lanes' footprints
 * meet without gap or overlap. Lines repeat lanes along x every pass;
 * crosshatch alternates passes along x and along y.
 *
 * A pen's lane runs past both ends of the area by the footprint's extent,
 * so every needle of the face sweeps the full length of the area (a
 * practitioner glides off the edge); a roller's contact line starts and
 * stops at the edges. The stamp centre is the origin of the cartridge face
 * (pens) or the middle of the drum's contact line (rollers); punctures.c
 * places the strokes along the lanes in time.
 */
#ifndef MN_DEVICE_GLIDE_H
#define MN_DEVICE_GLIDE_H

#include <stddef.h>

#include "device/cartridge.h"

typedef enum { MN_GLIDE_LINES = 0, MN_GLIDE_CROSSHATCH = 1 } mn_glide_pattern;

typedef struct {
  int pass;          /* 0-based */
  int along_y;       /* 0: the lane runs along x, 1: along y */
  double start_x_mm; /* stamp centre at the lane's start */
  double start_y_mm;
  double dir_x; /* unit direction of travel */
  double dir_y;
  double length_mm; /* path of the stamp centre */
} mn_glide_lane;

/* "lines" or "crosshatch"; 0, or -1 for anything else. */
int mn_glide_pattern_parse(const char *s, mn_glide_pattern *p);
const char *mn_glide_pattern_name(mn_glide_pattern p);

/* Lane step across lanes that run along x (along_y 0) or along y. */
double mn_glide_step_mm(const mn_cartridge *c, int along_y);

/* Plans the lanes of all passes in the order they are swept. Returns the
 * number of lanes (filling at most cap of them, like snprintf), or 0 for
 * bad arguments (area not positive, passes < 1). */
size_t mn_glide_plan(const mn_cartridge *c, double w_mm, double h_mm, int passes,
                     mn_glide_pattern pattern, mn_glide_lane *lanes, size_t cap);

/* The same, with each pass placed by hand: across_frac[pass] and
 * along_frac[pass] in [0, 1) shift the pass's lanes across by that fraction
 * of the lane step and start them earlier along by that fraction of it
 * (NULL: no shift, as mn_glide_plan). */
size_t mn_glide_plan_offset(const mn_cartridge *c, double w_mm, double h_mm, int passes,
                            mn_glide_pattern pattern, const double *across_frac,
                            const double *along_frac, mn_glide_lane *lanes, size_t cap);

#endif /* MN_DEVICE_GLIDE_H */
