/*
 * The pen's physics ("plant"): what the firmware drives in software-in-the-
 * loop. A coreless DC motor on a 1-cell Li-ion battery through a PWM H-bridge
 * turns a cam that reciprocates the needle cartridge (one stroke per
 * revolution); the needles tent and then pierce the skin, and their force
 * comes back to the motor as load torque through the cam. Around that: a
 * lumped thermal model of the winding and the handpiece, a position-
 * controlled depth stage with an end stop and a position sensor, and an
 * encoder on the motor shaft.
 *
 * The host port (firmware/port/host) reads and drives this through the
 * functions below once per firmware tick; the device stage reads the stroke
 * record (time, depth, force of every stroke) to place punctures. All
 * quantities are SI (seconds, metres, amperes, volts, newtons, radians),
 * temperatures in degrees Celsius. Every number comes from the files in data/pen/
 * through mn_plant_params_from().
 *
 * Angle convention: theta = 0 is top dead centre (needles fully retracted),
 * theta = pi bottom dead centre, where the tip protrudes past the cartridge
 * face by exactly the depth setting:
 *     protrusion = depth - stroke * (1 + cos theta) / 2.
 */
#ifndef MN_PLANT_PLANT_H
#define MN_PLANT_PLANT_H

#include <stddef.h>
#include <stdint.h>

#include "io/params.h"

enum {
  MN_PLANT_OK = 0,
  MN_PLANT_ENOMEM = -1,
  MN_PLANT_EPARAM = -2 /* a parameter is missing, in the wrong unit or out of range */
};

#define MN_PLANT_OCV_POINTS_MAX 64

typedef struct {
  double resistance;      /* terminal resistance, ohm */
  double inductance;      /* rotor inductance, H */
  double torque_constant; /* N m/A, equal to the back-EMF constant in V s/rad */
  double rotor_inertia;   /* kg m^2 */
  double friction_torque; /* Coulomb friction, N m */
  double viscous_damping; /* N m s/rad */
} mn_plant_motor_params;

typedef struct {
  double on_resistance; /* both conducting switches in series, ohm */
  double diode_drop;    /* forward voltage of one freewheel diode, V */
} mn_plant_bridge_params;

typedef struct {
  double stroke;  /* needle travel per revolution, m */
  double inertia; /* cam and coupling, added to the rotor, kg m^2 */
} mn_plant_cam_params;

typedef struct {
  double tenting_stiffness;    /* skin surface under one needle before puncture, N/m */
  double puncture_force;       /* quasi-static, at the reference tip radius, N */
  double cutting_force;        /* at the tip while advancing after puncture, N */
  double shaft_friction;       /* friction per inserted length, N/m */
  double rate_velocity;        /* tip speed at which forces double, m/s */
  double reference_tip_radius; /* tip radius the forces above belong to, m */
  double tip_radius;           /* the fitted needles' tip radius, m */
} mn_plant_contact_params;

typedef struct {
  double capacity;            /* C (coulombs) */
  double internal_resistance; /* ohm */
  double initial_soc;         /* 0..1 */
  size_t points;
  double soc[MN_PLANT_OCV_POINTS_MAX]; /* increasing, 0..1 */
  double ocv[MN_PLANT_OCV_POINTS_MAX]; /* V */
} mn_plant_battery_params;

typedef struct {
  double winding_to_housing; /* K/W */
  double housing_to_ambient; /* K/W */
  double winding_capacity;   /* J/K */
  double housing_capacity;   /* J/K */
  double ambient_c;          /* degC */
} mn_plant_thermal_params;

typedef struct {
  double time_constant;       /* first-order approach to the command, s */
  double max_rate;            /* rate limit, m/s */
  double end_stop_min;        /* m */
  double end_stop_max;        /* m */
  double initial_position;    /* m */
  double sensor_open_reading; /* what a failed-open sensor reads, m */
} mn_plant_depth_params;

typedef struct {
  mn_plant_motor_params motor;
  mn_plant_bridge_params bridge;
  mn_plant_cam_params cam;
  mn_plant_contact_params contact;
  mn_plant_battery_params battery;
  mn_plant_thermal_params thermal;
  mn_plant_depth_params depth;
  unsigned encoder_edges_per_rev;
  double dt; /* fixed integration step, s */
} mn_plant_params;

/* One needle stroke, recorded at bottom dead centre. */
typedef struct {
  double time_s;
  double depth_m; /* maximum protrusion past the cartridge face */
  double force_n; /* peak total needle force during the stroke; 0 off skin */
} mn_plant_stroke;

typedef enum {
  MN_PLANT_SENSOR_OK = 0,
  MN_PLANT_SENSOR_OPEN = 1, /* reads the open-circuit value */
  MN_PLANT_SENSOR_STUCK = 2 /* keeps the reading it had when it failed */
} mn_plant_sensor_fault;

typedef struct mn_plant mn_plant;

/* Reads every plant parameter from the table (keys motor.*, bridge.*, cam.*,
 * encoder.*, skin_contact.*, needle.*, battery.*, thermal.*, depth_stage.*,
 * plant_sim.*). */
int mn_plant_params_from(mn_plant_params *p, const mn_params *t, char *err, size_t errlen);

/* Replaces the motor and the cam's inertia with a cheap pen's drive (keys
 * cheap_drive.*: a small iron-core motor, no flywheel), what an unregulated
 * pen is modelled with; the rest (cell, bridge, cam stroke, needles) stays.
 * On error p is left unchanged. */
int mn_plant_params_cheap_drive(mn_plant_params *p, const mn_params *t, char *err, size_t errlen);

/* Range checks (positive resistances, increasing OCV table, ...). */
int mn_plant_params_check(const mn_plant_params *p, char *err, size_t errlen);

int mn_plant_create(mn_plant **out, const mn_plant_params *p, char *err, size_t errlen);
void mn_plant_destroy(mn_plant **p);

/* Inputs; each holds until changed. */
void mn_plant_drive(mn_plant *p, double duty, int enabled); /* duty clamped to 0..1 */
void mn_plant_depth_command(mn_plant *p, double target_m);
void mn_plant_set_skin(mn_plant *p, int in_contact, int needles);
/* Scales every needle force (1 at creation): how hard the hand presses and
 * how the skin under the pen varies along a glide. */
void mn_plant_set_skin_load(mn_plant *p, double scale);
void mn_plant_set_tip_radius(mn_plant *p, double radius_m);
void mn_plant_set_jam(mn_plant *p, int jammed);
void mn_plant_set_heat_input(mn_plant *p, double watts);
void mn_plant_set_battery(mn_plant *p, double soc, double resistance_factor);
void mn_plant_set_depth_sensor_fault(mn_plant *p, mn_plant_sensor_fault fault);

/* Advances the plant by duration_s in fixed steps of params.dt; a remainder
 * shorter than dt is carried into the next call, so the plant's clock never
 * drifts from the caller's. */
void mn_plant_advance(mn_plant *p, double duration_s);

/* Readers. */
const mn_plant_params *mn_plant_params_of(const mn_plant *p);
double mn_plant_time_s(const mn_plant *p);
double mn_plant_current_a(const mn_plant *p); /* winding current */
double mn_plant_omega(const mn_plant *p);     /* rad/s */
double mn_plant_stroke_rate_hz(const mn_plant *p);
double mn_plant_angle(const mn_plant *p); /* cam angle, 0..2 pi */
double mn_plant_tip_protrusion_m(const mn_plant *p);
double mn_plant_needle_force_n(const mn_plant *p); /* total, all needles */
double mn_plant_load_torque_nm(const mn_plant *p);
double mn_plant_depth_position_m(const mn_plant *p);
double mn_plant_depth_sensor_m(const mn_plant *p);
double mn_plant_battery_terminal_v(const mn_plant *p);
double
mn_plant_battery_current_a(const mn_plant *p); /* drawn from the cell, mean of the last step */
double mn_plant_battery_soc(const mn_plant *p);
double mn_plant_battery_charge_c(const mn_plant *p); /* total drawn since create, C */
double mn_plant_temperature_c(const mn_plant *p);    /* handpiece (housing) sensor */
double mn_plant_winding_temperature_c(const mn_plant *p);
/* Winding current with the rotor locked at the present duty and battery:
 * what a jam draws once the inductance has charged. */
double mn_plant_stall_current_a(const mn_plant *p);

/* Encoder: edges counted since create, and the times of the last two edges
 * (interpolated within the step; negative before there were any). */
void mn_plant_encoder(const mn_plant *p, uint64_t *edges, double *t_last, double *t_prev);

/* The stroke record, owned by the plant; valid until the next advance or
 * clear. */
const mn_plant_stroke *mn_plant_strokes(const mn_plant *p, size_t *n);
void mn_plant_strokes_clear(mn_plant *p);

#endif /* MN_PLANT_PLANT_H */
