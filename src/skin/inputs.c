/* Skin, acute phase: filling the stage's plain input structs (layers of a
 * body site, a topical compound) from the parameter table, so the stage
 * itself never depends on how the protocol or data files are organised. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "skin/acute.h"

static int group_key(char *key, size_t n, const char *prefix, const char *name, const char *leaf) {
  int w = snprintf(key, n, "%s%s.%s", prefix, name, leaf);
  if (w < 0 || (size_t)w >= n)
    return -1;
  /* file names use '-', group names '_' */
  for (char *c = key; *c && *c != '.'; c++)
    if (*c == '-')
      *c = '_';
  return 0;
}

int mn_skin_layers_load(const mn_params *t, const char *species, const char *site,
                        mn_skin_layers *out, char *err, size_t errlen) {
  if (!t || !species || !site || !out) {
    snprintf(err, errlen, "skin layers: NULL argument");
    return MN_SKIN_EINVAL;
  }
  char name[96];
  int w = snprintf(name, sizeof name, "%s_%s", species, site);
  if (w < 0 || (size_t)w >= sizeof name) {
    snprintf(err, errlen, "skin layers: name too long");
    return MN_SKIN_EINVAL;
  }
  const char *leaf[] = {"stratum_corneum", "viable_epidermis", "papillary_dermis",
                        "reticular_dermis", "subcutaneous_fat"};
  double *dst[] = {&out->stratum_corneum, &out->viable_epidermis, &out->papillary_dermis,
                   &out->reticular_dermis, &out->subcutaneous_fat};
  for (size_t i = 0; i < 5; i++) {
    char key[160];
    if (group_key(key, sizeof key, "site_", name, leaf[i])) {
      snprintf(err, errlen, "skin layers: name too long");
      return MN_SKIN_EINVAL;
    }
    if (mn_params_get(t, key, "m", dst[i], err, errlen))
      return MN_SKIN_EPARAM;
    if (!(*dst[i] > 0.0)) {
      snprintf(err, errlen, "%s: must be > 0", key);
      return MN_SKIN_EPARAM;
    }
  }
  return MN_SKIN_OK;
}

/* An optional scalar: 1 found, 0 absent, negative error. */
static int get_opt(const mn_params *t, const char *key, const char *unit, double *v, char *err,
                   size_t errlen) {
  if (!mn_params_find(t, key))
    return 0;
  if (mn_params_get(t, key, unit, v, err, errlen))
    return MN_SKIN_EPARAM;
  return 1;
}

int mn_skin_compound_load(const mn_params *t, const char *name, mn_skin_compound *out, char *err,
                          size_t errlen) {
  if (!t || !name || !out) {
    snprintf(err, errlen, "compound: NULL argument");
    return MN_SKIN_EINVAL;
  }
  memset(out, 0, sizeof *out);
  if (strlen(name) >= sizeof out->name) {
    snprintf(err, errlen, "compound: name too long");
    return MN_SKIN_EINVAL;
  }
  strcpy(out->name, name);
  char key[160];
#define KEY(leaf) (group_key(key, sizeof key, "compound_", name, leaf) ? "" : key)
  if (mn_params_get(t, KEY("molecular_weight"), "g/mol", &out->molecular_weight, err, errlen) ||
      mn_params_get(t, KEY("log_p"), "1", &out->log_p, err, errlen))
    return MN_SKIN_EPARAM;
  if (!(out->molecular_weight > 0.0)) {
    snprintf(err, errlen, "compound %s: molecular_weight must be > 0", name);
    return MN_SKIN_EPARAM;
  }
  /* Potts & Guy (data/skin/compounds/potts_guy.yaml): log10 kp = a + b log P
   * + c MW (kp in cm/h, c < 0); the log P term is the stratum corneum/water
   * partition, the rest D / L. A large molecule's kp underflows to zero: such
   * a compound enters only through open channels. */
  double a, b, c;
  if (mn_params_get(t, "permeation_potts_guy.intercept", "1", &a, err, errlen) ||
      mn_params_get(t, "permeation_potts_guy.log_p_slope", "1", &b, err, errlen) ||
      mn_params_get(t, "permeation_potts_guy.mw_slope", "mol/g", &c, err, errlen))
    return MN_SKIN_EPARAM;
  out->kp_sc = pow(10.0, a + b * out->log_p + c * out->molecular_weight) * 1e-2 / 3600.0;
  out->k_sc = pow(10.0, b * out->log_p);
  /* free diffusion in the fluid of an open channel, from the compound file */
  if (mn_params_get(t, KEY("diffusivity_water"), "m^2/s", &out->d_aqueous, err, errlen))
    return MN_SKIN_EPARAM;
  double d_sc = 0.0, k_sc = 0.0;
  int has_d = get_opt(t, KEY("sc_diffusivity"), "m^2/s", &d_sc, err, errlen);
  if (has_d < 0)
    return has_d;
  int has_k = get_opt(t, KEY("sc_partition"), "1", &k_sc, err, errlen);
  if (has_k < 0)
    return has_k;
#undef KEY
  if (has_k)
    out->k_sc = k_sc;
  if (has_d)
    out->d_sc = d_sc;
  if (!(out->d_aqueous > 0.0) || !(out->k_sc > 0.0) || out->d_sc < 0.0 || !(out->kp_sc >= 0.0)) {
    snprintf(err, errlen, "compound %s: diffusivity_water and partition must be > 0", name);
    return MN_SKIN_EPARAM;
  }
  return MN_SKIN_OK;
}
