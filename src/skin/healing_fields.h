/* Skin, healing phase: a read-only look at the healing stage's 3D state, for
 * the field snapshots a run writes (io/fields.h) between the course driver's
 * calls to mn_healing_advance.
 *
 * The arrays live on mn_healing_grid()'s cells, indexed as every mn_grid
 * (x fastest); they stay valid until the next call that changes the
 * simulation (advance, add a wound, set a condition) or its destruction.
 */
#ifndef MN_SKIN_HEALING_FIELDS_H
#define MN_SKIN_HEALING_FIELDS_H

#include "numerics/grid.h"
#include "skin/healing.h"

/* The healing stage's species (docs/model.md, "Healing stage", "Fields"). Growth factors,
 * inflammation, debris and activated fibroblasts are the excess over the
 * unwounded tissue. */
typedef enum mn_healing_field_id {
  MN_HEALING_INFLAMMATION = 0,        /* inflammatory cells, own scale */
  MN_HEALING_DEBRIS,                  /* wound debris, volume fraction */
  MN_HEALING_TGF,                     /* TGF-beta class excess, basal level */
  MN_HEALING_PDGF,                    /* PDGF class excess, basal level */
  MN_HEALING_FIBROBLASTS_RESTING,     /* relative to normal density */
  MN_HEALING_FIBROBLASTS_ACTIVE,      /* relative to normal density */
  MN_HEALING_COLLAGEN_III_NEW,        /* wound collagen III, mg/cm^3 */
  MN_HEALING_COLLAGEN_III_STRUCTURAL, /* mg/cm^3 */
  MN_HEALING_COLLAGEN_I,              /* mg/cm^3 */
  MN_HEALING_ELASTIN,                 /* relative to normal content */
  MN_HEALING_NFIELDS
} mn_healing_field_id;

/* The grid: coarse lateral cells over the window, depth from the top of the
 * viable epidermis to the bottom of the reticular dermis. NULL for NULL. */
const mn_grid *mn_healing_grid(const mn_healing *h);

/* The current values of one species (mn_grid_nvox values); NULL for NULL
 * or an id out of range. */
const double *mn_healing_field_data(const mn_healing *h, mn_healing_field_id id);

/* Name and unit of a species ("collagen_I", "mg/cm^3"); "?" out of range. */
const char *mn_healing_field_name(mn_healing_field_id id);
const char *mn_healing_field_units(mn_healing_field_id id);

#endif
