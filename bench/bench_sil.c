/*
 * Real-time factor of the whole software-in-the-loop pen: the firmware's
 * control tick (2 kHz) plus the plant between ticks, as `mnlab pen` runs
 * them. Prints simulated seconds per wall-clock second (median of several
 * runs) for a pen in air and on skin; the requirement is 1000x or more on
 * one core.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "io/datadir.h"
#include "io/params.h"
#include "mnpen_host/sil.h"

#define REPEATS 5
#define SIM_SECONDS 30.0

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(void) {
  char err[512];
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/pen", mn_data_dir());
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0 || mn_params_load_dir(t, dir, err, sizeof err) != 0) {
    fprintf(stderr, "bench_sil: %s\n", err);
    return 1;
  }
  const struct {
    const char *label;
    mnpen_sil_scenario s;
  } cases[] = {{"on skin (nominal, 12 needles, 1 mm)", MNPEN_SIL_NOMINAL},
               {"load step (air, then skin)", MNPEN_SIL_LOAD_STEP}};
  printf("software-in-the-loop pen: firmware ticks at 2 kHz + plant, %.0f s simulated\n",
         SIM_SECONDS);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    double rtf[REPEATS];
    for (int k = 0; k < REPEATS; k++) {
      mnpen_sil_options o;
      mnpen_sil_options_default(&o);
      o.scenario = cases[c].s;
      o.duration_s = SIM_SECONDS;
      mnpen_sil_result r;
      double t0 = now_s();
      if (mnpen_sil_run(&o, t, &r, err, sizeof err) != 0) {
        fprintf(stderr, "bench_sil: %s\n", err);
        return 1;
      }
      rtf[k] = r.duration_s / (now_s() - t0);
    }
    qsort(rtf, REPEATS, sizeof rtf[0], cmp);
    printf("  %-40s %8.0fx real time (median of %d; range %.0f-%.0f)  target >= 1000x: %s\n",
           cases[c].label, rtf[REPEATS / 2], REPEATS, rtf[0], rtf[REPEATS - 1],
           rtf[REPEATS / 2] >= 1000.0 ? "met" : "NOT met");
  }
  mn_params_destroy(&t);
  return 0;
}
