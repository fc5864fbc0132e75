/*
 * Motor guard: stall and over-current detection while the motor runs.
 *
 * A jammed cam and a shorted winding both show as high current, so the
 * speed decides which it is: high current with the shaft (nearly) stopped
 * is a stall, high current at speed is an over-current. A stall with a
 * supply too weak to push the current over the limit is caught by the
 * second rule: speed far below the ramped setpoint for a few periods. The
 * start of a soft start is exempt from that rule for a grace period, since
 * a motor starting from rest is slow by definition.
 */
#ifndef MNPEN_GUARD_H
#define MNPEN_GUARD_H

#include <stdint.h>

typedef struct {
  int32_t over_current_ma;     /* current limit */
  uint16_t over_current_ticks; /* held this many periods */
  uint16_t stall_speed_pct;    /* below this share of the setpoint ... */
  uint16_t stall_ticks;        /* ... for this many periods: stall */
  uint16_t start_grace_ticks;  /* no stall check this long after a start */
  int32_t current_min_ma;      /* plausible range of the current reading */
  int32_t current_max_ma;
} mnpen_guard_config;

typedef struct {
  const mnpen_guard_config *cfg;
  uint16_t oc_ticks;
  uint16_t slow_ticks;
  uint16_t since_start;
} mnpen_guard;

typedef enum {
  MNPEN_GUARD_OK = 0,
  MNPEN_GUARD_STALL = -1,
  MNPEN_GUARD_OVER_CURRENT = -2,
  MNPEN_GUARD_SENSOR = -3
} mnpen_guard_status;

void mnpen_guard_init(mnpen_guard *g, const mnpen_guard_config *cfg);
void mnpen_guard_start(mnpen_guard *g);
int mnpen_guard_update(mnpen_guard *g, int32_t current_ma, uint32_t speed_mhz,
                       uint32_t setpoint_mhz);

#endif /* MNPEN_GUARD_H */
