/*
 * Software-in-the-loop scenarios: the pen's real firmware against the pen's
 * physics, driven through a treatment the way a user would (power on, seat
 * a cartridge, set depth and speed, press start) with one event injected:
 * the needles meeting skin, a jammed cam, a failing cell, heat, a used or
 * forged cartridge, a power cut in the middle of a log write, a hung loop,
 * a depth sensor failing open, a speed sensor sticking at zero or reading
 * low (so the speed loop drives the cam past the maximum rate); or a
 * treatment, where the pen set down on the skin meets a load that wanders
 * with the hand's pressure.
 *
 * The result holds what a device engineer asks of a run: did the motor
 * start, which fault ended it, how well the stroke rate was held, how deep
 * the needles went, how fast a fault made the motor safe, and whether the
 * treatment log survived. Stroke rate statistics are per stroke (1 / time
 * between bottom dead centres), counted from the first stroke within 2 % of
 * the setpoint ("after the first settling") until the motor stops.
 */
#ifndef MNPEN_HOST_SIL_H
#define MNPEN_HOST_SIL_H

#include <stddef.h>
#include <stdint.h>

#include "io/params.h"
#include "mnpen/pen.h"
#include "plant/plant.h"

typedef enum {
  MNPEN_SIL_NOMINAL = 0,
  MNPEN_SIL_LOAD_STEP,
  MNPEN_SIL_STALL,
  MNPEN_SIL_BATTERY_SAG,
  MNPEN_SIL_OVER_TEMPERATURE,
  MNPEN_SIL_CARTRIDGE_REUSE,
  MNPEN_SIL_CARTRIDGE_FORGED,
  MNPEN_SIL_POWER_LOSS,
  MNPEN_SIL_WATCHDOG,
  MNPEN_SIL_SENSOR,
  MNPEN_SIL_TREATMENT,
  MNPEN_SIL_ENCODER_STUCK, /* the speed sensor sticks at zero while the motor turns */
  MNPEN_SIL_OVERSPEED,     /* the speed sensor reads low, so the loop drives the cam too fast */
  MNPEN_SIL_COUNT
} mnpen_sil_scenario;

typedef struct {
  mnpen_sil_scenario scenario;
  double speed_hz;      /* 0: the pen's default */
  double depth_mm;      /* negative: the pen's default */
  double depth_step_mm; /* the depth dial's scale (0.1 or 0.25 mm); 0: the factory record's */
  uint64_t cartridge_id;
  int unregulated;   /* a cheap pen: fixed duty and the cheap drive (data/pen/cheap_drive.yaml) */
  double duration_s; /* 0: the scenario's own */
  int needles;       /* needles in the cartridge */
  uint64_t seed;     /* nonces and the power-cut instant */
  int keep_strokes;  /* copy the stroke record into the result */
  int used_log;      /* the log flash starts full: the first record erases a sector */
} mnpen_sil_options;

typedef struct {
  mnpen_sil_scenario scenario;
  int motor_started;
  mnpen_fault fault;
  mnpen_state state_final;
  double speed_setpoint_hz;
  double speed_mean_hz;
  double speed_error_rms_pct;
  double speed_error_max_pct;
  int settled; /* 0: never within 2 %; the statistics are then over all strokes */
  uint64_t strokes;
  double depth_set_mm;
  double depth_reached_mm_mean;
  double time_to_safe_stop_ms; /* negative: no fault, or never safe */
  double event_time_s;         /* the injected event's onset; negative: none */
  int log_intact;
  uint32_t log_records;
  uint32_t watchdog_resets;
  /* The slow work of the firmware's ticks (the most in any one tick):
   * flash operations started or polled, bytes read from flash, cartridge
   * requests and polls, cartridge answers read; the reads and starts the
   * devices refused as busy (total); flash erases and programs started. */
  uint32_t tick_flash_ops_max;
  uint32_t tick_flash_bytes_max;
  uint32_t tick_cart_ops_max;
  uint32_t tick_cart_reads_max;
  uint32_t busy_refusals;
  uint32_t flash_erases;
  uint32_t flash_programs;
  double duration_s;
  mn_plant_stroke *stroke_list; /* when keep_strokes; free with mnpen_sil_result_free */
  size_t stroke_count;
} mnpen_sil_result;

void mnpen_sil_options_default(mnpen_sil_options *o);
const char *mnpen_sil_scenario_name(mnpen_sil_scenario s);
/* Returns 0 and sets *s, or -1 for an unknown name. */
int mnpen_sil_scenario_parse(const char *name, mnpen_sil_scenario *s);

/* Runs one scenario with the parameters of table t (data/pen/). Returns 0,
 * or negative with err filled (bad parameters, out of memory). */
int mnpen_sil_run(const mnpen_sil_options *o, const mn_params *t, mnpen_sil_result *r, char *err,
                  size_t errlen);
void mnpen_sil_result_free(mnpen_sil_result *r);

#endif /* MNPEN_HOST_SIL_H */
