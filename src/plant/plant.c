/*
 * The plant's time loop (see plant.h): motor, bridge, cam, needles, encoder
 * and stroke record stepped at a fixed dt; battery, depth stage and thermal
 * model, which change over milliseconds to minutes, once per advance call.
 *
 * Integration. The winding's electrical time constant L/R is about the step
 * (~20 us), so the current is integrated exactly over each step with the
 * speed frozen: i relaxes exponentially towards (V - k w) / R. The step's
 * mean current drives the rotor, and the back-EMF term of that mean is taken
 * at the new speed, which makes the mechanical update implicit in its
 * electrical damping (stable at any step) and gives exactly the analytic
 * steady state. Coulomb friction is applied as an impulse that may stop the
 * rotor but never reverse it. Needle load is explicit: its time scales
 * (a stroke lasts milliseconds) are far longer than the step.
 *
 * With the bridge disabled every switch is open: the winding current keeps
 * flowing through the freewheel diodes against the battery until it reaches
 * zero, and the diodes block it from reversing; the motor coasts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plant/battery.h"
#include "plant/contact.h"
#include "plant/depth_stage.h"
#include "plant/plant.h"
#include "plant/thermal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define TWO_PI (2.0 * M_PI)

struct mn_plant {
  mn_plant_params prm;
  double inertia; /* rotor + cam */

  /* Inputs. */
  double duty;
  int enabled;
  int jammed;
  int in_contact;
  int needles;
  double load_scale; /* hand pressure and skin variation, 1 nominal */
  double heat_w;
  double r_factor; /* battery resistance multiplier (ageing) */
  mn_contact_model contact;

  /* Per-advance constants of the enabled bridge. */
  double ocv;
  double r_batt;
  double r_eff;
  double v_src;
  double decay;    /* exp(-dt / tau) */
  double avg_keep; /* weight of the initial current in the step's mean */
  double inv_mech_den;
  double friction_dw;  /* speed one step of Coulomb friction removes */
  double in_skin_from; /* cam angles where the tip can be past the face */
  double in_skin_to;

  /* State. */
  double t;
  double carry; /* part of the requested time not yet stepped */
  double i;
  double w;
  double phi;   /* unwrapped cam angle */
  double theta; /* the same, wrapped to 0..2 pi */
  int punctured;
  double force;
  double torque;
  double soc;
  double charge;
  double i_batt;
  mn_thermal_state thermal;
  mn_depth_stage depth;

  /* Encoder: edges at phi = m * 2 pi / N. */
  double edge_step;
  int64_t edge_index;
  double edge_lo, edge_hi;
  uint64_t edges;
  double t_edge_last, t_edge_prev;

  /* Strokes: bottom dead centre at pi + 2 pi j, top at 2 pi j. */
  int64_t next_bdc, next_tdc;
  double peak_force;
  int stroke_open;
  mn_plant_stroke *strokes;
  size_t n_strokes, cap_strokes;
};

static double clamp(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

int mn_plant_create(mn_plant **out, const mn_plant_params *prm, char *err, size_t errlen) {
  if (out == NULL || prm == NULL) {
    return MN_PLANT_EPARAM;
  }
  *out = NULL;
  int rc = mn_plant_params_check(prm, err, errlen);
  if (rc != 0) {
    return rc;
  }
  mn_plant *p = calloc(1, sizeof *p);
  if (p == NULL) {
    return MN_PLANT_ENOMEM;
  }
  p->prm = *prm;
  p->inertia = prm->motor.rotor_inertia + prm->cam.inertia;
  p->r_factor = 1.0;
  p->load_scale = 1.0;
  p->soc = prm->battery.initial_soc;
  mn_contact_model_init(&p->contact, &prm->contact, prm->contact.tip_radius);
  mn_thermal_init(&p->thermal, &prm->thermal);
  mn_depth_stage_init(&p->depth, &prm->depth);
  p->edge_step = TWO_PI / prm->encoder_edges_per_rev;
  p->edge_lo = 0.0;
  p->edge_hi = p->edge_step;
  p->t_edge_last = -1.0;
  p->t_edge_prev = -1.0;
  p->next_bdc = 0;
  p->next_tdc = 1;
  p->ocv = mn_battery_ocv(&prm->battery, p->soc);
  *out = p;
  return MN_PLANT_OK;
}

void mn_plant_destroy(mn_plant **p) {
  if (p == NULL || *p == NULL) {
    return;
  }
  free((*p)->strokes);
  free(*p);
  *p = NULL;
}

void mn_plant_drive(mn_plant *p, double duty, int enabled) {
  p->duty = clamp(duty, 0.0, 1.0);
  p->enabled = enabled != 0;
}

void mn_plant_depth_command(mn_plant *p, double target_m) {
  p->depth.target = target_m;
}

void mn_plant_set_skin(mn_plant *p, int in_contact, int needles) {
  p->in_contact = in_contact != 0;
  p->needles = needles > 0 ? needles : 0;
}

void mn_plant_set_skin_load(mn_plant *p, double scale) {
  p->load_scale = scale > 0.0 ? scale : 0.0;
}

void mn_plant_set_tip_radius(mn_plant *p, double radius_m) {
  if (radius_m > 0.0) {
    mn_contact_model_init(&p->contact, &p->prm.contact, radius_m);
  }
}

void mn_plant_set_jam(mn_plant *p, int jammed) {
  p->jammed = jammed != 0;
  if (p->jammed) {
    p->w = 0.0;
  }
}

void mn_plant_set_heat_input(mn_plant *p, double watts) {
  p->heat_w = watts;
}

void mn_plant_set_battery(mn_plant *p, double soc, double resistance_factor) {
  p->soc = clamp(soc, 0.0, 1.0);
  p->r_factor = resistance_factor > 0.0 ? resistance_factor : 1.0;
  p->ocv = mn_battery_ocv(&p->prm.battery, p->soc);
}

void mn_plant_set_depth_sensor_fault(mn_plant *p, mn_plant_sensor_fault fault) {
  mn_depth_stage_set_fault(&p->depth, fault);
}

/* Constants of the enabled bridge for this advance. Averaged PWM: the
 * winding sees duty * V_terminal, and the cell carries duty * i, so the
 * cell's resistance appears in the winding loop as duty^2 * R_batt. */
static void prepare(mn_plant *p) {
  const mn_plant_motor_params *m = &p->prm.motor;
  double dt = p->prm.dt;
  p->ocv = mn_battery_ocv(&p->prm.battery, p->soc);
  p->r_batt = p->prm.battery.internal_resistance * p->r_factor;
  p->r_eff = m->resistance + p->prm.bridge.on_resistance + p->duty * p->duty * p->r_batt;
  p->v_src = p->duty * p->ocv;
  double tau = m->inductance / p->r_eff;
  p->decay = exp(-dt / tau);
  p->avg_keep = tau / dt * (1.0 - p->decay);
  double k = m->torque_constant;
  double mech_den = p->inertia + dt * (m->viscous_damping + (1.0 - p->avg_keep) * k * k / p->r_eff);
  p->inv_mech_den = 1.0 / mech_den;
  p->friction_dw = dt * m->friction_torque / mech_den;
  /* The tip is past the face where cos(theta) < 2 depth / stroke - 1: an
   * arc around bottom dead centre. Outside it no contact is possible, and
   * the step needs no trigonometry. */
  double c = 2.0 * p->depth.position / p->prm.cam.stroke - 1.0;
  double a = c >= 1.0 ? 0.0 : (c <= -1.0 ? M_PI : acos(c));
  p->in_skin_from = a;
  p->in_skin_to = TWO_PI - a;
}

/* Coulomb friction as an impulse: stops the rotor, never reverses it. */
static double apply_friction(double w_free, double dw_friction) {
  if (w_free > dw_friction) {
    return w_free - dw_friction;
  }
  if (w_free < -dw_friction) {
    return w_free + dw_friction;
  }
  return 0.0;
}

/* Bridge open: the current, if any, flows through two diodes into the
 * cell (against OCV + 2 V_diode) until it reaches zero. The back-EMF can
 * start such a current only if it exceeds that voltage. Returns the step's
 * mean current; sets p->i. */
static double freewheel(mn_plant *p) {
  const mn_plant_motor_params *m = &p->prm.motor;
  double dt = p->prm.dt;
  double k = m->torque_constant;
  double block = p->ocv + 2.0 * p->prm.bridge.diode_drop;
  double dir;
  if (p->i > 0.0) {
    dir = 1.0;
  } else if (p->i < 0.0) {
    dir = -1.0;
  } else if (fabs(k * p->w) > block) {
    dir = p->w > 0.0 ? -1.0 : 1.0;
  } else {
    return 0.0;
  }
  double r = m->resistance + p->r_batt;
  double tau = m->inductance / r;
  double i0 = p->i;
  double i_inf = (-dir * block - k * p->w) / r;
  double e = exp(-dt / tau);
  double i1 = i_inf + (i0 - i_inf) * e;
  if (dir * i_inf < 0.0 && dir * i1 <= 0.0) {
    /* Reaches zero within the step at t0 and stays there. */
    double t0 = tau * log((i0 - i_inf) / -i_inf);
    p->i = 0.0;
    return (i_inf * t0 + tau * i0) / dt;
  }
  p->i = i1;
  return i_inf + (i0 - i_inf) * tau / dt * (1.0 - e);
}

static void push_stroke(mn_plant *p, double t, double depth, double force) {
  if (p->n_strokes == p->cap_strokes) {
    size_t cap = p->cap_strokes == 0 ? 1024 : 2 * p->cap_strokes;
    mn_plant_stroke *grown = realloc(p->strokes, cap * sizeof *grown);
    if (grown == NULL) {
      return; /* the record stops growing; the physics goes on */
    }
    p->strokes = grown;
    p->cap_strokes = cap;
  }
  p->strokes[p->n_strokes++] = (mn_plant_stroke){t, depth, force};
  p->stroke_open = 1;
}

/* Encoder edges and dead centres crossed between phi0 and phi1 during the
 * step that started at t0; crossing times interpolated linearly. */
static void events(mn_plant *p, double phi0, double phi1, double t0) {
  double dt = p->prm.dt;
  double span = phi1 - phi0;
  while (phi1 >= p->edge_hi) {
    p->t_edge_prev = p->t_edge_last;
    p->t_edge_last = t0 + dt * (p->edge_hi - phi0) / span;
    p->edges++;
    p->edge_index++;
    p->edge_lo = (double)p->edge_index * p->edge_step;
    p->edge_hi = (double)(p->edge_index + 1) * p->edge_step;
  }
  while (phi1 < p->edge_lo) {
    p->t_edge_prev = p->t_edge_last;
    p->t_edge_last = t0 + dt * (p->edge_lo - phi0) / span;
    p->edges++;
    p->edge_index--;
    p->edge_lo = (double)p->edge_index * p->edge_step;
    p->edge_hi = (double)(p->edge_index + 1) * p->edge_step;
  }
  double bdc = M_PI + TWO_PI * (double)p->next_bdc;
  if (phi1 >= bdc) {
    push_stroke(p, t0 + dt * (bdc - phi0) / span, p->depth.position, p->peak_force);
    p->next_bdc++;
  }
  double tdc = TWO_PI * (double)p->next_tdc;
  if (phi1 >= tdc) {
    p->stroke_open = 0;
    p->peak_force = 0.0;
    p->next_tdc++;
  }
}

/* Needle force and load torque at the step's start. */
static void needle_load(mn_plant *p) {
  p->force = 0.0;
  p->torque = 0.0;
  if (!p->in_contact || p->needles == 0 || p->theta <= p->in_skin_from ||
      p->theta >= p->in_skin_to) {
    p->punctured = 0;
    return;
  }
  double half = 0.5 * p->prm.cam.stroke;
  double c = cos(p->theta);
  double protrusion = p->depth.position - half * (1.0 + c);
  if (protrusion <= 0.0) {
    p->punctured = 0;
    return;
  }
  double lever = half * sin(p->theta); /* d protrusion / d theta */
  double f = mn_contact_force(&p->contact, &p->punctured, protrusion, lever * p->w);
  p->force = f * p->needles * p->load_scale;
  p->torque = p->force * lever;
  double mag = fabs(p->force);
  if (mag > p->peak_force) {
    p->peak_force = mag;
    if (p->stroke_open && p->n_strokes > 0 && mag > p->strokes[p->n_strokes - 1].force_n) {
      p->strokes[p->n_strokes - 1].force_n = mag;
    }
  }
}

typedef struct {
  double charge;  /* C drawn from the cell */
  double copper;  /* J into the winding */
  double housing; /* J into the housing: bridge and friction losses */
} step_totals;

static void step(mn_plant *p, step_totals *acc) {
  const mn_plant_motor_params *m = &p->prm.motor;
  double dt = p->prm.dt;
  double k = m->torque_constant;
  double w0 = p->w;
  double i_mean;

  needle_load(p);
  if (p->enabled) {
    double i0 = p->i;
    double w1 = 0.0;
    if (!p->jammed) {
      double g = p->avg_keep;
      double drive = k * ((1.0 - g) * p->v_src / p->r_eff + g * i0) - p->torque;
      double w_free = (p->inertia * w0 + dt * drive) * p->inv_mech_den;
      w1 = apply_friction(w_free, p->friction_dw);
    }
    double i_inf = (p->v_src - k * w1) / p->r_eff;
    i_mean = i_inf + (i0 - i_inf) * p->avg_keep;
    p->i = i_inf + (i0 - i_inf) * p->decay;
    p->w = w1;
    p->i_batt = p->duty * i_mean;
    acc->housing += i_mean * i_mean * p->prm.bridge.on_resistance * dt;
  } else {
    i_mean = freewheel(p);
    if (!p->jammed) {
      double den = p->inertia + dt * m->viscous_damping;
      double w_free = (p->inertia * w0 + dt * (k * i_mean - p->torque)) / den;
      p->w = apply_friction(w_free, dt * m->friction_torque / den);
    }
    p->i_batt = -fabs(i_mean);
    acc->housing += fabs(i_mean) * 2.0 * p->prm.bridge.diode_drop * dt;
  }
  acc->charge += p->i_batt * dt;
  acc->copper += i_mean * i_mean * m->resistance * dt;
  double w_mid = 0.5 * (w0 + p->w);
  acc->housing += (m->friction_torque * fabs(w_mid) + m->viscous_damping * w_mid * w_mid) * dt;

  double phi0 = p->phi;
  double dphi = dt * p->w;
  if (dphi != 0.0) {
    p->phi += dphi;
    p->theta += dphi;
    if (p->theta >= TWO_PI) {
      p->theta -= TWO_PI;
    } else if (p->theta < 0.0) {
      p->theta += TWO_PI;
    }
    events(p, phi0, p->phi, p->t);
  }
  p->t += dt;
}

void mn_plant_advance(mn_plant *p, double duration_s) {
  if (p == NULL || !(duration_s > 0.0)) {
    return;
  }
  double dt = p->prm.dt;
  double total = p->carry + duration_s;
  /* The tolerance keeps 1 ms / 50 us from rounding down to 19 steps. */
  long n = (long)floor(total / dt + 1e-6);
  p->carry = total - (double)n * dt;
  if (n <= 0) {
    return;
  }
  double span = (double)n * dt;
  mn_depth_stage_step(&p->depth, &p->prm.depth, span);
  prepare(p);
  step_totals acc = {0.0, 0.0, 0.0};
  for (long s = 0; s < n; s++) {
    step(p, &acc);
  }
  p->soc = clamp(p->soc - acc.charge / p->prm.battery.capacity, 0.0, 1.0);
  p->charge += acc.charge;
  mn_thermal_step(&p->thermal, &p->prm.thermal, acc.copper / span, acc.housing / span + p->heat_w,
                  span);
}

const mn_plant_params *mn_plant_params_of(const mn_plant *p) {
  return &p->prm;
}
double mn_plant_time_s(const mn_plant *p) {
  return p->t;
}
double mn_plant_current_a(const mn_plant *p) {
  return p->i;
}
double mn_plant_omega(const mn_plant *p) {
  return p->w;
}
double mn_plant_stroke_rate_hz(const mn_plant *p) {
  return p->w / TWO_PI;
}

double mn_plant_angle(const mn_plant *p) {
  return p->theta;
}

double mn_plant_tip_protrusion_m(const mn_plant *p) {
  return p->depth.position - 0.5 * p->prm.cam.stroke * (1.0 + cos(p->theta));
}

double mn_plant_needle_force_n(const mn_plant *p) {
  return p->force;
}
double mn_plant_load_torque_nm(const mn_plant *p) {
  return p->torque;
}
double mn_plant_depth_position_m(const mn_plant *p) {
  return p->depth.position;
}

double mn_plant_depth_sensor_m(const mn_plant *p) {
  return mn_depth_stage_sensor(&p->depth, &p->prm.depth);
}

double mn_plant_battery_terminal_v(const mn_plant *p) {
  double r = p->prm.battery.internal_resistance * p->r_factor;
  return mn_battery_ocv(&p->prm.battery, p->soc) - r * p->i_batt;
}

double mn_plant_battery_current_a(const mn_plant *p) {
  return p->i_batt;
}
double mn_plant_battery_soc(const mn_plant *p) {
  return p->soc;
}
double mn_plant_battery_charge_c(const mn_plant *p) {
  return p->charge;
}
double mn_plant_temperature_c(const mn_plant *p) {
  return p->thermal.housing_c;
}
double mn_plant_winding_temperature_c(const mn_plant *p) {
  return p->thermal.winding_c;
}

double mn_plant_stall_current_a(const mn_plant *p) {
  if (!p->enabled) {
    return 0.0;
  }
  double r_batt = p->prm.battery.internal_resistance * p->r_factor;
  double r = p->prm.motor.resistance + p->prm.bridge.on_resistance + p->duty * p->duty * r_batt;
  return p->duty * mn_battery_ocv(&p->prm.battery, p->soc) / r;
}

void mn_plant_encoder(const mn_plant *p, uint64_t *edges, double *t_last, double *t_prev) {
  if (edges != NULL) {
    *edges = p->edges;
  }
  if (t_last != NULL) {
    *t_last = p->t_edge_last;
  }
  if (t_prev != NULL) {
    *t_prev = p->t_edge_prev;
  }
}

const mn_plant_stroke *mn_plant_strokes(const mn_plant *p, size_t *n) {
  if (n != NULL) {
    *n = p->n_strokes;
  }
  return p->strokes;
}

void mn_plant_strokes_clear(mn_plant *p) {
  p->n_strokes = 0;
  p->stroke_open = 0;
}
