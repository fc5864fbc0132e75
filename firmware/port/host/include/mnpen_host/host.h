/*
 * The host port: hal.h bound to the pen's physics (src/plant), so the real
 * firmware runs on a PC against a simulated pen (software-in-the-loop).
 *
 * Design notes
 * ------------
 * The port plays the part of the board: it turns the plant's SI quantities
 * into what the MCU's peripherals would give (integer millivolts, a current
 * ADC, an encoder capture timer with a 1 MHz clock), holds the NOR flash of
 * the log in memory, seats cartridges (each a model of the authenticator
 * chip), presses buttons, and keeps the independent watchdog. Everything a
 * real board can do to firmware the port can do on purpose: cut the power in
 * the middle of a flash write, stop the firmware from running (a hang) and
 * let the watchdog reset it, fail a sensor (the depth sensor in the plant,
 * the speed sensor in this port's encoder capture).
 *
 * The firmware is ticked by mnpen_host_step(), which then advances the plant
 * by one tick; the port never calls firmware internals, only pen.h. The
 * flash and the cartridge chip take the busy times of real parts (the
 * options; data/pen/sil.yaml): an operation's bytes change when it starts,
 * and it reports busy, and refuses reads, until the simulated clock has
 * passed its busy time. Since the clock only moves between ticks, a
 * firmware that waited for a device inside a tick would never return;
 * the port counts the slow work of every tick instead.
 */
#ifndef MNPEN_HOST_HOST_H
#define MNPEN_HOST_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "mnpen/cartchip.h"
#include "mnpen/pen.h"
#include "plant/plant.h"

typedef struct mnpen_host mnpen_host;

typedef struct {
  uint32_t flash_sector_bytes;
  uint32_t flash_sectors;
  uint32_t encoder_timeout_us; /* no edge for this long reads as 0 speed */
  uint64_t seed;               /* random source for nonces */
  /* Busy times of the slow devices (0: instant). */
  uint32_t flash_program_us; /* a record's page program */
  uint32_t flash_erase_us;   /* a sector erase */
  uint32_t chip_read_us;     /* the chip's answer to READ_ID */
  uint32_t chip_mac_us;      /* its answer to CHALLENGE (one MAC) */
  uint32_t chip_burn_us;     /* its answer to BURN (OTP write, then a MAC) */
  /* A pen used for years: the log flash starts with its ring full of
   * records, so the firmware's first append must erase a sector. */
  int flash_full;
} mnpen_host_options;

/* The slow work of firmware ticks: flash operations started or polled,
 * bytes read from flash, cartridge requests and polls, cartridge answers
 * read; and firmware calls the port refused because the device was busy. */
typedef struct {
  uint32_t flash_ops;
  uint32_t flash_bytes;
  uint32_t cart_ops;
  uint32_t cart_reads;
  uint32_t busy_refusals;
} mnpen_host_work;

enum { MNPEN_HOST_OK = 0, MNPEN_HOST_ENOMEM = -1, MNPEN_HOST_EPARAM = -2 };

int mnpen_host_create(mnpen_host **out, const mn_plant_params *plant, const mnpen_config *cfg,
                      const mnpen_host_options *opt, char *err, size_t errlen);
void mnpen_host_destroy(mnpen_host **h);

/* Power the MCU up (reset cause power-on) and boot the firmware. */
void mnpen_host_power_on(mnpen_host *h);
/* One firmware tick (unless hung or unpowered), then the plant advances by
 * one tick and the watchdog is checked. */
void mnpen_host_step(mnpen_host *h);

/* Inputs. */
void mnpen_host_set_buttons(mnpen_host *h, uint8_t mask);
void mnpen_host_seat_cartridge(mnpen_host *h, mnpen_cartchip *chip); /* NULL removes */
void mnpen_host_set_hang(mnpen_host *h, int hung);                   /* firmware stops running */
/* A failed speed sensor: the encoder reading is scale x the true rate
 * (1 healthy, 0 stuck at zero, 0.85 a sensor reading 15 % low). */
void mnpen_host_set_encoder_scale(mnpen_host *h, double scale);
/* Cut the supply after n more bytes are programmed or erased in flash
 * (0 disarms). When it fires the MCU and motor lose power at once. */
void mnpen_host_cut_power_after(mnpen_host *h, uint32_t flash_bytes);
int mnpen_host_powered(const mnpen_host *h);
uint32_t mnpen_host_flash_bytes_written(const mnpen_host *h);

/* What the firmware and the board are doing. */
mnpen_pen *mnpen_host_pen(mnpen_host *h);
mn_plant *mnpen_host_plant(mnpen_host *h);
const mnpen_hal *mnpen_host_hal(const mnpen_host *h);
uint32_t mnpen_host_resets(const mnpen_host *h); /* watchdog resets so far */
/* The most slow work any one tick did since create (busy_refusals: the
 * total); flash operations and their busy times (totals since create). */
void mnpen_host_tick_work_max(const mnpen_host *h, mnpen_host_work *max);
uint32_t mnpen_host_flash_erases(const mnpen_host *h);
uint32_t mnpen_host_flash_programs(const mnpen_host *h);
uint8_t mnpen_host_leds(const mnpen_host *h);

#endif /* MNPEN_HOST_HOST_H */
