/*
 * The pen: its state machine and the one entry point a port calls.
 *
 * A port calls mnpen_init() once after reset and mnpen_tick() every
 * MNPEN_TICK_US (from a timer interrupt or a main loop that waits for it).
 * Each tick reads every sensor through the HAL, runs the supervisors
 * (battery and heat, motor guard, depth stage), turns button edges into
 * transitions, runs the speed loop and drives the motor, and kicks the
 * watchdog. The pen never blocks: the treatment log and the cartridge check
 * are state machines that each tick moves by one bounded step.
 *
 * States:
 *   OFF         standby; only the power button does anything
 *   IDLE        on, no usable cartridge
 *   CART_CHECK  a cartridge was seated: authenticate it, burn its use flag
 *   READY       authenticated cartridge, motor off, depth settled
 *   RUNNING     motor on, speed loop closed
 *   PAUSED      session open, motor off (start toggles)
 *   FAULT       motor safe (bridge open) until the power button
 *
 * Any fault drives the motor to a safe stop in the tick that detects it:
 * the bridge is opened first, before anything is logged.
 */
#ifndef MNPEN_PEN_H
#define MNPEN_PEN_H

#include <stdint.h>

#include "mnpen/cart.h"
#include "mnpen/depth.h"
#include "mnpen/guard.h"
#include "mnpen/hal.h"
#include "mnpen/limits.h"
#include "mnpen/power.h"
#include "mnpen/speed.h"
#include "mnpen/tlog.h"

typedef enum {
  MNPEN_STATE_OFF = 0,
  MNPEN_STATE_IDLE,
  MNPEN_STATE_CART_CHECK,
  MNPEN_STATE_READY,
  MNPEN_STATE_RUNNING,
  MNPEN_STATE_PAUSED,
  MNPEN_STATE_FAULT,
  MNPEN_STATE_COUNT
} mnpen_state;

typedef enum {
  MNPEN_FAULT_NONE = 0,
  MNPEN_FAULT_STALL,
  MNPEN_FAULT_OVER_CURRENT,
  MNPEN_FAULT_BATTERY_LOW,
  MNPEN_FAULT_OVER_TEMPERATURE,
  MNPEN_FAULT_SENSOR,
  MNPEN_FAULT_CARTRIDGE_USED,
  MNPEN_FAULT_CARTRIDGE_FORGED,
  MNPEN_FAULT_WATCHDOG,
  /* Appended, so the codes in logs written before them keep their meaning. */
  MNPEN_FAULT_OVER_SPEED,        /* stroke rate above the hard maximum */
  MNPEN_FAULT_SPEED_IMPLAUSIBLE, /* encoder and back-EMF disagree */
  MNPEN_FAULT_COUNT
} mnpen_fault;

/* Everything a pen is calibrated and configured with. The host port loads
 * it from data/pen/; a board port holds its factory record. */
typedef struct {
  mnpen_speed_config speed;
  mnpen_depth_config depth;
  mnpen_power_config power;
  mnpen_guard_config guard;
  uint8_t master_key[MNPEN_CART_KEY_LEN];
  uint32_t speed_default_mhz;
  uint32_t speed_step_mhz;
  int32_t depth_default_um;
  uint32_t watchdog_us;
  uint16_t debounce_ticks;
  uint16_t cart_answer_ticks; /* polls a cartridge answer may take */
  uint8_t regulated;          /* 0: fixed duty, like a pen without speed control */
} mnpen_config;

typedef struct {
  const mnpen_hal *hal;
  const mnpen_config *cfg;
  mnpen_state state;
  mnpen_fault fault;
  mnpen_speed speed;
  mnpen_depth depth;
  mnpen_power power;
  mnpen_guard guard;
  mnpen_cart cart;
  mnpen_log log;
  int log_ok;     /* the log mounted and every append succeeded so far */
  int fault_tick; /* this tick entered FAULT: it does no log work */
  uint32_t speed_setting_mhz;
  uint8_t buttons_stable;  /* debounced state */
  uint8_t buttons_pressed; /* edges found in this tick */
  uint8_t buttons_sample;
  uint16_t buttons_count;
  uint32_t ticks;
  uint32_t strokes;    /* strokes of the open session */
  uint64_t stroke_acc; /* fractional strokes, mHz x us */
  int session_open;
  /* Last sensor readings, for ports and tests to inspect. */
  uint32_t speed_mhz;
  int32_t current_ma;
  uint16_t battery_mv;
  int16_t temperature_dc;
  int32_t depth_sensor_um;
} mnpen_pen;

/* Boot: reads the reset cause, mounts the log, records the boot; after a
 * watchdog reset the pen starts in FAULT (watchdog). */
void mnpen_init(mnpen_pen *pen, const mnpen_hal *hal, const mnpen_config *cfg);
void mnpen_tick(mnpen_pen *pen);

/* Settings as a connected app would send them; clamped like the buttons.
 * Each returns the value in force. */
uint32_t mnpen_request_speed(mnpen_pen *pen, uint32_t mhz);
int32_t mnpen_request_depth(mnpen_pen *pen, int32_t um);
int mnpen_select_zone(mnpen_pen *pen, uint8_t zone);

const char *mnpen_state_name(mnpen_state s);
/* Names as the simulator reports them: "stall", "over_current", ... */
const char *mnpen_fault_name(mnpen_fault f);

#endif /* MNPEN_PEN_H */
