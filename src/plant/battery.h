/*
 * The pen's 1-cell Li-ion battery: open-circuit voltage as a function of
 * state of charge (a tabulated published curve, interpolated linearly) and a
 * series internal resistance. The plant integrates the state of charge; this
 * module only answers what the cell's voltage is.
 */
#ifndef MN_PLANT_BATTERY_H
#define MN_PLANT_BATTERY_H

#include "plant/plant.h"

/* Open-circuit voltage at a state of charge, clamped to the table's ends. */
double mn_battery_ocv(const mn_plant_battery_params *b, double soc);

#endif /* MN_PLANT_BATTERY_H */
