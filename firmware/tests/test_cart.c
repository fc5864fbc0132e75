/*
 * Cartridge authentication against a genuine chip model and the ways a
 * counterfeit, reused or broken cartridge can answer: every outcome of
 * mnpen_cart_check() is reached, and the check stepped over a slow chip
 * does one bus operation per step and gives up on a silent one. The key derivation and MAC are
 * checked against values computed independently from the formulas of cartbus.h (HMAC-SHA256 of
 * Python's hmac/hashlib for the fixed inputs below).
 */
#include <string.h>

#include "fake_hal.h"
#include "fwtest.h"
#include "mnpen/cart.h"
#include "mnpen/cartchip.h"
#include "mnpen/hmac.h"

static const uint8_t master[MNPEN_CART_KEY_LEN] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

#define TEST_ID 0x0123456789ABCDEFull

static int hex_nibble(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  return c - 'a' + 10;
}

static int bytes_are(const uint8_t *b, const char *hex) {
  for (unsigned i = 0; i < 32u; i++) {
    if (b[i] != (uint8_t)(hex_nibble(hex[2u * i]) * 16 + hex_nibble(hex[2u * i + 1u]))) {
      return 0;
    }
  }
  return 1;
}

static mnpen_hal hal_for(fake_cart *f) {
  mnpen_hal h;
  memset(&h, 0, sizeof h);
  fake_hal_cart(&h, f);
  return h;
}

static void cart_key_derivation_known_answer(void) {
  uint8_t key[MNPEN_CART_KEY_LEN];
  mnpen_cart_derive_key(master, TEST_ID, key);
  FW_CHECK(bytes_are(key, "624b325af65a06923e7ae1c2d49f2e5f33ae61836eaa2ef22cb2caee9ade9026"));
  /* The same, assembled by hand from cartbus.h: "MNKD" || id big-endian. */
  const uint8_t msg[12] = {'M', 'N', 'K', 'D', 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
  uint8_t ref[MNPEN_HMAC_LEN];
  mnpen_hmac_sha256(master, sizeof master, msg, sizeof msg, ref);
  FW_CHECK(memcmp(key, ref, sizeof ref) == 0);
  /* Another ID gives an unrelated key. */
  uint8_t other[MNPEN_CART_KEY_LEN];
  mnpen_cart_derive_key(master, TEST_ID + 1u, other);
  FW_CHECK(memcmp(key, other, sizeof key) != 0);
}

static void cart_mac_known_answer(void) {
  uint8_t key[MNPEN_CART_KEY_LEN], nonce[MNPEN_CART_NONCE_LEN], mac[MNPEN_CART_MAC_LEN];
  mnpen_cart_derive_key(master, TEST_ID, key);
  for (unsigned i = 0; i < sizeof nonce; i++) {
    nonce[i] = (uint8_t)(0xA0u + i);
  }
  mnpen_cart_mac(key, TEST_ID, nonce, MNPEN_CART_FLAG_FRESH, mac);
  FW_CHECK(bytes_are(mac, "369a46f5e923521d350aee86d311e12bd48efa00c5d5fb44aa330cb73b6423c7"));
  mnpen_cart_mac(key, TEST_ID, nonce, MNPEN_CART_FLAG_USED, mac);
  FW_CHECK(bytes_are(mac, "22203bfd3e75ce16dcff2f8732a524ee565b2798655a0a91865ee066403d67fb"));
}

static void cart_genuine_fresh_is_accepted_and_burned(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_OK);
  FW_CHECK(c.id == TEST_ID);
  FW_CHECK_EQ(c.authenticated, 1);
  FW_CHECK_EQ(c.burned, 1);
  FW_CHECK_EQ(f.chip.flag, MNPEN_CART_FLAG_USED);
  FW_CHECK_EQ(f.chip.challenges, 1u);
  FW_CHECK_EQ(f.chip.burns, 1u);
  /* Two nonces, both from random32 (8 words each) and different. */
  FW_CHECK_EQ(f.randoms, 16u);
  FW_CHECK_EQ(f.nonce_count, 2u);
  FW_CHECK(memcmp(f.nonces[0], f.nonces[1], MNPEN_CART_NONCE_LEN) != 0);
}

static void cart_nonce_is_drawn_from_random32(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  uint32_t rng = f.rng;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_OK);
  for (unsigned w = 0; w < MNPEN_CART_NONCE_LEN / 4u; w++) {
    uint32_t r = fake_xorshift32(&rng);
    FW_CHECK_EQ(f.nonces[0][4u * w], (uint8_t)r);
    FW_CHECK_EQ(f.nonces[0][4u * w + 3u], (uint8_t)(r >> 24));
  }
}

static void cart_second_insertion_is_refused_as_used(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_OK);
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_USED);
  FW_CHECK_EQ(c.authenticated, 1);
  FW_CHECK_EQ(c.burned, 0);
  FW_CHECK_EQ(f.chip.burns, 1u); /* no second BURN sent */
}

static void cart_genuine_used_is_refused(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  f.chip.flag = MNPEN_CART_FLAG_USED;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_USED);
  FW_CHECK(c.id == TEST_ID);
  FW_CHECK_EQ(c.burned, 0);
  FW_CHECK_EQ(f.chip.burns, 0u);
}

static void cart_unknown_flag_value_is_refused(void) {
  /* A genuine MAC over a flag that is neither FRESH nor USED. */
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  f.chip.flag = 0x5Au;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_USED);
  FW_CHECK_EQ(f.chip.burns, 0u);
}

static void cart_forged_key_is_refused(void) {
  /* A clone made with a guessed master key: right protocol, wrong MACs. */
  static fake_cart f;
  uint8_t wrong[MNPEN_CART_KEY_LEN];
  memcpy(wrong, master, sizeof wrong);
  wrong[31] ^= 0x01u;
  fake_cart_init(&f, wrong, TEST_ID);
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_FORGED);
  FW_CHECK_EQ(c.authenticated, 0);
  FW_CHECK_EQ(f.chip.burns, 0u);
}

static void cart_key_of_another_cartridge_is_refused(void) {
  /* A key pulled from cartridge A does not open cartridge B's ID. */
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  mnpen_cart_derive_key(master, TEST_ID + 7u, f.chip.key);
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_FORGED);
}

static void cart_replayed_challenge_answer_is_refused(void) {
  /* Record a genuine fresh answer to some nonce, then play it back. */
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  uint8_t tx[1u + MNPEN_CART_NONCE_LEN];
  tx[0] = MNPEN_CART_CMD_CHALLENGE;
  memset(&tx[1], 0x42, MNPEN_CART_NONCE_LEN);
  FW_CHECK_EQ(mnpen_cartchip_xfer(&f.chip, tx, sizeof tx, f.replay_answer, FAKE_CART_ANSWER_LEN),
              MNPEN_HAL_OK);
  FW_CHECK_EQ(f.replay_answer[0], MNPEN_CART_FLAG_FRESH);
  f.replay = true;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_FORGED);
  FW_CHECK_EQ(c.authenticated, 0);
  FW_CHECK_EQ(c.burned, 0);
}

static void cart_replayed_burn_confirmation_is_refused(void) {
  /* A relay that passes the challenge to a genuine chip but answers BURN
   * with a recorded "used" confirmation, keeping its own flag fresh. */
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  mnpen_cartchip donor;
  mnpen_cartchip_init(&donor, master, TEST_ID);
  uint8_t tx[1u + MNPEN_CART_NONCE_LEN];
  uint8_t recorded[FAKE_CART_ANSWER_LEN];
  tx[0] = MNPEN_CART_CMD_BURN;
  memset(&tx[1], 0x17, MNPEN_CART_NONCE_LEN);
  FW_CHECK_EQ(mnpen_cartchip_xfer(&donor, tx, sizeof tx, recorded, sizeof recorded), MNPEN_HAL_OK);
  FW_CHECK_EQ(recorded[0], MNPEN_CART_FLAG_USED);
  memcpy(f.replay_answer, recorded, sizeof recorded);
  f.replay_burn = true;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_FORGED);
  FW_CHECK_EQ(c.authenticated, 1); /* the challenge itself was genuine */
  FW_CHECK_EQ(c.burned, 0);
  FW_CHECK_EQ(f.chip.flag, MNPEN_CART_FLAG_FRESH);
  FW_CHECK_EQ(f.nonce_count, 2u);
}

static void cart_chip_ignoring_burn_is_refused(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  f.ignore_burn = true;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_BURN);
  FW_CHECK_EQ(c.authenticated, 1);
  FW_CHECK_EQ(c.burned, 0);
  FW_CHECK_EQ(f.chip.flag, MNPEN_CART_FLAG_FRESH);
}

static void cart_bus_error_at_each_transaction(void) {
  /* READ_ID, CHALLENGE and BURN in turn get no answer. */
  for (int at = 0; at < 3; at++) {
    static fake_cart f;
    fake_cart_init(&f, master, TEST_ID);
    f.fail_xfer = at;
    mnpen_hal h = hal_for(&f);
    mnpen_cart c;
    FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_BUS);
    FW_CHECK_EQ(c.burned, 0);
    FW_CHECK_EQ(c.authenticated, at >= 2 ? 1 : 0);
    FW_CHECK_EQ(f.xfers, (unsigned)at + 1u); /* nothing more after the error */
  }
}

static void cart_absent_is_reported_without_bus_traffic(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  f.present = false;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  c.id = 99u;
  FW_CHECK_EQ(mnpen_cart_check(&c, &h, master), MNPEN_CART_ABSENT);
  FW_CHECK_EQ(f.xfers, 0u);
  FW_CHECK(c.id == 0u);
  FW_CHECK_EQ(c.authenticated, 0);
}

/* Over a chip busy for 4 polls per answer the check takes 3 x (1 request
 * + 4 busy polls + 1 poll that finds the answer) steps, each with at most
 * one request or poll and one answer read; it is pending, with nothing
 * burned, until its last step, and wipes the key and nonce at the end. A
 * finished check stays finished and sends nothing more. */
static void cart_check_steps_one_bus_operation_each(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  f.busy_polls = 4u;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  mnpen_cart_begin(&c);
  uint32_t steps = 0;
  int st;
  do {
    unsigned ops = f.requests + f.ready_polls;
    unsigned reads = f.xfers;
    st = mnpen_cart_step(&c, &h, master, 100u);
    steps++;
    FW_CHECK(f.requests + f.ready_polls - ops <= 1u);
    FW_CHECK(f.xfers - reads <= 1u);
    if (st == MNPEN_CART_PENDING) {
      FW_CHECK_EQ(c.burned, 0);
    }
  } while (st == MNPEN_CART_PENDING && steps < 1000u);
  FW_CHECK_EQ(st, MNPEN_CART_OK);
  FW_CHECK_EQ(steps, 3u * (4u + 2u));
  FW_CHECK_EQ(c.burned, 1);
  FW_CHECK_EQ(f.chip.flag, MNPEN_CART_FLAG_USED);
  uint8_t zero[MNPEN_CART_KEY_LEN] = {0};
  FW_CHECK(memcmp(c.key, zero, sizeof c.key) == 0);
  FW_CHECK(memcmp(c.nonce, zero, sizeof c.nonce) == 0);
  unsigned requests = f.requests;
  FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, 100u), MNPEN_CART_ABSENT);
  FW_CHECK_EQ(f.requests, requests);
}

/* A chip that takes the request and never answers: pending for the
 * request and the polls before the limit, MNPEN_CART_TIMEOUT at the
 * limit's poll, nothing burned, key wiped. The same when it falls silent
 * at CHALLENGE. */
static void cart_silent_chip_times_out(void) {
  static const uint32_t LIMIT = 25u;
  for (int at_challenge = 0; at_challenge < 2; at_challenge++) {
    static fake_cart f;
    fake_cart_init(&f, master, TEST_ID);
    mnpen_hal h = hal_for(&f);
    mnpen_cart c;
    mnpen_cart_begin(&c);
    if (at_challenge) {
      /* READ_ID: request, then the poll that reads the answer. */
      FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, LIMIT), MNPEN_CART_PENDING);
      FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, LIMIT), MNPEN_CART_PENDING);
      FW_CHECK(c.id == TEST_ID);
    }
    f.mute = true;
    unsigned polls = f.ready_polls;
    FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, LIMIT), MNPEN_CART_PENDING); /* request */
    for (uint32_t i = 1; i < LIMIT; i++) {
      FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, LIMIT), MNPEN_CART_PENDING);
    }
    FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, LIMIT), MNPEN_CART_TIMEOUT);
    FW_CHECK_EQ(f.ready_polls - polls, LIMIT);
    FW_CHECK_EQ(c.burned, 0);
    FW_CHECK_EQ(c.authenticated, 0);
    FW_CHECK_EQ(f.chip.flag, MNPEN_CART_FLAG_FRESH);
    uint8_t zero[MNPEN_CART_KEY_LEN] = {0};
    FW_CHECK(memcmp(c.key, zero, sizeof c.key) == 0);
  }
}

/* Taken out after the CHALLENGE answer, before BURN: absent, nothing
 * burned, key wiped; an abort in the middle wipes it too. */
static void cart_removed_mid_check_is_absent(void) {
  static fake_cart f;
  fake_cart_init(&f, master, TEST_ID);
  f.busy_polls = 2u;
  mnpen_hal h = hal_for(&f);
  mnpen_cart c;
  mnpen_cart_begin(&c);
  for (unsigned i = 0; i < 100u && !c.authenticated; i++) {
    FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, 100u), MNPEN_CART_PENDING);
  }
  FW_CHECK_EQ(c.authenticated, 1);
  f.present = false;
  FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, 100u), MNPEN_CART_ABSENT);
  FW_CHECK_EQ(f.chip.burns, 0u);
  uint8_t zero[MNPEN_CART_KEY_LEN] = {0};
  FW_CHECK(memcmp(c.key, zero, sizeof c.key) == 0);

  fake_cart_init(&f, master, TEST_ID);
  mnpen_cart_begin(&c);
  FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, 100u), MNPEN_CART_PENDING);
  FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, 100u), MNPEN_CART_PENDING);
  FW_CHECK(memcmp(c.key, zero, sizeof c.key) != 0); /* derived from the ID */
  mnpen_cart_abort(&c);
  FW_CHECK(memcmp(c.key, zero, sizeof c.key) == 0);
  FW_CHECK_EQ(mnpen_cart_step(&c, &h, master, 100u), MNPEN_CART_ABSENT);
}

static void cartchip_rejects_malformed_frames(void) {
  mnpen_cartchip chip;
  uint8_t rx[FAKE_CART_ANSWER_LEN];
  uint8_t tx[1u + MNPEN_CART_NONCE_LEN];
  mnpen_cartchip_init(&chip, master, TEST_ID);
  memset(tx, 0, sizeof tx);
  tx[0] = 0x77u; /* unknown command */
  FW_CHECK_EQ(mnpen_cartchip_xfer(&chip, tx, 1, rx, 8), MNPEN_HAL_EIO);
  tx[0] = MNPEN_CART_CMD_READ_ID;
  FW_CHECK_EQ(mnpen_cartchip_xfer(&chip, tx, 1, rx, 7), MNPEN_HAL_EIO);
  FW_CHECK_EQ(mnpen_cartchip_xfer(&chip, tx, 1, rx, 8), MNPEN_HAL_OK);
  FW_CHECK_EQ(rx[0], 0x01u);
  FW_CHECK_EQ(rx[7], 0xEFu);
  tx[0] = MNPEN_CART_CMD_BURN;
  FW_CHECK_EQ(mnpen_cartchip_xfer(&chip, tx, sizeof tx - 1u, rx, sizeof rx), MNPEN_HAL_EIO);
  FW_CHECK_EQ(chip.flag, MNPEN_CART_FLAG_FRESH); /* a malformed BURN burns nothing */
  FW_CHECK_EQ(mnpen_cartchip_xfer(&chip, tx, 0, rx, sizeof rx), MNPEN_HAL_EIO);
  FW_CHECK_EQ(mnpen_cartchip_xfer(&chip, tx, sizeof tx, rx, sizeof rx), MNPEN_HAL_OK);
  FW_CHECK_EQ(chip.flag, MNPEN_CART_FLAG_USED);
}

FW_SUITE(mnpen_suite_cart, "cart", FW_CASE(cart_key_derivation_known_answer),
         FW_CASE(cart_mac_known_answer), FW_CASE(cart_genuine_fresh_is_accepted_and_burned),
         FW_CASE(cart_nonce_is_drawn_from_random32),
         FW_CASE(cart_second_insertion_is_refused_as_used), FW_CASE(cart_genuine_used_is_refused),
         FW_CASE(cart_unknown_flag_value_is_refused), FW_CASE(cart_forged_key_is_refused),
         FW_CASE(cart_key_of_another_cartridge_is_refused),
         FW_CASE(cart_replayed_challenge_answer_is_refused),
         FW_CASE(cart_replayed_burn_confirmation_is_refused),
         FW_CASE(cart_chip_ignoring_burn_is_refused), FW_CASE(cart_bus_error_at_each_transaction),
         FW_CASE(cart_absent_is_reported_without_bus_traffic),
         FW_CASE(cartchip_rejects_malformed_frames),
         FW_CASE(cart_check_steps_one_bus_operation_each), FW_CASE(cart_silent_chip_times_out),
         FW_CASE(cart_removed_mid_check_is_absent));
