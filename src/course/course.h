/*
 * The course driver: runs a protocol through the pipeline, session by
 * session, and gathers what the outputs report.
 *
 *   protocol -> device (punctures of the session) -> skin/acute (0-72 h)
 *            -> skin/healing (one simulation over the whole course,
 *               each session's wound added to the tissue as it stands)
 *            -> course result
 *
 * It owns the clock and the sequencing and no physics: every stage is called
 * through its own API with plain structs. The pen's strokes come from a
 * stroke source the caller injects (the command line passes the firmware's
 * software-in-the-loop run; without one the device stage uses the ideal
 * stroke rate), since the firmware host port sits above this library.
 */
#ifndef MN_COURSE_COURSE_H
#define MN_COURSE_COURSE_H

#include <stddef.h>
#include <stdint.h>

#include "device/punctures.h"
#include "io/protocol.h"
#include "io/table.h"
#include "skin/acute.h"
#include "skin/healing.h"
#include "skin/healing_profile.h"
#include "skin/healing_state.h"

enum {
  MN_COURSE_OK = 0,
  MN_COURSE_EINVAL = -1,
  MN_COURSE_ENOMEM = -2,
  MN_COURSE_ESTAGE = -3,
  MN_COURSE_ESTOPPED = -4, /* the progress callback asked to stop */
  MN_COURSE_ERESUME = -5   /* a resume state that does not fit this run */
};

/* Called as the run goes (also after every step of an acute phase, so a
 * stop request is seen within one step): stage name, fraction of the whole
 * run done (0-1), simulated time in hours. Return non-zero to stop the run:
 * it fails with MN_COURSE_ESTOPPED, after handing the last safe point to the
 * checkpoint callback (final = 1). */
typedef int (*mn_course_progress_fn)(void *ctx, const char *stage, double fraction, double sim_h);

typedef struct mn_course_state mn_course_state;
/* Called at every safe point (final = 0: keep it if you like) and, when the
 * run is stopped, once more with the last safe point (final = 1). The state
 * is valid during the call only. Non-zero fails the run with err filled. */
typedef int (*mn_course_checkpoint_fn)(void *ctx, const mn_course_state *s, int final, char *err,
                                       size_t errlen);

/* A field snapshot the course driver hands out (valid during the call):
 * the acute tissue of a session or the healing stage, at time_h on the
 * course clock (hours since the first session), taken for requested_h. */
typedef struct mn_course_snapshot {
  int session; /* acute: 1.. ; healing: 0 */
  double time_h, requested_h;
  const mn_tissue *tissue;   /* acute snapshots, else NULL */
  const mn_healing *healing; /* healing snapshots, else NULL */
} mn_course_snapshot;
/* Non-zero fails the run with err filled. */
typedef int (*mn_course_snapshot_fn)(void *ctx, const mn_course_snapshot *s, char *err,
                                     size_t errlen);

typedef struct {
  const char *data_dir;              /* NULL: mn_data_dir() */
  mn_stroke_source_fn stroke_source; /* NULL: the ideal stroke rate */
  void *stroke_ctx;
  mn_course_progress_fn progress; /* may be NULL */
  void *progress_ctx;
  int nthreads; /* 0: OpenMP default */
  /* Field snapshots (may be NULL): at each of snapshot_h (course clock,
   * increasing) the acute tissue at the first step at or after it when it
   * falls in a session's acute phase, and the healing stage advanced exactly
   * to it; with snapshot_milestones also the healing stage at the start and
   * the end of the course and the first session's acute tissue at the end
   * of its acute phase. */
  mn_course_snapshot_fn snapshot;
  void *snapshot_ctx;
  const double *snapshot_h;
  size_t nsnapshot_h;
  int snapshot_milestones;
  mn_course_checkpoint_fn checkpoint; /* may be NULL */
  void *checkpoint_ctx;
  /* Continue from this state (read from a checkpoint) instead of starting
   * afresh; the run takes its sessions (the state is left without them).
   * The protocol, data and thread count must be the original run's. */
  mn_course_state *resume;
} mn_course_options;

/* What one session gave. */
typedef struct {
  double day; /* on the course clock */
  mn_puncture_stats punctures;
  mn_acute_result acute;           /* tissue taken out; series kept */
  mn_puncture_list *puncture_list; /* the whole treated area's, for maps and histograms */
} mn_course_session;

typedef struct {
  mn_course_session *sessions;
  int nsessions;
  /* time_h on the course clock: the acute stage's steps (hours) and the
   * healing stage's daily samples, merged in time order; a column a stage
   * does not fill is NaN in its rows. */
  mn_table *timeseries;
  double acute_hours; /* hours simulated after each session */
  int has_healing;    /* 0 ex vivo (excised skin does not heal) */
  mn_healing_summary healing;
  mn_healing_sample healing_start, healing_end;
  /* depth profiles of the tissue before the first session and at the end of
   * the follow-up (lateral means; empty ex vivo) */
  mn_healing_profile profile_start, profile_end;
} mn_course_result;

/* A run's state at a safe point: every session before sessions_done has
 * finished and its wound has joined the healing tissue, and nothing of a
 * later session has started. Safe points are the start, the end of each
 * session (after its wound joined), and each healing sample that comes
 * before the next session's acute phase or after the last one. A restart
 * from here redoes only what came after it (device and acute stages are
 * deterministic: seeds are the protocol's seed + session), so a resumed
 * run gives the uninterrupted run's results bit for bit. */
struct mn_course_state {
  uint64_t params_hash; /* of every parameter the run read (data/ unchanged) */
  int sessions_done;
  double next_day; /* the next healing sample, days on the course clock */
  size_t rows;     /* rows of result.timeseries that belong to the state */
  /* sessions[0 .. sessions_done) (nsessions == sessions_done; acute.tissue
   * NULL), timeseries, acute_hours, has_healing; nothing else is used */
  mn_course_result result;
  mn_healing_state healing; /* when result.has_healing */
};

void mn_course_options_default(mn_course_options *o);
/* Frees a state read from a checkpoint (not one passed to the callback). */
void mn_course_state_free(mn_course_state *s);

int mn_course_run(const mn_protocol *p, const mn_course_options *o, mn_course_result *r, char *err,
                  size_t errlen);
void mn_course_result_free(mn_course_result *r);

/* Column names of the time series, in order (NULL-terminated). */
extern const char *const mn_course_timeseries_columns[];

#endif /* MN_COURSE_COURSE_H */
