/* Skin, healing phase: export and import of the evolving state (see
 * healing_state.h). The trial states A and B and the transport work arrays
 * are overwritten before every use, so the current state S, the clock, the
 * step-size controller's next step and the running totals are all a restart
 * needs. */
#include "skin/healing_state.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skin/healing_impl.h"

_Static_assert((int)MN_HEALING_NSPECIES == (int)HS_N, "healing_state.h must list every species");

const char *const mn_healing_species_names[] = {"inflammation",
                                                "debris",
                                                "tgf",
                                                "pdgf",
                                                "fibroblasts_resting",
                                                "fibroblasts_activated",
                                                "collagen_III_new",
                                                "collagen_III_structural",
                                                "collagen_I",
                                                "elastin",
                                                NULL};

int mn_healing_state_alloc(mn_healing_state *s, int nx, int ny, int nz, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  if (nx < 1 || ny < 1 || nz < 1) {
    snprintf(err, errlen, "healing state: empty grid %d x %d x %d", nx, ny, nz);
    return MN_SKIN_EINVAL;
  }
  s->nx = nx;
  s->ny = ny;
  s->nz = nz;
  s->ncols = (size_t)nx * (size_t)ny;
  s->nvox = s->ncols * (size_t)nz;
  for (int q = 0; q < HS_N; q++) {
    s->species[q] = malloc(s->nvox * sizeof(double));
  }
  s->epi = malloc(s->ncols * sizeof(double));
  int ok = s->epi != NULL;
  for (int q = 0; q < HS_N; q++) {
    ok = ok && s->species[q] != NULL;
  }
  if (!ok) {
    mn_healing_state_free(s);
    snprintf(err, errlen, "healing state: out of memory");
    return MN_SKIN_ENOMEM;
  }
  return MN_SKIN_OK;
}

void mn_healing_state_free(mn_healing_state *s) {
  if (s == NULL) {
    return;
  }
  for (int q = 0; q < HS_N; q++) {
    free(s->species[q]);
  }
  free(s->epi);
  memset(s, 0, sizeof *s);
}

int mn_healing_state_export(const mn_healing *h, mn_healing_state *s, char *err, size_t errlen) {
  if (h == NULL || s == NULL) {
    snprintf(err, errlen, "healing state: NULL argument");
    return MN_SKIN_EINVAL;
  }
  if (s->epi == NULL) {
    int rc = mn_healing_state_alloc(s, h->nx, h->ny, h->nz, err, errlen);
    if (rc != 0) {
      return rc;
    }
  } else if (s->nx != h->nx || s->ny != h->ny || s->nz != h->nz) {
    snprintf(err, errlen, "healing state: sized for another grid");
    return MN_SKIN_EINVAL;
  }
  for (int q = 0; q < HS_N; q++) {
    memcpy(s->species[q], mn_field_cdata(h->S.f[q]), h->nvox * sizeof(double));
  }
  memcpy(s->epi, h->S.epi, h->plane * sizeof(double));
  s->condition = (int)h->condition;
  s->t_days = h->t;
  s->dt_next_days = h->dt_next;
  s->nwounds = h->nwounds;
  s->steps = (uint64_t)h->steps;
  s->rejected = (uint64_t)h->rejected;
  s->gf_days = h->gf_days;
  s->inf_days = h->inf_days;
  s->inf_peak = h->inf_peak;
  return MN_SKIN_OK;
}

static int all_finite(const double *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(a[i])) {
      return 0;
    }
  }
  return 1;
}

int mn_healing_state_import(mn_healing *h, const mn_healing_state *s, char *err, size_t errlen) {
  if (h == NULL || s == NULL || s->epi == NULL) {
    snprintf(err, errlen, "healing state: NULL argument");
    return MN_SKIN_EINVAL;
  }
  if (s->nx != h->nx || s->ny != h->ny || s->nz != h->nz) {
    snprintf(err, errlen, "healing state: grid %d x %d x %d, this run's %d x %d x %d", s->nx, s->ny,
             s->nz, h->nx, h->ny, h->nz);
    return MN_SKIN_EINVAL;
  }
  if (s->condition != (int)h->condition) {
    snprintf(err, errlen, "healing state: starting tissue %d, this run's %d", s->condition,
             (int)h->condition);
    return MN_SKIN_EINVAL;
  }
  int ok = isfinite(s->t_days) && s->t_days >= h->t && isfinite(s->dt_next_days) &&
           s->dt_next_days > 0.0 && s->nwounds >= 0 && isfinite(s->gf_days) &&
           isfinite(s->inf_days) && isfinite(s->inf_peak) && all_finite(s->epi, s->ncols);
  for (int q = 0; ok && q < HS_N; q++) {
    ok = all_finite(s->species[q], s->nvox);
  }
  if (!ok) {
    snprintf(err, errlen, "healing state: a value is not finite or out of range");
    return MN_SKIN_EINVAL;
  }
  for (int q = 0; q < HS_N; q++) {
    memcpy(mn_field_data(h->S.f[q]), s->species[q], h->nvox * sizeof(double));
  }
  memcpy(h->S.epi, s->epi, h->plane * sizeof(double));
  h->t = s->t_days;
  h->dt_next = s->dt_next_days;
  h->nwounds = s->nwounds;
  h->steps = (size_t)s->steps;
  h->rejected = (size_t)s->rejected;
  h->gf_days = s->gf_days;
  h->inf_days = s->inf_days;
  h->inf_peak = s->inf_peak;
  return MN_SKIN_OK;
}
