/*
 * Battery open-circuit voltage (see battery.h). The table is short and
 * called once per firmware tick, so a linear scan is enough.
 */
#include "plant/battery.h"

double mn_battery_ocv(const mn_plant_battery_params *b, double soc) {
  if (soc <= b->soc[0]) {
    return b->ocv[0];
  }
  size_t last = b->points - 1;
  if (soc >= b->soc[last]) {
    return b->ocv[last];
  }
  size_t k = 1;
  while (b->soc[k] < soc) {
    k++;
  }
  double f = (soc - b->soc[k - 1]) / (b->soc[k] - b->soc[k - 1]);
  return b->ocv[k - 1] + f * (b->ocv[k] - b->ocv[k - 1]);
}
