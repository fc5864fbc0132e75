/*
 * mnpen hardware abstraction: the only door between the pen's firmware logic
 * and the hardware it runs on.
 *
 * Design notes
 * ------------
 * The firmware logic (firmware/src) never touches a register or a host API.
 * Everything it needs from the outside world is one of the operations below,
 * reached through an `mnpen_hal` table of function pointers plus an opaque
 * context. A port (firmware/port/<name>) fills the table: the Cortex-M port
 * with peripherals, the host port with the pen's physics model
 * (software-in-the-loop), the unit tests with scripted fakes. A table rather
 * than link-time binding lets one test binary hold several fakes and lets the
 * host run many pens, one after another, without global state.
 *
 * All quantities are integers in the unit named by the function, so the
 * logic runs on an MCU without a floating-point unit:
 *   time        microseconds, free-running uint32_t, wraps every ~71 min
 *               (compare with unsigned differences only)
 *   duty        0 .. MNPEN_DUTY_FULL (10000 = 100.00 %)
 *   current     milliamperes          voltage     millivolts
 *   speed       stroke rate in millihertz (strokes per 1000 s)
 *   depth       micrometres of needle protrusion past the cartridge face
 *   temperature tenths of a degree Celsius
 *
 * Every read may fail in the field (open sensor, bus error); the logic
 * range-checks what it reads rather than trusting a port.
 *
 * No operation may wait for a slow device. A serial NOR flash takes tens of
 * milliseconds to erase a sector and an authenticator chip milliseconds to
 * compute a MAC, far longer than the 500 us control tick, so both are
 * split the way the devices themselves work: start the operation, then poll
 * once per tick whether it is done (the flash's status-register WIP bit,
 * the chip's answer-ready poll) and collect the result.
 */
#ifndef MNPEN_HAL_H
#define MNPEN_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MNPEN_DUTY_FULL 10000u

/* Buttons, as a bit mask of what is held down now (the logic debounces). */
enum {
  MNPEN_BTN_POWER = 1u << 0,
  MNPEN_BTN_START = 1u << 1, /* start / pause toggle */
  MNPEN_BTN_SPEED_UP = 1u << 2,
  MNPEN_BTN_SPEED_DOWN = 1u << 3,
  MNPEN_BTN_DEPTH_UP = 1u << 4,
  MNPEN_BTN_DEPTH_DOWN = 1u << 5
};

/* Indicator outputs: LEDs as a bit mask, plus one buzzer pattern. */
enum {
  MNPEN_LED_POWER = 1u << 0,
  MNPEN_LED_READY = 1u << 1,
  MNPEN_LED_RUN = 1u << 2,
  MNPEN_LED_FAULT = 1u << 3,
  MNPEN_LED_BATTERY = 1u << 4
};
typedef enum { MNPEN_TONE_NONE = 0, MNPEN_TONE_CLICK, MNPEN_TONE_ALARM } mnpen_tone;

/* Why the MCU last came out of reset. */
typedef enum { MNPEN_RESET_POWER_ON = 0, MNPEN_RESET_WATCHDOG = 1 } mnpen_reset_cause;

/* Status codes returned by the fallible operations (0 ok, negative error). */
enum {
  MNPEN_HAL_OK = 0,
  MNPEN_HAL_EIO = -1,    /* bus or device did not answer */
  MNPEN_HAL_ERANGE = -2, /* address or length outside the device */
  MNPEN_HAL_EPOWER = -3, /* supply lost during the operation */
  MNPEN_HAL_EBUSY = -4   /* refused: the device is still busy with an operation */
};

/* What a poll returns while a started operation has not finished yet. */
#define MNPEN_HAL_BUSY 1

typedef struct mnpen_hal {
  void *ctx; /* handed back to every operation */

  /* Time base. */
  uint32_t (*time_us)(void *ctx);

  /* Motor bridge. drive() enables the bridge at a forward duty; disable()
   * opens every switch, so the winding current decays through the body
   * diodes and the motor coasts: the safe state. */
  void (*motor_drive)(void *ctx, uint16_t duty);
  void (*motor_disable)(void *ctx);
  int32_t (*motor_current_ma)(void *ctx);
  /* Stroke rate measured by the encoder capture timer; 0 when no edge came
   * within the port's timeout (stopped or stalled). */
  uint32_t (*motor_speed_mhz)(void *ctx);

  /* Depth stage: a position-controlled actuator that moves the cartridge
   * face, and its position sensor. */
  void (*depth_command_um)(void *ctx, int32_t target_um);
  int32_t (*depth_sensor_um)(void *ctx);

  /* Power and heat. */
  uint16_t (*battery_mv)(void *ctx);
  int16_t (*temperature_dc)(void *ctx);

  /* User interface. */
  uint8_t (*buttons)(void *ctx);
  void (*indicate)(void *ctx, uint8_t leds, mnpen_tone tone);

  /* Cartridge bus: presence switch and request/response transactions with
   * the cartridge's authenticator chip (see cartbus.h), split in three so
   * no call waits while the chip computes. cart_request() sends a frame;
   * cart_ready() returns MNPEN_HAL_BUSY while the chip is still working,
   * MNPEN_HAL_OK once its answer can be read, or a negative status (the
   * chip did not take the frame, or the bus failed); cart_read() collects
   * an answer of exactly rx_len bytes after cart_ready() said OK. A new
   * request abandons any answer not yet read. */
  bool (*cart_present)(void *ctx);
  int (*cart_request)(void *ctx, const uint8_t *tx, size_t tx_len);
  int (*cart_ready)(void *ctx);
  int (*cart_read)(void *ctx, uint8_t *rx, size_t rx_len);

  /* True random source for authentication nonces. */
  uint32_t (*random32)(void *ctx);

  /* Log flash: NOR semantics. A program can only clear bits (1 -> 0); an
   * erase sets a whole sector to 0xFF. Either may be cut short by a power
   * loss, leaving any prefix of the bytes changed. program_start() and
   * erase_start() begin an operation and return at once (len of a program
   * at most one record); a start that returns an error started nothing.
   * flash_busy() is the status poll: MNPEN_HAL_BUSY while the operation
   * runs, afterwards its outcome (MNPEN_HAL_OK, or a negative status such
   * as MNPEN_HAL_EPOWER). While an operation runs, reads and new starts are
   * refused with MNPEN_HAL_EBUSY. */
  uint32_t flash_sector_bytes;
  uint32_t flash_sectors;
  int (*flash_read)(void *ctx, uint32_t addr, void *buf, size_t len);
  int (*flash_program_start)(void *ctx, uint32_t addr, const void *buf, size_t len);
  int (*flash_erase_start)(void *ctx, uint32_t sector);
  int (*flash_busy)(void *ctx);

  /* Independent watchdog: once started it resets the MCU (and with it the
   * bridge, which comes out of reset disabled) unless kicked in time. */
  void (*watchdog_start)(void *ctx, uint32_t timeout_us);
  void (*watchdog_kick)(void *ctx);
  mnpen_reset_cause (*reset_cause)(void *ctx);
} mnpen_hal;

#endif /* MNPEN_HAL_H */
