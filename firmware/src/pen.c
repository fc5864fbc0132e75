/*
 * The pen's state machine and control tick; see pen.h for the states.
 *
 * Order inside a tick matters and is fixed:
 *   1. kick the watchdog (a tick that never ends is what it catches);
 *   2. read every sensor once, so all decisions of the tick see one snapshot;
 *   3. supervise (power, heat, depth stage, motor guard: stall, over-current,
 *      over-speed, speed-sensor plausibility) and enter FAULT on
 *      the first finding, which opens the bridge at once;
 *   4. act on button edges and cartridge presence;
 *   5. run the speed loop and drive the motor, only in RUNNING; set the
 *      indicators;
 *   6. one bounded step of the treatment log (tlog.h): at most one flash
 *      operation started or polled, skipped in a tick that entered FAULT.
 * A fault found in step 3 therefore never sees step 5 of the same tick:
 * the motor is never driven in a tick that found a fault. Records are
 * queued where they happen and written by step 6 of later ticks, so no
 * tick waits for the flash.
 */
#include "mnpen/pen.h"

static const char *const state_names[MNPEN_STATE_COUNT] = {
    "off", "idle", "cartridge_check", "ready", "running", "paused", "fault"};

static const char *const fault_names[MNPEN_FAULT_COUNT] = {"none",
                                                           "stall",
                                                           "over_current",
                                                           "battery_low",
                                                           "over_temperature",
                                                           "sensor",
                                                           "cartridge_used",
                                                           "cartridge_forged",
                                                           "watchdog",
                                                           "over_speed",
                                                           "speed_implausible"};

const char *mnpen_state_name(mnpen_state s) {
  return (unsigned)s < MNPEN_STATE_COUNT ? state_names[s] : "unknown";
}

const char *mnpen_fault_name(mnpen_fault f) {
  return (unsigned)f < MNPEN_FAULT_COUNT ? fault_names[f] : "unknown";
}

static uint32_t uptime_ms(const mnpen_pen *pen) {
  return (uint32_t)((uint64_t)pen->ticks * MNPEN_TICK_US / 1000u);
}

static void log_event(mnpen_pen *pen, mnpen_log_type type, int8_t code) {
  if (!pen->log_ok) {
    return;
  }
  mnpen_log_record r = {0};
  r.time_ms = uptime_ms(pen);
  r.cartridge_id = pen->cart.id;
  r.speed_mhz = pen->speed_setting_mhz;
  r.strokes = pen->strokes;
  r.depth_um = (uint16_t)pen->depth.setting_um;
  r.type = (uint8_t)type;
  r.code = code;
  /* Queued, never written here: a full queue loses this record (counted
   * in the log), never the tick's time. */
  (void)mnpen_log_queue(&pen->log, &r);
}

static void motor_safe(mnpen_pen *pen) {
  pen->hal->motor_disable(pen->hal->ctx);
  mnpen_speed_stop(&pen->speed);
}

static void close_session(mnpen_pen *pen) {
  if (pen->session_open) {
    log_event(pen, MNPEN_LOG_SESSION_END, 0);
    pen->session_open = 0;
  }
}

static void enter_fault(mnpen_pen *pen, mnpen_fault f) {
  motor_safe(pen); /* first: nothing may delay the safe stop */
  pen->fault_tick = 1;
  mnpen_cart_abort(&pen->cart); /* a check cut short wipes its key */
  pen->fault = f;
  pen->state = MNPEN_STATE_FAULT;
  log_event(pen, MNPEN_LOG_FAULT, (int8_t)f);
  close_session(pen);
}

static void go_off(mnpen_pen *pen) {
  motor_safe(pen);
  mnpen_cart_abort(&pen->cart);
  close_session(pen);
  pen->fault = MNPEN_FAULT_NONE;
  pen->state = MNPEN_STATE_OFF;
}

void mnpen_init(mnpen_pen *pen, const mnpen_hal *hal, const mnpen_config *cfg) {
  *pen = (mnpen_pen){0};
  pen->hal = hal;
  pen->cfg = cfg;
  hal->motor_disable(hal->ctx);
  mnpen_speed_init(&pen->speed, &cfg->speed, cfg->regulated);
  mnpen_depth_init(&pen->depth, &cfg->depth);
  mnpen_power_init(&pen->power, &cfg->power);
  mnpen_guard_init(&pen->guard, &cfg->guard);
  pen->speed_setting_mhz = cfg->speed_default_mhz;
  mnpen_request_speed(pen, cfg->speed_default_mhz);
  mnpen_depth_request_um(&pen->depth, cfg->depth_default_um);
  pen->log_ok = mnpen_log_mount(&pen->log, hal) == MNPEN_LOG_OK;

  mnpen_reset_cause cause = hal->reset_cause(hal->ctx);
  log_event(pen, MNPEN_LOG_BOOT, (int8_t)cause);
  hal->watchdog_start(hal->ctx, cfg->watchdog_us);
  pen->state = MNPEN_STATE_OFF;
  if (cause == MNPEN_RESET_WATCHDOG) {
    enter_fault(pen, MNPEN_FAULT_WATCHDOG);
  }
}

uint32_t mnpen_request_speed(mnpen_pen *pen, uint32_t mhz) {
  if (mhz < MNPEN_SPEED_MIN_MHZ) {
    mhz = MNPEN_SPEED_MIN_MHZ;
  }
  if (mhz > MNPEN_SPEED_MAX_MHZ) {
    mhz = MNPEN_SPEED_MAX_MHZ;
  }
  pen->speed_setting_mhz = mhz;
  return mhz;
}

int32_t mnpen_request_depth(mnpen_pen *pen, int32_t um) {
  return mnpen_depth_request_um(&pen->depth, um);
}

int mnpen_select_zone(mnpen_pen *pen, uint8_t zone) {
  return mnpen_depth_select_zone(&pen->depth, zone);
}

static void read_sensors(mnpen_pen *pen) {
  const mnpen_hal *h = pen->hal;
  pen->speed_mhz = h->motor_speed_mhz(h->ctx);
  pen->current_ma = h->motor_current_ma(h->ctx);
  pen->battery_mv = h->battery_mv(h->ctx);
  pen->temperature_dc = h->temperature_dc(h->ctx);
  pen->depth_sensor_um = h->depth_sensor_um(h->ctx);

  /* Debounce: a new button state counts once it held debounce_ticks. */
  uint8_t raw = h->buttons(h->ctx);
  pen->buttons_pressed = 0;
  if (raw != pen->buttons_sample) {
    pen->buttons_sample = raw;
    pen->buttons_count = 0;
  } else if (raw != pen->buttons_stable && ++pen->buttons_count >= pen->cfg->debounce_ticks) {
    pen->buttons_pressed = (uint8_t)(raw & (uint8_t)~pen->buttons_stable);
    pen->buttons_stable = raw;
  }
}

static uint32_t sat_u32(uint64_t v) {
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static mnpen_fault supervise(mnpen_pen *pen) {
  int running = pen->state == MNPEN_STATE_RUNNING;
  switch (mnpen_power_update(&pen->power, pen->battery_mv, pen->temperature_dc, running)) {
  case MNPEN_POWER_BATTERY_LOW:
    return MNPEN_FAULT_BATTERY_LOW;
  case MNPEN_POWER_OVER_TEMPERATURE:
    return MNPEN_FAULT_OVER_TEMPERATURE;
  case MNPEN_POWER_SENSOR:
    return MNPEN_FAULT_SENSOR;
  default:
    break;
  }
  if (mnpen_depth_supervise(&pen->depth, pen->depth_sensor_um) != MNPEN_DEPTH_OK) {
    return MNPEN_FAULT_SENSOR;
  }
  if (running) {
    /* The guard weighs the encoder against the back-EMF, at the calibrated
     * resistance and at the resistance of a hot circuit. */
    const mnpen_speed *sp = &pen->speed;
    uint32_t r_hot =
        sat_u32((uint64_t)sp->cfg->r_mohm * (100u + pen->cfg->guard.emf_r_rise_pct) / 100u);
    mnpen_guard_reading in = {
        .current_ma = pen->current_ma,
        .encoder_mhz = pen->speed_mhz,
        .emf_mhz = mnpen_speed_emf_estimate_mhz(sp, pen->current_ma, pen->battery_mv),
        .emf_hot_mhz = mnpen_speed_emf_estimate_r_mhz(sp, pen->current_ma, pen->battery_mv, r_hot),
        .setpoint_mhz = sp->ramp_mhz,
    };
    switch (mnpen_guard_update(&pen->guard, &in)) {
    case MNPEN_GUARD_STALL:
      return MNPEN_FAULT_STALL;
    case MNPEN_GUARD_OVER_CURRENT:
      return MNPEN_FAULT_OVER_CURRENT;
    case MNPEN_GUARD_SENSOR:
      return MNPEN_FAULT_SENSOR;
    case MNPEN_GUARD_OVER_SPEED:
      return MNPEN_FAULT_OVER_SPEED;
    case MNPEN_GUARD_SPEED_IMPLAUSIBLE:
      return MNPEN_FAULT_SPEED_IMPLAUSIBLE;
    default:
      break;
    }
  }
  return MNPEN_FAULT_NONE;
}

/* One step of the cartridge check; the state stays CARTRIDGE_CHECK until
 * the check has an outcome, so nothing can start the motor before the MAC
 * is verified and the burn confirmed. */
static void check_cartridge(mnpen_pen *pen) {
  int st = mnpen_cart_step(&pen->cart, pen->hal, pen->cfg->master_key, pen->cfg->cart_answer_ticks);
  if (st == MNPEN_CART_PENDING) {
    return;
  }
  log_event(pen, MNPEN_LOG_CARTRIDGE, (int8_t)st);
  switch (st) {
  case MNPEN_CART_OK:
    pen->state = MNPEN_STATE_READY;
    break;
  case MNPEN_CART_ABSENT:
    pen->state = MNPEN_STATE_IDLE;
    break;
  case MNPEN_CART_USED:
    enter_fault(pen, MNPEN_FAULT_CARTRIDGE_USED);
    break;
  default: /* bus error, no answer, bad MAC, burn not confirmed: not trusted */
    enter_fault(pen, MNPEN_FAULT_CARTRIDGE_FORGED);
    break;
  }
}

static void start_motor(mnpen_pen *pen) {
  uint32_t limit =
      mnpen_power_speed_limit_mhz(&pen->power, MNPEN_SPEED_MIN_MHZ, pen->speed_setting_mhz);
  mnpen_guard_start(&pen->guard);
  mnpen_speed_start(&pen->speed, limit);
  if (!pen->session_open) {
    pen->strokes = 0;
    pen->stroke_acc = 0;
    pen->session_open = 1;
    log_event(pen, MNPEN_LOG_SESSION_START, 0);
  }
  pen->state = MNPEN_STATE_RUNNING;
}

static void handle_inputs(mnpen_pen *pen) {
  uint8_t pressed = pen->buttons_pressed;
  int present = pen->hal->cart_present(pen->hal->ctx);

  if (pressed & MNPEN_BTN_POWER) {
    if (pen->state == MNPEN_STATE_OFF) {
      pen->state = MNPEN_STATE_IDLE;
    } else {
      go_off(pen);
    }
    return;
  }
  if (pen->state == MNPEN_STATE_OFF) {
    return; /* standby: only the power button does anything */
  }
  if (pressed & MNPEN_BTN_SPEED_UP) {
    mnpen_request_speed(pen, pen->speed_setting_mhz + pen->cfg->speed_step_mhz);
  }
  if (pressed & MNPEN_BTN_SPEED_DOWN) {
    uint32_t step = pen->cfg->speed_step_mhz;
    /* Saturate: an unsigned wrap would turn "slower" into the maximum. */
    mnpen_request_speed(pen, pen->speed_setting_mhz > step ? pen->speed_setting_mhz - step : 0u);
  }
  if (pressed & MNPEN_BTN_DEPTH_UP) {
    mnpen_depth_step(&pen->depth, 1);
  }
  if (pressed & MNPEN_BTN_DEPTH_DOWN) {
    mnpen_depth_step(&pen->depth, -1);
  }

  switch (pen->state) {
  case MNPEN_STATE_IDLE:
    if (present) {
      mnpen_cart_begin(&pen->cart);
      pen->state = MNPEN_STATE_CART_CHECK;
    }
    break;
  case MNPEN_STATE_CART_CHECK:
    check_cartridge(pen);
    break;
  case MNPEN_STATE_READY:
    if (!present) {
      pen->state = MNPEN_STATE_IDLE;
    } else if ((pressed & MNPEN_BTN_START) && pen->depth.settled &&
               mnpen_power_can_start(&pen->power)) {
      start_motor(pen);
    }
    break;
  case MNPEN_STATE_RUNNING:
    if (!present) {
      motor_safe(pen);
      close_session(pen);
      pen->state = MNPEN_STATE_IDLE;
    } else if (pressed & MNPEN_BTN_START) {
      motor_safe(pen);
      pen->state = MNPEN_STATE_PAUSED;
    }
    break;
  case MNPEN_STATE_PAUSED:
    if (!present) {
      close_session(pen);
      pen->state = MNPEN_STATE_IDLE;
    } else if ((pressed & MNPEN_BTN_START) && pen->depth.settled &&
               mnpen_power_can_start(&pen->power)) {
      start_motor(pen);
    }
    break;
  case MNPEN_STATE_FAULT:
    /* A refused cartridge is cleared by taking it out. */
    if (!present &&
        (pen->fault == MNPEN_FAULT_CARTRIDGE_USED || pen->fault == MNPEN_FAULT_CARTRIDGE_FORGED)) {
      pen->fault = MNPEN_FAULT_NONE;
      pen->state = MNPEN_STATE_IDLE;
    }
    break;
  default:
    break;
  }
}

static void run_motor(mnpen_pen *pen) {
  const mnpen_hal *h = pen->hal;
  uint32_t target =
      mnpen_power_speed_limit_mhz(&pen->power, MNPEN_SPEED_MIN_MHZ, pen->speed_setting_mhz);
  mnpen_speed_set_target(&pen->speed, target);
  uint16_t duty = mnpen_speed_update(&pen->speed, pen->speed_mhz, pen->current_ma, pen->battery_mv);
  h->motor_drive(h->ctx, duty);

  /* Strokes: integrate the measured rate (mHz x us = 1e-9 strokes). */
  pen->stroke_acc += (uint64_t)pen->speed_mhz * MNPEN_TICK_US;
  pen->strokes += (uint32_t)(pen->stroke_acc / 1000000000u);
  pen->stroke_acc %= 1000000000u;
}

static void indicate(const mnpen_pen *pen) {
  uint8_t leds = 0;
  mnpen_tone tone = MNPEN_TONE_NONE;
  if (pen->state != MNPEN_STATE_OFF) {
    leds |= MNPEN_LED_POWER;
  }
  if (pen->state == MNPEN_STATE_READY || pen->state == MNPEN_STATE_PAUSED) {
    leds |= MNPEN_LED_READY;
  }
  if (pen->state == MNPEN_STATE_RUNNING) {
    leds |= MNPEN_LED_RUN;
  }
  if (pen->state == MNPEN_STATE_FAULT) {
    leds |= MNPEN_LED_FAULT;
    tone = MNPEN_TONE_ALARM;
  }
  if (pen->state != MNPEN_STATE_OFF && !mnpen_power_can_start(&pen->power)) {
    leds |= MNPEN_LED_BATTERY;
  }
  pen->hal->indicate(pen->hal->ctx, leds, tone);
}

/* The log's share of the tick: one bounded step, after every decision of
 * the tick and never in the tick that opened the bridge for a fault, which
 * does nothing but make the motor safe. */
static void step_log(mnpen_pen *pen) {
  if (pen->log_ok && !pen->fault_tick && mnpen_log_step(&pen->log) != MNPEN_LOG_OK) {
    pen->log_ok = 0;
  }
}

void mnpen_tick(mnpen_pen *pen) {
  const mnpen_hal *h = pen->hal;
  h->watchdog_kick(h->ctx);
  pen->ticks++;
  pen->fault_tick = 0;
  read_sensors(pen);

  if (pen->state != MNPEN_STATE_OFF && pen->state != MNPEN_STATE_FAULT) {
    h->depth_command_um(h->ctx, pen->depth.setting_um);
    mnpen_fault f = supervise(pen);
    if (f != MNPEN_FAULT_NONE) {
      enter_fault(pen, f);
    }
  }
  handle_inputs(pen);
  if (pen->state == MNPEN_STATE_RUNNING) {
    run_motor(pen);
  } else {
    h->motor_disable(h->ctx);
  }
  indicate(pen);
  step_log(pen);
}
