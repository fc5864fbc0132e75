/* Numerics internals shared by the module's source files (not public). */
#ifndef MN_NUMERICS_NUM_UTIL_H
#define MN_NUMERICS_NUM_UTIL_H

#include <stddef.h>

/* printf-style message into a caller's error buffer (no-op without one). */
void mn_num_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
