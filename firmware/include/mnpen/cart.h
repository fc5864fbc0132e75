/*
 * Single-use cartridge authentication.
 *
 * mnpen_cart_check() runs the whole cartridge check of the state machine's
 * CARTRIDGE_CHECK state in one call (the motor is off then, so a few
 * milliseconds of hashing do no harm): read the ID, challenge the chip with
 * a fresh nonce and verify its MAC under the key diversified from the
 * master key, refuse a cartridge whose use flag is already set, then burn
 * the flag and verify the chip's MACed confirmation that it is set. Only a
 * MNPEN_CART_OK return lets the motor start; every other outcome leaves the
 * cartridge unusable for this insertion. Protocol: cartbus.h.
 */
#ifndef MNPEN_CART_H
#define MNPEN_CART_H

#include <stdint.h>

#include "mnpen/cartbus.h"
#include "mnpen/hal.h"

typedef enum {
  MNPEN_CART_OK = 0,
  MNPEN_CART_ABSENT = -1, /* no cartridge seated */
  MNPEN_CART_BUS = -2,    /* chip did not answer: treated as unknown */
  MNPEN_CART_FORGED = -3, /* MAC did not verify: unknown or forged */
  MNPEN_CART_USED = -4,   /* genuine, but its use flag was already set */
  MNPEN_CART_BURN = -5    /* flag could not be set and confirmed */
} mnpen_cart_status;

typedef struct {
  uint64_t id;       /* valid once the ID was read */
  int authenticated; /* MAC verified on this insertion */
  int burned;        /* use flag set and confirmed on this insertion */
} mnpen_cart;

/* Derives the cartridge key from the master key and the cartridge ID. */
void mnpen_cart_derive_key(const uint8_t master[MNPEN_CART_KEY_LEN], uint64_t id,
                           uint8_t key[MNPEN_CART_KEY_LEN]);

/* MAC of a chip's answer: HMAC-SHA256(key, "MNCR" || id_be64 || nonce ||
 * flag). Used by the pen to verify and by the chip model (cartchip.h) to
 * answer, so both sides share one definition of the protocol. */
void mnpen_cart_mac(const uint8_t key[MNPEN_CART_KEY_LEN], uint64_t id,
                    const uint8_t nonce[MNPEN_CART_NONCE_LEN], uint8_t flag,
                    uint8_t mac[MNPEN_CART_MAC_LEN]);

/* The cartridge check; fills *cart and returns an mnpen_cart_status. */
int mnpen_cart_check(mnpen_cart *cart, const mnpen_hal *hal,
                     const uint8_t master[MNPEN_CART_KEY_LEN]);

#endif /* MNPEN_CART_H */
