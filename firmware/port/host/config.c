/*
 * Host factory record; see include/mnpen_host/config.h. Every number comes
 * from the parameter table; this file only converts units and checks that
 * each converted value fits the firmware's integer field.
 */
#include "mnpen_host/config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mnpen/sha256.h"
#include "plant/battery.h"

void mnpen_host_master_key(uint8_t key[MNPEN_CART_KEY_LEN]) {
  static const char seed[] = "mnlab simulated pen: maker's master key";
  mnpen_sha256(seed, sizeof seed - 1, key);
}

typedef struct {
  const mn_params *t;
  char *err;
  size_t errlen;
  int rc;
} loader;

/* Reads firmware.NAME in UNIT, scaled, checked against [lo, hi]. */
static double get(loader *l, const char *name, const char *unit, double scale, double lo,
                  double hi) {
  if (l->rc != 0) {
    return 0.0;
  }
  char key[96];
  snprintf(key, sizeof key, "firmware.%s", name);
  double v = 0.0;
  l->rc = mn_params_get(l->t, key, unit, &v, l->err, l->errlen);
  if (l->rc != 0) {
    return 0.0;
  }
  v *= scale;
  if (!(v >= lo && v <= hi)) {
    snprintf(l->err, l->errlen, "%s = %g %s is outside what the firmware accepts", key, v / scale,
             unit);
    l->rc = -1;
    return 0.0;
  }
  return round(v);
}

int mnpen_host_config_load(mnpen_config *cfg, const mn_params *t, const mn_plant_params *plant,
                           int regulated, char *err, size_t errlen) {
  memset(cfg, 0, sizeof *cfg);
  loader l = {t, err, errlen, 0};
  const double tick_s = MNPEN_TICK_US * 1e-6;
  const double ticks_per_s = 1.0 / tick_s;
  const double q16 = 65536.0;

  /* Speed loop. ke per stroke rate: one stroke per revolution, so 1 mHz is
   * 2 pi / 1000 rad/s; the circuit resistance includes the bridge. */
  double ke_nv = plant->motor.torque_constant * 2.0 * acos(-1.0) / 1000.0 * 1e9;
  double r_mohm = (plant->motor.resistance + plant->bridge.on_resistance) * 1e3;
  cfg->speed.ke_nv_per_mhz = (uint32_t)round(ke_nv);
  cfg->speed.r_mohm = (uint32_t)round(r_mohm);
  cfg->speed.ir_comp_pct = (uint16_t)get(&l, "speed_ir_compensation", "1", 100.0, 0, 100);
  /* duty per Hz -> duty units per mHz, Q16 */
  cfg->speed.kp_q16 =
      (int32_t)get(&l, "speed_kp", "1/Hz", MNPEN_DUTY_FULL / 1000.0 * q16, 0, INT32_MAX);
  cfg->speed.ki_q16 = (int32_t)get(&l, "speed_ki", "1/(Hz s)",
                                   MNPEN_DUTY_FULL / 1000.0 * tick_s * q16, 0, INT32_MAX);
  cfg->speed.current_limit_ma = (int32_t)get(&l, "current_limit", "A", 1000.0, 1, 100000);
  cfg->speed.ramp_mhz_per_tick =
      (uint32_t)get(&l, "soft_start_rate", "Hz/s", 1000.0 * tick_s, 1, 1e6);
  cfg->speed_default_mhz =
      (uint32_t)get(&l, "speed_default", "Hz", 1000.0, MNPEN_SPEED_MIN_MHZ, MNPEN_SPEED_MAX_MHZ);
  cfg->speed_step_mhz = (uint32_t)get(&l, "speed_step", "Hz", 1000.0, 1, 60000);

  /* Depth. */
  cfg->depth.step_um = (uint16_t)get(&l, "depth_step", "mm", 1000.0, 1, 1000);
  cfg->depth.tolerance_um = (uint16_t)get(&l, "depth_tolerance", "mm", 1000.0, 1, 1000);
  cfg->depth.settle_ticks = (uint16_t)get(&l, "depth_settle_time", "s", ticks_per_s, 1, UINT16_MAX);
  cfg->depth.sensor_min_um = (int16_t)get(&l, "depth_sensor_min", "mm", 1000.0, -5000, 5000);
  cfg->depth.sensor_max_um = (int16_t)get(&l, "depth_sensor_max", "mm", 1000.0, -5000, 5000);
  cfg->depth_default_um = (int32_t)get(&l, "depth_default", "mm", 1000.0, 0, 3000);
  if (l.rc == 0) {
    const double *zones = NULL;
    size_t nz = 0;
    l.rc = mn_params_get_table(t, "firmware.zone_max_depth", "mm", &zones, &nz, err, errlen);
    if (l.rc == 0 && (nz == 0 || nz > MNPEN_ZONES_MAX)) {
      snprintf(err, errlen, "firmware.zone_max_depth: %zu zones, the firmware holds 1 to %d", nz,
               MNPEN_ZONES_MAX);
      l.rc = -1;
    }
    for (size_t i = 0; l.rc == 0 && i < nz; i++) {
      cfg->depth.zone_max_um[i] = (uint16_t)round(zones[i] * 1000.0);
    }
    cfg->depth.zone_count = (uint8_t)nz;
  }

  /* Power and heat. The OCV table is the cell's own curve at 0, 10 ... 100 %. */
  for (int i = 0; i < MNPEN_OCV_POINTS; i++) {
    double soc = (double)i / (MNPEN_OCV_POINTS - 1);
    cfg->power.ocv_mv[i] = (uint16_t)round(mn_battery_ocv(&plant->battery, soc) * 1000.0);
  }
  cfg->power.start_min_mv = (uint16_t)get(&l, "battery_start_min", "V", 1000.0, 0, 10000);
  cfg->power.stop_mv = (uint16_t)get(&l, "battery_stop", "V", 1000.0, 0, 10000);
  cfg->power.stop_ticks = (uint16_t)get(&l, "battery_stop_time", "s", ticks_per_s, 1, 10000);
  cfg->power.filter_shift = (uint16_t)get(&l, "battery_filter_shift", "1", 1.0, 0, 8);
  cfg->power.battery_min_mv = (uint16_t)get(&l, "battery_sensor_min", "V", 1000.0, 0, 65535);
  cfg->power.battery_max_mv = (uint16_t)get(&l, "battery_sensor_max", "V", 1000.0, 0, 65535);
  cfg->power.derate_dc = (int16_t)get(&l, "temperature_derate", "degC", 10.0, -500, 2000);
  cfg->power.shutdown_dc = (int16_t)get(&l, "temperature_shutdown", "degC", 10.0, -500, 2000);
  cfg->power.restart_dc = (int16_t)get(&l, "temperature_restart", "degC", 10.0, -500, 2000);
  cfg->power.temp_min_dc = (int16_t)get(&l, "temperature_sensor_min", "degC", 10.0, -500, 2000);
  cfg->power.temp_max_dc = (int16_t)get(&l, "temperature_sensor_max", "degC", 10.0, -500, 2000);

  /* Motor guard. */
  cfg->guard.over_current_ma = (int32_t)get(&l, "over_current", "A", 1000.0, 1, 100000);
  cfg->guard.over_current_ticks =
      (uint16_t)get(&l, "over_current_time", "s", ticks_per_s, 1, 10000);
  cfg->guard.stall_speed_pct = (uint16_t)get(&l, "stall_speed_fraction", "1", 100.0, 1, 100);
  cfg->guard.stall_ticks = (uint16_t)get(&l, "stall_time", "s", ticks_per_s, 1, 10000);
  cfg->guard.start_grace_ticks = (uint16_t)get(&l, "start_grace", "s", ticks_per_s, 0, 60000);
  cfg->guard.current_min_ma = (int32_t)get(&l, "current_sensor_min", "A", 1000.0, -1e5, 1e5);
  cfg->guard.current_max_ma = (int32_t)get(&l, "current_sensor_max", "A", 1000.0, -1e5, 1e5);
  cfg->guard.over_speed_pct = (uint16_t)get(&l, "over_speed_margin", "1", 100.0, 0, 100);
  cfg->guard.over_speed_ticks = (uint16_t)get(&l, "over_speed_time", "s", ticks_per_s, 1, 10000);
  cfg->guard.emf_r_rise_pct =
      (uint16_t)get(&l, "speed_plausibility_resistance_rise", "1", 100.0, 0, 200);
  cfg->guard.plausible_tol_mhz =
      (uint32_t)get(&l, "speed_plausibility_tolerance", "Hz", 1000.0, 0, 1e6);
  cfg->guard.plausible_tol_pct =
      (uint16_t)get(&l, "speed_plausibility_tolerance_fraction", "1", 100.0, 0, 1000);
  cfg->guard.implausible_ticks =
      (uint16_t)get(&l, "speed_plausibility_time", "s", ticks_per_s, 1, 10000);

  cfg->watchdog_us = (uint32_t)get(&l, "watchdog_timeout", "s", 1e6, MNPEN_TICK_US, 1e6);
  cfg->debounce_ticks = (uint16_t)get(&l, "debounce_time", "s", ticks_per_s, 1, 10000);
  cfg->cart_answer_ticks = (uint16_t)get(&l, "cart_answer_timeout", "s", ticks_per_s, 1, 10000);
  cfg->regulated = regulated ? 1u : 0u;
  /* The fixed duty of an unregulated pen is set for a nominal cell: the
   * OCV at half charge. */
  cfg->speed.nominal_mv = cfg->power.ocv_mv[MNPEN_OCV_POINTS / 2];
  mnpen_host_master_key(cfg->master_key);
  return l.rc;
}
