/*
 * Single-use cartridge authentication.
 *
 * The cartridge check of the state machine's CARTRIDGE_CHECK state: read
 * the ID, challenge the chip with a fresh nonce and verify its MAC under
 * the key diversified from the master key, refuse a cartridge whose use
 * flag is already set, then burn the flag and verify the chip's MACed
 * confirmation that it is set. Only a MNPEN_CART_OK return lets the motor
 * start; every other outcome leaves the cartridge unusable for this
 * insertion. Protocol: cartbus.h.
 *
 * The chip takes milliseconds to tens of milliseconds per answer, so the
 * check is spread over control ticks: mnpen_cart_begin(), then one
 * mnpen_cart_step() per tick, each doing one bus request, or one poll and,
 * once the answer is ready, reading it and one HMAC over it. An answer not
 * ready after timeout_polls polls is MNPEN_CART_TIMEOUT. The cartridge key
 * lives in the check's state only while the check runs and is wiped when
 * it ends, also by mnpen_cart_abort().
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
  MNPEN_CART_BURN = -5,   /* flag could not be set and confirmed */
  MNPEN_CART_TIMEOUT = -6 /* chip took the request but never answered */
} mnpen_cart_status;

/* mnpen_cart_step(): the check goes on. */
#define MNPEN_CART_PENDING 1

typedef struct {
  uint64_t id;       /* valid once the ID was read */
  int authenticated; /* MAC verified on this insertion */
  int burned;        /* use flag set and confirmed on this insertion */
  /* The check in progress. */
  uint8_t stage;                       /* exchange under way (cart.c) */
  uint8_t waiting;                     /* its request is out, the answer not yet read */
  uint32_t polls;                      /* polls of that request */
  uint8_t key[MNPEN_CART_KEY_LEN];     /* k_cart, during the check only */
  uint8_t nonce[MNPEN_CART_NONCE_LEN]; /* of the exchange under way */
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

/* Starts a check of the seated cartridge (nothing on the bus yet). */
void mnpen_cart_begin(mnpen_cart *cart);
/* One step of the check: MNPEN_CART_PENDING while it goes on, then its
 * mnpen_cart_status (also MNPEN_CART_ABSENT when the cartridge is taken
 * out in the middle). A finished check stays finished: further steps
 * return MNPEN_CART_ABSENT without touching the bus until the next
 * begin(). */
int mnpen_cart_step(mnpen_cart *cart, const mnpen_hal *hal,
                    const uint8_t master[MNPEN_CART_KEY_LEN], uint32_t timeout_polls);
/* Ends a check early (the pen left CARTRIDGE_CHECK): wipes the key. */
void mnpen_cart_abort(mnpen_cart *cart);

/* The whole check at once, stepping until it ends, with a bound of
 * MNPEN_CART_SYNC_POLLS polls per answer: for tools and tests whose chip
 * answers on its own, never for the control tick. */
#define MNPEN_CART_SYNC_POLLS 1000u
int mnpen_cart_check(mnpen_cart *cart, const mnpen_hal *hal,
                     const uint8_t master[MNPEN_CART_KEY_LEN]);

#endif /* MNPEN_CART_H */
