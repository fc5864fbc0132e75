/*
 * Treatment log: a power-cut-safe append-only record store in NOR flash.
 *
 * Sessions, cartridges, depth, speed, strokes and faults are written as
 * fixed-size records, each with a sequence number and a CRC-32, into a ring
 * of flash sectors (oldest sector erased when the ring is full). A power cut
 * at any instant (during a program or an erase) loses at most the record
 * being written: mount() scans the flash, keeps every record whose CRC
 * verifies, and resumes appending after the last good one, past any torn
 * slot, since NOR cannot rewrite a half-programmed slot.
 *
 * A sector is erased only when the write head needs it, and only a sector
 * that reads fully erased is written into, so the debris of a torn erase is
 * erased again before use rather than mixed with new records.
 *
 * Appending never waits for the flash. mnpen_log_queue() puts a record in
 * a small static queue; mnpen_log_step(), called once per control tick,
 * moves the front record along a state machine (check the sector, erase it,
 * check it again, check the slot, program, read back) doing at most one
 * flash operation start or one busy poll per call, plus reads of at most
 * MNPEN_LOG_STEP_READ_SLOTS slots. A record is durable, and counted, only
 * once its program completed and read back equal. A full queue refuses
 * the new record (MNPEN_LOG_EFULL, counted in `lost`): the records already
 * queued are older and explain what came after, and the caller must never
 * wait for room. Record
 * layout (32 bytes, little-endian, CRC-32 of bytes 0..27 last):
 *   0 seq  4 time_ms  8 cartridge_id  16 speed_mhz  20 strokes
 *   24 depth_um  26 type  27 code  28 crc32
 */
#ifndef MNPEN_TLOG_H
#define MNPEN_TLOG_H

#include <stdint.h>

#include "mnpen/hal.h"

typedef enum {
  MNPEN_LOG_BOOT = 1,          /* power-on; code = reset cause */
  MNPEN_LOG_CARTRIDGE = 2,     /* cartridge check; code = mnpen_cart_status */
  MNPEN_LOG_SESSION_START = 3, /* motor started: depth, speed, cartridge */
  MNPEN_LOG_SESSION_END = 4,   /* motor stopped: strokes */
  MNPEN_LOG_FAULT = 5          /* code = mnpen_fault */
} mnpen_log_type;

typedef struct {
  uint32_t seq;     /* assigned by append(), strictly increasing */
  uint32_t time_ms; /* pen uptime */
  uint64_t cartridge_id;
  uint32_t speed_mhz;
  uint32_t strokes;
  uint16_t depth_um;
  uint8_t type; /* mnpen_log_type */
  int8_t code;  /* type-specific code */
} mnpen_log_record;

/* Largest ring mount() accepts: bounds the per-sector index below. */
#define MNPEN_LOG_MAX_SECTORS 32u
/* Records waiting for the flash. The pen queues at most two in one tick
 * (FAULT and SESSION_END; CARTRIDGE and FAULT) and a handful per session,
 * so eight ride out a sector erase at its datasheet maximum. */
#define MNPEN_LOG_QUEUE_LEN 8u
/* Slots one step may read while checking a sector (a sector is checked
 * over several steps). */
#define MNPEN_LOG_STEP_READ_SLOTS 8u
#define MNPEN_LOG_RECORD_BYTES 32u

typedef struct {
  const mnpen_hal *hal;
  uint32_t slots; /* record slots in the whole ring */
  uint32_t head;  /* slot of the oldest good record */
  uint32_t next;  /* slot the next append writes */
  uint32_t count; /* good records in the ring */
  uint32_t next_seq;

  uint32_t slots_per_sector;
  uint32_t dropped;                     /* records lost to erasing the oldest sector, since mount */
  uint32_t skipped;                     /* torn or unwritable slots passed over, since mount */
  uint8_t ready;                        /* the sector of `next` is erased from `next` to its end */
  uint16_t kept[MNPEN_LOG_MAX_SECTORS]; /* good records in each sector */

  /* Appends in progress (mnpen_log_step()). */
  mnpen_log_record queue[MNPEN_LOG_QUEUE_LEN];
  uint8_t q_first;   /* index of the front record */
  uint8_t q_len;     /* records waiting, the front one included */
  uint8_t phase;     /* where the front record is (tlog.c) */
  uint32_t lost;     /* records refused by a full queue, since mount */
  uint32_t attempts; /* slots the front record has used up */
  uint32_t cursor;   /* next slot of a sector check */
  uint32_t scan_good;
  uint8_t scan_blank;
  int8_t erase_rc;                      /* outcome of the erase being checked */
  uint32_t prog_slot;                   /* slot being programmed */
  uint8_t prog[MNPEN_LOG_RECORD_BYTES]; /* its bytes, for the read-back */
  uint32_t last_seq;                    /* seq of the newest durable record */
} mnpen_log;

enum {
  MNPEN_LOG_OK = 0,
  MNPEN_LOG_EIO = -1,      /* flash operation failed */
  MNPEN_LOG_ERANGE = -2,   /* index past the end */
  MNPEN_LOG_EGEOM = -3,    /* flash geometry unusable */
  MNPEN_LOG_ECORRUPT = -4, /* verify(): flash and index disagree */
  MNPEN_LOG_EFULL = -5     /* queue(): no room, the record is dropped */
};

/* Scans the flash and rebuilds the index; never writes. Geometry: sectors
 * a multiple of MNPEN_LOG_RECORD_BYTES, 2 .. MNPEN_LOG_MAX_SECTORS of them. */
int mnpen_log_mount(mnpen_log *log, const mnpen_hal *hal);
/* Queues a copy of *rec (its seq is assigned when it is programmed).
 * MNPEN_LOG_EFULL when the queue is full: the record is dropped and
 * counted in log->lost; nothing else changes. */
int mnpen_log_queue(mnpen_log *log, const mnpen_log_record *rec);
/* One step of the front record's append: at most one flash operation
 * started or one busy poll, and at most MNPEN_LOG_STEP_READ_SLOTS slot
 * reads (one more sector's worth, rarely, to find the new oldest record
 * after an erase of a sector with torn slots). Returns MNPEN_LOG_OK while
 * all is well (idle included), or the error that ended the front record,
 * which is then dropped; the log stays usable. */
int mnpen_log_step(mnpen_log *log);
/* Records queued and not yet durable or dropped. */
uint32_t mnpen_log_pending(const mnpen_log *log);
/* True while a flash operation of the log is in flight: the flash must not
 * be read then (mount, read and verify need it idle). */
int mnpen_log_flash_busy(const mnpen_log *log);
/* Queue and step until *rec is durable (setting rec->seq) or failed, for
 * tools and tests whose flash finishes its operations on its own; never
 * called from the control tick. Needs an empty queue. On error nothing is
 * acknowledged; the log stays usable. */
int mnpen_log_append(mnpen_log *log, mnpen_log_record *rec);
uint32_t mnpen_log_count(const mnpen_log *log);
/* Record i, 0 the oldest kept. The CRC is checked again on every read. */
int mnpen_log_read(const mnpen_log *log, uint32_t i, mnpen_log_record *out);

/* log_intact: rescans the flash and returns MNPEN_LOG_OK when every kept
 * record reads back with a good CRC, their seqs strictly increase, and
 * the flash holds no good record the index does not count. */
int mnpen_log_verify(const mnpen_log *log);

/* The slot format, for tools that read a flash image. decode() returns
 * MNPEN_LOG_OK only when the CRC verifies. */
void mnpen_log_encode(const mnpen_log_record *rec, uint8_t out[MNPEN_LOG_RECORD_BYTES]);
int mnpen_log_decode(const uint8_t in[MNPEN_LOG_RECORD_BYTES], mnpen_log_record *rec);

#endif /* MNPEN_TLOG_H */
