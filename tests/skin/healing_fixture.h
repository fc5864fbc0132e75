/* Shared set-up for the healing-stage tests: the parameter table and
 * synthetic acute-stage end states (a lattice of needle channels). The
 * channels carry what the acute stage hands over for a 72 h run on the
 * cheek: wounded fraction 1 in the channel, released growth factors about
 * 10.5 units per unit wounded volume in the dermis and 1.35 in the
 * epidermis (measured from mn_acute_run for 600 um channels of 35 um
 * radius), an inflammatory signal near 1 around the channels. */
#ifndef MN_TEST_HEALING_FIXTURE_H
#define MN_TEST_HEALING_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/datadir.h"
#include "io/params.h"
#include "skin/healing.h"

#define HF_RES 60e-6 /* fine lateral cell of the synthetic acute grid */
#define HF_DZ 40e-6
#define HF_NZ 55
#define HF_GROWTH_DERMIS 10.5
#define HF_GROWTH_EPIDERMIS 1.35
#define HF_RADIUS 35e-6

static const mn_skin_layers hf_cheek = {16.8e-6, 55e-6, 0.2e-3, 1.9e-3, 6e-3};

typedef struct hf_wound {
  int n;
  double zf[HF_NZ + 1];
  double *growth, *signal, *wound;
  mn_healing_wound view;
} hf_wound;

static inline mn_params *hf_params(void) {
  mn_params *t = NULL;
  char err[512], dir[1024];
  if (mn_params_create(&t))
    return NULL;
  snprintf(dir, sizeof dir, "%s/skin/healing", mn_data_dir());
  if (mn_params_load_dir(t, dir, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    mn_params_destroy(&t);
  }
  return t;
}

/* The parameter table a test file's group shares, loaded by the group's
 * set-up and released by its tear-down (cmocka_run_group_tests). */
static mn_params *T;

static inline int hf_setup(void **state) {
  (void)state;
  T = hf_params();
  return T ? 0 : -1;
}

static inline int hf_teardown(void **state) {
  (void)state;
  mn_params_destroy(&T);
  return 0;
}

/* Channels on a lattice of m x m per window (window in m), depth in m;
 * squeeze > 0 crowds the columns of the lattice into the first (1 -
 * squeeze) of the window (the same count, uneven density). */
static inline int hf_wound_make(hf_wound *w, double window, int m, double depth, double squeeze) {
  memset(w, 0, sizeof *w);
  w->n = (int)lround(window / HF_RES);
  size_t nv = (size_t)w->n * w->n * HF_NZ;
  w->growth = calloc(nv, sizeof(double));
  w->signal = calloc(nv, sizeof(double));
  w->wound = calloc(nv, sizeof(double));
  if (!w->growth || !w->signal || !w->wound)
    return -1;
  for (int k = 0; k <= HF_NZ; k++)
    w->zf[k] = k * HF_DZ;
  const double res = window / w->n, sp = window / m;
  const double frac = fmin(1.0, 3.14159265358979323846 * HF_RADIUS * HF_RADIUS / (res * res));
  const double top_dermis = hf_cheek.stratum_corneum + hf_cheek.viable_epidermis;
  for (int a = 0; a < m; a++) {
    for (int b = 0; b < m; b++) {
      double x = (a + 0.5) * sp * (1.0 - squeeze), y = (b + 0.5) * sp;
      int i = (int)floor(x / res) % w->n, j = (int)floor(y / res) % w->n;
      for (int k = 0; k < HF_NZ; k++) {
        double z = 0.5 * (w->zf[k] + w->zf[k + 1]);
        if (z >= depth)
          break;
        size_t v = ((size_t)k * w->n + j) * w->n + i;
        w->wound[v] = frac;
        w->growth[v] = frac * (z < top_dermis ? HF_GROWTH_EPIDERMIS : HF_GROWTH_DERMIS);
      }
    }
  }
  for (int k = 0; k < HF_NZ; k++)
    if (0.5 * (w->zf[k] + w->zf[k + 1]) < depth + 300e-6)
      for (size_t c = 0; c < (size_t)w->n * w->n; c++)
        w->signal[(size_t)k * w->n * w->n + c] = 1.0;
  w->view = (mn_healing_wound){.nx = w->n,
                               .ny = w->n,
                               .nz = HF_NZ,
                               .dx = res,
                               .dy = res,
                               .zf = w->zf,
                               .growth = w->growth,
                               .signal = w->signal,
                               .wound = w->wound};
  return 0;
}

static inline void hf_wound_free(hf_wound *w) {
  free(w->growth);
  free(w->signal);
  free(w->wound);
  memset(w, 0, sizeof *w);
}

static inline mn_healing *hf_create(const mn_params *t, double window) {
  mn_healing_setup s = {.layers = hf_cheek, .window_m = {window, window}, .nthreads = 1};
  mn_healing *h = NULL;
  char err[512] = "";
  if (mn_healing_create(&h, &s, t, err, sizeof err))
    fprintf(stderr, "healing: %s\n", err);
  return h;
}

/* A course: n sessions every interval days, the wound added at the end of
 * each 3-day acute stage, then followed to `until` days after the first. */
static inline int hf_course(mn_healing *h, const hf_wound *w, int n, double interval) {
  char err[512] = "";
  for (int s = 0; s < n; s++) {
    if (mn_healing_advance(h, s * interval + 3.0, err, sizeof err) ||
        mn_healing_add_wound_view(h, &w->view, err, sizeof err)) {
      fprintf(stderr, "healing: %s\n", err);
      return -1;
    }
  }
  return 0;
}

#endif
