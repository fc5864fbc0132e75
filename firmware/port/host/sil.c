/*
 * Software-in-the-loop scenarios; see include/mnpen_host/sil.h.
 *
 * Every scenario follows one script, so they differ only in the event:
 *   t = 0            power on (the MCU boots; the pen is OFF)
 *   press POWER      -> IDLE
 *   seat cartridge   -> CARTRIDGE_CHECK -> READY (or a refusal)
 *   set depth/speed  through the settings interface, as a connected app would
 *   press START      -> RUNNING (soft start)
 *   event            at sil.event_time: skin contact, jam, sag, heat, hang...
 *   end              at the duration; the pen is left as it is
 * Timings of the script and the size of each injected event are scenario
 * design, read from data/pen/sil.yaml like every other number.
 */
#include "mnpen_host/sil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mnpen/cartchip.h"
#include "mnpen_host/config.h"
#include "mnpen_host/host.h"

static const char *const scenario_names[MNPEN_SIL_COUNT] = {
    "nominal",         "load-step",        "stall",      "battery-sag", "over-temperature",
    "cartridge-reuse", "cartridge-forged", "power-loss", "watchdog",    "sensor",
    "treatment",       "encoder-stuck",    "overspeed"};

const char *mnpen_sil_scenario_name(mnpen_sil_scenario s) {
  return (unsigned)s < MNPEN_SIL_COUNT ? scenario_names[s] : "unknown";
}

int mnpen_sil_scenario_parse(const char *name, mnpen_sil_scenario *s) {
  for (int i = 0; i < MNPEN_SIL_COUNT; i++) {
    if (strcmp(name, scenario_names[i]) == 0) {
      *s = (mnpen_sil_scenario)i;
      return 0;
    }
  }
  return -1;
}

void mnpen_sil_options_default(mnpen_sil_options *o) {
  memset(o, 0, sizeof *o);
  o->scenario = MNPEN_SIL_NOMINAL;
  o->depth_mm = -1.0;
  o->cartridge_id = 0x4D4E000000000C01ull;
  o->needles = 12;
  o->seed = 1;
}

/* Scenario design numbers from data/pen/sil.yaml. */
typedef struct {
  double power_press, cart_seat, start_press, press_length;
  double event_time, duration, duration_over_temperature, duration_power_loss;
  double sag_resistance_factor, sag_soc, heat_input;
  double power_cycle_run, power_cycle_off;
  double flash_sector_bytes, flash_sectors, encoder_timeout;
  double flash_program_time, flash_erase_time, chip_read_time, chip_mac_time, chip_burn_time;
  double safe_current_fraction, settle_band, settle_hold, depth_mm;
  double hand_load_cv, hand_correlation_time;
  double overspeed_sensor_gain, overspeed_speed;
} sil_design;

static int load_design(sil_design *d, const mn_params *t, char *err, size_t errlen) {
  struct {
    const char *key, *unit;
    double *v;
  } rows[] = {
      {"sil.power_press", "s", &d->power_press},
      {"sil.cartridge_seat", "s", &d->cart_seat},
      {"sil.start_press", "s", &d->start_press},
      {"sil.press_length", "s", &d->press_length},
      {"sil.event_time", "s", &d->event_time},
      {"sil.duration", "s", &d->duration},
      {"sil.duration_over_temperature", "s", &d->duration_over_temperature},
      {"sil.duration_power_loss", "s", &d->duration_power_loss},
      {"sil.sag_resistance_factor", "1", &d->sag_resistance_factor},
      {"sil.sag_state_of_charge", "1", &d->sag_soc},
      {"sil.heat_input", "W", &d->heat_input},
      {"sil.power_cycle_run", "s", &d->power_cycle_run},
      {"sil.power_cycle_off", "s", &d->power_cycle_off},
      {"sil.flash_sector_bytes", "B", &d->flash_sector_bytes},
      {"sil.flash_sectors", "1", &d->flash_sectors},
      {"sil.encoder_timeout", "s", &d->encoder_timeout},
      {"sil.flash_program_time", "s", &d->flash_program_time},
      {"sil.flash_erase_time", "s", &d->flash_erase_time},
      {"sil.chip_read_time", "s", &d->chip_read_time},
      {"sil.chip_mac_time", "s", &d->chip_mac_time},
      {"sil.chip_burn_time", "s", &d->chip_burn_time},
      {"sil.safe_current_fraction", "1", &d->safe_current_fraction},
      {"sil.settle_band", "1", &d->settle_band},
      {"sil.settle_hold", "s", &d->settle_hold},
      {"sil.depth", "mm", &d->depth_mm},
      {"sil.hand_load_cv", "1", &d->hand_load_cv},
      {"sil.hand_correlation_time", "s", &d->hand_correlation_time},
      {"sil.overspeed_sensor_gain", "1", &d->overspeed_sensor_gain},
      {"sil.overspeed_speed", "Hz", &d->overspeed_speed},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    int rc = mn_params_get(t, rows[i].key, rows[i].unit, rows[i].v, err, errlen);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

/* A record the log acknowledged, kept by the test bench to compare after a
 * power cut. */
typedef struct {
  mnpen_log_record *recs;
  size_t n, cap;
  uint32_t seen_next_seq;
} shadow_log;

static int shadow_collect(shadow_log *s, const mnpen_pen *pen) {
  const mnpen_log *log = &pen->log;
  /* Records count once their program completed; while one is in flight
   * the flash cannot be read, so look again when it is done. */
  if (!pen->log_ok || log->next_seq == s->seen_next_seq || mnpen_log_flash_busy(log)) {
    return 0;
  }
  uint32_t count = mnpen_log_count(log);
  for (uint32_t i = 0; i < count; i++) {
    mnpen_log_record r;
    if (mnpen_log_read(log, i, &r) != MNPEN_LOG_OK) {
      return -1;
    }
    if (r.seq < s->seen_next_seq) {
      continue;
    }
    if (s->n == s->cap) {
      size_t cap = s->cap ? 2 * s->cap : 64;
      mnpen_log_record *p = realloc(s->recs, cap * sizeof *p);
      if (p == NULL) {
        return -1;
      }
      s->recs = p;
      s->cap = cap;
    }
    s->recs[s->n++] = r;
  }
  s->seen_next_seq = log->next_seq;
  return 0;
}

static int same_record(const mnpen_log_record *a, const mnpen_log_record *b) {
  return a->seq == b->seq && a->time_ms == b->time_ms && a->cartridge_id == b->cartridge_id &&
         a->speed_mhz == b->speed_mhz && a->strokes == b->strokes && a->depth_um == b->depth_um &&
         a->type == b->type && a->code == b->code;
}

/* log_intact: the log mounts, every kept record verifies, and every record
 * the firmware was told was written is there unchanged. */
static int shadow_check(const shadow_log *s, const mnpen_pen *pen) {
  const mnpen_log *log = &pen->log;
  if (!pen->log_ok || mnpen_log_verify(log) != MNPEN_LOG_OK) {
    return 0;
  }
  uint32_t count = mnpen_log_count(log);
  size_t j = 0;
  for (uint32_t i = 0; i < count && j < s->n; i++) {
    mnpen_log_record r;
    if (mnpen_log_read(log, i, &r) != MNPEN_LOG_OK) {
      return 0;
    }
    if (r.seq < s->recs[j].seq) {
      continue;
    }
    if (!same_record(&r, &s->recs[j])) {
      return 0;
    }
    j++;
  }
  return j == s->n;
}

typedef struct watch watch;
struct watch {
  double onset;   /* event onset, <0 before */
  double safe_at; /* first safe instant after onset, <0 none */
  int started;
  double run_from;  /* first instant RUNNING */
  double run_until; /* last instant RUNNING */
};

typedef struct {
  mnpen_host *host;
  const sil_design *d;
  double tick_s;
  watch *w;            /* what every step is observed into */
  double safe_current; /* "safe" threshold, A */
} bench;

static double now(const bench *b) {
  return mn_plant_time_s(mnpen_host_plant(b->host));
}

static void observe(bench *b, watch *w, double safe_current) {
  mnpen_pen *pen = mnpen_host_pen(b->host);
  mn_plant *plant = mnpen_host_plant(b->host);
  double t = now(b);
  int running = mnpen_host_powered(b->host) && pen->state == MNPEN_STATE_RUNNING;
  if (running) {
    if (!w->started) {
      w->started = 1;
      w->run_from = t;
    }
    w->run_until = t;
  }
  if (w->onset >= 0.0 && w->safe_at < 0.0 && !running &&
      fabs(mn_plant_current_a(plant)) < safe_current) {
    w->safe_at = t;
  }
}

/* One tick of the bench: firmware tick, plant, and the observer. */
static void step(bench *b) {
  mnpen_host_step(b->host);
  observe(b, b->w, b->safe_current);
}

/* Holds buttons down for the press length, then releases them. */
static void press(bench *b, uint8_t mask) {
  mnpen_host_set_buttons(b->host, mask);
  double until = now(b) + b->d->press_length;
  while (now(b) < until) {
    step(b);
  }
  mnpen_host_set_buttons(b->host, 0);
}

static void run_until(bench *b, double t) {
  while (now(b) < t) {
    step(b);
  }
}

/* Per-stroke rate statistics over [t0, t1]. Settling: the first stroke from
 * which the rate stays within the band for `hold` seconds. A pen that never
 * settles (an unregulated one may not) is judged from t_fallback on. */
static void stroke_stats(const mn_plant_stroke *s, size_t n, double t0, double t1, double setpoint,
                         double band, double hold, double t_fallback, mnpen_sil_result *r) {
  double depth = 0.0;
  size_t kd = 0;
  size_t first = n; /* first stroke with a rate inside [t0, t1] */
  for (size_t i = 0; i < n; i++) {
    if (s[i].time_s < t0 || s[i].time_s > t1) {
      continue;
    }
    depth += s[i].depth_m;
    kd++;
    if (first == n && i > 0 && s[i - 1].time_s >= t0) {
      first = i;
    }
  }
  r->depth_reached_mm_mean = kd ? 1e3 * depth / (double)kd : 0.0;

  /* Find the settling stroke: a run inside the band lasting `hold`. */
  size_t settle = n;
  size_t run_start = n;
  for (size_t i = first; i < n && s[i].time_s <= t1; i++) {
    double rate = 1.0 / (s[i].time_s - s[i - 1].time_s);
    if (fabs(rate - setpoint) <= band * setpoint) {
      if (run_start == n) {
        run_start = i;
      }
      if (s[i].time_s - s[run_start].time_s >= hold) {
        settle = run_start;
        break;
      }
    } else {
      run_start = n;
    }
  }
  r->settled = settle != n;
  double from = r->settled ? s[settle].time_s : t_fallback;

  double sum = 0.0, sum2 = 0.0, worst = 0.0;
  size_t k = 0;
  for (size_t i = first; i < n && s[i].time_s <= t1; i++) {
    if (s[i].time_s < from) {
      continue;
    }
    double rate = 1.0 / (s[i].time_s - s[i - 1].time_s);
    double e = (rate - setpoint) / setpoint;
    sum += rate;
    sum2 += e * e;
    worst = fmax(worst, fabs(e));
    k++;
  }
  r->speed_mean_hz = k ? sum / (double)k : 0.0;
  r->speed_error_rms_pct = k ? 100.0 * sqrt(sum2 / (double)k) : 0.0;
  r->speed_error_max_pct = 100.0 * worst;
}

/* The hand: the needle load wanders around its nominal value as the
 * practitioner's pressure and the skin under the pen change along a glide.
 * Its logarithm is an Ornstein-Uhlenbeck process, so the load stays
 * positive, has the given coefficient of variation and forgets its past
 * over the correlation time. */
typedef struct {
  uint64_t rng;
  double x;     /* log of the load scale, mean-corrected */
  double sigma; /* stationary SD of x */
  double tau;   /* correlation time, s */
} hand_model;

static double hand_uniform(hand_model *h) {
  h->rng ^= h->rng >> 12;
  h->rng ^= h->rng << 25;
  h->rng ^= h->rng >> 27;
  return ((double)((h->rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static double hand_step(hand_model *h, double dt) {
  /* Box-Muller normal deviate; exact OU update over dt. */
  double g = sqrt(-2.0 * log(hand_uniform(h))) * cos(2.0 * acos(-1.0) * hand_uniform(h));
  double a = exp(-dt / h->tau);
  h->x = a * h->x + h->sigma * sqrt(1.0 - a * a) * g;
  return exp(h->x - 0.5 * h->sigma * h->sigma);
}

int mnpen_sil_run(const mnpen_sil_options *o, const mn_params *t, mnpen_sil_result *r, char *err,
                  size_t errlen) {
  memset(r, 0, sizeof *r);
  r->scenario = o->scenario;
  r->time_to_safe_stop_ms = -1.0;
  r->event_time_s = -1.0;

  sil_design d;
  mn_plant_params pp;
  mnpen_config cfg;
  int rc = load_design(&d, t, err, errlen);
  if (rc == 0) {
    rc = mn_plant_params_from(&pp, t, err, errlen);
  }
  if (rc == 0 && o->unregulated) {
    /* An unregulated pen is a cheap pen: its own drive, not the regulated
     * pen's motor and flywheel with the loop switched off. */
    rc = mn_plant_params_cheap_drive(&pp, t, err, errlen);
  }
  if (rc == 0) {
    rc = mnpen_host_config_load(&cfg, t, &pp, !o->unregulated, err, errlen);
  }
  if (rc == 0 && o->depth_step_mm > 0.0) {
    /* the pen of another make: its dial's scale instead of the factory record's */
    long step_um = lround(o->depth_step_mm * 1000.0);
    if (step_um != 100 && step_um != 250) {
      snprintf(err, errlen, "pen: a depth scale of %g mm is not one the firmware knows (0.1, 0.25)",
               o->depth_step_mm);
      rc = -1;
    } else {
      cfg.depth.step_um = (uint16_t)step_um;
    }
  }
  if (rc != 0) {
    return rc;
  }
  mnpen_host_options hopt = {
      .flash_sector_bytes = (uint32_t)d.flash_sector_bytes,
      .flash_sectors = (uint32_t)d.flash_sectors,
      .encoder_timeout_us = (uint32_t)(d.encoder_timeout * 1e6),
      .seed = o->seed,
      .flash_program_us = (uint32_t)lround(d.flash_program_time * 1e6),
      .flash_erase_us = (uint32_t)lround(d.flash_erase_time * 1e6),
      .chip_read_us = (uint32_t)lround(d.chip_read_time * 1e6),
      .chip_mac_us = (uint32_t)lround(d.chip_mac_time * 1e6),
      .chip_burn_us = (uint32_t)lround(d.chip_burn_time * 1e6),
      .flash_full = o->used_log,
  };
  mnpen_host *host = NULL;
  rc = mnpen_host_create(&host, &pp, &cfg, &hopt, err, errlen);
  if (rc != 0) {
    return rc;
  }
  watch w = {-1.0, -1.0, 0, 0.0, 0.0};
  bench b = {host, &d, MNPEN_TICK_US * 1e-6, &w, 0.0};
  mn_plant *plant = mnpen_host_plant(host);
  mnpen_pen *pen = mnpen_host_pen(host);
  shadow_log shadow = {0};

  /* The cartridge: genuine and fresh, or what the scenario asks for. */
  mnpen_cartchip chip;
  mnpen_cartchip_init(&chip, cfg.master_key, o->cartridge_id);
  if (o->scenario == MNPEN_SIL_CARTRIDGE_REUSE) {
    chip.flag = MNPEN_CART_FLAG_USED; /* burned in an earlier treatment */
  } else if (o->scenario == MNPEN_SIL_CARTRIDGE_FORGED) {
    for (size_t i = 0; i < sizeof chip.key; i++) { /* a key not from the maker */
      chip.key[i] = (uint8_t)(chip.key[i] ^ 0x5Au);
    }
  }

  double duration = o->duration_s > 0.0                         ? o->duration_s
                    : o->scenario == MNPEN_SIL_OVER_TEMPERATURE ? d.duration_over_temperature
                    : o->scenario == MNPEN_SIL_POWER_LOSS       ? d.duration_power_loss
                                                                : d.duration;
  int on_skin_from_start = o->scenario != MNPEN_SIL_LOAD_STEP && o->scenario != MNPEN_SIL_TREATMENT;
  hand_model hand = {o->seed * 0x9E3779B97F4A7C15ull | 1u, 0.0,
                     sqrt(log(1.0 + d.hand_load_cv * d.hand_load_cv)), d.hand_correlation_time};
  mn_plant_set_skin(plant, on_skin_from_start, o->needles);

  /* "Safe" is a current below a fraction (5 %) of the locked-rotor current
   * at full duty on this cell. */
  b.safe_current = d.safe_current_fraction * mn_plant_battery_terminal_v(plant) /
                   (pp.motor.resistance + pp.bridge.on_resistance);

  /* The script up to the start. */
  mnpen_host_power_on(host);
  /* Records already in the flash (a used pen's) are not this run's. */
  shadow.seen_next_seq = pen->log.next_seq;
  run_until(&b, d.power_press);
  press(&b, MNPEN_BTN_POWER);
  run_until(&b, d.cart_seat);
  mnpen_host_seat_cartridge(host, &chip);
  step(&b);
  /* The overspeed scenario runs at the highest setting unless told
   * otherwise: where a sensor reading low does the most harm. */
  double speed_hz = o->speed_hz > 0.0                    ? o->speed_hz
                    : o->scenario == MNPEN_SIL_OVERSPEED ? d.overspeed_speed
                                                         : 0.0;
  if (speed_hz > 0.0) {
    mnpen_request_speed(pen, (uint32_t)lround(speed_hz * 1000.0));
  }
  mnpen_request_depth(pen,
                      (int32_t)lround((o->depth_mm >= 0.0 ? o->depth_mm : d.depth_mm) * 1000.0));
  r->speed_setpoint_hz = pen->speed_setting_mhz / 1000.0;
  r->depth_set_mm = pen->depth.setting_um / 1000.0;
  run_until(&b, d.start_press);
  press(&b, MNPEN_BTN_START);
  shadow_collect(&shadow, pen);

  /* The power-loss scenario cuts the supply at a random byte of the log
   * writes that power cycles cause; pick it from the seed. */
  uint32_t cut_at = 0;
  double next_cycle = d.event_time;
  if (o->scenario == MNPEN_SIL_POWER_LOSS) {
    uint64_t x = o->seed * 0x9E3779B97F4A7C15ull + 1u;
    x ^= x >> 31;
    /* Each cycle writes a session end and a session start. */
    uint32_t per_cycle = 2u * MNPEN_LOG_RECORD_BYTES;
    uint32_t cycles = (uint32_t)((duration - d.event_time) /
                                 (d.power_cycle_run + d.power_cycle_off + 3 * d.press_length));
    uint32_t span = per_cycle * (cycles > 1 ? cycles - 1 : 1);
    cut_at = mnpen_host_flash_bytes_written(host) + 1u + (uint32_t)(x % span);
    mnpen_host_cut_power_after(host, cut_at - mnpen_host_flash_bytes_written(host));
    r->event_time_s = -1.0;
  }

  int event_done = 0;
  while (now(&b) < duration) {
    double tn = now(&b);
    if (!event_done && tn >= d.event_time) {
      event_done = 1;
      switch (o->scenario) {
      case MNPEN_SIL_LOAD_STEP:
      case MNPEN_SIL_TREATMENT:
        mn_plant_set_skin(plant, 1, o->needles);
        r->event_time_s = tn;
        break;
      case MNPEN_SIL_STALL:
        mn_plant_set_jam(plant, 1);
        w.onset = tn;
        break;
      case MNPEN_SIL_BATTERY_SAG:
        mn_plant_set_battery(plant, d.sag_soc, d.sag_resistance_factor);
        r->event_time_s = tn;
        break;
      case MNPEN_SIL_OVER_TEMPERATURE:
        mn_plant_set_heat_input(plant, d.heat_input);
        r->event_time_s = tn;
        break;
      case MNPEN_SIL_WATCHDOG:
        mnpen_host_set_hang(host, 1);
        w.onset = tn;
        break;
      case MNPEN_SIL_SENSOR:
        mn_plant_set_depth_sensor_fault(plant, MN_PLANT_SENSOR_OPEN);
        w.onset = tn;
        break;
      case MNPEN_SIL_ENCODER_STUCK:
        mnpen_host_set_encoder_scale(host, 0.0);
        w.onset = tn;
        break;
      case MNPEN_SIL_OVERSPEED:
        mnpen_host_set_encoder_scale(host, d.overspeed_sensor_gain);
        r->event_time_s = tn;
        break;
      default:
        break;
      }
    }
    /* Onsets that are threshold crossings in the physics. */
    if (w.onset < 0.0 && event_done) {
      int sagged = o->scenario == MNPEN_SIL_BATTERY_SAG &&
                   mn_plant_battery_terminal_v(plant) * 1e3 < cfg.power.stop_mv;
      int hot = o->scenario == MNPEN_SIL_OVER_TEMPERATURE &&
                mn_plant_temperature_c(plant) * 10.0 >= cfg.power.shutdown_dc;
      /* Over-speed: the cam's true rate passes the firmware's trip level. */
      int fast = o->scenario == MNPEN_SIL_OVERSPEED &&
                 mn_plant_stroke_rate_hz(plant) * 1e3 > mnpen_guard_over_speed_mhz(&cfg.guard);
      if (sagged || hot || fast) {
        w.onset = tn;
      }
    }
    if (o->scenario == MNPEN_SIL_TREATMENT && event_done) {
      mn_plant_set_skin_load(plant, hand_step(&hand, b.tick_s));
    }
    if (o->scenario == MNPEN_SIL_POWER_LOSS && event_done) {
      if (!mnpen_host_powered(host)) {
        /* The cut happened: power comes back, the pen boots and mounts. */
        w.onset = tn;
        mnpen_host_power_on(host);
        mnpen_host_step(host);
        break;
      }
      if (tn >= next_cycle) {
        /* Power button off, on again, start: a short session. */
        press(&b, MNPEN_BTN_POWER);
        shadow_collect(&shadow, pen);
        run_until(&b, now(&b) + d.power_cycle_off);
        press(&b, MNPEN_BTN_POWER);
        press(&b, MNPEN_BTN_START);
        next_cycle = now(&b) + d.power_cycle_run;
      }
    }
    step(&b);
    if (mnpen_host_powered(host)) {
      shadow_collect(&shadow, pen);
    }
  }
  if (w.onset >= 0.0) {
    /* The fault's onset, which safe stop is timed from; for a power cut, the
     * instant the supply failed. */
    r->event_time_s = w.onset;
    if (w.safe_at >= 0.0 && pen->fault != MNPEN_FAULT_NONE) {
      r->time_to_safe_stop_ms = (w.safe_at - w.onset) * 1e3;
    }
  }

  r->motor_started = w.started;
  r->fault = pen->fault;
  r->state_final = pen->state;
  r->watchdog_resets = mnpen_host_resets(host);
  r->duration_s = now(&b);
  /* Records still queued or in flight are written before the log is
   * checked (the pen stays on, nothing else happens): at most a queue of
   * records, each at worst an erase and a program, with room to spare for
   * the sector checks around them. */
  double settle_until =
      now(&b) + 2.0 * (MNPEN_LOG_QUEUE_LEN + 1u) * (d.flash_erase_time + d.flash_program_time);
  while (mnpen_host_powered(host) && pen->log_ok &&
         (mnpen_log_pending(&pen->log) > 0u || mnpen_log_flash_busy(&pen->log)) &&
         now(&b) < settle_until) {
    mnpen_host_step(host);
    shadow_collect(&shadow, pen);
  }
  r->log_intact = shadow_check(&shadow, pen);
  r->log_records = mnpen_log_count(&pen->log);
  mnpen_host_work work;
  mnpen_host_tick_work_max(host, &work);
  r->tick_flash_ops_max = work.flash_ops;
  r->tick_flash_bytes_max = work.flash_bytes;
  r->tick_cart_ops_max = work.cart_ops;
  r->tick_cart_reads_max = work.cart_reads;
  r->busy_refusals = work.busy_refusals;
  r->flash_erases = mnpen_host_flash_erases(host);
  r->flash_programs = mnpen_host_flash_programs(host);

  size_t n = 0;
  const mn_plant_stroke *strokes = mn_plant_strokes(plant, &n);
  double setpoint = pen->speed_setting_mhz / 1000.0;
  if (w.started) {
    double ramp_s = setpoint * 1000.0 / cfg.speed.ramp_mhz_per_tick * b.tick_s;
    stroke_stats(strokes, n, w.run_from, w.run_until + b.tick_s, setpoint, d.settle_band,
                 d.settle_hold, w.run_from + ramp_s + d.settle_hold, r);
  }
  r->strokes = n;
  if (o->keep_strokes && n > 0) {
    r->stroke_list = malloc(n * sizeof *r->stroke_list);
    if (r->stroke_list == NULL) {
      rc = -1;
      snprintf(err, errlen, "out of memory for %zu strokes", n);
    } else {
      memcpy(r->stroke_list, strokes, n * sizeof *strokes);
      r->stroke_count = n;
    }
  }
  free(shadow.recs);
  mnpen_host_destroy(&host);
  return rc;
}

void mnpen_sil_result_free(mnpen_sil_result *r) {
  free(r->stroke_list);
  r->stroke_list = NULL;
  r->stroke_count = 0;
}
