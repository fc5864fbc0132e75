/*
 * Penetration: what one needle does to the skin. Skin tents under the tip
 * until the force reaches the puncture force, so the needle goes in by its
 * protrusion less the tenting; when it is withdrawn the track partly closes.
 * For each needle this gives the depth the tip reached (the wound), the
 * depth of the channel that stays open and its width at the surface, which
 * the skin model takes as the puncture's depth and radius.
 *
 *   F_p      = F_ref (r_tip / r_ref)^n                (puncture force)
 *   tenting  = F_p / (k_site (1 + v / v_impact)) * f_t (f_t: per-puncture)
 *   inserted = max(0, protrusion - tenting)
 *   needle   = 2 min(r_tip + inserted tan(alpha), d / 2)
 *   width    = recoil * needle * f_w
 *   channel  = retention * inserted
 *
 * How the skin is loaded enters through k_site and v. k_site is the site's
 * tenting stiffness (an argument: the protocol's species picks it); v the
 * tip's speed when it meets the skin: ~1 m/s for a pen's cam, which strikes
 * faster than viscoelastic skin can tent, millimetres per second for a
 * roller's drum or an array pressed by hand, both quasi-static. A sharp tip
 * goes in by cutting a crack that the shank wedges open (Shergold & Fleck
 * 2004, 2005); withdrawn, the crack's faces close elastically, so the hole
 * left at the surface is a share (recoil) of the needle's cross-section
 * there, not the cross-section itself. Parameters come from
 * data/device/penetration.yaml, with the calibration to the published
 * measurements written next to each value.
 */
#ifndef MN_DEVICE_PENETRATION_H
#define MN_DEVICE_PENETRATION_H

#include <stddef.h>

#include "device/cartridge.h"
#include "device/rng.h"
#include "io/params.h"

typedef struct {
  double puncture_force_ref_n;
  double tip_radius_ref_um;
  double tip_area_exponent;
  double site_stiffness_human_n_m; /* calibrated: human forearm, Donnelly et al. 2011 */
  double site_stiffness_rat_n_m;   /* calibrated: hairless rat, Kalluri et al. 2011 */
  double site_stiffness_default_n_m;
  double impact_velocity_m_s;
  double channel_retention;
  double surface_recoil; /* open surface hole / needle cross-section there */
  double tenting_cv;
  double width_cv;
} mn_penetration_params;

typedef struct {
  double tenting_um;      /* how far the surface went down before the tip pierced it */
  double inserted_um;     /* how deep the tip reached below the undeformed surface */
  double depth_um;        /* open channel left after withdrawal */
  double needle_width_um; /* needle diameter at the skin surface at full insertion */
  double width_um;        /* open channel diameter at the surface after withdrawal */
} mn_channel;

int mn_penetration_params_from(mn_penetration_params *p, const mn_params *t, char *err,
                               size_t errlen);
/* Loads DATA_DIR/device/penetration.yaml (data_dir NULL: mn_data_dir()). */
int mn_penetration_params_load(mn_penetration_params *p, const char *data_dir, char *err,
                               size_t errlen);

/* The channel of one needle of cartridge c protruding protrusion_um past the
 * cartridge face (pens) or the drum (rollers), its tip meeting the skin at
 * tip_speed_m_s, on a site of tenting stiffness site_n_m. tent_factor and
 * width_factor are the per-puncture spreads (1, 1 for the mean needle). */
int mn_penetration_channel(const mn_penetration_params *p, const mn_cartridge *c,
                           double protrusion_um, double tip_speed_m_s, double site_n_m,
                           double tent_factor, double width_factor, mn_channel *out);

/* The same with the spread drawn from rng (log-normal, mean 1, the CVs of
 * the parameter file): two draws per call, tenting first. */
int mn_penetration_sample(const mn_penetration_params *p, const mn_cartridge *c,
                          double protrusion_um, double tip_speed_m_s, double site_n_m,
                          mn_device_rng *rng, mn_channel *out);

/* A pen's tip speed where it crosses the cartridge face plane: the cam moves
 * the tip as depth - stroke (1 + cos theta) / 2, so it crosses at
 * cos theta = 2 depth / stroke - 1 with speed (stroke / 2) omega sin theta.
 * SI units; 0 when the tip never protrudes. */
double mn_penetration_pen_tip_speed(double stroke_m, double depth_m, double rate_hz);

/* A roller needle's vertical speed as it meets the skin: the drum rolls
 * without slipping about its contact line, so a tip at radius R + L touches
 * the surface a horizontal distance sqrt((R + L)^2 - R^2) from that line and
 * moves down at omega times that distance. SI units. */
double mn_penetration_roller_tip_speed(double drum_radius_m, double needle_length_m,
                                       double roll_speed_m_s);

#endif /* MN_DEVICE_PENETRATION_H */
