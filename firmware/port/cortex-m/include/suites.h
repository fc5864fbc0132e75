/*
 * The test suites the self-test image runs: every firmware/tests/test_*.c
 * suite plus the board's own, listed by the generated suites.c (written by
 * this folder's CMakeLists.txt from the same glob the host build uses).
 */
#ifndef MNPEN_PORT_SUITES_H
#define MNPEN_PORT_SUITES_H

#include <stddef.h>

#include "fwtest.h"

extern const fwtest_suite *const mnpen_port_suites[];
extern const size_t mnpen_port_suite_count;

#endif /* MNPEN_PORT_SUITES_H */
