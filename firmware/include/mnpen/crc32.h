/*
 * CRC-32 as used by IEEE 802.3 (reflected, polynomial 0x04C11DB7 reversed to
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF): the integrity check
 * of every treatment-log record (tlog.h), which must tell a torn or decayed
 * flash slot from a good one.
 */
#ifndef MNPEN_CRC32_H
#define MNPEN_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC of data[0..len). */
uint32_t mnpen_crc32(const void *data, size_t len);

/* Continues a CRC over more data: crc is a previous result (0 to start), so
 * mnpen_crc32_update(mnpen_crc32(a), b) equals the CRC of a || b. */
uint32_t mnpen_crc32_update(uint32_t crc, const void *data, size_t len);

#endif /* MNPEN_CRC32_H */
