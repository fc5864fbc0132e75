/*
 * checkpoint.h5 writer and reader; see checkpoint.h. Layout:
 *
 *   /                 attrs schema, mnlab_version
 *   /run              datasets protocol_yaml (absent: built-in default),
 *                     protocol_json; attrs ideal_strokes, nthreads
 *   /state            attrs params_hash, sessions_done, next_day, acute_hours,
 *                     has_healing; dataset timeseries (rows x columns, attr
 *                     columns: the names joined by commas); dataset
 *                     field_snapshots (absent: none taken yet), the fields
 *                     writer's list of the snapshots up to this safe point
 *   /state/sessions/NNN   attrs day, the puncture statistics and the acute
 *                     result's figures (each by its field name); dataset
 *                     acute_series (rows x 7); group punctures (one dataset
 *                     per array of the puncture list, attrs for its scalars)
 *   /state/healing    attrs nx ny nz condition t_days dt_next_days nwounds
 *                     steps rejected gf_days inf_days inf_peak; one dataset
 *                     per species (nz x ny x nx), epidermis (ny x nx)
 *
 * Doubles are stored as IEEE 64-bit little endian, so values come back bit
 * for bit. HDF5's own error printing is switched off while we work: every
 * failure is reported through err.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/checkpoint.h"

#include <errno.h>
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic.h"

/* ------------------------------------------------------------ fields */

#define DBL_FIELD(type, name)                                                                      \
  { #name, offsetof(type, name) }

typedef struct {
  const char *name;
  size_t off;
} dbl_field;

static const dbl_field acute_doubles[] = {
    DBL_FIELD(mn_acute_result, tewl_baseline_g_m2_h),
    DBL_FIELD(mn_acute_result, tewl_peak_g_m2_h),
    DBL_FIELD(mn_acute_result, tewl_recovery_h),
    DBL_FIELD(mn_acute_result, pore_closure_half_life_h),
    DBL_FIELD(mn_acute_result, pore_closure_h),
    DBL_FIELD(mn_acute_result, barrier_half_life_h),
    DBL_FIELD(mn_acute_result, barrier_resealing_h),
    DBL_FIELD(mn_acute_result, erythema_peak),
    DBL_FIELD(mn_acute_result, erythema_duration_h),
    DBL_FIELD(mn_acute_result, lag_time_h),
    DBL_FIELD(mn_acute_result, flux_ug_cm2_h),
    DBL_FIELD(mn_acute_result, cumulative_ug_cm2),
    DBL_FIELD(mn_acute_result, ref_lag_time_h),
    DBL_FIELD(mn_acute_result, ref_flux_ug_cm2_h),
    DBL_FIELD(mn_acute_result, ref_cumulative_ug_cm2),
    DBL_FIELD(mn_acute_result, enhancement),
    DBL_FIELD(mn_acute_result, donor_in_ug_cm2),
    DBL_FIELD(mn_acute_result, tissue_ug_cm2),
    DBL_FIELD(mn_acute_result, cleared_ug_cm2),
    DBL_FIELD(mn_acute_result, sink_ug_cm2),
};

static const dbl_field stats_doubles[] = {
    DBL_FIELD(mn_puncture_stats, area_cm2),      DBL_FIELD(mn_puncture_stats, per_cm2),
    DBL_FIELD(mn_puncture_stats, density_cv),    DBL_FIELD(mn_puncture_stats, depth_mean_um),
    DBL_FIELD(mn_puncture_stats, width_mean_um), DBL_FIELD(mn_puncture_stats, inserted_mean_um),
};

static const dbl_field list_doubles[] = {
    DBL_FIELD(mn_puncture_list, area_w_mm),
    DBL_FIELD(mn_puncture_list, area_h_mm),
    DBL_FIELD(mn_puncture_list, duration_s),
};

/* A named double of a struct, by its offset (memcpy: no type punning). */
static double field_get(const void *base, size_t off) {
  double v;
  memcpy(&v, (const char *)base + off, sizeof v);
  return v;
}

static void field_set(void *base, size_t off, double v) {
  memcpy((char *)base + off, &v, sizeof v);
}

enum { NDBL_ACUTE = sizeof acute_doubles / sizeof acute_doubles[0] };
enum { NDBL_STATS = sizeof stats_doubles / sizeof stats_doubles[0] };
enum { NDBL_LIST = sizeof list_doubles / sizeof list_doubles[0] };
enum { SERIES_COLS = 7 };

/* ----------------------------------------------------- HDF5 plumbing */

/* One pass over a file: the first failure is kept in err and every later
 * call becomes a no-op, so the writer and reader read straight through. */
typedef struct {
  int rc;
  char *err;
  size_t errlen;
} h5io;

static void fail(h5io *io, int rc, const char *what, const char *name) {
  if (io->rc == 0) {
    io->rc = rc;
    snprintf(io->err, io->errlen, "%s '%s'", what, name);
  }
}

static hid_t group_create(h5io *io, hid_t loc, const char *name) {
  if (io->rc != 0) {
    return H5I_INVALID_HID;
  }
  hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) {
    fail(io, MN_CHECKPOINT_EIO, "cannot create group", name);
  }
  return g;
}

static hid_t group_open(h5io *io, hid_t loc, const char *name) {
  if (io->rc != 0) {
    return H5I_INVALID_HID;
  }
  hid_t g = H5Gopen2(loc, name, H5P_DEFAULT);
  if (g < 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "missing group", name);
  }
  return g;
}

static void group_close(hid_t g) {
  if (g >= 0) {
    H5Gclose(g);
  }
}

static void put_attr(h5io *io, hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                     const void *v) {
  if (io->rc != 0) {
    return;
  }
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = sp < 0 ? -1 : H5Acreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0 || H5Awrite(a, mem_type, v) < 0) {
    fail(io, MN_CHECKPOINT_EIO, "cannot write attribute", name);
  }
  if (a >= 0) {
    H5Aclose(a);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
}

static void get_attr(h5io *io, hid_t loc, const char *name, hid_t mem_type, void *v) {
  if (io->rc != 0) {
    return;
  }
  hid_t a = H5Aexists(loc, name) > 0 ? H5Aopen(loc, name, H5P_DEFAULT) : -1;
  hid_t sp = a < 0 ? -1 : H5Aget_space(a);
  if (a < 0 || sp < 0 || H5Sget_simple_extent_npoints(sp) != 1 || H5Aread(a, mem_type, v) < 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "missing or malformed attribute", name);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (a >= 0) {
    H5Aclose(a);
  }
}

static void put_f64(h5io *io, hid_t loc, const char *name, double v) {
  put_attr(io, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static void put_i64(h5io *io, hid_t loc, const char *name, int64_t v) {
  put_attr(io, loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &v);
}

static void put_u64(h5io *io, hid_t loc, const char *name, uint64_t v) {
  put_attr(io, loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

static double get_f64(h5io *io, hid_t loc, const char *name) {
  double v = 0.0;
  get_attr(io, loc, name, H5T_NATIVE_DOUBLE, &v);
  return v;
}

static int64_t get_i64(h5io *io, hid_t loc, const char *name) {
  int64_t v = 0;
  get_attr(io, loc, name, H5T_NATIVE_INT64, &v);
  return v;
}

static uint64_t get_u64(h5io *io, hid_t loc, const char *name) {
  uint64_t v = 0;
  get_attr(io, loc, name, H5T_NATIVE_UINT64, &v);
  return v;
}

/* A count read back: non-negative and no larger than a sanity limit. */
static size_t get_count(h5io *io, hid_t loc, const char *name, int64_t max) {
  int64_t v = get_i64(io, loc, name);
  if (io->rc == 0 && (v < 0 || v > max)) {
    fail(io, MN_CHECKPOINT_EFORMAT, "out of range", name);
    return 0;
  }
  return (size_t)v;
}

/* Text of any length: a scalar dataset of a fixed-length string type
 * (attributes are kept small by HDF5). */
static void put_text(h5io *io, hid_t loc, const char *name, const char *text) {
  if (io->rc != 0) {
    return;
  }
  hid_t t = H5Tcopy(H5T_C_S1);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t d = -1;
  if (t >= 0 && sp >= 0 && H5Tset_size(t, strlen(text) + 1) >= 0 &&
      H5Tset_strpad(t, H5T_STR_NULLTERM) >= 0) {
    d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  }
  if (d < 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0) {
    fail(io, MN_CHECKPOINT_EIO, "cannot write", name);
  }
  if (d >= 0) {
    H5Dclose(d);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (t >= 0) {
    H5Tclose(t);
  }
}

/* NULL (without failing) when the dataset is absent and optional. */
static char *get_text(h5io *io, hid_t loc, const char *name, int optional) {
  if (io->rc != 0) {
    return NULL;
  }
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
    if (!optional) {
      fail(io, MN_CHECKPOINT_EFORMAT, "missing", name);
    }
    return NULL;
  }
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  hid_t t = d < 0 ? -1 : H5Dget_type(d);
  size_t n = t < 0 ? 0 : H5Tget_size(t);
  char *text = NULL;
  if (t < 0 || H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) != 0 || n == 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "malformed text", name);
  } else if ((text = malloc(n + 1)) == NULL) {
    fail(io, MN_CHECKPOINT_ENOMEM, "out of memory reading", name);
  } else if (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) < 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "cannot read", name);
    free(text);
    text = NULL;
  } else {
    text[n] = '\0';
  }
  if (t >= 0) {
    H5Tclose(t);
  }
  if (d >= 0) {
    H5Dclose(d);
  }
  return text;
}

static void put_array(h5io *io, hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                      int rank, const hsize_t *dims, const void *data) {
  if (io->rc != 0) {
    return;
  }
  hsize_t n = 1;
  for (int i = 0; i < rank; i++) {
    n *= dims[i];
  }
  hid_t sp = H5Screate_simple(rank, dims, NULL);
  hid_t d =
      sp < 0 ? -1 : H5Dcreate2(loc, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d < 0 || (n > 0 && H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)) {
    fail(io, MN_CHECKPOINT_EIO, "cannot write", name);
  }
  if (d >= 0) {
    H5Dclose(d);
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
}

static void put_doubles(h5io *io, hid_t loc, const char *name, int rank, const hsize_t *dims,
                        const double *data) {
  put_array(io, loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, dims, data);
}

/* Reads a dataset of exactly the shape given into a new array (NULL when
 * it has no elements). */
static void *get_array(h5io *io, hid_t loc, const char *name, hid_t mem_type, size_t elem, int rank,
                       const hsize_t *dims) {
  if (io->rc != 0) {
    return NULL;
  }
  hid_t d = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Dopen2(loc, name, H5P_DEFAULT) : -1;
  hid_t sp = d < 0 ? -1 : H5Dget_space(d);
  hsize_t got[4] = {0};
  int ok = sp >= 0 && rank <= 4 && H5Sget_simple_extent_ndims(sp) == rank &&
           H5Sget_simple_extent_dims(sp, got, NULL) == rank;
  hsize_t n = 1;
  for (int i = 0; ok && i < rank; i++) {
    ok = got[i] == dims[i];
    n *= dims[i];
  }
  void *data = NULL;
  if (!ok) {
    fail(io, MN_CHECKPOINT_EFORMAT, "missing or misshapen dataset", name);
  } else if (n > 0 && (data = malloc((size_t)n * elem)) == NULL) {
    fail(io, MN_CHECKPOINT_ENOMEM, "out of memory reading", name);
  } else if (n > 0 && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "cannot read", name);
    free(data);
    data = NULL;
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (d >= 0) {
    H5Dclose(d);
  }
  return data;
}

enum { MAX_COUNT = 1 << 30 }; /* far above any run's, far below overflow */

/* Rows of a 2-D dataset of `cols` columns: a table whose length is the
 * dataset's own (0 and a format error when it is missing or misshapen). */
static size_t get_rows(h5io *io, hid_t loc, const char *name, hsize_t cols) {
  if (io->rc != 0) {
    return 0;
  }
  hid_t d = H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Dopen2(loc, name, H5P_DEFAULT) : -1;
  hid_t sp = d < 0 ? -1 : H5Dget_space(d);
  hsize_t dims[2] = {0, 0};
  if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 2 ||
      H5Sget_simple_extent_dims(sp, dims, NULL) != 2 || dims[1] != cols || dims[0] > MAX_COUNT) {
    fail(io, MN_CHECKPOINT_EFORMAT, "missing or misshapen dataset", name);
    dims[0] = 0;
  }
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (d >= 0) {
    H5Dclose(d);
  }
  return (size_t)dims[0];
}

static double *get_doubles(h5io *io, hid_t loc, const char *name, int rank, const hsize_t *dims) {
  return get_array(io, loc, name, H5T_NATIVE_DOUBLE, sizeof(double), rank, dims);
}

/* Reads into a caller's array of exactly n doubles. */
static void get_doubles_into(h5io *io, hid_t loc, const char *name, int rank, const hsize_t *dims,
                             double *dst, size_t n) {
  double *a = get_doubles(io, loc, name, rank, dims);
  if (a != NULL) {
    memcpy(dst, a, n * sizeof *dst);
    free(a);
  }
}

/* ------------------------------------------------------------- write */

static void write_session(h5io *io, hid_t sessions, int i, const mn_course_session *cs) {
  char name[16];
  snprintf(name, sizeof name, "%03d", i);
  hid_t g = group_create(io, sessions, name);
  put_f64(io, g, "day", cs->day);
  const mn_puncture_stats *ps = &cs->punctures;
  put_i64(io, g, "punctures", (int64_t)ps->punctures);
  put_i64(io, g, "cells", (int64_t)ps->cells);
  for (size_t k = 0; k < NDBL_STATS; k++) {
    put_f64(io, g, stats_doubles[k].name, field_get(ps, stats_doubles[k].off));
  }
  const mn_acute_result *a = &cs->acute;
  for (size_t k = 0; k < NDBL_ACUTE; k++) {
    put_f64(io, g, acute_doubles[k].name, field_get(a, acute_doubles[k].off));
  }
  put_i64(io, g, "nchannels", (int64_t)a->nchannels);
  put_i64(io, g, "nx", a->nx);
  put_i64(io, g, "ny", a->ny);
  put_i64(io, g, "nz", a->nz);
  put_i64(io, g, "steps", (int64_t)a->steps);
  double *rows = a->nseries ? malloc(a->nseries * SERIES_COLS * sizeof *rows) : NULL;
  if (a->nseries && rows == NULL) {
    fail(io, MN_CHECKPOINT_ENOMEM, "out of memory writing", "acute_series");
  }
  for (size_t k = 0; rows != NULL && k < a->nseries; k++) {
    const mn_acute_sample *s = &a->series[k];
    double *row = rows + k * SERIES_COLS;
    row[0] = s->time_h;
    row[1] = s->tewl_g_m2_h;
    row[2] = s->open_channel_fraction;
    row[3] = s->barrier_open_fraction;
    row[4] = s->flux_ug_cm2_h;
    row[5] = s->cumulative_ug_cm2;
    row[6] = s->erythema_index;
  }
  hsize_t dims[2] = {a->nseries, SERIES_COLS};
  put_doubles(io, g, "acute_series", 2, dims, rows);
  free(rows);

  const mn_puncture_list *l = cs->puncture_list;
  hid_t pg = group_create(io, g, "punctures");
  put_i64(io, pg, "present", l != NULL);
  if (l != NULL) {
    for (size_t k = 0; k < NDBL_LIST; k++) {
      put_f64(io, pg, list_doubles[k].name, field_get(l, list_doubles[k].off));
    }
    put_i64(io, pg, "count", (int64_t)l->count);
    put_i64(io, pg, "stamps", (int64_t)l->stamps);
    put_i64(io, pg, "missed", (int64_t)l->missed);
    hsize_t n = l->count, ns = l->stamps;
    put_doubles(io, pg, "x_mm", 1, &n, l->x_mm);
    put_doubles(io, pg, "y_mm", 1, &n, l->y_mm);
    put_doubles(io, pg, "depth_um", 1, &n, l->depth_um);
    put_doubles(io, pg, "radius_um", 1, &n, l->radius_um);
    put_doubles(io, pg, "inserted_um", 1, &n, l->inserted_um);
    put_doubles(io, pg, "time_s", 1, &n, l->time_s);
    put_array(io, pg, "session", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &n, l->session);
    put_doubles(io, pg, "stamp_x_mm", 1, &ns, l->stamp_x_mm);
    put_doubles(io, pg, "stamp_y_mm", 1, &ns, l->stamp_y_mm);
    put_doubles(io, pg, "stamp_time_s", 1, &ns, l->stamp_time_s);
  }
  group_close(pg);
  group_close(g);
}

static void write_healing(h5io *io, hid_t state, const mn_healing_state *h) {
  hid_t g = group_create(io, state, "healing");
  put_i64(io, g, "nx", h->nx);
  put_i64(io, g, "ny", h->ny);
  put_i64(io, g, "nz", h->nz);
  put_i64(io, g, "condition", h->condition);
  put_f64(io, g, "t_days", h->t_days);
  put_f64(io, g, "dt_next_days", h->dt_next_days);
  put_i64(io, g, "nwounds", h->nwounds);
  put_u64(io, g, "steps", h->steps);
  put_u64(io, g, "rejected", h->rejected);
  put_f64(io, g, "gf_days", h->gf_days);
  put_f64(io, g, "inf_days", h->inf_days);
  put_f64(io, g, "inf_peak", h->inf_peak);
  hsize_t dims[3] = {(hsize_t)h->nz, (hsize_t)h->ny, (hsize_t)h->nx};
  for (int q = 0; q < MN_HEALING_NSPECIES; q++) {
    put_doubles(io, g, mn_healing_species_names[q], 3, dims, h->species[q]);
  }
  put_doubles(io, g, "epidermis", 2, dims + 1, h->epi);
  group_close(g);
}

static void write_table(h5io *io, hid_t state, const mn_table *t, size_t rows) {
  size_t nc = mn_table_cols(t);
  double *d = rows ? malloc(rows * nc * sizeof *d) : NULL;
  if (rows && d == NULL) {
    fail(io, MN_CHECKPOINT_ENOMEM, "out of memory writing", "timeseries");
    return;
  }
  for (size_t i = 0; i < rows; i++) {
    for (size_t c = 0; c < nc; c++) {
      d[i * nc + c] = mn_table_get(t, i, c);
    }
  }
  hsize_t dims[2] = {rows, nc};
  put_doubles(io, state, "timeseries", 2, dims, d);
  free(d);
}

static void write_all(h5io *io, hid_t f, const mn_checkpoint_run *run, const mn_course_state *s) {
  hid_t root = group_open(io, f, "/");
  if (io->rc == 0) {
    hid_t t = H5Tcopy(H5T_C_S1);
    const char *schema = MN_CHECKPOINT_SCHEMA;
    if (t < 0 || H5Tset_size(t, strlen(schema) + 1) < 0) {
      fail(io, MN_CHECKPOINT_EIO, "cannot write", "schema");
    }
    put_attr(io, root, "schema", t, t, schema);
    if (t >= 0) {
      H5Tclose(t);
    }
  }
  put_text(io, root, "mnlab_version", MN_VERSION);
  group_close(root);

  hid_t rg = group_create(io, f, "run");
  if (run->protocol_yaml != NULL) {
    put_text(io, rg, "protocol_yaml", run->protocol_yaml);
  }
  put_text(io, rg, "protocol_json", run->protocol_json ? run->protocol_json : "");
  put_i64(io, rg, "ideal_strokes", run->ideal_strokes);
  put_i64(io, rg, "nthreads", run->nthreads);
  group_close(rg);

  hid_t sg = group_create(io, f, "state");
  put_u64(io, sg, "params_hash", s->params_hash);
  put_i64(io, sg, "sessions_done", s->sessions_done);
  put_f64(io, sg, "next_day", s->next_day);
  put_f64(io, sg, "acute_hours", s->result.acute_hours);
  put_i64(io, sg, "has_healing", s->result.has_healing);
  write_table(io, sg, s->result.timeseries, s->rows);
  if (run->field_snapshots != NULL) {
    put_text(io, sg, "field_snapshots", run->field_snapshots);
  }
  /* the column names, to refuse a checkpoint of another table layout */
  size_t len = 1;
  for (size_t c = 0; c < mn_table_cols(s->result.timeseries); c++) {
    len += strlen(mn_table_name(s->result.timeseries, c)) + 1;
  }
  char *cols = calloc(len, 1);
  if (cols == NULL) {
    fail(io, MN_CHECKPOINT_ENOMEM, "out of memory writing", "columns");
  }
  for (size_t c = 0; cols != NULL && c < mn_table_cols(s->result.timeseries); c++) {
    strcat(cols, c ? "," : "");
    strcat(cols, mn_table_name(s->result.timeseries, c));
  }
  if (cols != NULL) {
    put_text(io, sg, "timeseries_columns", cols);
  }
  free(cols);
  hid_t ss = group_create(io, sg, "sessions");
  for (int i = 0; i < s->sessions_done; i++) {
    write_session(io, ss, i, &s->result.sessions[i]);
  }
  group_close(ss);
  if (s->result.has_healing) {
    write_healing(io, sg, &s->healing);
  }
  group_close(sg);
}

int mn_checkpoint_write(const char *path, const mn_checkpoint_run *run, const mn_course_state *s,
                        char *err, size_t errlen) {
  if (path == NULL || run == NULL || s == NULL || s->result.timeseries == NULL ||
      s->sessions_done < 0 || (s->sessions_done > 0 && s->result.sessions == NULL) ||
      s->rows > mn_table_rows(s->result.timeseries)) {
    snprintf(err, errlen, "checkpoint: nothing to write");
    return MN_CHECKPOINT_EFORMAT;
  }
  char tmp[4096];
  if (mn_atomic_temp_name(path, tmp, sizeof tmp) != 0) {
    snprintf(err, errlen, "%s: path too long", path);
    return MN_CHECKPOINT_EIO;
  }
  H5E_auto2_t old_fn;
  void *old_data;
  H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  char why[512] = "";
  h5io io = {0, why, sizeof why};
  hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    fail(&io, MN_CHECKPOINT_EIO, "cannot create", "the temporary file");
  }
  write_all(&io, f, run, s);
  if (f >= 0 && H5Fclose(f) < 0) {
    fail(&io, MN_CHECKPOINT_EIO, "cannot close", "the temporary file");
  }
  H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
  if (io.rc != 0) {
    remove(tmp);
    snprintf(err, errlen, "%s: %s", path, why);
    return io.rc;
  }
  return mn_atomic_publish(tmp, path, err, errlen) == 0 ? MN_CHECKPOINT_OK : MN_CHECKPOINT_EIO;
}

/* -------------------------------------------------------------- read */

static void read_punctures(h5io *io, hid_t g, mn_course_session *cs) {
  hid_t pg = group_open(io, g, "punctures");
  if (get_i64(io, pg, "present") == 0 || io->rc != 0) {
    group_close(pg);
    return;
  }
  double area[NDBL_LIST];
  for (size_t k = 0; k < NDBL_LIST; k++) {
    area[k] = get_f64(io, pg, list_doubles[k].name);
  }
  size_t n = get_count(io, pg, "count", MAX_COUNT);
  size_t ns = get_count(io, pg, "stamps", MAX_COUNT);
  size_t missed = get_count(io, pg, "missed", MAX_COUNT);
  mn_puncture_list *l = NULL;
  if (io->rc == 0 && mn_puncture_list_create(&l, area[0], area[1]) != 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "malformed puncture list", "punctures");
  }
  if (l != NULL) {
    for (size_t k = 0; k < NDBL_LIST; k++) {
      field_set(l, list_doubles[k].off, area[k]);
    }
    hsize_t dn = n, dns = ns;
    l->x_mm = get_doubles(io, pg, "x_mm", 1, &dn);
    l->y_mm = get_doubles(io, pg, "y_mm", 1, &dn);
    l->depth_um = get_doubles(io, pg, "depth_um", 1, &dn);
    l->radius_um = get_doubles(io, pg, "radius_um", 1, &dn);
    l->inserted_um = get_doubles(io, pg, "inserted_um", 1, &dn);
    l->time_s = get_doubles(io, pg, "time_s", 1, &dn);
    l->session = get_array(io, pg, "session", H5T_NATIVE_INT, sizeof(int), 1, &dn);
    l->stamp_x_mm = get_doubles(io, pg, "stamp_x_mm", 1, &dns);
    l->stamp_y_mm = get_doubles(io, pg, "stamp_y_mm", 1, &dns);
    l->stamp_time_s = get_doubles(io, pg, "stamp_time_s", 1, &dns);
    l->count = l->capacity = io->rc == 0 ? n : 0;
    l->stamps = l->stamp_capacity = io->rc == 0 ? ns : 0;
    l->missed = missed;
  }
  cs->puncture_list = l;
  group_close(pg);
}

static void read_session(h5io *io, hid_t sessions, int i, mn_course_session *cs) {
  char name[16];
  snprintf(name, sizeof name, "%03d", i);
  hid_t g = group_open(io, sessions, name);
  cs->day = get_f64(io, g, "day");
  mn_puncture_stats *ps = &cs->punctures;
  ps->punctures = get_count(io, g, "punctures", MAX_COUNT);
  ps->cells = get_count(io, g, "cells", MAX_COUNT);
  for (size_t k = 0; k < NDBL_STATS; k++) {
    field_set(ps, stats_doubles[k].off, get_f64(io, g, stats_doubles[k].name));
  }
  mn_acute_result *a = &cs->acute;
  for (size_t k = 0; k < NDBL_ACUTE; k++) {
    field_set(a, acute_doubles[k].off, get_f64(io, g, acute_doubles[k].name));
  }
  a->nchannels = get_count(io, g, "nchannels", MAX_COUNT);
  a->nx = (int)get_count(io, g, "nx", MAX_COUNT);
  a->ny = (int)get_count(io, g, "ny", MAX_COUNT);
  a->nz = (int)get_count(io, g, "nz", MAX_COUNT);
  a->steps = get_count(io, g, "steps", MAX_COUNT);
  /* the series' length is the dataset's */
  size_t nseries = get_rows(io, g, "acute_series", SERIES_COLS);
  hsize_t dims[2] = {nseries, SERIES_COLS};
  double *rows = get_doubles(io, g, "acute_series", 2, dims);
  if (rows != NULL) {
    a->series = malloc(nseries * sizeof *a->series);
    if (a->series == NULL) {
      fail(io, MN_CHECKPOINT_ENOMEM, "out of memory reading", "acute_series");
    }
    for (size_t k = 0; a->series != NULL && k < nseries; k++) {
      const double *row = rows + k * SERIES_COLS;
      mn_acute_sample *s = &a->series[k];
      s->time_h = row[0];
      s->tewl_g_m2_h = row[1];
      s->open_channel_fraction = row[2];
      s->barrier_open_fraction = row[3];
      s->flux_ug_cm2_h = row[4];
      s->cumulative_ug_cm2 = row[5];
      s->erythema_index = row[6];
    }
    a->nseries = a->series != NULL ? nseries : 0;
    free(rows);
  }
  read_punctures(io, g, cs);
  group_close(g);
}

static void read_healing(h5io *io, hid_t state, mn_healing_state *h) {
  hid_t g = group_open(io, state, "healing");
  int nx = (int)get_count(io, g, "nx", 1 << 16);
  int ny = (int)get_count(io, g, "ny", 1 << 16);
  int nz = (int)get_count(io, g, "nz", 1 << 16);
  if (io->rc == 0 && mn_healing_state_alloc(h, nx, ny, nz, io->err, io->errlen) != 0) {
    io->rc = MN_CHECKPOINT_EFORMAT;
  }
  h->condition = (int)get_i64(io, g, "condition");
  h->t_days = get_f64(io, g, "t_days");
  h->dt_next_days = get_f64(io, g, "dt_next_days");
  h->nwounds = (int)get_count(io, g, "nwounds", MAX_COUNT);
  h->steps = get_u64(io, g, "steps");
  h->rejected = get_u64(io, g, "rejected");
  h->gf_days = get_f64(io, g, "gf_days");
  h->inf_days = get_f64(io, g, "inf_days");
  h->inf_peak = get_f64(io, g, "inf_peak");
  hsize_t dims[3] = {(hsize_t)nz, (hsize_t)ny, (hsize_t)nx};
  for (int q = 0; io->rc == 0 && q < MN_HEALING_NSPECIES; q++) {
    get_doubles_into(io, g, mn_healing_species_names[q], 3, dims, h->species[q], h->nvox);
  }
  if (io->rc == 0) {
    get_doubles_into(io, g, "epidermis", 2, dims + 1, h->epi, h->ncols);
  }
  group_close(g);
}

static void read_table(h5io *io, hid_t state, mn_course_state *s) {
  char *cols = get_text(io, state, "timeseries_columns", 0);
  size_t nc = 0;
  const char *names[64];
  char *save = NULL;
  for (char *tok = cols ? strtok_r(cols, ",", &save) : NULL; tok != NULL && nc < 64;
       tok = strtok_r(NULL, ",", &save)) {
    names[nc++] = tok;
  }
  if (io->rc == 0 && nc != 0 && nc < 64) {
    size_t rows = get_rows(io, state, "timeseries", nc);
    hsize_t dims[2] = {rows, nc};
    double *data = get_doubles(io, state, "timeseries", 2, dims);
    if (io->rc == 0 && mn_table_create(&s->result.timeseries, nc, names) != 0) {
      fail(io, MN_CHECKPOINT_ENOMEM, "out of memory reading", "timeseries");
    }
    for (size_t i = 0; io->rc == 0 && i < rows; i++) {
      if (mn_table_append(s->result.timeseries, data + i * nc) != 0) {
        fail(io, MN_CHECKPOINT_ENOMEM, "out of memory reading", "timeseries");
      }
    }
    s->rows = io->rc == 0 ? rows : 0;
    free(data);
  } else if (io->rc == 0) {
    fail(io, MN_CHECKPOINT_EFORMAT, "malformed", "timeseries_columns");
  }
  free(cols);
}

static void read_all(h5io *io, hid_t f, mn_checkpoint_run *run, mn_course_state *s) {
  hid_t root = group_open(io, f, "/");
  char schema[64] = "";
  if (io->rc == 0) {
    hid_t a = H5Aexists(root, "schema") > 0 ? H5Aopen(root, "schema", H5P_DEFAULT) : -1;
    hid_t t = a < 0 ? -1 : H5Aget_type(a);
    size_t n = t < 0 ? 0 : H5Tget_size(t);
    if (t < 0 || H5Tget_class(t) != H5T_STRING || H5Tis_variable_str(t) != 0 || n == 0 ||
        n >= sizeof schema || H5Aread(a, t, schema) < 0) {
      schema[0] = '\0';
    }
    if (t >= 0) {
      H5Tclose(t);
    }
    if (a >= 0) {
      H5Aclose(a);
    }
    if (strcmp(schema, MN_CHECKPOINT_SCHEMA) != 0) {
      io->rc = MN_CHECKPOINT_EFORMAT;
      snprintf(io->err, io->errlen, "not a checkpoint of this version (schema '%s', expected '%s')",
               schema, MN_CHECKPOINT_SCHEMA);
    }
  }
  group_close(root);

  hid_t rg = group_open(io, f, "run");
  run->protocol_yaml = get_text(io, rg, "protocol_yaml", 1);
  run->protocol_json = get_text(io, rg, "protocol_json", 0);
  run->ideal_strokes = (int)get_i64(io, rg, "ideal_strokes");
  run->nthreads = (int)get_count(io, rg, "nthreads", 1 << 16);
  group_close(rg);

  hid_t sg = group_open(io, f, "state");
  s->params_hash = get_u64(io, sg, "params_hash");
  int done = (int)get_count(io, sg, "sessions_done", 1 << 20);
  s->next_day = get_f64(io, sg, "next_day");
  s->result.acute_hours = get_f64(io, sg, "acute_hours");
  s->result.has_healing = (int)get_i64(io, sg, "has_healing");
  read_table(io, sg, s);
  run->field_snapshots = get_text(io, sg, "field_snapshots", 1);
  if (io->rc == 0 && done > 0) {
    s->result.sessions = calloc((size_t)done, sizeof *s->result.sessions);
    if (s->result.sessions == NULL) {
      fail(io, MN_CHECKPOINT_ENOMEM, "out of memory reading", "sessions");
    }
  }
  hid_t ss = group_open(io, sg, "sessions");
  for (int i = 0; io->rc == 0 && i < done; i++) {
    /* counted first, so a half-read session is freed with the rest */
    s->result.nsessions = i + 1;
    read_session(io, ss, i, &s->result.sessions[i]);
  }
  group_close(ss);
  s->sessions_done = io->rc == 0 ? done : 0;
  if (io->rc == 0 && s->result.has_healing) {
    read_healing(io, sg, &s->healing);
  }
  group_close(sg);
}

int mn_checkpoint_read(const char *path, mn_checkpoint_run *run, mn_course_state *s, char *err,
                       size_t errlen) {
  memset(run, 0, sizeof *run);
  memset(s, 0, sizeof *s);
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return errno == ENOENT ? MN_CHECKPOINT_ENOENT : MN_CHECKPOINT_EIO;
  }
  H5E_auto2_t old_fn;
  void *old_data;
  H5Eget_auto2(H5E_DEFAULT, &old_fn, &old_data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  char why[512] = "";
  h5io io = {0, why, sizeof why};
  hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  if (f < 0) {
    io.rc = MN_CHECKPOINT_EIO;
    snprintf(why, sizeof why, "not a readable HDF5 file (damaged or not a checkpoint)");
  }
  read_all(&io, f, run, s);
  if (f >= 0) {
    H5Fclose(f);
  }
  H5Eset_auto2(H5E_DEFAULT, old_fn, old_data);
  if (io.rc != 0) {
    snprintf(err, errlen, "%s: %s", path, why);
    mn_checkpoint_run_free(run);
    mn_course_state_free(s);
    return io.rc;
  }
  return MN_CHECKPOINT_OK;
}

void mn_checkpoint_run_free(mn_checkpoint_run *run) {
  if (run == NULL) {
    return;
  }
  free(run->protocol_yaml);
  free(run->protocol_json);
  free(run->field_snapshots);
  memset(run, 0, sizeof *run);
}
