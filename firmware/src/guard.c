/*
 * Motor guard; see guard.h.
 */
#include "mnpen/guard.h"

void mnpen_guard_init(mnpen_guard *g, const mnpen_guard_config *cfg) {
  g->cfg = cfg;
  mnpen_guard_start(g);
}

void mnpen_guard_start(mnpen_guard *g) {
  g->oc_ticks = 0;
  g->slow_ticks = 0;
  g->since_start = 0;
}

int mnpen_guard_update(mnpen_guard *g, int32_t current_ma, uint32_t speed_mhz,
                       uint32_t setpoint_mhz) {
  const mnpen_guard_config *c = g->cfg;
  if (current_ma < c->current_min_ma || current_ma > c->current_max_ma) {
    return MNPEN_GUARD_SENSOR;
  }
  if (g->since_start < UINT16_MAX) {
    g->since_start++;
  }
  int slow = (uint64_t)speed_mhz * 100u < (uint64_t)setpoint_mhz * c->stall_speed_pct;

  if (current_ma > c->over_current_ma) {
    if (++g->oc_ticks >= c->over_current_ticks) {
      return slow ? MNPEN_GUARD_STALL : MNPEN_GUARD_OVER_CURRENT;
    }
  } else {
    g->oc_ticks = 0;
  }

  if (slow && g->since_start > c->start_grace_ticks) {
    if (++g->slow_ticks >= c->stall_ticks) {
      return MNPEN_GUARD_STALL;
    }
  } else {
    g->slow_ticks = 0;
  }
  return MNPEN_GUARD_OK;
}
