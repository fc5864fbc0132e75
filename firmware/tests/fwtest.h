/*
 * fwtest: the firmware's own minimal test harness.
 *
 * Firmware tests must run in two places: on the host under CTest, and inside
 * the Cortex-M image booted in QEMU, where there is no cmocka and no stdio
 * beyond semihosting. So the firmware tests are written against these few
 * macros only; a runner (host: fwtest_host.c, target: the Cortex-M port's
 * self-test) supplies fwtest_print() and calls fwtest_run() on each suite.
 * A failing check returns from the test function, so every test is a plain
 * void function with no setup beyond its own locals.
 */
#ifndef MNPEN_FWTEST_H
#define MNPEN_FWTEST_H

#include <stddef.h>
#include <stdint.h>

typedef void (*fwtest_fn)(void);
typedef struct {
  const char *name;
  fwtest_fn fn;
} fwtest_case;

typedef struct {
  const char *name;
  const fwtest_case *cases;
  size_t count;
} fwtest_suite;

/* Supplied by the runner: writes a NUL-terminated string somewhere a person
 * reads it. */
void fwtest_print(const char *s);

/* Records a failure of the running case (used by the macros). */
void fwtest_fail(const char *file, int line, const char *expr);

/* Runs every case of a suite, prints one line per failure and a summary
 * line, and returns the number of failed cases. */
int fwtest_run(const fwtest_suite *suite);

/* Totals over every fwtest_run() so far. */
void fwtest_totals(unsigned *passed, unsigned *failed);

#define FW_CHECK(cond)                                                                             \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fwtest_fail(__FILE__, __LINE__, #cond);                                                      \
      return;                                                                                      \
    }                                                                                              \
  } while (0)

#define FW_CHECK_EQ(a, b) FW_CHECK((a) == (b))

#define FW_SUITE(sym, label, ...)                                                                  \
  static const fwtest_case sym##_cases[] = {__VA_ARGS__};                                          \
  const fwtest_suite sym = {label, sym##_cases, sizeof(sym##_cases) / sizeof(sym##_cases[0])}

#define FW_CASE(fn)                                                                                \
  { #fn, fn }

#endif /* MNPEN_FWTEST_H */
