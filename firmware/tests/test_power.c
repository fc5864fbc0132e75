/*
 * Battery and heat supervision: start threshold, graceful stop on a held
 * sag (not on one bad sample), thermal derating and shutdown with
 * hysteresis, state of charge from the OCV table, sensor range.
 */
#include "fwtest.h"
#include "mnpen/power.h"

static mnpen_power_config config(void) {
  mnpen_power_config c = {
      .ocv_mv = {3000, 3450, 3580, 3650, 3700, 3750, 3820, 3900, 3980, 4080, 4200},
      .start_min_mv = 3500,
      .stop_mv = 3300,
      .stop_ticks = 20,
      .filter_shift = 2,
      .battery_min_mv = 2000,
      .battery_max_mv = 4500,
      .derate_dc = 400,
      .shutdown_dc = 450,
      .restart_dc = 380,
      .temp_min_dc = -200,
      .temp_max_dc = 1200,
  };
  return c;
}

static void soc_from_ocv_table(void) {
  mnpen_power_config c = config();
  mnpen_power p;
  mnpen_power_init(&p, &c);
  FW_CHECK_EQ(mnpen_power_update(&p, 4200, 250, 0), MNPEN_POWER_OK);
  FW_CHECK_EQ(mnpen_power_soc_pct(&p), 100);
  mnpen_power_init(&p, &c);
  mnpen_power_update(&p, 3725, 250, 0); /* halfway between 40 % and 50 % */
  FW_CHECK_EQ(mnpen_power_soc_pct(&p), 45);
  mnpen_power_init(&p, &c);
  mnpen_power_update(&p, 2900, 250, 0);
  FW_CHECK_EQ(mnpen_power_soc_pct(&p), 0);
}

static void no_start_on_a_flat_cell(void) {
  mnpen_power_config c = config();
  mnpen_power p;
  mnpen_power_init(&p, &c);
  FW_CHECK(!mnpen_power_can_start(&p)); /* nothing measured yet */
  mnpen_power_update(&p, 3400, 250, 0);
  FW_CHECK(!mnpen_power_can_start(&p));
  mnpen_power_init(&p, &c);
  mnpen_power_update(&p, 3800, 250, 0);
  FW_CHECK(mnpen_power_can_start(&p));
}

static void sag_stops_only_when_held(void) {
  mnpen_power_config c = config();
  mnpen_power p;
  mnpen_power_init(&p, &c);
  mnpen_power_update(&p, 3700, 250, 1);
  /* One deep dip is filtered out. */
  FW_CHECK_EQ(mnpen_power_update(&p, 2100, 250, 1), MNPEN_POWER_OK);
  for (int i = 0; i < 5; i++) {
    FW_CHECK_EQ(mnpen_power_update(&p, 3700, 250, 1), MNPEN_POWER_OK);
  }
  /* A held sag stops the motor within stop_ticks plus the filter's lag. */
  int stopped_at = -1;
  for (int i = 0; i < 100 && stopped_at < 0; i++) {
    if (mnpen_power_update(&p, 3100, 250, 1) == MNPEN_POWER_BATTERY_LOW) {
      stopped_at = i;
    }
  }
  FW_CHECK(stopped_at >= (int)c.stop_ticks - 1);
  FW_CHECK(stopped_at < (int)c.stop_ticks + 10);
  /* The same sag with the motor off is not a fault (no load, no brown-out). */
  mnpen_power_init(&p, &c);
  for (int i = 0; i < 100; i++) {
    FW_CHECK_EQ(mnpen_power_update(&p, 3100, 250, 0), MNPEN_POWER_OK);
  }
}

static void heat_derates_then_stops(void) {
  mnpen_power_config c = config();
  mnpen_power p;
  mnpen_power_init(&p, &c);
  mnpen_power_update(&p, 3800, 300, 1);
  FW_CHECK_EQ(mnpen_power_speed_limit_mhz(&p, 90000, 150000), 150000u);
  mnpen_power_update(&p, 3800, 425, 1);
  FW_CHECK_EQ(mnpen_power_speed_limit_mhz(&p, 90000, 150000), 120000u);
  FW_CHECK_EQ(mnpen_power_update(&p, 3800, 450, 1), MNPEN_POWER_OVER_TEMPERATURE);
  FW_CHECK_EQ(mnpen_power_speed_limit_mhz(&p, 90000, 150000), 90000u);
  /* Hysteresis: below shutdown but above restart, still no start. */
  mnpen_power_update(&p, 3800, 390, 0);
  FW_CHECK(!mnpen_power_can_start(&p));
  mnpen_power_update(&p, 3800, 370, 0);
  FW_CHECK(mnpen_power_can_start(&p));
}

static void implausible_readings_are_sensor_faults(void) {
  mnpen_power_config c = config();
  mnpen_power p;
  mnpen_power_init(&p, &c);
  FW_CHECK_EQ(mnpen_power_update(&p, 0, 250, 0), MNPEN_POWER_SENSOR);
  FW_CHECK_EQ(mnpen_power_update(&p, 65535, 250, 0), MNPEN_POWER_SENSOR);
  FW_CHECK_EQ(mnpen_power_update(&p, 3800, -400, 0), MNPEN_POWER_SENSOR);
  FW_CHECK_EQ(mnpen_power_update(&p, 3800, 2000, 0), MNPEN_POWER_SENSOR);
}

FW_SUITE(mnpen_suite_power, "power", FW_CASE(soc_from_ocv_table), FW_CASE(no_start_on_a_flat_cell),
         FW_CASE(sag_stops_only_when_held), FW_CASE(heat_derates_then_stops),
         FW_CASE(implausible_readings_are_sensor_faults));
