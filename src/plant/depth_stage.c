/*
 * Depth stage (see depth_stage.h). With error e to the (end-stop-clamped)
 * target, the stage moves at e / tau, but never faster than max_rate: first
 * a straight run at max_rate until |e| = max_rate * tau, then the
 * exponential tail. Both pieces are solved exactly, so the motion does not
 * depend on how often the plant calls in.
 */
#include "plant/depth_stage.h"

#include <math.h>

static double clamp(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

void mn_depth_stage_init(mn_depth_stage *s, const mn_plant_depth_params *p) {
  s->position = clamp(p->initial_position, p->end_stop_min, p->end_stop_max);
  s->target = s->position;
  s->fault = MN_PLANT_SENSOR_OK;
  s->stuck_reading = s->position;
}

void mn_depth_stage_step(mn_depth_stage *s, const mn_plant_depth_params *p, double dt) {
  /* The end stop holds the stage whatever is commanded. */
  double goal = clamp(s->target, p->end_stop_min, p->end_stop_max);
  double e = goal - s->position;
  double knee = p->max_rate * p->time_constant;
  if (fabs(e) > knee) {
    double run = (fabs(e) - knee) / p->max_rate; /* time at the rate limit */
    if (run >= dt) {
      s->position += copysign(p->max_rate * dt, e);
      return;
    }
    s->position = goal - copysign(knee, e);
    dt -= run;
    e = goal - s->position;
  }
  s->position = goal - e * exp(-dt / p->time_constant);
}

void mn_depth_stage_set_fault(mn_depth_stage *s, mn_plant_sensor_fault fault) {
  if (fault == MN_PLANT_SENSOR_STUCK && s->fault != MN_PLANT_SENSOR_STUCK) {
    s->stuck_reading = s->position;
  }
  s->fault = fault;
}

double mn_depth_stage_sensor(const mn_depth_stage *s, const mn_plant_depth_params *p) {
  switch (s->fault) {
  case MN_PLANT_SENSOR_OPEN:
    return p->sensor_open_reading;
  case MN_PLANT_SENSOR_STUCK:
    return s->stuck_reading;
  default:
    return s->position;
  }
}
