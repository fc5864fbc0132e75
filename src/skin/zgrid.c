/* Skin, acute phase: building the depth faces (see zgrid.h). */
#include "skin/zgrid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int mn_acute_zfaces(const mn_skin_layers *L, const mn_acute_params *P, double res, double z_fine,
                    double z_bot, double **zf_out, int **layer_out, int *nz_out, char *err,
                    size_t errlen) {
  const double thick[MN_NLAYERS] = {L->stratum_corneum, L->viable_epidermis, L->papillary_dermis,
                                    L->reticular_dermis};
  size_t cap = 64, n = 0;
  double *zf = malloc((cap + 1) * sizeof(double));
  int *lay = malloc(cap * sizeof(int));
  if (!zf || !lay)
    goto nomem;
  zf[0] = 0.0;
  double top = 0.0, h_deep = res;
  for (int l = 0; l < MN_NLAYERS && top < z_bot; l++) {
    double bot = fmin(top + thick[l], z_bot);
    if (l == MN_LAYER_RD)
      bot = z_bot; /* the reticular dermis carries on to the bottom */
    int ncell = 0;
    if (l == MN_LAYER_SC)
      ncell = P->sc_cells;
    else if (l == MN_LAYER_VE)
      ncell = (int)ceil((bot - top) / P->ve_cell - 1e-9);
    else if (l == MN_LAYER_PD)
      ncell = (int)ceil((bot - top) / (res * P->pd_cell_factor) - 1e-9);
    double z = top;
    for (int c = 0; (l < MN_LAYER_RD) ? c < ncell : z < bot - 1e-12; c++) {
      double h;
      if (l < MN_LAYER_RD) {
        h = (bot - top) / ncell;
      } else {
        h = (z < z_fine) ? res
                         : (h_deep = fmin(h_deep * P->deep_growth, res * P->deep_cell_max_factor));
        if (z + 1.5 * h > bot)
          h = bot - z; /* last cell takes the rest */
      }
      if (n == cap) {
        cap *= 2;
        double *zf2 = realloc(zf, (cap + 1) * sizeof(double));
        if (zf2)
          zf = zf2;
        int *lay2 = realloc(lay, cap * sizeof(int));
        if (lay2)
          lay = lay2;
        if (!zf2 || !lay2)
          goto nomem;
      }
      z = (l < MN_LAYER_RD && c == ncell - 1) ? bot : z + h;
      lay[n] = l;
      zf[++n] = z;
    }
    top = bot;
  }
  if (n < 2) {
    free(zf);
    free(lay);
    snprintf(err, errlen, "acute: depth grid has fewer than 2 cells");
    return MN_SKIN_EINVAL;
  }
  *zf_out = zf;
  *layer_out = lay;
  *nz_out = (int)n;
  return MN_SKIN_OK;
nomem:
  free(zf);
  free(lay);
  snprintf(err, errlen, "acute: out of memory for the depth grid");
  return MN_SKIN_ENOMEM;
}
