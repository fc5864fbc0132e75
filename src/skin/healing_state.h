/* Skin, healing phase: the evolving state of a healing simulation as plain
 * named arrays and scalars, for checkpoints.
 *
 * Pipeline position: course driver <-> [healing state] <-> io/checkpoint.
 * Everything else of a healing object (grid, parameters, the condition's
 * niche and synthesis arrays, the starting tissue) follows deterministically
 * from its setup and condition, so a restart creates the object as the
 * original run did and imports this state into it; the continued run then
 * takes the same steps bit for bit. The state holds no HDF5: io/checkpoint.c
 * stores it.
 */
#ifndef MN_SKIN_HEALING_STATE_H
#define MN_SKIN_HEALING_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "skin/healing.h"

enum { MN_HEALING_NSPECIES = 10 };

/* Names of the species arrays, in the order of species[] (NULL-terminated). */
extern const char *const mn_healing_species_names[];

typedef struct mn_healing_state {
  int nx, ny, nz;                       /* the healing grid */
  int condition;                        /* mn_healing_condition of the starting tissue */
  size_t nvox, ncols;                   /* nx * ny * nz, nx * ny */
  double *species[MN_HEALING_NSPECIES]; /* nvox each, (k * ny + j) * nx + i */
  double *epi;                          /* ncols: viable epidermis, m */
  double t_days, dt_next_days;
  int nwounds;
  uint64_t steps, rejected;
  double gf_days, inf_days, inf_peak; /* running totals of the summary */
} mn_healing_state;

/* Allocates s's arrays for the grid given (s is zeroed first). */
int mn_healing_state_alloc(mn_healing_state *s, int nx, int ny, int nz, char *err, size_t errlen);
void mn_healing_state_free(mn_healing_state *s);

/* Copies h's state into s, allocating s for h's grid when it is empty. */
int mn_healing_state_export(const mn_healing *h, mn_healing_state *s, char *err, size_t errlen);
/* Sets h's state from s: the grid and the condition must be h's, the time
 * not before h's, and every value finite. */
int mn_healing_state_import(mn_healing *h, const mn_healing_state *s, char *err, size_t errlen);

#endif
