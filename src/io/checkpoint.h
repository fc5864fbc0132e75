/*
 * checkpoint.h5: a run's restartable state, so `mnlab run --resume DIR`
 * continues an interrupted run and gives the uninterrupted run's outputs
 * bit for bit.
 *
 * Pipeline position: course driver (safe points, mn_course_state) ->
 * [checkpoint] -> DIR/checkpoint.h5 -> [checkpoint] -> course driver. The
 * file holds how the run was started (the protocol file's text and its
 * resolved form, the stroke source, the thread count) and the state at the
 * run's last safe point: every finished session (day, puncture statistics
 * and list, the acute result's figures and series), the time series rows so
 * far, the healing clock and the healing stage's fields. Layout and
 * meaning: docs/outputs.md. Written atomically (a temporary beside it,
 * synced, renamed over it): a killed run leaves the previous checkpoint or
 * the new one, never a torn file.
 */
#ifndef MN_IO_CHECKPOINT_H
#define MN_IO_CHECKPOINT_H

#include <stddef.h>

#include "course/course.h"

#define MN_CHECKPOINT_SCHEMA "mnlab.checkpoint/1"
#define MN_CHECKPOINT_FILE "checkpoint.h5"

enum {
  MN_CHECKPOINT_OK = 0,
  MN_CHECKPOINT_EIO = -1,     /* cannot write, or the file is not a readable HDF5 file */
  MN_CHECKPOINT_ENOMEM = -2,  /* out of memory */
  MN_CHECKPOINT_EFORMAT = -3, /* another schema, or a part missing or malformed */
  MN_CHECKPOINT_ENOENT = -4   /* no such file */
};

/* How the run was started: what a restart needs besides the state. */
typedef struct mn_checkpoint_run {
  char *protocol_yaml; /* the protocol file's text; NULL: the built-in default */
  char *protocol_json; /* the resolved protocol (compact, keys sorted), checked on resume */
  int ideal_strokes;   /* 1: ideal stroke rate; 0: the pen's software-in-the-loop run */
  int nthreads;        /* threads the run used (results are bitwise the same for the same) */
  /* The field snapshots taken up to the state's safe point, as
   * mn_fields_list gives them (NULL: none); a resumed run's fields writer
   * starts from it, so fields.xdmf names the snapshots of the whole run. */
  char *field_snapshots;
} mn_checkpoint_run;

/* Writes run and state to path atomically. */
int mn_checkpoint_write(const char *path, const mn_checkpoint_run *run, const mn_course_state *s,
                        char *err, size_t errlen);
/* Reads a checkpoint; on success the caller frees both with
 * mn_checkpoint_run_free and mn_course_state_free. */
int mn_checkpoint_read(const char *path, mn_checkpoint_run *run, mn_course_state *s, char *err,
                       size_t errlen);
void mn_checkpoint_run_free(mn_checkpoint_run *run);

#endif /* MN_IO_CHECKPOINT_H */
