/* Skin, acute phase: microchannels on the grid (internal to src/skin).
 *
 * Each puncture inside the window becomes a channel: a cylinder from the
 * surface to its depth with its radius, rasterised into entries (voxel,
 * volume fraction phi). Entries in the stratum corneum and viable epidermis
 * belong to the channel's surface seal (openness b), the others to its lumen
 * (openness o). Lateral area fractions are normalised so every channel keeps
 * its true cross-section pi r^2 whatever the voxel size.
 *
 * Channels overlap (dense punctures), so the entries are also indexed by
 * voxel: every voxel a channel touches once (sorted), with the entries in it
 * in ascending order. The time loop runs in parallel over those voxels (each
 * writes only its own). */
#ifndef MN_SKIN_CHANNELS_H
#define MN_SKIN_CHANNELS_H

#include <stddef.h>
#include <stdint.h>

#include "numerics/grid.h"
#include "skin/acute.h"

/* One entry of a voxel: 2 * channel + 1 for a seal entry, + 0 for lumen. */
typedef struct mn_slot {
  uint32_t part;
  float phi;
} mn_slot;

typedef struct mn_channels {
  size_t n;
  double *depth, *t_open;              /* m, s */
  double *o, *b;                       /* lumen and seal openness */
  double *vol_lumen, *vol_seal, *area; /* m^3, m^3, m^2 */
  int *opened;
  size_t *start; /* entries of channel c: start[c] .. start[c + 1] - 1 */
  size_t nent;
  size_t *ev;
  double *phi;
  unsigned char *seal;
  /* Growth factors released so far per channel, seal and lumen, per unit
   * of phi: an entry holds phi times its part's value. */
  double *gf_seal, *gf_lumen;
  /* per entry, for the per-step channel means: its voxel (32 bits) and
   * phi * dz, the weight of the voxel in the channel's mean signal */
  uint32_t *ev32;
  double *w;
  size_t *ch_of; /* per entry: its channel */
  size_t nu;     /* voxels touched */
  size_t *uv;    /* their linear indices, ascending (nu) */
  /* Entries of voxel uv[u]: slots ustart[u] .. ustart[u + 1] - 1, stored in
   * voxel order so a pass over the voxels streams them. */
  size_t *ustart;
  mn_slot *slot;
} mn_channels;

/* Rasterises the punctures inside the window [x0, x0 + nx dx) x [y0, ...),
 * periodically wrapped. z_seal: depth of the bottom of the viable epidermis. */
int mn_channels_build(mn_channels *ch, const mn_grid *g, const mn_skin_punctures *p, double x0_m,
                      double y0_m, double z_seal, char *err, size_t errlen);
void mn_channels_free(mn_channels *ch);

/* Largest channel depth of the punctures inside the window, m (0: none). */
double mn_channels_max_depth(const mn_skin_punctures *p, double x0_m, double y0_m, double wx_m,
                             double wy_m);

#endif
