/*
 * Course driver; see course.h.
 *
 * Design notes
 * ------------
 * Each session: the device stage stamps the cartridge along the glide path
 * over the whole treated area; the acute stage simulates a window centred
 * in that area (the grid is periodic laterally, so the window stands for
 * the middle of the area) for the acute phase's duration or until the next
 * session, whichever is shorter. The time series is on the course clock
 * (hours since the first session), one row per acute step.
 *
 * The healing stage is one simulation over the whole course on the same
 * window: it starts from the baseline (or an indication's) tissue at day 0,
 * is advanced to the end of each session's acute phase, and takes that
 * session's wound there, so overlapping responses add to the tissue as it
 * stands. It is sampled once a day (course.healing_sample_interval) to the
 * end of the follow-up. Each acute phase itself starts from baseline skin:
 * by the next session (weeks later) the barrier has long resealed.
 *
 * Restarts: the samples due before a session's day are taken before its
 * acute phase runs (the acute phase does not depend on the healing tissue,
 * so the healing stage takes exactly the steps it took when they came
 * after), which makes every daily sample up to the next session a safe
 * point (see mn_course_state). The last safe point is kept in memory (the
 * healing state is a few small arrays; sessions and time series rows only
 * grow, so counts mark their share), and handed to the checkpoint callback
 * when it is reached and again when the run is stopped.
 */
#include "course/course.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/datadir.h"
#include "io/params_tree.h"
#include "skin/healing_state.h"

const char *const mn_course_timeseries_columns[] = {"time_h",
                                                    "session",
                                                    "tewl_g_m2_h",
                                                    "open_channel_fraction",
                                                    "barrier_open_fraction",
                                                    "flux_ug_cm2_h",
                                                    "cumulative_ug_cm2",
                                                    "erythema_index",
                                                    "collagen_I",
                                                    "collagen_III",
                                                    "elastin",
                                                    "fibroblasts",
                                                    "growth_factor",
                                                    "inflammation",
                                                    "epidermis_um",
                                                    NULL};

enum { NCOLS = 15, NFAST = 8 };

void mn_course_options_default(mn_course_options *o) {
  memset(o, 0, sizeof *o);
}

void mn_course_state_free(mn_course_state *s) {
  if (s == NULL) {
    return;
  }
  mn_course_result_free(&s->result);
  mn_healing_state_free(&s->healing);
  memset(s, 0, sizeof *s);
}

/* FNV-1a over every parameter's key, unit and values: a restart refuses a
 * checkpoint written with other data. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ b[i]) * 1099511628211ULL;
  }
  return h;
}

static uint64_t params_hash(const mn_params *t) {
  uint64_t h = 14695981039346656037ULL;
  for (size_t i = 0; i < mn_params_count(t); i++) {
    const mn_param *q = mn_params_at(t, i);
    h = hash_bytes(h, q->key, strlen(q->key) + 1);
    if (q->unit != NULL) {
      h = hash_bytes(h, q->unit, strlen(q->unit) + 1);
    }
    if (q->values != NULL) {
      h = hash_bytes(h, q->values, q->count * sizeof *q->values);
    }
    h = hash_bytes(h, &q->value, sizeof q->value);
  }
  return h;
}

void mn_course_result_free(mn_course_result *r) {
  if (r == NULL) {
    return;
  }
  for (int i = 0; i < r->nsessions; i++) {
    mn_acute_result_free(&r->sessions[i].acute);
    mn_puncture_list_destroy(&r->sessions[i].puncture_list);
  }
  mn_healing_profile_free(&r->profile_start);
  mn_healing_profile_free(&r->profile_end);
  free(r->sessions);
  mn_table_destroy(&r->timeseries);
  memset(r, 0, sizeof *r);
}

static int report(const mn_course_options *o, const char *stage, double frac, double sim_h) {
  return o->progress ? o->progress(o->progress_ctx, stage, frac, sim_h) : 0;
}

/* The device stage's description of one session. */
static void device_treatment(const mn_protocol *p, const mn_course_options *o, int session,
                             mn_device_treatment *t) {
  mn_device_treatment_default(t);
  t->cartridge = p->device.cartridge;
  t->needle_length_mm = p->device.needle_length_mm;
  t->speed_hz = p->device.speed_hz;
  t->depth_step_mm = p->device.depth_step_mm;
  t->unregulated = p->device.motor == MN_MOTOR_UNREGULATED;
  t->area_w_mm = p->treatment.area_mm[0];
  t->area_h_mm = p->treatment.area_mm[1];
  t->passes = p->treatment.passes;
  t->pattern = p->treatment.pattern == MN_PATTERN_CROSSHATCH ? MN_GLIDE_CROSSHATCH : MN_GLIDE_LINES;
  t->glide_speed_mm_s = p->treatment.glide_speed_mm_s;
  t->seed = p->seed + (uint64_t)session;
  t->session = session;
  t->hand_placed = 1;
  t->t0_s = 0.0;
  t->data_dir = o->data_dir;
  if (p->device.kind == MN_DEVICE_PEN) {
    t->stroke_source = o->stroke_source;
    t->stroke_ctx = o->stroke_ctx;
  }
}

static int acute_input(const mn_protocol *p, const mn_params *t, const mn_puncture_list *pl,
                       double hours, const mn_course_options *o, mn_acute_input *in, char *err,
                       size_t errlen) {
  memset(in, 0, sizeof *in);
  const char *species = mn_protocol_species_name(p->subject.species);
  snprintf(in->species, sizeof in->species, "%s", species);
  size_t site_len = strlen(p->subject.site);
  if (site_len >= sizeof in->site) {
    snprintf(err, errlen, "subject.site: '%s' is longer than the skin model takes",
             p->subject.site);
    return MN_COURSE_EINVAL;
  }
  memcpy(in->site, p->subject.site, site_len + 1);
  int rc = mn_skin_layers_load(t, species, p->subject.site, &in->layers, err, errlen);
  if (rc != 0) {
    return rc;
  }
  mn_acute_options *ao = &in->options;
  mn_acute_options_default(ao);
  ao->occlusion = p->treatment.occlusion;
  ao->diclofenac = p->treatment.anti_inflammatory == MN_ANTI_INFLAMMATORY_DICLOFENAC;
  ao->ex_vivo = p->subject.ex_vivo;
  /* Ex vivo the grid ends at the mounted piece's underside (0: the site's
   * full skin). */
  ao->membrane_thickness_m = p->subject.ex_vivo ? p->subject.membrane_mm * 1e-3 : 0.0;
  ao->has_topical = p->treatment.has_topical;
  if (ao->has_topical) {
    rc = mn_skin_compound_load(t, p->treatment.topical.compound, &in->compound, err, errlen);
    if (rc != 0) {
      return rc;
    }
    ao->topical_before = p->treatment.topical.applied == MN_APPLIED_BEFORE;
    ao->topical_duration_h = p->treatment.topical.duration_h;
    ao->donor_mg_ml = p->treatment.topical.concentration_mg_ml;
    ao->dose_mg_cm2 = p->treatment.topical.dose_mg_cm2;
  } else {
    ao->skip_reference = 1;
  }
  for (int k = 0; k < 2; k++) {
    ao->window_mm[k] = p->grid.window_mm[k];
    ao->window_origin_mm[k] = 0.5 * (p->treatment.area_mm[k] - p->grid.window_mm[k]);
  }
  ao->resolution_um = p->grid.resolution_um;
  ao->duration_h = hours;
  ao->nthreads = o->nthreads;
  in->punctures.n = pl->count;
  in->punctures.x_mm = pl->x_mm;
  in->punctures.y_mm = pl->y_mm;
  in->punctures.depth_um = pl->depth_um;
  in->punctures.radius_um = pl->radius_um;
  in->punctures.time_s = pl->time_s;
  return 0;
}

/* The healing stage's daily sampling, on the course clock, and the run's
 * last safe point. */
typedef struct {
  mn_healing *h; /* NULL ex vivo */
  mn_table *ts;
  double next_day, interval_days, end_day;
  const mn_course_options *o;
  mn_course_result *r;
  mn_course_state safe; /* result filled in only when handed out */
  double safe_acute_hours;
  int has_safe;
  double snap_done_h; /* the last field snapshot time handled */
} healing_clock;

/* Field snapshots of the healing tissue at the requested times up to `day`,
 * the stage advanced exactly to each (which cuts its adaptive steps there:
 * a run with snapshots differs from one without within the step-doubling
 * tolerance). Times before the stage's clock (a resumed run) were taken. */
static int healing_snapshots(healing_clock *c, double day, char *err, size_t errlen) {
  const mn_course_options *o = c->o;
  for (size_t i = 0; o->snapshot != NULL && i < o->nsnapshot_h; i++) {
    double th = o->snapshot_h[i];
    if (th <= c->snap_done_h || th < mn_healing_time(c->h) * 24.0 - 1e-9) {
      continue;
    }
    if (th > day * 24.0 + 1e-9) {
      break;
    }
    if (th / 24.0 > mn_healing_time(c->h) &&
        mn_healing_advance(c->h, th / 24.0, err, errlen) != 0) {
      return MN_COURSE_ESTAGE;
    }
    mn_course_snapshot snap = {0, mn_healing_time(c->h) * 24.0, th, NULL, c->h};
    if (o->snapshot(o->snapshot_ctx, &snap, err, errlen) != 0) {
      return MN_COURSE_ESTAGE;
    }
    c->snap_done_h = th;
  }
  return 0;
}

/* The healing tissue as it stands, when milestones are asked for. */
static int healing_milestone(healing_clock *c, char *err, size_t errlen) {
  const mn_course_options *o = c->o;
  if (o->snapshot == NULL || !o->snapshot_milestones) {
    return 0;
  }
  double t = mn_healing_time(c->h) * 24.0;
  mn_course_snapshot snap = {0, t, t, NULL, c->h};
  return o->snapshot(o->snapshot_ctx, &snap, err, errlen) != 0 ? MN_COURSE_ESTAGE : 0;
}

/* Acute field snapshots: the first step at or after each requested time of
 * the session's acute phase [t0_h, t1_h] (course clock). Wraps the step
 * observer already set (progress), which is called first. */
typedef struct {
  const mn_course_options *o;
  int session;
  double t0_h, t1_h;
  mn_acute_step_fn inner;
  void *inner_ctx;
  size_t next;
  int failed;
  char err[512];
} acute_snapshots;

static int acute_snapshot_step(void *ctx, mn_acute_step *step) {
  acute_snapshots *a = ctx;
  const mn_course_options *o = a->o;
  if (a->inner != NULL && a->inner(a->inner_ctx, step) != 0) {
    return 1;
  }
  double t = a->t0_h + mn_acute_step_time_h(step);
  while (a->next < o->nsnapshot_h && o->snapshot_h[a->next] < a->t0_h - 1e-9) {
    a->next++;
  }
  if (a->next >= o->nsnapshot_h || o->snapshot_h[a->next] > a->t1_h + 1e-9 ||
      o->snapshot_h[a->next] > t + 1e-9) {
    return 0;
  }
  mn_course_snapshot snap = {a->session, t, o->snapshot_h[a->next], mn_acute_step_tissue(step),
                             NULL};
  if (o->snapshot(o->snapshot_ctx, &snap, a->err, sizeof a->err) != 0) {
    a->failed = 1;
    return 1;
  }
  while (a->next < o->nsnapshot_h && o->snapshot_h[a->next] <= t + 1e-9) {
    a->next++; /* one step may serve several requested times */
  }
  return 0;
}

static int stopped(char *err, size_t errlen) {
  snprintf(err, errlen, "stopped");
  return MN_COURSE_ESTOPPED;
}

/* Hands the last safe point to the checkpoint callback. */
static int checkpoint(healing_clock *c, int final, char *err, size_t errlen) {
  if (c->o->checkpoint == NULL || !c->has_safe) {
    return 0;
  }
  mn_course_state *st = &c->safe;
  st->result = *c->r; /* a view: the counts below say what belongs to it */
  st->result.nsessions = st->sessions_done;
  st->result.acute_hours = c->safe_acute_hours;
  int rc = c->o->checkpoint(c->o->checkpoint_ctx, st, final, err, errlen);
  memset(&st->result, 0, sizeof st->result);
  return rc != 0 ? MN_COURSE_ESTAGE : 0;
}

/* Records a safe point with sessions_done sessions finished. */
static int mark_safe(healing_clock *c, int sessions_done, char *err, size_t errlen) {
  mn_course_state *st = &c->safe;
  st->sessions_done = sessions_done;
  st->next_day = c->next_day;
  st->rows = mn_table_rows(c->ts);
  c->safe_acute_hours = c->r->acute_hours;
  if (c->h != NULL && mn_healing_state_export(c->h, &st->healing, err, errlen) != 0) {
    return MN_COURSE_ENOMEM;
  }
  c->has_safe = 1;
  return checkpoint(c, 0, err, errlen);
}

static int healing_row(healing_clock *c, char *err, size_t errlen) {
  mn_healing_sample hs;
  if (mn_healing_sample_now(c->h, &hs) != 0) {
    snprintf(err, errlen, "healing: cannot sample at day %g", mn_healing_time(c->h));
    return MN_COURSE_ESTAGE;
  }
  double row[NCOLS];
  for (int i = 0; i < NCOLS; i++) {
    row[i] = NAN;
  }
  row[0] = hs.t_days * 24.0;
  row[NFAST + 0] = hs.collagen_I;
  row[NFAST + 1] = hs.collagen_III;
  row[NFAST + 2] = hs.elastin;
  row[NFAST + 3] = hs.fibroblasts;
  row[NFAST + 4] = hs.growth_factor;
  row[NFAST + 5] = hs.inflammation;
  row[NFAST + 6] = hs.epidermis_um;
  if (mn_table_append(c->ts, row) != 0) {
    snprintf(err, errlen, "out of memory");
    return MN_COURSE_ENOMEM;
  }
  return 0;
}

/* Advances the healing stage to `day`, sampling every interval on the way.
 * before: only the samples due before `day` (the stage stays at the last of
 * them). safe_done >= 0: each sample is a safe point with that many sessions
 * done. */
static int healing_advance(healing_clock *c, double day, int before, int safe_done, char *err,
                           size_t errlen) {
  while (before ? c->next_day < day - 1e-9 : c->next_day <= day + 1e-9) {
    if (healing_snapshots(c, c->next_day, err, errlen) != 0) {
      return MN_COURSE_ESTAGE;
    }
    if (mn_healing_advance(c->h, c->next_day, err, errlen) != 0) {
      return MN_COURSE_ESTAGE;
    }
    int rc = healing_row(c, err, errlen);
    if (rc != 0) {
      return rc;
    }
    double at = c->next_day;
    c->next_day += c->interval_days;
    if (safe_done >= 0 && (rc = mark_safe(c, safe_done, err, errlen)) != 0) {
      return rc;
    }
    if (report(c->o, "healing", fmin(1.0, at / c->end_day), at * 24.0) != 0) {
      return stopped(err, errlen);
    }
  }
  if (!before && healing_snapshots(c, day, err, errlen) != 0) {
    return MN_COURSE_ESTAGE;
  }
  if (!before && mn_healing_time(c->h) < day && mn_healing_advance(c->h, day, err, errlen) != 0) {
    return MN_COURSE_ESTAGE;
  }
  return 0;
}

/* Progress (and stop requests) between the steps of an acute phase. */
typedef struct {
  const mn_course_options *o;
  double day, end_day;
} step_watch;

static int on_acute_step(void *ctx, mn_acute_step *s) {
  const step_watch *w = ctx;
  double t_h = mn_acute_step_time_h(s);
  return report(w->o, "acute", fmin(1.0, (w->day + t_h / 24.0) / w->end_day), w->day * 24.0 + t_h);
}

/* Takes up a resume state: its sessions, time series rows, healing state
 * and clock. */
static int resume_from(mn_course_state *st, int n, uint64_t hash, healing_clock *c, char *err,
                       size_t errlen) {
  mn_course_result *r = c->r;
  if (st->params_hash != hash) {
    snprintf(err, errlen,
             "the parameters in data/ have changed since the checkpoint was written: "
             "its run cannot be continued as it was");
    return MN_COURSE_ERESUME;
  }
  if (st->sessions_done < 0 || st->sessions_done > n || st->result.nsessions < st->sessions_done ||
      st->result.has_healing != r->has_healing || st->result.timeseries == NULL ||
      mn_table_cols(st->result.timeseries) != NCOLS ||
      mn_table_rows(st->result.timeseries) < st->rows || !isfinite(st->next_day)) {
    snprintf(err, errlen, "the checkpoint does not fit this protocol (%d of %d sessions done)",
             st->sessions_done, n);
    return MN_COURSE_ERESUME;
  }
  for (size_t i = 0; i < st->rows; i++) {
    double row[NCOLS];
    for (int k = 0; k < NCOLS; k++) {
      row[k] = mn_table_get(st->result.timeseries, i, (size_t)k);
    }
    if (mn_table_append(r->timeseries, row) != 0) {
      snprintf(err, errlen, "out of memory");
      return MN_COURSE_ENOMEM;
    }
  }
  for (int s = 0; s < st->sessions_done; s++) {
    r->sessions[s] = st->result.sessions[s];
    memset(&st->result.sessions[s], 0, sizeof st->result.sessions[s]);
  }
  r->nsessions = st->sessions_done;
  r->acute_hours = st->result.acute_hours;
  if (c->h != NULL) {
    char why[256];
    if (mn_healing_state_import(c->h, &st->healing, why, sizeof why) != 0) {
      snprintf(err, errlen, "the checkpoint's healing state does not fit this run: %s", why);
      return MN_COURSE_ERESUME;
    }
  }
  c->next_day = st->next_day;
  return 0;
}

static mn_healing_condition healing_condition(mn_condition c) {
  switch (c) {
  case MN_CONDITION_ACNE_SCAR:
    return MN_HEALING_ACNE_SCAR;
  case MN_CONDITION_STRIAE:
    return MN_HEALING_STRIAE;
  default: /* fine lines heal as normal skin; the change is read from it */
    return MN_HEALING_NORMAL;
  }
}

static int healing_start(const mn_protocol *p, const mn_params *t, const mn_course_options *o,
                         healing_clock *c, mn_course_result *r, char *err, size_t errlen) {
  mn_healing_setup hs;
  memset(&hs, 0, sizeof hs);
  int rc = mn_skin_layers_load(t, mn_protocol_species_name(p->subject.species), p->subject.site,
                               &hs.layers, err, errlen);
  if (rc != 0) {
    return MN_COURSE_ESTAGE;
  }
  hs.window_m[0] = p->grid.window_mm[0] * 1e-3;
  hs.window_m[1] = p->grid.window_mm[1] * 1e-3;
  hs.nthreads = o->nthreads;
  if (mn_healing_create(&c->h, &hs, t, err, errlen) != 0 ||
      mn_healing_set_condition(c->h, healing_condition(p->subject.condition), err, errlen) != 0) {
    return MN_COURSE_ESTAGE;
  }
  if (mn_healing_sample_now(c->h, &r->healing_start) != 0) {
    snprintf(err, errlen, "healing: cannot sample the starting tissue");
    return MN_COURSE_ESTAGE;
  }
  if (mn_healing_profile_now(c->h, &r->profile_start, err, errlen) != 0) {
    return MN_COURSE_ESTAGE;
  }
  return 0;
}

int mn_course_run(const mn_protocol *p, const mn_course_options *o, mn_course_result *r, char *err,
                  size_t errlen) {
  memset(r, 0, sizeof *r);
  const char *data_dir = o->data_dir ? o->data_dir : mn_data_dir();
  mn_params *t = NULL;
  int rc = mn_params_create(&t);
  if (rc != 0) {
    snprintf(err, errlen, "out of memory");
    return MN_COURSE_ENOMEM;
  }
  rc = mn_params_load_tree(t, data_dir, err, errlen);
  double acute_max_h = 0.0, density_cell_mm = 0.0, sample_days = 0.0;
  if (rc == 0) {
    rc = mn_params_get(t, "course.acute_duration", "h", &acute_max_h, err, errlen);
  }
  if (rc == 0) {
    rc = mn_params_get(t, "course.density_cell", "mm", &density_cell_mm, err, errlen);
  }
  if (rc == 0) {
    rc = mn_params_get(t, "course.healing_sample_interval", "d", &sample_days, err, errlen);
  }
  if (rc == 0) {
    rc = mn_table_create(&r->timeseries, NCOLS, mn_course_timeseries_columns);
    if (rc != 0) {
      snprintf(err, errlen, "out of memory");
    }
  }
  int n = p->schedule.sessions;
  if (rc == 0) {
    r->sessions = calloc((size_t)n, sizeof *r->sessions);
    if (r->sessions == NULL) {
      snprintf(err, errlen, "out of memory");
      rc = MN_COURSE_ENOMEM;
    }
  }
  double end_day = (n - 1) * p->schedule.interval_days + p->schedule.follow_up_days;
  healing_clock hc;
  memset(&hc, 0, sizeof hc);
  hc.ts = r->timeseries;
  hc.interval_days = sample_days;
  hc.end_day = end_day > 0 ? end_day : 1.0;
  hc.o = o;
  hc.r = r;
  hc.safe.params_hash = params_hash(t);
  hc.snap_done_h = -1.0;
  r->has_healing = !p->subject.ex_vivo;
  if (rc == 0 && r->has_healing) {
    rc = healing_start(p, t, o, &hc, r, err, errlen);
  }
  if (rc == 0 && r->has_healing && o->resume == NULL) {
    rc = healing_milestone(&hc, err, errlen);
  }
  int first = 0;
  if (rc == 0 && o->resume != NULL) {
    rc = resume_from(o->resume, n, hc.safe.params_hash, &hc, err, errlen);
    first = r->nsessions;
  }
  if (rc == 0) {
    rc = mark_safe(&hc, first, err, errlen);
  }

  for (int s = first; rc == 0 && s < n; s++) {
    mn_course_session *cs = &r->sessions[s];
    cs->day = s * p->schedule.interval_days;
    double until_next_h =
        (s + 1 < n ? p->schedule.interval_days : p->schedule.follow_up_days) * 24.0;
    double hours = fmin(acute_max_h, until_next_h);
    if (hours <= 0.0) {
      hours = fmin(acute_max_h, p->schedule.interval_days * 24.0);
    }
    r->acute_hours = hours;
    double frac = cs->day / hc.end_day;
    /* the healing samples due before this session: safe points */
    if (r->has_healing && (rc = healing_advance(&hc, cs->day, 1, s, err, errlen)) != 0) {
      break;
    }
    if (report(o, "device", frac, cs->day * 24.0) != 0) {
      rc = stopped(err, errlen);
      break;
    }

    mn_device_treatment dt;
    device_treatment(p, o, s, &dt);
    /* The skin's tenting stiffness for the species, when the penetration
     * data have one (else the device stage's default). */
    char key[96];
    snprintf(key, sizeof key, "penetration.site_stiffness_%s",
             mn_protocol_species_name(p->subject.species));
    if (mn_params_find(t, key) != NULL) {
      rc = mn_params_get(t, key, "N/m", &dt.site_stiffness_n_m, err, errlen);
      if (rc != 0) {
        break;
      }
    }
    mn_puncture_list *pl = NULL;
    rc = mn_punctures_generate(&dt, &pl, err, errlen);
    if (rc == 0) {
      rc = mn_punctures_stats(pl, density_cell_mm, density_cell_mm, &cs->punctures, err, errlen);
    }
    if (rc != 0) {
      mn_puncture_list_destroy(&pl);
      rc = MN_COURSE_ESTAGE;
      break;
    }
    if (report(o, "acute", frac, cs->day * 24.0) != 0) {
      mn_puncture_list_destroy(&pl);
      rc = stopped(err, errlen);
      break;
    }
    mn_acute_input in;
    rc = acute_input(p, t, pl, hours, o, &in, err, errlen);
    step_watch watch = {o, cs->day, hc.end_day};
    if (o->progress != NULL) {
      in.options.on_step = on_acute_step;
      in.options.step_ctx = &watch;
    }
    acute_snapshots snaps = {
        o, s + 1, cs->day * 24.0, cs->day * 24.0 + hours, in.options.on_step, &watch, 0, 0, ""};
    if (o->snapshot != NULL && o->nsnapshot_h > 0) {
      in.options.on_step = acute_snapshot_step;
      in.options.step_ctx = &snaps;
    }
    if (rc == 0) {
      rc = mn_acute_run(&in, t, &cs->acute, err, errlen);
      if (snaps.failed) {
        snprintf(err, errlen, "%s", snaps.err);
        rc = MN_COURSE_ESTAGE;
      }
    }
    if (rc == 0 && s == 0 && o->snapshot != NULL && o->snapshot_milestones) {
      double th = cs->day * 24.0 + mn_tissue_time_h(cs->acute.tissue);
      mn_course_snapshot snap = {1, th, th, cs->acute.tissue, NULL};
      if (o->snapshot(o->snapshot_ctx, &snap, err, errlen) != 0) {
        mn_acute_result_free(&cs->acute);
        rc = MN_COURSE_ESTAGE;
      }
    }
    cs->puncture_list = pl;
    if (rc != 0) {
      mn_puncture_list_destroy(&cs->puncture_list); /* not yet counted in nsessions */
      rc = rc == MN_SKIN_ESTOPPED ? stopped(err, errlen) : MN_COURSE_ESTAGE;
      break;
    }
    r->nsessions = s + 1;

    for (size_t k = 0; k < cs->acute.nseries && rc == 0; k++) {
      const mn_acute_sample *a = &cs->acute.series[k];
      double row[NCOLS];
      for (int i = 0; i < NCOLS; i++) {
        row[i] = NAN;
      }
      row[0] = cs->day * 24.0 + a->time_h;
      row[1] = s + 1;
      row[2] = a->tewl_g_m2_h;
      row[3] = a->open_channel_fraction;
      row[4] = a->barrier_open_fraction;
      if (in.options.has_topical) {
        row[5] = a->flux_ug_cm2_h;
        row[6] = a->cumulative_ug_cm2;
      }
      row[7] = a->erythema_index;
      if (mn_table_append(r->timeseries, row) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = MN_COURSE_ENOMEM;
      }
    }
    /* The session's wound joins the healing tissue at the end of its acute
     * phase, as the tissue stands that day. */
    if (rc == 0 && r->has_healing) {
      rc = healing_advance(&hc, cs->day + hours / 24.0, 0, -1, err, errlen);
      if (rc == 0 && mn_healing_add_wound(hc.h, cs->acute.tissue, err, errlen) != 0) {
        rc = MN_COURSE_ESTAGE;
      }
    }
    mn_tissue_destroy(&cs->acute.tissue);
    if (rc == 0) {
      rc = mark_safe(&hc, s + 1, err, errlen);
    }
  }
  if (rc == 0 && r->has_healing) {
    rc = healing_advance(&hc, end_day, 0, n, err, errlen);
    if (rc == 0) {
      rc = healing_milestone(&hc, err, errlen);
    }
    if (rc == 0 && (mn_healing_summary_now(hc.h, &r->healing) != 0 ||
                    mn_healing_sample_now(hc.h, &r->healing_end) != 0)) {
      snprintf(err, errlen, "healing: cannot summarise");
      rc = MN_COURSE_ESTAGE;
    }
    if (rc == 0 && mn_healing_profile_now(hc.h, &r->profile_end, err, errlen) != 0) {
      rc = MN_COURSE_ESTAGE;
    }
  }
  if (rc == MN_COURSE_ESTOPPED) {
    char why[512];
    if (checkpoint(&hc, 1, why, sizeof why) != 0) {
      snprintf(err, errlen, "stopped, and the checkpoint failed: %s", why);
      rc = MN_COURSE_ESTAGE;
    }
  }
  mn_healing_state_free(&hc.safe.healing);
  mn_healing_destroy(&hc.h);
  if (rc == 0) {
    rc = mn_table_sort(r->timeseries, 0);
    if (rc != 0) {
      snprintf(err, errlen, "out of memory");
    }
  }
  if (rc == 0) {
    report(o, "done", 1.0, end_day * 24.0);
  }
  mn_params_destroy(&t);
  if (rc != 0) {
    mn_course_result_free(r);
  }
  return rc;
}
