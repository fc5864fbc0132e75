/* Skin, acute phase: the depth grid (internal to src/skin). Faces follow the
 * layer boundaries: a few cells across the thin stratum corneum, fine cells in
 * the viable epidermis and papillary dermis, the lateral resolution down to
 * the deepest channel, then cells growing geometrically to the bottom. */
#ifndef MN_SKIN_ZGRID_H
#define MN_SKIN_ZGRID_H

#include <stddef.h>

#include "skin/acute.h"
#include "skin/acute_params.h"

enum { MN_LAYER_SC = 0, MN_LAYER_VE, MN_LAYER_PD, MN_LAYER_RD, MN_NLAYERS };

/* Faces (nz + 1) and the layer of each cell (nz), malloc'd. z_fine: depth to
 * which cells stay at the lateral resolution; z_bot: the bottom. */
int mn_acute_zfaces(const mn_skin_layers *L, const mn_acute_params *P, double res, double z_fine,
                    double z_bot, double **zf, int **layer, int *nz, char *err, size_t errlen);

#endif
