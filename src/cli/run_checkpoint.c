/*
 * mnlab run's checkpoints, interruptions and --resume; see run_checkpoint.h.
 *
 * The protocol is kept as its file's text and rebuilt on resume by the same
 * loader, then compared with the resolved protocol stored beside it: a
 * build whose defaults or data read the file differently is refused rather
 * than continued as another run.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli/run_checkpoint.h"

#include <errno.h>
#include <jansson.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/datadir.h"
#include "io/outdir.h"

/* A protocol file larger than this is not a protocol. */
#define MAX_PROTOCOL_BYTES (1 << 20)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static char *read_text(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  char *text = malloc(MAX_PROTOCOL_BYTES + 1);
  size_t n = text ? fread(text, 1, MAX_PROTOCOL_BYTES + 1, f) : 0;
  int bad = text == NULL || ferror(f) || n > MAX_PROTOCOL_BYTES;
  fclose(f);
  if (bad) {
    snprintf(err, errlen, "%s: cannot keep the protocol's text for the checkpoint", path);
    free(text);
    return NULL;
  }
  text[n] = '\0';
  return text;
}

static char *protocol_json(const mn_protocol *p) {
  json_t *j = NULL;
  if (mn_protocol_write_json(p, &j) != 0 || j == NULL) {
    return NULL;
  }
  char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
  json_decref(j);
  return s;
}

static int set_dir(mn_cli_checkpoint *c, const char *dir, double every_s, char *err,
                   size_t errlen) {
  c->dir = strdup(dir);
  c->every_s = every_s;
  c->last_s = wall_s();
  int n = snprintf(c->path, sizeof c->path, "%s/%s", dir, MN_CHECKPOINT_FILE);
  if (c->dir == NULL || n <= 0 || (size_t)n >= sizeof c->path) {
    snprintf(err, errlen, "%s: path too long", dir);
    return MN_CHECKPOINT_EIO;
  }
  return 0;
}

int mn_cli_checkpoint_begin(mn_cli_checkpoint *c, const char *dir, const char *protocol_path,
                            const mn_protocol *p, int ideal, int *nthreads, double every_s,
                            char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  if (set_dir(c, dir, every_s, err, errlen) != 0) {
    return MN_CHECKPOINT_EIO;
  }
  if (protocol_path != NULL &&
      (c->run.protocol_yaml = read_text(protocol_path, err, errlen)) == NULL) {
    return MN_CHECKPOINT_EIO;
  }
  if ((c->run.protocol_json = protocol_json(p)) == NULL) {
    snprintf(err, errlen, "out of memory");
    return MN_CHECKPOINT_ENOMEM;
  }
  if (*nthreads <= 0) {
    *nthreads = omp_get_max_threads();
  }
  c->run.ideal_strokes = ideal;
  c->run.nthreads = *nthreads;
  struct stat st;
  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "%s: exists and is not a directory", dir);
      return MN_CHECKPOINT_EIO;
    }
  } else if (mkdir(dir, 0777) == 0) {
    c->created = 1;
  } else {
    snprintf(err, errlen, "%s: cannot create: %s", dir, strerror(errno));
    return MN_CHECKPOINT_EIO;
  }
  mn_outdir_sweep(dir);
  return 0;
}

/* The protocol a checkpoint's run was started with, by the same loader. */
static int rebuild_protocol(mn_cli_checkpoint *c, mn_protocol *p, char *err, size_t errlen) {
  mn_protocol_builtin(p);
  if (c->run.protocol_yaml != NULL) {
    char base[4200], tmp[4300];
    snprintf(base, sizeof base, "%s/protocol.yaml", c->dir);
    FILE *f = NULL;
    if (mn_atomic_temp_name(base, tmp, sizeof tmp) != 0 || (f = fopen(tmp, "w")) == NULL) {
      snprintf(err, errlen, "%s: cannot write the protocol back out", c->dir);
      return MN_CHECKPOINT_EIO;
    }
    int ok = fputs(c->run.protocol_yaml, f) >= 0;
    ok = fclose(f) == 0 && ok;
    char why[1024] = "";
    ok = ok && mn_protocol_load(p, tmp, mn_data_dir(), why, sizeof why) == 0;
    remove(tmp);
    if (!ok) {
      snprintf(err, errlen, "%s: the checkpoint's protocol no longer loads: %s", c->path, why);
      return MN_CHECKPOINT_EFORMAT;
    }
  }
  char *now = protocol_json(p);
  int same = now != NULL && c->run.protocol_json != NULL && strcmp(now, c->run.protocol_json) == 0;
  free(now);
  if (!same) {
    snprintf(err, errlen,
             "%s: the protocol reads differently with this mnlab and data/ than when the run "
             "started; it cannot be continued as the same run",
             c->path);
    return MN_CHECKPOINT_EFORMAT;
  }
  return 0;
}

int mn_cli_checkpoint_resume(mn_cli_checkpoint *c, const char *dir, double every_s, mn_protocol *p,
                             int *ideal, int *nthreads, mn_course_state *st, char *err,
                             size_t errlen) {
  memset(c, 0, sizeof *c);
  memset(st, 0, sizeof *st);
  if (set_dir(c, dir, every_s, err, errlen) != 0) {
    return MN_CHECKPOINT_EIO;
  }
  c->resumed = 1;
  struct stat sb;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    snprintf(err, errlen, "%s: no such directory", dir);
    return MN_CHECKPOINT_ENOENT;
  }
  int rc = mn_checkpoint_read(c->path, &c->run, st, err, errlen);
  if (rc == MN_CHECKPOINT_ENOENT) {
    snprintf(err, errlen,
             "%s holds no %s: nothing to resume (a run that finished removes it; one that "
             "was killed before its first checkpoint left none)",
             dir, MN_CHECKPOINT_FILE);
  }
  if (rc == 0) {
    rc = rebuild_protocol(c, p, err, errlen);
  }
  if (rc != 0) {
    mn_course_state_free(st);
    return rc;
  }
  *ideal = c->run.ideal_strokes;
  *nthreads = c->run.nthreads;
  c->written = 1; /* the state resumed from is on disk already */
  c->safe_sessions = st->sessions_done;
  c->safe_day = st->result.has_healing ? st->healing.t_days : -1.0;
  mn_outdir_sweep(dir);
  return 0;
}

static int write_checkpoint(void *ctx, const mn_course_state *s, int final, char *err,
                            size_t errlen) {
  mn_cli_checkpoint *c = ctx;
  double now = wall_s();
  double day = s->result.has_healing ? s->healing.t_days : -1.0;
  if (!final) {
    /* called at the safe point itself: the snapshots so far are its own */
    c->safe_nsnaps = mn_fields_count(c->fields);
  }
  int same = c->written > 0 && s->sessions_done == c->safe_sessions && day == c->safe_day;
  if (same || (!final && c->written > 0 && now - c->last_s < c->every_s)) {
    return 0;
  }
  free(c->run.field_snapshots);
  c->run.field_snapshots = NULL;
  int rc = c->fields != NULL
               ? mn_fields_list(c->fields, c->safe_nsnaps, &c->run.field_snapshots, err, errlen)
               : 0;
  if (rc == 0) {
    rc = mn_checkpoint_write(c->path, &c->run, s, err, errlen);
  }
  if (rc == 0) {
    c->written++;
    c->last_s = now;
    c->safe_sessions = s->sessions_done;
    c->safe_day = day;
  } else if (!final) {
    /* a long run is worth more than one missed checkpoint (a full disk may
     * clear): say so once and go on; the previous checkpoint stays whole */
    if (!c->warned) {
      fprintf(stderr, "\nmnlab run: warning: %s (the run goes on)\n", err);
      c->warned = 1;
    }
    c->last_s = now;
    return 0;
  }
  return rc;
}

static int watch(void *ctx, const char *stage, double fraction, double sim_h) {
  const mn_cli_checkpoint *c = ctx;
  if (stop_requested) {
    return 1;
  }
  return c->inner != NULL ? c->inner(c->inner_ctx, stage, fraction, sim_h) : 0;
}

void mn_cli_checkpoint_attach(mn_cli_checkpoint *c, mn_course_options *o, const mn_fields *fields) {
  c->fields = fields;
  c->safe_nsnaps = mn_fields_count(fields);
  o->checkpoint = write_checkpoint;
  o->checkpoint_ctx = c;
  c->inner = o->progress;
  c->inner_ctx = o->progress_ctx;
  o->progress = watch;
  o->progress_ctx = c;
  /* the first signal stops the run at the next step; a second one, with
   * the default action restored, ends the process at once (every file is
   * written atomically, so that too leaves nothing torn) */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_RESTART; /* no EINTR in the middle of a write */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int mn_cli_checkpoint_interrupted(void) {
  return stop_requested != 0;
}

void mn_cli_checkpoint_finish(mn_cli_checkpoint *c) {
  if (c->dir != NULL) {
    remove(c->path);
  }
}

void mn_cli_checkpoint_fail(mn_cli_checkpoint *c) {
  if (c->dir == NULL || c->resumed || stop_requested) {
    return; /* stopped, but the last checkpoint failed: the one before stays */
  }
  remove(c->path);
  if (c->created) {
    rmdir(c->dir); /* only when empty: nothing of anyone else's goes */
  }
}

void mn_cli_checkpoint_free(mn_cli_checkpoint *c) {
  free(c->dir);
  mn_checkpoint_run_free(&c->run);
  memset(c, 0, sizeof *c);
}
