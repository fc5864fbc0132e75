/* Needle penetration and the channel it leaves; see penetration.h. */
#include "device/penetration.h"

#include <math.h>
#include <stdio.h>

#include "io/datadir.h"

static const double pi = 3.14159265358979323846;

int mn_penetration_params_from(mn_penetration_params *p, const mn_params *t, char *err,
                               size_t errlen) {
  struct {
    const char *key;
    const char *unit;
    double *dst;
    double lo, hi; /* accepted range, inclusive */
  } k[] = {
      {"penetration.puncture_force_ref", "N", &p->puncture_force_ref_n, 1e-6, 10.0},
      {"penetration.tip_radius_ref", "um", &p->tip_radius_ref_um, 1e-3, 1e3},
      {"penetration.tip_area_exponent", "1", &p->tip_area_exponent, 0.0, 4.0},
      {"penetration.site_stiffness_human", "N/m", &p->site_stiffness_human_n_m, 1e-3, 1e6},
      {"penetration.site_stiffness_rat", "N/m", &p->site_stiffness_rat_n_m, 1e-3, 1e6},
      {"penetration.site_stiffness_default", "N/m", &p->site_stiffness_default_n_m, 1e-3, 1e6},
      {"penetration.impact_velocity", "m/s", &p->impact_velocity_m_s, 1e-6, 1e3},
      {"penetration.channel_retention", "1", &p->channel_retention, 0.0, 1.0},
      {"penetration.surface_recoil", "1", &p->surface_recoil, 1e-3, 1.0},
      {"penetration.tenting_cv", "1", &p->tenting_cv, 0.0, 2.0},
      {"penetration.width_cv", "1", &p->width_cv, 0.0, 2.0},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    if (mn_params_get(t, k[i].key, k[i].unit, k[i].dst, err, errlen) != 0) {
      return MN_DEVICE_EPARAM;
    }
    if (!(*k[i].dst >= k[i].lo && *k[i].dst <= k[i].hi)) {
      snprintf(err, errlen, "%s = %g is outside [%g, %g]", k[i].key, *k[i].dst, k[i].lo, k[i].hi);
      return MN_DEVICE_EPARAM;
    }
  }
  return MN_DEVICE_OK;
}

int mn_penetration_params_load(mn_penetration_params *p, const char *data_dir, char *err,
                               size_t errlen) {
  char path[1024];
  int n = snprintf(path, sizeof path, "%s/device/penetration.yaml",
                   data_dir != NULL ? data_dir : mn_data_dir());
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
    rc = mn_penetration_params_from(p, t, err, errlen);
  }
  mn_params_destroy(&t);
  return rc;
}

int mn_penetration_channel(const mn_penetration_params *p, const mn_cartridge *c,
                           double protrusion_um, double tip_speed_m_s, double site_n_m,
                           double tent_factor, double width_factor, mn_channel *out) {
  if (p == NULL || c == NULL || out == NULL || !(protrusion_um >= 0.0) || !(tip_speed_m_s >= 0.0) ||
      !(site_n_m > 0.0) || !(tent_factor > 0.0) || !(width_factor > 0.0)) {
    return MN_DEVICE_EINVAL;
  }
  double force =
      p->puncture_force_ref_n * pow(c->tip_radius_um / p->tip_radius_ref_um, p->tip_area_exponent);
  double stiffening = 1.0 + tip_speed_m_s / p->impact_velocity_m_s;
  double tenting_um = force / (site_n_m * stiffening) * 1e6 * tent_factor;
  double inserted = fmax(0.0, protrusion_um - tenting_um);
  /* The needle's cross-section where it passed the skin surface at full
   * insertion; once it is withdrawn the wedged-open tear closes to a share of
   * it. */
  double radius_um = fmin(c->tip_radius_um + inserted * tan(c->taper_half_angle_rad),
                          0.5e3 * c->needle_diameter_mm);
  out->tenting_um = tenting_um;
  out->inserted_um = inserted;
  out->needle_width_um = inserted > 0.0 ? 2.0 * radius_um : 0.0;
  out->depth_um = p->channel_retention * inserted;
  out->width_um = out->needle_width_um * p->surface_recoil * width_factor;
  return MN_DEVICE_OK;
}

int mn_penetration_sample(const mn_penetration_params *p, const mn_cartridge *c,
                          double protrusion_um, double tip_speed_m_s, double site_n_m,
                          mn_device_rng *rng, mn_channel *out) {
  if (rng == NULL || p == NULL) {
    return MN_DEVICE_EINVAL;
  }
  double ft = mn_device_rng_unit_lognormal(rng, p->tenting_cv);
  double fw = mn_device_rng_unit_lognormal(rng, p->width_cv);
  return mn_penetration_channel(p, c, protrusion_um, tip_speed_m_s, site_n_m, ft, fw, out);
}

double mn_penetration_pen_tip_speed(double stroke_m, double depth_m, double rate_hz) {
  if (!(stroke_m > 0.0) || !(depth_m > 0.0) || !(rate_hz > 0.0)) {
    return 0.0;
  }
  double c = fmax(-1.0, fmin(1.0, 2.0 * depth_m / stroke_m - 1.0));
  double s = sqrt(fmax(0.0, 1.0 - c * c));
  return 0.5 * stroke_m * 2.0 * pi * rate_hz * s;
}

double mn_penetration_roller_tip_speed(double drum_radius_m, double needle_length_m,
                                       double roll_speed_m_s) {
  if (!(drum_radius_m > 0.0) || !(needle_length_m >= 0.0) || !(roll_speed_m_s >= 0.0)) {
    return 0.0;
  }
  double rt = drum_radius_m + needle_length_m;
  double lever = sqrt(rt * rt - drum_radius_m * drum_radius_m);
  return roll_speed_m_s / drum_radius_m * lever;
}
