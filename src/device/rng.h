/*
 * The device stage's random numbers: per-puncture variability of tenting and
 * channel width, seeded from the protocol so a run is reproducible. A small
 * xoshiro256** generator seeded through splitmix64 (Blackman & Vigna), the
 * state a plain struct on the caller's stack, so two runs with the same seed
 * draw the same sequence on every platform.
 */
#ifndef MN_DEVICE_RNG_H
#define MN_DEVICE_RNG_H

#include <stdint.h>

typedef struct {
  uint64_t s[4];
} mn_device_rng;

void mn_device_rng_seed(mn_device_rng *r, uint64_t seed);
uint64_t mn_device_rng_next(mn_device_rng *r);
/* Uniform in (0, 1), never 0 or 1. */
double mn_device_rng_uniform(mn_device_rng *r);
/* Standard normal (Box-Muller; one draw per call, the twin discarded so the
 * sequence does not depend on call parity). */
double mn_device_rng_normal(mn_device_rng *r);
/* Log-normal factor with mean 1 and coefficient of variation cv (cv <= 0
 * gives exactly 1 without drawing). */
double mn_device_rng_unit_lognormal(mn_device_rng *r, double cv);

#endif /* MN_DEVICE_RNG_H */
