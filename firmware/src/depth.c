/*
 * Depth setting and stage supervision; see depth.h. The setting is the one
 * number the user controls that decides how deep the needles go, so every
 * path that changes it runs through clamp_setting().
 */
#include "mnpen/depth.h"

#include "mnpen/limits.h"

int32_t mnpen_depth_limit_um(const mnpen_depth *d) {
  int32_t lim = MNPEN_DEPTH_MAX_UM;
  if (d->zone < d->cfg->zone_count && d->cfg->zone_max_um[d->zone] < lim) {
    lim = d->cfg->zone_max_um[d->zone];
  }
  return lim;
}

static int32_t clamp_setting(const mnpen_depth *d, int32_t um) {
  int32_t step = d->cfg->step_um > 0u ? (int32_t)d->cfg->step_um : 1;
  int32_t lim = mnpen_depth_limit_um(d);
  if (um > lim) {
    um = lim;
  }
  if (um < MNPEN_DEPTH_MIN_UM) {
    um = MNPEN_DEPTH_MIN_UM;
  }
  return um - um % step; /* rounding down never exceeds a limit */
}

void mnpen_depth_init(mnpen_depth *d, const mnpen_depth_config *cfg) {
  d->cfg = cfg;
  d->zone = 0;
  d->setting_um = 0;
  d->unsettled_ticks = 0;
  d->settled = 0;
}

int32_t mnpen_depth_request_um(mnpen_depth *d, int32_t um) {
  int32_t v = clamp_setting(d, um);
  if (v != d->setting_um) {
    d->setting_um = v;
    d->settled = 0;
    d->unsettled_ticks = 0;
  }
  return d->setting_um;
}

int32_t mnpen_depth_step(mnpen_depth *d, int direction) {
  int32_t step = (int32_t)d->cfg->step_um;
  return mnpen_depth_request_um(d, d->setting_um + (direction > 0 ? step : -step));
}

int mnpen_depth_select_zone(mnpen_depth *d, uint8_t zone) {
  /* zone_count comes from the profile; the table holds MNPEN_ZONES_MAX. */
  if (zone >= d->cfg->zone_count || zone >= MNPEN_ZONES_MAX) {
    return -1;
  }
  d->zone = zone;
  mnpen_depth_request_um(d, d->setting_um);
  return 0;
}

int mnpen_depth_supervise(mnpen_depth *d, int32_t sensor_um) {
  const mnpen_depth_config *c = d->cfg;
  if (sensor_um < c->sensor_min_um || sensor_um > c->sensor_max_um) {
    d->settled = 0;
    return MNPEN_DEPTH_SENSOR_RANGE;
  }
  if (sensor_um > MNPEN_DEPTH_MAX_UM + (int32_t)c->tolerance_um) {
    d->settled = 0;
    return MNPEN_DEPTH_OVER_MAX;
  }
  int32_t diff = sensor_um - d->setting_um;
  if (diff < 0) {
    diff = -diff;
  }
  if (diff <= (int32_t)c->tolerance_um) {
    d->settled = 1;
    d->unsettled_ticks = 0;
    return MNPEN_DEPTH_OK;
  }
  d->settled = 0;
  if (d->unsettled_ticks < UINT16_MAX) {
    d->unsettled_ticks++;
  }
  return d->unsettled_ticks > c->settle_ticks ? MNPEN_DEPTH_NOT_REACHED : MNPEN_DEPTH_OK;
}
