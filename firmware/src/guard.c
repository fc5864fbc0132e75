/*
 * Motor guard; see guard.h.
 */
#include "mnpen/guard.h"

#include "mnpen/limits.h"

void mnpen_guard_init(mnpen_guard *g, const mnpen_guard_config *cfg) {
  g->cfg = cfg;
  mnpen_guard_start(g);
}

void mnpen_guard_start(mnpen_guard *g) {
  g->oc_ticks = 0;
  g->slow_ticks = 0;
  g->since_start = 0;
  g->fast_ticks = 0;
  g->disagree_ticks = 0;
}

uint32_t mnpen_guard_over_speed_mhz(const mnpen_guard_config *cfg) {
  return (uint32_t)((uint64_t)MNPEN_SPEED_MAX_MHZ * (100u + cfg->over_speed_pct) / 100u);
}

/* Counts a condition held over consecutive periods; true once held n. */
static int held(uint16_t *count, int cond, uint16_t n) {
  if (!cond) {
    *count = 0;
    return 0;
  }
  if (*count < UINT16_MAX) {
    (*count)++;
  }
  return *count >= n;
}

static uint32_t min_u32(uint32_t a, uint32_t b) {
  return a < b ? a : b;
}

static uint32_t max_u32(uint32_t a, uint32_t b) {
  return a > b ? a : b;
}

int mnpen_guard_update(mnpen_guard *g, const mnpen_guard_reading *r) {
  const mnpen_guard_config *c = g->cfg;
  if (r->current_ma < c->current_min_ma || r->current_ma > c->current_max_ma) {
    return MNPEN_GUARD_SENSOR;
  }
  if (g->since_start < UINT16_MAX) {
    g->since_start++;
  }
  int past_grace = g->since_start > c->start_grace_ticks;
  uint32_t emf_lo = min_u32(r->emf_mhz, r->emf_hot_mhz);
  uint32_t emf_hi = max_u32(r->emf_mhz, r->emf_hot_mhz);
  uint64_t slow_line = (uint64_t)r->setpoint_mhz * c->stall_speed_pct;

  /* The encoder against the back-EMF band, widened by the tolerance. */
  uint64_t tol = c->plausible_tol_mhz +
                 (uint64_t)max_u32(r->encoder_mhz, emf_hi) * c->plausible_tol_pct / 100u;
  int enc_low = (uint64_t)r->encoder_mhz + tol < emf_lo;
  int enc_high = (uint64_t)r->encoder_mhz > emf_hi + tol;

  /* Stall speed: the slower source, since the encoder's last period
   * outlives a jam; but an encoder reading implausibly low does not make
   * a turning motor slow. */
  uint32_t speed = enc_low ? r->emf_mhz : min_u32(r->encoder_mhz, r->emf_mhz);
  int slow = (uint64_t)speed * 100u < slow_line;

  if (r->current_ma > c->over_current_ma) {
    if (++g->oc_ticks >= c->over_current_ticks) {
      return slow ? MNPEN_GUARD_STALL : MNPEN_GUARD_OVER_CURRENT;
    }
  } else {
    g->oc_ticks = 0;
  }

  uint32_t fastest = max_u32(r->encoder_mhz, emf_lo);
  if (held(&g->fast_ticks, fastest > mnpen_guard_over_speed_mhz(c), c->over_speed_ticks)) {
    return MNPEN_GUARD_OVER_SPEED;
  }
  if (held(&g->disagree_ticks, past_grace && (enc_low || enc_high), c->implausible_ticks)) {
    return MNPEN_GUARD_SPEED_IMPLAUSIBLE;
  }
  if (held(&g->slow_ticks, slow && past_grace, c->stall_ticks)) {
    return MNPEN_GUARD_STALL;
  }
  return MNPEN_GUARD_OK;
}
