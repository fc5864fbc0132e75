/*
 * Cartridge bus protocol: what the pen says to the authenticator chip in a
 * single-use needle cartridge, and what the chip answers.
 *
 * The pattern is that of SHA-256 authenticator chips: each cartridge holds a
 * secret key diversified from the maker's master key by its 64-bit ID, so a
 * key pulled from one cartridge opens no other. The pen sends a fresh random
 * challenge; the chip answers with its one-way use flag and a MAC over
 * (domain, ID, challenge, flag). A replayed answer fails (new challenge each
 * time) and a forged chip without the key cannot make the MAC. The use flag
 * is one-time-programmable: BURN sets it for good, and the answer to BURN is
 * MACed the same way, so the pen knows the flag really is set before the
 * motor may start.
 *
 *   k_cart = HMAC-SHA256(k_master, "MNKD" || id_be64)
 *   mac    = HMAC-SHA256(k_cart,   "MNCR" || id_be64 || nonce[32] || flag)
 *
 * Frames (tx from the pen, rx from the chip; multi-byte integers big-endian):
 *   READ_ID    tx: [0x10]            rx: [id 8]
 *   CHALLENGE  tx: [0x20, nonce 32]  rx: [flag 1, mac 32]
 *   BURN       tx: [0x30, nonce 32]  rx: [flag 1, mac 32]  (flag after burn)
 * Shared by the firmware and by the host port's chip model; nothing else.
 */
#ifndef MNPEN_CARTBUS_H
#define MNPEN_CARTBUS_H

#define MNPEN_CART_CMD_READ_ID 0x10u
#define MNPEN_CART_CMD_CHALLENGE 0x20u
#define MNPEN_CART_CMD_BURN 0x30u

#define MNPEN_CART_ID_LEN 8u
#define MNPEN_CART_NONCE_LEN 32u
#define MNPEN_CART_MAC_LEN 32u
#define MNPEN_CART_KEY_LEN 32u

#define MNPEN_CART_FLAG_FRESH 0x00u
#define MNPEN_CART_FLAG_USED 0x01u

/* Domain-separation prefixes of the two MACs (4 ASCII bytes each). */
#define MNPEN_CART_KDF_DOMAIN "MNKD"
#define MNPEN_CART_MAC_DOMAIN "MNCR"
#define MNPEN_CART_DOMAIN_LEN 4u

#endif /* MNPEN_CARTBUS_H */
