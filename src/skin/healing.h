/* Skin, healing phase (days to months after each session): what the
 * punctures of a course of sessions do to the dermis and epidermis.
 *
 * Pipeline position: device -> punctures -> acute -> mn_tissue -> [healing]
 * -> course result. One mn_healing is one simulation of a whole course: the
 * course driver creates it on the treated window, optionally gives it the
 * starting tissue of an indication (acne scar, stretch mark), then for each
 * session advances it to the end of that session's acute stage and adds the
 * session's wound (the acute stage's growth factors, inflammatory signal and
 * wounded volume, mapped onto the tissue as it stands that day), and samples
 * it at any time. Sessions that overlap add to a tissue still healing from
 * the last one: the response of a course is not a sum of sessions.
 *
 * Model (equations and every parameter: docs/model.md, "Healing stage"; parameters from
 * data/skin/healing/ through mn_params): on a 3D grid of the window (the
 * acute window's extent, coarser laterally, viable epidermis to the bottom of
 * the dermis in depth) with fields
 *  - TGF-beta class and PDGF class growth factors: diffusing (implicit LOD),
 *    decaying, made by inflammatory cells and activated fibroblasts;
 *  - inflammation (lumped inflammatory cells recruited by wound debris,
 *    which they clear) resolving over days;
 *  - resting and activated fibroblasts: activation by growth factors,
 *    PDGF-driven proliferation to a carrying capacity, chemotaxis up the
 *    growth-factor gradient (explicit upwind transport, no diffusion),
 *    return to rest, apoptosis, slow return of the population to its niche;
 *  - collagen: structural I and III made by every fibroblast at the rate that
 *    balances their turnover (years), new (wound) collagen III deposited by
 *    activated fibroblasts where there is room, maturing into collagen I
 *    over weeks, extra degradation while inflamed;
 *  - elastin: the same balance with a half-life of decades and a small
 *    synthesis by activated fibroblasts;
 *  - epidermis (per column): viable thickness relaxing at the keratinocyte
 *    turnover rate towards a target raised by fibroblast-derived mitogens.
 * The fields carry the excess over the unwounded steady state where that is
 * zero (growth factors, inflammation, debris, activated fibroblasts), so the
 * unwounded tissue is an exact steady state of the discrete scheme.
 * Time steps (hours to days) are chosen by step doubling on the whole split
 * step.
 */
#ifndef MN_SKIN_HEALING_H
#define MN_SKIN_HEALING_H

#include <stddef.h>

#include "io/params.h"
#include "skin/acute.h"

typedef struct mn_healing mn_healing;

/* Starting tissue of the treated region (protocol subject.condition). */
typedef enum mn_healing_condition {
  MN_HEALING_NORMAL = 0,
  MN_HEALING_ACNE_SCAR, /* a depressed disc of reduced, dense collagen and fewer fibroblasts */
  MN_HEALING_STRIAE     /* a band of thinned dermis, less elastin, flattened epidermis */
} mn_healing_condition;

typedef struct mn_healing_setup {
  mn_skin_layers layers; /* body site, m (viable epidermis to reticular dermis are used) */
  double window_m[2];    /* lateral extent of the window, m (the acute window's) */
  int nthreads;          /* 0: OpenMP default */
} mn_healing_setup;

/* The acute stage's end state as the healing stage reads it: a plain view
 * (arrays owned by the caller) on a grid of nx * ny * nz cells, indexed
 * (k * ny + j) * nx + i, of uniform lateral spacing over the same window as
 * the healing stage's, and nz + 1 face depths from the skin surface. */
typedef struct mn_healing_wound {
  int nx, ny, nz;
  double dx, dy;        /* m */
  const double *zf;     /* nz + 1 face depths, m */
  const double *growth; /* growth factors released (acute units); NULL: none */
  const double *signal; /* inflammatory signal (acute units); NULL: none */
  const double *wound;  /* wounded volume fraction, 0..1; NULL: none */
} mn_healing_wound;

/* One sample: means over the window. Collagen in mg/cm^3 of tissue, elastin
 * and fibroblasts relative to normal tissue, growth factors and inflammation
 * as excess over the unwounded level in units of the basal level (growth
 * factors) or of the inflammatory-cell scale (inflammation). */
typedef struct mn_healing_sample {
  double t_days;
  double collagen_I, collagen_III, collagen_total; /* dermis */
  double collagen_I_pd, collagen_III_pd;           /* papillary dermis */
  double elastin;                                  /* dermis */
  double fibroblasts, fibroblasts_activated;       /* dermis; fibroblasts = resting + activated */
  double growth_factor;                            /* TGF-beta excess, dermis */
  double pdgf;                                     /* PDGF excess, dermis */
  double inflammation;                             /* dermis */
  double epidermis_um;         /* stratum corneum + viable epidermis, mean over columns */
  double dermal_thickness_um;  /* matrix-equivalent dermal thickness, mean over columns */
  double region_depression_um; /* condition region: depth below the surrounding normal skin */
} mn_healing_sample;

/* Per run: changes from the tissue before the first wound to now. */
typedef struct mn_healing_summary {
  double t_days;
  int nwounds;
  double collagen_I_change_pct, collagen_III_change_pct, collagen_total_change_pct; /* dermis */
  double papillary_collagen_change_pct;
  double ratio_I_III_start, ratio_I_III_end; /* dermis */
  double elastin_change_pct;
  double epidermis_change_pct;
  double new_collagen_cv; /* spatial CV of new collagen (column integrals) across columns */
  double growth_factor_elevated_days; /* TGF-beta excess above the elevation threshold */
  double inflammation_days;           /* inflammation above its resolution fraction */
  /* indication (condition region; zeros for normal skin) */
  mn_healing_condition condition;
  double depression_start_um, depression_end_um, fill_pct;                       /* acne scar */
  double region_dermis_start_um, region_dermis_end_um, region_dermis_change_pct; /* region */
  size_t steps, rejected;
} mn_healing_summary;

/* Builds the tissue at its unwounded steady state (normal skin) at t = 0.
 * Reads the groups healing_* of data/skin/healing/. */
int mn_healing_create(mn_healing **out, const mn_healing_setup *s, const mn_params *t, char *err,
                      size_t errlen);
void mn_healing_destroy(mn_healing **h);

/* The window and layers of an acute run's tissue (the lateral extent of its
 * grid) with the body site's layers. */
int mn_healing_setup_from_tissue(const mn_tissue *tissue, const mn_skin_layers *layers,
                                 mn_healing_setup *s, char *err, size_t errlen);

/* Sets the starting tissue of an indication (its steady state: the region
 * stays as it is without treatment). Only before the first wound. */
int mn_healing_set_condition(mn_healing *h, mn_healing_condition c, char *err, size_t errlen);

/* "acne_scar", "striae", "none" / "normal" -> condition; -1 if unknown. */
int mn_healing_condition_from_name(const char *name, mn_healing_condition *c);

/* Adds a session's wound to the tissue as it stands now. */
int mn_healing_add_wound(mn_healing *h, const mn_tissue *acute_end, char *err, size_t errlen);
int mn_healing_add_wound_view(mn_healing *h, const mn_healing_wound *w, char *err, size_t errlen);
/* The view of an acute stage's tissue (its grid, growth, signal, wound). */
int mn_healing_wound_of_tissue(const mn_tissue *t, mn_healing_wound *w, char *err, size_t errlen);

/* Advances to t_days (>= the current time) with adaptive steps. */
int mn_healing_advance(mn_healing *h, double t_days, char *err, size_t errlen);

double mn_healing_time(const mn_healing *h);

int mn_healing_sample_now(const mn_healing *h, mn_healing_sample *out);
int mn_healing_summary_now(const mn_healing *h, mn_healing_summary *out);

/* Grid of the healing stage (coarse lateral cells, its own depth cells). */
int mn_healing_dims(const mn_healing *h, int *nx, int *ny, int *nz);

#endif
