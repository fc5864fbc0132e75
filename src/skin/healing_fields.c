/* Skin, healing phase: read-only access to the 3D state (see
 * healing_fields.h). The species order is the reaction integrator's (HS_*
 * in healing_impl.h); the table below ties each public id to it so the two
 * orders may change independently. */
#include "skin/healing_fields.h"

#include "skin/healing_impl.h"

static const struct {
  int species;
  const char *name, *units;
} table[MN_HEALING_NFIELDS] = {
    [MN_HEALING_INFLAMMATION] = {HS_INFL, "inflammation", "inflammatory-cell scale"},
    [MN_HEALING_DEBRIS] = {HS_DEBRIS, "debris", "volume fraction"},
    [MN_HEALING_TGF] = {HS_TGF, "tgf", "basal level"},
    [MN_HEALING_PDGF] = {HS_PDGF, "pdgf", "basal level"},
    [MN_HEALING_FIBROBLASTS_RESTING] = {HS_FR, "fibroblasts_resting", "normal density"},
    [MN_HEALING_FIBROBLASTS_ACTIVE] = {HS_FA, "fibroblasts_active", "normal density"},
    [MN_HEALING_COLLAGEN_III_NEW] = {HS_C3N, "collagen_III_new", "mg/cm^3"},
    [MN_HEALING_COLLAGEN_III_STRUCTURAL] = {HS_C3S, "collagen_III_structural", "mg/cm^3"},
    [MN_HEALING_COLLAGEN_I] = {HS_C1, "collagen_I", "mg/cm^3"},
    [MN_HEALING_ELASTIN] = {HS_EL, "elastin", "normal content"},
};

_Static_assert((int)MN_HEALING_NFIELDS == (int)HS_N, "every species has a public id");

const mn_grid *mn_healing_grid(const mn_healing *h) {
  return h != NULL ? h->g : NULL;
}

const double *mn_healing_field_data(const mn_healing *h, mn_healing_field_id id) {
  if (h == NULL || (int)id < 0 || id >= MN_HEALING_NFIELDS) {
    return NULL;
  }
  return mn_field_cdata(h->S.f[table[id].species]);
}

const char *mn_healing_field_name(mn_healing_field_id id) {
  return ((int)id >= 0 && id < MN_HEALING_NFIELDS) ? table[id].name : "?";
}

const char *mn_healing_field_units(mn_healing_field_id id) {
  return ((int)id >= 0 && id < MN_HEALING_NFIELDS) ? table[id].units : "?";
}
