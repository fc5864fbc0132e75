/*
 * Checkpoints and restarts of the course driver: a run stopped at a safe
 * point (a healing sample before the next session) or in the middle of an
 * acute phase, written to checkpoint.h5, read back and resumed, gives the
 * uninterrupted run's summary.json and timeseries.csv byte for byte, and
 * the same puncture lists and depth profiles; a checkpoint that is
 * missing, damaged or of other data is refused with a clear message.
 *
 * The protocol is small on purpose: a 0.6 mm window at 60 um, two sessions
 * five days apart (so a healing sample falls between the first wound and
 * the second session), two days of follow-up, ideal strokes.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "course/course.h"
#include "io/checkpoint.h"
#include "io/summary.h"

static char tmpdir[64];

static void tiny_protocol(mn_protocol *p) {
  mn_protocol_default(p);
  snprintf(p->name, sizeof p->name, "checkpoint test");
  p->device.needle_length_mm = 0.5;
  p->treatment.area_mm[0] = p->treatment.area_mm[1] = 2.0;
  p->treatment.passes = 3; /* a wound the healing stage answers */
  p->treatment.pattern = MN_PATTERN_LINES;
  p->schedule.sessions = 2;
  p->schedule.interval_days = 5.0;
  p->schedule.follow_up_days = 2.0;
  p->grid.resolution_um = 60.0;
  p->grid.window_mm[0] = p->grid.window_mm[1] = 0.6;
}

/* What a run's outputs are made of, to compare runs byte for byte. */
typedef struct {
  char *summary; /* summary.json's object, dumped */
  char *csv;     /* timeseries.csv's bytes */
  mn_course_result r;
} outputs;

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  return b;
}

static void collect(const mn_protocol *p, mn_course_result *r, outputs *out) {
  json_t *s = mn_summary_build(p, r);
  assert_non_null(s);
  out->summary = json_dumps(s, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
  json_decref(s);
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/ts.csv", tmpdir);
  assert_int_equal(mn_table_write_csv(r->timeseries, path, err, sizeof err), 0);
  out->csv = slurp(path);
  remove(path);
  out->r = *r;
}

static void outputs_free(outputs *o) {
  free(o->summary);
  free(o->csv);
  mn_course_result_free(&o->r);
}

static void same_doubles(const double *a, const double *b, size_t n) {
  if (n > 0) {
    assert_memory_equal(a, b, n * sizeof *a);
  }
}

static void assert_same_outputs(const outputs *a, const outputs *b) {
  assert_string_equal(a->summary, b->summary);
  assert_string_equal(a->csv, b->csv);
  assert_int_equal(a->r.nsessions, b->r.nsessions);
  for (int s = 0; s < a->r.nsessions; s++) {
    const mn_puncture_list *x = a->r.sessions[s].puncture_list, *y = b->r.sessions[s].puncture_list;
    assert_int_equal(x->count, y->count);
    assert_int_equal(x->stamps, y->stamps);
    same_doubles(x->x_mm, y->x_mm, x->count);
    same_doubles(x->depth_um, y->depth_um, x->count);
    same_doubles(x->inserted_um, y->inserted_um, x->count);
    same_doubles(x->time_s, y->time_s, x->count);
    same_doubles(x->stamp_y_mm, y->stamp_y_mm, x->stamps);
    assert_int_equal(a->r.sessions[s].acute.nseries, b->r.sessions[s].acute.nseries);
  }
  const mn_healing_profile *pa = &a->r.profile_end, *pb = &b->r.profile_end;
  assert_int_equal(pa->nz, pb->nz);
  same_doubles(pa->collagen_I, pb->collagen_I, (size_t)pa->nz);
  same_doubles(pa->collagen_III, pb->collagen_III, (size_t)pa->nz);
  same_doubles(pa->fibroblasts, pb->fibroblasts, (size_t)pa->nz);
  assert_memory_equal(&a->r.healing, &b->r.healing, sizeof a->r.healing);
}

/* Stops the run at the first progress report that matches. */
typedef struct {
  const char *stage;
  double after_h; /* simulated hours */
  int fired;
} stopper;

static int stop_at(void *ctx, const char *stage, double fraction, double sim_h) {
  (void)fraction;
  stopper *s = ctx;
  if (!s->fired && strcmp(stage, s->stage) == 0 && sim_h > s->after_h) {
    s->fired = 1;
    return 1;
  }
  return 0;
}

/* Writes the final checkpoint (and counts the safe points on the way). */
typedef struct {
  const char *path;
  int safe_points, finals;
  int sessions_done;
  double next_day;
} writer;

static int write_final(void *ctx, const mn_course_state *s, int final, char *err, size_t errlen) {
  writer *w = ctx;
  if (!final) {
    w->safe_points++;
    return 0;
  }
  w->finals++;
  w->sessions_done = s->sessions_done;
  w->next_day = s->next_day;
  /* the fields writer's list is kept as given, byte for byte */
  mn_checkpoint_run run = {NULL, "{}", 1, 1, "healing t000000.000h 0 4 3 5 water\n"};
  return mn_checkpoint_write(w->path, &run, s, err, errlen);
}

static void run_whole(const mn_protocol *p, outputs *out) {
  mn_course_options o;
  mn_course_options_default(&o);
  o.nthreads = 1;
  mn_course_result r;
  char err[512];
  int rc = mn_course_run(p, &o, &r, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  collect(p, &r, out);
}

/* Stops a run as `st` says, checks the checkpoint it leaves, resumes from
 * it and returns the outputs. */
static void run_stopped_and_resumed(const mn_protocol *p, stopper *st, writer *w, outputs *out) {
  char path[128], err[512];
  snprintf(path, sizeof path, "%s/checkpoint.h5", tmpdir);
  w->path = path;
  mn_course_options o;
  mn_course_options_default(&o);
  o.nthreads = 1;
  o.progress = stop_at;
  o.progress_ctx = st;
  o.checkpoint = write_final;
  o.checkpoint_ctx = w;
  mn_course_result r;
  assert_int_equal(mn_course_run(p, &o, &r, err, sizeof err), MN_COURSE_ESTOPPED);
  assert_true(st->fired);
  assert_int_equal(w->finals, 1);
  assert_true(w->safe_points >= 1);

  mn_checkpoint_run run;
  mn_course_state state;
  int rc = mn_checkpoint_read(path, &run, &state, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  assert_int_equal(run.ideal_strokes, 1);
  assert_int_equal(run.nthreads, 1);
  assert_string_equal(run.protocol_json, "{}");
  assert_null(run.protocol_yaml);
  assert_non_null(run.field_snapshots);
  assert_string_equal(run.field_snapshots, "healing t000000.000h 0 4 3 5 water\n");
  assert_int_equal(state.sessions_done, w->sessions_done);
  assert_true(state.next_day == w->next_day);

  mn_course_options_default(&o);
  o.nthreads = 1;
  o.resume = &state;
  rc = mn_course_run(p, &o, &r, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  collect(p, &r, out);
  mn_course_state_free(&state);
  mn_checkpoint_run_free(&run);
  remove(path);
}

static outputs whole;

static int setup(void **state) {
  (void)state;
  strcpy(tmpdir, "/tmp/mnlab-ckpt-XXXXXX");
  if (mkdtemp(tmpdir) == NULL) {
    return -1;
  }
  mn_protocol p;
  tiny_protocol(&p);
  run_whole(&p, &whole);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  outputs_free(&whole);
  rmdir(tmpdir);
  return 0;
}

/* The healing sample of day 4 comes between the first wound (day 3) and the
 * second session (day 5): a safe point with one session done. */
static void resume_from_a_healing_sample(void **state) {
  (void)state;
  mn_protocol p;
  tiny_protocol(&p);
  stopper st = {"healing", 4.0 * 24.0 - 1.0, 0};
  writer w = {0};
  outputs out;
  run_stopped_and_resumed(&p, &st, &w, &out);
  assert_int_equal(w.sessions_done, 1);
  assert_true(w.next_day == 5.0);
  assert_same_outputs(&whole, &out);
  outputs_free(&out);
}

/* Stopped ten hours into the second session's acute phase: the checkpoint
 * is the last safe point before it (the sample of day 4), and the resumed
 * run redoes that session. */
static void resume_from_the_middle_of_an_acute_phase(void **state) {
  (void)state;
  mn_protocol p;
  tiny_protocol(&p);
  stopper st = {"acute", 5.0 * 24.0 + 10.0, 0};
  writer w = {0};
  outputs out;
  run_stopped_and_resumed(&p, &st, &w, &out);
  assert_int_equal(w.sessions_done, 1);
  assert_true(w.next_day == 5.0);
  assert_same_outputs(&whole, &out);
  outputs_free(&out);
}

/* Ex vivo there is no healing stage: safe points are the ends of sessions. */
static void resume_ex_vivo_mid_acute(void **state) {
  (void)state;
  mn_protocol p;
  tiny_protocol(&p);
  p.subject.ex_vivo = true;
  p.schedule.interval_days = 1.0;
  p.schedule.follow_up_days = 0.25;
  outputs ref, out;
  run_whole(&p, &ref);
  stopper st = {"acute", 24.0 + 2.0, 0};
  writer w = {0};
  run_stopped_and_resumed(&p, &st, &w, &out);
  assert_int_equal(w.sessions_done, 1);
  assert_same_outputs(&ref, &out);
  outputs_free(&ref);
  outputs_free(&out);
}

static void write_bytes(const char *path, const char *bytes, size_t n) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(bytes, 1, n, f), n);
  fclose(f);
}

/* Missing, damaged and foreign checkpoints, and checkpoints of other data
 * or another protocol, are refused, each with a message saying so. */
static void bad_checkpoints_are_refused(void **state) {
  (void)state;
  char path[128], err[512];
  snprintf(path, sizeof path, "%s/checkpoint.h5", tmpdir);
  mn_checkpoint_run run;
  mn_course_state st;
  assert_int_equal(mn_checkpoint_read(path, &run, &st, err, sizeof err), MN_CHECKPOINT_ENOENT);
  assert_non_null(strstr(err, "checkpoint.h5"));

  write_bytes(path, "not hdf5 at all\n", 16);
  assert_int_equal(mn_checkpoint_read(path, &run, &st, err, sizeof err), MN_CHECKPOINT_EIO);
  assert_non_null(strstr(err, "HDF5"));

  /* a real checkpoint, cut short */
  mn_protocol p;
  tiny_protocol(&p);
  stopper stop = {"healing", 4.0 * 24.0 - 1.0, 0};
  writer w = {path, 0, 0, 0, 0.0};
  mn_course_options o;
  mn_course_options_default(&o);
  o.nthreads = 1;
  o.progress = stop_at;
  o.progress_ctx = &stop;
  o.checkpoint = write_final;
  o.checkpoint_ctx = &w;
  mn_course_result r;
  assert_int_equal(mn_course_run(&p, &o, &r, err, sizeof err), MN_COURSE_ESTOPPED);
  char *whole_file = slurp(path);
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  char cut[128];
  snprintf(cut, sizeof cut, "%s/cut.h5", tmpdir);
  write_bytes(cut, whole_file, (size_t)n / 2);
  assert_true(mn_checkpoint_read(cut, &run, &st, err, sizeof err) < 0);
  assert_non_null(strstr(err, "cut.h5"));
  remove(cut);
  free(whole_file);

  /* other data: the parameters' fingerprint differs */
  assert_int_equal(mn_checkpoint_read(path, &run, &st, err, sizeof err), 0);
  st.params_hash ^= 1u;
  mn_course_options_default(&o);
  o.nthreads = 1;
  o.resume = &st;
  assert_int_equal(mn_course_run(&p, &o, &r, err, sizeof err), MN_COURSE_ERESUME);
  assert_non_null(strstr(err, "parameters"));
  mn_course_state_free(&st);
  mn_checkpoint_run_free(&run);

  /* another protocol: ex vivo, with no healing stage to take the state */
  assert_int_equal(mn_checkpoint_read(path, &run, &st, err, sizeof err), 0);
  mn_protocol q = p;
  q.subject.ex_vivo = true;
  o.resume = &st;
  assert_int_equal(mn_course_run(&q, &o, &r, err, sizeof err), MN_COURSE_ERESUME);
  assert_non_null(strstr(err, "does not fit"));
  mn_course_state_free(&st);
  mn_checkpoint_run_free(&run);
  remove(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resume_from_a_healing_sample),
      cmocka_unit_test(resume_from_the_middle_of_an_acute_phase),
      cmocka_unit_test(resume_ex_vivo_mid_acute),
      cmocka_unit_test(bad_checkpoints_are_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
