/*
 * The progress bar of the long-running subcommands: one line on stderr,
 * redrawn in place, with the stage, the simulated time, the wall time and
 * an estimate of the time left. Drawn only when stderr is a terminal and
 * --quiet is not given, so pipes and logs stay clean.
 */
#ifndef MN_CLI_PROGRESS_H
#define MN_CLI_PROGRESS_H

typedef struct {
  int enabled;
  double t0;          /* wall clock at the start, s */
  double offset;      /* a run that is one part of several: where it starts */
  double scale;       /* and its share of the whole (1 for a single run) */
  const char *prefix; /* shown before the stage, e.g. a run's label; may be NULL */
} mn_cli_progress;

/* enabled when stderr is a terminal and not quiet; covers the whole bar. */
void mn_cli_progress_init(mn_cli_progress *b, int quiet);
/* Matches mn_course_progress_fn (ctx: mn_cli_progress *). */
int mn_cli_progress_update(void *ctx, const char *stage, double fraction, double sim_h);
/* Ends the line when a run stops before reaching 100 %. */
void mn_cli_progress_abandon(const mn_cli_progress *b);

#endif /* MN_CLI_PROGRESS_H */
