/* Skin, acute phase (0-72 h after a session): what the punctures do to the
 * skin in its first days.
 *
 * Pipeline position: device -> punctures -> [acute] -> mn_tissue -> healing.
 * The stage takes plain structs only (layer thicknesses, a compound, a view
 * of the puncture list, options), builds a 3D grid of a window of the treated
 * area (periodic laterally, fine near the surface, coarser in the dermis) and
 * runs, by operator splitting with the implicit LOD solver:
 *  - channels: each puncture opens a column to its depth and radius; its
 *    surface seal (barrier, stratum corneum and viable epidermis) and its
 *    lumen (below) close as a wound-healing process whose rate rises with the
 *    local inflammatory signal and falls with depth and under occlusion;
 *  - water: diffusion from body water (bottom) through the layers and the
 *    open channels to the air (Robin top); TEWL is the water flux out;
 *  - a topical compound (optional): donor at the top for its duration,
 *    through intact stratum corneum and through open channels, dermal
 *    clearance in vivo or a receptor sink ex vivo; run again on unneedled
 *    skin for the enhancement;
 *  - an inflammatory signal released from the wounded volume, diffusing and
 *    decaying, giving erythema; growth factors released alongside (bound,
 *    not diffusing) for the healing stage.
 * Equations, boundary conditions and every parameter: docs/model.md. All
 * parameters come from data/skin/acute/ through mn_params.
 */
#ifndef MN_SKIN_ACUTE_H
#define MN_SKIN_ACUTE_H

#include <stddef.h>

#include "io/params.h"
#include "numerics/grid.h"

enum {
  MN_SKIN_OK = 0,
  MN_SKIN_EINVAL = -1,   /* bad argument or inconsistent input */
  MN_SKIN_EPARAM = -2,   /* a parameter is missing or out of range */
  MN_SKIN_ENOMEM = -3,   /* out of memory */
  MN_SKIN_ENUMERIC = -4, /* the solver failed */
  MN_SKIN_ESTOPPED = -5  /* the step observer asked to stop */
};

/* Layer thicknesses of a body site, m (data/skin/sites/SPECIES-SITE.yaml). */
typedef struct mn_skin_layers {
  double stratum_corneum, viable_epidermis, papillary_dermis, reticular_dermis, subcutaneous_fat;
} mn_skin_layers;

/* Reads group site_SPECIES_SITE ('-' in the site name read as '_'). */
int mn_skin_layers_load(const mn_params *t, const char *species, const char *site,
                        mn_skin_layers *out, char *err, size_t errlen);

/* What the permeation model needs of a topical compound. */
typedef struct mn_skin_compound {
  char name[64];
  double molecular_weight; /* g/mol */
  double log_p;            /* octanol/water */
  double d_aqueous;        /* m^2/s, free solution at skin temperature */
  /* Stratum corneum: diffusivity (m^2/s) and partition relative to the
   * vehicle. d_sc == 0 means "from the Potts-Guy permeability kp_sc and the
   * site's stratum corneum thickness": d_sc = kp_sc * L_sc / k_sc. */
  double d_sc, k_sc;
  double kp_sc; /* m/s */
} mn_skin_compound;

/* Reads group compound_NAME: molecular_weight (g/mol), log_p ("1") and
 * diffusivity_water (m^2/s) always; sc_diffusivity (m^2/s) and sc_partition
 * ("1") when present, else from Potts & Guy (group permeation_potts_guy,
 * data/skin/compounds/potts_guy.yaml). */
int mn_skin_compound_load(const mn_params *t, const char *name, mn_skin_compound *out, char *err,
                          size_t errlen);

/* A view of the puncture list (arrays owned by the caller, n entries each).
 * Positions in the treatment area's coordinates; time from session start. */
typedef struct mn_skin_punctures {
  size_t n;
  const double *x_mm, *y_mm, *depth_um, *radius_um, *time_s;
} mn_skin_punctures;

/* The state handed to the healing stage: the grid and fields at the end. */
typedef struct mn_tissue mn_tissue;

/* A look at the run between two time steps (valid during the observer's
 * call only): for field snapshots and for stopping a run on a signal. */
typedef struct mn_acute_step mn_acute_step;
/* Time since the start of the run, h. */
double mn_acute_step_time_h(const mn_acute_step *s);
/* The tissue as it stands, its channel-derived fields (wound, open, growth)
 * brought up to date first; costs a pass over the channels, so only call it
 * when a snapshot is wanted. */
const mn_tissue *mn_acute_step_tissue(mn_acute_step *s);
/* Called after every step of the needled run (not the unneedled reference);
 * a non-zero return stops the run with MN_SKIN_ESTOPPED. */
typedef int (*mn_acute_step_fn)(void *ctx, mn_acute_step *s);

typedef struct mn_acute_options {
  int occlusion;  /* covered after needling */
  int diclofenac; /* topical anti-inflammatory */
  int ex_vivo;    /* excised skin in a diffusion cell: no healing, receptor sink */
  int has_topical;
  int topical_before;          /* applied before needling (needles drag it in) */
  double topical_duration_h;   /* on the skin for this long, then wiped */
  double donor_mg_ml;          /* donor concentration in the vehicle */
  double dose_mg_cm2;          /* formulation applied per area (a film that depletes as
                                  the compound enters); 0: a reservoir that never
                                  depletes, as in a diffusion cell's donor chamber */
  double window_mm[2];         /* simulated lateral window */
  double window_origin_mm[2];  /* its corner in the punctures' coordinates */
  double resolution_um;        /* lateral voxel edge */
  double duration_h;           /* simulated time, e.g. 72 */
  double membrane_thickness_m; /* ex vivo: skin thickness in the cell; 0: full skin */
  int nthreads;                /* 0: OpenMP default */
  int skip_reference;          /* 1: no unneedled run (enhancement left at 0) */
  mn_acute_step_fn on_step;    /* may be NULL */
  void *step_ctx;
} mn_acute_options;

/* Defaults: no occlusion, no drug, in vivo, no topical, 3 x 3 mm at 20 um,
 * 72 h. */
void mn_acute_options_default(mn_acute_options *o);

typedef struct mn_acute_input {
  char species[32], site[32]; /* for the baseline TEWL (data/skin/acute/tewl.yaml) */
  mn_skin_layers layers;
  mn_skin_compound compound; /* used when options.has_topical */
  mn_skin_punctures punctures;
  mn_acute_options options;
} mn_acute_input;

/* One row of the time series (after each time step; the first row is t = 0). */
typedef struct mn_acute_sample {
  double time_h;
  double tewl_g_m2_h;
  double open_channel_fraction; /* volume-weighted lumen openness, 0..1 */
  double barrier_open_fraction; /* area-weighted surface openness, 0..1 */
  double flux_ug_cm2_h;         /* compound leaving the skin (sink, clearance) */
  double cumulative_ug_cm2;
  double erythema_index; /* 0..1 */
} mn_acute_sample;

typedef enum mn_tissue_field_id {
  MN_TISSUE_SIGNAL = 0, /* inflammatory signal, units of its erythema half-saturation */
  MN_TISSUE_GROWTH,     /* growth factors released, same units per release */
  MN_TISSUE_WOUND,      /* wounded volume fraction (channel footprints), 0..1 */
  MN_TISSUE_OPEN,       /* wounded fraction still open at the end, 0..1 */
  MN_TISSUE_WATER,      /* water, kg/m^3 */
  MN_TISSUE_COMPOUND,   /* topical compound, kg/m^3 (zero without one) */
  MN_TISSUE_NFIELDS
} mn_tissue_field_id;

const mn_grid *mn_tissue_grid(const mn_tissue *t);
const mn_field *mn_tissue_field(const mn_tissue *t, mn_tissue_field_id id);
/* Layer of each depth cell: 0 stratum corneum, 1 viable epidermis,
 * 2 papillary dermis, 3 reticular dermis (nz values). */
const int *mn_tissue_layer_of_cell(const mn_tissue *t);
double mn_tissue_time_h(const mn_tissue *t);
void mn_tissue_destroy(mn_tissue **t);

typedef struct mn_acute_result {
  mn_acute_sample *series; /* nseries rows, owned */
  size_t nseries;
  size_t nchannels; /* punctures inside the window */
  int nx, ny, nz;

  double tewl_baseline_g_m2_h, tewl_peak_g_m2_h;
  double tewl_recovery_h; /* first time after the peak within 10% of baseline; -1: not in the run */
  double pore_closure_half_life_h, pore_closure_h;     /* lumen; -1: not in the run */
  double barrier_half_life_h, barrier_resealing_h;     /* surface seal; -1: not in the run */
  double erythema_peak, erythema_duration_h;           /* duration above the threshold */
  double lag_time_h, flux_ug_cm2_h, cumulative_ug_cm2; /* flux: the largest */
  double ref_lag_time_h, ref_flux_ug_cm2_h, ref_cumulative_ug_cm2; /* unneedled */
  double enhancement; /* cumulative needled / unneedled at the end; 0 without a reference */

  /* Compound mass balance, ug/cm^2 of window: in = tissue + cleared + sink. */
  double donor_in_ug_cm2, tissue_ug_cm2, cleared_ug_cm2, sink_ug_cm2;

  size_t steps;
  mn_tissue *tissue; /* owned; take it (set to NULL) to keep it past the result */
} mn_acute_result;

/* Runs the acute stage. On success *out holds the result (free it with
 * mn_acute_result_free). On error *out is empty and err says why. */
int mn_acute_run(const mn_acute_input *in, const mn_params *t, mn_acute_result *out, char *err,
                 size_t errlen);

void mn_acute_result_free(mn_acute_result *r);

#endif
