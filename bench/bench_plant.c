/*
 * Real-time factor of the pen's physics: simulated seconds per wall-clock
 * second, advancing the plant in 1 ms slices the way the software-in-the-
 * loop port does between firmware ticks. Target: 1000x or more on one core.
 * Three loads: running free in the air, 12 needles in skin at 1 mm, and
 * stalled with the bridge on.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/params.h"
#include "plant/plant.h"

#define TICK_S 1e-3
#define SIM_SECONDS 20.0
#define REPEATS 5

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef enum { LOAD_AIR, LOAD_SKIN, LOAD_STALL } load_kind;

static double one_run(const mn_plant_params *prm, load_kind load) {
  mn_plant *p = NULL;
  char err[256];
  if (mn_plant_create(&p, prm, err, sizeof err) != 0) {
    fprintf(stderr, "bench_plant: %s\n", err);
    return 0.0;
  }
  mn_plant_depth_command(p, 1.0e-3);
  mn_plant_drive(p, 0.5, 1);
  mn_plant_set_skin(p, load == LOAD_SKIN, 12);
  mn_plant_set_jam(p, load == LOAD_STALL);
  long ticks = (long)(SIM_SECONDS / TICK_S);
  double t0 = now_s();
  for (long k = 0; k < ticks; k++) {
    mn_plant_advance(p, TICK_S);
    if (k % 1000 == 0) {
      mn_plant_strokes_clear(p); /* as the device stage drains the record */
    }
  }
  double wall = now_s() - t0;
  double sim = mn_plant_time_s(p);
  mn_plant_destroy(&p);
  return sim / wall;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : MN_DATA_DIR "/pen";
  mn_params *t = NULL;
  char err[512];
  mn_plant_params prm;
  if (mn_params_create(&t) != 0 || mn_params_load_dir(t, dir, err, sizeof err) != 0 ||
      mn_plant_params_from(&prm, t, err, sizeof err) != 0) {
    fprintf(stderr, "bench_plant: %s\n", err);
    mn_params_destroy(&t);
    return 1;
  }
  mn_params_destroy(&t);
  const char *names[] = {"air", "skin (12 needles, 1 mm)", "stall"};
  printf("plant real-time factor (simulated s per wall s), dt = %.0f us, %.0f ms ticks, "
         "median of %d runs of %.0f s\n",
         prm.dt * 1e6, TICK_S * 1e3, REPEATS, SIM_SECONDS);
  int ok = 1;
  for (int load = LOAD_AIR; load <= LOAD_STALL; load++) {
    double r[REPEATS];
    for (int k = 0; k < REPEATS; k++) {
      r[k] = one_run(&prm, (load_kind)load);
    }
    qsort(r, REPEATS, sizeof r[0], cmp_double);
    double median = r[REPEATS / 2];
    printf("  %-26s %10.0f x real time  (%.1f ns per step)%s\n", names[load], median,
           1e9 * prm.dt / median, median >= 1000.0 ? "" : "  BELOW 1000x");
    ok = ok && median >= 1000.0;
  }
  return ok ? 0 : 2;
}
