/*
 * Needle-skin contact: the axial force of one needle on the skin, as a
 * function of how far its tip protrudes past the cartridge face (the face
 * rests on the skin surface) and how fast it moves. Evaluated every plant
 * step, hence inline.
 *
 * Before puncture the skin tents: an elastic force growing with depth. When
 * the quasi-static force reaches the puncture force the skin gives way;
 * from then on an advancing needle meets a cutting force at its tip plus
 * friction along the inserted shaft, and a withdrawing needle only the shaft
 * friction, now pulling the other way. The needle leaves the skin when its
 * tip is back behind the face, and the next stroke tents again. Puncture and
 * cutting forces scale with the tip's area (insertion force is linear in tip
 * area, Davis et al. 2004). The pen's tip speeds (~1 m/s) are far above the
 * quasi-static tests the forces come from; skin is viscoelastic, so all
 * forces are multiplied by (1 + |v| / rate_velocity), an estimate.
 *
 * Sign: positive force resists insertion (pushes the needle back).
 */
#ifndef MN_PLANT_CONTACT_H
#define MN_PLANT_CONTACT_H

#include "plant/plant.h"

typedef struct {
  double tenting_stiffness;
  double puncture_force; /* tip-scaled */
  double cutting_force;  /* tip-scaled */
  double shaft_friction;
  double inv_rate_velocity;
} mn_contact_model;

static inline void mn_contact_model_init(mn_contact_model *m, const mn_plant_contact_params *p,
                                         double tip_radius) {
  double tip = tip_radius / p->reference_tip_radius;
  m->tenting_stiffness = p->tenting_stiffness;
  m->puncture_force = p->puncture_force * tip * tip;
  m->cutting_force = p->cutting_force * tip * tip;
  m->shaft_friction = p->shaft_friction;
  m->inv_rate_velocity = 1.0 / p->rate_velocity;
}

/* Force of one needle at protrusion > 0 moving at velocity (positive
 * inward); *punctured carries the skin's state between steps. */
static inline double mn_contact_force(const mn_contact_model *m, int *punctured, double protrusion,
                                      double velocity) {
  double rate = 1.0 + (velocity >= 0.0 ? velocity : -velocity) * m->inv_rate_velocity;
  if (!*punctured) {
    double elastic = m->tenting_stiffness * protrusion;
    if (elastic < m->puncture_force) {
      return elastic * rate;
    }
    *punctured = 1;
  }
  double friction = m->shaft_friction * protrusion;
  if (velocity > 0.0) {
    return (m->cutting_force + friction) * rate;
  }
  if (velocity < 0.0) {
    return -friction * rate;
  }
  return 0.0;
}

#endif /* MN_PLANT_CONTACT_H */
