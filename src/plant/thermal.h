/*
 * Lumped thermal model of the handpiece: two nodes, the motor winding and
 * the housing around it (where the temperature sensor sits), joined by a
 * thermal resistance, the housing losing heat to ambient through another.
 * The winding takes the copper (I^2 R) loss; the housing takes everything
 * else, including an external heat input for over-temperature scenarios.
 * Its time constants are seconds to minutes, so the plant steps it once per
 * call to mn_plant_advance with the mean powers of that interval.
 */
#ifndef MN_PLANT_THERMAL_H
#define MN_PLANT_THERMAL_H

#include "plant/plant.h"

typedef struct {
  double winding_c;
  double housing_c;
} mn_thermal_state;

void mn_thermal_init(mn_thermal_state *s, const mn_plant_thermal_params *p);

/* One backward-Euler step of length dt (any dt is stable; the steady state
 * is exact): winding_w into the winding, housing_w into the housing. */
void mn_thermal_step(mn_thermal_state *s, const mn_plant_thermal_params *p, double winding_w,
                     double housing_w, double dt);

#endif /* MN_PLANT_THERMAL_H */
