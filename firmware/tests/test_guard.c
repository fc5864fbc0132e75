/*
 * Motor guard: a jam (high current, no speed) is a stall, high current at
 * speed is an over-current, a slow motor past the start grace is a stall,
 * short spikes are ignored, implausible current readings are sensor faults.
 */
#include "fwtest.h"
#include "mnpen/guard.h"

static mnpen_guard_config config(void) {
  mnpen_guard_config c = {
      .over_current_ma = 600,
      .over_current_ticks = 2,
      .stall_speed_pct = 30,
      .stall_ticks = 6,
      .start_grace_ticks = 400,
      .current_min_ma = -200,
      .current_max_ma = 3000,
  };
  return c;
}

static void jam_is_a_stall(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK_EQ(mnpen_guard_update(&g, 900, 0, 110000), MNPEN_GUARD_OK);
  FW_CHECK_EQ(mnpen_guard_update(&g, 900, 0, 110000), MNPEN_GUARD_STALL);
}

static void high_current_at_speed_is_over_current(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK_EQ(mnpen_guard_update(&g, 900, 108000, 110000), MNPEN_GUARD_OK);
  FW_CHECK_EQ(mnpen_guard_update(&g, 900, 108000, 110000), MNPEN_GUARD_OVER_CURRENT);
}

static void a_single_spike_is_ignored(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  for (int i = 0; i < 50; i++) {
    FW_CHECK_EQ(mnpen_guard_update(&g, (i % 2) ? 900 : 100, 110000, 110000), MNPEN_GUARD_OK);
  }
}

static void slow_motor_after_grace_is_a_stall(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  /* During the start grace a slow motor is expected. */
  for (unsigned i = 0; i < c.start_grace_ticks; i++) {
    FW_CHECK_EQ(mnpen_guard_update(&g, 300, 1000, 110000), MNPEN_GUARD_OK);
  }
  int found = -1;
  for (int i = 0; i < 20 && found < 0; i++) {
    if (mnpen_guard_update(&g, 300, 1000, 110000) == MNPEN_GUARD_STALL) {
      found = i;
    }
  }
  FW_CHECK_EQ(found, (int)c.stall_ticks - 1);
  /* Restarting resets the grace. */
  mnpen_guard_start(&g);
  FW_CHECK_EQ(mnpen_guard_update(&g, 300, 1000, 110000), MNPEN_GUARD_OK);
}

static void implausible_current_is_a_sensor_fault(void) {
  mnpen_guard_config c = config();
  mnpen_guard g;
  mnpen_guard_init(&g, &c);
  FW_CHECK_EQ(mnpen_guard_update(&g, 5000, 110000, 110000), MNPEN_GUARD_SENSOR);
  FW_CHECK_EQ(mnpen_guard_update(&g, -1000, 110000, 110000), MNPEN_GUARD_SENSOR);
}

FW_SUITE(mnpen_suite_guard, "guard", FW_CASE(jam_is_a_stall),
         FW_CASE(high_current_at_speed_is_over_current), FW_CASE(a_single_spike_is_ignored),
         FW_CASE(slow_motor_after_grace_is_a_stall),
         FW_CASE(implausible_current_is_a_sensor_fault));
