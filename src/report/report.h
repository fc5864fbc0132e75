/*
 * The report: the last stage of the pipeline. It turns a course result into
 * a page a person reads (report.html) with the figures drawn beside it as
 * PNG and SVG files, and two course results into a side-by-side page
 * (compare.html) with overlaid plots.
 *
 *   protocol -> ... -> course result -> summary.json, timeseries.csv
 *                                    -> report.html + fig-*.png/.svg
 *
 * The page needs no network and no scripts: inline CSS, images by relative
 * path. Plots that do not apply to a protocol (no topical: no flux plot;
 * excised skin: no healing plots) are left out and the page says so.
 *
 * Not thread-safe: PLplot, which draws the figures, has one global plot
 * stream, so one report is written at a time per process.
 */
#ifndef MN_REPORT_REPORT_H
#define MN_REPORT_REPORT_H

#include <stddef.h>

#include "course/course.h"
#include "io/protocol.h"

enum { MN_REPORT_OK = 0, MN_REPORT_EINVAL = -1, MN_REPORT_EIO = -2, MN_REPORT_ENOMEM = -3 };

/* dir: an existing directory (the run's staging output directory). Writes
 * report.html and its figures (fig-NAME.png and fig-NAME.svg) beside it,
 * each file atomically (temporary + rename). */
int mn_report_write(const char *dir, const mn_protocol *p, const mn_course_result *r, char *err,
                    size_t errlen);

/* The same for two runs side by side: compare.html and overlaid figures
 * (cmp-NAME.png/.svg), the two runs labelled label_a and label_b. */
int mn_report_compare_write(const char *dir, const char *label_a, const mn_protocol *pa,
                            const mn_course_result *ra, const char *label_b, const mn_protocol *pb,
                            const mn_course_result *rb, char *err, size_t errlen);

#endif /* MN_REPORT_REPORT_H */
