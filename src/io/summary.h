/*
 * summary.json: the run's key figures for tools (schema "mnlab.summary/1").
 * Definitions of every figure: docs/model.md. A figure the run could not
 * determine (e.g. TEWL never back within 10 % of baseline in the simulated
 * time) is null, never a sentinel number.
 */
#ifndef MN_IO_SUMMARY_H
#define MN_IO_SUMMARY_H

#include <jansson.h>
#include <stddef.h>

#include "course/course.h"
#include "io/protocol.h"

#define MN_SUMMARY_SCHEMA "mnlab.summary/1"

/* Builds the summary object (new reference) or NULL when out of memory. */
json_t *mn_summary_build(const mn_protocol *p, const mn_course_result *r);
/* Writes it atomically. */
int mn_summary_write(const char *path, const mn_protocol *p, const mn_course_result *r, char *err,
                     size_t errlen);

#endif /* MN_IO_SUMMARY_H */
