/*
 * mnlab run's checkpoints, interruptions and --resume: keeps DIR/checkpoint.h5
 * up to date while a run goes (every --checkpoint-every wall seconds at the
 * course driver's safe points), turns SIGINT and SIGTERM into a clean stop
 * that leaves the last safe point in DIR, and rebuilds a run from DIR for
 * `mnlab run --resume DIR`. The directory's life (docs/outputs.md): it is
 * made at the start and holds checkpoint.h5 while the run goes; the results
 * arrive in it each atomically; checkpoint.h5 is removed last, so a DIR
 * without checkpoint.h5 holds a finished run and one with it an unfinished
 * run to resume.
 */
#ifndef MN_CLI_RUN_CHECKPOINT_H
#define MN_CLI_RUN_CHECKPOINT_H

#include <stddef.h>

#include "course/course.h"
#include "io/checkpoint.h"
#include "io/fields.h"
#include "io/protocol.h"

/* Exit status of a run stopped by SIGINT or SIGTERM (checkpoint kept). */
enum { MN_CLI_EINTERRUPTED = 3 };

/* Default wall time between checkpoints, s. */
#define MN_CLI_CHECKPOINT_EVERY_S 60.0

typedef struct {
  char *dir;
  char path[4096]; /* DIR/checkpoint.h5 */
  int created;     /* this run made DIR */
  int resumed;
  double every_s, last_s;
  int written; /* checkpoints written by this process */
  int warned;  /* a checkpoint could not be written (said once) */
  double safe_day;
  int safe_sessions;
  mn_checkpoint_run run;
  /* the run's field snapshots (NULL: none) and how many of them the last
   * safe point had: a checkpoint lists those */
  const mn_fields *fields;
  size_t safe_nsnaps;
  /* the progress callback wrapped by the stop watch */
  mn_course_progress_fn inner;
  void *inner_ctx;
} mn_cli_checkpoint;

/* A fresh run: records how it was started (the protocol file's text, the
 * resolved protocol, the stroke source, the thread count: *nthreads 0 is
 * resolved to the OpenMP default, which the run must then use) and makes
 * DIR. */
int mn_cli_checkpoint_begin(mn_cli_checkpoint *c, const char *dir, const char *protocol_path,
                            const mn_protocol *p, int ideal, int *nthreads, double every_s,
                            char *err, size_t errlen);
/* --resume DIR: reads DIR/checkpoint.h5 and rebuilds the protocol (checked
 * against the resolved one stored), the stroke source and the thread count;
 * st is the state to pass as mn_course_options.resume (free it with
 * mn_course_state_free). Returns MN_CHECKPOINT_ENOENT when DIR holds none. */
int mn_cli_checkpoint_resume(mn_cli_checkpoint *c, const char *dir, double every_s, mn_protocol *p,
                             int *ideal, int *nthreads, mn_course_state *st, char *err,
                             size_t errlen);
/* Hooks the run: checkpoint callback, stop on SIGINT/SIGTERM (wrapping the
 * progress callback already set). fields (may be NULL) is the run's field
 * writer, already holding a resumed run's earlier snapshots: each
 * checkpoint lists the snapshots taken up to its safe point. */
void mn_cli_checkpoint_attach(mn_cli_checkpoint *c, mn_course_options *o, const mn_fields *fields);
/* After the run: 1 when a signal stopped it. */
int mn_cli_checkpoint_interrupted(void);
/* The results are in place: removes checkpoint.h5. */
void mn_cli_checkpoint_finish(mn_cli_checkpoint *c);
/* The run failed: a fresh run's checkpoint and the DIR it made go (as a
 * failed run leaves no DIR); a resumed or interrupted run's checkpoint
 * stays. */
void mn_cli_checkpoint_fail(mn_cli_checkpoint *c);
void mn_cli_checkpoint_free(mn_cli_checkpoint *c);

#endif /* MN_CLI_RUN_CHECKPOINT_H */
