/*
 * Stroke-rate control of the needle motor.
 *
 * A PI loop on the measured stroke rate with two feed-forward terms that
 * do most of the work: the back-EMF the set speed needs, and the resistive
 * drop of the measured current (IR compensation, partial so the loop stays
 * stable). The feed-forward answers a load step within one control period,
 * before the speed has moved much; the integrator removes what is left.
 * Anti-windup: the integrator only moves while the duty is not saturated in
 * the direction of the error, and is clamped to the duty range.
 * Soft start: the setpoint ramps up at a fixed rate, so the motor never sees
 * a full-duty inrush and the needles accelerate gently.
 * Current limit: the duty is capped so the winding current stays at a limit
 * below the guard's over-current threshold; a start into skin or a heavy
 * stroke then slows the motor instead of tripping a fault.
 *
 * "Unregulated" mode replaces all of it by a fixed duty computed for the set
 * speed at no load and nominal battery voltage: the behaviour of a cheap pen,
 * kept so the simulator can show the difference.
 *
 * All arithmetic is integer: speeds in mHz, duty in 1/10000, currents in mA,
 * voltages in mV; gains are Q16 fixed point.
 */
#ifndef MNPEN_SPEED_H
#define MNPEN_SPEED_H

#include <stdint.h>

typedef struct {
  uint32_t ke_nv_per_mhz;     /* back-EMF per stroke rate, nV per mHz */
  uint32_t r_mohm;            /* winding resistance, milliohm */
  uint16_t ir_comp_pct;       /* share of R used in the IR feed-forward */
  int32_t kp_q16;             /* duty units per mHz of error, Q16 */
  int32_t ki_q16;             /* duty units per mHz of error per tick, Q16 */
  uint32_t ramp_mhz_per_tick; /* soft-start slope of the setpoint */
  uint16_t nominal_mv;        /* battery voltage the unregulated duty assumes */
  int32_t current_limit_ma;   /* the loop never asks for more winding current */
} mnpen_speed_config;

typedef struct {
  const mnpen_speed_config *cfg;
  uint32_t target_mhz; /* where the setpoint is heading */
  uint32_t ramp_mhz;   /* the ramped setpoint the loop follows now */
  int64_t integ_q16;   /* integrator, duty units Q16 */
  uint16_t duty;       /* last output */
  int regulated;
} mnpen_speed;

void mnpen_speed_init(mnpen_speed *s, const mnpen_speed_config *cfg, int regulated);
/* Begin a soft start towards target from standstill. */
void mnpen_speed_start(mnpen_speed *s, uint32_t target_mhz);
/* Change the target while running (ramped). */
void mnpen_speed_set_target(mnpen_speed *s, uint32_t target_mhz);
/* One control period: returns the duty to apply. */
uint16_t mnpen_speed_update(mnpen_speed *s, uint32_t measured_mhz, int32_t current_ma,
                            uint16_t battery_mv);
void mnpen_speed_stop(mnpen_speed *s);
/* Stroke rate implied by the motor's back-EMF: the voltage the last duty put
 * across the motor less the resistive drop, over ke. Unlike the encoder it
 * answers within one period, which is what tells a jam (current up, EMF
 * gone) from an over-current at speed. */
uint32_t mnpen_speed_emf_estimate_mhz(const mnpen_speed *s, int32_t current_ma,
                                      uint16_t battery_mv);
/* The same with the circuit resistance taken as r_mohm instead of the
 * calibrated value: the supervisor's band for a winding that runs hot. */
uint32_t mnpen_speed_emf_estimate_r_mhz(const mnpen_speed *s, int32_t current_ma,
                                        uint16_t battery_mv, uint32_t r_mohm);

#endif /* MNPEN_SPEED_H */
