/*
 * Motor guard: a jam (high current, no speed) is a stall, high current at
 * speed is an over-current, a slow motor past the start grace is a stall,
 * short spikes are ignored, implausible current readings are sensor faults;
 * a stroke rate above the hard maximum plus its margin, held, is an
 * over-speed, seen by the encoder or by the back-EMF when the encoder reads
 * low; an encoder outside the back-EMF band plus tolerance, held past the
 * start grace, is implausible (not a stall), with the band's edges exact.
 */
#include "fwtest.h"
#include "mnpen/guard.h"
#include "mnpen/limits.h"

static mnpen_guard_config config(void) {
  mnpen_guard_config c = {
      .over_current_ma = 600,
      .over_current_ticks = 2,
      .stall_speed_pct = 30,
      .stall_ticks = 6,
      .start_grace_ticks = 400,
      .current_min_ma = -200,
      .current_max_ma = 3000,
      .plausible_tol_mhz = 10000,
      .plausible_tol_pct = 15,
      .implausible_ticks = 20,
      .emf_r_rise_pct = 30,
      .over_speed_pct = 5,
      .over_speed_ticks = 10,
  };
  return c;
}

#define SET_MHZ 110000u

/* One period with both speed sources reading `enc` and `emf` (the back-EMF
 * band collapsed to emf). */
static int upd2(mnpen_guard *g, int32_t ma, uint32_t enc, uint32_t emf) {
  mnpen_guard_reading r = {ma, enc, emf, emf, SET_MHZ};
  return mnpen_guard_update(g, &r);
}

static int upd(mnpen_guard *g, int32_t ma, uint32_t speed) {
  return upd2(g, ma, speed, speed);
}

/* Past the start grace with both sources at the setpoint. */
static int past_grace(mnpen_guard *g) {
  for (unsigned i = 0; i <= g->cfg->start_grace_ticks; i++) {
    if (upd(g, 300, SET_MHZ) != MNPEN_GUARD_OK) {
      return 0;
    }
  }
  return 1;
}

/* Periods until the guard reports something, at most max; the count (the
 * status in *st), or 0. */
static unsigned periods_to(mnpen_guard *g, const mnpen_guard_reading *r, unsigned max, int *st) {
  for (unsigned n = 1; n <= max; n++) {
    *st = mnpen_guard_update(g, r);
    if (*st != MNPEN_GUARD_OK) {
      return n;
    }
  }
  return 0;
}

static void jam_is_a_stall(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  /* The encoder still reports the period before the jam; the back-EMF is gone. */
  FW_CHECK_EQ(upd2(&g, 900, SET_MHZ, 0), MNPEN_GUARD_OK);
  FW_CHECK_EQ(upd2(&g, 900, SET_MHZ, 0), MNPEN_GUARD_STALL);
}

static void high_current_at_speed_is_over_current(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK_EQ(upd(&g, 900, 108000), MNPEN_GUARD_OK);
  FW_CHECK_EQ(upd(&g, 900, 108000), MNPEN_GUARD_OVER_CURRENT);
}

static void a_single_spike_is_ignored(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  for (int i = 0; i < 50; i++) {
    FW_CHECK_EQ(upd(&g, (i % 2) ? 900 : 100, SET_MHZ), MNPEN_GUARD_OK);
  }
}

static void slow_motor_after_grace_is_a_stall(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  /* During the start grace a slow motor is expected. */
  for (unsigned i = 0; i < c.start_grace_ticks; i++) {
    FW_CHECK_EQ(upd(&g, 300, 1000), MNPEN_GUARD_OK);
  }
  int found = -1;
  for (int i = 0; i < 20 && found < 0; i++) {
    if (upd(&g, 300, 1000) == MNPEN_GUARD_STALL) {
      found = i;
    }
  }
  FW_CHECK_EQ(found, (int)c.stall_ticks - 1);
  /* Restarting resets the grace. */
  mnpen_guard_start(&g);
  FW_CHECK_EQ(upd(&g, 300, 1000), MNPEN_GUARD_OK);
}

static void implausible_current_is_a_sensor_fault(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK_EQ(upd(&g, 5000, SET_MHZ), MNPEN_GUARD_SENSOR);
  FW_CHECK_EQ(upd(&g, -1000, SET_MHZ), MNPEN_GUARD_SENSOR);
}

static void over_speed_held_is_a_fault(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  /* 150 Hz + 5 % = 157.5 Hz; at the level itself nothing trips. */
  uint32_t level = mnpen_guard_over_speed_mhz(&c);
  FW_CHECK_EQ(level, 157500u);
  for (int i = 0; i < 1000; i++) {
    FW_CHECK_EQ(upd(&g, 300, level), MNPEN_GUARD_OK);
  }
  /* One mHz above it, held: found in the over_speed_ticks-th period, also
   * inside the start grace (a start never runs fast by design). */
  mnpen_guard_start(&g);
  mnpen_guard_reading r = {300, level + 1u, level + 1u, level + 1u, SET_MHZ};
  int st = 0;
  FW_CHECK_EQ(periods_to(&g, &r, 100, &st), (unsigned)c.over_speed_ticks);
  FW_CHECK_EQ(st, MNPEN_GUARD_OVER_SPEED);
}

static void over_speed_shorter_than_its_time_is_ignored(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK(past_grace(&g));
  for (int burst = 0; burst < 20; burst++) {
    for (unsigned i = 0; i + 1u < c.over_speed_ticks; i++) {
      FW_CHECK_EQ(upd(&g, 300, 200000u), MNPEN_GUARD_OK);
    }
    FW_CHECK_EQ(upd(&g, 300, SET_MHZ), MNPEN_GUARD_OK);
  }
}

static void over_speed_seen_by_back_emf_when_encoder_reads_low(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK(past_grace(&g));
  /* The encoder reads the setting while the drive turns the cam at 170 Hz
   * by its back-EMF (at either resistance): an over-speed, found before
   * the longer disagreement rule would call it. */
  mnpen_guard_reading r = {300, SET_MHZ, 172000u, 170000u, SET_MHZ};
  int st = 0;
  FW_CHECK_EQ(periods_to(&g, &r, 100, &st), (unsigned)c.over_speed_ticks);
  FW_CHECK_EQ(st, MNPEN_GUARD_OVER_SPEED);
}

static void hot_winding_is_not_over_speed(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK(past_grace(&g));
  /* At 150 Hz under load a hot winding makes the calibrated-resistance
   * estimate read 165 Hz; at the raised resistance it reads 150 Hz, which
   * the encoder confirms. The band's lower end decides: no fault. */
  for (int i = 0; i < 1000; i++) {
    mnpen_guard_reading r = {500, 150000u, 165000u, 150000u, 150000u};
    FW_CHECK_EQ(mnpen_guard_update(&g, &r), MNPEN_GUARD_OK);
  }
}

static void encoder_stuck_at_zero_is_implausible_not_a_stall(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  /* Inside the grace an encoder without edges yet is normal. */
  for (unsigned i = 0; i < c.start_grace_ticks; i++) {
    FW_CHECK_EQ(upd2(&g, 300, 0, SET_MHZ), MNPEN_GUARD_OK);
  }
  /* Past it: the back-EMF says the motor turns at the setpoint, so the
   * slow-motor rule (6 periods) keeps quiet and the disagreement rule
   * reports the sensor after its 20 periods. */
  mnpen_guard_reading r = {300, 0, SET_MHZ, SET_MHZ, SET_MHZ};
  int st = 0;
  FW_CHECK_EQ(periods_to(&g, &r, 100, &st), (unsigned)c.implausible_ticks);
  FW_CHECK_EQ(st, MNPEN_GUARD_SPEED_IMPLAUSIBLE);
}

static void encoder_reading_high_is_implausible(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK(past_grace(&g));
  /* Encoder 150 Hz, back-EMF 100 Hz: a reading that would make the loop
   * run the cam slow (or hide an overload). */
  mnpen_guard_reading r = {300, 150000u, 100000u, 100000u, SET_MHZ};
  int st = 0;
  FW_CHECK_EQ(periods_to(&g, &r, 100, &st), (unsigned)c.implausible_ticks);
  FW_CHECK_EQ(st, MNPEN_GUARD_SPEED_IMPLAUSIBLE);
}

/* Runs 100 periods of one reading past the grace; its status at the end. */
static int steady(uint32_t enc, uint32_t emf, uint32_t emf_hot) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  if (!past_grace(&g)) {
    return -100;
  }
  mnpen_guard_reading r = {300, enc, emf, emf_hot, SET_MHZ};
  int st = MNPEN_GUARD_OK;
  for (int i = 0; i < 100 && st == MNPEN_GUARD_OK; i++) {
    st = mnpen_guard_update(&g, &r);
  }
  return st;
}

static void plausibility_band_edges(void) {
  /* Band 100-110 Hz, tolerance 10 Hz + 15 % of the faster reading.
   * Low side: enc + 10 + 0.15 x 110 < 100 first holds at 73.499 Hz. */
  FW_CHECK_EQ(steady(73500u, 110000u, 100000u), MNPEN_GUARD_OK);
  FW_CHECK_EQ(steady(73499u, 110000u, 100000u), MNPEN_GUARD_SPEED_IMPLAUSIBLE);
  /* High side: 0.85 x enc > 120 Hz first holds at 141.177 Hz (integer
   * tolerance 31.176 Hz at both 141.176 and 141.177 Hz). */
  FW_CHECK_EQ(steady(141176u, 110000u, 100000u), MNPEN_GUARD_OK);
  FW_CHECK_EQ(steady(141177u, 110000u, 100000u), MNPEN_GUARD_SPEED_IMPLAUSIBLE);
  /* The band's order does not matter (a negative current swaps it). */
  FW_CHECK_EQ(steady(73499u, 100000u, 110000u), MNPEN_GUARD_SPEED_IMPLAUSIBLE);
  FW_CHECK_EQ(steady(141176u, 100000u, 110000u), MNPEN_GUARD_OK);
}

static void disagreement_shorter_than_its_time_is_ignored(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK(past_grace(&g));
  for (int burst = 0; burst < 20; burst++) {
    for (unsigned i = 0; i + 1u < c.implausible_ticks; i++) {
      FW_CHECK_EQ(upd2(&g, 300, 140000u, 100000u), MNPEN_GUARD_OK);
    }
    FW_CHECK_EQ(upd(&g, 300, SET_MHZ), MNPEN_GUARD_OK);
  }
}

static void weak_jam_with_stale_encoder_is_still_a_stall(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK(past_grace(&g));
  /* A jam on a weak supply: below the current limit, back-EMF gone, the
   * encoder's old period standing. The slow rule (6) beats the
   * disagreement rule (20). */
  mnpen_guard_reading r = {400, SET_MHZ, 0, 0, SET_MHZ};
  int st = 0;
  FW_CHECK_EQ(periods_to(&g, &r, 100, &st), (unsigned)c.stall_ticks);
  FW_CHECK_EQ(st, MNPEN_GUARD_STALL);
}

static void extreme_readings_do_not_wrap(void) {
  mnpen_guard_config c = config();
  c.plausible_tol_pct = UINT16_MAX;
  c.plausible_tol_mhz = UINT32_MAX;
  c.over_speed_pct = UINT16_MAX;
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  /* 150 Hz x 656.35 fits 32 bits; a UINT32_MAX reading is beyond it. */
  FW_CHECK_EQ(mnpen_guard_over_speed_mhz(&c), 98452500u);
  mnpen_guard_reading r = {0, UINT32_MAX, UINT32_MAX, 0, UINT32_MAX};
  int st = 0;
  FW_CHECK_EQ(periods_to(&g, &r, 100, &st), (unsigned)c.over_speed_ticks);
  FW_CHECK_EQ(st, MNPEN_GUARD_OVER_SPEED);
}

FW_SUITE(mnpen_suite_guard, "guard", FW_CASE(jam_is_a_stall),
         FW_CASE(high_current_at_speed_is_over_current), FW_CASE(a_single_spike_is_ignored),
         FW_CASE(slow_motor_after_grace_is_a_stall), FW_CASE(implausible_current_is_a_sensor_fault),
         FW_CASE(over_speed_held_is_a_fault), FW_CASE(over_speed_shorter_than_its_time_is_ignored),
         FW_CASE(over_speed_seen_by_back_emf_when_encoder_reads_low),
         FW_CASE(hot_winding_is_not_over_speed),
         FW_CASE(encoder_stuck_at_zero_is_implausible_not_a_stall),
         FW_CASE(encoder_reading_high_is_implausible), FW_CASE(plausibility_band_edges),
         FW_CASE(disagreement_shorter_than_its_time_is_ignored),
         FW_CASE(weak_jam_with_stale_encoder_is_still_a_stall),
         FW_CASE(extreme_readings_do_not_wrap));
