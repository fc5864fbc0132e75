/*
 * The depth stage: a position-controlled actuator that sets how far the
 * needles protrude at bottom dead centre. It approaches its command as a
 * first-order lag whose speed is capped (the actuator's top speed), stops
 * hard at its mechanical end stops whatever it is commanded, and reports its
 * position through a sensor that can fail open or stick.
 */
#ifndef MN_PLANT_DEPTH_STAGE_H
#define MN_PLANT_DEPTH_STAGE_H

#include "plant/plant.h"

typedef struct {
  double position;
  double target;
  mn_plant_sensor_fault fault;
  double stuck_reading;
} mn_depth_stage;

void mn_depth_stage_init(mn_depth_stage *s, const mn_plant_depth_params *p);

/* Exact motion over dt for a constant command. */
void mn_depth_stage_step(mn_depth_stage *s, const mn_plant_depth_params *p, double dt);

void mn_depth_stage_set_fault(mn_depth_stage *s, mn_plant_sensor_fault fault);

double mn_depth_stage_sensor(const mn_depth_stage *s, const mn_plant_depth_params *p);

#endif /* MN_PLANT_DEPTH_STAGE_H */
