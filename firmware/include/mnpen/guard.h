/*
 * Motor guard: stall, over-current and over-speed detection while the
 * motor runs, and the plausibility of the speed sensor.
 *
 * A jammed cam and a shorted winding both show as high current, so the
 * speed decides which it is: high current with the shaft (nearly) stopped
 * is a stall, high current at speed is an over-current. A stall with a
 * supply too weak to push the current over the limit is caught by the
 * second rule: speed far below the ramped setpoint for a few periods. The
 * start of a soft start is exempt from that rule for a grace period, since
 * a motor starting from rest is slow by definition.
 *
 * Two speed sources are compared: the encoder and the back-EMF the drive
 * implies ((duty x V_batt - I x R) / ke, speed.h). The winding resistance
 * rises with temperature, so the back-EMF is a band: its rate at the
 * calibrated resistance and at the resistance raised by emf_r_rise_pct.
 *   - Over-speed: the encoder, or the lower end of the back-EMF band, above
 *     the compiled-in maximum rate (limits.h) by a margin, held. Taking the
 *     faster of the two catches a sensor that reads low and so lets the
 *     loop drive the cam too fast; taking the band's lower end keeps a hot
 *     winding from looking like speed.
 *   - Plausibility: past the start grace, an encoder reading outside the
 *     back-EMF band widened by a tolerance, held, means one of them is
 *     wrong (an encoder stuck at zero or reading high, a failed current
 *     sensor, a wrong calibration). While the encoder reads implausibly
 *     low the slow-motor rule judges by the back-EMF alone, so a dead
 *     encoder is reported as the sensor fault it is, not as a stall.
 *
 * Integer ranges: readings are uint32_t mHz (up to 4.29e6 Hz) and int32_t
 * mA; every product below is formed in 64 bits (at most 2^32 x 2^16).
 */
#ifndef MNPEN_GUARD_H
#define MNPEN_GUARD_H

#include <stdint.h>

typedef struct {
  int32_t over_current_ma;     /* current limit */
  uint16_t over_current_ticks; /* held this many periods */
  uint16_t stall_speed_pct;    /* below this share of the setpoint ... */
  uint16_t stall_ticks;        /* ... for this many periods: stall */
  uint16_t start_grace_ticks;  /* no stall or plausibility check this long after a start */
  int32_t current_min_ma;      /* plausible range of the current reading */
  int32_t current_max_ma;
  uint32_t plausible_tol_mhz; /* encoder-to-back-EMF tolerance: a fixed part ... */
  uint16_t plausible_tol_pct; /* ... plus this share of the faster reading */
  uint16_t implausible_ticks; /* disagreement held this many periods */
  uint16_t emf_r_rise_pct;    /* how far a hot circuit's resistance may exceed its calibration */
  uint16_t over_speed_pct;    /* trip above MNPEN_SPEED_MAX_MHZ x (100 + this) / 100 ... */
  uint16_t over_speed_ticks;  /* ... held this many periods */
} mnpen_guard_config;

typedef struct {
  const mnpen_guard_config *cfg;
  uint16_t oc_ticks;
  uint16_t slow_ticks;
  uint16_t since_start;
  uint16_t fast_ticks;
  uint16_t disagree_ticks;
} mnpen_guard;

/* One period's readings. emf_mhz and emf_hot_mhz are the back-EMF rates at
 * the calibrated and at the raised resistance (mnpen_speed_emf_estimate_r_mhz). */
typedef struct {
  int32_t current_ma;
  uint32_t encoder_mhz;
  uint32_t emf_mhz;
  uint32_t emf_hot_mhz;
  uint32_t setpoint_mhz; /* the ramped setpoint the loop follows */
} mnpen_guard_reading;

typedef enum {
  MNPEN_GUARD_OK = 0,
  MNPEN_GUARD_STALL = -1,
  MNPEN_GUARD_OVER_CURRENT = -2,
  MNPEN_GUARD_SENSOR = -3,
  MNPEN_GUARD_OVER_SPEED = -4,
  MNPEN_GUARD_SPEED_IMPLAUSIBLE = -5
} mnpen_guard_status;

void mnpen_guard_init(mnpen_guard *g, const mnpen_guard_config *cfg);
void mnpen_guard_start(mnpen_guard *g);
int mnpen_guard_update(mnpen_guard *g, const mnpen_guard_reading *r);
/* The rate above which the guard counts over-speed, mHz. */
uint32_t mnpen_guard_over_speed_mhz(const mnpen_guard_config *cfg);

#endif /* MNPEN_GUARD_H */
