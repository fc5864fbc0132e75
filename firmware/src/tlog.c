/*
 * Treatment log (see tlog.h for the format and the guarantees).
 *
 * Ring invariants the code keeps, and mount() re-derives from flash alone:
 *  - Sectors are filled in ring order, one slot after another; a record's
 *    seq is larger than that of every record written before it.
 *  - The write head only enters a sector that reads fully erased (it is
 *    erased first if not), so inside the head's sector everything after the
 *    newest record is either erased or a torn attempt.
 *  - A sector is erased only when the head enters it, and the head's own
 *    sector is never the one erased, so the newest record survives any cut.
 * Hence after any cut the newest good record marks the head: the slots
 * after it (past torn ones) are free if erased to the sector end, otherwise
 * the head moves to the next sector, which is erased before use. The oldest
 * records then start at the head's sector when the head sits at a sector
 * start (that sector holds the oldest records, or the remains of a torn
 * erase of them), else at the sector after it.
 */
#include "mnpen/tlog.h"

#include <string.h>

#include "mnpen/crc32.h"

#define REC MNPEN_LOG_RECORD_BYTES
#define CRC_OFFSET (REC - 4u) /* the CRC covers everything before it */
#define ERASED_BYTE 0xFFu
#define NO_SLOT UINT32_MAX

static void put_le(uint8_t *p, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; i++) {
    p[i] = (uint8_t)(v >> (8u * i));
  }
}

static uint64_t get_le(const uint8_t *p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = bytes; i > 0u; i--) {
    v = (v << 8) | p[i - 1u];
  }
  return v;
}

void mnpen_log_encode(const mnpen_log_record *rec, uint8_t out[MNPEN_LOG_RECORD_BYTES]) {
  put_le(&out[0], rec->seq, 4);
  put_le(&out[4], rec->time_ms, 4);
  put_le(&out[8], rec->cartridge_id, 8);
  put_le(&out[16], rec->speed_mhz, 4);
  put_le(&out[20], rec->strokes, 4);
  put_le(&out[24], rec->depth_um, 2);
  out[26] = rec->type;
  out[27] = (uint8_t)rec->code;
  put_le(&out[CRC_OFFSET], mnpen_crc32(out, CRC_OFFSET), 4);
}

int mnpen_log_decode(const uint8_t in[MNPEN_LOG_RECORD_BYTES], mnpen_log_record *rec) {
  if ((uint32_t)get_le(&in[CRC_OFFSET], 4) != mnpen_crc32(in, CRC_OFFSET)) {
    return MNPEN_LOG_ECORRUPT;
  }
  rec->seq = (uint32_t)get_le(&in[0], 4);
  rec->time_ms = (uint32_t)get_le(&in[4], 4);
  rec->cartridge_id = get_le(&in[8], 8);
  rec->speed_mhz = (uint32_t)get_le(&in[16], 4);
  rec->strokes = (uint32_t)get_le(&in[20], 4);
  rec->depth_um = (uint16_t)get_le(&in[24], 2);
  rec->type = in[26];
  /* Two's complement spelled out: converting 128..255 to int8_t directly
   * is implementation-defined. */
  rec->code = (int8_t)((int)in[27] - (in[27] >= 128u ? 256 : 0));
  return MNPEN_LOG_OK;
}

/* ---- slot access ---------------------------------------------------------- */

typedef enum { SLOT_ERASED, SLOT_GOOD, SLOT_BAD } slot_state;

static int read_slot(const mnpen_log *log, uint32_t slot, uint8_t buf[REC]) {
  const mnpen_hal *h = log->hal;
  return h->flash_read(h->ctx, slot * REC, buf, REC) == MNPEN_HAL_OK ? MNPEN_LOG_OK : MNPEN_LOG_EIO;
}

static int probe_slot(const mnpen_log *log, uint32_t slot, slot_state *st, mnpen_log_record *rec) {
  uint8_t buf[REC];
  mnpen_log_record scratch;
  if (read_slot(log, slot, buf) != MNPEN_LOG_OK) {
    return MNPEN_LOG_EIO;
  }
  if (mnpen_log_decode(buf, rec != NULL ? rec : &scratch) == MNPEN_LOG_OK) {
    *st = SLOT_GOOD;
    return MNPEN_LOG_OK;
  }
  *st = SLOT_ERASED;
  for (unsigned i = 0; i < REC; i++) {
    if (buf[i] != ERASED_BYTE) {
      *st = SLOT_BAD;
      break;
    }
  }
  return MNPEN_LOG_OK;
}

static uint32_t sector_of(const mnpen_log *log, uint32_t slot) {
  return slot / log->slots_per_sector;
}

static uint32_t sectors_of(const mnpen_log *log) {
  return log->slots / log->slots_per_sector;
}

/* Counts the good records of sector s; *blank tells whether it reads fully
 * erased. */
static int scan_sector(const mnpen_log *log, uint32_t s, uint32_t *good, int *blank) {
  uint32_t first = s * log->slots_per_sector;
  *good = 0;
  *blank = 1;
  for (uint32_t k = 0; k < log->slots_per_sector; k++) {
    slot_state st;
    if (probe_slot(log, first + k, &st, NULL) != MNPEN_LOG_OK) {
      return MNPEN_LOG_EIO;
    }
    if (st == SLOT_GOOD) {
      (*good)++;
    }
    if (st != SLOT_ERASED) {
      *blank = 0;
    }
  }
  return MNPEN_LOG_OK;
}

/* First sector in reading order (oldest records first). */
static uint32_t oldest_sector(const mnpen_log *log) {
  uint32_t s = sector_of(log, log->next);
  return log->next % log->slots_per_sector == 0u ? s : (s + 1u) % sectors_of(log);
}

/* Slot of the i-th good record of sector s (i < kept[s]). */
static int locate_in_sector(const mnpen_log *log, uint32_t s, uint32_t i, uint32_t *slot) {
  uint32_t first = s * log->slots_per_sector;
  /* No hole, either a full sector or the head's sector filled up to the
   * head: index directly instead of scanning. */
  uint32_t filled = s == sector_of(log, log->next) && log->next % log->slots_per_sector != 0u
                        ? log->next % log->slots_per_sector
                        : log->slots_per_sector;
  if (log->kept[s] == filled) {
    *slot = first + i;
    return MNPEN_LOG_OK;
  }
  for (uint32_t k = 0; k < log->slots_per_sector; k++) {
    slot_state st;
    if (probe_slot(log, first + k, &st, NULL) != MNPEN_LOG_OK) {
      return MNPEN_LOG_EIO;
    }
    if (st == SLOT_GOOD) {
      if (i == 0u) {
        *slot = first + k;
        return MNPEN_LOG_OK;
      }
      i--;
    }
  }
  return MNPEN_LOG_EIO; /* the flash no longer matches the index */
}

static int locate(const mnpen_log *log, uint32_t i, uint32_t *slot) {
  uint32_t n = sectors_of(log);
  uint32_t s = oldest_sector(log);
  for (uint32_t k = 0; k < n; k++, s = (s + 1u) % n) {
    if (i < log->kept[s]) {
      return locate_in_sector(log, s, i, slot);
    }
    i -= log->kept[s];
  }
  return MNPEN_LOG_ERANGE;
}

static int update_head(mnpen_log *log) {
  if (log->count == 0u) {
    log->head = log->next;
    return MNPEN_LOG_OK;
  }
  return locate(log, 0, &log->head);
}

/* ---- mount ---------------------------------------------------------------- */

static int geometry_ok(const mnpen_hal *hal) {
  if (hal == NULL || hal->flash_read == NULL || hal->flash_program_start == NULL ||
      hal->flash_erase_start == NULL || hal->flash_busy == NULL) {
    return 0;
  }
  uint32_t bytes = hal->flash_sector_bytes;
  uint32_t n = hal->flash_sectors;
  if (bytes < REC || bytes % REC != 0u || n < 2u || n > MNPEN_LOG_MAX_SECTORS) {
    return 0;
  }
  /* The per-sector index is 16-bit and slot addresses must fit 32 bits. */
  uint32_t per = bytes / REC;
  return per <= UINT16_MAX && per <= UINT32_MAX / REC / n;
}

int mnpen_log_mount(mnpen_log *log, const mnpen_hal *hal) {
  memset(log, 0, sizeof *log);
  if (!geometry_ok(hal)) {
    return MNPEN_LOG_EGEOM;
  }
  log->hal = hal;
  log->slots_per_sector = hal->flash_sector_bytes / REC;
  log->slots = log->slots_per_sector * hal->flash_sectors;

  uint32_t newest = NO_SLOT;
  uint32_t newest_seq = 0;
  for (uint32_t slot = 0; slot < log->slots; slot++) {
    slot_state st;
    mnpen_log_record r;
    if (probe_slot(log, slot, &st, &r) != MNPEN_LOG_OK) {
      log->hal = NULL;
      return MNPEN_LOG_EIO;
    }
    if (st == SLOT_GOOD) {
      log->kept[sector_of(log, slot)]++;
      log->count++;
      if (newest == NO_SLOT || r.seq > newest_seq) {
        newest = slot;
        newest_seq = r.seq;
      }
    }
  }

  if (newest == NO_SLOT) {
    log->next = 0; /* sector 0 is checked (and erased if need be) on first use */
    log->ready = 0;
    log->next_seq = 0;
  } else {
    /* Find where the erased tail of the newest record's sector begins. */
    uint32_t end = (sector_of(log, newest) + 1u) * log->slots_per_sector;
    uint32_t tail = end;
    while (tail > newest + 1u) {
      slot_state st;
      if (probe_slot(log, tail - 1u, &st, NULL) != MNPEN_LOG_OK) {
        log->hal = NULL;
        return MNPEN_LOG_EIO;
      }
      if (st != SLOT_ERASED) {
        break;
      }
      tail--;
    }
    log->skipped = tail - (newest + 1u);
    if (tail < end) {
      log->next = tail;
      log->ready = 1;
    } else {
      log->next = end % log->slots;
      log->ready = 0;
    }
    log->next_seq = newest_seq + 1u;
  }
  if (update_head(log) != MNPEN_LOG_OK) {
    log->hal = NULL;
    return MNPEN_LOG_EIO;
  }
  return MNPEN_LOG_OK;
}

/* ---- append: a state machine, one step per tick ------------------------ */

/* Where the front record is. A sector is checked (and erased if need be)
 * before the head enters it; then each slot is checked, programmed and
 * read back. */
enum {
  PHASE_IDLE = 0, /* next: prepare the head's sector or program a slot */
  PHASE_SCAN,     /* reading the head's sector before deciding to erase */
  PHASE_ERASE,    /* erase in flight */
  PHASE_RESCAN,   /* reading the sector again after the erase */
  PHASE_PROGRAM   /* program in flight */
};

/* An append that never ends cannot be: every attempt consumes a slot, and a
 * record gives up after a whole ring of them. The synchronous helper gives
 * the flash this many steps per slot. */
#define SYNC_STEPS_PER_SLOT 4096u

static void advance(mnpen_log *log) {
  log->next = (log->next + 1u) % log->slots;
  if (log->next % log->slots_per_sector == 0u) {
    log->ready = 0; /* a new sector: check it before the first write */
  }
}

static void pop(mnpen_log *log) {
  log->q_first = (uint8_t)((log->q_first + 1u) % MNPEN_LOG_QUEUE_LEN);
  log->q_len--;
  log->phase = PHASE_IDLE;
  log->attempts = 0;
}

/* Ends the front record with an error: it is dropped, the log goes on. */
static int give_up(mnpen_log *log, int rc) {
  pop(log);
  return rc;
}

static void scan_begin(mnpen_log *log, uint8_t phase) {
  log->phase = phase;
  log->cursor = 0;
  log->scan_good = 0;
  log->scan_blank = 1;
}

/* Reads the next few slots of the head's sector into the running count.
 * Returns 1 when the whole sector is read, 0 when more remain, or an
 * error. */
static int scan_some(mnpen_log *log) {
  uint32_t first = sector_of(log, log->next) * log->slots_per_sector;
  for (uint32_t k = 0; k < MNPEN_LOG_STEP_READ_SLOTS && log->cursor < log->slots_per_sector; k++) {
    slot_state st;
    if (probe_slot(log, first + log->cursor, &st, NULL) != MNPEN_LOG_OK) {
      return MNPEN_LOG_EIO;
    }
    if (st == SLOT_GOOD) {
      log->scan_good++;
    }
    if (st != SLOT_ERASED) {
      log->scan_blank = 0;
    }
    log->cursor++;
  }
  return log->cursor == log->slots_per_sector;
}

/* The head's sector (the head is at its start) has been read through,
 * after an erase or without one. Whatever it held were the oldest records;
 * they are dropped from the index as far as they are gone from the flash,
 * also when the erase failed midway. */
static int sector_checked(mnpen_log *log, int erase_rc) {
  uint32_t s = sector_of(log, log->next);
  uint32_t good = log->scan_good;
  if (good <= log->kept[s]) {
    log->dropped += log->kept[s] - good;
    log->count -= log->kept[s] - good;
  } else {
    log->count += good - log->kept[s];
  }
  log->kept[s] = (uint16_t)good;
  log->phase = PHASE_IDLE;
  if (update_head(log) != MNPEN_LOG_OK || erase_rc != MNPEN_HAL_OK || !log->scan_blank) {
    return give_up(log, MNPEN_LOG_EIO);
  }
  log->ready = 1;
  return MNPEN_LOG_OK;
}

static int step_scan(mnpen_log *log) {
  int done = scan_some(log);
  if (done < 0) {
    return give_up(log, done);
  }
  if (!done) {
    return MNPEN_LOG_OK;
  }
  if (log->scan_blank) {
    return sector_checked(log, MNPEN_HAL_OK);
  }
  const mnpen_hal *h = log->hal;
  int rc = h->flash_erase_start(h->ctx, sector_of(log, log->next));
  if (rc != MNPEN_HAL_OK) {
    /* Nothing started, but look again: the sector is reconciled either
     * way, as a failed erase may have changed part of it. */
    log->erase_rc = (int8_t)rc;
    scan_begin(log, PHASE_RESCAN);
    return MNPEN_LOG_OK;
  }
  log->phase = PHASE_ERASE;
  return MNPEN_LOG_OK;
}

static int step_rescan(mnpen_log *log) {
  int done = scan_some(log);
  if (done < 0) {
    log->scan_good = 0; /* unreadable: count nothing in it */
    log->scan_blank = 0;
    return sector_checked(log, done);
  }
  return done ? sector_checked(log, log->erase_rc) : MNPEN_LOG_OK;
}

/* Checks the head's slot and starts the program of the front record. */
static int step_start(mnpen_log *log) {
  const mnpen_hal *h = log->hal;
  if (log->attempts >= log->slots) {
    return give_up(log, MNPEN_LOG_EIO); /* a whole ring refused the record */
  }
  if (log->next_seq == UINT32_MAX) {
    return give_up(log, MNPEN_LOG_ERANGE); /* seqs would wrap and lose their order */
  }
  if (!log->ready) {
    scan_begin(log, PHASE_SCAN);
    return step_scan(log);
  }
  uint32_t slot = log->next;
  slot_state st;
  if (probe_slot(log, slot, &st, NULL) != MNPEN_LOG_OK) {
    return give_up(log, MNPEN_LOG_EIO);
  }
  if (st != SLOT_ERASED) {
    /* NOR can only clear bits: writing here could not give our record. */
    log->skipped++;
    log->attempts++;
    advance(log);
    return MNPEN_LOG_OK;
  }
  mnpen_log_record *rec = &log->queue[log->q_first];
  rec->seq = log->next_seq;
  mnpen_log_encode(rec, log->prog);
  int rc = h->flash_program_start(h->ctx, slot * REC, log->prog, REC);
  /* The seq is spent even if the program fails: the slot may hold the
   * complete record nonetheless, and two records must never share a seq. */
  log->next_seq++;
  log->attempts++;
  log->prog_slot = slot;
  advance(log);
  if (rc != MNPEN_HAL_OK) {
    log->skipped++;
    return give_up(log, MNPEN_LOG_EIO);
  }
  log->phase = PHASE_PROGRAM;
  return MNPEN_LOG_OK;
}

/* The program finished: the record counts only if it reads back equal. */
static int program_done(mnpen_log *log, int rc) {
  uint32_t slot = log->prog_slot;
  log->phase = PHASE_IDLE;
  if (rc != MNPEN_HAL_OK) {
    log->skipped++;
    return give_up(log, MNPEN_LOG_EIO);
  }
  uint8_t back[REC];
  if (read_slot(log, slot, back) != MNPEN_LOG_OK) {
    log->skipped++;
    return give_up(log, MNPEN_LOG_EIO);
  }
  if (memcmp(back, log->prog, REC) != 0) {
    log->skipped++; /* a weak cell: try the next slot with the next seq */
    return MNPEN_LOG_OK;
  }
  log->kept[sector_of(log, slot)]++;
  log->count++;
  if (log->count == 1u) {
    log->head = slot;
  }
  log->last_seq = log->queue[log->q_first].seq;
  pop(log);
  return MNPEN_LOG_OK;
}

int mnpen_log_queue(mnpen_log *log, const mnpen_log_record *rec) {
  if (log->hal == NULL) {
    return MNPEN_LOG_EGEOM; /* not mounted */
  }
  if (log->q_len >= MNPEN_LOG_QUEUE_LEN) {
    log->lost++;
    return MNPEN_LOG_EFULL;
  }
  log->queue[(log->q_first + log->q_len) % MNPEN_LOG_QUEUE_LEN] = *rec;
  log->q_len++;
  return MNPEN_LOG_OK;
}

int mnpen_log_step(mnpen_log *log) {
  if (log->hal == NULL) {
    return MNPEN_LOG_EGEOM;
  }
  const mnpen_hal *h = log->hal;
  int rc;
  switch (log->phase) {
  case PHASE_PROGRAM:
    rc = h->flash_busy(h->ctx);
    return rc == MNPEN_HAL_BUSY ? MNPEN_LOG_OK : program_done(log, rc);
  case PHASE_ERASE:
    rc = h->flash_busy(h->ctx);
    if (rc != MNPEN_HAL_BUSY) {
      log->erase_rc = (int8_t)rc;
      scan_begin(log, PHASE_RESCAN);
    }
    return MNPEN_LOG_OK;
  case PHASE_SCAN:
    return step_scan(log);
  case PHASE_RESCAN:
    return step_rescan(log);
  default:
    return log->q_len == 0u ? MNPEN_LOG_OK : step_start(log);
  }
}

uint32_t mnpen_log_pending(const mnpen_log *log) {
  return log->q_len;
}

int mnpen_log_flash_busy(const mnpen_log *log) {
  return log->phase == PHASE_PROGRAM || log->phase == PHASE_ERASE;
}

int mnpen_log_append(mnpen_log *log, mnpen_log_record *rec) {
  if (log->hal == NULL) {
    return MNPEN_LOG_EGEOM; /* not mounted */
  }
  if (log->q_len != 0u) {
    return MNPEN_LOG_EFULL; /* others first: this one would not be the front */
  }
  int rc = mnpen_log_queue(log, rec);
  if (rc != MNPEN_LOG_OK) {
    return rc;
  }
  uint32_t budget = (log->slots + 1u) * SYNC_STEPS_PER_SLOT;
  for (uint32_t i = 0; i < budget && log->q_len != 0u; i++) {
    rc = mnpen_log_step(log);
    if (rc != MNPEN_LOG_OK) {
      return rc;
    }
  }
  if (log->q_len != 0u) {
    /* The flash never finished: abandon the record. */
    log->q_len = 0;
    log->phase = PHASE_IDLE;
    log->attempts = 0;
    return MNPEN_LOG_EIO;
  }
  rec->seq = log->last_seq;
  return MNPEN_LOG_OK;
}

/* ---- reading -------------------------------------------------------------- */

uint32_t mnpen_log_count(const mnpen_log *log) {
  return log->count;
}

int mnpen_log_read(const mnpen_log *log, uint32_t i, mnpen_log_record *out) {
  if (log->hal == NULL || i >= log->count) {
    return MNPEN_LOG_ERANGE;
  }
  uint32_t slot;
  int rc = locate(log, i, &slot);
  if (rc != MNPEN_LOG_OK) {
    return rc == MNPEN_LOG_ERANGE ? MNPEN_LOG_EIO : rc;
  }
  uint8_t buf[REC];
  if (read_slot(log, slot, buf) != MNPEN_LOG_OK) {
    return MNPEN_LOG_EIO;
  }
  return mnpen_log_decode(buf, out) == MNPEN_LOG_OK ? MNPEN_LOG_OK : MNPEN_LOG_EIO;
}

int mnpen_log_verify(const mnpen_log *log) {
  if (log->hal == NULL) {
    return MNPEN_LOG_EGEOM;
  }
  /* Every kept record reads back with its CRC, in strictly rising seq
   * order, and none at or past the seq the next append will take. */
  uint32_t prev = 0;
  for (uint32_t i = 0; i < log->count; i++) {
    mnpen_log_record r;
    int rc = mnpen_log_read(log, i, &r);
    if (rc != MNPEN_LOG_OK) {
      return MNPEN_LOG_ECORRUPT;
    }
    if ((i > 0u && r.seq <= prev) || r.seq >= log->next_seq) {
      return MNPEN_LOG_ECORRUPT;
    }
    prev = r.seq;
  }
  /* And the flash holds exactly the good records the index counts. */
  uint32_t total = 0;
  for (uint32_t s = 0; s < sectors_of(log); s++) {
    uint32_t good;
    int blank;
    if (scan_sector(log, s, &good, &blank) != MNPEN_LOG_OK) {
      return MNPEN_LOG_EIO;
    }
    if (good != log->kept[s]) {
      return MNPEN_LOG_ECORRUPT;
    }
    total += good;
  }
  return total == log->count ? MNPEN_LOG_OK : MNPEN_LOG_ECORRUPT;
}
