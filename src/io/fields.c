/*
 * Field snapshots in HDF5 with an XDMF sidecar; see fields.h.
 *
 * Each snapshot is its own HDF5 file, written as it is taken (a course's
 * fields do not fit in memory) and renamed into place whole; the XDMF text
 * is written at commit from the list of snapshots kept here, so it names
 * exactly the files and datasets stored, with the shapes they were stored
 * with. The list is also what a checkpoint keeps, so a resumed run's XDMF
 * names the snapshots taken before the interruption too. Values are stored as float32 (7
 * significant digits are plenty to look at) with shuffle + deflate when the
 * library has it: the fields are smooth and mostly constant far from the
 * channels, so they compress well.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/fields.h"

#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/outdir.h"
#include "skin/healing_fields.h"

enum { NAME_MAX_LEN = 32, SNAP_FIELDS_MAX = 32, DEFLATE_LEVEL = 4 };

/* Two snapshot times closer than this (h) are the same snapshot: the group
 * name keeps three decimals of an hour. */
#define SAME_TIME_H 5e-4

typedef struct {
  char mesh[NAME_MAX_LEN];
  char group[NAME_MAX_LEN]; /* tTTTTTT.TTTh */
  double time_h;
  int nx, ny, nz;
  size_t nnames;
  char names[SNAP_FIELDS_MAX][NAME_MAX_LEN];
} snapshot;

struct mn_fields {
  char *dir;    /* where the snapshot files go now */
  int in_place; /* dir is DIR/fields itself (else a temporary beside DIR) */
  unsigned fields;
  int deflate;
  size_t nresumed; /* snapshots taken over from a checkpoint */
  snapshot *snaps;
  size_t nsnaps, cap;
  float *buf; /* conversion to float32 */
  size_t buflen;
  double *sum; /* healing sums */
  size_t sumlen;
};

static void put_err(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* HDF5 prints its error stack on stderr unless told otherwise; the library
 * reports through err instead. The handler is restored on the way out so a
 * program using HDF5 itself keeps its own. */
typedef struct {
  H5E_auto2_t fn;
  void *data;
} quiet_h5;

static quiet_h5 h5_quiet(void) {
  quiet_h5 q = {NULL, NULL};
  H5Eget_auto2(H5E_DEFAULT, &q.fn, &q.data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  return q;
}

static void h5_restore(quiet_h5 q) {
  H5Eset_auto2(H5E_DEFAULT, q.fn, q.data);
}

static char *dup_printf(const char *fmt, const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + strlen(fmt) + 24;
  char *s = malloc(n);
  if (s != NULL) {
    snprintf(s, n, fmt, a, b);
  }
  return s;
}

static void free_writer(mn_fields *w) {
  free(w->dir);
  free(w->snaps);
  free(w->buf);
  free(w->sum);
  free(w);
}

/* The snapshot's file inside the fields directory: the mesh path with '_'
 * for '/', then the group (acute_s1_t000012.000h.h5). */
static void snapshot_file(const snapshot *s, char *buf, size_t buflen) {
  snprintf(buf, buflen, "%s_%s.h5", s->mesh, s->group);
  for (char *c = buf; *c != '\0'; c++) {
    if (*c == '/') {
      *c = '_';
    }
  }
}

int mn_fields_create(mn_fields **out, const char *prefix, unsigned fields, char *err,
                     size_t errlen) {
  if (out == NULL || prefix == NULL) {
    put_err(err, errlen, "mn_fields_create: missing writer or path");
    return MN_FIELDS_EINVAL;
  }
  *out = NULL;
  mn_fields *w = calloc(1, sizeof *w);
  if (w == NULL) {
    put_err(err, errlen, "%s: out of memory", prefix);
    return MN_FIELDS_ENOMEM;
  }
  w->fields = fields;
  char pid[24];
  snprintf(pid, sizeof pid, "%ld", (long)getpid());
  /* Inside the output directory when it exists already (a checkpointed run
   * makes it first): each snapshot is then final as soon as it is taken, so
   * a resumed run keeps those of the run it continues. Otherwise in a
   * temporary beside it ("out/" names out), moved in at commit. */
  size_t plen = strlen(prefix);
  while (plen > 1 && prefix[plen - 1] == '/') {
    plen--;
  }
  char *base = malloc(plen + 1);
  if (base != NULL) {
    memcpy(base, prefix, plen);
    base[plen] = '\0';
    struct stat st;
    w->in_place = stat(base, &st) == 0 && S_ISDIR(st.st_mode);
    w->dir = w->in_place ? dup_printf("%s/%s", base, MN_FIELDS_DIR)
                         : dup_printf("%s.fields.tmp.%s", base, pid);
    free(base);
  }
  if (w->dir == NULL) {
    free_writer(w);
    put_err(err, errlen, "%s: out of memory", prefix);
    return MN_FIELDS_ENOMEM;
  }
  if (mkdir(w->dir, 0777) != 0 && !(w->in_place && errno == EEXIST)) {
    put_err(err, errlen, "%s: cannot create: %s", w->dir, strerror(errno));
    free_writer(w);
    return MN_FIELDS_EIO;
  }
  if (w->in_place) {
    mn_outdir_sweep(w->dir); /* what killed runs left half written */
  }
  quiet_h5 q = h5_quiet();
  unsigned config = 0;
  w->deflate = H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 &&
               H5Zget_filter_info(H5Z_FILTER_DEFLATE, &config) >= 0 &&
               (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0 &&
               H5Zfilter_avail(H5Z_FILTER_SHUFFLE) > 0;
  h5_restore(q);
  *out = w;
  return MN_FIELDS_OK;
}

/* Removes a temporary fields directory with the snapshot files in it. */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d != NULL) {
    for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
        char *p = dup_printf("%s/%s", dir, de->d_name);
        if (p != NULL) {
          remove(p);
        }
        free(p);
      }
    }
    closedir(d);
  }
  rmdir(dir);
}

void mn_fields_destroy(mn_fields **pw) {
  if (pw == NULL || *pw == NULL) {
    return;
  }
  mn_fields *w = *pw;
  if (!w->in_place) {
    remove_dir(w->dir);
  }
  free_writer(w);
  *pw = NULL;
}

void mn_fields_discard(mn_fields **pw) {
  if (pw == NULL || *pw == NULL) {
    return;
  }
  mn_fields *w = *pw;
  for (size_t i = w->nresumed; w->in_place && i < w->nsnaps; i++) {
    char name[2 * NAME_MAX_LEN + 8];
    snapshot_file(&w->snaps[i], name, sizeof name);
    char *p = dup_printf("%s/%s", w->dir, name);
    if (p != NULL) {
      remove(p);
    }
    free(p);
  }
  if (w->in_place) {
    rmdir(w->dir); /* only when empty */
  }
  mn_fields_destroy(pw);
}

size_t mn_fields_count(const mn_fields *w) {
  return w != NULL ? w->nsnaps : 0;
}

/* ---- HDF5 helpers ------------------------------------------------------- */

/* HDF5 stamps objects with their modification time unless told not to: off,
 * so the same snapshot gives the same bytes (a resumed run rewrites the
 * snapshots after its safe point identically). */
static hid_t untimed(hid_t cls) {
  hid_t pl = H5Pcreate(cls);
  if (pl >= 0 && H5Pset_obj_track_times(pl, 0) < 0) {
    H5Pclose(pl);
    return H5I_INVALID_HID;
  }
  return pl;
}

static hid_t create_group(hid_t parent, const char *name) {
  hid_t gcpl = untimed(H5P_GROUP_CREATE);
  hid_t g = gcpl >= 0 ? H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT) : gcpl;
  if (gcpl >= 0) {
    H5Pclose(gcpl);
  }
  return g;
}

static int put_string_attr(hid_t obj, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  hid_t space = H5Screate(H5S_SCALAR);
  int ok = type >= 0 && space >= 0 && H5Tset_size(type, strlen(value) + 1) >= 0 &&
           H5Tset_strpad(type, H5T_STR_NULLTERM) >= 0;
  hid_t a = ok ? H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : H5I_INVALID_HID;
  ok = a >= 0 && H5Awrite(a, type, value) >= 0;
  if (a >= 0) {
    H5Aclose(a);
  }
  if (space >= 0) {
    H5Sclose(space);
  }
  if (type >= 0) {
    H5Tclose(type);
  }
  return ok ? 0 : -1;
}

static int put_scalar_attr(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                           const void *value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t a = space >= 0 ? H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT) : space;
  int ok = a >= 0 && H5Awrite(a, mem_type, value) >= 0;
  if (a >= 0) {
    H5Aclose(a);
  }
  if (space >= 0) {
    H5Sclose(space);
  }
  return ok ? 0 : -1;
}

static int put_coords(hid_t mesh, const char *name, const double *v, size_t n) {
  hsize_t dims[1] = {(hsize_t)n};
  hid_t space = H5Screate_simple(1, dims, NULL);
  hid_t dcpl = untimed(H5P_DATASET_CREATE);
  hid_t d = space >= 0 && dcpl >= 0
                ? H5Dcreate2(mesh, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)
                : H5I_INVALID_HID;
  int ok = d >= 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 &&
           put_string_attr(d, "units", "m") == 0;
  if (d >= 0) {
    H5Dclose(d);
  }
  if (dcpl >= 0) {
    H5Pclose(dcpl);
  }
  if (space >= 0) {
    H5Sclose(space);
  }
  return ok ? 0 : -1;
}

/* An existing mesh must keep its cell counts. */
static int mesh_check(const mn_fields *w, const snapshot *s, char *err, size_t errlen) {
  for (size_t i = 0; i < w->nsnaps; i++) {
    const snapshot *o = &w->snaps[i];
    if (strcmp(o->mesh, s->mesh) == 0 && (o->nx != s->nx || o->ny != s->ny || o->nz != s->nz)) {
      put_err(err, errlen, "%s: mesh %s was %d x %d x %d cells, now %d x %d x %d", w->dir, s->mesh,
              o->nx, o->ny, o->nz, s->nx, s->ny, s->nz);
      return MN_FIELDS_EINVAL;
    }
  }
  return MN_FIELDS_OK;
}

/* The face coordinates of the mesh, in every snapshot's file (each file
 * stands alone). */
static int mesh_coords(hid_t mesh, const mn_grid *g) {
  int nx = mn_grid_nx(g), ny = mn_grid_ny(g), nz = mn_grid_nz(g);
  size_t nmax = (size_t)(nx > ny ? nx : ny) + 1;
  double *v = malloc(nmax * sizeof *v);
  if (v == NULL) {
    return MN_FIELDS_ENOMEM;
  }
  int rc = 0;
  for (int i = 0; i <= nx; i++) {
    v[i] = i * mn_grid_dx(g);
  }
  rc |= put_coords(mesh, "x", v, (size_t)nx + 1);
  for (int j = 0; j <= ny; j++) {
    v[j] = j * mn_grid_dy(g);
  }
  rc |= put_coords(mesh, "y", v, (size_t)ny + 1);
  free(v);
  rc |= put_coords(mesh, "z", mn_grid_zf(g), (size_t)nz + 1);
  return rc != 0 ? MN_FIELDS_EIO : MN_FIELDS_OK;
}

static int put_field(mn_fields *w, hid_t group, const mn_grid *g, const mn_fields_array *a) {
  size_t nvox = mn_grid_nvox(g);
  if (w->buflen < nvox) {
    float *nb = realloc(w->buf, nvox * sizeof *nb);
    if (nb == NULL) {
      return MN_FIELDS_ENOMEM;
    }
    w->buf = nb;
    w->buflen = nvox;
  }
  for (size_t i = 0; i < nvox; i++) {
    w->buf[i] = (float)a->data[i];
  }
  hsize_t dims[3] = {(hsize_t)mn_grid_nz(g), (hsize_t)mn_grid_ny(g), (hsize_t)mn_grid_nx(g)};
  hid_t space = H5Screate_simple(3, dims, NULL);
  hid_t dcpl = untimed(H5P_DATASET_CREATE);
  int ok = space >= 0 && dcpl >= 0;
  if (ok && w->deflate) {
    hsize_t chunk[3] = {1, dims[1], dims[2]}; /* one depth plane */
    ok = H5Pset_chunk(dcpl, 3, chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
         H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0;
  }
  hid_t d = ok ? H5Dcreate2(group, a->name, H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)
               : H5I_INVALID_HID;
  ok = d >= 0 && H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->buf) >= 0 &&
       put_string_attr(d, "units", a->units != NULL ? a->units : "") == 0;
  if (d >= 0) {
    H5Dclose(d);
  }
  if (dcpl >= 0) {
    H5Pclose(dcpl);
  }
  if (space >= 0) {
    H5Sclose(space);
  }
  return ok ? MN_FIELDS_OK : MN_FIELDS_EIO;
}

/* ---- snapshots ---------------------------------------------------------- */

static int valid_name(const char *s, int slash) {
  if (s == NULL || s[0] == '\0' || strlen(s) >= NAME_MAX_LEN || s[0] == '/') {
    return 0;
  }
  for (const char *c = s; *c != '\0'; c++) {
    int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
             *c == '_' || (slash && *c == '/' && c[1] != '/' && c[1] != '\0');
    if (!ok) {
      return 0;
    }
  }
  return 1;
}

static int push_snapshot(mn_fields *w, const snapshot *s) {
  if (w->nsnaps == w->cap) {
    size_t cap = w->cap ? 2 * w->cap : 16;
    snapshot *ns = realloc(w->snaps, cap * sizeof *ns);
    if (ns == NULL) {
      return MN_FIELDS_ENOMEM;
    }
    w->snaps = ns;
    w->cap = cap;
  }
  w->snaps[w->nsnaps++] = *s;
  return MN_FIELDS_OK;
}

/* Creates each level of a mesh path such as acute/s1 in a new file. */
static hid_t create_mesh(hid_t file, const char *mesh) {
  char part[NAME_MAX_LEN];
  hid_t cur = file;
  const char *s = mesh;
  for (;;) {
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    memcpy(part, s, n);
    part[n] = '\0';
    hid_t next = create_group(cur, part);
    if (cur != file) {
      H5Gclose(cur);
    }
    if (next < 0 || slash == NULL) {
      return next;
    }
    cur = next;
    s = slash + 1;
  }
}

/* Writes one snapshot's file under a temporary name; the caller publishes
 * it. */
static int write_file(mn_fields *w, const char *tmp, const snapshot *s, int session,
                      double requested_h, const mn_grid *g, const mn_fields_array *arrays,
                      char *err, size_t errlen) {
  quiet_h5 q = h5_quiet();
  int rc = MN_FIELDS_OK;
  hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t m = file >= 0 ? create_mesh(file, s->mesh) : H5I_INVALID_HID;
  hid_t grp = H5I_INVALID_HID;
  if (m < 0) {
    put_err(err, errlen, "%s: cannot create group %s", tmp, s->mesh);
    rc = MN_FIELDS_EIO;
  }
  if (rc == 0 && (rc = mesh_coords(m, g)) != 0) {
    put_err(err, errlen, "%s: cannot write the coordinates of mesh %s", tmp, s->mesh);
  }
  if (rc == 0) {
    grp = create_group(m, s->group);
    if (grp < 0 || put_scalar_attr(grp, "time_h", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &s->time_h) ||
        put_scalar_attr(grp, "requested_h", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &requested_h) ||
        put_scalar_attr(grp, "session", H5T_STD_I32LE, H5T_NATIVE_INT, &session)) {
      put_err(err, errlen, "%s: cannot create group %s/%s", tmp, s->mesh, s->group);
      rc = MN_FIELDS_EIO;
    }
  }
  for (size_t i = 0; rc == 0 && i < s->nnames; i++) {
    rc = put_field(w, grp, g, &arrays[i]);
    if (rc != 0) {
      put_err(err, errlen, "%s: cannot write %s/%s/%s", tmp, s->mesh, s->group, arrays[i].name);
    }
  }
  if (grp >= 0) {
    H5Gclose(grp);
  }
  if (m >= 0) {
    H5Gclose(m);
  }
  if (file >= 0 && H5Fclose(file) < 0 && rc == 0) {
    put_err(err, errlen, "%s: cannot write (HDF5 close failed)", tmp);
    rc = MN_FIELDS_EIO;
  }
  if (file < 0) {
    put_err(err, errlen, "%s: cannot create (HDF5)", tmp);
    rc = MN_FIELDS_EIO;
  }
  h5_restore(q);
  return rc;
}

int mn_fields_write(mn_fields *w, const char *mesh, int session, double time_h, double requested_h,
                    const mn_grid *g, const mn_fields_array *arrays, size_t n, char *err,
                    size_t errlen) {
  if (w == NULL || g == NULL || (n > 0 && arrays == NULL) || !valid_name(mesh, 1) ||
      !isfinite(time_h) || time_h < 0.0 || time_h >= 1e6 || n > SNAP_FIELDS_MAX) {
    put_err(err, errlen, "mn_fields_write: bad snapshot (mesh '%s', time %g h, %zu fields)",
            mesh != NULL ? mesh : "(null)", time_h, n);
    return MN_FIELDS_EINVAL;
  }
  for (size_t i = 0; i < n; i++) {
    if (!valid_name(arrays[i].name, 0) || arrays[i].data == NULL) {
      put_err(err, errlen, "mn_fields_write: field %zu of mesh %s has no valid name or data", i,
              mesh);
      return MN_FIELDS_EINVAL;
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(arrays[i].name, arrays[j].name) == 0) {
        put_err(err, errlen, "mn_fields_write: field %s given twice", arrays[i].name);
        return MN_FIELDS_EINVAL;
      }
    }
  }
  snapshot s;
  memset(&s, 0, sizeof s);
  snprintf(s.mesh, sizeof s.mesh, "%s", mesh);
  snprintf(s.group, sizeof s.group, "t%010.3fh", time_h);
  s.time_h = time_h;
  s.nx = mn_grid_nx(g);
  s.ny = mn_grid_ny(g);
  s.nz = mn_grid_nz(g);
  s.nnames = n;
  for (size_t i = 0; i < n; i++) {
    snprintf(s.names[i], sizeof s.names[i], "%s", arrays[i].name);
  }
  for (size_t i = 0; i < w->nsnaps; i++) {
    if (strcmp(w->snaps[i].mesh, mesh) == 0 && strcmp(w->snaps[i].group, s.group) == 0) {
      return MN_FIELDS_OK; /* already there (a milestone that is also a chosen time) */
    }
  }
  for (size_t i = 0; i < w->nsnaps; i++) {
    if (strcmp(w->snaps[i].mesh, mesh) == 0 && w->snaps[i].time_h > time_h) {
      put_err(err, errlen, "%s: mesh %s: snapshot at %g h after one at %g h", w->dir, mesh, time_h,
              w->snaps[i].time_h);
      return MN_FIELDS_EINVAL;
    }
  }
  int rc = mesh_check(w, &s, err, errlen);
  if (rc != 0) {
    return rc;
  }
  char name[2 * NAME_MAX_LEN + 8];
  snapshot_file(&s, name, sizeof name);
  char *path = dup_printf("%s/%s", w->dir, name);
  size_t tlen = path != NULL ? strlen(path) + 32 : 0;
  char *tmp = path != NULL ? malloc(tlen) : NULL;
  if (tmp == NULL || mn_atomic_temp_name(path, tmp, tlen) != 0) {
    free(path);
    free(tmp);
    put_err(err, errlen, "%s: out of memory", w->dir);
    return MN_FIELDS_ENOMEM;
  }
  rc = write_file(w, tmp, &s, session, requested_h, g, arrays, err, errlen);
  /* Synced and renamed into place: a killed run leaves each snapshot whole
   * or absent. */
  if (rc == 0 && mn_atomic_publish(tmp, path, err, errlen) != 0) {
    rc = MN_FIELDS_EIO;
  } else if (rc != 0) {
    remove(tmp);
  }
  free(path);
  free(tmp);
  if (rc == 0 && push_snapshot(w, &s) != 0) {
    put_err(err, errlen, "%s: out of memory", w->dir);
    rc = MN_FIELDS_ENOMEM;
  }
  return rc;
}

/* ---- the snapshot list (checkpoints) ------------------------------------ */

/* One line a snapshot: mesh group time_h nx ny nz field..., time_h with 17
 * significant digits so it reads back bit for bit. */
int mn_fields_list(const mn_fields *w, size_t n, char **text, char *err, size_t errlen) {
  if (w == NULL || text == NULL || n > w->nsnaps) {
    put_err(err, errlen, "mn_fields_list: no writer, or %zu snapshots asked of %zu", n,
            w != NULL ? w->nsnaps : 0);
    return MN_FIELDS_EINVAL;
  }
  enum { LINE_FIXED = 3 * NAME_MAX_LEN + 64 };
  size_t cap = 1 + n * (LINE_FIXED + SNAP_FIELDS_MAX * (NAME_MAX_LEN + 1));
  char *t = malloc(cap);
  if (t == NULL) {
    put_err(err, errlen, "out of memory");
    return MN_FIELDS_ENOMEM;
  }
  size_t len = 0;
  t[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const snapshot *s = &w->snaps[i];
    len += (size_t)snprintf(t + len, cap - len, "%s %s %.17g %d %d %d", s->mesh, s->group,
                            s->time_h, s->nx, s->ny, s->nz);
    for (size_t k = 0; k < s->nnames; k++) {
      len += (size_t)snprintf(t + len, cap - len, " %s", s->names[k]);
    }
    len += (size_t)snprintf(t + len, cap - len, "\n");
  }
  *text = t;
  return MN_FIELDS_OK;
}

static int parse_line(char *line, snapshot *s) {
  memset(s, 0, sizeof *s);
  char *save = NULL;
  const char *tok[3 + 3 + SNAP_FIELDS_MAX + 1];
  size_t nt = 0;
  for (char *p = strtok_r(line, " ", &save); p != NULL; p = strtok_r(NULL, " ", &save)) {
    if (nt == sizeof tok / sizeof tok[0]) {
      return -1;
    }
    tok[nt++] = p;
  }
  if (nt < 6 || !valid_name(tok[0], 1) || strlen(tok[1]) >= NAME_MAX_LEN) {
    return -1;
  }
  snprintf(s->mesh, sizeof s->mesh, "%s", tok[0]);
  snprintf(s->group, sizeof s->group, "%s", tok[1]);
  char *end = NULL;
  s->time_h = strtod(tok[2], &end);
  char want[NAME_MAX_LEN];
  snprintf(want, sizeof want, "t%010.3fh", s->time_h);
  if (*end != '\0' || !isfinite(s->time_h) || strcmp(want, s->group) != 0) {
    return -1;
  }
  int *dims[3] = {&s->nx, &s->ny, &s->nz};
  for (int k = 0; k < 3; k++) {
    long v = strtol(tok[3 + k], &end, 10);
    if (*end != '\0' || v < 1 || v > INT32_MAX) {
      return -1;
    }
    *dims[k] = (int)v;
  }
  s->nnames = nt - 6;
  for (size_t k = 0; k < s->nnames; k++) {
    if (!valid_name(tok[6 + k], 0)) {
      return -1;
    }
    snprintf(s->names[k], sizeof s->names[k], "%s", tok[6 + k]);
  }
  return 0;
}

int mn_fields_resume(mn_fields *w, const char *list, char *err, size_t errlen) {
  if (w == NULL || w->nsnaps != 0 || !w->in_place) {
    put_err(err, errlen, "mn_fields_resume: a new writer inside the output directory is needed");
    return MN_FIELDS_EINVAL;
  }
  if (list == NULL) {
    return MN_FIELDS_OK;
  }
  char *copy = strdup(list);
  if (copy == NULL) {
    put_err(err, errlen, "out of memory");
    return MN_FIELDS_ENOMEM;
  }
  int rc = MN_FIELDS_OK;
  size_t lineno = 0;
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); rc == 0 && line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    snapshot s;
    char name[2 * NAME_MAX_LEN + 8];
    struct stat st;
    if (parse_line(line, &s) != 0) {
      put_err(err, errlen, "field snapshot %zu of the checkpoint is malformed", lineno);
      rc = MN_FIELDS_EINVAL;
      break;
    }
    snapshot_file(&s, name, sizeof name);
    char *path = dup_printf("%s/%s", w->dir, name);
    if (path == NULL || stat(path, &st) != 0) {
      put_err(err, errlen, "%s/%s: missing (a snapshot the checkpoint lists)", w->dir, name);
      rc = MN_FIELDS_EIO;
    }
    free(path);
    if (rc == 0 && push_snapshot(w, &s) != 0) {
      put_err(err, errlen, "out of memory");
      rc = MN_FIELDS_ENOMEM;
    }
  }
  free(copy);
  if (rc != 0) {
    w->nsnaps = 0;
  }
  w->nresumed = w->nsnaps;
  return rc;
}

/* ---- the typed writers -------------------------------------------------- */

static const struct {
  mn_field_id field;
  mn_tissue_field_id tissue;
  const char *units;
} acute_map[] = {
    {MN_FIELD_WATER, MN_TISSUE_WATER, "kg/m^3"},
    {MN_FIELD_COMPOUND, MN_TISSUE_COMPOUND, "kg/m^3"},
    {MN_FIELD_SIGNAL, MN_TISSUE_SIGNAL, "erythema half-saturation"},
    {MN_FIELD_GROWTH, MN_TISSUE_GROWTH, "release units"},
    {MN_FIELD_WOUND, MN_TISSUE_WOUND, "volume fraction"},
    {MN_FIELD_OPEN, MN_TISSUE_OPEN, "volume fraction"},
};

int mn_fields_write_acute(mn_fields *w, int session, double time_h, double requested_h,
                          const mn_tissue *t, char *err, size_t errlen) {
  if (w == NULL || t == NULL || session < 1) {
    put_err(err, errlen, "mn_fields_write_acute: missing writer or tissue, or session < 1");
    return MN_FIELDS_EINVAL;
  }
  mn_fields_array a[sizeof acute_map / sizeof acute_map[0]];
  size_t n = 0;
  for (size_t i = 0; i < sizeof acute_map / sizeof acute_map[0]; i++) {
    if (w->fields & (1u << acute_map[i].field)) {
      const mn_field *f = mn_tissue_field(t, acute_map[i].tissue);
      if (f == NULL) {
        put_err(err, errlen, "acute tissue has no %s field",
                mn_protocol_field_name(acute_map[i].field));
        return MN_FIELDS_EINVAL;
      }
      a[n].name = mn_protocol_field_name(acute_map[i].field);
      a[n].units = acute_map[i].units;
      a[n].data = mn_field_cdata(f);
      n++;
    }
  }
  if (n == 0) {
    return MN_FIELDS_OK;
  }
  char mesh[NAME_MAX_LEN];
  snprintf(mesh, sizeof mesh, "acute/s%d", session);
  return mn_fields_write(w, mesh, session, time_h, requested_h, mn_tissue_grid(t), a, n, err,
                         errlen);
}

/* A healing field: one species, or the sum of two (b: -1 for none). */
static const struct {
  mn_field_id field;
  int a, b;
} healing_map[] = {
    {MN_FIELD_INFLAMMATION, MN_HEALING_INFLAMMATION, -1},
    {MN_FIELD_DEBRIS, MN_HEALING_DEBRIS, -1},
    {MN_FIELD_TGF, MN_HEALING_TGF, -1},
    {MN_FIELD_PDGF, MN_HEALING_PDGF, -1},
    {MN_FIELD_FIBROBLASTS, MN_HEALING_FIBROBLASTS_RESTING, MN_HEALING_FIBROBLASTS_ACTIVE},
    {MN_FIELD_FIBROBLASTS_ACTIVE, MN_HEALING_FIBROBLASTS_ACTIVE, -1},
    {MN_FIELD_COLLAGEN_I, MN_HEALING_COLLAGEN_I, -1},
    {MN_FIELD_COLLAGEN_III, MN_HEALING_COLLAGEN_III_STRUCTURAL, MN_HEALING_COLLAGEN_III_NEW},
    {MN_FIELD_COLLAGEN_III_NEW, MN_HEALING_COLLAGEN_III_NEW, -1},
    {MN_FIELD_ELASTIN, MN_HEALING_ELASTIN, -1},
};

enum { NHEAL = sizeof healing_map / sizeof healing_map[0], NSUMS = 2 };
_Static_assert(NHEAL == MN_FIELD_COUNT - MN_FIELD_FIRST_HEALING, "every healing field mapped");

int mn_fields_write_healing(mn_fields *w, double time_h, double requested_h, const mn_healing *h,
                            char *err, size_t errlen) {
  const mn_grid *g = mn_healing_grid(h);
  if (w == NULL || g == NULL) {
    put_err(err, errlen, "mn_fields_write_healing: missing writer or healing stage");
    return MN_FIELDS_EINVAL;
  }
  size_t nvox = mn_grid_nvox(g);
  if (w->sumlen < NSUMS * nvox) {
    double *ns = realloc(w->sum, NSUMS * nvox * sizeof *ns);
    if (ns == NULL) {
      put_err(err, errlen, "%s: out of memory", w->dir);
      return MN_FIELDS_ENOMEM;
    }
    w->sum = ns;
    w->sumlen = NSUMS * nvox;
  }
  mn_fields_array a[NHEAL];
  size_t n = 0, nsum = 0;
  for (size_t i = 0; i < NHEAL; i++) {
    if (!(w->fields & (1u << healing_map[i].field))) {
      continue;
    }
    const double *da = mn_healing_field_data(h, (mn_healing_field_id)healing_map[i].a);
    a[n].name = mn_protocol_field_name(healing_map[i].field);
    a[n].units = mn_healing_field_units((mn_healing_field_id)healing_map[i].a);
    a[n].data = da;
    if (healing_map[i].b >= 0) {
      const double *db = mn_healing_field_data(h, (mn_healing_field_id)healing_map[i].b);
      double *s = w->sum + nsum * nvox;
      for (size_t v = 0; v < nvox; v++) {
        s[v] = da[v] + db[v];
      }
      a[n].data = s;
      nsum++;
    }
    n++;
  }
  if (n == 0) {
    return MN_FIELDS_OK;
  }
  return mn_fields_write(w, "healing", 0, time_h, requested_h, g, a, n, err, errlen);
}

/* ---- XDMF --------------------------------------------------------------- */

/* XDMF names the slowest dimension first, as HDF5 does: [nz][ny][nx]. */
static void xdmf_grid(FILE *f, const snapshot *s) {
  char file[2 * NAME_MAX_LEN + 8];
  snapshot_file(s, file, sizeof file);
  fprintf(f, "      <Grid Name=\"%s\" GridType=\"Uniform\">\n", s->group);
  fprintf(f, "        <Time Value=\"%.6f\"/>\n", s->time_h);
  fprintf(f, "        <Topology TopologyType=\"3DRectMesh\" Dimensions=\"%d %d %d\"/>\n", s->nz + 1,
          s->ny + 1, s->nx + 1);
  fprintf(f, "        <Geometry GeometryType=\"VXVYVZ\">\n");
  const char *axes = "xyz";
  int n[3] = {s->nx + 1, s->ny + 1, s->nz + 1};
  for (int i = 0; i < 3; i++) {
    fprintf(f,
            "          <DataItem Dimensions=\"%d\" NumberType=\"Float\" Precision=\"8\" "
            "Format=\"HDF\">%s/%s:/%s/%c</DataItem>\n",
            n[i], MN_FIELDS_DIR, file, s->mesh, axes[i]);
  }
  fprintf(f, "        </Geometry>\n");
  for (size_t i = 0; i < s->nnames; i++) {
    fprintf(f, "        <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Cell\">\n",
            s->names[i]);
    fprintf(f,
            "          <DataItem Dimensions=\"%d %d %d\" NumberType=\"Float\" Precision=\"4\" "
            "Format=\"HDF\">%s/%s:/%s/%s/%s</DataItem>\n",
            s->nz, s->ny, s->nx, MN_FIELDS_DIR, file, s->mesh, s->group, s->names[i]);
    fprintf(f, "        </Attribute>\n");
  }
  fprintf(f, "      </Grid>\n");
}

static int write_xdmf(const mn_fields *w, const char *path, char *err, size_t errlen) {
  mn_atomic_file a;
  int rc = mn_atomic_open(&a, path, err, errlen);
  if (rc != 0) {
    return MN_FIELDS_EIO;
  }
  FILE *f = a.f;
  fprintf(f, "<?xml version=\"1.0\" ?>\n");
  fprintf(f, "<!-- mnlab field snapshots: one temporal collection per mesh; times in hours on "
             "the course clock; x, y, z in m, z depth below the skin surface -->\n");
  fprintf(f, "<Xdmf Version=\"3.0\">\n  <Domain>\n");
  /* Meshes in order of first appearance; snapshots of a mesh in time order
   * (they arrive so). */
  for (size_t i = 0; i < w->nsnaps; i++) {
    int first = 1;
    for (size_t j = 0; j < i; j++) {
      if (strcmp(w->snaps[j].mesh, w->snaps[i].mesh) == 0) {
        first = 0;
        break;
      }
    }
    if (!first) {
      continue;
    }
    char name[NAME_MAX_LEN];
    snprintf(name, sizeof name, "%s", w->snaps[i].mesh);
    for (char *c = name; *c != '\0'; c++) {
      if (*c == '/') {
        *c = '_';
      }
    }
    fprintf(f, "    <Grid Name=\"%s\" GridType=\"Collection\" CollectionType=\"Temporal\">\n",
            name);
    for (size_t j = i; j < w->nsnaps; j++) {
      if (strcmp(w->snaps[j].mesh, w->snaps[i].mesh) == 0) {
        xdmf_grid(f, &w->snaps[j]);
      }
    }
    fprintf(f, "    </Grid>\n");
  }
  fprintf(f, "  </Domain>\n</Xdmf>\n");
  return mn_atomic_commit(&a, err, errlen) == 0 ? MN_FIELDS_OK : MN_FIELDS_EIO;
}

/* Removes the snapshot files in the fields directory that fields.xdmf does
 * not name (an earlier run's into the same directory). */
static void prune(const mn_fields *w) {
  DIR *d = opendir(w->dir);
  if (d == NULL) {
    return;
  }
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    size_t len = strlen(de->d_name);
    if (len < 4 || strcmp(de->d_name + len - 3, ".h5") != 0) {
      continue; /* a live run's temporaries are not ours to take */
    }
    int named = 0;
    for (size_t i = 0; i < w->nsnaps && !named; i++) {
      char name[2 * NAME_MAX_LEN + 8];
      snapshot_file(&w->snaps[i], name, sizeof name);
      named = strcmp(name, de->d_name) == 0;
    }
    char *p = named ? NULL : dup_printf("%s/%s", w->dir, de->d_name);
    if (p != NULL) {
      remove(p);
    }
    free(p);
  }
  closedir(d);
}

int mn_fields_commit(mn_fields **pw, const char *dir, char *err, size_t errlen) {
  if (pw == NULL || *pw == NULL || dir == NULL) {
    put_err(err, errlen, "mn_fields_commit: no writer or directory");
    mn_fields_destroy(pw);
    return MN_FIELDS_EINVAL;
  }
  mn_fields *w = *pw;
  char *fields_path = dup_printf("%s/%s", dir, MN_FIELDS_DIR);
  char *xdmf_path = dup_printf("%s/%s", dir, "fields.xdmf");
  int rc = MN_FIELDS_OK;
  if (fields_path == NULL || xdmf_path == NULL) {
    put_err(err, errlen, "%s: out of memory", dir);
    rc = MN_FIELDS_ENOMEM;
  } else if (!w->in_place) {
    if (rename(w->dir, fields_path) != 0) {
      put_err(err, errlen, "%s: cannot move into place: %s", fields_path, strerror(errno));
      rc = MN_FIELDS_EIO;
    } else {
      free(w->dir);
      w->dir = fields_path;
      fields_path = NULL;
      w->in_place = 1;
    }
  }
  if (rc == 0) {
    /* The XDMF last: it is only ever beside the snapshot files it names. */
    rc = write_xdmf(w, xdmf_path, err, errlen);
  }
  if (rc == 0) {
    prune(w);
  }
  free(fields_path);
  free(xdmf_path);
  mn_fields_destroy(pw);
  return rc;
}

/* ---- times -------------------------------------------------------------- */

int mn_fields_wanted(const mn_protocol *p) {
  const mn_protocol_output *o = &p->output;
  return o->fields != 0 && (o->milestones || o->fields_every_h > 0.0 || o->nfields_at > 0);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int mn_fields_times(const mn_protocol *p, double **times, size_t *n, char *err, size_t errlen) {
  if (p == NULL || times == NULL || n == NULL) {
    put_err(err, errlen, "mn_fields_times: missing argument");
    return MN_FIELDS_EINVAL;
  }
  *times = NULL;
  *n = 0;
  const mn_protocol_output *o = &p->output;
  if (o->fields == 0) {
    return MN_FIELDS_OK;
  }
  double end_h =
      ((p->schedule.sessions - 1) * p->schedule.interval_days + p->schedule.follow_up_days) * 24.0;
  double every = o->fields_every_h;
  double nevery = every > 0.0 ? floor(end_h / every + 1e-9) + 1.0 : 0.0;
  if (nevery + o->nfields_at > MN_FIELDS_TIMES_MAX) {
    put_err(err, errlen,
            "output.fields_every_h: every %g h over %g h gives %.0f snapshots, at most %d", every,
            end_h, nevery, (int)MN_FIELDS_TIMES_MAX);
    return MN_FIELDS_EINVAL;
  }
  size_t cap = (size_t)nevery + (size_t)o->nfields_at;
  if (cap == 0) {
    return MN_FIELDS_OK;
  }
  double *t = malloc(cap * sizeof *t);
  if (t == NULL) {
    put_err(err, errlen, "out of memory");
    return MN_FIELDS_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < (size_t)nevery; i++) {
    t[k++] = fmin((double)i * every, end_h);
  }
  for (int i = 0; i < o->nfields_at; i++) {
    t[k++] = o->fields_at_h[i];
  }
  qsort(t, k, sizeof *t, cmp_double);
  size_t m = 0;
  for (size_t i = 0; i < k; i++) {
    if (m == 0 || t[i] - t[m - 1] > SAME_TIME_H) {
      t[m++] = t[i];
    }
  }
  *times = t;
  *n = m;
  return MN_FIELDS_OK;
}
