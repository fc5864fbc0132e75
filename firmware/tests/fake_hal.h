/*
 * Header-only fakes of the HAL's cartridge bus and log flash, for the
 * firmware test suites (portable: no heap, no stdio, runs on the target
 * too). Each fake is a plain struct the test owns; fake_hal_cart() and
 * fake_hal_flash() point an mnpen_hal at it.
 *
 * fake_cart wraps the chip model of cartchip.h and can misbehave the ways
 * a counterfeit or broken cartridge would; a request's answer is ready
 * after busy_polls polls that say busy (never, for a mute chip), as a real
 * chip computes its MAC while the pen polls. fake_flash has NOR semantics
 * (program clears bits, erase sets 0xFF) and can lose power after a
 * budget of work: a byte program costs one unit and an erase
 * FAKE_FLASH_ERASE_UNITS; the byte or erase the budget runs out in is left
 * torn, and every operation after the cut fails with MNPEN_HAL_EPOWER until
 * fake_flash_restore(). An operation changes the bytes when it starts and
 * then reports busy for program_polls (erase_polls) polls before its
 * outcome; reads and starts while it is busy are refused (MNPEN_HAL_EBUSY),
 * so a caller that reads a busy flash is caught.
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
  /* The split transaction of hal.h: the pending request, and how long the
   * chip computes before its answer is ready. */
  uint8_t req[1u + MNPEN_CART_NONCE_LEN];
  size_t req_len;
  bool pending;
  bool mute;           /* takes requests, never has an answer ready */
  uint32_t busy_polls; /* polls answered busy per request */
  uint32_t polls_left;
  unsigned requests;    /* requests sent */
  unsigned ready_polls; /* polls made */
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

static inline int fake_cart_request(void *ctx, const uint8_t *tx, size_t tx_len) {
  fake_cart *f = (fake_cart *)ctx;
  f->requests++;
  if (tx_len > sizeof f->req) {
    f->pending = false;
    return MNPEN_HAL_EIO;
  }
  memcpy(f->req, tx, tx_len);
  f->req_len = tx_len;
  f->pending = true;
  f->polls_left = f->busy_polls;
  return MNPEN_HAL_OK;
}

static inline int fake_cart_ready(void *ctx) {
  fake_cart *f = (fake_cart *)ctx;
  f->ready_polls++;
  if (!f->pending) {
    return MNPEN_HAL_EIO;
  }
  if (f->mute) {
    return MNPEN_HAL_BUSY;
  }
  if (f->polls_left > 0u) {
    f->polls_left--;
    return MNPEN_HAL_BUSY;
  }
  return MNPEN_HAL_OK;
}

/* The chip's work is done when its answer is read: the one transaction of
 * fake_cart_xfer() with all its misbehaviours. */
static inline int fake_cart_read(void *ctx, uint8_t *rx, size_t rx_len) {
  fake_cart *f = (fake_cart *)ctx;
  if (!f->pending || f->mute || f->polls_left > 0u) {
    return MNPEN_HAL_EIO;
  }
  f->pending = false;
  return fake_cart_xfer(f, f->req, f->req_len, rx, rx_len);
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
  hal->cart_request = fake_cart_request;
  hal->cart_ready = fake_cart_ready;
  hal->cart_read = fake_cart_read;
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
  /* The operation in flight (program or erase). */
  bool busy;
  int op_rc;              /* its outcome, reported once it is done */
  uint32_t polls_left;    /* busy polls before it is done */
  uint32_t program_polls; /* busy polls of each program */
  uint32_t erase_polls;   /* busy polls of each erase */
  unsigned starts;        /* operations started */
  unsigned busy_polls;    /* polls made */
  unsigned busy_refusals; /* reads or starts refused while busy */
  uint32_t read_bytes;    /* bytes read */
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
  f->busy = false; /* a power cycle ends whatever was in flight */
  f->op_rc = MNPEN_HAL_OK;
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
  if (f->busy) {
    f->busy_refusals++;
    return MNPEN_HAL_EBUSY;
  }
  if (f->dead) {
    return MNPEN_HAL_EPOWER;
  }
  if (!fake_flash_in_range(f, addr, len)) {
    return MNPEN_HAL_ERANGE;
  }
  if (fake_flash_fails(&f->fail_read_after)) {
    return MNPEN_HAL_EIO;
  }
  f->read_bytes += (uint32_t)len;
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

/* Begins an operation whose bytes changed (or failed, cut or injected) as
 * rc says; a request out of range starts nothing. */
static inline int fake_flash_begin(fake_flash *f, int rc, uint32_t polls) {
  if (rc == MNPEN_HAL_ERANGE) {
    return rc;
  }
  f->starts++;
  f->busy = true;
  f->op_rc = rc;
  f->polls_left = polls;
  return MNPEN_HAL_OK;
}

static inline int fake_flash_program_start(void *ctx, uint32_t addr, const void *buf, size_t len) {
  fake_flash *f = (fake_flash *)ctx;
  if (f->busy) {
    f->busy_refusals++;
    return MNPEN_HAL_EBUSY;
  }
  if (f->dead) {
    return MNPEN_HAL_EPOWER;
  }
  return fake_flash_begin(f, fake_flash_program(f, addr, buf, len), f->program_polls);
}

static inline int fake_flash_erase_start(void *ctx, uint32_t sector) {
  fake_flash *f = (fake_flash *)ctx;
  if (f->busy) {
    f->busy_refusals++;
    return MNPEN_HAL_EBUSY;
  }
  if (f->dead) {
    return MNPEN_HAL_EPOWER;
  }
  return fake_flash_begin(f, fake_flash_erase(f, sector), f->erase_polls);
}

static inline int fake_flash_busy(void *ctx) {
  fake_flash *f = (fake_flash *)ctx;
  f->busy_polls++;
  if (!f->busy) {
    return f->op_rc;
  }
  if (f->polls_left > 0u) {
    f->polls_left--;
    return MNPEN_HAL_BUSY;
  }
  f->busy = false;
  return f->op_rc;
}

static inline void fake_hal_flash(mnpen_hal *hal, fake_flash *f) {
  hal->ctx = f;
  hal->flash_sector_bytes = f->sector_bytes;
  hal->flash_sectors = f->sectors;
  hal->flash_read = fake_flash_read;
  hal->flash_program_start = fake_flash_program_start;
  hal->flash_erase_start = fake_flash_erase_start;
  hal->flash_busy = fake_flash_busy;
}

#endif /* MNPEN_TEST_FAKE_HAL_H */
