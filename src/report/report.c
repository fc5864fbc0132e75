/*
 * The report stage's entry points (report.h): the density cell from
 * data/course, the figures (figures.c, figures_compare.c), then the page
 * (html.c), which is written last so a page never points at figures that
 * are not there yet.
 */
#include "report/report.h"

#include <stdio.h>

#include "io/datadir.h"
#include "io/params.h"
#include "report/report_impl.h"

enum { PATH_LEN = 4096 };

static int density_cell(double *mm, char *err, size_t errlen) {
  mn_params *t = NULL;
  char dir[PATH_LEN];
  snprintf(dir, sizeof dir, "%s/course", mn_data_dir());
  if (mn_params_create(&t) != 0) {
    snprintf(err, errlen, "report: out of memory");
    return MN_REPORT_ENOMEM;
  }
  int rc = mn_params_load_dir(t, dir, err, errlen);
  if (rc == 0) {
    rc = mn_params_get(t, "course.density_cell", "mm", mm, err, errlen);
  }
  mn_params_destroy(&t);
  return rc == 0 ? MN_REPORT_OK : MN_REPORT_EINVAL;
}

int mn_report_write(const char *dir, const mn_protocol *p, const mn_course_result *r, char *err,
                    size_t errlen) {
  if (dir == NULL || p == NULL || r == NULL || r->nsessions < 1 || r->timeseries == NULL) {
    snprintf(err, errlen, "report: nothing to report");
    return MN_REPORT_EINVAL;
  }
  double cell_mm = 0.0;
  int rc = density_cell(&cell_mm, err, errlen);
  mn_report_figures f;
  if (rc == 0) {
    rc = mn_report_figures_run(dir, p, r, cell_mm, &f, err, errlen);
  }
  if (rc == 0) {
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/report.html", dir);
    rc = mn_report_html_run(path, p, r, &f, err, errlen);
  }
  return rc;
}

int mn_report_compare_write(const char *dir, const char *label_a, const mn_protocol *pa,
                            const mn_course_result *ra, const char *label_b, const mn_protocol *pb,
                            const mn_course_result *rb, char *err, size_t errlen) {
  if (dir == NULL || label_a == NULL || label_b == NULL || pa == NULL || pb == NULL || ra == NULL ||
      rb == NULL || ra->nsessions < 1 || rb->nsessions < 1 || ra->timeseries == NULL ||
      rb->timeseries == NULL) {
    snprintf(err, errlen, "report: nothing to compare");
    return MN_REPORT_EINVAL;
  }
  mn_report_figures f;
  int rc = mn_report_figures_compare(dir, label_a, pa, ra, label_b, pb, rb, &f, err, errlen);
  if (rc == 0) {
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/compare.html", dir);
    rc = mn_report_html_compare(path, label_a, pa, ra, label_b, pb, rb, &f, err, errlen);
  }
  return rc;
}
