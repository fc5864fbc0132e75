/*
 * Stroke-rate controller; see speed.h for the design. The feed-forward is
 * computed in millivolts (what the bridge must put across the motor) and
 * turned into duty by the measured battery voltage, so a sagging battery
 * is compensated as long as there is duty headroom.
 */
#include "mnpen/speed.h"

#include "mnpen/hal.h"

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

void mnpen_speed_init(mnpen_speed *s, const mnpen_speed_config *cfg, int regulated) {
  s->cfg = cfg;
  s->target_mhz = 0;
  s->ramp_mhz = 0;
  s->integ_q16 = 0;
  s->duty = 0;
  s->regulated = regulated;
}

void mnpen_speed_start(mnpen_speed *s, uint32_t target_mhz) {
  s->target_mhz = target_mhz;
  s->ramp_mhz = 0;
  s->integ_q16 = 0;
  s->duty = 0;
}

void mnpen_speed_set_target(mnpen_speed *s, uint32_t target_mhz) {
  s->target_mhz = target_mhz;
}

void mnpen_speed_stop(mnpen_speed *s) {
  s->target_mhz = 0;
  s->ramp_mhz = 0;
  s->integ_q16 = 0;
  s->duty = 0;
}

/* Voltage the motor needs at a speed and current, in mV. */
static int64_t feedforward_mv(const mnpen_speed_config *c, uint32_t speed_mhz, int32_t current_ma) {
  int64_t emf_mv = (int64_t)c->ke_nv_per_mhz * speed_mhz / 1000000;
  int64_t ir_mv = (int64_t)c->r_mohm * current_ma / 1000 * c->ir_comp_pct / 100;
  return emf_mv + ir_mv;
}

static uint16_t mv_to_duty(int64_t mv, uint16_t battery_mv) {
  if (battery_mv == 0u) {
    return 0;
  }
  return (uint16_t)clamp64(mv * MNPEN_DUTY_FULL / battery_mv, 0, MNPEN_DUTY_FULL);
}

uint16_t mnpen_speed_update(mnpen_speed *s, uint32_t measured_mhz, int32_t current_ma,
                            uint16_t battery_mv) {
  const mnpen_speed_config *c = s->cfg;

  /* Ramp the setpoint towards the target in both directions. */
  if (s->ramp_mhz < s->target_mhz) {
    uint32_t room = s->target_mhz - s->ramp_mhz;
    s->ramp_mhz += room < c->ramp_mhz_per_tick ? room : c->ramp_mhz_per_tick;
  } else if (s->ramp_mhz > s->target_mhz) {
    uint32_t room = s->ramp_mhz - s->target_mhz;
    s->ramp_mhz -= room < c->ramp_mhz_per_tick ? room : c->ramp_mhz_per_tick;
  }

  if (!s->regulated) {
    /* A cheap pen: the duty that gives the set speed unloaded on a nominal
     * battery, blind to load and to battery voltage. */
    s->duty = mv_to_duty(feedforward_mv(c, s->ramp_mhz, 0), c->nominal_mv);
    return s->duty;
  }

  /* Current limit: the highest duty that keeps the winding current at the
   * limit for the speed the motor has now. The speed is the slower of the
   * encoder and the back-EMF, since a jammed shaft leaves the encoder's
   * last period standing for a while. The limit also caps the inrush of a
   * start with the needles already in skin. */
  uint32_t emf_mhz = mnpen_speed_emf_estimate_mhz(s, current_ma, battery_mv);
  uint32_t slow_mhz = emf_mhz < measured_mhz ? emf_mhz : measured_mhz;
  int64_t cap_mv = (int64_t)c->ke_nv_per_mhz * slow_mhz / 1000000 +
                   (int64_t)c->r_mohm * c->current_limit_ma / 1000;
  int64_t cap_q16 = (int64_t)mv_to_duty(cap_mv, battery_mv) << 16;

  /* Feedback: the encoder, unless the back-EMF says the motor is clearly
   * faster. An encoder's period measurement can only lag (no edge yet at
   * start, an old period while accelerating), never lead, and at low speed
   * its edges come too seldom to close a fast loop on. */
  uint32_t fb_mhz = (uint64_t)emf_mhz > 2u * (uint64_t)measured_mhz ? emf_mhz : measured_mhz;
  int64_t err = (int64_t)s->ramp_mhz - (int64_t)fb_mhz;
  int64_t ff = (int64_t)mv_to_duty(feedforward_mv(c, s->ramp_mhz, current_ma), battery_mv);
  int64_t p = (int64_t)c->kp_q16 * err;
  int64_t full_q16 = (int64_t)MNPEN_DUTY_FULL << 16;
  int64_t unsat_q16 = (ff << 16) + p + s->integ_q16;

  /* Conditional integration: do not wind further into a saturated side
   * (the duty range or the current limit). */
  int saturated_high = (unsat_q16 >= full_q16 || unsat_q16 >= cap_q16) && err > 0;
  int saturated_low = unsat_q16 <= 0 && err < 0;
  if (!saturated_high && !saturated_low) {
    s->integ_q16 = clamp64(s->integ_q16 + (int64_t)c->ki_q16 * err, -full_q16, full_q16);
  }

  int64_t out_q16 = (ff << 16) + p + s->integ_q16;
  out_q16 = out_q16 < cap_q16 ? out_q16 : cap_q16;
  s->duty = (uint16_t)(clamp64(out_q16, 0, full_q16) >> 16);
  return s->duty;
}

uint32_t mnpen_speed_emf_estimate_mhz(const mnpen_speed *s, int32_t current_ma,
                                      uint16_t battery_mv) {
  return mnpen_speed_emf_estimate_r_mhz(s, current_ma, battery_mv, s->cfg->r_mohm);
}

uint32_t mnpen_speed_emf_estimate_r_mhz(const mnpen_speed *s, int32_t current_ma,
                                        uint16_t battery_mv, uint32_t r_mohm) {
  const mnpen_speed_config *c = s->cfg;
  /* |r x I| < 2^32 x 2^31 = 2^63, so the drop fits in 64 bits. */
  int64_t applied_mv = (int64_t)s->duty * battery_mv / MNPEN_DUTY_FULL;
  int64_t ir_mv = (int64_t)r_mohm * current_ma / 1000;
  int64_t emf_mv = applied_mv - ir_mv;
  if (emf_mv <= 0 || c->ke_nv_per_mhz == 0u) {
    return 0;
  }
  /* emf x 10^6 / ke, saturating: split so no product passes 2^63. */
  int64_t ke = (int64_t)c->ke_nv_per_mhz;
  int64_t whole = emf_mv / ke;
  if (whole > (int64_t)(UINT32_MAX / 1000000u)) {
    return UINT32_MAX;
  }
  int64_t mhz = whole * 1000000 + emf_mv % ke * 1000000 / ke;
  return (uint32_t)clamp64(mhz, 0, UINT32_MAX);
}
