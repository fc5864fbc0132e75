/* Benchmark: the LOD diffusion step against the machine's memory bandwidth.
 *
 * 1. Measures the bandwidth itself with a STREAM-style triad
 *    (a = b + s * c, 24 bytes per element counted as STREAM counts them),
 *    best of several runs, on 1 and 2 threads, on arrays far larger than the
 *    last-level cache and on arrays the size of the benchmark field.
 * 2. Runs mn_lod_step on 200^3 voxels, one field, for constant, layered and
 *    per-voxel coefficients on 1 and 2 threads; median of several steps.
 * Prints voxel-updates/s, the modelled bytes per voxel per step, the
 * fraction of the measured (large-array) triad bandwidth, memory per voxel
 * per field (every byte the grid, the field and the solver allocate,
 * counted through an injected allocator) and the ratio to BioFVM's LOD
 * solver on the same problem and machine class (1.9e7 voxel-updates/s on 1
 * thread, 3.8e7 on 2: PERFORMANCE.md).
 *
 * Byte model per voxel and step: each of the three sweeps reads and writes
 * the field once (2 x 8 B; bundles of lines stay in cache between the
 * forward and backward passes), so 48 B; the per-voxel path also streams two
 * float face weights per sweep (+24 B). Write-allocate traffic is not
 * counted, as in STREAM. */
#define _POSIX_C_SOURCE 200809L
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numerics/grid.h"
#include "numerics/lod.h"

#define N 200
#define REPS 7
#define BIOFVM_1T 1.9e7 /* voxel-updates/s, PERFORMANCE.md */
#define BIOFVM_2T 3.8e7

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Best triad bandwidth in bytes/s over REPS runs on n-element arrays. */
static double triad(size_t n, int threads) {
  double *a = aligned_alloc(64, n * sizeof(double));
  double *b = aligned_alloc(64, n * sizeof(double));
  double *c = aligned_alloc(64, n * sizeof(double));
  if (!a || !b || !c) {
    free(a);
    free(b);
    free(c);
    return 0.0;
  }
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long i = 0; i < (long)n; i++) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
  double best = 1e30;
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    const double s = 3.0;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long i = 0; i < (long)n; i++)
      a[i] = b[i] + s * c[i];
    double t = now() - t0;
    if (t < best)
      best = t;
  }
  volatile double sink = a[n / 2];
  (void)sink;
  free(a);
  free(b);
  free(c);
  return 3.0 * sizeof(double) * (double)n / best;
}

typedef struct counter {
  size_t bytes;
} counter;

static void *count_malloc(void *ctx, size_t size) {
  ((counter *)ctx)->bytes += size;
  return malloc(size);
}

static void count_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

typedef enum { COEF_CONSTANT, COEF_LAYERED, COEF_VOXEL } coef_kind;
static const char *coef_name[] = {"constant", "layered", "per-voxel"};

typedef struct result {
  double rate, bytes_model, mem_per_voxel;
} result;

static result run(coef_kind kind, int threads) {
  result res = {0};
  char err[256];
  counter cnt = {0};
  double zf[N + 1], D[N], K[N];
  /* Skin-like depth grid: fine near the surface, coarser below. */
  zf[0] = 0.0;
  for (int k = 0; k < N; k++)
    zf[k + 1] = zf[k] + 1e-6 * (1.0 + 0.05 * k);
  for (int k = 0; k < N; k++) {
    int layer = k < 15 ? 0 : k < 60 ? 1 : 2;
    D[k] = kind == COEF_CONSTANT ? 1e-11 : (layer == 0 ? 1e-13 : layer == 1 ? 1e-11 : 5e-11);
    K[k] = kind == COEF_CONSTANT ? 1.0 : (layer == 0 ? 5.0 : 1.0);
  }
  mn_grid_params gp = {.nx = N, .ny = N, .nz = N, .dx = 1e-5, .dy = 1e-5, .zf = zf};
  gp.alloc = (mn_alloc){.malloc_fn = count_malloc, .free_fn = count_free, .ctx = &cnt};
  mn_grid *g = NULL;
  mn_field *f = NULL;
  mn_lod *s = NULL;
  double *Dv = NULL;
  if (mn_grid_create(&g, &gp, err, sizeof err) || mn_field_create(&f, g, err, sizeof err)) {
    fprintf(stderr, "bench_lod: %s\n", err);
    goto out;
  }
  mn_lod_params lp = {.D_layer = D,
                      .K_layer = K,
                      .bc_x = {.kind = MN_BC_PERIODIC},
                      .bc_y = {.kind = MN_BC_PERIODIC},
                      .bc_top = {.kind = MN_BC_DIRICHLET, .value = 1.0},
                      .bc_bottom = {.kind = MN_BC_DIRICHLET, .value = 0.0},
                      .nthreads = threads};
  if (kind == COEF_VOXEL) {
    /* Layers plus microchannel columns of high D through the top layers. */
    size_t nv = mn_grid_nvox(g);
    Dv = malloc(nv * sizeof *Dv);
    if (!Dv)
      goto out;
    for (int k = 0; k < N; k++)
      for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
          int chan = (i % 50) < 4 && (j % 50) < 4 && k < 60;
          Dv[mn_grid_index(g, i, j, k)] = chan ? 1e-9 : D[k];
        }
    lp.D_voxel = Dv;
    lp.K_layer = NULL;
  }
  if (mn_lod_create(&s, g, &lp, err, sizeof err)) {
    fprintf(stderr, "bench_lod: %s\n", err);
    goto out;
  }
  const double dt = 1.0;
  double t[REPS];
  if (mn_lod_step(s, f, dt, err, sizeof err)) /* warm-up, factorisation */
    goto out;
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    mn_lod_step(s, f, dt, err, sizeof err);
    t[r] = now() - t0;
  }
  qsort(t, REPS, sizeof t[0], cmp_double);
  double nv = (double)mn_grid_nvox(g);
  res.rate = nv / t[REPS / 2];
  res.bytes_model = 48.0 + (mn_lod_is_layered(s) ? 0.0 : 24.0);
  res.mem_per_voxel = (double)cnt.bytes / nv;
out:
  mn_lod_destroy(&s);
  mn_field_destroy(&f);
  mn_grid_destroy(&g);
  free(Dv);
  return res;
}

int main(void) {
  const size_t big = (size_t)1 << 26;     /* 512 MiB per array */
  const size_t field = (size_t)N * N * N; /* 64 MB per array */
  double bw_big[3], bw_field[3];
  for (int th = 1; th <= 2; th++) {
    bw_big[th] = triad(big, th);
    bw_field[th] = triad(field, th);
  }
  printf("memory bandwidth (STREAM triad, best of %d)\n", REPS);
  for (int th = 1; th <= 2; th++)
    printf("  %d thread%s: %6.1f GB/s on 3 x 512 MiB arrays, %6.1f GB/s on 3 x 64 MB\n", th,
           th > 1 ? "s" : " ", bw_big[th] * 1e-9, bw_field[th] * 1e-9);
  printf("\nLOD backward-Euler step, %d^3 voxels, 1 field, double, median of %d\n", N, REPS);
  printf("%-10s %3s %14s %8s %9s %10s %9s\n", "coeffs", "thr", "voxel-upd/s", "B/voxel", "of bw",
         "mem B/vox", "x BioFVM");
  for (int kind = COEF_CONSTANT; kind <= COEF_VOXEL; kind++) {
    for (int th = 1; th <= 2; th++) {
      result r = run((coef_kind)kind, th);
      if (r.rate <= 0.0)
        return 1;
      double frac = r.rate * r.bytes_model / bw_big[th];
      double peer = th == 1 ? BIOFVM_1T : BIOFVM_2T;
      printf("%-10s %3d %14.3e %8.0f %8.0f%% %10.1f %9.1f\n", coef_name[kind], th, r.rate,
             r.bytes_model, 100.0 * frac, r.mem_per_voxel, r.rate / peer);
    }
  }
  return 0;
}
