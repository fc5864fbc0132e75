/*
 * fwtest runner core: counts, failure reporting and integer formatting with
 * no library beyond what a freestanding image has.
 */
#include "fwtest.h"

static unsigned total_passed;
static unsigned total_failed;
static int current_failed;

static void print_uint(unsigned v) {
  char buf[12];
  size_t i = sizeof buf - 1;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u && i > 0u);
  fwtest_print(&buf[i]);
}

void fwtest_fail(const char *file, int line, const char *expr) {
  current_failed = 1;
  fwtest_print("    FAIL ");
  fwtest_print(file);
  fwtest_print(":");
  print_uint((unsigned)line);
  fwtest_print(": ");
  fwtest_print(expr);
  fwtest_print("\n");
}

int fwtest_run(const fwtest_suite *suite) {
  unsigned passed = 0;
  unsigned failed = 0;
  for (size_t i = 0; i < suite->count; i++) {
    current_failed = 0;
    suite->cases[i].fn();
    if (current_failed) {
      failed++;
      fwtest_print("  not ok ");
      fwtest_print(suite->name);
      fwtest_print(".");
      fwtest_print(suite->cases[i].name);
      fwtest_print("\n");
    } else {
      passed++;
    }
  }
  fwtest_print(suite->name);
  fwtest_print(": ");
  print_uint(passed);
  fwtest_print(" passed, ");
  print_uint(failed);
  fwtest_print(" failed\n");
  total_passed += passed;
  total_failed += failed;
  return (int)failed;
}

void fwtest_totals(unsigned *passed, unsigned *failed) {
  *passed = total_passed;
  *failed = total_failed;
}
