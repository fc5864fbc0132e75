/*
 * Cartridge authentication: the pen's side of the protocol in cartbus.h.
 *
 * Order matters. The MAC of the challenge answer is verified before the use
 * flag it carries is believed, and the flag is refused before anything is
 * burned; the burn is confirmed by a second MACed answer to a second, fresh
 * nonce, so neither a recording of an earlier answer nor a chip that
 * ignores BURN can pass. Bus errors and bad MACs are reported apart (the
 * state machine treats both as an untrusted cartridge; the log keeps the
 * difference for service). The check runs over several control ticks, one
 * bus request or poll per step (cart.h); the cartridge key lives in the
 * check's state only while it runs and is wiped on every exit.
 */
#include "mnpen/cart.h"

#include <string.h>

#include "mnpen/hmac.h"

/* Frame lengths of cartbus.h. */
#define CART_CMD_LEN 1u
#define CART_FLAG_LEN 1u
#define CART_REQ_LEN (CART_CMD_LEN + MNPEN_CART_NONCE_LEN)
#define CART_ANSWER_LEN (CART_FLAG_LEN + MNPEN_CART_MAC_LEN)

static void store_be64(uint8_t *p, uint64_t v) {
  for (unsigned i = 0; i < MNPEN_CART_ID_LEN; i++) {
    p[i] = (uint8_t)(v >> (8u * (MNPEN_CART_ID_LEN - 1u - i)));
  }
}

static uint64_t load_be64(const uint8_t *p) {
  uint64_t v = 0;
  for (unsigned i = 0; i < MNPEN_CART_ID_LEN; i++) {
    v = (v << 8) | p[i];
  }
  return v;
}

void mnpen_cart_derive_key(const uint8_t master[MNPEN_CART_KEY_LEN], uint64_t id,
                           uint8_t key[MNPEN_CART_KEY_LEN]) {
  uint8_t id_be[MNPEN_CART_ID_LEN];
  mnpen_hmac_ctx ctx;
  store_be64(id_be, id);
  mnpen_hmac_init(&ctx, master, MNPEN_CART_KEY_LEN);
  mnpen_hmac_update(&ctx, MNPEN_CART_KDF_DOMAIN, MNPEN_CART_DOMAIN_LEN);
  mnpen_hmac_update(&ctx, id_be, sizeof id_be);
  mnpen_hmac_final(&ctx, key);
}

void mnpen_cart_mac(const uint8_t key[MNPEN_CART_KEY_LEN], uint64_t id,
                    const uint8_t nonce[MNPEN_CART_NONCE_LEN], uint8_t flag,
                    uint8_t mac[MNPEN_CART_MAC_LEN]) {
  uint8_t id_be[MNPEN_CART_ID_LEN];
  mnpen_hmac_ctx ctx;
  store_be64(id_be, id);
  mnpen_hmac_init(&ctx, key, MNPEN_CART_KEY_LEN);
  mnpen_hmac_update(&ctx, MNPEN_CART_MAC_DOMAIN, MNPEN_CART_DOMAIN_LEN);
  mnpen_hmac_update(&ctx, id_be, sizeof id_be);
  mnpen_hmac_update(&ctx, nonce, MNPEN_CART_NONCE_LEN);
  mnpen_hmac_update(&ctx, &flag, CART_FLAG_LEN);
  mnpen_hmac_final(&ctx, mac);
}

static void fresh_nonce(const mnpen_hal *hal, uint8_t nonce[MNPEN_CART_NONCE_LEN]) {
  for (unsigned i = 0; i < MNPEN_CART_NONCE_LEN; i += 4u) {
    uint32_t r = hal->random32(hal->ctx);
    nonce[i] = (uint8_t)r;
    nonce[i + 1u] = (uint8_t)(r >> 8);
    nonce[i + 2u] = (uint8_t)(r >> 16);
    nonce[i + 3u] = (uint8_t)(r >> 24);
  }
}

/* The exchanges of a check, in order. */
enum { STAGE_READ_ID = 0, STAGE_CHALLENGE, STAGE_BURN, STAGE_DONE };

static int finish(mnpen_cart *cart, int status) {
  mnpen_hmac_wipe(cart->key, sizeof cart->key);
  mnpen_hmac_wipe(cart->nonce, sizeof cart->nonce);
  cart->stage = STAGE_DONE;
  cart->waiting = 0;
  return status;
}

void mnpen_cart_begin(mnpen_cart *cart) {
  mnpen_hmac_wipe(cart, sizeof *cart);
  cart->stage = STAGE_READ_ID;
}

void mnpen_cart_abort(mnpen_cart *cart) {
  (void)finish(cart, MNPEN_CART_ABSENT);
}

/* Sends the request of the current stage: READ_ID, or CHALLENGE and BURN
 * each with a fresh nonce. */
static int send_request(mnpen_cart *cart, const mnpen_hal *hal) {
  uint8_t tx[CART_REQ_LEN];
  size_t len = CART_CMD_LEN;
  if (cart->stage == STAGE_READ_ID) {
    tx[0] = (uint8_t)MNPEN_CART_CMD_READ_ID;
  } else {
    tx[0] =
        (uint8_t)(cart->stage == STAGE_CHALLENGE ? MNPEN_CART_CMD_CHALLENGE : MNPEN_CART_CMD_BURN);
    fresh_nonce(hal, cart->nonce);
    memcpy(&tx[CART_CMD_LEN], cart->nonce, MNPEN_CART_NONCE_LEN);
    len = sizeof tx;
  }
  if (hal->cart_request(hal->ctx, tx, len) != MNPEN_HAL_OK) {
    return finish(cart, MNPEN_CART_BUS);
  }
  cart->waiting = 1;
  cart->polls = 0;
  return MNPEN_CART_PENDING;
}

/* Reads an authenticated answer and checks its MAC under the key before
 * the flag it carries is believed. Returns 0 with *flag, or a status. */
static int read_authenticated(mnpen_cart *cart, const mnpen_hal *hal, uint8_t *flag) {
  uint8_t rx[CART_ANSWER_LEN];
  uint8_t expect[MNPEN_CART_MAC_LEN];
  if (hal->cart_read(hal->ctx, rx, sizeof rx) != MNPEN_HAL_OK) {
    return MNPEN_CART_BUS;
  }
  mnpen_cart_mac(cart->key, cart->id, cart->nonce, rx[0], expect);
  bool genuine = mnpen_hmac_equal(expect, &rx[CART_FLAG_LEN], MNPEN_CART_MAC_LEN);
  mnpen_hmac_wipe(expect, sizeof expect);
  if (!genuine) {
    return MNPEN_CART_FORGED;
  }
  *flag = rx[0];
  return MNPEN_CART_OK;
}

/* The answer of the current stage is ready: read and judge it. */
static int take_answer(mnpen_cart *cart, const mnpen_hal *hal,
                       const uint8_t master[MNPEN_CART_KEY_LEN]) {
  cart->waiting = 0;
  if (cart->stage == STAGE_READ_ID) {
    uint8_t id_be[MNPEN_CART_ID_LEN];
    if (hal->cart_read(hal->ctx, id_be, sizeof id_be) != MNPEN_HAL_OK) {
      return finish(cart, MNPEN_CART_BUS);
    }
    cart->id = load_be64(id_be);
    mnpen_cart_derive_key(master, cart->id, cart->key);
    cart->stage = STAGE_CHALLENGE;
    return MNPEN_CART_PENDING;
  }
  uint8_t flag = 0;
  int st = read_authenticated(cart, hal, &flag);
  if (st != MNPEN_CART_OK) {
    return finish(cart, st);
  }
  if (cart->stage == STAGE_CHALLENGE) {
    cart->authenticated = 1;
    /* Anything but a fresh flag is refused: an OTP flag has no way back. */
    if (flag != MNPEN_CART_FLAG_FRESH) {
      return finish(cart, MNPEN_CART_USED);
    }
    cart->stage = STAGE_BURN;
    return MNPEN_CART_PENDING;
  }
  if (flag != MNPEN_CART_FLAG_USED) {
    return finish(cart, MNPEN_CART_BURN);
  }
  cart->burned = 1;
  return finish(cart, MNPEN_CART_OK);
}

int mnpen_cart_step(mnpen_cart *cart, const mnpen_hal *hal,
                    const uint8_t master[MNPEN_CART_KEY_LEN], uint32_t timeout_polls) {
  if (cart->stage >= STAGE_DONE) {
    return MNPEN_CART_ABSENT;
  }
  if (!hal->cart_present(hal->ctx)) {
    return finish(cart, MNPEN_CART_ABSENT);
  }
  if (!cart->waiting) {
    return send_request(cart, hal);
  }
  int rc = hal->cart_ready(hal->ctx);
  if (rc == MNPEN_HAL_BUSY) {
    if (++cart->polls >= timeout_polls) {
      return finish(cart, MNPEN_CART_TIMEOUT);
    }
    return MNPEN_CART_PENDING;
  }
  if (rc != MNPEN_HAL_OK) {
    return finish(cart, MNPEN_CART_BUS);
  }
  return take_answer(cart, hal, master);
}

int mnpen_cart_check(mnpen_cart *cart, const mnpen_hal *hal,
                     const uint8_t master[MNPEN_CART_KEY_LEN]) {
  mnpen_cart_begin(cart);
  /* Each exchange takes a request, its polls and the answer. */
  uint32_t bound = (uint32_t)STAGE_DONE * (MNPEN_CART_SYNC_POLLS + 2u);
  for (uint32_t i = 0; i < bound; i++) {
    int st = mnpen_cart_step(cart, hal, master, MNPEN_CART_SYNC_POLLS);
    if (st != MNPEN_CART_PENDING) {
      return st;
    }
  }
  return finish(cart, MNPEN_CART_TIMEOUT);
}
