/* Seeded random numbers for the device stage; see rng.h. */
#include "device/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

void mn_device_rng_seed(mn_device_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) {
    r->s[i] = splitmix64(&x);
  }
}

uint64_t mn_device_rng_next(mn_device_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5u, 7) * 9u;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

double mn_device_rng_uniform(mn_device_rng *r) {
  /* 53 random bits, offset by half a step so neither end is reached. */
  return ((double)(mn_device_rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double mn_device_rng_normal(mn_device_rng *r) {
  const double two_pi = 6.283185307179586;
  double u1 = mn_device_rng_uniform(r);
  double u2 = mn_device_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

double mn_device_rng_unit_lognormal(mn_device_rng *r, double cv) {
  if (!(cv > 0.0)) {
    return 1.0;
  }
  double s2 = log1p(cv * cv);
  return exp(-0.5 * s2 + sqrt(s2) * mn_device_rng_normal(r));
}
