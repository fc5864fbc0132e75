/*
 * Host runner for one firmware test suite: CTest runs one executable per
 * suite, built from this file with MNPEN_SUITE naming the suite symbol.
 */
#include <stdio.h>

#include "fwtest.h"

#ifndef MNPEN_SUITE
#error "MNPEN_SUITE must name the suite to run"
#endif

extern const fwtest_suite MNPEN_SUITE;

void fwtest_print(const char *s) {
  fputs(s, stdout);
}

int main(void) {
  return fwtest_run(&MNPEN_SUITE) == 0 ? 0 : 1;
}
