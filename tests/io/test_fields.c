/*
 * Field snapshots (io/fields.h): known fields on a non-uniform grid written
 * and read back through the HDF5 API and through h5dump; the XDMF sidecar
 * parsed and checked against the snapshot files (every DataItem names an
 * existing file in fields/ and a dataset in it with exactly the dimensions
 * given, the topology has one node more than cells along each axis, times
 * increase in each collection); atomic files, byte-identical files for the
 * same snapshot, and a writer resumed from a checkpoint's snapshot list;
 * the snapshot times of a protocol; and one small course run end to end
 * through mn_course_run.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "course/course.h"
#include "io/fields.h"
#include "io/protocol.h"
#include "numerics/grid.h"

/* ---- a scratch directory ------------------------------------------------ */

typedef struct {
  char dir[64];
} scratch;

static int scratch_setup(void **state) {
  scratch *s = calloc(1, sizeof *s);
  assert_non_null(s);
  snprintf(s->dir, sizeof s->dir, "/tmp/mnlab_fields_XXXXXX");
  assert_non_null(mkdtemp(s->dir));
  *state = s;
  return 0;
}

static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d != NULL) {
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
      if (e->d_name[0] != '.') {
        char p[512];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
          remove_tree(p);
        } else {
          remove(p);
        }
      }
    }
    closedir(d);
  }
  rmdir(dir);
}

static int scratch_teardown(void **state) {
  scratch *s = *state;
  remove_tree(s->dir);
  free(s);
  return 0;
}

static int count_entries(const char *dir) {
  int n = 0;
  DIR *d = opendir(dir);
  assert_non_null(d);
  for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
    n += e->d_name[0] != '.';
  }
  closedir(d);
  return n;
}

static int exists(const char *dir, const char *name) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct stat st;
  return stat(p, &st) == 0;
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  assert_non_null(s);
  assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
  s[n] = '\0';
  fclose(f);
  return s;
}

/* ---- the known fields --------------------------------------------------- */

enum { NX = 4, NY = 3, NZ = 5 };
/* depth faces, m: thin cells at the top, thick below (as the skin grid) */
static const double ZF[NZ + 1] = {0.0, 10e-6, 25e-6, 60e-6, 150e-6, 400e-6};
#define DX 50e-6
#define DY 40e-6

static mn_grid *known_grid(void) {
  mn_grid_params gp = {.nx = NX, .ny = NY, .nz = NZ, .dx = DX, .dy = DY, .zf = ZF};
  mn_grid *g = NULL;
  char err[256];
  assert_int_equal(mn_grid_create(&g, &gp, err, sizeof err), 0);
  return g;
}

/* Exactly representable in float32, different in every cell and per
 * snapshot (tag). */
static double known_value(int i, int j, int k, int tag) {
  return tag * 1000.0 + k * 100.0 + j * 10.0 + i + 0.25;
}

static void fill_known(double *v, int tag) {
  for (int k = 0; k < NZ; k++) {
    for (int j = 0; j < NY; j++) {
      for (int i = 0; i < NX; i++) {
        v[((size_t)k * NY + (size_t)j) * NX + (size_t)i] = known_value(i, j, k, tag);
      }
    }
  }
}

/* ---- reading back with the HDF5 API -------------------------------------- */

static void read_dims(hid_t file, const char *path, int *rank, hsize_t dims[3]) {
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
  assert_true(d >= 0);
  hid_t sp = H5Dget_space(d);
  *rank = H5Sget_simple_extent_ndims(sp);
  assert_true(*rank >= 1 && *rank <= 3);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  H5Dclose(d);
}

static double read_double_attr(hid_t file, const char *group, const char *name) {
  hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
  assert_true(g >= 0);
  hid_t a = H5Aopen(g, name, H5P_DEFAULT);
  assert_true(a >= 0);
  double v = NAN;
  assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
  H5Aclose(a);
  H5Gclose(g);
  return v;
}

static void read_units(hid_t file, const char *path, char *buf, size_t len) {
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
  assert_true(d >= 0);
  hid_t a = H5Aopen(d, "units", H5P_DEFAULT);
  assert_true(a >= 0);
  hid_t t = H5Aget_type(a);
  size_t n = H5Tget_size(t);
  assert_true(n < len);
  assert_true(H5Aread(a, t, buf) >= 0);
  buf[n] = '\0';
  H5Tclose(t);
  H5Aclose(a);
  H5Dclose(d);
}

static void assert_known_dataset(hid_t file, const char *path, int tag) {
  int rank = 0;
  hsize_t dims[3] = {0, 0, 0};
  read_dims(file, path, &rank, dims);
  assert_int_equal(rank, 3);
  assert_int_equal(dims[0], NZ);
  assert_int_equal(dims[1], NY);
  assert_int_equal(dims[2], NX);
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
  hid_t t = H5Dget_type(d);
  assert_int_equal(H5Tget_class(t), H5T_FLOAT);
  assert_int_equal(H5Tget_size(t), 4); /* stored as float32 */
  H5Tclose(t);
  float v[NX * NY * NZ];
  assert_true(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  H5Dclose(d);
  for (int k = 0; k < NZ; k++) {
    for (int j = 0; j < NY; j++) {
      for (int i = 0; i < NX; i++) {
        /* exact: every value is a float32 */
        assert_true(v[(k * NY + j) * NX + i] == (float)known_value(i, j, k, tag));
      }
    }
  }
}

/* ---- reading back with h5dump ------------------------------------------- */

/* The numbers of `h5dump -d PATH -w 0 -m %.9g FILE`'s DATA block. */
static size_t h5dump_values(const char *file, const char *path, double *out, size_t max) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' -d '%s' -m '%%.9g' -w 0 '%s' 2>&1", MN_H5DUMP, path, file);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char line[8192];
  int in_data = 0;
  size_t n = 0;
  while (fgets(line, sizeof line, p) != NULL) {
    if (strstr(line, "DATA {") != NULL) {
      in_data = 1;
      continue;
    }
    if (!in_data || strchr(line, '}') == line + strspn(line, " ")) {
      continue;
    }
    /* "(k,j,i): v, v, v," : the values follow the index */
    char *s = strchr(line, ':');
    s = s != NULL ? s + 1 : line;
    for (;;) {
      char *end = NULL;
      double v = strtod(s, &end);
      if (end == s) {
        break;
      }
      if (n < max) {
        out[n] = v;
      }
      n++;
      s = end + strspn(end, ", \n");
    }
  }
  assert_int_equal(pclose(p), 0);
  return n;
}

/* `h5dump -H` lists every dataset with its dataspace; returns the number of
 * datasets and checks the one named `path` has the dims given. */
static int h5dump_header_has(const char *file, const char *path, const char *space) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' -H -d '%s' '%s' 2>&1", MN_H5DUMP, path, file);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char line[1024];
  int found = 0;
  while (fgets(line, sizeof line, p) != NULL) {
    if (strstr(line, space) != NULL) {
      found = 1;
    }
  }
  return pclose(p) == 0 && found;
}

/* ---- the XDMF check ----------------------------------------------------- */

/* Value of attribute NAME in the tag text [tag, end) into buf. */
static int tag_attr(const char *tag, const char *end, const char *name, char *buf, size_t len) {
  char key[64];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *a = strstr(tag, key);
  if (a == NULL || a >= end) {
    return 0;
  }
  a += strlen(key);
  const char *q = strchr(a, '"');
  assert_non_null(q);
  size_t n = (size_t)(q - a);
  assert_true(n < len);
  memcpy(buf, a, n);
  buf[n] = '\0';
  return 1;
}

static int parse_dims(const char *s, long d[3]) {
  int n = 0;
  char *end = NULL;
  while (n < 4) {
    long v = strtol(s, &end, 10);
    if (end == s) {
      break;
    }
    assert_true(n < 3);
    d[n++] = v;
    s = end;
  }
  return n;
}

typedef struct {
  int collections, grids, items, attributes;
} xdmf_counts;

/* Walks the XDMF tags, checking the nesting and, for each uniform grid,
 * that its DataItems name datasets of h5 with exactly the dimensions given,
 * that the geometry has one node more than the attributes have cells along
 * each axis and agrees with the topology, and that times increase within
 * each temporal collection. */
static xdmf_counts check_xdmf(const char *dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/fields.xdmf", dir);
  char *text = read_text(path);

  xdmf_counts c = {0, 0, 0, 0};
  char stack[16][32];
  int depth = 0;
  double last_time = -1.0;
  long topo[3] = {0, 0, 0}, geo[3] = {0, 0, 0};
  int ngeo = 0, in_geometry = 0, in_attribute = 0, has_time = 0;
  const char *s = text;
  assert_non_null(strstr(text, "<Xdmf Version=\"3.0\""));
  while ((s = strchr(s, '<')) != NULL) {
    const char *end = strchr(s, '>');
    assert_non_null(end);
    if (s[1] == '?' || s[1] == '!') {
      s = end + 1;
      continue;
    }
    int closing = s[1] == '/';
    int selfclosing = end[-1] == '/';
    char name[32];
    size_t nl = strcspn(s + 1 + closing, " />");
    assert_true(nl < sizeof name);
    memcpy(name, s + 1 + closing, nl);
    name[nl] = '\0';
    if (closing) {
      assert_true(depth > 0);
      assert_string_equal(stack[depth - 1], name);
      depth--;
      if (strcmp(name, "Grid") == 0 && ngeo == 3) {
        /* the uniform grid just closed: topology and geometry agree */
        for (int a = 0; a < 3; a++) {
          assert_int_equal(topo[a], geo[2 - a]); /* topology z y x, geometry x y z */
        }
        assert_true(has_time);
        ngeo = 0;
        has_time = 0;
      }
      if (strcmp(name, "Geometry") == 0) {
        in_geometry = 0;
      }
      if (strcmp(name, "Attribute") == 0) {
        in_attribute = 0;
      }
      s = end + 1;
      continue;
    }
    char v[256];
    if (strcmp(name, "Grid") == 0) {
      assert_true(tag_attr(s, end, "GridType", v, sizeof v));
      if (strcmp(v, "Collection") == 0) {
        assert_true(tag_attr(s, end, "CollectionType", v, sizeof v));
        assert_string_equal(v, "Temporal");
        c.collections++;
        last_time = -1.0;
      } else {
        assert_string_equal(v, "Uniform");
        c.grids++;
      }
    } else if (strcmp(name, "Time") == 0) {
      assert_true(tag_attr(s, end, "Value", v, sizeof v));
      double t = strtod(v, NULL);
      assert_true(t > last_time); /* increasing within the collection */
      last_time = t;
      has_time = 1;
    } else if (strcmp(name, "Topology") == 0) {
      assert_true(tag_attr(s, end, "TopologyType", v, sizeof v));
      assert_string_equal(v, "3DRectMesh");
      assert_true(tag_attr(s, end, "Dimensions", v, sizeof v));
      assert_int_equal(parse_dims(v, topo), 3);
    } else if (strcmp(name, "Geometry") == 0) {
      assert_true(tag_attr(s, end, "GeometryType", v, sizeof v));
      assert_string_equal(v, "VXVYVZ");
      in_geometry = 1;
    } else if (strcmp(name, "Attribute") == 0) {
      assert_true(tag_attr(s, end, "Center", v, sizeof v));
      assert_string_equal(v, "Cell");
      in_attribute = 1;
      c.attributes++;
    } else if (strcmp(name, "DataItem") == 0) {
      c.items++;
      assert_true(tag_attr(s, end, "Format", v, sizeof v));
      assert_string_equal(v, "HDF");
      char prec[8];
      assert_true(tag_attr(s, end, "Precision", prec, sizeof prec));
      assert_true(tag_attr(s, end, "Dimensions", v, sizeof v));
      long d[3] = {0, 0, 0};
      int nd = parse_dims(v, d);
      /* the content: fields/FILE.h5:/path */
      const char *body = end + 1;
      const char *close = strstr(body, "</DataItem>");
      assert_non_null(close);
      char ref[256];
      size_t rl = (size_t)(close - body);
      assert_true(rl < sizeof ref);
      memcpy(ref, body, rl);
      ref[rl] = '\0';
      assert_true(strncmp(ref, "fields/", 7) == 0);
      char *colon = strstr(ref, ".h5:/");
      assert_non_null(colon);
      colon[3] = '\0';
      const char *dpath = colon + 4;
      snprintf(path, sizeof path, "%s/%s", dir, ref);
      hid_t h5 = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
      assert_true(h5 >= 0);
      assert_true(H5Lexists(h5, dpath, H5P_DEFAULT) > 0);
      int rank = 0;
      hsize_t dims[3] = {0, 0, 0};
      read_dims(h5, dpath, &rank, dims);
      assert_int_equal(rank, nd); /* exactly the Dimensions given */
      for (int a = 0; a < nd; a++) {
        assert_int_equal((long)dims[a], d[a]);
      }
      hid_t ds = H5Dopen2(h5, dpath, H5P_DEFAULT);
      hid_t ty = H5Dget_type(ds);
      assert_int_equal((long)H5Tget_size(ty), strtol(prec, NULL, 10));
      H5Tclose(ty);
      H5Dclose(ds);
      H5Fclose(h5);
      if (in_geometry) {
        assert_int_equal(nd, 1);
        assert_true(ngeo < 3);
        geo[ngeo++] = d[0];
      } else {
        assert_true(in_attribute);
        assert_int_equal(nd, 3);
        assert_int_equal(ngeo, 3); /* geometry comes first */
        for (int a = 0; a < 3; a++) {
          assert_int_equal(d[a], topo[a] - 1); /* cells = nodes - 1 */
        }
      }
    }
    if (!selfclosing) {
      assert_true(depth < 16);
      snprintf(stack[depth++], sizeof stack[0], "%s", name);
    }
    s = end + 1;
  }
  assert_int_equal(depth, 0);
  free(text);
  return c;
}

/* ---- tests -------------------------------------------------------------- */

static void known_fields_round_trip(void **state) {
  scratch *sc = *state;
  mn_grid *g = known_grid();
  double water[NX * NY * NZ], signal[NX * NY * NZ];
  char prefix[128], err[512] = "";
  snprintf(prefix, sizeof prefix, "%s/run", sc->dir);
  mn_fields *w = NULL;
  assert_int_equal(mn_fields_create(&w, prefix, MN_FIELD_ALL, err, sizeof err), 0);

  const double times[2] = {1.5, 26.25};
  for (int s = 0; s < 2; s++) {
    fill_known(water, 2 * s);
    fill_known(signal, 2 * s + 1);
    mn_fields_array a[2] = {{"water", "kg/m^3", water}, {"signal", "1", signal}};
    assert_int_equal(
        mn_fields_write(w, "acute/s1", 1, times[s], times[s], g, a, 2, err, sizeof err), 0);
  }
  fill_known(water, 7);
  mn_fields_array h[1] = {{"collagen_I", "mg/cm^3", water}};
  assert_int_equal(mn_fields_write(w, "healing", 0, 0.0, 0.0, g, h, 1, err, sizeof err), 0);
  /* the same time again: skipped, not a second group */
  assert_int_equal(mn_fields_write(w, "healing", 0, 0.0001, 0.0, g, h, 1, err, sizeof err), 0);
  assert_int_equal(mn_fields_count(w), 3);
  /* nothing in place before the commit */
  assert_false(exists(sc->dir, "fields"));
  assert_false(exists(sc->dir, "fields.xdmf"));
  assert_int_equal(mn_fields_commit(&w, sc->dir, err, sizeof err), 0);
  assert_null(w);
  assert_int_equal(count_entries(sc->dir), 2); /* fields/ and fields.xdmf, no temporary */
  char fdir[256];
  snprintf(fdir, sizeof fdir, "%s/fields", sc->dir);
  assert_int_equal(count_entries(fdir), 3); /* one file a snapshot */

  char file[256];
  snprintf(file, sizeof file, "%s/fields/acute_s1_t000001.500h.h5", sc->dir);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_known_dataset(f, "/acute/s1/t000001.500h/water", 0);
  assert_known_dataset(f, "/acute/s1/t000001.500h/signal", 1);
  char units[64];
  read_units(f, "/acute/s1/t000001.500h/water", units, sizeof units);
  assert_string_equal(units, "kg/m^3");
  assert_true(H5Lexists(f, "/acute/s1/t000026.250h", H5P_DEFAULT) == 0); /* its own file */
  H5Fclose(f);
  snprintf(file, sizeof file, "%s/fields/healing_t000000.000h.h5", sc->dir);
  f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_known_dataset(f, "/healing/t000000.000h/collagen_I", 7);
  H5Fclose(f);
  snprintf(file, sizeof file, "%s/fields/acute_s1_t000026.250h.h5", sc->dir);
  f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_known_dataset(f, "/acute/s1/t000026.250h/water", 2);
  assert_known_dataset(f, "/acute/s1/t000026.250h/signal", 3);
  assert_true(read_double_attr(f, "/acute/s1/t000026.250h", "time_h") == 26.25);
  assert_true(read_double_attr(f, "/acute/s1/t000026.250h", "requested_h") == 26.25);
  /* face coordinates: x, y uniform, z the grid's non-uniform faces, exact */
  double x[NX + 1], y[NY + 1], z[NZ + 1];
  hid_t d = H5Dopen2(f, "/acute/s1/x", H5P_DEFAULT);
  assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
  H5Dclose(d);
  d = H5Dopen2(f, "/acute/s1/y", H5P_DEFAULT);
  assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0);
  H5Dclose(d);
  d = H5Dopen2(f, "/acute/s1/z", H5P_DEFAULT);
  assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, z) >= 0);
  H5Dclose(d);
  for (int i = 0; i <= NX; i++) {
    assert_true(x[i] == i * DX);
  }
  for (int j = 0; j <= NY; j++) {
    assert_true(y[j] == j * DY);
  }
  for (int k = 0; k <= NZ; k++) {
    assert_true(z[k] == ZF[k]);
  }
  H5Fclose(f);
  snprintf(file, sizeof file, "%s/fields/healing_t000000.000h.h5", sc->dir);
  f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t grp = H5Gopen2(f, "/healing", H5P_DEFAULT);
  H5G_info_t info;
  assert_true(H5Gget_info(grp, &info) >= 0);
  assert_int_equal(info.nlinks, 4); /* x, y, z and one snapshot */
  H5Gclose(grp);
  H5Fclose(f);
  snprintf(file, sizeof file, "%s/fields/acute_s1_t000026.250h.h5", sc->dir);

  /* h5dump reads the same values and coordinates */
  double v[NX * NY * NZ + 8];
  assert_int_equal(h5dump_values(file, "/acute/s1/t000026.250h/signal", v, NX * NY * NZ + 8),
                   NX * NY * NZ);
  for (int k = 0; k < NZ; k++) {
    for (int j = 0; j < NY; j++) {
      for (int i = 0; i < NX; i++) {
        assert_true(v[(k * NY + j) * NX + i] == known_value(i, j, k, 3));
      }
    }
  }
  assert_int_equal(h5dump_values(file, "/acute/s1/z", v, NZ + 1), NZ + 1);
  for (int k = 0; k <= NZ; k++) {
    assert_true(fabs(v[k] - ZF[k]) <= 1e-9 * ZF[NZ]); /* 9 digits printed */
  }
  assert_true(h5dump_header_has(file, "/acute/s1/t000026.250h/water", "SIMPLE { ( 5, 3, 4 )"));
  assert_true(h5dump_header_has(file, "/acute/s1/x", "SIMPLE { ( 5 )"));

  xdmf_counts c = check_xdmf(sc->dir);
  assert_int_equal(c.collections, 2);
  assert_int_equal(c.grids, 3);
  assert_int_equal(c.attributes, 5);
  assert_int_equal(c.items, 3 * 3 + 5);
  mn_grid_destroy(&g);
}

static void abandoned_writer_leaves_nothing(void **state) {
  scratch *sc = *state;
  mn_grid *g = known_grid();
  double water[NX * NY * NZ];
  fill_known(water, 0);
  char prefix[128], err[512] = "";
  snprintf(prefix, sizeof prefix, "%s/run", sc->dir);
  mn_fields *w = NULL;
  assert_int_equal(mn_fields_create(&w, prefix, MN_FIELD_ALL, err, sizeof err), 0);
  mn_fields_array a[1] = {{"water", "kg/m^3", water}};
  assert_int_equal(mn_fields_write(w, "healing", 0, 2.0, 2.0, g, a, 1, err, sizeof err), 0);
  assert_int_equal(count_entries(sc->dir), 1); /* the temporary */
  mn_fields_destroy(&w);
  assert_null(w);
  assert_int_equal(count_entries(sc->dir), 0);
  /* a prefix given as a directory ("DIR/run/") puts the temporary beside it */
  snprintf(prefix, sizeof prefix, "%s/run//", sc->dir);
  assert_int_equal(mn_fields_create(&w, prefix, MN_FIELD_ALL, err, sizeof err), 0);
  assert_int_equal(count_entries(sc->dir), 1);
  char tmp[160];
  snprintf(tmp, sizeof tmp, "run.fields.tmp.%ld", (long)getpid());
  assert_true(exists(sc->dir, tmp));
  mn_fields_destroy(&w);
  assert_int_equal(count_entries(sc->dir), 0);
  mn_grid_destroy(&g);
}

static void bad_snapshots_are_refused(void **state) {
  scratch *sc = *state;
  mn_grid *g = known_grid();
  mn_grid_params gp = {.nx = NX + 1, .ny = NY, .nz = NZ, .dx = DX, .dy = DY, .zf = ZF};
  mn_grid *g2 = NULL;
  char prefix[128], err[512] = "";
  assert_int_equal(mn_grid_create(&g2, &gp, err, sizeof err), 0);
  double v[(NX + 1) * NY * NZ];
  fill_known(v, 0);
  snprintf(prefix, sizeof prefix, "%s/run", sc->dir);
  mn_fields *w = NULL;
  assert_int_equal(mn_fields_create(&w, prefix, MN_FIELD_ALL, err, sizeof err), 0);
  mn_fields_array a[2] = {{"water", "kg/m^3", v}, {"water", "kg/m^3", v}};
  assert_int_equal(mn_fields_write(w, "healing", 0, 5.0, 5.0, g, a, 1, err, sizeof err), 0);
  /* the mesh's grid is fixed by its first snapshot */
  assert_int_equal(mn_fields_write(w, "healing", 0, 6.0, 6.0, g2, a, 1, err, sizeof err),
                   MN_FIELDS_EINVAL);
  assert_non_null(strstr(err, "mesh healing was 4 x 3 x 5 cells, now 5 x 3 x 5"));
  /* time goes forward within a mesh */
  assert_int_equal(mn_fields_write(w, "healing", 0, 4.0, 4.0, g, a, 1, err, sizeof err),
                   MN_FIELDS_EINVAL);
  assert_non_null(strstr(err, "snapshot at 4 h after one at 5 h"));
  assert_int_equal(mn_fields_write(w, "healing", 0, 7.0, 7.0, g, a, 2, err, sizeof err),
                   MN_FIELDS_EINVAL); /* a name twice */
  assert_int_equal(mn_fields_write(w, "Bad Mesh", 0, 7.0, 7.0, g, a, 1, err, sizeof err),
                   MN_FIELDS_EINVAL);
  assert_int_equal(mn_fields_write(w, "healing", 0, -1.0, 0.0, g, a, 1, err, sizeof err),
                   MN_FIELDS_EINVAL);
  mn_fields_array bad[1] = {{"a/b", "", v}};
  assert_int_equal(mn_fields_write(w, "healing", 0, 8.0, 8.0, g, bad, 1, err, sizeof err),
                   MN_FIELDS_EINVAL);
  assert_int_equal(mn_fields_count(w), 1);
  /* what was refused left the file consistent */
  assert_int_equal(mn_fields_commit(&w, sc->dir, err, sizeof err), 0);
  xdmf_counts c = check_xdmf(sc->dir);
  assert_int_equal(c.grids, 1);
  /* a writer in a directory that does not exist */
  assert_int_equal(mn_fields_create(&w, "/nonexistent/dir/run", MN_FIELD_ALL, err, sizeof err),
                   MN_FIELDS_EIO);
  assert_null(w);
  mn_grid_destroy(&g);
  mn_grid_destroy(&g2);
}

static int same_bytes(const char *a, const char *b) {
  char *x = read_text(a), *y = read_text(b);
  struct stat sa, sb;
  int same = stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_size == sb.st_size &&
             memcmp(x, y, (size_t)sa.st_size) == 0;
  free(x);
  free(y);
  return same;
}

/* Inside an existing output directory (a checkpointed run's) each snapshot
 * is final once written; a checkpoint's list lets a new writer take them up
 * (a resumed run), the snapshots written again after it come out byte for
 * byte the same, and the commit names them all and drops what an earlier
 * run left. A failed run's writer removes what it wrote. */
static void resumed_writer_keeps_earlier_snapshots(void **state) {
  scratch *sc = *state;
  mn_grid *g = known_grid();
  double v0[NX * NY * NZ], v1[NX * NY * NZ];
  fill_known(v0, 0);
  fill_known(v1, 1);
  mn_fields_array a0[1] = {{"water", "kg/m^3", v0}}, a1[1] = {{"water", "kg/m^3", v1}};
  char err[512] = "", path[256], copy[256];
  mn_fields *w = NULL;
  assert_int_equal(mn_fields_create(&w, sc->dir, MN_FIELD_ALL, err, sizeof err), 0);
  assert_int_equal(mn_fields_write(w, "healing", 0, 0.0, 0.0, g, a0, 1, err, sizeof err), 0);
  assert_true(exists(sc->dir, "fields/healing_t000000.000h.h5")); /* in place at once */
  char *list = NULL;
  assert_int_equal(mn_fields_list(w, 1, &list, err, sizeof err), 0);
  assert_int_equal(mn_fields_write(w, "healing", 0, 24.5, 24.0, g, a1, 1, err, sizeof err), 0);
  assert_int_equal(mn_fields_list(w, 3, &list, err, sizeof err), MN_FIELDS_EINVAL);
  mn_fields_destroy(&w); /* interrupted: the snapshots stay */
  assert_true(exists(sc->dir, "fields/healing_t000024.500h.h5"));
  snprintf(path, sizeof path, "%s/fields/healing_t000024.500h.h5", sc->dir);
  snprintf(copy, sizeof copy, "%s/first_run.h5", sc->dir);
  assert_int_equal(rename(path, copy), 0);
  /* a stale file of an earlier run */
  FILE *stale = fopen(path, "w");
  assert_non_null(stale);
  fclose(stale);
  char stale_path[256];
  snprintf(stale_path, sizeof stale_path, "%s/fields/healing_t000099.000h.h5", sc->dir);
  assert_int_equal(rename(path, stale_path), 0);

  /* the resumed writer: the list's snapshot is kept, not written again */
  assert_int_equal(mn_fields_create(&w, sc->dir, MN_FIELD_ALL, err, sizeof err), 0);
  assert_int_equal(mn_fields_resume(w, list, err, sizeof err), 0);
  assert_int_equal(mn_fields_count(w), 1);
  assert_int_equal(mn_fields_write(w, "healing", 0, 0.0, 0.0, g, a1, 1, err, sizeof err), 0);
  assert_int_equal(mn_fields_count(w), 1);
  assert_int_equal(mn_fields_write(w, "healing", 0, 24.5, 24.0, g, a1, 1, err, sizeof err), 0);
  assert_true(same_bytes(path, copy)); /* no time stamps: the same bytes */
  assert_int_equal(mn_fields_commit(&w, sc->dir, err, sizeof err), 0);
  assert_false(exists(sc->dir, "fields/healing_t000099.000h.h5"));
  snprintf(path, sizeof path, "%s/fields/healing_t000000.000h.h5", sc->dir);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_known_dataset(f, "/healing/t000000.000h/water", 0); /* the first run's */
  H5Fclose(f);
  xdmf_counts c = check_xdmf(sc->dir);
  assert_int_equal(c.grids, 2);
  remove(copy);

  /* lists that do not fit: malformed, or naming a file that is not there */
  const char *bad[] = {"healing t000000.000h 0 4 3\n", "healing t000001.000h 0 4 3 5 water\n",
                       "healing t000000.000h 0 4 3 5 wa/ter\n",
                       "healing t000002.000h 2 4 3 5 water\n"};
  const int why[] = {MN_FIELDS_EINVAL, MN_FIELDS_EINVAL, MN_FIELDS_EINVAL, MN_FIELDS_EIO};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(mn_fields_create(&w, sc->dir, MN_FIELD_ALL, err, sizeof err), 0);
    assert_int_equal(mn_fields_resume(w, bad[i], err, sizeof err), why[i]);
    assert_int_equal(mn_fields_count(w), 0);
    mn_fields_destroy(&w);
  }
  /* a writer outside the output directory has nothing to resume */
  snprintf(path, sizeof path, "%s/new", sc->dir);
  assert_int_equal(mn_fields_create(&w, path, MN_FIELD_ALL, err, sizeof err), 0);
  assert_int_equal(mn_fields_resume(w, list, err, sizeof err), MN_FIELDS_EINVAL);
  mn_fields_destroy(&w);
  free(list);

  /* a failed run's writer takes back what it wrote */
  remove_tree(sc->dir);
  assert_int_equal(mkdir(sc->dir, 0700), 0);
  assert_int_equal(mn_fields_create(&w, sc->dir, MN_FIELD_ALL, err, sizeof err), 0);
  assert_int_equal(mn_fields_write(w, "healing", 0, 3.0, 3.0, g, a0, 1, err, sizeof err), 0);
  mn_fields_discard(&w);
  assert_null(w);
  assert_int_equal(count_entries(sc->dir), 0);
  mn_grid_destroy(&g);
}

static void protocol_snapshot_times(void **state) {
  (void)state;
  mn_protocol p;
  mn_protocol_default(&p); /* 3 * 28 + 90 days = 4176 h */
  double *t = NULL;
  size_t n = 0;
  char err[256] = "";
  assert_int_equal(mn_fields_times(&p, &t, &n, err, sizeof err), 0);
  assert_int_equal(n, 0); /* milestones only */
  assert_null(t);
  assert_true(mn_fields_wanted(&p));

  p.output.fields_every_h = 24.0;
  p.output.nfields_at = 3;
  p.output.fields_at_h[0] = 1.0;
  p.output.fields_at_h[1] = 48.0; /* also a multiple of 24: once */
  p.output.fields_at_h[2] = 100.5;
  assert_int_equal(mn_fields_times(&p, &t, &n, err, sizeof err), 0);
  assert_int_equal(n, 4176 / 24 + 1 + 2);
  for (size_t i = 1; i < n; i++) {
    assert_true(t[i] > t[i - 1]);
  }
  assert_true(t[0] == 0.0 && t[1] == 1.0 && t[2] == 24.0 && t[n - 1] == 4176.0);
  free(t);

  p.output.fields_every_h = 0.25; /* 16705 snapshots: refused */
  assert_int_equal(mn_fields_times(&p, &t, &n, err, sizeof err), MN_FIELDS_EINVAL);
  assert_non_null(strstr(err, "output.fields_every_h"));
  assert_null(t);

  p.output.fields = 0;
  assert_false(mn_fields_wanted(&p));
  assert_int_equal(mn_fields_times(&p, &t, &n, err, sizeof err), 0);
  assert_int_equal(n, 0);
  mn_protocol_default(&p);
  p.output.milestones = false;
  assert_false(mn_fields_wanted(&p));
}

/* ---- one small course end to end --------------------------------------- */

typedef struct {
  mn_fields *w;
  int acute, healing;
  double acute_t[8], acute_req[8];
} run_log;

static int log_snapshot(void *ctx, const mn_course_snapshot *s, char *err, size_t errlen) {
  run_log *l = ctx;
  if (s->tissue != NULL) {
    if (l->acute < 8) {
      l->acute_t[l->acute] = s->time_h;
      l->acute_req[l->acute] = s->requested_h;
    }
    l->acute++;
    return mn_fields_write_acute(l->w, s->session, s->time_h, s->requested_h, s->tissue, err,
                                 errlen);
  }
  l->healing++;
  return mn_fields_write_healing(l->w, s->time_h, s->requested_h, s->healing, err, errlen);
}

static void course_run_writes_the_requested_snapshots(void **state) {
  scratch *sc = *state;
  /* one session, 12 h of follow-up (so a 12 h acute phase), a 1 mm window
   * at 50 um (a dozen channels), ideal strokes */
  mn_protocol p;
  mn_protocol_default(&p);
  p.treatment.area_mm[0] = p.treatment.area_mm[1] = 3.0;
  p.treatment.passes = 1;
  p.schedule.sessions = 1;
  p.schedule.follow_up_days = 0.5;
  p.grid.resolution_um = 50.0;
  p.grid.window_mm[0] = p.grid.window_mm[1] = 1.0;
  p.output.nfields_at = 2;
  p.output.fields_at_h[0] = 1.0;
  p.output.fields_at_h[1] = 6.0;
  p.output.fields = (1u << MN_FIELD_WATER) | (1u << MN_FIELD_WOUND) |
                    (1u << MN_FIELD_COLLAGEN_III) | (1u << MN_FIELD_TGF);
  double *times = NULL;
  size_t ntimes = 0;
  char err[1024] = "", prefix[128];
  assert_int_equal(mn_fields_times(&p, &times, &ntimes, err, sizeof err), 0);
  assert_int_equal(ntimes, 2);

  run_log log;
  memset(&log, 0, sizeof log);
  snprintf(prefix, sizeof prefix, "%s/run", sc->dir);
  assert_int_equal(mn_fields_create(&log.w, prefix, p.output.fields, err, sizeof err), 0);
  mn_course_options o;
  mn_course_options_default(&o);
  o.data_dir = MN_DATA_DIR;
  o.nthreads = 1;
  o.snapshot = log_snapshot;
  o.snapshot_ctx = &log;
  o.snapshot_h = times;
  o.nsnapshot_h = ntimes;
  o.snapshot_milestones = 1;
  mn_course_result r;
  int rc = mn_course_run(&p, &o, &r, err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  free(times);
  /* acute: the first steps at or after 1 h and 6 h, and the end (12 h) */
  assert_int_equal(log.acute, 3);
  assert_true(log.acute_req[0] == 1.0 && log.acute_t[0] >= 1.0 && log.acute_t[0] < 6.0);
  assert_true(log.acute_req[1] == 6.0 && log.acute_t[1] >= 6.0 && log.acute_t[1] < 12.0);
  assert_true(fabs(log.acute_t[2] - 12.0) < 1e-6);
  /* healing: start, 1 h, 6 h, end */
  assert_int_equal(log.healing, 4);
  assert_int_equal(mn_fields_commit(&log.w, sc->dir, err, sizeof err), 0);
  mn_course_result_free(&r);

  char file[256];
  snprintf(file, sizeof file, "%s/fields/healing_t000006.000h.h5", sc->dir);
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  /* the healing stage hit the requested times exactly */
  assert_true(H5Lexists(f, "/healing/t000006.000h", H5P_DEFAULT) > 0);
  assert_true(read_double_attr(f, "/healing/t000006.000h", "time_h") == 6.0);
  H5Fclose(f);
  snprintf(file, sizeof file, "%s/fields/healing_t000012.000h.h5", sc->dir);
  f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_true(H5Lexists(f, "/healing/t000012.000h/collagen_III", H5P_DEFAULT) > 0);
  assert_true(H5Lexists(f, "/healing/t000012.000h/tgf", H5P_DEFAULT) > 0);
  assert_true(H5Lexists(f, "/healing/t000012.000h/water", H5P_DEFAULT) == 0);
  H5Fclose(f);
  assert_false(exists(sc->dir, "fields/acute_s1_t000000.000h.h5"));
  char last[64];
  snprintf(last, sizeof last, "/acute/s1/t%010.3fh/wound", log.acute_t[2]);
  snprintf(file, sizeof file, "%s/fields/acute_s1_t%010.3fh.h5", sc->dir, log.acute_t[2]);
  f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  assert_true(H5Lexists(f, last, H5P_DEFAULT) > 0);
  /* the needles wounded the tissue: some cell of the acute wound field is
   * wounded, none more than fully */
  int rank = 0;
  hsize_t dims[3];
  read_dims(f, last, &rank, dims);
  size_t nv = (size_t)(dims[0] * dims[1] * dims[2]);
  float *wv = malloc(nv * sizeof *wv);
  assert_non_null(wv);
  hid_t d = H5Dopen2(f, last, H5P_DEFAULT);
  assert_true(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, wv) >= 0);
  H5Dclose(d);
  float wmax = 0.0f;
  for (size_t i = 0; i < nv; i++) {
    assert_true(wv[i] >= 0.0f && wv[i] <= 1.0f + 1e-6f);
    wmax = wv[i] > wmax ? wv[i] : wmax;
  }
  assert_true(wmax > 0.5f);
  free(wv);
  H5Fclose(f);

  xdmf_counts c = check_xdmf(sc->dir);
  assert_int_equal(c.collections, 2);
  assert_int_equal(c.grids, 3 + 4);
  assert_int_equal(c.attributes, 3 * 2 + 4 * 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(known_fields_round_trip, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(abandoned_writer_leaves_nothing, scratch_setup,
                                      scratch_teardown),
      cmocka_unit_test_setup_teardown(bad_snapshots_are_refused, scratch_setup, scratch_teardown),
      cmocka_unit_test_setup_teardown(resumed_writer_keeps_earlier_snapshots, scratch_setup,
                                      scratch_teardown),
      cmocka_unit_test(protocol_snapshot_times),
      cmocka_unit_test_setup_teardown(course_run_writes_the_requested_snapshots, scratch_setup,
                                      scratch_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
