/* Cartridge layouts from data/device/cartridges; see cartridge.h. */
#include "device/cartridge.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/datadir.h"

static const double pi = 3.14159265358979323846;

static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n >= MN_CARTRIDGE_NAME_MAX) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
      return 0;
    }
  }
  return 1;
}

typedef struct {
  const mn_params *t;
  char group[MN_CARTRIDGE_NAME_MAX + 16];
  char *err;
  size_t errlen;
} reader;

static int get(reader *r, const char *name, const char *unit, double *v) {
  char key[160];
  snprintf(key, sizeof key, "%s.%s", r->group, name);
  return mn_params_get(r->t, key, unit, v, r->err, r->errlen) == 0 ? 0 : MN_DEVICE_EPARAM;
}

static int get_table(reader *r, const char *name, const char *unit, size_t n, double *out) {
  char key[160];
  snprintf(key, sizeof key, "%s.%s", r->group, name);
  const double *v = NULL;
  size_t count = 0;
  if (mn_params_get_table(r->t, key, unit, &v, &count, r->err, r->errlen) != 0) {
    return MN_DEVICE_EPARAM;
  }
  if (count != n) {
    snprintf(r->err, r->errlen, "%s: %zu values for %zu needles", key, count, n);
    return MN_DEVICE_EPARAM;
  }
  memcpy(out, v, n * sizeof *out);
  return 0;
}

static int positive(reader *r, const char *name, double v) {
  if (!(v > 0.0) || !isfinite(v)) {
    snprintf(r->err, r->errlen, "%s.%s must be positive, got %g", r->group, name, v);
    return MN_DEVICE_EPARAM;
  }
  return 0;
}

int mn_cartridge_from_params(mn_cartridge *c, const mn_params *t, const char *name, char *err,
                             size_t errlen) {
  if (c == NULL || t == NULL || name == NULL || !valid_name(name)) {
    snprintf(err, errlen, "cartridge name '%s': use lower-case letters, digits, '-' and '_'",
             name != NULL ? name : "(null)");
    return MN_DEVICE_EINVAL;
  }
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  reader r = {.t = t, .err = err, .errlen = errlen};
  snprintf(r.group, sizeof r.group, "cartridge_%s", name);
  for (char *p = r.group; *p != '\0'; p++) {
    if (*p == '-') {
      *p = '_';
    }
  }
  double roller = 0.0, needles = 0.0, angle_deg = 0.0;
  int rc = get(&r, "roller", "1", &roller);
  if (rc == 0) {
    rc = get(&r, "needles", "1", &needles);
  }
  if (rc != 0) {
    return rc;
  }
  if ((roller != 0.0 && roller != 1.0) || !(needles >= 1.0) ||
      needles > (double)MN_CARTRIDGE_NEEDLES_MAX || needles != floor(needles)) {
    snprintf(err, errlen, "%s: roller must be 0 or 1 and needles a whole number 1-%d", r.group,
             MN_CARTRIDGE_NEEDLES_MAX);
    return MN_DEVICE_EPARAM;
  }
  c->roller = roller != 0.0;
  c->needles = (size_t)needles;
  rc = c->roller ? get_table(&r, "angle", "deg", c->needles, c->angle_rad)
                 : get_table(&r, "x", "mm", c->needles, c->x_mm);
  if (rc == 0) {
    rc = get_table(&r, "y", "mm", c->needles, c->y_mm);
  }
  if (rc == 0) {
    rc = get(&r, "needle_diameter", "mm", &c->needle_diameter_mm);
  }
  if (rc == 0) {
    rc = get(&r, "tip_radius", "um", &c->tip_radius_um);
  }
  if (rc == 0) {
    rc = get(&r, "taper_half_angle", "deg", &angle_deg);
  }
  if (rc == 0) {
    rc = get(&r, "needle_length", "mm", &c->needle_length_mm);
  }
  if (rc == 0 && c->roller) {
    rc = get(&r, "drum_diameter", "mm", &c->drum_diameter_mm);
    if (rc == 0) {
      rc = get(&r, "drum_width", "mm", &c->drum_width_mm);
    }
    if (rc == 0) {
      rc = positive(&r, "drum_diameter", c->drum_diameter_mm);
    }
    if (rc == 0) {
      rc = positive(&r, "drum_width", c->drum_width_mm);
    }
  }
  if (rc == 0) {
    rc = positive(&r, "needle_diameter", c->needle_diameter_mm);
  }
  if (rc == 0) {
    rc = positive(&r, "tip_radius", c->tip_radius_um);
  }
  if (rc == 0) {
    rc = positive(&r, "needle_length", c->needle_length_mm);
  }
  if (rc != 0) {
    return rc;
  }
  if (!(angle_deg > 0.0 && angle_deg < 90.0)) {
    snprintf(err, errlen, "%s.taper_half_angle must be in (0, 90) deg, got %g", r.group, angle_deg);
    return MN_DEVICE_EPARAM;
  }
  c->taper_half_angle_rad = angle_deg * pi / 180.0;
  for (size_t i = 0; i < c->needles; i++) {
    if (c->roller) {
      c->angle_rad[i] *= pi / 180.0;
      if (!(c->angle_rad[i] >= 0.0 && c->angle_rad[i] < 2.0 * pi) ||
          fabs(c->y_mm[i]) > 0.5 * c->drum_width_mm) {
        snprintf(err, errlen, "%s: needle %zu is off the drum (angle 0-360 deg, |y| <= width/2)",
                 r.group, i);
        return MN_DEVICE_EPARAM;
      }
    }
  }
  return MN_DEVICE_OK;
}

int mn_cartridge_load(mn_cartridge *c, const char *data_dir, const char *name, char *err,
                      size_t errlen) {
  if (c == NULL || name == NULL || !valid_name(name)) {
    snprintf(err, errlen, "cartridge name '%s': use lower-case letters, digits, '-' and '_'",
             name != NULL ? name : "(null)");
    return MN_DEVICE_EINVAL;
  }
  char path[1024];
  int n = snprintf(path, sizeof path, "%s/device/cartridges/%s.yaml",
                   data_dir != NULL ? data_dir : mn_data_dir(), name);
  if (n < 0 || (size_t)n >= sizeof path) {
    snprintf(err, errlen, "data directory path too long");
    return MN_DEVICE_EINVAL;
  }
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0) {
    snprintf(err, errlen, "out of memory");
    return MN_DEVICE_ENOMEM;
  }
  int rc = mn_params_load_file(t, path, err, errlen) == 0 ? MN_DEVICE_OK : MN_DEVICE_EPARAM;
  if (rc == MN_DEVICE_OK) {
    rc = mn_cartridge_from_params(c, t, name, err, errlen);
  }
  mn_params_destroy(&t);
  return rc;
}

void mn_cartridge_extent(const mn_cartridge *c, double *along_x_mm, double *along_y_mm) {
  if (c->roller) {
    *along_x_mm = 0.0;
    *along_y_mm = c->drum_width_mm;
    return;
  }
  double x0 = c->x_mm[0], x1 = c->x_mm[0], y0 = c->y_mm[0], y1 = c->y_mm[0];
  for (size_t i = 1; i < c->needles; i++) {
    x0 = fmin(x0, c->x_mm[i]);
    x1 = fmax(x1, c->x_mm[i]);
    y0 = fmin(y0, c->y_mm[i]);
    y1 = fmax(y1, c->y_mm[i]);
  }
  *along_x_mm = x1 - x0 + c->needle_diameter_mm;
  *along_y_mm = y1 - y0 + c->needle_diameter_mm;
}

double mn_cartridge_face_radius_mm(const mn_cartridge *c) {
  double r = 0.0;
  for (size_t i = 0; i < c->needles; i++) {
    r = fmax(r, hypot(c->x_mm[i], c->y_mm[i]));
  }
  return r + 0.5 * c->needle_diameter_mm;
}
