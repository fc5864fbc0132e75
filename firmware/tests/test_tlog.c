/*
 * Treatment log on a fake NOR flash (fake_hal.h): format, append/read,
 * wrap-around, flash errors, and power cuts.
 *
 * The power-cut tests run the log through many cut instants chosen by a
 * deterministic PRNG, inside programs (including a half-programmed last
 * byte) and inside erases (several kinds of debris), across ring
 * wrap-arounds, remounting after each cut and checking "log_intact":
 *  - mnpen_log_verify() passes (CRCs, rising seqs, index matches flash);
 *  - every record whose append() returned OK is still read back, unless the
 *    log began to erase its sector (the ring dropping its oldest records);
 *  - every record read back is one the test appended, with the content it
 *    was given: either acknowledged or the one in flight at the cut;
 *  - no byte was ever programmed that was not erased.
 * Then it appends more without cuts and checks again. Some seeds make the
 * flash slow (busy for a few polls per program or erase).
 *
 * Appending is a state machine stepped once per control tick: the step
 * tests check its bound (one flash operation started or polled per step,
 * a few slots read), that a record counts only once its program is done,
 * that a busy flash is never read, and what a full queue does.
 */
#include <string.h>

#include "fake_hal.h"
#include "fwtest.h"
#include "mnpen/crc32.h"
#include "mnpen/tlog.h"

#define REC MNPEN_LOG_RECORD_BYTES

static mnpen_hal flash_hal(fake_flash *f) {
  mnpen_hal h;
  memset(&h, 0, sizeof h);
  fake_hal_flash(&h, f);
  return h;
}

/* Content of the gen-th append attempt, made to tell attempts apart (a seq
 * is reused when its first attempt was torn). seq is set by append(). */
static mnpen_log_record make_record(uint32_t gen) {
  mnpen_log_record r;
  memset(&r, 0, sizeof r);
  r.time_ms = gen * 1000u + 7u;
  r.cartridge_id = ((uint64_t)gen << 32) ^ 0xC0FFEE0012345678ull;
  r.speed_mhz = 100000u + gen;
  r.strokes = gen * 3u;
  r.depth_um = (uint16_t)(gen % 2500u);
  r.type = (uint8_t)(1u + gen % 5u);
  r.code = (int8_t)((int)(gen % 256u) - 128);
  return r;
}

static int same_record(const mnpen_log_record *a, const mnpen_log_record *b) {
  return a->seq == b->seq && a->time_ms == b->time_ms && a->cartridge_id == b->cartridge_id &&
         a->speed_mhz == b->speed_mhz && a->strokes == b->strokes && a->depth_um == b->depth_um &&
         a->type == b->type && a->code == b->code;
}

/* ---- plain behaviour ------------------------------------------------------ */

static fake_flash F;

/* ---- stepping --------------------------------------------------------------- */

/* 150 records through a ring of 4 sectors of 16 slots (so it wraps and
 * erases), on a flash busy for 3 polls per program and 20 per erase, one
 * queued at a time and stepped to the end. Every step does at most one
 * operation start or busy poll and reads at most MNPEN_LOG_STEP_READ_SLOTS
 * slots; the count of records grows only in a step whose poll found a
 * program done; the flash is never read or started while busy. */
static void log_step_bounds_its_flash_work(void) {
  static const uint32_t RECORDS = 150u;
  fake_flash_init(&F, 16u * REC, 4);
  F.program_polls = 3u;
  F.erase_polls = 20u;
  mnpen_hal h = flash_hal(&F);
  static mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  uint32_t steps = 0;
  for (uint32_t gen = 1; gen <= RECORDS; gen++) {
    mnpen_log_record r = make_record(gen);
    FW_CHECK_EQ(mnpen_log_queue(&log, &r), MNPEN_LOG_OK);
    for (uint32_t i = 0; i < 1000u && mnpen_log_pending(&log) > 0u; i++) {
      unsigned ops = F.starts + F.busy_polls;
      unsigned polls = F.busy_polls;
      uint32_t bytes = F.read_bytes;
      uint32_t durable = log.count + log.dropped;
      FW_CHECK_EQ(mnpen_log_step(&log), MNPEN_LOG_OK);
      steps++;
      FW_CHECK(F.starts + F.busy_polls - ops <= 1u);
      FW_CHECK(F.read_bytes - bytes <= MNPEN_LOG_STEP_READ_SLOTS * REC);
      if (log.count + log.dropped != durable) {
        FW_CHECK_EQ(F.busy_polls - polls, 1u);
        FW_CHECK_EQ(log.count + log.dropped, durable + 1u);
      }
    }
    FW_CHECK_EQ(mnpen_log_pending(&log), 0u);
  }
  FW_CHECK_EQ(F.busy_refusals, 0u);
  uint32_t erases = 0;
  for (uint32_t s = 0; s < F.sectors; s++) {
    erases += F.erases[s];
  }
  FW_CHECK(erases >= 2u);
  /* Each record waited out its program's busy polls. */
  FW_CHECK(steps >= RECORDS * (F.program_polls + 2u));
  FW_CHECK_EQ(log.count + log.dropped, RECORDS);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  mnpen_log_record last;
  FW_CHECK_EQ(mnpen_log_read(&log, log.count - 1u, &last), MNPEN_LOG_OK);
  mnpen_log_record want = make_record(RECORDS);
  want.seq = RECORDS - 1u;
  FW_CHECK(same_record(&last, &want));
}

/* A full queue refuses the newest record (counted in lost) and changes
 * nothing else: the queued, older records are kept, in order, and written
 * once the flash is free again. A record is not counted while its program
 * is still in flight. */
static void log_full_queue_refuses_the_newest(void) {
  fake_flash_init(&F, 256, 4);
  F.program_polls = 1000u; /* a program that does not end in this test's steps */
  mnpen_hal h = flash_hal(&F);
  static mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t gen = 1; gen <= MNPEN_LOG_QUEUE_LEN; gen++) {
    mnpen_log_record r = make_record(gen);
    FW_CHECK_EQ(mnpen_log_queue(&log, &r), MNPEN_LOG_OK);
  }
  mnpen_log_record extra = make_record(MNPEN_LOG_QUEUE_LEN + 1u);
  FW_CHECK_EQ(mnpen_log_queue(&log, &extra), MNPEN_LOG_EFULL);
  FW_CHECK_EQ(log.lost, 1u);
  FW_CHECK_EQ(mnpen_log_pending(&log), MNPEN_LOG_QUEUE_LEN);
  for (unsigned i = 0; i < 20u; i++) {
    FW_CHECK_EQ(mnpen_log_step(&log), MNPEN_LOG_OK);
  }
  FW_CHECK(mnpen_log_flash_busy(&log));
  FW_CHECK_EQ(mnpen_log_count(&log), 0u); /* programmed, not yet done */
  FW_CHECK_EQ(mnpen_log_queue(&log, &extra), MNPEN_LOG_EFULL);
  FW_CHECK_EQ(log.lost, 2u);
  /* The flash finishes; the queue drains. */
  F.program_polls = 0;
  F.polls_left = 0;
  for (unsigned i = 0; i < 200u && mnpen_log_pending(&log) > 0u; i++) {
    FW_CHECK_EQ(mnpen_log_step(&log), MNPEN_LOG_OK);
  }
  FW_CHECK_EQ(mnpen_log_pending(&log), 0u);
  FW_CHECK_EQ(mnpen_log_count(&log), MNPEN_LOG_QUEUE_LEN);
  for (uint32_t i = 0; i < MNPEN_LOG_QUEUE_LEN; i++) {
    mnpen_log_record got;
    mnpen_log_record want = make_record(i + 1u);
    want.seq = i;
    FW_CHECK_EQ(mnpen_log_read(&log, i, &got), MNPEN_LOG_OK);
    FW_CHECK(same_record(&got, &want));
  }
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_queue(&log, &extra), MNPEN_LOG_OK); /* room again */
}

static void log_mounts_empty_flash(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log), 0u);
  FW_CHECK_EQ(log.slots, 32u);
  FW_CHECK_EQ(log.next_seq, 0u);
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &r), MNPEN_LOG_ERANGE);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
}

static void log_record_layout(void) {
  /* Byte by byte little-endian; CRC-32 of bytes 0..27 computed with
   * Python's zlib.crc32 for this record: 0x4c83db2d. */
  static const uint8_t want[REC] = {0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11,
                                    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                    0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x01, 0x00, 0x00,
                                    0x04, 0x03, 0x05, 0xFE, 0x2D, 0xDB, 0x83, 0x4C};
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r = {0, 0x11223344u, 0x0102030405060708ull, 0xA1B2C3D4u, 0x102u, 0x304u, 5, -2};
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  FW_CHECK(memcmp(F.mem, want, REC) == 0);
  /* decode() takes it back, and refuses it with any single bit flipped. */
  uint8_t buf[REC];
  mnpen_log_record back;
  memcpy(buf, want, REC);
  FW_CHECK_EQ(mnpen_log_decode(buf, &back), MNPEN_LOG_OK);
  FW_CHECK(same_record(&back, &r));
  for (unsigned bit = 0; bit < 8u * REC; bit++) {
    buf[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
    FW_CHECK(mnpen_log_decode(buf, &back) != MNPEN_LOG_OK);
    buf[bit / 8u] ^= (uint8_t)(1u << (bit % 8u));
  }
  /* An erased slot is not a record. */
  memset(buf, 0xFF, REC);
  FW_CHECK(mnpen_log_decode(buf, &back) != MNPEN_LOG_OK);
}

static void log_appends_and_reads_back(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 10u; g++) {
    mnpen_log_record r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
    FW_CHECK_EQ(r.seq, g);
  }
  FW_CHECK_EQ(mnpen_log_count(&log), 10u);
  for (uint32_t i = 0; i < 10u; i++) {
    mnpen_log_record want = make_record(i), got;
    want.seq = i;
    FW_CHECK_EQ(mnpen_log_read(&log, i, &got), MNPEN_LOG_OK);
    FW_CHECK(same_record(&got, &want));
  }
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  FW_CHECK_EQ(F.overprograms, 0u);
}

static void log_survives_remount(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 11u; g++) {
    mnpen_log_record r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  mnpen_log again;
  FW_CHECK_EQ(mnpen_log_mount(&again, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&again), 11u);
  FW_CHECK_EQ(again.next_seq, 11u);
  FW_CHECK_EQ(again.next, 11u);
  FW_CHECK_EQ(again.head, 0u);
  mnpen_log_record r = make_record(11), got;
  FW_CHECK_EQ(mnpen_log_append(&again, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(r.seq, 11u);
  FW_CHECK_EQ(mnpen_log_read(&again, 11, &got), MNPEN_LOG_OK);
  FW_CHECK(same_record(&got, &r));
  FW_CHECK_EQ(mnpen_log_verify(&again), MNPEN_LOG_OK);
}

static void log_wraps_and_drops_oldest_sector(void) {
  /* 4 sectors of 4 slots. */
  fake_flash_init(&F, 4u * REC, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r, got;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 16u; g++) {
    r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  /* The ring is full; a blank flash needed no erase so far. */
  FW_CHECK_EQ(mnpen_log_count(&log), 16u);
  FW_CHECK_EQ(F.erases[0] + F.erases[1] + F.erases[2] + F.erases[3], 0u);
  r = make_record(16);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(F.erases[0], 1u);
  FW_CHECK_EQ(mnpen_log_count(&log), 13u);
  FW_CHECK_EQ(log.dropped, 4u);
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &got), MNPEN_LOG_OK);
  FW_CHECK_EQ(got.seq, 4u);
  FW_CHECK_EQ(log.head, 4u);
  FW_CHECK_EQ(mnpen_log_read(&log, 12, &got), MNPEN_LOG_OK);
  FW_CHECK_EQ(got.seq, 16u);
  for (uint32_t g = 17; g < 100u; g++) {
    r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  /* Record k sits in slot k mod 16, so after 100 records sector 0 holds
   * 96..99 (just filled) and sectors 1..3 hold 84..95. */
  uint32_t n = mnpen_log_count(&log);
  FW_CHECK_EQ(n, 16u);
  FW_CHECK_EQ(log.dropped + n, 100u);
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &got), MNPEN_LOG_OK);
  FW_CHECK_EQ(got.seq, 84u);
  for (uint32_t i = 0; i < n; i++) {
    mnpen_log_record want = make_record(84u + i);
    want.seq = 84u + i;
    FW_CHECK_EQ(mnpen_log_read(&log, i, &got), MNPEN_LOG_OK);
    FW_CHECK(same_record(&got, &want));
  }
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  /* A remount finds the same window. */
  mnpen_log again;
  FW_CHECK_EQ(mnpen_log_mount(&again, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&again), 16u);
  FW_CHECK_EQ(again.next_seq, 100u);
  FW_CHECK_EQ(mnpen_log_read(&again, 0, &got), MNPEN_LOG_OK);
  FW_CHECK_EQ(got.seq, 84u);
  FW_CHECK_EQ(F.overprograms, 0u);
}

static void log_skips_torn_slot(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  for (uint32_t g = 0; g < 3u; g++) {
    mnpen_log_record r = make_record(g);
    if (g == 0u) {
      FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
    }
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  /* Slot 3 torn: the first 13 bytes of a record got programmed. */
  memset(&F.mem[3u * REC], 0x00, 13);
  mnpen_log log2;
  FW_CHECK_EQ(mnpen_log_mount(&log2, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log2), 3u);
  FW_CHECK_EQ(log2.next, 4u);
  FW_CHECK_EQ(log2.skipped, 1u);
  FW_CHECK_EQ(log2.next_seq, 3u);
  mnpen_log_record r = make_record(3), got;
  FW_CHECK_EQ(mnpen_log_append(&log2, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(r.seq, 3u);
  FW_CHECK_EQ(F.overprograms, 0u);
  FW_CHECK_EQ(F.mem[3u * REC + 13u], 0xFFu); /* the torn slot was left alone */
  FW_CHECK_EQ(mnpen_log_read(&log2, 3, &got), MNPEN_LOG_OK);
  FW_CHECK(same_record(&got, &r));
  mnpen_log log3;
  FW_CHECK_EQ(mnpen_log_mount(&log3, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log3), 4u);
  FW_CHECK_EQ(mnpen_log_verify(&log3), MNPEN_LOG_OK);
}

static void log_erases_junk_sector_before_use(void) {
  /* The sector after a full head sector holds junk (a torn erase): the
   * head must not write into it before erasing it. */
  fake_flash_init(&F, 4u * REC, 3);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 4u; g++) {
    mnpen_log_record r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  /* Junk only at the end of sector 1; its first slots read erased. */
  F.mem[4u * REC + 3u * REC + 5u] = 0x12u;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log), 4u);
  FW_CHECK_EQ(log.next, 4u);
  FW_CHECK_EQ(log.ready, 0u);
  mnpen_log_record r = make_record(4);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(F.erases[1], 1u);
  FW_CHECK_EQ(F.mem[4u * REC + 3u * REC + 5u], 0xFFu);
  FW_CHECK_EQ(mnpen_log_count(&log), 5u);
  FW_CHECK_EQ(log.dropped, 0u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  FW_CHECK_EQ(F.overprograms, 0u);
}

static void log_starts_on_unformatted_flash(void) {
  fake_flash_init(&F, 256, 4);
  fake_flash_scramble(&F);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log), 0u);
  for (uint32_t g = 0; g < 40u; g++) {
    mnpen_log_record r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  FW_CHECK_EQ(F.overprograms, 0u);
  mnpen_log again;
  FW_CHECK_EQ(mnpen_log_mount(&again, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&again), mnpen_log_count(&log));
  FW_CHECK_EQ(again.next_seq, 40u);
}

static void log_mount_never_writes(void) {
  static uint8_t before[FAKE_FLASH_BYTES];
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 30u; g++) {
    mnpen_log_record r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  memset(&F.mem[2u * 256u], 0x5A, 256); /* a sector of junk */
  memcpy(before, F.mem, sizeof before);
  uint32_t erases = F.erases[0] + F.erases[1] + F.erases[2] + F.erases[3];
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK(memcmp(before, F.mem, sizeof before) == 0);
  FW_CHECK_EQ(F.erases[0] + F.erases[1] + F.erases[2] + F.erases[3], erases);
}

static void log_rejects_bad_geometry(void) {
  mnpen_log log;
  mnpen_log_record r = make_record(0);
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  h.flash_sector_bytes = 48; /* not a whole number of records */
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_EGEOM);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_EGEOM);
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &r), MNPEN_LOG_ERANGE);
  h.flash_sector_bytes = 0;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_EGEOM);
  h = flash_hal(&F);
  h.flash_sectors = 1; /* no ring: erasing would take the newest record */
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_EGEOM);
  h.flash_sectors = MNPEN_LOG_MAX_SECTORS + 1u;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_EGEOM);
  h = flash_hal(&F);
  h.flash_erase_start = NULL;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_EGEOM);
  FW_CHECK_EQ(mnpen_log_mount(&log, NULL), MNPEN_LOG_EGEOM);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_EGEOM);
  h = flash_hal(&F);
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
}

static void log_read_error_fails_mount(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r = make_record(0);
  F.fail_read_after = 5;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_EIO);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_EGEOM); /* not mounted */
  /* Reads failing after the mount surface as EIO from read() and verify(). */
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  F.fail_read_after = 0;
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &r), MNPEN_LOG_EIO);
  F.fail_read_after = 0;
  FW_CHECK(mnpen_log_verify(&log) != MNPEN_LOG_OK);
  F.fail_read_after = 0;
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_EIO);
}

static void log_program_error_spends_slot_and_seq(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r = make_record(0), got;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  F.fail_program_after = 0; /* writes half a record, reports EIO */
  r = make_record(1);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_EIO);
  r = make_record(2);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(r.seq, 2u); /* seq 1 was spent on the failed slot */
  FW_CHECK_EQ(mnpen_log_count(&log), 2u);
  FW_CHECK_EQ(mnpen_log_read(&log, 1, &got), MNPEN_LOG_OK);
  FW_CHECK(same_record(&got, &r));
  FW_CHECK_EQ(F.overprograms, 0u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  mnpen_log again;
  FW_CHECK_EQ(mnpen_log_mount(&again, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&again), 2u);
  FW_CHECK_EQ(again.next_seq, 3u);
}

static void log_erase_error_is_retried(void) {
  fake_flash_init(&F, 2u * REC, 2);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 4u; g++) {
    r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  F.fail_erase_after = 0;
  r = make_record(4);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_EIO);
  /* Nothing was erased, so nothing is lost and the index still agrees. */
  FW_CHECK_EQ(mnpen_log_count(&log), 4u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(r.seq, 4u);
  FW_CHECK_EQ(mnpen_log_count(&log), 3u);
  FW_CHECK_EQ(log.dropped, 2u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
}

static void log_verify_catches_decay(void) {
  fake_flash_init(&F, 256, 4);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 5u; g++) {
    r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  F.mem[2u * REC + 9u] ^= 0x04u; /* one bit of record 2 decays */
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_ECORRUPT);
  /* Reads never hand out the decayed record: each read gives an intact
   * record that was appended, or fails; with five indexed and four good,
   * at least one fails. */
  unsigned failed = 0;
  for (uint32_t i = 0; i < 5u; i++) {
    int rc = mnpen_log_read(&log, i, &r);
    if (rc != MNPEN_LOG_OK) {
      FW_CHECK_EQ(rc, MNPEN_LOG_EIO);
      failed++;
      continue;
    }
    FW_CHECK(r.seq < 5u && r.seq != 2u);
    mnpen_log_record want = make_record(r.seq);
    want.seq = r.seq;
    FW_CHECK(same_record(&r, &want));
  }
  FW_CHECK(failed >= 1u);
  /* A remount no longer counts it and the rest reads in order. */
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log), 4u);
  FW_CHECK_EQ(mnpen_log_read(&log, 2, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(r.seq, 3u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
}

static void log_torn_erase_keeps_survivors_in_order(void) {
  /* Full ring of 3 x 4; the erase of sector 0 is cut half-way: slots 0
   * and 1 erased, the first byte of slot 2 half-erased, slot 3 intact. The
   * survivor is still the oldest record and reads first. */
  fake_flash_init(&F, 4u * REC, 3);
  mnpen_hal h = flash_hal(&F);
  mnpen_log log;
  mnpen_log_record r, got;
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  for (uint32_t g = 0; g < 12u; g++) {
    r = make_record(g);
    FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  }
  F.erase_mode = FAKE_ERASE_PREFIX;
  fake_flash_arm_cut(&F, FAKE_FLASH_ERASE_UNITS / 2u);
  r = make_record(12);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_EIO);
  FW_CHECK_EQ(F.cuts_in_erase, 1u);
  fake_flash_restore(&F);
  FW_CHECK_EQ(mnpen_log_mount(&log, &h), MNPEN_LOG_OK);
  FW_CHECK_EQ(mnpen_log_count(&log), 9u);
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &got), MNPEN_LOG_OK);
  FW_CHECK_EQ(got.seq, 3u);
  FW_CHECK_EQ(log.head, 3u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  r = make_record(12);
  FW_CHECK_EQ(mnpen_log_append(&log, &r), MNPEN_LOG_OK);
  FW_CHECK_EQ(r.seq, 12u);
  FW_CHECK_EQ(F.erases[0], 2u);
  FW_CHECK_EQ(mnpen_log_count(&log), 9u);
  FW_CHECK_EQ(log.dropped, 1u);
  FW_CHECK_EQ(mnpen_log_read(&log, 0, &got), MNPEN_LOG_OK);
  FW_CHECK_EQ(got.seq, 4u);
  FW_CHECK_EQ(mnpen_log_verify(&log), MNPEN_LOG_OK);
  FW_CHECK_EQ(F.overprograms, 0u);
}

/* ---- power cuts at random instants ---------------------------------------- */

#define SIM_WINDOW 256u /* seqs remembered: far more than a ring holds */
#define SIM_MAX_SLOTS 64u

typedef struct {
  fake_flash flash;
  mnpen_hal hal;
  mnpen_log log;
  uint32_t rng;
  uint32_t gen;
  /* What was attempted under each seq (the last attempt wins). */
  uint32_t win_seq[SIM_WINDOW];
  uint32_t win_gen[SIM_WINDOW];
  uint8_t win_used[SIM_WINDOW];
  /* Acknowledged records by slot, and the erase count of their sector at
   * acknowledgement: they must survive while that count is unchanged. */
  uint8_t slot_live[SIM_MAX_SLOTS];
  uint32_t slot_seq[SIM_MAX_SLOTS];
  uint32_t slot_epoch[SIM_MAX_SLOTS];
  uint8_t seen[SIM_WINDOW];
} sim_state;

static sim_state S;

static void sim_start(uint32_t sector_bytes, uint32_t sectors, uint32_t seed, int scramble) {
  memset(&S, 0, sizeof S);
  fake_flash_init(&S.flash, sector_bytes, sectors);
  S.flash.rng = seed ^ 0x5bd1e995u;
  if (scramble) {
    fake_flash_scramble(&S.flash);
  }
  /* A slow flash for some seeds: the append's state machine then waits
   * out busy polls between its steps, and must keep the same guarantees. */
  S.flash.program_polls = seed % 3u;
  S.flash.erase_polls = seed % 5u;
  fake_hal_flash(&S.hal, &S.flash);
  S.rng = seed;
}

/* Returns append()'s status; records what an acknowledged append put where. */
static int sim_append(void) {
  uint32_t seq = S.log.next_seq;
  uint32_t gen = ++S.gen;
  uint32_t w = seq % SIM_WINDOW;
  mnpen_log_record r = make_record(gen);
  S.win_seq[w] = seq;
  S.win_gen[w] = gen;
  S.win_used[w] = 1;
  int rc = mnpen_log_append(&S.log, &r);
  if (rc == MNPEN_LOG_OK) {
    uint32_t slot = (S.log.next + S.log.slots - 1u) % S.log.slots;
    if (r.seq != seq || slot >= SIM_MAX_SLOTS) {
      return -100; /* the test's bookkeeping would be wrong */
    }
    S.slot_live[slot] = 1;
    S.slot_seq[slot] = seq;
    S.slot_epoch[slot] = S.flash.erases[slot / S.log.slots_per_sector];
  }
  return rc;
}

/* log_intact: 0 when every check holds, else the number of the one that
 * failed (so a failure says which). */
static int sim_check(void) {
  if (mnpen_log_verify(&S.log) != MNPEN_LOG_OK) {
    return 1;
  }
  memset(S.seen, 0, sizeof S.seen);
  uint32_t n = mnpen_log_count(&S.log);
  uint32_t prev = 0;
  for (uint32_t i = 0; i < n; i++) {
    mnpen_log_record got;
    if (mnpen_log_read(&S.log, i, &got) != MNPEN_LOG_OK) {
      return 2;
    }
    if (i > 0u && got.seq <= prev) {
      return 3;
    }
    prev = got.seq;
    uint32_t w = got.seq % SIM_WINDOW;
    if (!S.win_used[w] || S.win_seq[w] != got.seq) {
      return 4; /* a record the test never appended */
    }
    mnpen_log_record want = make_record(S.win_gen[w]);
    want.seq = got.seq;
    if (!same_record(&got, &want)) {
      return 5;
    }
    S.seen[w] = 1;
  }
  mnpen_log_record none;
  if (mnpen_log_read(&S.log, n, &none) != MNPEN_LOG_ERANGE) {
    return 6;
  }
  for (uint32_t slot = 0; slot < S.log.slots; slot++) {
    uint32_t sector = slot / S.log.slots_per_sector;
    if (S.slot_live[slot] && S.slot_epoch[slot] == S.flash.erases[sector]) {
      uint32_t w = S.slot_seq[slot] % SIM_WINDOW;
      if (!S.seen[w] || S.win_seq[w] != S.slot_seq[slot]) {
        return 7; /* an acknowledged record went missing */
      }
    }
  }
  if (S.flash.overprograms != 0u) {
    return 8;
  }
  return 0;
}

/* Runs until `cuts` power cuts have happened; each round arms a cut within
 * the work of a few appends (so it falls in programs and in erases),
 * appends until the power goes, remounts, checks, appends a few more
 * without a cut and checks again. Returns 0 or a sim_check() code. */
static int sim_run(unsigned cuts) {
  const uint32_t per_round = 6u;
  const uint32_t reach = per_round * (REC + FAKE_FLASH_ERASE_UNITS / 2u);
  if (mnpen_log_mount(&S.log, &S.hal) != MNPEN_LOG_OK) {
    return 20;
  }
  for (unsigned round = 0; round < 20u * cuts; round++) {
    if (S.flash.cuts_in_program + S.flash.cuts_in_erase >= cuts) {
      return 0;
    }
    fake_flash_arm_cut(&S.flash, fake_xorshift32(&S.rng) % reach);
    for (uint32_t k = 0; k < per_round; k++) {
      int rc = sim_append();
      if (rc == -100) {
        return 21;
      }
      if (rc != MNPEN_LOG_OK) {
        if (!S.flash.dead) {
          return 22; /* failed without a cut */
        }
        break;
      }
    }
    fake_flash_restore(&S.flash);
    if (mnpen_log_mount(&S.log, &S.hal) != MNPEN_LOG_OK) {
      return 23;
    }
    int rc = sim_check();
    if (rc != 0) {
      return rc;
    }
    uint32_t more = fake_xorshift32(&S.rng) % 8u;
    for (uint32_t k = 0; k < more; k++) {
      if (sim_append() != MNPEN_LOG_OK) {
        return 24;
      }
    }
    rc = sim_check();
    if (rc != 0) {
      return 30 + rc;
    }
  }
  return 25; /* not enough cuts happened */
}

static uint32_t total_erases(void) {
  uint32_t t = 0;
  for (uint32_t s = 0; s < S.flash.sectors; s++) {
    t += S.flash.erases[s];
  }
  return t;
}

static void log_intact_after_random_power_cuts(void) {
  /* 4 sectors of 8 slots, blank at the start. */
  sim_start(8u * REC, 4, 0x1234567u, 0);
  FW_CHECK_EQ(sim_run(600), 0);
  FW_CHECK(S.flash.cuts_in_erase >= 40u);
  FW_CHECK(S.flash.cuts_in_program >= 400u);
  FW_CHECK(total_erases() >= 100u); /* the ring wrapped many times */
}

static void log_intact_smallest_ring(void) {
  /* 2 sectors of 2 slots: every other append erases. */
  sim_start(2u * REC, 2, 0xBADC0DEu, 0);
  FW_CHECK_EQ(sim_run(300), 0);
  FW_CHECK(S.flash.cuts_in_erase >= 40u);
}

static void log_intact_from_unformatted_flash(void) {
  /* 3 sectors of 5 slots, starting from random bytes. */
  sim_start(5u * REC, 3, 0x7F4A7C15u, 1);
  FW_CHECK_EQ(sim_run(300), 0);
  FW_CHECK(S.flash.cuts_in_erase >= 20u);
}

FW_SUITE(mnpen_suite_tlog, "tlog", FW_CASE(log_mounts_empty_flash), FW_CASE(log_record_layout),
         FW_CASE(log_appends_and_reads_back), FW_CASE(log_survives_remount),
         FW_CASE(log_wraps_and_drops_oldest_sector), FW_CASE(log_skips_torn_slot),
         FW_CASE(log_erases_junk_sector_before_use), FW_CASE(log_starts_on_unformatted_flash),
         FW_CASE(log_mount_never_writes), FW_CASE(log_rejects_bad_geometry),
         FW_CASE(log_read_error_fails_mount), FW_CASE(log_program_error_spends_slot_and_seq),
         FW_CASE(log_erase_error_is_retried), FW_CASE(log_verify_catches_decay),
         FW_CASE(log_torn_erase_keeps_survivors_in_order),
         FW_CASE(log_intact_after_random_power_cuts), FW_CASE(log_intact_smallest_ring),
         FW_CASE(log_intact_from_unformatted_flash), FW_CASE(log_step_bounds_its_flash_work),
         FW_CASE(log_full_queue_refuses_the_newest));
