/* Skin, healing phase: the state shared by the healing modules (internal to
 * src/skin; the public API is healing.h). */
#ifndef MN_SKIN_HEALING_IMPL_H
#define MN_SKIN_HEALING_IMPL_H

#include <stddef.h>

#include "numerics/grid.h"
#include "numerics/lod.h"
#include "skin/healing.h"
#include "skin/healing_params.h"

/* Species per voxel, in the order of the reaction integrator. */
enum {
  HS_INFL = 0, /* inflammatory cells, I */
  HS_DEBRIS,   /* wound debris, D (volume fraction) */
  HS_TGF,      /* TGF-beta excess, basal units */
  HS_PDGF,     /* PDGF excess, basal units */
  HS_FR,       /* resting fibroblasts, relative density */
  HS_FA,       /* activated fibroblasts */
  HS_C3N,      /* new (wound) collagen III, mg/cm^3 */
  HS_C3S,      /* structural collagen III */
  HS_C1,       /* collagen I */
  HS_EL,       /* elastin, relative */
  HS_N
};

enum { HL_VE = 1, HL_PD = 2, HL_RD = 3 }; /* layer ids as in mn_tissue_layer_of_cell */

/* One copy of the evolving state. */
typedef struct hstate {
  mn_field *f[HS_N];
  double *epi; /* viable epidermal thickness per column, m */
} hstate;

struct mn_healing {
  mn_healing_params P;
  mn_skin_layers layers;
  int nthreads;
  mn_grid *g;
  int nx, ny, nz;
  size_t plane, nvox;
  int *layer; /* nz */
  double dxy; /* m^2 */

  hstate S, A, B; /* current; the one-step and two-half-step trials */
  mn_lod *lod_tgf, *lod_pdgf;

  /* per voxel: the tissue's own steady state (set by the condition) */
  double *niche;         /* fibroblast niche Fn */
  double *syn1;          /* structural collagen I made per unit fibroblasts, mg/cm^3/d */
  double *syn3;          /* structural collagen III */
  double *synE;          /* elastin */
  double *cnorm;         /* normal collagen content of the layer (capacity reference) */
  double *c_base;        /* total collagen before the first wound */
  double *h0;            /* per column: unwounded viable epidermis, m */
  unsigned char *region; /* per column: 1 inside the condition region */
  mn_healing_condition condition;

  /* transport work arrays (nvox each) */
  double *vx, *vy, *vz, *dfa;

  double t;       /* days */
  double dt_next; /* days */
  int nwounds;
  size_t steps, rejected;
  double gf_days, inf_days, inf_peak;
  mn_healing_sample start; /* before the first wound */
};

/* Kinetics (healing_kinetics.c). */
int mn_healing_react(mn_healing *h, hstate *s, double dt, char *err, size_t errlen);
void mn_healing_epidermis(mn_healing *h, hstate *s, double dt);
int mn_healing_chemotaxis(mn_healing *h, hstate *s, double dt, char *err, size_t errlen);

/* Overlap remapping of a cell-average field between two grids with
 * matching lateral extent (healing_remap.c). */
int mn_healing_remap(const mn_healing *h, const mn_healing_wound *w, const double *src, double *dst,
                     char *err, size_t errlen);

/* The steady state of the tissue for the current niche arrays (condition). */
void mn_healing_fill_baseline(mn_healing *h, hstate *s);

/* Means and thicknesses (healing.c). */
void mn_healing_measure(const mn_healing *h, const hstate *s, mn_healing_sample *o);

#endif
