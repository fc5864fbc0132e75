/*
 * Battery and heat supervision.
 *
 * Battery: the reading is filtered (a first-order IIR, so one noisy sample
 * neither stops a treatment nor hides a real sag), mapped to a state of
 * charge through the cell's open-circuit-voltage table, and judged against
 * two thresholds: a start threshold (no session starts on a nearly flat
 * cell) and a lower stop threshold that, held for a while under load, stops
 * the motor gracefully before the supply browns out the MCU.
 * Heat: above the derating temperature the allowed stroke rate falls
 * linearly to the minimum speed at the shutdown temperature; at shutdown the
 * motor stops. Both sensors are range-checked (open or shorted thermistor,
 * dead divider) and an implausible reading is a sensor fault.
 */
#ifndef MNPEN_POWER_H
#define MNPEN_POWER_H

#include <stdint.h>

#define MNPEN_OCV_POINTS 11

typedef struct {
  uint16_t ocv_mv[MNPEN_OCV_POINTS]; /* OCV at 0, 10, ..., 100 % charge */
  uint16_t start_min_mv;             /* no start below (filtered, unloaded) */
  uint16_t stop_mv;                  /* graceful stop below, under load ... */
  uint16_t stop_ticks;               /* ... held this long */
  uint16_t filter_shift;             /* IIR: y += (x - y) >> shift */
  uint16_t battery_min_mv;           /* plausible range of the reading */
  uint16_t battery_max_mv;
  int16_t derate_dc;   /* derating starts, tenths of deg C */
  int16_t shutdown_dc; /* motor stops */
  int16_t restart_dc;  /* may start again only below (hysteresis) */
  int16_t temp_min_dc; /* plausible range of the reading */
  int16_t temp_max_dc;
} mnpen_power_config;

typedef struct {
  const mnpen_power_config *cfg;
  int32_t battery_filt_mv;
  uint16_t low_ticks;
  int16_t temperature_dc;
  int primed;
} mnpen_power;

typedef enum {
  MNPEN_POWER_OK = 0,
  MNPEN_POWER_BATTERY_LOW = -1,
  MNPEN_POWER_OVER_TEMPERATURE = -2,
  MNPEN_POWER_SENSOR = -3
} mnpen_power_status;

void mnpen_power_init(mnpen_power *p, const mnpen_power_config *cfg);
/* One supervision period; running selects the under-load checks. */
int mnpen_power_update(mnpen_power *p, uint16_t battery_mv, int16_t temperature_dc, int running);
/* State of charge in percent from the filtered voltage. */
uint8_t mnpen_power_soc_pct(const mnpen_power *p);
/* May a session start now (charge and temperature)? */
int mnpen_power_can_start(const mnpen_power *p);
/* Highest stroke rate allowed at the present temperature. */
uint32_t mnpen_power_speed_limit_mhz(const mnpen_power *p, uint32_t min_mhz, uint32_t max_mhz);

#endif /* MNPEN_POWER_H */
