/*
 * summary.json writer; see summary.h. The acute figures are those of the
 * first session (the one a single-session protocol has); every session's
 * own figures are in "sessions".
 */
#include "io/summary.h"

#include <math.h>
#include <stdio.h>

#include "io/atomic.h"

/* A figure, or null when the run could not determine it (negative). */
static json_t *fig(double v) {
  return v < 0.0 ? json_null() : json_real(v);
}

/* A figure that may be undefined (NAN): null then. */
static json_t *num_or_null(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* The first session's punctures; a pen's stroking too (a roller has none). */
static json_t *punctures_obj(const mn_protocol *p, const mn_course_session *s0) {
  const mn_puncture_stats *s = &s0->punctures;
  json_t *o = json_object();
  json_object_set_new(o, "count", json_integer((json_int_t)s->punctures));
  json_object_set_new(o, "per_cm2", json_real(s->per_cm2));
  json_object_set_new(o, "density_cv", json_real(s->density_cv));
  json_object_set_new(o, "channel_depth_um_mean", json_real(s->depth_mean_um));
  json_object_set_new(o, "channel_width_um_mean", json_real(s->width_mean_um));
  json_object_set_new(o, "inserted_depth_um_mean", json_real(s->inserted_mean_um));
  double rate_hz = NAN, interval_cv = NAN;
  if (p->device.kind == MN_DEVICE_PEN) {
    mn_punctures_stroking(s0->puncture_list, &rate_hz, &interval_cv);
  }
  json_object_set_new(o, "stroke_rate_hz", num_or_null(rate_hz));
  json_object_set_new(o, "stroke_interval_cv", num_or_null(interval_cv));
  return o;
}

json_t *mn_summary_build(const mn_protocol *p, const mn_course_result *r) {
  json_t *o = json_object();
  json_object_set_new(o, "schema", json_string(MN_SUMMARY_SCHEMA));
  json_t *proto = NULL;
  if (mn_protocol_write_json(p, &proto) == 0) {
    json_object_set_new(o, "protocol", proto);
  }
  if (r->nsessions > 0) {
    const mn_course_session *s0 = &r->sessions[0];
    const mn_acute_result *a = &s0->acute;
    json_object_set_new(o, "punctures", punctures_obj(p, s0));

    json_t *b = json_object();
    json_object_set_new(b, "tewl_baseline_g_m2_h", json_real(a->tewl_baseline_g_m2_h));
    json_object_set_new(b, "tewl_peak_g_m2_h", json_real(a->tewl_peak_g_m2_h));
    json_object_set_new(b, "tewl_recovery_h", fig(a->tewl_recovery_h));
    json_object_set_new(b, "pore_closure_half_life_h", fig(a->pore_closure_half_life_h));
    json_object_set_new(b, "pore_closure_h", fig(a->pore_closure_h));
    json_object_set_new(b, "barrier_half_life_h", fig(a->barrier_half_life_h));
    json_object_set_new(b, "barrier_resealing_h", fig(a->barrier_resealing_h));
    json_object_set_new(o, "barrier", b);

    if (p->treatment.has_topical) {
      json_t *tp = json_object();
      json_object_set_new(tp, "compound", json_string(p->treatment.topical.compound));
      json_object_set_new(tp, "lag_time_min", fig(a->lag_time_h < 0 ? -1 : a->lag_time_h * 60));
      json_object_set_new(tp, "flux_max_ug_cm2_h", json_real(a->flux_ug_cm2_h));
      json_object_set_new(tp, "cumulative_ug_cm2", json_real(a->cumulative_ug_cm2));
      json_object_set_new(tp, "intact_lag_time_min",
                          fig(a->ref_lag_time_h < 0 ? -1 : a->ref_lag_time_h * 60));
      json_object_set_new(tp, "intact_cumulative_ug_cm2", json_real(a->ref_cumulative_ug_cm2));
      json_object_set_new(tp, "enhancement_vs_intact", json_real(a->enhancement));
      json_object_set_new(tp, "intact_flux_max_ug_cm2_h", json_real(a->ref_flux_ug_cm2_h));
      json_object_set_new(tp, "flux_enhancement_vs_intact",
                          a->ref_flux_ug_cm2_h > 0.0
                              ? json_real(a->flux_ug_cm2_h / a->ref_flux_ug_cm2_h)
                              : json_null());
      json_object_set_new(o, "topical", tp);
    } else {
      json_object_set_new(o, "topical", json_null());
    }

    json_t *e = json_object();
    json_object_set_new(e, "peak", json_real(a->erythema_peak));
    json_object_set_new(e, "duration_h", fig(a->erythema_duration_h));
    json_object_set_new(o, "erythema", e);
  }
  if (r->has_healing) {
    const mn_healing_summary *h = &r->healing;
    json_t *ho = json_object();
    json_object_set_new(ho, "collagen_I_change_pct", json_real(h->collagen_I_change_pct));
    json_object_set_new(ho, "collagen_III_change_pct", json_real(h->collagen_III_change_pct));
    json_object_set_new(ho, "collagen_total_change_pct", json_real(h->collagen_total_change_pct));
    json_object_set_new(ho, "papillary_collagen_change_pct",
                        json_real(h->papillary_collagen_change_pct));
    json_object_set_new(ho, "collagen_I_III_ratio_start", json_real(h->ratio_I_III_start));
    json_object_set_new(ho, "collagen_I_III_ratio_end", json_real(h->ratio_I_III_end));
    json_object_set_new(ho, "elastin_change_pct", json_real(h->elastin_change_pct));
    json_object_set_new(ho, "epidermis_thickness_change_pct", json_real(h->epidermis_change_pct));
    json_object_set_new(ho, "new_collagen_cv", num_or_null(h->new_collagen_cv));
    json_object_set_new(ho, "growth_factor_elevated_days",
                        json_real(h->growth_factor_elevated_days));
    json_object_set_new(ho, "inflammation_days", json_real(h->inflammation_days));
    json_object_set_new(ho, "follow_up_end_day", json_real(h->t_days));
    if (h->condition == MN_HEALING_ACNE_SCAR) {
      json_t *c = json_object();
      json_object_set_new(c, "depression_start_um", json_real(h->depression_start_um));
      json_object_set_new(c, "depression_end_um", json_real(h->depression_end_um));
      json_object_set_new(c, "fill_pct", json_real(h->fill_pct));
      json_object_set_new(ho, "acne_scar", c);
    } else if (h->condition == MN_HEALING_STRIAE) {
      json_t *c = json_object();
      json_object_set_new(c, "dermis_start_um", json_real(h->region_dermis_start_um));
      json_object_set_new(c, "dermis_end_um", json_real(h->region_dermis_end_um));
      json_object_set_new(c, "dermis_change_pct", json_real(h->region_dermis_change_pct));
      json_object_set_new(ho, "striae", c);
    }
    json_object_set_new(o, "healing", ho);
  } else {
    json_object_set_new(o, "healing", json_null()); /* excised skin does not heal */
  }
  json_t *sessions = json_array();
  for (int i = 0; i < r->nsessions; i++) {
    const mn_course_session *s = &r->sessions[i];
    json_t *so = json_object();
    json_object_set_new(so, "day", json_real(s->day));
    json_object_set_new(so, "punctures_per_cm2", json_real(s->punctures.per_cm2));
    json_object_set_new(so, "tewl_recovery_h", fig(s->acute.tewl_recovery_h));
    json_object_set_new(so, "erythema_duration_h", fig(s->acute.erythema_duration_h));
    json_array_append_new(sessions, so);
  }
  json_object_set_new(o, "sessions", sessions);
  json_object_set_new(o, "acute_hours_per_session", json_real(r->acute_hours));
  return o;
}

int mn_summary_write(const char *path, const mn_protocol *p, const mn_course_result *r, char *err,
                     size_t errlen) {
  json_t *o = mn_summary_build(p, r);
  if (o == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  mn_atomic_file a;
  int rc = mn_atomic_open(&a, path, err, errlen);
  if (rc == 0) {
    if (json_dumpf(o, a.f, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) != 0) {
      mn_atomic_abort(&a);
      snprintf(err, errlen, "%s: cannot write", path);
      rc = -1;
    } else {
      fputc('\n', a.f);
      rc = mn_atomic_commit(&a, err, errlen);
    }
  }
  json_decref(o);
  return rc;
}
