/*
 * Skin, healing phase: the tissue's depth profile (lateral means per depth
 * cell of the healing grid). The report draws the tissue before the first
 * session and at the end of the follow-up from two of these; the course
 * driver takes them, since the healing object lives only inside a run.
 */
#ifndef MN_SKIN_HEALING_PROFILE_H
#define MN_SKIN_HEALING_PROFILE_H

#include <stddef.h>

#include "skin/healing.h"

typedef struct mn_healing_profile {
  int nz;
  double t_days;
  double *depth_um;     /* cell-centre depth below the skin surface */
  double *collagen_I;   /* mg/cm^3 */
  double *collagen_III; /* mg/cm^3, new + structural */
  double *elastin;      /* relative to normal tissue */
  double *fibroblasts;  /* resting + activated, relative density */
} mn_healing_profile;

/* Fills *p (arrays malloc'd; free with mn_healing_profile_free). */
int mn_healing_profile_now(const mn_healing *h, mn_healing_profile *p, char *err, size_t errlen);
void mn_healing_profile_free(mn_healing_profile *p);

#endif
