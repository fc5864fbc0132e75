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
  uint32_t seq;          /* assigned by append(), strictly increasing */
  uint32_t time_ms;      /* pen uptime */
  uint64_t cartridge_id;
  uint32_t speed_mhz;
  uint32_t strokes;
  uint16_t depth_um;
  uint8_t type;          /* mnpen_log_type */
  int8_t code;           /* type-specific code */
} mnpen_log_record;

typedef struct {
  const mnpen_hal *hal;
  uint32_t slots;      /* record slots in the whole ring */
  uint32_t head;       /* slot of the oldest good record */
  uint32_t next;       /* slot the next append writes */
  uint32_t count;      /* good records in the ring */
  uint32_t next_seq;
} mnpen_log;

enum {
  MNPEN_LOG_OK = 0,
  MNPEN_LOG_EIO = -1,     /* flash operation failed */
  MNPEN_LOG_ERANGE = -2,  /* index past the end */
  MNPEN_LOG_EGEOM = -3    /* flash geometry unusable */
};

#define MNPEN_LOG_RECORD_BYTES 32u

int mnpen_log_mount(mnpen_log *log, const mnpen_hal *hal);
int mnpen_log_append(mnpen_log *log, mnpen_log_record *rec);
uint32_t mnpen_log_count(const mnpen_log *log);
/* Record i, 0 the oldest kept. */
int mnpen_log_read(const mnpen_log *log, uint32_t i, mnpen_log_record *out);

#endif /* MNPEN_TLOG_H */
