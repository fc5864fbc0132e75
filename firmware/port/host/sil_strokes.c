/*
 * SIL stroke source; see include/mnpen_host/sil_strokes.h. The scenario is
 * the treatment: the pen is started in the air and then set down on the
 * skin, as a practitioner does at the start of a session, so the record
 * shows the touch-down and not the soft start, and the load then wanders
 * with the hand's pressure for the whole session's time on skin (one run,
 * which the device stage shares out to the lanes in turn); an unregulated
 * pen (the cheap drive at a fixed duty) wanders with it. The device stage
 * skips the strokes in the air (no needle force).
 */
#include "mnpen_host/sil_strokes.h"

#include <stdio.h>

#include "mnpen_host/sil.h"

int mnpen_sil_stroke_source(void *ctx, const mn_stroke_request *rq, mn_plant_stroke **strokes,
                            size_t *n, char *err, size_t errlen) {
  const mn_params *t = ctx;
  mnpen_sil_options o;
  mnpen_sil_options_default(&o);
  o.scenario = MNPEN_SIL_TREATMENT;
  o.speed_hz = rq->speed_hz;
  o.depth_mm = rq->depth_mm;
  o.depth_step_mm = rq->depth_step_mm;
  o.needles = rq->needles;
  o.unregulated = rq->unregulated;
  o.seed = rq->seed ? rq->seed : 1;
  o.keep_strokes = 1;
  /* The script sets the pen on the skin at sil.event_time; the record must
   * cover the requested time on skin after that, plus the last stroke. */
  double touch_down_s = 0.0;
  int rc = mn_params_get(t, "sil.event_time", "s", &touch_down_s, err, errlen);
  if (rc != 0) {
    return rc;
  }
  double last_stroke_s = 1.0 / (rq->speed_hz > 0.0 ? rq->speed_hz : MNPEN_SPEED_MIN_MHZ / 1e3);
  o.duration_s = touch_down_s + rq->duration_s + 2.0 * last_stroke_s;
  mnpen_sil_result r;
  rc = mnpen_sil_run(&o, t, &r, err, errlen);
  if (rc != 0) {
    return rc;
  }
  if (r.fault != MNPEN_FAULT_NONE) {
    snprintf(err, errlen, "the pen stopped with a %s fault at %.1f mm, %.0f Hz",
             mnpen_fault_name(r.fault), rq->depth_mm, rq->speed_hz);
    mnpen_sil_result_free(&r);
    return -1;
  }
  *strokes = r.stroke_list; /* ownership passes to the caller */
  *n = r.stroke_count;
  r.stroke_list = NULL;
  mnpen_sil_result_free(&r);
  return 0;
}
