/*
 * PLplot wrapper for the report; see plot.h. PLplot keeps one global plot
 * stream: each figure opens it, draws and ends it (plend), so no state
 * leaks from one figure into the next. PLplot ends the process on errors it
 * considers fatal (a file it cannot open, an empty range), so everything is
 * checked before it is called: the output file is created here first, and
 * ranges are made non-empty.
 */
#define _POSIX_C_SOURCE 200809L
#include "report/plot.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { TEXT_MAX = 512, PATH_MAX_LEN = 4096, LEGEND_MAX = 16 };

/* Palette (cmap0): 0 background, 1 axes and text, 2 markers, then the
 * series colours (colour-blind-friendly set of Okabe and Ito, 2008). */
enum { COL_BG = 0, COL_FG = 1, COL_MARK = 2, COL_SERIES = 3, NSERIES_COL = 7 };
static const int palette[COL_SERIES + NSERIES_COL][3] = {
    {255, 255, 255}, {0, 0, 0},    {130, 130, 130}, {0, 114, 178},  {230, 159, 0},
    {0, 158, 115},   {213, 94, 0}, {204, 121, 167}, {86, 180, 233}, {120, 94, 40}};

/* Colour bar ramp (cmap1): dark blue to yellow, monotonic in lightness. */
static const double ramp_pos[] = {0.0, 0.25, 0.5, 0.75, 1.0};
static const double ramp_r[] = {68 / 255.0, 59 / 255.0, 33 / 255.0, 94 / 255.0, 253 / 255.0};
static const double ramp_g[] = {1 / 255.0, 82 / 255.0, 145 / 255.0, 201 / 255.0, 231 / 255.0};
static const double ramp_b[] = {84 / 255.0, 139 / 255.0, 140 / 255.0, 98 / 255.0, 37 / 255.0};

/* Layout, in normalised page coordinates, and text sizes (relative). */
static const double VP_LEFT = 0.12, VP_BOTTOM = 0.12, VP_TOP = 0.9;
static const double VP_RIGHT_LEGEND = 0.7; /* lines: legend to the right */
static const double VP_RIGHT_PLAIN = 0.95;
static const double VP_RIGHT_MAP = 0.76; /* map: colour bar to the right */
static const double BAR_LEFT = 0.8, BAR_RIGHT = 0.83;
static const double CHAR_SCALE = 0.95, LINE_WIDTH = 2.0, RANGE_PAD = 0.05;

/* '#' starts a PLplot escape sequence; "##" is a literal one. */
static const char *esc(const char *s, char *buf, size_t n) {
  size_t k = 0;
  for (; s != NULL && *s != '\0' && k + 2 < n; s++) {
    if (*s == '#') {
      buf[k++] = '#';
    }
    buf[k++] = *s;
  }
  buf[k] = '\0';
  return buf;
}

static void setup_colours(void) {
  for (int i = 0; i < COL_SERIES + NSERIES_COL; i++) {
    plscol0(i, palette[i][0], palette[i][1], palette[i][2]);
  }
  plscmap1n(256);
  plscmap1l(1, 5, ramp_pos, ramp_r, ramp_g, ramp_b, NULL);
}

static int series_colour(int c) {
  return COL_SERIES + (c < 0 ? 0 : c) % NSERIES_COL;
}

typedef void (*draw_fn)(const void *d);

enum { DEVICES_MAX = 128 };

/* Whether PLplot has a device (its drivers are separate packages; asking
 * for a missing one makes it prompt on stdin and then exit). */
static int have_device(const char *name) {
  const char *menu[DEVICES_MAX], *devs[DEVICES_MAX];
  const char **pm = menu, **pd = devs;
  int n = DEVICES_MAX;
  plgDevs(&pm, &pd, &n);
  for (int i = 0; i < n; i++) {
    if (devs[i] != NULL && strcmp(devs[i], name) == 0) {
      return 1;
    }
  }
  return 0;
}

/* Draws one description on both devices, each into a temporary renamed
 * into place. */
static int render(const char *base, draw_fn draw, const void *d, char *err, size_t errlen) {
  static const struct { const char *dev, *ext; } out[] = {{"pngcairo", "png"}, {"svg", "svg"}};
  for (size_t k = 0; k < sizeof out / sizeof out[0]; k++) {
    char path[PATH_MAX_LEN], tmp[PATH_MAX_LEN + 32];
    if (!have_device(out[k].dev)) {
      snprintf(err, errlen, "PLplot has no '%s' device (Debian: plplot-driver-cairo)", out[k].dev);
      return MN_PLOT_EIO;
    }
    snprintf(path, sizeof path, "%s.%s", base, out[k].ext);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (f == NULL) {
      snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
      return MN_PLOT_EIO;
    }
    fclose(f);
    plsdev(out[k].dev);
    plsfnam(tmp);
    plspage(0.0, 0.0, MN_PLOT_WIDTH, MN_PLOT_HEIGHT, 0, 0);
    setup_colours();
    plinit();
    pladv(0);
    plschr(0.0, CHAR_SCALE);
    draw(d);
    plend();
    struct stat st;
    if (stat(tmp, &st) != 0 || st.st_size == 0) {
      snprintf(err, errlen, "%s: PLplot wrote nothing (disk full?)", path);
      remove(tmp);
      return MN_PLOT_EIO;
    }
    if (rename(tmp, path) != 0) {
      snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
      remove(tmp);
      return MN_PLOT_EIO;
    }
  }
  return MN_PLOT_OK;
}

/* [lo, hi] made non-empty and padded a little; from_zero: a range of values
 * that cannot be negative starts at 0. */
static void pad_range(double *lo, double *hi, int from_zero) {
  int nonneg = *lo >= 0.0;
  double m = *hi > *lo ? RANGE_PAD * (*hi - *lo) : (*lo != 0.0 ? 0.5 * fabs(*lo) : 1.0);
  *lo -= m;
  *hi += m;
  if (from_zero && nonneg) {
    *lo = 0.0;
  }
}

static void frame(double x0, double x1, double y0, double y1, double right, const char *xl,
                  const char *yl, const char *title) {
  char a[TEXT_MAX], b[TEXT_MAX], c[TEXT_MAX];
  plvpor(VP_LEFT, right, VP_BOTTOM, VP_TOP);
  plwind(x0, x1, y0, y1);
  plcol0(COL_FG);
  plwidth(1.0);
  pllsty(1);
  plbox("bcnst", 0.0, 0, "bcnstv", 0.0, 0);
  pllab(esc(xl, a, sizeof a), esc(yl, b, sizeof b), esc(title, c, sizeof c));
}

/* --- line plots --------------------------------------------------------- */

typedef struct {
  const mn_plot_lines *d;
  double x0, x1, y0, y1;
} lines_job;

static void draw_runs(const mn_plot_series *s) {
  size_t i = 0;
  while (i < s->n) {
    while (i < s->n && !(isfinite(s->x[i]) && isfinite(s->y[i]))) {
      i++;
    }
    size_t a = i;
    while (i < s->n && isfinite(s->x[i]) && isfinite(s->y[i])) {
      i++;
    }
    if (i - a == 1) {
      plpoin(1, s->x + a, s->y + a, 17);
    } else if (i > a) {
      plline((PLINT)(i - a), s->x + a, s->y + a);
    }
  }
}

static void draw_lines(const void *v) {
  const lines_job *j = v;
  const mn_plot_lines *d = j->d;
  int legend = d->nmarkers > 0 && d->marker_label != NULL;
  for (size_t k = 0; k < d->nseries; k++) {
    legend |= d->series[k].label != NULL;
  }
  frame(j->x0, j->x1, j->y0, j->y1, legend ? VP_RIGHT_LEGEND : VP_RIGHT_PLAIN, d->xlabel, d->ylabel,
        d->title);
  plwidth(LINE_WIDTH);
  for (size_t m = 0; m < d->nmarkers; m++) {
    if (d->markers[m] >= j->x0 && d->markers[m] <= j->x1) {
      plcol0(COL_MARK);
      pllsty(3);
      pljoin(d->markers[m], j->y0, d->markers[m], j->y1);
    }
  }
  for (size_t k = 0; k < d->nseries; k++) {
    plcol0(series_colour(d->series[k].colour));
    pllsty(d->series[k].dashed ? 2 : 1);
    draw_runs(&d->series[k]);
  }
  pllsty(1);
  if (!legend) {
    return;
  }
  PLINT opt[LEGEND_MAX], tcol[LEGEND_MAX], lcol[LEGEND_MAX], lsty[LEGEND_MAX];
  PLFLT lw[LEGEND_MAX];
  char buf[LEGEND_MAX][TEXT_MAX];
  const char *text[LEGEND_MAX];
  int n = 0;
  for (size_t k = 0; k < d->nseries && n < LEGEND_MAX; k++, n++) {
    opt[n] = PL_LEGEND_LINE;
    tcol[n] = COL_FG;
    lcol[n] = series_colour(d->series[k].colour);
    lsty[n] = d->series[k].dashed ? 2 : 1;
    lw[n] = LINE_WIDTH;
    text[n] = esc(d->series[k].label, buf[n], sizeof buf[n]);
  }
  if (d->nmarkers > 0 && d->marker_label != NULL && n < LEGEND_MAX) {
    opt[n] = PL_LEGEND_LINE;
    tcol[n] = COL_FG;
    lcol[n] = COL_MARK;
    lsty[n] = 3;
    lw[n] = LINE_WIDTH;
    text[n] = esc(d->marker_label, buf[n], sizeof buf[n]);
    n++;
  }
  PLFLT w, h;
  pllegend(&w, &h, PL_LEGEND_BACKGROUND, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE, 0.02, 0.0, 0.05,
           COL_BG, COL_FG, 1, 0, 0, n, opt, 0.8, 0.85, 2.0, 0.0, tcol, text, NULL, NULL, NULL, NULL,
           lcol, lsty, lw, NULL, NULL, NULL, NULL);
}

int mn_plot_lines_write(const char *base, const mn_plot_lines *d, char *err, size_t errlen) {
  if (base == NULL || d == NULL || (d->nseries > 0 && d->series == NULL)) {
    snprintf(err, errlen, "plot: bad arguments");
    return MN_PLOT_EINVAL;
  }
  lines_job j = {d, INFINITY, -INFINITY, INFINITY, -INFINITY};
  for (size_t k = 0; k < d->nseries; k++) {
    const mn_plot_series *s = &d->series[k];
    for (size_t i = 0; i < s->n; i++) {
      if (isfinite(s->x[i]) && isfinite(s->y[i])) {
        j.x0 = fmin(j.x0, s->x[i]);
        j.x1 = fmax(j.x1, s->x[i]);
        j.y0 = fmin(j.y0, s->y[i]);
        j.y1 = fmax(j.y1, s->y[i]);
      }
    }
  }
  if (!(j.x1 >= j.x0)) {
    snprintf(err, errlen, "plot '%s': no finite points", d->title ? d->title : "");
    return MN_PLOT_EINVAL;
  }
  if (!(j.x1 > j.x0)) {
    pad_range(&j.x0, &j.x1, 0);
  }
  pad_range(&j.y0, &j.y1, d->y_from_zero);
  return render(base, draw_lines, &j, err, errlen);
}

/* --- maps --------------------------------------------------------------- */

typedef struct {
  const mn_plot_map *d;
  double zmin, zmax;
} map_job;

enum { BAR_STEPS = 128 };

/* One filled rectangle in the ramp's colour for z (cells are drawn one by
 * one so each covers exactly its own extent). */
static void cell(double x0, double x1, double y0, double y1, double z, double zmin, double zmax) {
  PLFLT x[4] = {x0, x0, x1, x1}, y[4] = {y0, y1, y1, y0};
  double t = (z - zmin) / (zmax - zmin);
  plcol1(t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t));
  plfill(4, x, y);
}

static void draw_map(const void *v) {
  const map_job *j = v;
  const mn_plot_map *d = j->d;
  char a[TEXT_MAX];
  frame(d->x0, d->x1, d->y0, d->y1, VP_RIGHT_MAP, d->xlabel, d->ylabel, d->title);
  double dx = (d->x1 - d->x0) / d->nx, dy = (d->y1 - d->y0) / d->ny;
  for (int jy = 0; jy < d->ny; jy++) {
    for (int ix = 0; ix < d->nx; ix++) {
      double z = d->z[(size_t)jy * (size_t)d->nx + (size_t)ix];
      if (isfinite(z)) {
        cell(d->x0 + ix * dx, d->x0 + (ix + 1) * dx, d->y0 + jy * dy, d->y0 + (jy + 1) * dy, z,
             j->zmin, j->zmax);
      }
    }
  }
  plcol0(COL_FG);
  plbox("bcst", 0.0, 0, "bcst", 0.0, 0);
  /* colour bar: the ramp in steps, with its own axis */
  plvpor(BAR_LEFT, BAR_RIGHT, VP_BOTTOM, VP_TOP);
  plwind(0.0, 1.0, j->zmin, j->zmax);
  double h = (j->zmax - j->zmin) / BAR_STEPS;
  for (int k = 0; k < BAR_STEPS; k++) {
    cell(0.0, 1.0, j->zmin + k * h, j->zmin + (k + 1) * h, j->zmin + (k + 0.5) * h, j->zmin,
         j->zmax);
  }
  plcol0(COL_FG);
  plbox("bc", 0.0, 0, "bcmstv", 0.0, 0);
  plmtex("r", 6.0, 0.5, 0.5, esc(d->zlabel, a, sizeof a));
}

int mn_plot_map_write(const char *base, const mn_plot_map *d, char *err, size_t errlen) {
  if (base == NULL || d == NULL || d->z == NULL || d->nx < 1 || d->ny < 1 || !(d->x1 > d->x0) ||
      !(d->y1 > d->y0)) {
    snprintf(err, errlen, "plot: bad map");
    return MN_PLOT_EINVAL;
  }
  map_job j = {d, INFINITY, -INFINITY};
  size_t n = (size_t)d->nx * (size_t)d->ny;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(d->z[i])) {
      j.zmin = fmin(j.zmin, d->z[i]);
      j.zmax = fmax(j.zmax, d->z[i]);
    }
  }
  if (!(j.zmax >= j.zmin)) {
    snprintf(err, errlen, "plot '%s': no finite cells", d->title ? d->title : "");
    return MN_PLOT_EINVAL;
  }
  if (!(j.zmax > j.zmin)) {
    pad_range(&j.zmin, &j.zmax, 0);
  }
  return render(base, draw_map, &j, err, errlen);
}

/* --- histograms --------------------------------------------------------- */

typedef struct {
  const mn_plot_hist *d;
  double lo, width;
  double *count;
  double cmax;
} hist_job;

static void draw_hist(const void *v) {
  const hist_job *j = v;
  const mn_plot_hist *d = j->d;
  double hi = j->lo + j->width * d->nbins;
  frame(j->lo, hi, 0.0, j->cmax * (1.0 + RANGE_PAD), VP_RIGHT_PLAIN, d->xlabel, d->ylabel,
        d->title);
  for (int b = 0; b < d->nbins; b++) {
    PLFLT x[4] = {j->lo + b * j->width, j->lo + b * j->width, j->lo + (b + 1) * j->width,
                  j->lo + (b + 1) * j->width};
    PLFLT y[4] = {0.0, j->count[b], j->count[b], 0.0};
    if (j->count[b] > 0.0) {
      plcol0(COL_SERIES);
      plfill(4, x, y);
      plcol0(COL_FG);
      plline(4, x, y);
    }
  }
}

int mn_plot_hist_write(const char *base, const mn_plot_hist *d, char *err, size_t errlen) {
  if (base == NULL || d == NULL || d->nbins < 1 || (d->n > 0 && d->values == NULL)) {
    snprintf(err, errlen, "plot: bad histogram");
    return MN_PLOT_EINVAL;
  }
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < d->n; i++) {
    if (isfinite(d->values[i])) {
      lo = fmin(lo, d->values[i]);
      hi = fmax(hi, d->values[i]);
    }
  }
  if (!(hi >= lo)) {
    snprintf(err, errlen, "plot '%s': no finite values", d->title ? d->title : "");
    return MN_PLOT_EINVAL;
  }
  if (!(hi > lo)) {
    pad_range(&lo, &hi, 0);
  }
  hist_job j = {d, lo, (hi - lo) / d->nbins, calloc((size_t)d->nbins, sizeof(double)), 0.0};
  if (j.count == NULL) {
    snprintf(err, errlen, "plot: out of memory");
    return MN_PLOT_ENOMEM;
  }
  for (size_t i = 0; i < d->n; i++) {
    if (isfinite(d->values[i])) {
      int b = (int)((d->values[i] - lo) / j.width);
      b = b < 0 ? 0 : (b >= d->nbins ? d->nbins - 1 : b);
      j.count[b] += 1.0;
    }
  }
  for (int b = 0; b < d->nbins; b++) {
    j.cmax = fmax(j.cmax, j.count[b]);
  }
  int rc = render(base, draw_hist, &j, err, errlen);
  free(j.count);
  return rc;
}
