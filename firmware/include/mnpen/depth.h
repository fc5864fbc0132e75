/*
 * Needle depth: the setting, its limits, and supervision of the depth stage.
 *
 * The setting moves in steps (0.1 mm, or the 0.25 mm scale of SkinPen-class
 * pens) and is clamped three times over: to the compiled-in hard maximum
 * (limits.h), to the limit of the treatment zone selected from the
 * profile, and to zero below. The stage is commanded to the setting and its
 * position sensor is supervised: a reading outside the plausible range, a
 * stage that does not reach its command in time, or a reading beyond the
 * hard maximum is a sensor fault; the motor may start only when the stage
 * has settled at the setting.
 */
#ifndef MNPEN_DEPTH_H
#define MNPEN_DEPTH_H

#include <stdint.h>

#define MNPEN_ZONES_MAX 8

typedef struct {
  uint16_t step_um;      /* 100 or 250 */
  uint16_t tolerance_um; /* settled when |sensor - setting| <= this */
  uint16_t settle_ticks; /* longer than this unsettled while moving: fault */
  int16_t sensor_min_um; /* plausible sensor range; outside = open/short */
  int16_t sensor_max_um;
  uint8_t zone_count;
  uint16_t zone_max_um[MNPEN_ZONES_MAX]; /* treatment profile, per zone */
} mnpen_depth_config;

typedef struct {
  const mnpen_depth_config *cfg;
  int32_t setting_um;
  uint8_t zone;
  uint16_t unsettled_ticks;
  int settled;
} mnpen_depth;

typedef enum {
  MNPEN_DEPTH_OK = 0,
  MNPEN_DEPTH_SENSOR_RANGE = -1, /* reading implausible */
  MNPEN_DEPTH_NOT_REACHED = -2,  /* stage did not settle in time */
  MNPEN_DEPTH_OVER_MAX = -3      /* stage beyond the hard maximum */
} mnpen_depth_status;

void mnpen_depth_init(mnpen_depth *d, const mnpen_depth_config *cfg);
/* The limit in force: min(hard maximum, zone limit). */
int32_t mnpen_depth_limit_um(const mnpen_depth *d);
/* Requests a setting; it is rounded down to the step scale and clamped.
 * Returns the setting in force. */
int32_t mnpen_depth_request_um(mnpen_depth *d, int32_t um);
int32_t mnpen_depth_step(mnpen_depth *d, int direction);
/* Selects a treatment zone (clamps the setting to its limit); returns 0, or
 * -1 for an unknown zone (setting unchanged). */
int mnpen_depth_select_zone(mnpen_depth *d, uint8_t zone);
/* One supervision period, given the sensor reading: returns a status. */
int mnpen_depth_supervise(mnpen_depth *d, int32_t sensor_um);

#endif /* MNPEN_DEPTH_H */
