/*
 * Authenticator chip model (see cartchip.h). A BURN sets the flag before the
 * answer is computed, so the answer MACs the flag as it now stands; burning
 * a burned chip changes nothing and says so.
 */
#include "mnpen/cartchip.h"

#include <string.h>

#include "mnpen/cart.h"
#include "mnpen/hal.h"

#define CHIP_REQ_LEN (1u + MNPEN_CART_NONCE_LEN)
#define CHIP_ANSWER_LEN (1u + MNPEN_CART_MAC_LEN)

void mnpen_cartchip_init(mnpen_cartchip *c, const uint8_t master[MNPEN_CART_KEY_LEN], uint64_t id) {
  memset(c, 0, sizeof *c);
  c->id = id;
  mnpen_cart_derive_key(master, id, c->key);
  c->flag = MNPEN_CART_FLAG_FRESH;
}

static void answer(const mnpen_cartchip *c, const uint8_t *nonce, uint8_t *rx) {
  rx[0] = c->flag;
  mnpen_cart_mac(c->key, c->id, nonce, c->flag, &rx[1]);
}

int mnpen_cartchip_xfer(mnpen_cartchip *c, const uint8_t *tx, size_t tx_len, uint8_t *rx,
                        size_t rx_len) {
  if (c == NULL || tx == NULL || rx == NULL || tx_len == 0u) {
    return MNPEN_HAL_EIO;
  }
  switch (tx[0]) {
  case MNPEN_CART_CMD_READ_ID:
    if (tx_len != 1u || rx_len != MNPEN_CART_ID_LEN) {
      return MNPEN_HAL_EIO;
    }
    for (unsigned i = 0; i < MNPEN_CART_ID_LEN; i++) {
      rx[i] = (uint8_t)(c->id >> (8u * (MNPEN_CART_ID_LEN - 1u - i)));
    }
    return MNPEN_HAL_OK;
  case MNPEN_CART_CMD_CHALLENGE:
    if (tx_len != CHIP_REQ_LEN || rx_len != CHIP_ANSWER_LEN) {
      return MNPEN_HAL_EIO;
    }
    c->challenges++;
    answer(c, &tx[1], rx);
    return MNPEN_HAL_OK;
  case MNPEN_CART_CMD_BURN:
    if (tx_len != CHIP_REQ_LEN || rx_len != CHIP_ANSWER_LEN) {
      return MNPEN_HAL_EIO;
    }
    c->burns++;
    c->flag = MNPEN_CART_FLAG_USED;
    answer(c, &tx[1], rx);
    return MNPEN_HAL_OK;
  default:
    return MNPEN_HAL_EIO;
  }
}
