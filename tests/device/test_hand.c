/*
 * Passes placed by hand: with hand_placed set, each pass is shifted at
 * random, so repeated passes open new channels instead of re-piercing the
 * same ones; the number of punctures per area does not change, and the
 * placement is deterministic for a seed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "device/punctures.h"

static mn_puncture_list *make(int hand, int passes, uint64_t seed) {
  mn_device_treatment t;
  mn_device_treatment_default(&t);
  t.data_dir = MN_DATA_DIR;
  t.passes = passes;
  t.area_w_mm = 30.0;
  t.area_h_mm = 30.0;
  t.pattern = MN_GLIDE_LINES;
  t.hand_placed = hand;
  t.seed = seed;
  mn_puncture_list *l = NULL;
  char err[256];
  int rc = mn_punctures_generate(&t, &l, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
  }
  assert_int_equal(rc, 0);
  return l;
}

/* Punctures of the later passes that land within `r` of one of pass 1's. */
static double repeat_fraction(const mn_puncture_list *l, double r_mm) {
  size_t repeats = 0, later = 0;
  /* pass boundaries are not stored: compare each puncture with every
   * earlier one in a 2 mm square in the middle of the area */
  for (size_t i = 0; i < l->count; i++) {
    if (fabs(l->x_mm[i] - 15.0) > 1.0 || fabs(l->y_mm[i] - 15.0) > 1.0) {
      continue;
    }
    later++;
    for (size_t j = 0; j < i; j++) {
      if (fabs(l->time_s[j] - l->time_s[i]) < 1e-12) {
        continue; /* same stamp */
      }
      double dx = l->x_mm[i] - l->x_mm[j], dy = l->y_mm[i] - l->y_mm[j];
      if (dx * dx + dy * dy < r_mm * r_mm) {
        repeats++;
        break;
      }
    }
  }
  return later ? (double)repeats / (double)later : 0.0;
}

/* Punctures inside a window a whole number of lane steps high, away from
 * the edges: its count does not depend on where the lanes lie across. */
static size_t interior_count(const mn_puncture_list *l, double step) {
  size_t k = 0;
  for (size_t i = 0; i < l->count; i++) {
    if (l->x_mm[i] >= 5.0 && l->x_mm[i] < 25.0 && l->y_mm[i] >= 6.0 &&
        l->y_mm[i] < 6.0 + 3.0 * step) {
      k++;
    }
  }
  return k;
}

static void hand_placed_passes_open_new_channels(void **state) {
  (void)state;
  mn_puncture_list *same = make(0, 3, 7);
  mn_puncture_list *hand = make(1, 3, 7);
  mn_cartridge c;
  char err[256];
  assert_int_equal(mn_cartridge_load(&c, MN_DATA_DIR, "12-round", err, sizeof err), 0);
  double step = mn_glide_step_mm(&c, 0);
  /* The same punctures per area away from the edges (within 2 %: the
   * stamps along a lane fall at other places). */
  double a = (double)interior_count(same, step), b = (double)interior_count(hand, step);
  assert_true(a > 1000.0);
  assert_true(fabs(a - b) < 0.02 * a);
  /* Retraced passes re-pierce (nearly) the same holes; hand-placed ones
   * mostly do not. */
  double r = 0.02; /* mm: closer than a channel radius */
  double f_same = repeat_fraction(same, r), f_hand = repeat_fraction(hand, r);
  assert_true(f_same > 0.5);
  assert_true(f_hand < 0.2);
  mn_puncture_list_destroy(&same);
  mn_puncture_list_destroy(&hand);
}

static void hand_placement_is_deterministic_for_a_seed(void **state) {
  (void)state;
  mn_puncture_list *a = make(1, 2, 11), *b = make(1, 2, 11), *c = make(1, 2, 12);
  assert_int_equal(a->count, b->count);
  for (size_t i = 0; i < a->count; i++) {
    assert_true(a->x_mm[i] == b->x_mm[i] && a->y_mm[i] == b->y_mm[i]);
  }
  int differs = a->count != c->count;
  for (size_t i = 0; !differs && i < a->count; i++) {
    differs = a->x_mm[i] != c->x_mm[i];
  }
  assert_true(differs);
  mn_puncture_list_destroy(&a);
  mn_puncture_list_destroy(&b);
  mn_puncture_list_destroy(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hand_placed_passes_open_new_channels),
      cmocka_unit_test(hand_placement_is_deterministic_for_a_seed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
