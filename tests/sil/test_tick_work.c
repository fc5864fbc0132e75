/*
 * The pen's control tick against devices as slow as real ones: in the SIL
 * the log flash and the cartridge chip take their datasheet busy times
 * (data/pen/sil.yaml: a page program 3 ms, a sector erase 0.4 s, the
 * chip's answers 5 to 40 ms), each far longer than the 500 us tick and the
 * erase far longer than the 8 ms watchdog. A firmware that waited for them
 * inside a tick would never return (the simulated clock only moves between
 * ticks); so these tests show, over every scenario, that
 *   - no tick starts or polls more than one flash operation, reads more
 *     than one sector-check step's worth of flash (MNPEN_LOG_STEP_READ_SLOTS
 *     slots), or makes more than one cartridge request or poll and reads
 *     more than one answer;
 *   - the firmware never reads or starts a device while it is busy;
 *   - the watchdog resets the pen only in the scenario that hangs it;
 *   - the log stays intact, also on a used pen whose full ring makes the
 *     first record erase a sector while the treatment goes on, and that
 *     background erase changes nothing the motor does.
 * Fault names and safe-stop times are sil_scenarios' business; here they
 * are compared between a new and a used pen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "io/params.h"
#include "mnpen/tlog.h"
#include "mnpen_host/sil.h"
#include "sil_fixture.h"

static mnpen_sil_result run(mnpen_sil_scenario s, int used_log, uint64_t seed) {
  mnpen_sil_options o;
  mnpen_sil_options_default(&o);
  o.scenario = s;
  o.used_log = used_log;
  o.seed = seed;
  return sil_run_ok(&o);
}

/* The bound on one tick's slow work, and no device used while busy. */
static void assert_bounded(const mnpen_sil_result *r) {
  assert_true(r->tick_flash_ops_max <= 1u);
  assert_true(r->tick_flash_bytes_max <= MNPEN_LOG_STEP_READ_SLOTS * MNPEN_LOG_RECORD_BYTES);
  assert_true(r->tick_cart_ops_max <= 1u);
  assert_true(r->tick_cart_reads_max <= 1u);
  assert_int_equal(r->busy_refusals, 0);
}

static void every_tick_does_bounded_slow_work(void **state) {
  (void)state;
  for (int used = 0; used < 2; used++) {
    for (int s = 0; s < MNPEN_SIL_COUNT; s++) {
      mnpen_sil_result r = run((mnpen_sil_scenario)s, used, 1);
      assert_bounded(&r);
      /* Something was written and a cartridge checked, or the test
       * proves nothing. */
      assert_true(r.flash_programs >= 2u);
      assert_int_equal(r.tick_flash_ops_max, 1u);
      assert_int_equal(r.tick_cart_ops_max, 1u);
      assert_int_equal(r.watchdog_resets, s == MNPEN_SIL_WATCHDOG ? 1u : 0u);
      assert_true(r.log_intact);
    }
  }
}

/* A used pen's first record erases a sector (0.4 s busy) in the
 * background: the cartridge check, the start and the treatment go on as on
 * a new pen, stroke for stroke, and a fault stops the motor as fast. */
static void used_pen_erases_in_the_background(void **state) {
  (void)state;
  const mnpen_sil_scenario scenarios[] = {MNPEN_SIL_NOMINAL, MNPEN_SIL_LOAD_STEP, MNPEN_SIL_STALL,
                                          MNPEN_SIL_CARTRIDGE_REUSE};
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
    mnpen_sil_result fresh = run(scenarios[i], 0, 1);
    mnpen_sil_result used = run(scenarios[i], 1, 1);
    assert_int_equal(fresh.flash_erases, 0u);
    assert_true(used.flash_erases >= 1u);
    assert_int_equal(used.motor_started, fresh.motor_started);
    assert_int_equal(used.fault, fresh.fault);
    assert_int_equal(used.state_final, fresh.state_final);
    assert_int_equal(used.strokes, fresh.strokes);
    assert_true(used.speed_error_max_pct == fresh.speed_error_max_pct);
    assert_true(used.time_to_safe_stop_ms == fresh.time_to_safe_stop_ms);
    assert_true(used.log_intact);
    /* The used pen's ring keeps its old records but the erased sector's. */
    assert_true(used.log_records > fresh.log_records);
  }
}

/* Power cuts at random bytes of the log writes of a used pen, whose log
 * erases in the background: the log survives each. */
static void used_pen_log_survives_power_cuts(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 30; seed++) {
    mnpen_sil_result r = run(MNPEN_SIL_POWER_LOSS, 1, seed);
    assert_true(r.event_time_s > 0.0);
    assert_true(r.log_intact);
    assert_bounded(&r);
    assert_int_equal(r.watchdog_resets, 0u);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_tick_does_bounded_slow_work),
      cmocka_unit_test(used_pen_erases_in_the_background),
      cmocka_unit_test(used_pen_log_survives_power_cuts),
  };
  return cmocka_run_group_tests(tests, load_params, free_params);
}
