/* Numerics: grid geometry, aligned memory from an injectable allocator, and
 * scalar fields. See grid.h. */
#include "numerics/grid.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numerics/num_util.h"

#define MN_ALIGN 64u

struct mn_grid {
  int nx, ny, nz;
  double dx, dy;
  double *zf, *dz, *zc;
  mn_alloc alloc;
};

struct mn_field {
  const mn_grid *g;
  double *data;
};

void mn_num_errf(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

void *mn_mem_alloc(const mn_alloc *a, size_t size) {
  if (size == 0 || size > SIZE_MAX - (size_t)2 * MN_ALIGN)
    return NULL;
  if (!a || !a->malloc_fn) {
    size_t rounded = (size + MN_ALIGN - 1) / MN_ALIGN * MN_ALIGN;
    return aligned_alloc(MN_ALIGN, rounded);
  }
  /* Foreign allocator: over-allocate, align inside, keep the raw pointer
   * just below the aligned block so free can hand it back. */
  unsigned char *raw = a->malloc_fn(a->ctx, size + MN_ALIGN + sizeof(void *));
  if (!raw)
    return NULL;
  uintptr_t base = (uintptr_t)(raw + sizeof(void *));
  uintptr_t aligned = (base + MN_ALIGN - 1) & ~(uintptr_t)(MN_ALIGN - 1);
  memcpy((unsigned char *)aligned - sizeof(void *), &raw, sizeof raw);
  return (void *)aligned;
}

void mn_mem_free(const mn_alloc *a, void *p) {
  if (!p)
    return;
  if (!a || !a->malloc_fn) {
    free(p);
    return;
  }
  void *raw;
  memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof raw);
  if (a->free_fn)
    a->free_fn(a->ctx, raw);
}

int mn_grid_create(mn_grid **out, const mn_grid_params *p, char *err, size_t errlen) {
  if (!out || !p) {
    mn_num_errf(err, errlen, "grid: NULL argument");
    return MN_NUM_EINVAL;
  }
  *out = NULL;
  if (p->nx < 1 || p->ny < 1 || p->nz < 1) {
    mn_num_errf(err, errlen, "grid: dimensions must be >= 1 (got %d x %d x %d)", p->nx, p->ny,
                p->nz);
    return MN_NUM_EINVAL;
  }
  if (!(p->dx > 0.0) || !(p->dy > 0.0)) {
    mn_num_errf(err, errlen, "grid: dx and dy must be > 0");
    return MN_NUM_EINVAL;
  }
  if (!p->zf) {
    mn_num_errf(err, errlen, "grid: face depths zf missing");
    return MN_NUM_EINVAL;
  }
  for (int k = 0; k < p->nz; k++) {
    if (!(p->zf[k + 1] > p->zf[k])) {
      mn_num_errf(err, errlen, "grid: zf must increase strictly (face %d)", k + 1);
      return MN_NUM_EINVAL;
    }
  }
  if ((p->alloc.malloc_fn == NULL) != (p->alloc.free_fn == NULL)) {
    mn_num_errf(err, errlen, "grid: allocator needs both malloc_fn and free_fn");
    return MN_NUM_EINVAL;
  }
  const mn_alloc *a = &p->alloc;
  mn_grid *g = mn_mem_alloc(a, sizeof *g);
  if (!g) {
    mn_num_errf(err, errlen, "grid: out of memory");
    return MN_NUM_ENOMEM;
  }
  memset(g, 0, sizeof *g);
  g->alloc = *a;
  g->nx = p->nx;
  g->ny = p->ny;
  g->nz = p->nz;
  g->dx = p->dx;
  g->dy = p->dy;
  size_t nz = (size_t)p->nz;
  g->zf = mn_mem_alloc(a, (nz + 1) * sizeof(double));
  g->dz = mn_mem_alloc(a, nz * sizeof(double));
  g->zc = mn_mem_alloc(a, nz * sizeof(double));
  if (!g->zf || !g->dz || !g->zc) {
    mn_grid_destroy(&g);
    mn_num_errf(err, errlen, "grid: out of memory");
    return MN_NUM_ENOMEM;
  }
  for (size_t k = 0; k <= nz; k++)
    g->zf[k] = p->zf[k];
  for (size_t k = 0; k < nz; k++) {
    g->dz[k] = g->zf[k + 1] - g->zf[k];
    g->zc[k] = 0.5 * (g->zf[k + 1] + g->zf[k]);
  }
  *out = g;
  return MN_NUM_OK;
}

void mn_grid_destroy(mn_grid **gp) {
  if (!gp || !*gp)
    return;
  mn_grid *g = *gp;
  mn_alloc a = g->alloc;
  mn_mem_free(&a, g->zf);
  mn_mem_free(&a, g->dz);
  mn_mem_free(&a, g->zc);
  mn_mem_free(&a, g);
  *gp = NULL;
}

int mn_grid_nx(const mn_grid *g) {
  return g->nx;
}
int mn_grid_ny(const mn_grid *g) {
  return g->ny;
}
int mn_grid_nz(const mn_grid *g) {
  return g->nz;
}
size_t mn_grid_nvox(const mn_grid *g) {
  return (size_t)g->nx * (size_t)g->ny * (size_t)g->nz;
}
double mn_grid_dx(const mn_grid *g) {
  return g->dx;
}
double mn_grid_dy(const mn_grid *g) {
  return g->dy;
}
const double *mn_grid_zf(const mn_grid *g) {
  return g->zf;
}
const double *mn_grid_dz(const mn_grid *g) {
  return g->dz;
}
const double *mn_grid_zc(const mn_grid *g) {
  return g->zc;
}
const mn_alloc *mn_grid_alloc(const mn_grid *g) {
  return &g->alloc;
}

int mn_field_create(mn_field **out, const mn_grid *g, char *err, size_t errlen) {
  if (!out || !g) {
    mn_num_errf(err, errlen, "field: NULL argument");
    return MN_NUM_EINVAL;
  }
  *out = NULL;
  mn_field *f = mn_mem_alloc(&g->alloc, sizeof *f);
  if (!f) {
    mn_num_errf(err, errlen, "field: out of memory");
    return MN_NUM_ENOMEM;
  }
  f->g = g;
  f->data = mn_mem_alloc(&g->alloc, mn_grid_nvox(g) * sizeof(double));
  if (!f->data) {
    mn_mem_free(&g->alloc, f);
    mn_num_errf(err, errlen, "field: out of memory for %zu voxels", mn_grid_nvox(g));
    return MN_NUM_ENOMEM;
  }
  mn_field_fill(f, 0.0);
  *out = f;
  return MN_NUM_OK;
}

void mn_field_destroy(mn_field **fp) {
  if (!fp || !*fp)
    return;
  mn_field *f = *fp;
  const mn_alloc *a = &f->g->alloc;
  mn_mem_free(a, f->data);
  mn_mem_free(a, f);
  *fp = NULL;
}

double *mn_field_data(mn_field *f) {
  return f->data;
}
const double *mn_field_cdata(const mn_field *f) {
  return f->data;
}
const mn_grid *mn_field_grid(const mn_field *f) {
  return f->g;
}

void mn_field_fill(mn_field *f, double value) {
  /* First touch by planes, the same partition the y and x sweeps use. */
  const mn_grid *g = f->g;
  const size_t plane = (size_t)g->nx * (size_t)g->ny;
  double *d = f->data;
#pragma omp parallel for schedule(static)
  for (int k = 0; k < g->nz; k++) {
    double *p = d + (size_t)k * plane;
    for (size_t v = 0; v < plane; v++)
      p[v] = value;
  }
}

int mn_field_copy(mn_field *dst, const mn_field *src, char *err, size_t errlen) {
  if (!dst || !src) {
    mn_num_errf(err, errlen, "field copy: NULL argument");
    return MN_NUM_EINVAL;
  }
  if (dst->g != src->g) {
    mn_num_errf(err, errlen, "field copy: fields live on different grids");
    return MN_NUM_EMISMATCH;
  }
  memcpy(dst->data, src->data, mn_grid_nvox(src->g) * sizeof(double));
  return MN_NUM_OK;
}

double mn_field_total(const mn_field *f) {
  const mn_grid *g = f->g;
  const size_t plane = (size_t)g->nx * (size_t)g->ny;
  /* Compensated sums: the mass-conservation checks compare totals to 1e-12
   * and a plain running sum over millions of voxels would blur that. */
  double total = 0.0, tc = 0.0;
  for (int k = 0; k < g->nz; k++) {
    const double *p = f->data + (size_t)k * plane;
    double s = 0.0, c = 0.0;
    for (size_t v = 0; v < plane; v++) {
      double y = p[v] - c;
      double t = s + y;
      c = (t - s) - y;
      s = t;
    }
    double y = s * g->dz[k] - tc;
    double t = total + y;
    tc = (t - total) - y;
    total = t;
  }
  return total * g->dx * g->dy;
}
