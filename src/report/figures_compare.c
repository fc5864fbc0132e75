/*
 * Overlaid figures of two runs for compare.html: session 1's TEWL and
 * erythema, its topical flux and cumulative delivery (when either protocol
 * has a topical), and over the course (when both heal) collagen I and III,
 * fibroblasts and elastin, growth factors, and the collagen depth profile
 * at the end. Run A is drawn solid, run B dashed, one colour per quantity.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"
#include "report/report_impl.h"

enum { PATH_LEN = 4096, LABEL_LEN = 160, MARKS_MAX = 24 };

static const double HOURS_PER_DAY = 24.0;

typedef struct {
  const char *label;
  const mn_protocol *p;
  const mn_course_result *r;
} run_ref;

static void add(mn_report_figures *f, const char *name, mn_report_stage stage, int drawn,
                const char *caption) {
  if (f->n >= MN_REPORT_FIG_MAX) {
    return;
  }
  mn_report_figure *g = &f->fig[f->n++];
  snprintf(g->name, sizeof g->name, "%s", name);
  snprintf(g->caption, sizeof g->caption, "%s", caption);
  g->stage = stage;
  g->drawn = drawn;
}

typedef enum { A_TEWL, A_ERYTHEMA, A_FLUX, A_CUMULATIVE } acute_field;

static int acute_xy(const mn_acute_result *a, acute_field field, double **x, double **y) {
  *x = malloc((a->nseries + 1) * sizeof **x);
  *y = malloc((a->nseries + 1) * sizeof **y);
  if (*x == NULL || *y == NULL) {
    return -1;
  }
  for (size_t k = 0; k < a->nseries; k++) {
    const mn_acute_sample *s = &a->series[k];
    (*x)[k] = s->time_h;
    (*y)[k] = field == A_TEWL       ? s->tewl_g_m2_h
              : field == A_ERYTHEMA ? s->erythema_index
              : field == A_FLUX     ? s->flux_ug_cm2_h
                                    : s->cumulative_ug_cm2;
  }
  return 0;
}

static int course_xy(const mn_table *t, const char *column, double **x, double **y, size_t *n) {
  int tc = mn_table_find(t, "time_h"), c = mn_table_find(t, column);
  size_t rows = mn_table_rows(t);
  *x = malloc((rows + 1) * sizeof **x);
  *y = malloc((rows + 1) * sizeof **y);
  *n = 0;
  if (tc < 0 || c < 0 || *x == NULL || *y == NULL) {
    return -1;
  }
  for (size_t i = 0; i < rows; i++) {
    double v = mn_table_get(t, i, (size_t)c);
    if (isfinite(v)) {
      (*x)[*n] = mn_table_get(t, i, (size_t)tc) / HOURS_PER_DAY;
      (*y)[*n] = v;
      (*n)++;
    }
  }
  return 0;
}

typedef struct {
  mn_plot_series s[4];
  char labels[4][LABEL_LEN];
  double *x[4], *y[4];
  size_t n;
} overlay;

static void overlay_free(overlay *o) {
  for (size_t k = 0; k < 4; k++) {
    free(o->x[k]);
    free(o->y[k]);
  }
}

static void overlay_add(overlay *o, const char *run, const char *what, int colour, int dashed,
                        size_t n) {
  size_t k = o->n++;
  if (what != NULL) {
    snprintf(o->labels[k], LABEL_LEN, "%s: %s", run, what);
  } else {
    snprintf(o->labels[k], LABEL_LEN, "%s", run);
  }
  mn_plot_series s = {o->labels[k], o->x[k], o->y[k], n, dashed, colour};
  o->s[k] = s;
}

static int acute_overlay(const char *dir, const char *name, const char *title, const char *ylabel,
                         acute_field field, const run_ref *runs, int need_topical,
                         mn_report_figures *f, const char *caption, char *err, size_t errlen) {
  overlay o;
  memset(&o, 0, sizeof o);
  for (int k = 0; k < 2; k++) {
    if (need_topical && !runs[k].p->treatment.has_topical) {
      continue;
    }
    const mn_acute_result *a = &runs[k].r->sessions[0].acute;
    if (acute_xy(a, field, &o.x[o.n], &o.y[o.n]) != 0) {
      overlay_free(&o);
      snprintf(err, errlen, "report: out of memory");
      return MN_REPORT_ENOMEM;
    }
    overlay_add(&o, runs[k].label, NULL, k, k, a->nseries);
  }
  mn_plot_lines d = {title, "time after session 1 (h)", ylabel, o.s, o.n, NULL, 0, NULL, 1};
  char base[PATH_LEN];
  snprintf(base, sizeof base, "%s/%s", dir, name);
  int rc = mn_plot_lines_write(base, &d, err, errlen);
  overlay_free(&o);
  if (rc == 0) {
    add(f, name,
        field == A_FLUX || field == A_CUMULATIVE ? MN_REPORT_STAGE_TOPICAL : MN_REPORT_STAGE_ACUTE,
        1, caption);
  }
  return rc;
}

typedef struct {
  const char *name, *title, *ylabel, *caption;
  const char *col[2], *what[2];
} course_overlay_fig;

static const course_overlay_fig course_figs[] = {
    {"cmp-collagen",
     "Collagen over the course",
     "collagen (mg/cm\u00b3)",
     "Dermal collagen I and III of both runs (A solid, B dashed), sampled daily; dotted lines "
     "mark the sessions of either run.",
     {"collagen_I", "collagen_III"},
     {"collagen I", "collagen III"}},
    {"cmp-cells",
     "Fibroblasts and elastin over the course",
     "relative to normal tissue",
     "Dermal fibroblasts and elastin of both runs relative to normal tissue (A solid, B "
     "dashed); dotted lines mark the sessions.",
     {"fibroblasts", "elastin"},
     {"fibroblasts", "elastin"}},
    {"cmp-growth",
     "Growth factors and inflammation over the course",
     "excess over unwounded skin (basal units)",
     "TGF-beta class growth factors and inflammation of both runs (A solid, B dashed); dotted "
     "lines mark the sessions.",
     {"growth_factor", "inflammation"},
     {"growth factors", "inflammation"}}};

static int course_overlay(const char *dir, const course_overlay_fig *cf, const run_ref *runs,
                          mn_report_figures *f, char *err, size_t errlen) {
  overlay o;
  memset(&o, 0, sizeof o);
  double marks[MARKS_MAX];
  size_t nm = 0;
  for (int k = 0; k < 2; k++) {
    for (int c = 0; c < 2; c++) {
      size_t n = 0;
      if (course_xy(runs[k].r->timeseries, cf->col[c], &o.x[o.n], &o.y[o.n], &n) != 0) {
        overlay_free(&o);
        snprintf(err, errlen, "report: time series without %s", cf->col[c]);
        return MN_REPORT_EINVAL;
      }
      overlay_add(&o, runs[k].label, cf->what[c], c, k, n);
    }
    for (int i = 0; i < runs[k].r->nsessions && nm < MARKS_MAX; i++) {
      marks[nm++] = runs[k].r->sessions[i].day;
    }
  }
  mn_plot_lines d = {
      cf->title, "time (days from session 1)", cf->ylabel, o.s, o.n, marks, nm, "sessions", 0};
  char base[PATH_LEN];
  snprintf(base, sizeof base, "%s/%s", dir, cf->name);
  int rc = mn_plot_lines_write(base, &d, err, errlen);
  overlay_free(&o);
  if (rc == 0) {
    add(f, cf->name, MN_REPORT_STAGE_HEALING, 1, cf->caption);
  }
  return rc;
}

static int profile_overlay(const char *dir, const run_ref *runs, mn_report_figures *f, char *err,
                           size_t errlen) {
  mn_plot_series s[4];
  char labels[4][LABEL_LEN];
  size_t n = 0;
  for (int k = 0; k < 2; k++) {
    const mn_healing_profile *e = &runs[k].r->profile_end;
    if (e->nz < 1) {
      snprintf(err, errlen, "report: %s has no depth profile", runs[k].label);
      return MN_REPORT_EINVAL;
    }
    snprintf(labels[n], LABEL_LEN, "%s: collagen I", runs[k].label);
    mn_plot_series a = {labels[n], e->depth_um, e->collagen_I, (size_t)e->nz, k, 0};
    s[n++] = a;
    snprintf(labels[n], LABEL_LEN, "%s: collagen III", runs[k].label);
    mn_plot_series b = {labels[n], e->depth_um, e->collagen_III, (size_t)e->nz, k, 1};
    s[n++] = b;
  }
  mn_plot_lines d = {"Collagen by depth at the end of the follow-up",
                     "depth below the skin surface (\u00b5m)",
                     "collagen (mg/cm\u00b3)",
                     s,
                     n,
                     NULL,
                     0,
                     NULL,
                     1};
  char base[PATH_LEN];
  snprintf(base, sizeof base, "%s/cmp-profile", dir);
  int rc = mn_plot_lines_write(base, &d, err, errlen);
  if (rc == 0) {
    add(f, "cmp-profile", MN_REPORT_STAGE_HEALING, 1,
        "Collagen I (solid) and III (dashed) by depth at the end of each run's follow-up, one "
        "colour per run.");
  }
  return rc;
}

int mn_report_figures_compare(const char *dir, const char *label_a, const mn_protocol *pa,
                              const mn_course_result *ra, const char *label_b,
                              const mn_protocol *pb, const mn_course_result *rb,
                              mn_report_figures *f, char *err, size_t errlen) {
  memset(f, 0, sizeof *f);
  run_ref runs[2] = {{label_a, pa, ra}, {label_b, pb, rb}};
  if (ra->nsessions < 1 || rb->nsessions < 1) {
    snprintf(err, errlen, "report: a course result without sessions");
    return MN_REPORT_EINVAL;
  }
  int rc = acute_overlay(dir, "cmp-tewl", "Transepidermal water loss after session 1",
                         "TEWL (g/m\u00b2/h)", A_TEWL, runs, 0, f,
                         "TEWL after session 1 of each run (A solid, B dashed).", err, errlen);
  if (rc == 0) {
    rc = acute_overlay(
        dir, "cmp-erythema", "Erythema after session 1", "erythema index (0-1)", A_ERYTHEMA, runs,
        0, f, "Erythema index after session 1 of each run (A solid, B dashed).", err, errlen);
  }
  int topical = pa->treatment.has_topical || pb->treatment.has_topical;
  if (rc == 0 && topical) {
    rc = acute_overlay(dir, "cmp-flux", "Topical flux after session 1", "flux (\u00b5g/cm\u00b2/h)",
                       A_FLUX, runs, 1, f,
                       "Flux of the topical compound after session 1 (runs with a topical only).",
                       err, errlen);
  }
  if (rc == 0 && topical) {
    rc = acute_overlay(dir, "cmp-cumulative", "Cumulative topical delivery after session 1",
                       "cumulative delivery (\u00b5g/cm\u00b2)", A_CUMULATIVE, runs, 1, f,
                       "Cumulative delivery of the topical compound after session 1 (runs with a "
                       "topical only).",
                       err, errlen);
  } else if (rc == 0) {
    add(f, "cmp-flux", MN_REPORT_STAGE_TOPICAL, 0,
        "No flux or delivery plots: neither protocol applies a topical compound.");
  }
  if (rc == 0 && !(ra->has_healing && rb->has_healing)) {
    add(f, "cmp-collagen", MN_REPORT_STAGE_HEALING, 0,
        "No healing overlays: at least one run is on excised skin (ex vivo), which does not "
        "heal.");
    return 0;
  }
  for (size_t k = 0; rc == 0 && k < sizeof course_figs / sizeof course_figs[0]; k++) {
    rc = course_overlay(dir, &course_figs[k], runs, f, err, errlen);
  }
  if (rc == 0) {
    rc = profile_overlay(dir, runs, f, err, errlen);
  }
  return rc;
}
