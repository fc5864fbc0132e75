/* Numerics: the voxel grid and the scalar fields that live on it.
 *
 * The grid is what the skin model hands to the solvers: nx * ny columns of
 * uniform lateral spacing (dx, dy) and nz cells in depth with non-uniform
 * spacing given by nz + 1 face positions (z grows into the tissue, zf[0] is
 * the surface). Numerics knows nothing of what the cells contain.
 *
 * Storage: one field is one contiguous array of nx * ny * nz doubles,
 * 64-byte aligned, indexed (k * ny + j) * nx + i (x fastest). Several species
 * are several fields, i.e. structure of arrays. Memory comes from an
 * allocator the caller may inject (mn_alloc, Lua style: two function
 * pointers and a context); a zeroed mn_alloc means aligned_alloc/free.
 *
 * Conventions: functions return 0 or a negative MN_NUM_E* status and write a
 * message into (err, errlen) when err is not NULL; destroy functions take
 * T ** and set the pointer to NULL.
 */
#ifndef MN_NUMERICS_GRID_H
#define MN_NUMERICS_GRID_H

#include <stddef.h>

enum {
  MN_NUM_OK = 0,
  MN_NUM_EINVAL = -1,   /* bad argument */
  MN_NUM_ENOMEM = -2,   /* allocation failed */
  MN_NUM_EMISMATCH = -3 /* objects built on different grids */
};

/* Allocator: malloc_fn(ctx, size) returns memory (any alignment; the library
 * aligns it to 64 bytes itself), free_fn(ctx, ptr) releases what malloc_fn
 * returned. Both NULL: aligned_alloc and free. */
typedef struct mn_alloc {
  void *(*malloc_fn)(void *ctx, size_t size);
  void (*free_fn)(void *ctx, void *ptr);
  void *ctx;
} mn_alloc;

/* 64-byte aligned block from the allocator (NULL on failure or size 0). */
void *mn_mem_alloc(const mn_alloc *a, size_t size);
void mn_mem_free(const mn_alloc *a, void *p);

typedef struct mn_grid_params {
  int nx, ny, nz;   /* cells; each >= 1 */
  double dx, dy;    /* lateral spacing, m, > 0 */
  const double *zf; /* nz + 1 strictly increasing face depths, m (copied) */
  mn_alloc alloc;   /* zeroed: default allocator */
} mn_grid_params;

typedef struct mn_grid mn_grid;
typedef struct mn_field mn_field;

int mn_grid_create(mn_grid **out, const mn_grid_params *p, char *err, size_t errlen);
void mn_grid_destroy(mn_grid **g);

int mn_grid_nx(const mn_grid *g);
int mn_grid_ny(const mn_grid *g);
int mn_grid_nz(const mn_grid *g);
size_t mn_grid_nvox(const mn_grid *g);
double mn_grid_dx(const mn_grid *g);
double mn_grid_dy(const mn_grid *g);
const double *mn_grid_zf(const mn_grid *g); /* nz + 1 face depths */
const double *mn_grid_dz(const mn_grid *g); /* nz cell thicknesses */
const double *mn_grid_zc(const mn_grid *g); /* nz cell-centre depths */
const mn_alloc *mn_grid_alloc(const mn_grid *g);

/* Linear index of voxel (i, j, k). */
static inline size_t mn_grid_index(const mn_grid *g, int i, int j, int k) {
  return ((size_t)k * (size_t)mn_grid_ny(g) + (size_t)j) * (size_t)mn_grid_nx(g) + (size_t)i;
}

/* A scalar field (amount per volume) on a grid; starts at zero. The grid must
 * outlive the field. */
int mn_field_create(mn_field **out, const mn_grid *g, char *err, size_t errlen);
void mn_field_destroy(mn_field **f);
double *mn_field_data(mn_field *f);
const double *mn_field_cdata(const mn_field *f);
const mn_grid *mn_field_grid(const mn_field *f);
void mn_field_fill(mn_field *f, double value);
int mn_field_copy(mn_field *dst, const mn_field *src, char *err, size_t errlen);
/* Integral of the field over the grid, sum of c * dx * dy * dz_k (amount). */
double mn_field_total(const mn_field *f);

#endif
