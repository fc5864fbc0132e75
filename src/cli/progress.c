/* Progress bar on stderr; see progress.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* Below this share of the work done, an extrapolated ETA is noise. */
#define MN_PROGRESS_ETA_MIN_FRACTION 0.01

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void mn_cli_progress_init(mn_cli_progress *b, int quiet) {
  b->enabled = !quiet && isatty(STDERR_FILENO);
  b->t0 = wall_s();
  b->offset = 0.0;
  b->scale = 1.0;
  b->prefix = NULL;
}

int mn_cli_progress_update(void *ctx, const char *stage, double fraction, double sim_h) {
  const mn_cli_progress *b = ctx;
  if (!b->enabled) {
    return 0;
  }
  double f = b->offset + b->scale * fraction;
  double wall = wall_s() - b->t0;
  enum { WIDTH = 30 };
  char bar[WIDTH + 1];
  int filled = (int)(f * WIDTH);
  for (int i = 0; i < WIDTH; i++) {
    bar[i] = i < filled ? '#' : '.';
  }
  bar[WIDTH] = '\0';
  fprintf(stderr, "\r[%s] %3d%%  %s%s%-7s  sim %7.1f h  wall %5.1f s", bar, (int)(f * 100.0 + 0.5),
          b->prefix ? b->prefix : "", b->prefix ? ": " : "", stage, sim_h, wall);
  if (f > MN_PROGRESS_ETA_MIN_FRACTION && f < 1.0) {
    fprintf(stderr, "  eta %5.1f s", wall * (1.0 - f) / f);
  } else {
    fprintf(stderr, "             ");
  }
  if (f >= 1.0) {
    fputc('\n', stderr);
  }
  return 0;
}

void mn_cli_progress_abandon(const mn_cli_progress *b) {
  if (b->enabled) {
    fputc('\n', stderr);
  }
}
