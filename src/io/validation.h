/*
 * Validation cases (data/validation/NAME.yaml): one published measurement each,
 * with the protocol that sets up the experiment, the summary figure to
 * compare, and the accepted range fixed from the publication. Format:
 * data/validation/README.md. Errors name the file, line and key.
 */
#ifndef MN_IO_VALIDATION_H
#define MN_IO_VALIDATION_H

#include <stddef.h>

enum { MN_VALIDATION_TEXT_MAX = 512 };

typedef struct {
  char file[MN_VALIDATION_TEXT_MAX];
  char name[128];
  char protocol[128]; /* file name inside data/protocols */
  char metric[128];   /* dotted path into summary.json, or a sum of such terms */
  double measured;
  double accept_lo, accept_hi;
  char tolerance[MN_VALIDATION_TEXT_MAX];
  char source[MN_VALIDATION_TEXT_MAX];
  /* 1 when a model parameter or an unpublished detail of the protocol was
   * fitted to this measurement (role: calibration): its pass shows the fit
   * holds through the pipeline, not that the model predicts it. 0 for a
   * check (role: check), to which nothing was fitted. */
  int calibration;
} mn_validation_case;

enum { MN_VALIDATION_OK = 0, MN_VALIDATION_EIO = -1, MN_VALIDATION_ESCHEMA = -2 };

int mn_validation_case_load(mn_validation_case *c, const char *path, char *err, size_t errlen);

/* Loads every *.yaml of a directory, sorted by file name, into a malloc'ed
 * array. */
int mn_validation_cases_load(const char *dir, mn_validation_case **cases, size_t *n, char *err,
                             size_t errlen);

/* The value of a case's metric in a summary.json object (jansson): a dotted
 * path, or terms "PATH", "PATH * NUMBER" or "PATH / NUMBER" joined by " + ",
 * for a figure counted across stages (e.g. the days TGF-beta stays raised
 * from the session: "healing.growth_factor_elevated_days +
 * acute_hours_per_session / 24"). NAN when a path is absent or not a number,
 * or the expression is malformed. */
struct json_t;
double mn_validation_metric_value(struct json_t *summary, const char *metric);

/* 1 if the metric expression is well formed (paths and numbers). */
int mn_validation_metric_ok(const char *metric);

#endif /* MN_IO_VALIDATION_H */
