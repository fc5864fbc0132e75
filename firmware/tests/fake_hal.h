/*
 * Header-only fakes of the HAL's cartridge bus and log flash, for the
 * firmware test suites (portable: no heap, no stdio, runs on the target
 * too). Each fake is a plain struct the test owns; fake_hal_cart() and
 * fake_hal_flash() point an mnpen_hal at it.
 *
 * fake_cart wraps the chip model of cartchip.h and can misbehave the ways
 * a counterfeit or broken cartridge would. fake_flash has NOR semantics
 * (program clears bits, erase sets 0xFF) and can lose power after a
 * budget of work: a byte program costs one unit and an erase
 * FAKE_FLASH_ERASE_UNITS; the byte or erase the budget runs out in is left
 * torn, and every operation after the cut fails with MNPEN_HAL_EPOWER until
 * fake_flash_restore().
 */
#ifndef MNPEN_TEST_FAKE_HAL_H
#define MNPEN_TEST_FAKE_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mnpen/cartbus.h"
#include "mnpen/cartchip.h"
#include "mnpen/hal.h"

/* xorshift32 (Marsaglia 2003): a deterministic PRNG; state must not be 0. */
static inline uint32_t fake_xorshift32(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

/* ---- cartridge ------------------------------------------------------------ */

#define FAKE_CART_ANSWER_LEN (1u + MNPEN_CART_MAC_LEN)
#define FAKE_CART_MAX_NONCES 4u

typedef struct {
  mnpen_cartchip chip;
  bool present;
  int fail_xfer;    /* index of the transaction that gets no answer; -1: none */
  bool ignore_burn; /* answers BURN as if it were CHALLENGE: flag never set */
  bool replay;      /* answers CHALLENGE and BURN with replay_answer */
  bool replay_burn; /* passes CHALLENGE to the chip, answers BURN with replay_answer */
  uint8_t replay_answer[FAKE_CART_ANSWER_LEN];
  unsigned xfers;                                             /* transactions seen */
  uint32_t rng;                                               /* state of the pen's random source */
  unsigned randoms;                                           /* random32() calls */
  uint8_t nonces[FAKE_CART_MAX_NONCES][MNPEN_CART_NONCE_LEN]; /* as sent by the pen */
  unsigned nonce_count;
} fake_cart;

static inline bool fake_cart_present(void *ctx) {
  return ((fake_cart *)ctx)->present;
}

static inline uint32_t fake_cart_random32(void *ctx) {
  fake_cart *f = (fake_cart *)ctx;
  f->randoms++;
  return fake_xorshift32(&f->rng);
}

static inline int fake_cart_xfer(void *ctx, const uint8_t *tx, size_t tx_len, uint8_t *rx,
                                 size_t rx_len) {
  fake_cart *f = (fake_cart *)ctx;
  unsigned index = f->xfers++;
  if (f->fail_xfer >= 0 && (unsigned)f->fail_xfer == index) {
    return MNPEN_HAL_EIO;
  }
  bool authed = tx_len == 1u + MNPEN_CART_NONCE_LEN &&
                (tx[0] == MNPEN_CART_CMD_CHALLENGE || tx[0] == MNPEN_CART_CMD_BURN);
  if (authed && f->nonce_count < FAKE_CART_MAX_NONCES) {
    memcpy(f->nonces[f->nonce_count++], &tx[1], MNPEN_CART_NONCE_LEN);
  }
  if (authed && (f->replay || (f->replay_burn && tx[0] == MNPEN_CART_CMD_BURN))) {
    if (rx_len != FAKE_CART_ANSWER_LEN) {
      return MNPEN_HAL_EIO;
    }
    memcpy(rx, f->replay_answer, FAKE_CART_ANSWER_LEN);
    return MNPEN_HAL_OK;
  }
  if (authed && f->ignore_burn && tx[0] == MNPEN_CART_CMD_BURN) {
    uint8_t as_challenge[1u + MNPEN_CART_NONCE_LEN];
    memcpy(as_challenge, tx, sizeof as_challenge);
    as_challenge[0] = MNPEN_CART_CMD_CHALLENGE;
    return mnpen_cartchip_xfer(&f->chip, as_challenge, sizeof as_challenge, rx, rx_len);
  }
  return mnpen_cartchip_xfer(&f->chip, tx, tx_len, rx, rx_len);
}

/* A seated genuine fresh cartridge with the given ID under master. */
static inline void fake_cart_init(fake_cart *f, const uint8_t master[MNPEN_CART_KEY_LEN],
                                  uint64_t id) {
  memset(f, 0, sizeof *f);
  mnpen_cartchip_init(&f->chip, master, id);
  f->present = true;
  f->fail_xfer = -1;
  f->rng = 0x2545F491u;
}

static inline void fake_hal_cart(mnpen_hal *hal, fake_cart *f) {
  hal->ctx = f;
  hal->cart_present = fake_cart_present;
  hal->cart_xfer = fake_cart_xfer;
  hal->random32 = fake_cart_random32;
}

/* ---- NOR flash ------------------------------------------------------------ */

#define FAKE_FLASH_BYTES 4096u
#define FAKE_FLASH_MAX_SECTORS 128u
#define FAKE_FLASH_ERASE_UNITS 32u

/* What a torn erase leaves behind. */
typedef enum {
  FAKE_ERASE_PREFIX = 0, /* erased up to the cut, one byte half-way, rest old */
  FAKE_ERASE_BITS,       /* every byte has some of its bits set to 1 */
  FAKE_ERASE_RANDOM,     /* arbitrary content */
  FAKE_ERASE_DONE,       /* fully erased, but power went before the return */
  FAKE_ERASE_UNTOUCHED,  /* power went before the erase started */
  FAKE_ERASE_MODES
} fake_erase_mode;

typedef struct {
  uint8_t mem[FAKE_FLASH_BYTES];
  uint32_t sector_bytes;
  uint32_t sectors;
  uint32_t rng;
  bool cut_armed;  /* lose power when budget runs out */
  uint32_t budget; /* units of work left before the cut */
  bool dead;       /* power is gone */
  int erase_mode;  /* fake_erase_mode of the next torn erase; -1: pick at random */
  unsigned cuts_in_program;
  unsigned cuts_in_erase;
  uint32_t erases[FAKE_FLASH_MAX_SECTORS]; /* erases begun, per sector */
  unsigned overprograms;                   /* bytes programmed while not erased: a NOR misuse */
  /* Injected failures without a power loss: the operation fails with
   * MNPEN_HAL_EIO after this many more calls of its kind succeed (-1: never).
   * A failing program writes the first half of its bytes; a failing erase
   * changes nothing. */
  int fail_read_after;
  int fail_program_after;
  int fail_erase_after;
} fake_flash;

static inline void fake_flash_init(fake_flash *f, uint32_t sector_bytes, uint32_t sectors) {
  memset(f, 0, sizeof *f);
  f->sector_bytes = sector_bytes;
  f->sectors = sectors;
  f->rng = 0x9E3779B9u;
  f->erase_mode = -1;
  f->fail_read_after = -1;
  f->fail_program_after = -1;
  f->fail_erase_after = -1;
  memset(f->mem, 0xFF, sizeof f->mem);
}

static inline uint32_t fake_flash_size(const fake_flash *f) {
  return f->sector_bytes * f->sectors;
}

/* Fills the whole device with pseudo-random bytes: unformatted flash. */
static inline void fake_flash_scramble(fake_flash *f) {
  for (uint32_t i = 0; i < fake_flash_size(f); i++) {
    f->mem[i] = (uint8_t)fake_xorshift32(&f->rng);
  }
}

static inline void fake_flash_arm_cut(fake_flash *f, uint32_t budget) {
  f->cut_armed = true;
  f->budget = budget;
}

static inline void fake_flash_restore(fake_flash *f) {
  f->dead = false;
  f->cut_armed = false;
}

static inline bool fake_flash_fails(int *after) {
  if (*after < 0) {
    return false;
  }
  if (*after == 0) {
    *after = -1;
    return true;
  }
  (*after)--;
  return false;
}

static inline bool fake_flash_in_range(const fake_flash *f, uint32_t addr, size_t len) {
  uint32_t size = fake_flash_size(f);
  return size <= FAKE_FLASH_BYTES && addr <= size && len <= (size_t)(size - addr);
}

static inline int fake_flash_read(void *ctx, uint32_t addr, void *buf, size_t len) {
  fake_flash *f = (fake_flash *)ctx;
  if (f->dead) {
    return MNPEN_HAL_EPOWER;
  }
  if (!fake_flash_in_range(f, addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  if (fake_flash_fails(&f->fail_read_after)) {
    return MNPEN_HAL_EIO;
  }
  memcpy(buf, &f->mem[addr], len);
  return MNPEN_HAL_OK;
}

static inline int fake_flash_program(void *ctx, uint32_t addr, const void *buf, size_t len) {
  fake_flash *f = (fake_flash *)ctx;
  const uint8_t *src = (const uint8_t *)buf;
  if (f->dead) {
    return MNPEN_HAL_EPOWER;
  }
  if (!fake_flash_in_range(f, addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  if (fake_flash_fails(&f->fail_program_after)) {
    for (size_t i = 0; i < len / 2u; i++) {
      f->mem[addr + i] &= src[i];
    }
    return MNPEN_HAL_EIO;
  }
  for (size_t i = 0; i < len; i++) {
    if (f->mem[addr + i] != 0xFFu) {
      f->overprograms++;
    }
    if (f->cut_armed && f->budget == 0u) {
      /* The cut lands in this byte: some of the bits it should clear are. */
      f->mem[addr + i] &= (uint8_t)(src[i] | (uint8_t)fake_xorshift32(&f->rng));
      f->dead = true;
      f->cuts_in_program++;
      return MNPEN_HAL_EPOWER;
    }
    if (f->cut_armed) {
      f->budget--;
    }
    f->mem[addr + i] &= src[i];
  }
  return MNPEN_HAL_OK;
}

static inline void fake_flash_tear_erase(fake_flash *f, uint8_t *sec, uint32_t done) {
  int mode = f->erase_mode >= 0 ? f->erase_mode
                                : (int)(fake_xorshift32(&f->rng) % (uint32_t)FAKE_ERASE_MODES);
  switch (mode) {
  case FAKE_ERASE_PREFIX: {
    uint32_t upto = f->sector_bytes / FAKE_FLASH_ERASE_UNITS * done;
    memset(sec, 0xFF, upto);
    if (upto < f->sector_bytes) {
      sec[upto] |= (uint8_t)fake_xorshift32(&f->rng);
    }
    break;
  }
  case FAKE_ERASE_BITS:
    for (uint32_t i = 0; i < f->sector_bytes; i++) {
      sec[i] |= (uint8_t)(fake_xorshift32(&f->rng) & fake_xorshift32(&f->rng));
    }
    break;
  case FAKE_ERASE_RANDOM:
    for (uint32_t i = 0; i < f->sector_bytes; i++) {
      sec[i] = (uint8_t)fake_xorshift32(&f->rng);
    }
    break;
  case FAKE_ERASE_DONE:
    memset(sec, 0xFF, f->sector_bytes);
    break;
  default: /* FAKE_ERASE_UNTOUCHED */
    break;
  }
}

static inline int fake_flash_erase(void *ctx, uint32_t sector) {
  fake_flash *f = (fake_flash *)ctx;
  if (f->dead) {
    return MNPEN_HAL_EPOWER;
  }
  if (sector >= f->sectors || sector >= FAKE_FLASH_MAX_SECTORS ||
      !fake_flash_in_range(f, sector * f->sector_bytes, f->sector_bytes)) {
    return MNPEN_HAL_ERANGE;
  }
  if (fake_flash_fails(&f->fail_erase_after)) {
    return MNPEN_HAL_EIO;
  }
  uint8_t *sec = &f->mem[sector * f->sector_bytes];
  f->erases[sector]++;
  if (f->cut_armed && f->budget < FAKE_FLASH_ERASE_UNITS) {
    fake_flash_tear_erase(f, sec, f->budget);
    f->budget = 0;
    f->dead = true;
    f->cuts_in_erase++;
    return MNPEN_HAL_EPOWER;
  }
  if (f->cut_armed) {
    f->budget -= FAKE_FLASH_ERASE_UNITS;
  }
  memset(sec, 0xFF, f->sector_bytes);
  return MNPEN_HAL_OK;
}

static inline void fake_hal_flash(mnpen_hal *hal, fake_flash *f) {
  hal->ctx = f;
  hal->flash_sector_bytes = f->sector_bytes;
  hal->flash_sectors = f->sectors;
  hal->flash_read = fake_flash_read;
  hal->flash_program = fake_flash_program;
  hal->flash_erase = fake_flash_erase;
}

#endif /* MNPEN_TEST_FAKE_HAL_H */
