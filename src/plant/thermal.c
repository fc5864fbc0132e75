/*
 * Two-node thermal network (see thermal.h), stepped implicitly: the 2x2
 * linear system of backward Euler is solved in closed form.
 */
#include "plant/thermal.h"

void mn_thermal_init(mn_thermal_state *s, const mn_plant_thermal_params *p) {
  s->winding_c = p->ambient_c;
  s->housing_c = p->ambient_c;
}

void mn_thermal_step(mn_thermal_state *s, const mn_plant_thermal_params *p, double winding_w,
                     double housing_w, double dt) {
  if (dt <= 0.0) {
    return;
  }
  double g1 = 1.0 / p->winding_to_housing;
  double g2 = 1.0 / p->housing_to_ambient;
  double cw = p->winding_capacity / dt;
  double ch = p->housing_capacity / dt;
  /* (cw + g1) Tw' - g1 Th'        = cw Tw + Pw
   * -g1 Tw' + (ch + g1 + g2) Th' = ch Th + Ph + g2 Ta */
  double a11 = cw + g1, a12 = -g1, a22 = ch + g1 + g2;
  double a21 = a12; /* the coupling is symmetric */
  double r1 = cw * s->winding_c + winding_w;
  double r2 = ch * s->housing_c + housing_w + g2 * p->ambient_c;
  double det = a11 * a22 - a12 * a21;
  s->winding_c = (r1 * a22 - a12 * r2) / det;
  s->housing_c = (a11 * r2 - a21 * r1) / det;
}
