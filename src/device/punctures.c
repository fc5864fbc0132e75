/* Puncture list: stroke timing along the glide path, stamping and
 * statistics; see punctures.h. */
#include "device/punctures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/penetration.h"
#include "device/rng.h"
#include "io/datadir.h"

static const double pi = 3.14159265358979323846;

void mn_device_treatment_default(mn_device_treatment *t) {
  /* The defaults of a protocol file (io/protocol.h): a 12-needle pen at
   * 1.0 mm and 110 Hz, three crosshatched passes over 10 x 10 mm at 10 mm/s. */
  memset(t, 0, sizeof *t);
  t->cartridge = "12-round";
  t->needle_length_mm = 1.0;
  t->speed_hz = 110.0;
  t->area_w_mm = 10.0;
  t->area_h_mm = 10.0;
  t->passes = 3;
  t->pattern = MN_GLIDE_CROSSHATCH;
  t->glide_speed_mm_s = 10.0;
  t->seed = 1;
}

int mn_puncture_list_create(mn_puncture_list **out, double area_w_mm, double area_h_mm) {
  if (out == NULL || !(area_w_mm > 0.0) || !(area_h_mm > 0.0)) {
    return MN_DEVICE_EINVAL;
  }
  mn_puncture_list *l = calloc(1, sizeof *l);
  if (l == NULL) {
    return MN_DEVICE_ENOMEM;
  }
  l->area_w_mm = area_w_mm;
  l->area_h_mm = area_h_mm;
  *out = l;
  return MN_DEVICE_OK;
}

void mn_puncture_list_destroy(mn_puncture_list **l) {
  if (l == NULL || *l == NULL) {
    return;
  }
  mn_puncture_list *p = *l;
  free(p->x_mm);
  free(p->y_mm);
  free(p->depth_um);
  free(p->radius_um);
  free(p->inserted_um);
  free(p->time_s);
  free(p->session);
  free(p->stamp_x_mm);
  free(p->stamp_y_mm);
  free(p->stamp_time_s);
  free(p);
  *l = NULL;
}

static int grow(void **a, size_t elem, size_t cap) {
  void *q = realloc(*a, elem * cap);
  if (q == NULL) {
    return MN_DEVICE_ENOMEM;
  }
  *a = q;
  return MN_DEVICE_OK;
}

int mn_puncture_list_append(mn_puncture_list *l, double x_mm, double y_mm, double depth_um,
                            double radius_um, double inserted_um, double time_s, int session) {
  if (l == NULL) {
    return MN_DEVICE_EINVAL;
  }
  if (l->count == l->capacity) {
    size_t cap = l->capacity ? 2 * l->capacity : 1024;
    if (grow((void **)&l->x_mm, sizeof(double), cap) ||
        grow((void **)&l->y_mm, sizeof(double), cap) ||
        grow((void **)&l->depth_um, sizeof(double), cap) ||
        grow((void **)&l->radius_um, sizeof(double), cap) ||
        grow((void **)&l->inserted_um, sizeof(double), cap) ||
        grow((void **)&l->time_s, sizeof(double), cap) ||
        grow((void **)&l->session, sizeof(int), cap)) {
      return MN_DEVICE_ENOMEM;
    }
    l->capacity = cap;
  }
  size_t i = l->count++;
  l->x_mm[i] = x_mm;
  l->y_mm[i] = y_mm;
  l->depth_um[i] = depth_um;
  l->radius_um[i] = radius_um;
  l->inserted_um[i] = inserted_um;
  l->time_s[i] = time_s;
  l->session[i] = session;
  return MN_DEVICE_OK;
}

static int append_stamp(mn_puncture_list *l, double x, double y, double t) {
  if (l->stamps == l->stamp_capacity) {
    size_t cap = l->stamp_capacity ? 2 * l->stamp_capacity : 256;
    if (grow((void **)&l->stamp_x_mm, sizeof(double), cap) ||
        grow((void **)&l->stamp_y_mm, sizeof(double), cap) ||
        grow((void **)&l->stamp_time_s, sizeof(double), cap)) {
      return MN_DEVICE_ENOMEM;
    }
    l->stamp_capacity = cap;
  }
  l->stamp_x_mm[l->stamps] = x;
  l->stamp_y_mm[l->stamps] = y;
  l->stamp_time_s[l->stamps] = t;
  l->stamps++;
  return MN_DEVICE_OK;
}

/* Stroke times and depths of one contact, from the moment the needles meet
 * the skin. */
typedef struct {
  double *t;     /* relative to the first stroke on skin */
  double *depth; /* protrusion, m */
  size_t n;
} contact_record;

static void record_free(contact_record *r) {
  free(r->t);
  free(r->depth);
  r->t = r->depth = NULL;
  r->n = 0;
}

static int record_ideal(contact_record *r, double rate_hz, double depth_m, double duration_s) {
  size_t n = (size_t)floor(duration_s * rate_hz) + 1;
  r->t = malloc(n * sizeof *r->t);
  r->depth = malloc(n * sizeof *r->depth);
  if (r->t == NULL || r->depth == NULL) {
    record_free(r);
    return MN_DEVICE_ENOMEM;
  }
  for (size_t k = 0; k < n; k++) {
    r->t[k] = (double)k / rate_hz;
    r->depth[k] = depth_m;
  }
  r->n = n;
  return MN_DEVICE_OK;
}

static int record_from_source(contact_record *r, const mn_device_treatment *tr,
                              const mn_cartridge *c, double duration_s, char *err, size_t errlen) {
  mn_stroke_request rq = {.speed_hz = tr->speed_hz,
                          .depth_mm = tr->needle_length_mm,
                          .depth_step_mm = tr->depth_step_mm,
                          .needles = (int)c->needles,
                          .unregulated = tr->unregulated,
                          .duration_s = duration_s,
                          .seed = tr->seed};
  mn_plant_stroke *s = NULL;
  size_t n = 0;
  if (tr->stroke_source(tr->stroke_ctx, &rq, &s, &n, err, errlen) != 0) {
    free(s);
    return MN_DEVICE_ESOURCE;
  }
  size_t first = 0;
  while (first < n && !(s[first].force_n > 0.0)) {
    first++;
  }
  if (first == n) {
    free(s);
    snprintf(err, errlen, "the stroke record has no stroke on skin");
    return MN_DEVICE_ESOURCE;
  }
  size_t m = n - first;
  r->t = malloc(m * sizeof *r->t);
  r->depth = malloc(m * sizeof *r->depth);
  if (r->t == NULL || r->depth == NULL) {
    free(s);
    record_free(r);
    return MN_DEVICE_ENOMEM;
  }
  for (size_t k = 0; k < m; k++) {
    r->t[k] = s[first + k].time_s - s[first].time_s;
    r->depth[k] = s[first + k].depth_m;
    if (k > 0 && !(r->t[k] > r->t[k - 1])) {
      free(s);
      record_free(r);
      snprintf(err, errlen, "the stroke record's times do not increase (stroke %zu)", first + k);
      return MN_DEVICE_ESOURCE;
    }
  }
  r->n = m;
  free(s);
  return MN_DEVICE_OK;
}

/* Stroke k of the record, extended past its end by its last interval. */
static void record_at(const contact_record *r, size_t k, double *t, double *depth, double *rate) {
  if (r->n == 1) {
    *t = r->t[0];
    *depth = r->depth[0];
    *rate = 0.0;
    return;
  }
  double last_dt = r->t[r->n - 1] - r->t[r->n - 2];
  if (k < r->n) {
    *t = r->t[k];
    *depth = r->depth[k];
    double dt = k > 0 ? r->t[k] - r->t[k - 1] : r->t[1] - r->t[0];
    *rate = 1.0 / dt;
  } else {
    *t = r->t[r->n - 1] + (double)(k - (r->n - 1)) * last_dt;
    *depth = r->depth[r->n - 1];
    *rate = 1.0 / last_dt;
  }
}

typedef struct {
  const mn_device_treatment *tr;
  const mn_cartridge *c;
  const mn_penetration_params *pp;
  double site_n_m;
  double cam_stroke_m;
  mn_device_rng rng;
  mn_puncture_list *l;
} stamper;

static int inside(const mn_puncture_list *l, double x, double y) {
  return x >= 0.0 && x < l->area_w_mm && y >= 0.0 && y < l->area_h_mm;
}

/* One needle at (x, y): drawn (so the random sequence does not depend on
 * where the area ends), kept when inside the area and pierced. */
static int stamp_needle(stamper *s, double x, double y, double protrusion_um, double tip_speed,
                        double time_s) {
  mn_channel ch;
  int rc = mn_penetration_sample(s->pp, s->c, protrusion_um, tip_speed, s->site_n_m, &s->rng, &ch);
  if (rc != 0 || !inside(s->l, x, y)) {
    return rc;
  }
  if (!(ch.inserted_um > 0.0)) {
    s->l->missed++;
    return MN_DEVICE_OK;
  }
  return mn_puncture_list_append(s->l, x, y, ch.depth_um, 0.5 * ch.width_um, ch.inserted_um, time_s,
                                 s->tr->session);
}

/* One lane stamped from the stretch [from, from + lane time) of the
 * record; *next is where the stretch ended (the first stroke of the next
 * lane's stretch), so consecutive lanes take consecutive stretches. */
static int pen_lane(stamper *s, const mn_glide_lane *ln, const contact_record *rec, double t0,
                    double from, size_t *next) {
  double v = s->tr->glide_speed_mm_s;
  double lane_t = ln->length_mm / v;
  for (size_t k = *next;; k++) {
    double t = 0.0, depth_m = 0.0, rate = 0.0;
    record_at(rec, k, &t, &depth_m, &rate);
    if (t < from) {
      continue;
    }
    t -= from;
    if (t > lane_t || (rec->n == 1 && k > *next)) {
      *next = k;
      break;
    }
    if (!(rate > 0.0)) {
      rate = s->tr->speed_hz;
    }
    double cx = ln->start_x_mm + ln->dir_x * v * t;
    double cy = ln->start_y_mm + ln->dir_y * v * t;
    double time_s = t0 + t;
    int rc = append_stamp(s->l, cx, cy, time_s);
    double speed = mn_penetration_pen_tip_speed(s->cam_stroke_m, depth_m, rate);
    for (size_t i = 0; rc == 0 && i < s->c->needles; i++) {
      rc = stamp_needle(s, cx + s->c->x_mm[i], cy + s->c->y_mm[i], depth_m * 1e6, speed, time_s);
    }
    if (rc != 0) {
      return rc;
    }
  }
  return MN_DEVICE_OK;
}

/* Sorts needle indices by angle (insertion sort; at most a few hundred). */
static void sort_by_angle(const mn_cartridge *c, size_t *idx) {
  for (size_t i = 0; i < c->needles; i++) {
    idx[i] = i;
  }
  for (size_t i = 1; i < c->needles; i++) {
    size_t k = idx[i];
    size_t j = i;
    while (j > 0 && c->angle_rad[idx[j - 1]] > c->angle_rad[k]) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = k;
  }
}

static int roller_lane(stamper *s, const mn_glide_lane *ln, double t0) {
  const mn_cartridge *c = s->c;
  double v = s->tr->glide_speed_mm_s;
  double radius = 0.5 * c->drum_diameter_mm;
  double turn = 2.0 * pi * radius;
  double protrusion_um = s->tr->needle_length_mm * 1e3;
  double speed =
      mn_penetration_roller_tip_speed(radius * 1e-3, s->tr->needle_length_mm * 1e-3, v * 1e-3);
  size_t idx[MN_CARTRIDGE_NEEDLES_MAX];
  sort_by_angle(c, idx);
  /* Across the lane: the drum axis is perpendicular to the direction of
   * travel, its needles' axial offsets lie across the lane. */
  double ax = ln->dir_y != 0.0 ? 1.0 : 0.0;
  double ay = ln->dir_x != 0.0 ? 1.0 : 0.0;
  for (size_t rev = 0;; rev++) {
    size_t i = 0;
    while (i < c->needles) {
      double ang = c->angle_rad[idx[i]];
      double s_mm = radius * ang + (double)rev * turn;
      if (s_mm > ln->length_mm) {
        return MN_DEVICE_OK;
      }
      double cx = ln->start_x_mm + ln->dir_x * s_mm;
      double cy = ln->start_y_mm + ln->dir_y * s_mm;
      double time_s = t0 + s_mm / v;
      int rc = append_stamp(s->l, cx, cy, time_s);
      /* Needles at the same angle form one row: they enter together. */
      for (; rc == 0 && i < c->needles && c->angle_rad[idx[i]] == ang; i++) {
        double off = c->y_mm[idx[i]];
        rc = stamp_needle(s, cx + ax * off, cy + ay * off, protrusion_um, speed, time_s);
      }
      if (rc != 0) {
        return rc;
      }
    }
  }
}

static int load_cam_stroke(const char *data_dir, double *stroke_m, char *err, size_t errlen) {
  char path[1024];
  int n = snprintf(path, sizeof path, "%s/pen/cam.yaml", data_dir);
  if (n < 0 || (size_t)n >= sizeof path) {
    snprintf(err, errlen, "data directory path too long");
    return MN_DEVICE_EINVAL;
  }
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0) {
    snprintf(err, errlen, "out of memory");
    return MN_DEVICE_ENOMEM;
  }
  int rc = MN_DEVICE_OK;
  if (mn_params_load_file(t, path, err, errlen) != 0 ||
      mn_params_get(t, "cam.stroke", "m", stroke_m, err, errlen) != 0) {
    rc = MN_DEVICE_EPARAM;
  }
  mn_params_destroy(&t);
  return rc;
}

static int check_treatment(const mn_device_treatment *t, const mn_cartridge *c, char *err,
                           size_t errlen) {
  if (!(t->area_w_mm > 0.0) || !(t->area_h_mm > 0.0) || t->passes < 1 ||
      !(t->glide_speed_mm_s > 0.0) || !(t->site_stiffness_n_m >= 0.0) ||
      (t->pattern != MN_GLIDE_LINES && t->pattern != MN_GLIDE_CROSSHATCH)) {
    snprintf(err, errlen,
             "treatment: area, glide speed and passes must be positive, the pattern lines or "
             "crosshatch");
    return MN_DEVICE_EINVAL;
  }
  if (!(t->needle_length_mm > 0.0) || t->needle_length_mm > c->needle_length_mm) {
    snprintf(err, errlen, "needle length %g mm: cartridge %s takes up to %g mm",
             t->needle_length_mm, c->name, c->needle_length_mm);
    return MN_DEVICE_EINVAL;
  }
  if (!c->roller && !(t->speed_hz > 0.0)) {
    snprintf(err, errlen, "a pen needs a positive stroke rate, got %g Hz", t->speed_hz);
    return MN_DEVICE_EINVAL;
  }
  return MN_DEVICE_OK;
}

int mn_punctures_generate(const mn_device_treatment *t, mn_puncture_list **out, char *err,
                          size_t errlen) {
  if (t == NULL || out == NULL || t->cartridge == NULL) {
    snprintf(err, errlen, "no treatment or no cartridge");
    return MN_DEVICE_EINVAL;
  }
  *out = NULL;
  const char *dir = t->data_dir != NULL ? t->data_dir : mn_data_dir();
  mn_cartridge c;
  mn_penetration_params pp;
  int rc = mn_cartridge_load(&c, dir, t->cartridge, err, errlen);
  if (rc == 0) {
    rc = mn_penetration_params_load(&pp, dir, err, errlen);
  }
  if (rc != 0) {
    return rc;
  }
  mn_device_treatment tr = *t;
  if (tr.needle_length_mm == 0.0) {
    tr.needle_length_mm = c.needle_length_mm;
  }
  rc = check_treatment(&tr, &c, err, errlen);
  if (rc != 0) {
    return rc;
  }
  stamper s = {.tr = &tr, .c = &c, .pp = &pp};
  s.site_n_m = tr.site_stiffness_n_m > 0.0 ? tr.site_stiffness_n_m : pp.site_stiffness_default_n_m;
  if (!c.roller) {
    rc = load_cam_stroke(dir, &s.cam_stroke_m, err, errlen);
    if (rc != 0) {
      return rc;
    }
  }
  /* Where the hand places each pass: from the treatment's seed, drawn
   * before anything else uses it so a pass's place does not depend on how
   * many punctures earlier passes made. */
  double *frac = malloc(2 * (size_t)tr.passes * sizeof *frac);
  if (frac == NULL) {
    snprintf(err, errlen, "out of memory");
    return MN_DEVICE_ENOMEM;
  }
  mn_device_rng place;
  mn_device_rng_seed(&place, tr.seed ^ 0x5EEDBA5Eull);
  for (int k = 0; k < 2 * tr.passes; k++) {
    frac[k] = tr.hand_placed ? mn_device_rng_uniform(&place) : 0.0;
  }
  const double *across = frac, *along = frac + tr.passes;
  size_t nl = mn_glide_plan_offset(&c, tr.area_w_mm, tr.area_h_mm, tr.passes, tr.pattern, across,
                                   along, NULL, 0);
  mn_glide_lane *lanes = nl ? malloc(nl * sizeof *lanes) : NULL;
  if (lanes == NULL) {
    free(frac);
    snprintf(err, errlen, "out of memory");
    return MN_DEVICE_ENOMEM;
  }
  mn_glide_plan_offset(&c, tr.area_w_mm, tr.area_h_mm, tr.passes, tr.pattern, across, along, lanes,
                       nl);
  free(frac);
  double longest = 0.0, on_skin = 0.0;
  for (size_t i = 0; i < nl; i++) {
    longest = fmax(longest, lanes[i].length_mm / tr.glide_speed_mm_s);
    on_skin += lanes[i].length_mm / tr.glide_speed_mm_s;
  }
  contact_record rec = {0};
  if (!c.roller) {
    rc = tr.stroke_source != NULL
             ? record_from_source(&rec, &tr, &c, on_skin, err, errlen)
             : record_ideal(&rec, tr.speed_hz, tr.needle_length_mm * 1e-3, longest);
    if (rc == MN_DEVICE_ENOMEM) {
      snprintf(err, errlen, "out of memory");
    }
  }
  if (rc == 0) {
    rc = mn_puncture_list_create(&s.l, tr.area_w_mm, tr.area_h_mm);
  }
  mn_device_rng_seed(&s.rng, tr.seed);
  /* A pen's record is one continuous run over the session's time on skin,
   * each lane taking the next stretch of it, so the hand's load and the
   * rate it causes go on from lane to lane instead of repeating; the ideal
   * record is the same in every stretch and each lane starts on a stroke. */
  int continuous = tr.stroke_source != NULL && rec.n > 1;
  double clock = tr.t0_s;
  size_t next = 0;
  for (size_t i = 0; rc == 0 && i < nl; i++) {
    double from = continuous ? clock - tr.t0_s : 0.0;
    if (!continuous) {
      next = 0;
    }
    rc = c.roller ? roller_lane(&s, &lanes[i], clock)
                  : pen_lane(&s, &lanes[i], &rec, clock, from, &next);
    clock += lanes[i].length_mm / tr.glide_speed_mm_s;
  }
  free(lanes);
  record_free(&rec);
  if (rc != 0) {
    if (rc == MN_DEVICE_ENOMEM) {
      snprintf(err, errlen, "out of memory");
    }
    mn_puncture_list_destroy(&s.l);
    return rc;
  }
  s.l->duration_s = clock - tr.t0_s;
  *out = s.l;
  return MN_DEVICE_OK;
}

int mn_punctures_stats(const mn_puncture_list *l, double cell_x_mm, double cell_y_mm,
                       mn_puncture_stats *s, char *err, size_t errlen) {
  if (l == NULL || s == NULL || !(cell_x_mm > 0.0) || !(cell_y_mm > 0.0)) {
    snprintf(err, errlen, "no list, or a cell size that is not positive");
    return MN_DEVICE_EINVAL;
  }
  memset(s, 0, sizeof *s);
  size_t nx = (size_t)floor(l->area_w_mm / cell_x_mm + 1e-9);
  size_t ny = (size_t)floor(l->area_h_mm / cell_y_mm + 1e-9);
  if (nx == 0 || ny == 0) {
    snprintf(err, errlen, "cells of %g x %g mm do not fit the %g x %g mm area", cell_x_mm,
             cell_y_mm, l->area_w_mm, l->area_h_mm);
    return MN_DEVICE_EINVAL;
  }
  double *counts = calloc(nx * ny, sizeof *counts);
  if (counts == NULL) {
    snprintf(err, errlen, "out of memory");
    return MN_DEVICE_ENOMEM;
  }
  double depth = 0.0, width = 0.0, ins = 0.0;
  for (size_t i = 0; i < l->count; i++) {
    depth += l->depth_um[i];
    width += 2.0 * l->radius_um[i];
    ins += l->inserted_um[i];
    if (!(l->x_mm[i] >= 0.0 && l->x_mm[i] < (double)nx * cell_x_mm && l->y_mm[i] >= 0.0 &&
          l->y_mm[i] < (double)ny * cell_y_mm)) {
      continue;
    }
    /* Cloud-in-cell: each puncture is shared between the four nearest cell
     * centres by bilinear weights (what particle-mesh codes do to keep a
     * regular row of points from aliasing against the grid); weights that
     * would fall off the grid stay in the edge cell, so no puncture is lost. */
    double gx = l->x_mm[i] / cell_x_mm - 0.5;
    double gy = l->y_mm[i] / cell_y_mm - 0.5;
    double fx = floor(gx), fy = floor(gy);
    double wx = gx - fx, wy = gy - fy;
    long ix[2] = {(long)fx, (long)fx + 1};
    long iy[2] = {(long)fy, (long)fy + 1};
    double wxs[2] = {1.0 - wx, wx};
    double wys[2] = {1.0 - wy, wy};
    for (int a = 0; a < 2; a++) {
      long cx = ix[a] < 0 ? 0 : (ix[a] >= (long)nx ? (long)nx - 1 : ix[a]);
      for (int b = 0; b < 2; b++) {
        long cy = iy[b] < 0 ? 0 : (iy[b] >= (long)ny ? (long)ny - 1 : iy[b]);
        counts[(size_t)cy * nx + (size_t)cx] += wxs[a] * wys[b];
      }
    }
  }
  double mean = 0.0, var = 0.0;
  size_t cells = nx * ny;
  for (size_t k = 0; k < cells; k++) {
    mean += counts[k];
  }
  mean /= (double)cells;
  for (size_t k = 0; k < cells; k++) {
    double d = counts[k] - mean;
    var += d * d;
  }
  var /= (double)cells;
  free(counts);
  s->punctures = l->count;
  s->area_cm2 = l->area_w_mm * l->area_h_mm * 1e-2;
  s->per_cm2 = (double)l->count / s->area_cm2;
  s->cells = cells;
  s->density_cv = mean > 0.0 ? sqrt(var) / mean : 0.0;
  if (l->count > 0) {
    s->depth_mean_um = depth / (double)l->count;
    s->width_mean_um = width / (double)l->count;
    s->inserted_mean_um = ins / (double)l->count;
  }
  return MN_DEVICE_OK;
}

void mn_punctures_stroking(const mn_puncture_list *l, double *rate_hz, double *interval_cv) {
  *rate_hz = NAN;
  *interval_cv = NAN;
  double sum = 0.0, sum2 = 0.0;
  size_t n = 0;
  for (size_t k = 1; l != NULL && k < l->stamps; k++) {
    int same_lane =
        l->stamp_y_mm[k] == l->stamp_y_mm[k - 1] || l->stamp_x_mm[k] == l->stamp_x_mm[k - 1];
    double dt = l->stamp_time_s[k] - l->stamp_time_s[k - 1];
    if (same_lane && dt > 0.0) {
      sum += dt;
      sum2 += dt * dt;
      n++;
    }
  }
  if (n < 2) {
    return;
  }
  double mean = sum / (double)n;
  double var = fmax(0.0, (sum2 - sum * mean) / (double)(n - 1));
  *rate_hz = 1.0 / mean;
  *interval_cv = sqrt(var) / mean;
}
