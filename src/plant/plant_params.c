/*
 * The plant's parameters from the parameter table (the files in data/pen/), in the
 * units the model computes in, and their range checks. Unit conversions
 * (mA h to coulombs, time constants to heat capacities) happen here, once.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plant/plant.h"

#define SECONDS_PER_HOUR 3600.0
#define AMPERE_PER_MILLIAMPERE 1e-3

typedef struct {
  const char *key;
  const char *unit;
  double *dst;
} scalar_spec;

int mn_plant_params_from(mn_plant_params *p, const mn_params *t, char *err, size_t errlen) {
  memset(p, 0, sizeof *p);
  double capacity_mah = 0, tau_w = 0, tau_h = 0, edges = 0;
  const scalar_spec specs[] = {
      {"motor.resistance", "ohm", &p->motor.resistance},
      {"motor.inductance", "H", &p->motor.inductance},
      {"motor.torque_constant", "N m/A", &p->motor.torque_constant},
      {"motor.rotor_inertia", "kg m^2", &p->motor.rotor_inertia},
      {"motor.friction_torque", "N m", &p->motor.friction_torque},
      {"motor.viscous_damping", "N m s/rad", &p->motor.viscous_damping},
      {"bridge.on_resistance", "ohm", &p->bridge.on_resistance},
      {"bridge.diode_drop", "V", &p->bridge.diode_drop},
      {"cam.stroke", "m", &p->cam.stroke},
      {"cam.inertia", "kg m^2", &p->cam.inertia},
      {"encoder.edges_per_rev", "1", &edges},
      {"skin_contact.tenting_stiffness", "N/m", &p->contact.tenting_stiffness},
      {"skin_contact.puncture_force", "N", &p->contact.puncture_force},
      {"skin_contact.cutting_force", "N", &p->contact.cutting_force},
      {"skin_contact.shaft_friction", "N/m", &p->contact.shaft_friction},
      {"skin_contact.rate_velocity", "m/s", &p->contact.rate_velocity},
      {"skin_contact.reference_tip_radius", "m", &p->contact.reference_tip_radius},
      {"skin_contact.tip_radius", "m", &p->contact.tip_radius},
      {"battery.capacity", "mA h", &capacity_mah},
      {"battery.internal_resistance", "ohm", &p->battery.internal_resistance},
      {"battery.initial_soc", "1", &p->battery.initial_soc},
      {"thermal.winding_to_housing", "K/W", &p->thermal.winding_to_housing},
      {"thermal.housing_to_ambient", "K/W", &p->thermal.housing_to_ambient},
      {"thermal.winding_time_constant", "s", &tau_w},
      {"thermal.housing_time_constant", "s", &tau_h},
      {"thermal.ambient", "degC", &p->thermal.ambient_c},
      {"depth_stage.time_constant", "s", &p->depth.time_constant},
      {"depth_stage.max_rate", "m/s", &p->depth.max_rate},
      {"depth_stage.end_stop_min", "m", &p->depth.end_stop_min},
      {"depth_stage.end_stop_max", "m", &p->depth.end_stop_max},
      {"depth_stage.initial_position", "m", &p->depth.initial_position},
      {"depth_stage.sensor_open_reading", "m", &p->depth.sensor_open_reading},
      {"plant_sim.dt", "s", &p->dt},
  };
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    if (mn_params_get(t, specs[i].key, specs[i].unit, specs[i].dst, err, errlen) != 0) {
      return MN_PLANT_EPARAM;
    }
  }
  const double *soc = NULL, *ocv = NULL;
  size_t nsoc = 0, nocv = 0;
  if (mn_params_get_table(t, "battery.ocv_soc", "1", &soc, &nsoc, err, errlen) != 0 ||
      mn_params_get_table(t, "battery.ocv", "V", &ocv, &nocv, err, errlen) != 0) {
    return MN_PLANT_EPARAM;
  }
  if (nsoc != nocv || nsoc < 2 || nsoc > MN_PLANT_OCV_POINTS_MAX) {
    snprintf(err, errlen,
             "battery.ocv_soc and battery.ocv: need two tables of equal length, 2..%d points "
             "(got %zu and %zu)",
             MN_PLANT_OCV_POINTS_MAX, nsoc, nocv);
    return MN_PLANT_EPARAM;
  }
  p->battery.points = nsoc;
  memcpy(p->battery.soc, soc, nsoc * sizeof *soc);
  memcpy(p->battery.ocv, ocv, nocv * sizeof *ocv);
  p->battery.capacity = capacity_mah * AMPERE_PER_MILLIAMPERE * SECONDS_PER_HOUR;
  /* The datasheet gives each node's time constant with its resistance. */
  p->thermal.winding_capacity = tau_w / p->thermal.winding_to_housing;
  p->thermal.housing_capacity = tau_h / p->thermal.housing_to_ambient;
  if (edges < 1 || edges != floor(edges)) {
    snprintf(err, errlen, "encoder.edges_per_rev: must be a whole number >= 1, got %g", edges);
    return MN_PLANT_EPARAM;
  }
  p->encoder_edges_per_rev = (unsigned)edges;
  return mn_plant_params_check(p, err, errlen);
}

int mn_plant_params_cheap_drive(mn_plant_params *p, const mn_params *t, char *err, size_t errlen) {
  mn_plant_params q = *p;
  const scalar_spec specs[] = {
      {"cheap_drive.resistance", "ohm", &q.motor.resistance},
      {"cheap_drive.inductance", "H", &q.motor.inductance},
      {"cheap_drive.torque_constant", "N m/A", &q.motor.torque_constant},
      {"cheap_drive.rotor_inertia", "kg m^2", &q.motor.rotor_inertia},
      {"cheap_drive.friction_torque", "N m", &q.motor.friction_torque},
      {"cheap_drive.viscous_damping", "N m s/rad", &q.motor.viscous_damping},
      {"cheap_drive.cam_inertia", "kg m^2", &q.cam.inertia},
  };
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    if (mn_params_get(t, specs[i].key, specs[i].unit, specs[i].dst, err, errlen) != 0) {
      return MN_PLANT_EPARAM;
    }
  }
  int rc = mn_plant_params_check(&q, err, errlen);
  if (rc == MN_PLANT_OK) {
    *p = q;
  }
  return rc;
}

static int positive(const char *what, double v, char *err, size_t errlen) {
  if (!(v > 0.0) || !isfinite(v)) {
    snprintf(err, errlen, "%s: must be positive, got %g", what, v);
    return 0;
  }
  return 1;
}

static int non_negative(const char *what, double v, char *err, size_t errlen) {
  if (!(v >= 0.0) || !isfinite(v)) {
    snprintf(err, errlen, "%s: must not be negative, got %g", what, v);
    return 0;
  }
  return 1;
}

int mn_plant_params_check(const mn_plant_params *p, char *err, size_t errlen) {
  int ok =
      positive("motor.resistance", p->motor.resistance, err, errlen) &&
      positive("motor.inductance", p->motor.inductance, err, errlen) &&
      positive("motor.torque_constant", p->motor.torque_constant, err, errlen) &&
      positive("motor.rotor_inertia", p->motor.rotor_inertia, err, errlen) &&
      non_negative("motor.friction_torque", p->motor.friction_torque, err, errlen) &&
      non_negative("motor.viscous_damping", p->motor.viscous_damping, err, errlen) &&
      non_negative("bridge.on_resistance", p->bridge.on_resistance, err, errlen) &&
      non_negative("bridge.diode_drop", p->bridge.diode_drop, err, errlen) &&
      positive("cam.stroke", p->cam.stroke, err, errlen) &&
      non_negative("cam.inertia", p->cam.inertia, err, errlen) &&
      positive("skin_contact.tenting_stiffness", p->contact.tenting_stiffness, err, errlen) &&
      non_negative("skin_contact.puncture_force", p->contact.puncture_force, err, errlen) &&
      non_negative("skin_contact.cutting_force", p->contact.cutting_force, err, errlen) &&
      non_negative("skin_contact.shaft_friction", p->contact.shaft_friction, err, errlen) &&
      positive("skin_contact.rate_velocity", p->contact.rate_velocity, err, errlen) &&
      positive("skin_contact.reference_tip_radius", p->contact.reference_tip_radius, err, errlen) &&
      positive("skin_contact.tip_radius", p->contact.tip_radius, err, errlen) &&
      positive("battery.capacity", p->battery.capacity, err, errlen) &&
      non_negative("battery.internal_resistance", p->battery.internal_resistance, err, errlen) &&
      positive("thermal.winding_to_housing", p->thermal.winding_to_housing, err, errlen) &&
      positive("thermal.housing_to_ambient", p->thermal.housing_to_ambient, err, errlen) &&
      positive("thermal winding capacity", p->thermal.winding_capacity, err, errlen) &&
      positive("thermal housing capacity", p->thermal.housing_capacity, err, errlen) &&
      positive("depth_stage.time_constant", p->depth.time_constant, err, errlen) &&
      positive("depth_stage.max_rate", p->depth.max_rate, err, errlen) &&
      positive("plant_sim.dt", p->dt, err, errlen);
  if (!ok) {
    return MN_PLANT_EPARAM;
  }
  if (p->encoder_edges_per_rev < 1) {
    snprintf(err, errlen, "encoder.edges_per_rev: must be at least 1");
    return MN_PLANT_EPARAM;
  }
  if (!(p->battery.initial_soc >= 0.0 && p->battery.initial_soc <= 1.0)) {
    snprintf(err, errlen, "battery.initial_soc: must lie in 0..1, got %g", p->battery.initial_soc);
    return MN_PLANT_EPARAM;
  }
  if (p->battery.points < 2 || p->battery.points > MN_PLANT_OCV_POINTS_MAX) {
    snprintf(err, errlen, "battery OCV table: need 2..%d points, got %zu", MN_PLANT_OCV_POINTS_MAX,
             p->battery.points);
    return MN_PLANT_EPARAM;
  }
  for (size_t i = 0; i < p->battery.points; i++) {
    if (!(p->battery.ocv[i] > 0.0) || (i > 0 && !(p->battery.soc[i] > p->battery.soc[i - 1]))) {
      snprintf(err, errlen,
               "battery OCV table: state of charge must increase and voltages be positive "
               "(point %zu)",
               i);
      return MN_PLANT_EPARAM;
    }
  }
  if (!(p->depth.end_stop_max > p->depth.end_stop_min)) {
    snprintf(err, errlen, "depth_stage end stops: max %g must exceed min %g", p->depth.end_stop_max,
             p->depth.end_stop_min);
    return MN_PLANT_EPARAM;
  }
  return MN_PLANT_OK;
}
