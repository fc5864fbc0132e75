/*
 * Depth setting and stage supervision: the hard maximum holds against every
 * input, zone limits clamp, steps follow the configured scale, and each
 * sensor finding is reported.
 */
#include "fwtest.h"
#include "mnpen/depth.h"
#include "mnpen/limits.h"

static mnpen_depth_config config(uint16_t step) {
  mnpen_depth_config c = {0};
  c.step_um = step;
  c.tolerance_um = 50;
  c.settle_ticks = 10;
  c.sensor_min_um = -200;
  c.sensor_max_um = 3400;
  c.zone_count = 3;
  c.zone_max_um[0] = 3000; /* unrestricted */
  c.zone_max_um[1] = 750;  /* forehead */
  c.zone_max_um[2] = 500;  /* periorbital */
  return c;
}

static void hard_max_holds_for_any_request(void) {
  mnpen_depth_config c = config(100);
  mnpen_depth d;
  mnpen_depth_init(&d, &c);
  const int32_t requests[] = {3001, 3099, 4000, 100000, INT32_MAX};
  for (unsigned i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    FW_CHECK(mnpen_depth_request_um(&d, requests[i]) <= MNPEN_DEPTH_MAX_UM);
  }
  FW_CHECK_EQ(mnpen_depth_request_um(&d, INT32_MAX), MNPEN_DEPTH_MAX_UM);
  for (int i = 0; i < 100; i++) {
    FW_CHECK(mnpen_depth_step(&d, 1) <= MNPEN_DEPTH_MAX_UM);
  }
  FW_CHECK_EQ(mnpen_depth_request_um(&d, -5), 0);
  FW_CHECK_EQ(mnpen_depth_request_um(&d, INT32_MIN), 0);
}

static void hard_max_holds_against_a_bad_profile(void) {
  mnpen_depth_config c = config(100);
  c.zone_max_um[0] = 9000; /* a profile may only lower the maximum */
  mnpen_depth d;
  mnpen_depth_init(&d, &c);
  FW_CHECK_EQ(mnpen_depth_limit_um(&d), MNPEN_DEPTH_MAX_UM);
  FW_CHECK_EQ(mnpen_depth_request_um(&d, 5000), MNPEN_DEPTH_MAX_UM);
}

static void steps_follow_the_scale(void) {
  mnpen_depth_config c = config(250);
  mnpen_depth d;
  mnpen_depth_init(&d, &c);
  FW_CHECK_EQ(mnpen_depth_step(&d, 1), 250);
  FW_CHECK_EQ(mnpen_depth_step(&d, 1), 500);
  FW_CHECK_EQ(mnpen_depth_request_um(&d, 1337), 1250);
  FW_CHECK_EQ(mnpen_depth_step(&d, -1), 1000);
  c.step_um = 100;
  FW_CHECK_EQ(mnpen_depth_request_um(&d, 1337), 1300);
}

static void zone_limits_clamp(void) {
  mnpen_depth_config c = config(100);
  mnpen_depth d;
  mnpen_depth_init(&d, &c);
  FW_CHECK_EQ(mnpen_depth_request_um(&d, 1500), 1500);
  FW_CHECK_EQ(mnpen_depth_select_zone(&d, 1), 0);
  FW_CHECK_EQ(d.setting_um, 700); /* 750 limit, 0.1 mm scale */
  FW_CHECK_EQ(mnpen_depth_request_um(&d, 2000), 700);
  FW_CHECK_EQ(mnpen_depth_select_zone(&d, 2), 0);
  FW_CHECK_EQ(d.setting_um, 500);
  FW_CHECK_EQ(mnpen_depth_select_zone(&d, 9), -1);
  FW_CHECK_EQ(d.zone, 2);
  FW_CHECK_EQ(mnpen_depth_select_zone(&d, 0), 0);
  FW_CHECK_EQ(mnpen_depth_request_um(&d, 2000), 2000);
}

static void supervision_findings(void) {
  mnpen_depth_config c = config(100);
  mnpen_depth d;
  mnpen_depth_init(&d, &c);
  mnpen_depth_request_um(&d, 1000);
  FW_CHECK_EQ(mnpen_depth_supervise(&d, 1020), MNPEN_DEPTH_OK);
  FW_CHECK(d.settled);
  FW_CHECK_EQ(mnpen_depth_supervise(&d, -500), MNPEN_DEPTH_SENSOR_RANGE);
  FW_CHECK(!d.settled);
  FW_CHECK_EQ(mnpen_depth_supervise(&d, 3390), MNPEN_DEPTH_OVER_MAX);
  /* Moving towards the setting: fine until the settle time runs out. */
  for (unsigned i = 0; i < c.settle_ticks; i++) {
    FW_CHECK_EQ(mnpen_depth_supervise(&d, 500), MNPEN_DEPTH_OK);
  }
  FW_CHECK_EQ(mnpen_depth_supervise(&d, 500), MNPEN_DEPTH_NOT_REACHED);
  FW_CHECK_EQ(mnpen_depth_supervise(&d, 1000), MNPEN_DEPTH_OK);
}

FW_SUITE(mnpen_suite_depth, "depth", FW_CASE(hard_max_holds_for_any_request),
         FW_CASE(hard_max_holds_against_a_bad_profile), FW_CASE(steps_follow_the_scale),
         FW_CASE(zone_limits_clamp), FW_CASE(supervision_findings));
