/*
 * Cartridge authentication: the pen's side of the protocol in cartbus.h.
 *
 * Order matters. The MAC of the challenge answer is verified before the use
 * flag it carries is believed, and the flag is refused before anything is
 * burned; the burn is confirmed by a second MACed answer to a second, fresh
 * nonce, so neither a recording of an earlier answer nor a chip that
 * ignores BURN can pass. Bus errors and bad MACs are reported apart (the
 * state machine treats both as an untrusted cartridge; the log keeps the
 * difference for service). The cartridge key only lives on the stack for
 * the length of the check and is wiped on every exit.
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

/* Sends cmd with a fresh nonce, checks the MAC of the answer under key and
 * hands back the flag the chip reported. Returns 0 or a cart status. */
static int authenticated_exchange(const mnpen_hal *hal, uint8_t cmd,
                                  const uint8_t key[MNPEN_CART_KEY_LEN], uint64_t id,
                                  uint8_t *flag) {
  uint8_t tx[CART_REQ_LEN];
  uint8_t rx[CART_ANSWER_LEN];
  uint8_t expect[MNPEN_CART_MAC_LEN];
  tx[0] = cmd;
  fresh_nonce(hal, &tx[CART_CMD_LEN]);
  if (hal->cart_xfer(hal->ctx, tx, sizeof tx, rx, sizeof rx) != MNPEN_HAL_OK) {
    return MNPEN_CART_BUS;
  }
  mnpen_cart_mac(key, id, &tx[CART_CMD_LEN], rx[0], expect);
  bool genuine = mnpen_hmac_equal(expect, &rx[CART_FLAG_LEN], MNPEN_CART_MAC_LEN);
  mnpen_hmac_wipe(expect, sizeof expect);
  if (!genuine) {
    return MNPEN_CART_FORGED;
  }
  *flag = rx[0];
  return MNPEN_CART_OK;
}

static int check_with_key(mnpen_cart *cart, const mnpen_hal *hal,
                          const uint8_t key[MNPEN_CART_KEY_LEN]) {
  uint8_t flag = 0;
  int st = authenticated_exchange(hal, (uint8_t)MNPEN_CART_CMD_CHALLENGE, key, cart->id, &flag);
  if (st != MNPEN_CART_OK) {
    return st;
  }
  cart->authenticated = 1;
  /* Anything but a fresh flag is refused: an OTP flag has no way back. */
  if (flag != MNPEN_CART_FLAG_FRESH) {
    return MNPEN_CART_USED;
  }
  st = authenticated_exchange(hal, (uint8_t)MNPEN_CART_CMD_BURN, key, cart->id, &flag);
  if (st != MNPEN_CART_OK) {
    return st;
  }
  if (flag != MNPEN_CART_FLAG_USED) {
    return MNPEN_CART_BURN;
  }
  cart->burned = 1;
  return MNPEN_CART_OK;
}

int mnpen_cart_check(mnpen_cart *cart, const mnpen_hal *hal,
                     const uint8_t master[MNPEN_CART_KEY_LEN]) {
  cart->id = 0;
  cart->authenticated = 0;
  cart->burned = 0;
  if (!hal->cart_present(hal->ctx)) {
    return MNPEN_CART_ABSENT;
  }
  uint8_t tx = (uint8_t)MNPEN_CART_CMD_READ_ID;
  uint8_t id_be[MNPEN_CART_ID_LEN];
  if (hal->cart_xfer(hal->ctx, &tx, sizeof tx, id_be, sizeof id_be) != MNPEN_HAL_OK) {
    return MNPEN_CART_BUS;
  }
  cart->id = load_be64(id_be);

  uint8_t key[MNPEN_CART_KEY_LEN];
  mnpen_cart_derive_key(master, cart->id, key);
  int st = check_with_key(cart, hal, key);
  mnpen_hmac_wipe(key, sizeof key);
  return st;
}
