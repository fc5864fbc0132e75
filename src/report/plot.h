/*
 * Plots for the report: a thin wrapper over PLplot, the only code that
 * touches its global state. One description is drawn twice, as NAME.png
 * (cairo) and NAME.svg (PLplot's own SVG device, which keeps text as text),
 * each written to a temporary beside the target and renamed into place.
 *
 * Text is plain UTF-8 (units such as "g/m\u00b2/h" or "\u00b5m"); the
 * wrapper escapes PLplot's control character. Values that are not finite
 * are gaps (lines) or left out (histograms, ranges).
 */
#ifndef MN_REPORT_PLOT_H
#define MN_REPORT_PLOT_H

#include <stddef.h>

enum { MN_PLOT_OK = 0, MN_PLOT_EINVAL = -1, MN_PLOT_EIO = -2, MN_PLOT_ENOMEM = -3 };

/* Image size of every figure, pixels (PNG) or points (SVG). */
enum { MN_PLOT_WIDTH = 900, MN_PLOT_HEIGHT = 540 };

typedef struct {
  const char *label; /* legend entry */
  const double *x, *y;
  size_t n;
  int dashed;
  int colour; /* index into the wrapper's palette (wraps around) */
} mn_plot_series;

typedef struct {
  const char *title;
  const char *xlabel, *ylabel; /* with their units */
  const mn_plot_series *series;
  size_t nseries;
  const double *markers; /* vertical lines at these x (e.g. sessions); may be NULL */
  size_t nmarkers;
  const char *marker_label; /* legend entry of the markers */
  int y_from_zero;          /* 1: the y axis starts at 0 (quantities that cannot be negative) */
} mn_plot_lines;

/* A map of cells: z[j * nx + i] is the cell (i, j) of a regular grid over
 * [x0, x1] x [y0, y1]; drawn with a colour bar labelled zlabel. */
typedef struct {
  const char *title;
  const char *xlabel, *ylabel, *zlabel;
  const double *z;
  int nx, ny;
  double x0, x1, y0, y1;
} mn_plot_map;

typedef struct {
  const char *title;
  const char *xlabel, *ylabel;
  const double *values;
  size_t n;
  int nbins;
} mn_plot_hist;

/* Each writes BASE.png and BASE.svg (base: a path without extension). */
int mn_plot_lines_write(const char *base, const mn_plot_lines *d, char *err, size_t errlen);
int mn_plot_map_write(const char *base, const mn_plot_map *d, char *err, size_t errlen);
int mn_plot_hist_write(const char *base, const mn_plot_hist *d, char *err, size_t errlen);

#endif /* MN_REPORT_PLOT_H */
