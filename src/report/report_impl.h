/*
 * Inside the report: what the figure builders hand the page writer. A
 * figure is drawn (its files exist beside the page) or omitted with the
 * reason the page prints instead.
 */
#ifndef MN_REPORT_IMPL_H
#define MN_REPORT_IMPL_H

#include <stddef.h>

#include "course/course.h"
#include "io/protocol.h"
#include "report/report.h"

enum { MN_REPORT_FIG_MAX = 16, MN_REPORT_NAME_MAX = 64, MN_REPORT_TEXT_MAX = 512 };

/* The stages the page has a section for, in pipeline order. */
typedef enum {
  MN_REPORT_STAGE_DEVICE,
  MN_REPORT_STAGE_ACUTE,
  MN_REPORT_STAGE_TOPICAL,
  MN_REPORT_STAGE_HEALING,
  MN_REPORT_NSTAGES
} mn_report_stage;

typedef struct {
  char name[MN_REPORT_NAME_MAX];    /* file base: NAME.png and NAME.svg */
  char caption[MN_REPORT_TEXT_MAX]; /* what it shows; or why it was left out */
  mn_report_stage stage;
  int drawn;
} mn_report_figure;

typedef struct {
  mn_report_figure fig[MN_REPORT_FIG_MAX];
  int n;
} mn_report_figures;

/* One run: its figures, drawn into dir. density_cell_mm: edge of the cells
 * the puncture density is counted in. */
int mn_report_figures_run(const char *dir, const mn_protocol *p, const mn_course_result *r,
                          double density_cell_mm, mn_report_figures *out, char *err, size_t errlen);

/* Two runs overlaid. */
int mn_report_figures_compare(const char *dir, const char *label_a, const mn_protocol *pa,
                              const mn_course_result *ra, const char *label_b,
                              const mn_protocol *pb, const mn_course_result *rb,
                              mn_report_figures *out, char *err, size_t errlen);

/* A key figure: value (NaN: not reached in the run), unit, definition. */
typedef struct {
  const char *name;
  double value;
  const char *unit;
  const char *definition;
  mn_report_stage stage;
} mn_report_key;

enum { MN_REPORT_KEYS_MAX = 40 };

/* The key figures of summary.json (session 1 for the acute ones); returns
 * how many were written into keys. */
int mn_report_keys(const mn_protocol *p, const mn_course_result *r, mn_report_key *keys, int max);

/* The pages. */
int mn_report_html_run(const char *path, const mn_protocol *p, const mn_course_result *r,
                       const mn_report_figures *f, char *err, size_t errlen);
int mn_report_html_compare(const char *path, const char *label_a, const mn_protocol *pa,
                           const mn_course_result *ra, const char *label_b, const mn_protocol *pb,
                           const mn_course_result *rb, const mn_report_figures *f, char *err,
                           size_t errlen);

#endif /* MN_REPORT_IMPL_H */
