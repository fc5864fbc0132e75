/*
 * Which figures a course result gives, and their data: the puncture density
 * map and channel depth histogram of session 1 (device), TEWL and erythema
 * over the acute window of each session, topical flux and cumulative
 * delivery (only with a topical), and over the whole course (only in vivo)
 * growth factors and inflammation, fibroblasts and elastin, collagen I and
 * III with the sessions marked, and the depth profile before and after.
 * Drawing is plot.c's; this file only picks and arranges the numbers.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"
#include "report/report_impl.h"

/* Histogram bins: the square-root rule, kept between a readable minimum and
 * a maximum beyond which bins of a small run are mostly empty. */
enum { HIST_BINS_MIN = 10, HIST_BINS_MAX = 40 };
enum { SERIES_MAX = 12, PATH_LEN = 4096, LABEL_LEN = 96 };

static const double HOURS_PER_DAY = 24.0;
static const double MM2_PER_CM2 = 100.0;

static mn_report_figure *add(mn_report_figures *f, const char *name, mn_report_stage stage,
                             int drawn, const char *fmt, ...) {
  if (f->n >= MN_REPORT_FIG_MAX) {
    return NULL;
  }
  mn_report_figure *g = &f->fig[f->n++];
  snprintf(g->name, sizeof g->name, "%s", name);
  g->stage = stage;
  g->drawn = drawn;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->caption, sizeof g->caption, fmt, ap);
  va_end(ap);
  return g;
}

static const char *base_path(const char *dir, const char *name, char *buf, size_t n) {
  snprintf(buf, n, "%s/%s", dir, name);
  return buf;
}

/* --- columns ------------------------------------------------------------ */

typedef enum { A_TEWL, A_ERYTHEMA, A_FLUX, A_CUMULATIVE } acute_field;

static double acute_value(const mn_acute_sample *s, acute_field f) {
  switch (f) {
  case A_TEWL:
    return s->tewl_g_m2_h;
  case A_ERYTHEMA:
    return s->erythema_index;
  case A_FLUX:
    return s->flux_ug_cm2_h;
  case A_CUMULATIVE:
    return s->cumulative_ug_cm2;
  }
  return NAN;
}

/* x: hours after the session, y: the field; arrays malloc'd into s. */
static int acute_series(const mn_acute_result *a, acute_field field, mn_plot_series *s) {
  double *x = malloc((a->nseries + 1) * sizeof *x);
  double *y = malloc((a->nseries + 1) * sizeof *y);
  if (x == NULL || y == NULL) {
    free(x);
    free(y);
    return -1;
  }
  for (size_t k = 0; k < a->nseries; k++) {
    x[k] = a->series[k].time_h;
    y[k] = acute_value(&a->series[k], field);
  }
  s->x = x;
  s->y = y;
  s->n = a->nseries;
  return 0;
}

/* Healing rows of the course time series (those where the column is
 * filled): x in days on the course clock. */
static int course_series(const mn_table *t, const char *column, mn_plot_series *s) {
  int tc = mn_table_find(t, "time_h"), c = mn_table_find(t, column);
  size_t rows = mn_table_rows(t);
  double *x = malloc((rows + 1) * sizeof *x);
  double *y = malloc((rows + 1) * sizeof *y);
  if (tc < 0 || c < 0 || x == NULL || y == NULL) {
    free(x);
    free(y);
    return -1;
  }
  size_t n = 0;
  for (size_t i = 0; i < rows; i++) {
    double v = mn_table_get(t, i, (size_t)c);
    if (isfinite(v)) {
      x[n] = mn_table_get(t, i, (size_t)tc) / HOURS_PER_DAY;
      y[n] = v;
      n++;
    }
  }
  s->x = x;
  s->y = y;
  s->n = n;
  return 0;
}

static void free_series(mn_plot_series *s, size_t n) {
  for (size_t k = 0; k < n; k++) {
    free((void *)s[k].x);
    free((void *)s[k].y);
    s[k].x = s[k].y = NULL;
  }
}

/* A series built from borrowed arrays (free_series must not see it). */
static mn_plot_series borrowed(const char *label, const double *x, const double *y, size_t n,
                               int colour, int dashed) {
  mn_plot_series s = {label, x, y, n, dashed, colour};
  return s;
}

/* --- device ------------------------------------------------------------- */

static int density_map(const char *dir, const mn_puncture_list *l, double cell_mm,
                       mn_report_figures *f, char *err, size_t errlen) {
  int nx = (int)floor(l->area_w_mm / cell_mm), ny = (int)floor(l->area_h_mm / cell_mm);
  double cw = cell_mm, ch = cell_mm;
  if (nx < 1) { /* an area smaller than one cell is one cell */
    nx = 1;
    cw = l->area_w_mm;
  }
  if (ny < 1) {
    ny = 1;
    ch = l->area_h_mm;
  }
  double *z = calloc((size_t)nx * (size_t)ny, sizeof *z);
  if (z == NULL) {
    snprintf(err, errlen, "report: out of memory");
    return MN_REPORT_ENOMEM;
  }
  double per_cell_to_cm2 = MM2_PER_CM2 / (cw * ch);
  for (size_t k = 0; k < l->count; k++) {
    int i = (int)floor(l->x_mm[k] / cw), j = (int)floor(l->y_mm[k] / ch);
    if (i >= 0 && i < nx && j >= 0 && j < ny) {
      z[(size_t)j * (size_t)nx + (size_t)i] += per_cell_to_cm2;
    }
  }
  char title[MN_REPORT_TEXT_MAX], base[PATH_LEN];
  snprintf(title, sizeof title, "Puncture density, session 1 (%.3g x %.3g mm cells)", cw, ch);
  mn_plot_map m = {title,   "x (mm)", "y (mm)", "punctures per cm\u00b2", z, nx, ny, 0.0,
                   nx * cw, 0.0,      ny * ch};
  int rc = mn_plot_map_write(base_path(dir, "fig-density", base, sizeof base), &m, err, errlen);
  free(z);
  if (rc == 0) {
    add(f, "fig-density", MN_REPORT_STAGE_DEVICE, 1,
        "Punctures per cm\u00b2 in %.3g x %.3g mm cells over the treated area of session 1 "
        "(%zu punctures over %.3g x %.3g mm).",
        cw, ch, l->count, l->area_w_mm, l->area_h_mm);
  }
  return rc;
}

static int depth_hist(const char *dir, const mn_puncture_list *l, mn_report_figures *f, char *err,
                      size_t errlen) {
  int bins = (int)ceil(sqrt((double)l->count));
  bins = bins < HIST_BINS_MIN ? HIST_BINS_MIN : (bins > HIST_BINS_MAX ? HIST_BINS_MAX : bins);
  mn_plot_hist h = {"Channel depth, session 1",
                    "open channel depth (\u00b5m)",
                    "punctures",
                    l->depth_um,
                    l->count,
                    bins};
  char base[PATH_LEN];
  int rc = mn_plot_hist_write(base_path(dir, "fig-depth-hist", base, sizeof base), &h, err, errlen);
  if (rc == 0) {
    add(f, "fig-depth-hist", MN_REPORT_STAGE_DEVICE, 1,
        "Depth of the open channels of session 1 (%zu punctures, %d bins).", l->count, bins);
  }
  return rc;
}

/* --- acute -------------------------------------------------------------- */

typedef struct {
  const char *name, *title, *ylabel, *caption;
  acute_field field;
  mn_report_stage stage;
} acute_fig;

static const acute_fig acute_figs[] = {
    {"fig-tewl", "Transepidermal water loss after each session", "TEWL (g/m\u00b2/h)",
     "Transepidermal water loss over the first %.0f h after each session.", A_TEWL,
     MN_REPORT_STAGE_ACUTE},
    {"fig-erythema", "Erythema after each session", "erythema index (0-1)",
     "Erythema index over the first %.0f h after each session.", A_ERYTHEMA, MN_REPORT_STAGE_ACUTE},
    {"fig-flux", "Topical flux after each session", "flux (\u00b5g/cm\u00b2/h)",
     "Flux of the topical compound out of the skin (into the circulation) over the first %.0f h "
     "after each session.",
     A_FLUX, MN_REPORT_STAGE_TOPICAL},
    {"fig-cumulative", "Cumulative topical delivery after each session",
     "cumulative delivery (\u00b5g/cm\u00b2)",
     "Cumulative amount of the topical compound delivered over the first %.0f h after each "
     "session.",
     A_CUMULATIVE, MN_REPORT_STAGE_TOPICAL}};

static int acute_plot(const char *dir, const acute_fig *af, const mn_course_result *r,
                      mn_report_figures *f, char *err, size_t errlen) {
  mn_plot_series s[SERIES_MAX];
  char labels[SERIES_MAX][LABEL_LEN];
  int n = r->nsessions < SERIES_MAX ? r->nsessions : SERIES_MAX;
  for (int i = 0; i < n; i++) {
    snprintf(labels[i], sizeof labels[i], "session %d (day %.0f)", i + 1, r->sessions[i].day);
    s[i] = borrowed(labels[i], NULL, NULL, 0, i, 0);
    if (acute_series(&r->sessions[i].acute, af->field, &s[i]) != 0) {
      free_series(s, (size_t)i);
      snprintf(err, errlen, "report: out of memory");
      return MN_REPORT_ENOMEM;
    }
  }
  mn_plot_lines d = {
      af->title, "time after the session (h)", af->ylabel, s, (size_t)n, NULL, 0, NULL, 1};
  char base[PATH_LEN];
  int rc = mn_plot_lines_write(base_path(dir, af->name, base, sizeof base), &d, err, errlen);
  free_series(s, (size_t)n);
  if (rc == 0) {
    add(f, af->name, af->stage, 1, af->caption, r->acute_hours);
  }
  return rc;
}

/* --- healing ------------------------------------------------------------ */

typedef struct {
  const char *column, *label;
} course_col;

typedef struct {
  const char *name, *title, *ylabel, *caption;
  course_col cols[3];
} course_fig;

static const course_fig course_figs[] = {
    {"fig-growth",
     "Growth factors and inflammation over the course",
     "excess over unwounded skin (basal units)",
     "Dermal means of the TGF-beta class growth factors (excess over the unwounded level, in "
     "basal levels) and of the inflammatory cells (in units of their scale), sampled daily; "
     "dotted lines mark the sessions.",
     {{"growth_factor", "TGF-beta growth factors"}, {"inflammation", "inflammation"}, {0, 0}}},
    {"fig-cells",
     "Fibroblasts and elastin over the course",
     "relative to normal tissue",
     "Dermal fibroblasts (resting + activated) and elastin relative to normal tissue, sampled "
     "daily; dotted lines mark the sessions.",
     {{"fibroblasts", "fibroblasts"}, {"elastin", "elastin"}, {0, 0}}},
    {"fig-collagen",
     "Collagen over the course",
     "collagen (mg/cm\u00b3)",
     "Dermal collagen I and III (structural + new), mg per cm\u00b3 of tissue, sampled daily; "
     "dotted lines mark the sessions.",
     {{"collagen_I", "collagen I"}, {"collagen_III", "collagen III"}, {0, 0}}}};

static int course_plot(const char *dir, const course_fig *cf, const mn_course_result *r,
                       mn_report_figures *f, char *err, size_t errlen) {
  mn_plot_series s[3];
  size_t n = 0;
  for (; n < 3 && cf->cols[n].column != NULL; n++) {
    s[n] = borrowed(cf->cols[n].label, NULL, NULL, 0, (int)n, 0);
    if (course_series(r->timeseries, cf->cols[n].column, &s[n]) != 0) {
      free_series(s, n);
      snprintf(err, errlen, "report: time series without %s", cf->cols[n].column);
      return MN_REPORT_EINVAL;
    }
  }
  double days[SERIES_MAX];
  size_t nd = 0;
  for (int i = 0; i < r->nsessions && nd < SERIES_MAX; i++) {
    days[nd++] = r->sessions[i].day;
  }
  mn_plot_lines d = {
      cf->title, "time (days from session 1)", cf->ylabel, s, n, days, nd, "sessions", 0};
  char base[PATH_LEN];
  int rc = mn_plot_lines_write(base_path(dir, cf->name, base, sizeof base), &d, err, errlen);
  free_series(s, n);
  if (rc == 0) {
    add(f, cf->name, MN_REPORT_STAGE_HEALING, 1, "%s", cf->caption);
  }
  return rc;
}

static int profile_plots(const char *dir, const mn_course_result *r, mn_report_figures *f,
                         char *err, size_t errlen) {
  const mn_healing_profile *a = &r->profile_start, *b = &r->profile_end;
  if (a->nz < 1 || b->nz < 1) {
    snprintf(err, errlen, "report: the course result has no depth profile");
    return MN_REPORT_EINVAL;
  }
  char lab[4][LABEL_LEN], base[PATH_LEN];
  snprintf(lab[0], LABEL_LEN, "collagen I, day %.0f", a->t_days);
  snprintf(lab[1], LABEL_LEN, "collagen I, day %.0f", b->t_days);
  snprintf(lab[2], LABEL_LEN, "collagen III, day %.0f", a->t_days);
  snprintf(lab[3], LABEL_LEN, "collagen III, day %.0f", b->t_days);
  mn_plot_series c[4] = {borrowed(lab[0], a->depth_um, a->collagen_I, (size_t)a->nz, 0, 1),
                         borrowed(lab[1], b->depth_um, b->collagen_I, (size_t)b->nz, 0, 0),
                         borrowed(lab[2], a->depth_um, a->collagen_III, (size_t)a->nz, 1, 1),
                         borrowed(lab[3], b->depth_um, b->collagen_III, (size_t)b->nz, 1, 0)};
  mn_plot_lines d = {"Collagen by depth, before and after the course",
                     "depth below the skin surface (\u00b5m)",
                     "collagen (mg/cm\u00b3)",
                     c,
                     4,
                     NULL,
                     0,
                     NULL,
                     1};
  int rc = mn_plot_lines_write(base_path(dir, "fig-profile", base, sizeof base), &d, err, errlen);
  if (rc != 0) {
    return rc;
  }
  add(f, "fig-profile", MN_REPORT_STAGE_HEALING, 1,
      "Collagen I and III by depth (lateral means over the window) before the first session "
      "(dashed, day %.0f) and at the end of the follow-up (solid, day %.0f).",
      a->t_days, b->t_days);
  snprintf(lab[0], LABEL_LEN, "fibroblasts, day %.0f", a->t_days);
  snprintf(lab[1], LABEL_LEN, "fibroblasts, day %.0f", b->t_days);
  snprintf(lab[2], LABEL_LEN, "elastin, day %.0f", a->t_days);
  snprintf(lab[3], LABEL_LEN, "elastin, day %.0f", b->t_days);
  mn_plot_series e[4] = {borrowed(lab[0], a->depth_um, a->fibroblasts, (size_t)a->nz, 2, 1),
                         borrowed(lab[1], b->depth_um, b->fibroblasts, (size_t)b->nz, 2, 0),
                         borrowed(lab[2], a->depth_um, a->elastin, (size_t)a->nz, 3, 1),
                         borrowed(lab[3], b->depth_um, b->elastin, (size_t)b->nz, 3, 0)};
  d.title = "Fibroblasts and elastin by depth, before and after the course";
  d.ylabel = "relative to normal tissue";
  d.series = e;
  rc = mn_plot_lines_write(base_path(dir, "fig-profile-cells", base, sizeof base), &d, err, errlen);
  if (rc == 0) {
    add(f, "fig-profile-cells", MN_REPORT_STAGE_HEALING, 1,
        "Fibroblasts and elastin by depth relative to normal tissue before the first session "
        "(dashed) and at the end of the follow-up (solid).");
  }
  return rc;
}

int mn_report_figures_run(const char *dir, const mn_protocol *p, const mn_course_result *r,
                          double density_cell_mm, mn_report_figures *f, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  if (r->nsessions < 1 || r->sessions == NULL || !(density_cell_mm > 0.0)) {
    snprintf(err, errlen, "report: a course result without sessions");
    return MN_REPORT_EINVAL;
  }
  const mn_puncture_list *l = r->sessions[0].puncture_list;
  int rc = 0;
  if (l != NULL && l->count > 0) {
    rc = density_map(dir, l, density_cell_mm, f, err, errlen);
    if (rc == 0) {
      rc = depth_hist(dir, l, f, err, errlen);
    }
  } else {
    add(f, "fig-density", MN_REPORT_STAGE_DEVICE, 0,
        "No puncture map or depth histogram: session 1 left no punctures in the treated area.");
  }
  for (size_t k = 0; rc == 0 && k < sizeof acute_figs / sizeof acute_figs[0]; k++) {
    if (acute_figs[k].stage == MN_REPORT_STAGE_TOPICAL && !p->treatment.has_topical) {
      if (acute_figs[k].field == A_FLUX) {
        add(f, "fig-flux", MN_REPORT_STAGE_TOPICAL, 0,
            "No flux or cumulative delivery plots: the protocol applies no topical compound.");
      }
      continue;
    }
    rc = acute_plot(dir, &acute_figs[k], r, f, err, errlen);
  }
  if (rc == 0 && !r->has_healing) {
    add(f, "fig-growth", MN_REPORT_STAGE_HEALING, 0,
        "No healing plots (growth factors, cells, collagen, depth profile): excised skin "
        "(ex vivo) does not heal.");
    return 0;
  }
  for (size_t k = 0; rc == 0 && k < sizeof course_figs / sizeof course_figs[0]; k++) {
    rc = course_plot(dir, &course_figs[k], r, f, err, errlen);
  }
  if (rc == 0) {
    rc = profile_plots(dir, r, f, err, errlen);
  }
  return rc;
}
