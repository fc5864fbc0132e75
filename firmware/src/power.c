/*
 * Battery and thermal supervision; see power.h.
 */
#include "mnpen/power.h"

void mnpen_power_init(mnpen_power *p, const mnpen_power_config *cfg) {
  p->cfg = cfg;
  p->battery_filt_mv = 0;
  p->low_ticks = 0;
  p->temperature_dc = 0;
  p->primed = 0;
}

int mnpen_power_update(mnpen_power *p, uint16_t battery_mv, int16_t temperature_dc, int running) {
  const mnpen_power_config *c = p->cfg;
  if (battery_mv < c->battery_min_mv || battery_mv > c->battery_max_mv ||
      temperature_dc < c->temp_min_dc || temperature_dc > c->temp_max_dc) {
    return MNPEN_POWER_SENSOR;
  }
  if (!p->primed) {
    p->battery_filt_mv = battery_mv;
    p->primed = 1;
  } else {
    /* Arithmetic shift of a signed difference: written as a division so the
     * rounding is defined for negative values. */
    p->battery_filt_mv += ((int32_t)battery_mv - p->battery_filt_mv) / (1 << c->filter_shift);
  }
  p->temperature_dc = temperature_dc;

  if (temperature_dc >= c->shutdown_dc) {
    return MNPEN_POWER_OVER_TEMPERATURE;
  }
  if (running && p->battery_filt_mv < c->stop_mv) {
    if (++p->low_ticks >= c->stop_ticks) {
      return MNPEN_POWER_BATTERY_LOW;
    }
  } else {
    p->low_ticks = 0;
  }
  return MNPEN_POWER_OK;
}

uint8_t mnpen_power_soc_pct(const mnpen_power *p) {
  const uint16_t *ocv = p->cfg->ocv_mv;
  int32_t v = p->battery_filt_mv;
  if (v <= ocv[0]) {
    return 0;
  }
  for (unsigned i = 1; i < MNPEN_OCV_POINTS; i++) {
    if (v <= ocv[i]) {
      int32_t span = (int32_t)ocv[i] - (int32_t)ocv[i - 1];
      int32_t frac = span > 0 ? (v - ocv[i - 1]) * 10 / span : 0;
      return (uint8_t)((i - 1) * 10 + (unsigned)frac);
    }
  }
  return 100;
}

int mnpen_power_can_start(const mnpen_power *p) {
  return p->primed && p->battery_filt_mv >= p->cfg->start_min_mv &&
         p->temperature_dc < p->cfg->restart_dc;
}

uint32_t mnpen_power_speed_limit_mhz(const mnpen_power *p, uint32_t min_mhz, uint32_t max_mhz) {
  const mnpen_power_config *c = p->cfg;
  if (p->temperature_dc <= c->derate_dc) {
    return max_mhz;
  }
  if (p->temperature_dc >= c->shutdown_dc || c->shutdown_dc <= c->derate_dc) {
    return min_mhz;
  }
  uint32_t span = (uint32_t)(c->shutdown_dc - c->derate_dc);
  uint32_t over = (uint32_t)(p->temperature_dc - c->derate_dc);
  return max_mhz - (uint32_t)((uint64_t)(max_mhz - min_mhz) * over / span);
}
