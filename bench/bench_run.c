/* Benchmark: the whole pipeline as `mnlab run` drives it, through the
 * library.
 *
 * 1. One acute session alone: the default protocol's first session is
 *    stamped once by the device stage (ideal stroke rate), then mn_acute_run
 *    on it is timed; prints wall seconds, steps, grid, channels and the cost
 *    per step and per voxel-field update.
 * 2. The default course (mn_protocol_default + mn_course_run, ideal strokes),
 *    timed whole, with the time split between the device and the acute
 *    stages from the progress callback.
 * 3. The default `mnlab run`: the same course with the pen's strokes from
 *    the firmware's software-in-the-loop run (mnpen_sil_stroke_source, the
 *    pen data of data/pen), timed once (it is the slowest), with the device
 *    stage's share (the SIL runs) and the ratio of its wall time to the
 *    2-minute budget a default run is given on a 2-core machine.
 * Parts 1 and 2 are run REPS times (argument 1, default 3) and the median
 * printed; argument 2, "acute", "course" or "sil", runs only that part.
 * Speed is reported, never asserted (PERFORMANCE.md: ratios measured side by
 * side hold, absolute times drift on shared machines). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "course/course.h"
#include "device/punctures.h"
#include "io/datadir.h"
#include "io/params.h"
#include "io/params_tree.h"
#include "io/protocol.h"
#include "mnpen_host/sil_strokes.h"
#include "skin/acute.h"

#define MAX_REPS 15
#define FIELDS_DEFAULT 2   /* water and signal (no topical in the default course) */
#define RUN_BUDGET_S 120.0 /* a default `mnlab run` should finish within 2 minutes on 2 cores */

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of the whole process (all threads): on a shared machine it
 * shows what the work costs when the wall clock also counts waiting. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Time spent per stage of the course, from the progress callback. */
typedef struct stage_clock {
  double t_last, device_s, acute_s;
  char stage[16];
} stage_clock;

static int on_progress(void *ctx, const char *stage, double fraction, double sim_h) {
  (void)fraction;
  (void)sim_h;
  stage_clock *c = ctx;
  double t = now();
  if (strcmp(c->stage, "device") == 0)
    c->device_s += t - c->t_last;
  else if (strcmp(c->stage, "acute") == 0)
    c->acute_s += t - c->t_last;
  snprintf(c->stage, sizeof c->stage, "%s", stage);
  c->t_last = t;
  return 0;
}

/* The first session of protocol p as the course stages it: punctures from
 * the device stage, then the acute input over the default grid window. */
static int first_session(const mn_protocol *p, const mn_params *t, mn_puncture_list **pl,
                         mn_acute_input *in, char *err, size_t errlen) {
  mn_device_treatment dt;
  mn_device_treatment_default(&dt);
  dt.cartridge = p->device.cartridge;
  dt.needle_length_mm = p->device.needle_length_mm;
  dt.speed_hz = p->device.speed_hz;
  dt.unregulated = p->device.motor == MN_MOTOR_UNREGULATED;
  dt.area_w_mm = p->treatment.area_mm[0];
  dt.area_h_mm = p->treatment.area_mm[1];
  dt.passes = p->treatment.passes;
  dt.pattern = p->treatment.pattern == MN_PATTERN_CROSSHATCH ? MN_GLIDE_CROSSHATCH : MN_GLIDE_LINES;
  dt.glide_speed_mm_s = p->treatment.glide_speed_mm_s;
  dt.seed = p->seed;
  const char *species = mn_protocol_species_name(p->subject.species);
  char key[96];
  snprintf(key, sizeof key, "penetration.site_stiffness_%s", species);
  if (mn_params_find(t, key) &&
      mn_params_get(t, key, "N/m", &dt.site_stiffness_n_m, err, errlen) != 0)
    return -1;
  if (mn_punctures_generate(&dt, pl, err, errlen) != 0)
    return -1;
  double hours = 0.0;
  if (mn_params_get(t, "course.acute_duration", "h", &hours, err, errlen) != 0)
    return -1;
  memset(in, 0, sizeof *in);
  snprintf(in->species, sizeof in->species, "%s", species);
  size_t site_len = strlen(p->subject.site);
  if (site_len >= sizeof in->site) {
    snprintf(err, errlen, "site name too long");
    return -1;
  }
  memcpy(in->site, p->subject.site, site_len + 1);
  if (mn_skin_layers_load(t, species, p->subject.site, &in->layers, err, errlen) != 0)
    return -1;
  mn_acute_options *o = &in->options;
  mn_acute_options_default(o);
  o->occlusion = p->treatment.occlusion;
  o->skip_reference = 1;
  for (int k = 0; k < 2; k++) {
    o->window_mm[k] = p->grid.window_mm[k];
    o->window_origin_mm[k] = 0.5 * (p->treatment.area_mm[k] - p->grid.window_mm[k]);
  }
  o->resolution_um = p->grid.resolution_um;
  o->duration_h = hours;
  const mn_puncture_list *l = *pl;
  in->punctures =
      (mn_skin_punctures){l->count, l->x_mm, l->y_mm, l->depth_um, l->radius_um, l->time_s};
  return 0;
}

static void print_acute(const mn_acute_input *in, const mn_acute_result *rp, double acute_s,
                        double cpu_s, int reps) {
  const mn_acute_result r = *rp;
  printf("acute session (default protocol, session 1, %.0f h): %.2f s wall, %.2f s cpu "
         "(medians of %d)\n",
         in->options.duration_h, acute_s, cpu_s, reps);
  double nvox = (double)r.nx * r.ny * r.nz;
  printf("  grid %d x %d x %d = %.3g voxels, %zu channels, %zu steps\n", r.nx, r.ny, r.nz, nvox,
         r.nchannels, r.steps);
  printf("  %.2f ms per step, %.3g voxel-field updates/s (%d fields)\n",
         1e3 * acute_s / (double)r.steps, FIELDS_DEFAULT * nvox * (double)r.steps / acute_s,
         FIELDS_DEFAULT);
  printf("  tewl peak %.4g g/m^2/h, recovery %.4g h, barrier half-life %.4g h, "
         "pore half-life %.4g h, erythema peak %.4g\n",
         r.tewl_peak_g_m2_h, r.tewl_recovery_h, r.barrier_half_life_h, r.pore_closure_half_life_h,
         r.erythema_peak);
}

/* Part 3: the default run as `mnlab run` does it, SIL strokes and all. */
static int bench_sil_run(const mn_protocol *p) {
  char err[512] = "", pen_dir[4096];
  snprintf(pen_dir, sizeof pen_dir, "%s/pen", mn_data_dir());
  mn_params *pen = NULL;
  if (mn_params_create(&pen) != 0 || mn_params_load_dir(pen, pen_dir, err, sizeof err) != 0) {
    fprintf(stderr, "bench_run: %s\n", pen ? err : "out of memory");
    mn_params_destroy(&pen);
    return 1;
  }
  stage_clock clk;
  memset(&clk, 0, sizeof clk);
  mn_course_options co;
  mn_course_options_default(&co);
  co.stroke_source = mnpen_sil_stroke_source;
  co.stroke_ctx = pen;
  co.progress = on_progress;
  co.progress_ctx = &clk;
  mn_course_result cr;
  double t0 = now(), c0 = cpu_now();
  clk.t_last = t0;
  int rc = mn_course_run(p, &co, &cr, err, sizeof err);
  double wall = now() - t0, cpu = cpu_now() - c0;
  mn_params_destroy(&pen);
  if (rc != 0) {
    fprintf(stderr, "bench_run: default run: %s\n", err);
    return 1;
  }
  printf("default run (mnlab run: %d sessions, SIL strokes): %.2f s wall, %.2f s cpu (once)\n",
         cr.nsessions, wall, cpu);
  printf("  device stage (SIL runs and stamping) %.2f s, acute stage %.2f s\n", clk.device_s,
         clk.acute_s);
  printf("  budget %.0f s: wall / budget = %.2f (%s)\n", RUN_BUDGET_S, wall / RUN_BUDGET_S,
         wall <= RUN_BUDGET_S ? "within" : "OVER");
  mn_course_result_free(&cr);
  return 0;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 3;
  const char *only = argc > 2 ? argv[2] : "";
  int do_acute = only[0] == '\0' || strcmp(only, "acute") == 0;
  int do_course = only[0] == '\0' || strcmp(only, "course") == 0;
  int do_sil = only[0] == '\0' || strcmp(only, "sil") == 0;
  if (reps < 1 || reps > MAX_REPS || (!do_acute && !do_course && !do_sil)) {
    fprintf(stderr, "usage: bench_run [REPS 1-%d] [acute|course|sil]\n", MAX_REPS);
    return 2;
  }
  char err[512];
  mn_protocol p;
  mn_protocol_builtin(&p);
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0 || mn_params_load_tree(t, mn_data_dir(), err, sizeof err) != 0) {
    fprintf(stderr, "bench_run: %s\n", t ? err : "out of memory");
    mn_params_destroy(&t);
    return 1;
  }

  /* 1. one acute session */
  mn_puncture_list *pl = NULL;
  mn_acute_input in;
  if (first_session(&p, t, &pl, &in, err, sizeof err) != 0) {
    fprintf(stderr, "bench_run: %s\n", err);
    mn_puncture_list_destroy(&pl);
    mn_params_destroy(&t);
    return 1;
  }
  double ta[MAX_REPS], tcpu[MAX_REPS];
  mn_acute_result r;
  memset(&r, 0, sizeof r);
  for (int i = 0; i < (do_acute ? reps : 0); i++) {
    mn_acute_result_free(&r);
    double t0 = now(), c0 = cpu_now();
    if (mn_acute_run(&in, t, &r, err, sizeof err) != 0) {
      fprintf(stderr, "bench_run: acute: %s\n", err);
      mn_puncture_list_destroy(&pl);
      mn_params_destroy(&t);
      return 1;
    }
    ta[i] = now() - t0;
    tcpu[i] = cpu_now() - c0;
  }
  if (do_acute)
    print_acute(&in, &r, median(ta, reps), median(tcpu, reps), reps);
  mn_acute_result_free(&r);
  mn_puncture_list_destroy(&pl);
  mn_params_destroy(&t);

  /* 2. the default course */
  double tc[MAX_REPS], tcc[MAX_REPS], td[MAX_REPS], tac[MAX_REPS];
  int nsessions = 0;
  for (int i = 0; i < (do_course ? reps : 0); i++) {
    stage_clock clk;
    memset(&clk, 0, sizeof clk);
    mn_course_options co;
    mn_course_options_default(&co);
    co.progress = on_progress;
    co.progress_ctx = &clk;
    mn_course_result cr;
    double t0 = now(), c0 = cpu_now();
    clk.t_last = t0;
    if (mn_course_run(&p, &co, &cr, err, sizeof err) != 0) {
      fprintf(stderr, "bench_run: course: %s\n", err);
      return 1;
    }
    tc[i] = now() - t0;
    tcc[i] = cpu_now() - c0;
    td[i] = clk.device_s;
    tac[i] = clk.acute_s;
    nsessions = cr.nsessions;
    mn_course_result_free(&cr);
  }
  if (do_course) {
    printf("default course (%d sessions, ideal strokes): %.2f s wall, %.2f s cpu (medians of %d)\n",
           nsessions, median(tc, reps), median(tcc, reps), reps);
    printf("  device stage %.2f s, acute stage %.2f s (medians)\n", median(td, reps),
           median(tac, reps));
  }
  return do_sil ? bench_sil_run(&p) : 0;
}
