/*
 * Penetration model against the published measurements it is calibrated
 * to (MODEL.md section 5), and against its own physics:
 *   - Donnelly et al. 2011 (Pharm Res 28:41): 600 um needles pressed into
 *     human forearm skin in vivo reached ~460 um (77 %) under OCT. "About
 *     460 um" is read as 460 +/- 5 um (the rounding of the figure).
 *   - Kalluri, Kolli & Banga 2011 (AAPS J 13:473): a 770 um DermaRoller
 *     needle left channels 152.5 +/- 9.6 um deep and 70.7 +/- 9.9 um wide in
 *     hairless rat: the model's mean over many punctures lies within one
 *     published SD, and its spread matches the published SDs within 20 %.
 *   - Kalluri et al. also rolled 370 um needles of the same roller and saw
 *     their channels (closed by 12 h): every such needle must pierce.
 *   - the hole left after withdrawal is the recoil's share of the needle's
 *     cross-section at the surface, so it grows with depth only as the cone
 *     does, more slowly than the depth itself.
 *   - the tip-speed formulas of a cam and a rolling drum against hand-worked
 *     values; tenting falls with speed and rises with tip radius.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "device/cartridge.h"
#include "device/penetration.h"
#include "device/rng.h"

static const double pi = 3.14159265358979323846;

static mn_penetration_params params(void) {
  mn_penetration_params p;
  char err[512] = "";
  int rc = mn_penetration_params_load(&p, MN_DATA_DIR, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  return p;
}

static mn_cartridge cartridge(const char *name) {
  mn_cartridge c;
  char err[512] = "";
  int rc = mn_cartridge_load(&c, MN_DATA_DIR, name, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  return c;
}

static void test_donnelly_human_oct(void **state) {
  (void)state;
  mn_penetration_params p = params();
  /* A needle with the reference tip (the force the calibration belongs to),
   * pressed by hand: no impact speed. */
  mn_cartridge c = cartridge("12-round");
  c.tip_radius_um = p.tip_radius_ref_um;
  mn_channel ch;
  assert_int_equal(
      mn_penetration_channel(&p, &c, 600.0, 0.0, p.site_stiffness_human_n_m, 1.0, 1.0, &ch), 0);
  printf("Donnelly 2011: 600 um needle inserted %.1f um (%.1f %%), measured ~460 um (77 %%)\n",
         ch.inserted_um, 100.0 * ch.inserted_um / 600.0);
  assert_true(fabs(ch.inserted_um - 460.0) <= 5.0);
  assert_true(fabs(ch.inserted_um + ch.tenting_um - 600.0) < 1e-9);
}

static void test_kalluri_rat_roller(void **state) {
  (void)state;
  mn_penetration_params p = params();
  mn_cartridge c = cartridge("roller-192");
  /* Rolled by hand at ~1 cm/s: the tip's speed from the drum kinematics. */
  double v = mn_penetration_roller_tip_speed(0.5 * c.drum_diameter_mm * 1e-3, 770e-6, 0.01);
  mn_device_rng rng;
  mn_device_rng_seed(&rng, 2011);
  const size_t n = 20000;
  double sd = 0.0, sd2 = 0.0, sw = 0.0, sw2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    mn_channel ch;
    assert_int_equal(mn_penetration_sample(&p, &c, 770.0, v, p.site_stiffness_rat_n_m, &rng, &ch),
                     0);
    sd += ch.depth_um;
    sd2 += ch.depth_um * ch.depth_um;
    sw += ch.width_um;
    sw2 += ch.width_um * ch.width_um;
  }
  double md = sd / (double)n, mw = sw / (double)n;
  double dd = sqrt(sd2 / (double)n - md * md), dw = sqrt(sw2 / (double)n - mw * mw);
  printf("Kalluri 2011: depth %.1f +/- %.1f um (measured 152.5 +/- 9.6), width %.1f +/- %.1f um "
         "(measured 70.7 +/- 9.9)\n",
         md, dd, mw, dw);
  assert_true(fabs(md - 152.5) <= 9.6);
  assert_true(fabs(mw - 70.7) <= 9.9);
  assert_true(fabs(dd / 9.6 - 1.0) < 0.2);
  assert_true(fabs(dw / 9.9 - 1.0) < 0.2);
}

static void test_kalluri_370_pierces(void **state) {
  (void)state;
  mn_penetration_params p = params();
  mn_cartridge c = cartridge("roller-192");
  double r_drum = 0.5 * c.drum_diameter_mm * 1e-3;
  mn_device_rng rng;
  mn_device_rng_seed(&rng, 370);
  const size_t n = 20000;
  size_t missed = 0;
  double sd370 = 0.0, sw370 = 0.0, sd770 = 0.0, sw770 = 0.0;
  for (size_t i = 0; i < n; i++) {
    mn_channel a, b;
    double v = mn_penetration_roller_tip_speed(r_drum, 370e-6, 0.01);
    assert_int_equal(mn_penetration_sample(&p, &c, 370.0, v, p.site_stiffness_rat_n_m, &rng, &a),
                     0);
    v = mn_penetration_roller_tip_speed(r_drum, 770e-6, 0.01);
    assert_int_equal(mn_penetration_sample(&p, &c, 770.0, v, p.site_stiffness_rat_n_m, &rng, &b),
                     0);
    missed += a.inserted_um <= 0.0;
    sd370 += a.depth_um;
    sw370 += a.width_um;
    sd770 += b.depth_um;
    sw770 += b.width_um;
  }
  double md370 = sd370 / (double)n, mw370 = sw370 / (double)n;
  printf("Kalluri 2011, 370 um roller: %zu of %zu needles missed, channel %.1f um deep, %.1f um "
         "wide (770 um: %.1f, %.1f)\n",
         missed, n, md370, mw370, sd770 / (double)n, sw770 / (double)n);
  /* Channels, not the odd puncture: fewer than 1 in 1000 needles tent past
   * their length (the far tail of the tenting spread). */
  assert_true(missed * 1000 < n);
  /* Nearly every needle in, the factors have mean 1 and the law is linear in
   * the tenting: the mean channel is the law at the mean tenting, F_p / k at
   * the drum's (nearly zero) speed. */
  double v = mn_penetration_roller_tip_speed(r_drum, 370e-6, 0.01);
  double force = p.puncture_force_ref_n * pow(c.tip_radius_um / p.tip_radius_ref_um, 2.0);
  double tent = force / (p.site_stiffness_rat_n_m * (1.0 + v / p.impact_velocity_m_s)) * 1e6;
  double ins = 370.0 - tent;
  double depth = p.channel_retention * ins;
  double width = p.surface_recoil * 2.0 * (c.tip_radius_um + ins * tan(c.taper_half_angle_rad));
  assert_true(fabs(md370 / depth - 1.0) < 0.01);
  assert_true(fabs(mw370 / width - 1.0) < 0.01);
  /* Shallower and narrower than the 770 um needle's. */
  assert_true(md370 < 0.5 * sd770 / (double)n && mw370 < sw770 / (double)n);
}

static void test_hole_after_withdrawal(void **state) {
  (void)state;
  mn_penetration_params p = params();
  mn_cartridge c = cartridge("12-round");
  double k = p.site_stiffness_human_n_m;
  double t = tan(c.taper_half_angle_rad);
  /* Recoil: the open hole is a share of the needle, never the whole. */
  assert_true(p.surface_recoil > 0.0 && p.surface_recoil < 1.0);
  /* A pen at 0.25 and 0.5 mm, 110 Hz, 3.5 mm cam: each needle strikes at
   * the cam's speed where it crosses the face. */
  double v1 = mn_penetration_pen_tip_speed(3.5e-3, 0.25e-3, 110.0);
  double v2 = mn_penetration_pen_tip_speed(3.5e-3, 0.5e-3, 110.0);
  mn_channel a, b;
  assert_int_equal(mn_penetration_channel(&p, &c, 250.0, v1, k, 1.0, 1.0, &a), 0);
  assert_int_equal(mn_penetration_channel(&p, &c, 500.0, v2, k, 1.0, 1.0, &b), 0);
  printf("pen 0.25 mm: %.0f um in, hole %.1f um (needle %.1f); 0.5 mm: %.0f um in, hole %.1f um "
         "(needle %.1f)\n",
         a.inserted_um, a.width_um, a.needle_width_um, b.inserted_um, b.width_um,
         b.needle_width_um);
  /* The needle's cross-section at the surface is the cone's at the inserted
   * depth, and the hole the recoil's share of it. */
  assert_true(fabs(a.needle_width_um - 2.0 * (c.tip_radius_um + a.inserted_um * t)) < 1e-9);
  assert_true(fabs(a.width_um - p.surface_recoil * a.needle_width_um) < 1e-9);
  assert_true(fabs(b.width_um - p.surface_recoil * b.needle_width_um) < 1e-9);
  /* Width grows with depth as the cone from a finite tip does: by
   * (r_tip + d2 tan a) / (r_tip + d1 tan a), less than the depths' ratio. */
  double wr = b.width_um / a.width_um, dr = b.inserted_um / a.inserted_um;
  assert_true(fabs(wr - (c.tip_radius_um + b.inserted_um * t) /
                            (c.tip_radius_um + a.inserted_um * t)) < 1e-9);
  assert_true(wr < dr);
  /* The channel never outgrows the needle's shank, however deep. */
  mn_channel deep;
  assert_int_equal(mn_penetration_channel(&p, &c, 2500.0, v2, k, 1.0, 1.0, &deep), 0);
  assert_true(fabs(deep.needle_width_um - 1e3 * c.needle_diameter_mm) < 1e-9);
  assert_true(deep.width_um < 1e3 * c.needle_diameter_mm);
}

static void test_tip_speeds(void **state) {
  (void)state;
  /* Cam: stroke 3.5 mm, depth 1.0 mm, 110 Hz: cos theta = 2/3.5 - 1,
   * v = 1.75 mm x 2 pi 110 x sin theta. */
  double c = 2.0 * 1.0 / 3.5 - 1.0;
  double expect = 1.75e-3 * 2.0 * pi * 110.0 * sqrt(1.0 - c * c);
  assert_true(fabs(mn_penetration_pen_tip_speed(3.5e-3, 1.0e-3, 110.0) - expect) < 1e-12);
  /* Half the stroke protruding: the tip crosses the face at full speed. */
  assert_true(fabs(mn_penetration_pen_tip_speed(4e-3, 2e-3, 100.0) - 2e-3 * 2 * pi * 100.0) <
              1e-12);
  assert_true(mn_penetration_pen_tip_speed(3.5e-3, 0.0, 110.0) == 0.0);
  /* Drum of radius 10 mm, 1.5 mm needles, 20 mm/s: lever sqrt(11.5^2 -
   * 10^2) = 5.679 mm, omega = 2 rad/s. */
  double lever = sqrt(11.5 * 11.5 - 100.0) * 1e-3;
  assert_true(fabs(mn_penetration_roller_tip_speed(10e-3, 1.5e-3, 0.02) - 2.0 * lever) < 1e-12);
}

static void test_trends(void **state) {
  (void)state;
  mn_penetration_params p = params();
  mn_cartridge c = cartridge("12-round");
  mn_channel slow, fast, blunt;
  double k = p.site_stiffness_human_n_m;
  assert_int_equal(mn_penetration_channel(&p, &c, 1000.0, 0.0, k, 1.0, 1.0, &slow), 0);
  assert_int_equal(
      mn_penetration_channel(&p, &c, 1000.0, p.impact_velocity_m_s, k, 1.0, 1.0, &fast), 0);
  /* At the impact velocity tenting halves. */
  assert_true(fabs(fast.tenting_um - 0.5 * slow.tenting_um) < 1e-9);
  assert_true(fast.depth_um > slow.depth_um && fast.width_um > slow.width_um);
  /* Tenting goes as the tip area: twice the radius, four times the tenting. */
  c.tip_radius_um *= 2.0;
  assert_int_equal(mn_penetration_channel(&p, &c, 1000.0, 0.0, k, 1.0, 1.0, &blunt), 0);
  assert_true(fabs(blunt.tenting_um - 4.0 * slow.tenting_um) < 1e-9);
  /* A needle shorter than the tenting does not pierce. */
  assert_int_equal(mn_penetration_channel(&p, &c, 0.5 * blunt.tenting_um, 0.0, k, 1.0, 1.0, &blunt),
                   0);
  assert_true(blunt.inserted_um == 0.0 && blunt.depth_um == 0.0 && blunt.width_um == 0.0 &&
              blunt.needle_width_um == 0.0);
  /* The channel is never wider than the needle. */
  assert_int_equal(mn_penetration_channel(&p, &c, 3000.0, 1.0, k, 1.0, 1.0, &fast), 0);
  assert_true(fast.width_um <= 1e3 * c.needle_diameter_mm + 1e-9);
  /* Bad arguments. */
  assert_int_equal(mn_penetration_channel(&p, &c, 100.0, 0.0, 0.0, 1.0, 1.0, &fast),
                   MN_DEVICE_EINVAL);
}

static void test_lognormal_spread(void **state) {
  (void)state;
  /* The per-puncture factor has mean 1 and the CV asked for. */
  mn_device_rng rng;
  mn_device_rng_seed(&rng, 7);
  const size_t n = 200000;
  double s = 0.0, s2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    double f = mn_device_rng_unit_lognormal(&rng, 0.2);
    s += f;
    s2 += f * f;
  }
  double m = s / (double)n;
  double cv = sqrt(s2 / (double)n - m * m) / m;
  assert_true(fabs(m - 1.0) < 3e-3);
  assert_true(fabs(cv - 0.2) < 3e-3);
  assert_true(mn_device_rng_unit_lognormal(&rng, 0.0) == 1.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_donnelly_human_oct),  cmocka_unit_test(test_kalluri_rat_roller),
      cmocka_unit_test(test_kalluri_370_pierces), cmocka_unit_test(test_hole_after_withdrawal),
      cmocka_unit_test(test_tip_speeds),          cmocka_unit_test(test_trends),
      cmocka_unit_test(test_lognormal_spread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
