/*
 * A portable model of the cartridge's authenticator chip: the other end of
 * the protocol in cartbus.h.
 *
 * The host port emulates the cartridges it seats with it (the answer the
 * pen reads after its cart_request() and cart_ready() polls is what
 * mnpen_cartchip_xfer() computes for the request), and the firmware tests use
 * it as the genuine chip to compare misbehaving ones against. It holds only
 * what a real chip holds: its ID, its diversified key (never the master
 * key) and its one-time-programmable use flag.
 */
#ifndef MNPEN_CARTCHIP_H
#define MNPEN_CARTCHIP_H

#include <stddef.h>
#include <stdint.h>

#include "mnpen/cartbus.h"

typedef struct mnpen_cartchip {
  uint64_t id;
  uint8_t key[MNPEN_CART_KEY_LEN]; /* k_cart, diversified from the master key */
  uint8_t flag;                    /* MNPEN_CART_FLAG_FRESH until burned */
  uint32_t challenges;             /* CHALLENGE frames answered */
  uint32_t burns;                  /* BURN frames answered */
} mnpen_cartchip;

/* A fresh genuine chip: key derived from master and id as the maker does. */
void mnpen_cartchip_init(mnpen_cartchip *c, const uint8_t master[MNPEN_CART_KEY_LEN], uint64_t id);

/* One bus transaction. tx is a frame of cartbus.h and rx_len must be the
 * exact answer length of its command. Returns MNPEN_HAL_OK with rx filled,
 * or MNPEN_HAL_EIO (rx untouched) for an unknown command or a frame of the
 * wrong length, as a real chip would simply not answer. */
int mnpen_cartchip_xfer(mnpen_cartchip *c, const uint8_t *tx, size_t tx_len, uint8_t *rx,
                        size_t rx_len);

#endif /* MNPEN_CARTCHIP_H */
