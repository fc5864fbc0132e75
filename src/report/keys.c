/*
 * The key figures the report tabulates: the numbers of summary.json with
 * their units and one-line definitions (docs/model.md).
 * The acute figures are session 1's, as in summary.json.
 */
#include <math.h>

#include "report/report_impl.h"

/* A figure the run could not determine is negative in the result. */
static double found(double v) {
  return v < 0.0 ? NAN : v;
}

static int put(mn_report_key *k, int n, int max, const char *name, double v, const char *unit,
               const char *def, mn_report_stage stage) {
  if (n < max) {
    mn_report_key e = {name, v, unit, def, stage};
    k[n] = e;
    return n + 1;
  }
  return n;
}

int mn_report_keys(const mn_protocol *p, const mn_course_result *r, mn_report_key *k, int max) {
  int n = 0;
  if (r->nsessions < 1) {
    return 0;
  }
  const mn_puncture_stats *s = &r->sessions[0].punctures;
  const mn_acute_result *a = &r->sessions[0].acute;
  const mn_report_stage D = MN_REPORT_STAGE_DEVICE, A = MN_REPORT_STAGE_ACUTE,
                        T = MN_REPORT_STAGE_TOPICAL, H = MN_REPORT_STAGE_HEALING;
  n = put(k, n, max, "punctures", (double)s->punctures, "",
          "punctures of session 1 inside the treated area", D);
  n = put(k, n, max, "puncture density", s->per_cm2, "per cm\u00b2",
          "punctures of session 1 divided by the treated area", D);
  n = put(k, n, max, "density CV", s->density_cv, "",
          "standard deviation / mean of the punctures per density cell", D);
  n = put(k, n, max, "channel depth", s->depth_mean_um, "\u00b5m",
          "mean depth of the open channels", D);
  n = put(k, n, max, "channel width", s->width_mean_um, "\u00b5m",
          "mean diameter of the channels at the skin surface", D);
  n = put(k, n, max, "inserted depth", s->inserted_mean_um, "\u00b5m",
          "mean depth the needle tips reached (the wound)", D);
  n = put(k, n, max, "TEWL baseline", a->tewl_baseline_g_m2_h, "g/m\u00b2/h",
          "transepidermal water loss of the intact skin", A);
  n = put(k, n, max, "TEWL peak", a->tewl_peak_g_m2_h, "g/m\u00b2/h",
          "largest transepidermal water loss after needling", A);
  n = put(k, n, max, "TEWL recovery", found(a->tewl_recovery_h), "h",
          "first time after the peak within 10 % of the baseline", A);
  n = put(k, n, max, "pore closure half-life", found(a->pore_closure_half_life_h), "h",
          "time for the channels' open lumen (volume-weighted) to halve", A);
  n = put(k, n, max, "pore closure", found(a->pore_closure_h), "h",
          "time for the open lumen to fall below the closure threshold", A);
  n = put(k, n, max, "barrier half-life", found(a->barrier_half_life_h), "h",
          "time for the open surface seal (area-weighted) to halve", A);
  n = put(k, n, max, "barrier resealing", found(a->barrier_resealing_h), "h",
          "time for the open surface seal to fall below the closure threshold", A);
  n = put(k, n, max, "erythema peak", a->erythema_peak, "0-1",
          "largest erythema index S/(S+1), S the papillary inflammatory signal", A);
  n = put(k, n, max, "erythema duration", found(a->erythema_duration_h), "h",
          "time with the erythema index above 0.2", A);
  if (p->treatment.has_topical) {
    n = put(k, n, max, "lag time", a->lag_time_h < 0.0 ? NAN : a->lag_time_h * 60.0, "min",
            "Crank's tangent to the cumulative amount at the largest flux, on the time axis", T);
    n = put(k, n, max, "largest flux", a->flux_ug_cm2_h, "\u00b5g/cm\u00b2/h",
            "largest rate at which the compound leaves the skin (clearance and sink)", T);
    n = put(k, n, max, "cumulative delivery", a->cumulative_ug_cm2, "\u00b5g/cm\u00b2",
            "compound cleared and past the sink by the end of the acute window", T);
    n = put(k, n, max, "intact cumulative", a->ref_cumulative_ug_cm2, "\u00b5g/cm\u00b2",
            "the same on unneedled skin (same grid and clock)", T);
    n = put(k, n, max, "enhancement", a->enhancement, "x",
            "cumulative delivery needled / unneedled at the end", T);
    n = put(k, n, max, "flux enhancement",
            a->ref_flux_ug_cm2_h > 0.0 ? a->flux_ug_cm2_h / a->ref_flux_ug_cm2_h : NAN, "x",
            "largest flux needled / unneedled", T);
  }
  if (!r->has_healing) {
    return n;
  }
  const mn_healing_summary *h = &r->healing;
  n = put(k, n, max, "collagen I", h->collagen_I_change_pct, "%",
          "change of the dermal mean collagen I from before the first session", H);
  n = put(k, n, max, "collagen III", h->collagen_III_change_pct, "%",
          "change of the dermal mean collagen III (structural + new)", H);
  n = put(k, n, max, "collagen total", h->collagen_total_change_pct, "%",
          "change of the dermal mean collagen I + III", H);
  n = put(k, n, max, "papillary collagen", h->papillary_collagen_change_pct, "%",
          "change of the collagen of the papillary dermis", H);
  n = put(k, n, max, "I:III start", h->ratio_I_III_start, "", "dermal collagen I / III before", H);
  n = put(k, n, max, "I:III end", h->ratio_I_III_end, "",
          "dermal collagen I / III at the end of the follow-up", H);
  n = put(k, n, max, "elastin", h->elastin_change_pct, "%", "change of the dermal mean elastin", H);
  n = put(k, n, max, "epidermis", h->epidermis_change_pct, "%",
          "change of the epidermal thickness (stratum corneum + viable)", H);
  n = put(k, n, max, "new collagen CV", h->new_collagen_cv, "",
          "spatial coefficient of variation of the column integrals of new collagen", H);
  n = put(k, n, max, "growth factors elevated", h->growth_factor_elevated_days, "days",
          "days with the dermal TGF-beta excess above 0.5 basal levels (acute days excluded)", H);
  n = put(k, n, max, "inflammation", h->inflammation_days, "days",
          "days with dermal inflammation above 10 % of its peak since the last wound", H);
  n = put(k, n, max, "follow-up end", h->t_days, "day", "last day simulated", H);
  if (h->condition == MN_HEALING_ACNE_SCAR) {
    n = put(k, n, max, "scar depression, start", h->depression_start_um, "\u00b5m",
            "depth of the scar below the surrounding skin before", H);
    n = put(k, n, max, "scar depression, end", h->depression_end_um, "\u00b5m",
            "the same at the end of the follow-up", H);
    n = put(k, n, max, "scar fill", h->fill_pct, "%", "part of the depression filled", H);
  } else if (h->condition == MN_HEALING_STRIAE) {
    n = put(k, n, max, "striae dermis, start", h->region_dermis_start_um, "\u00b5m",
            "matrix-equivalent dermal thickness of the stretch mark before", H);
    n = put(k, n, max, "striae dermis, end", h->region_dermis_end_um, "\u00b5m",
            "the same at the end of the follow-up", H);
    n = put(k, n, max, "striae dermis change", h->region_dermis_change_pct, "%",
            "change of the stretch mark's dermal thickness", H);
  }
  return n;
}
