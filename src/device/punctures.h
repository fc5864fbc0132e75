/*
 * The device stage's output: the punctures of one session, which the skin
 * model takes (position, channel depth and radius, time), built from a
 * description of the device and the treatment.
 *
 * mn_punctures_generate() loads the cartridge and the penetration data,
 * plans the glide path (glide.h), times the strokes along every lane and
 * stamps the cartridge layout at the pen's position at each stroke; each
 * needle's channel comes from penetration.h with a seeded per-puncture
 * spread.
 *
 * Stroke times come from the ideal stroke rate, or from a stroke source: a
 * callback that returns a stroke record (mn_plant_stroke: time, depth,
 * force) such as the pen's software-in-the-loop run gives, so the pen's
 * rate under skin load, a regulated or an unregulated motor, places the
 * punctures. A source's record is one continuous run of the pen over the
 * session's time on skin, from the moment the needles meet the skin: the
 * lanes take consecutive stretches of it, as a session is one run of the
 * motor while the hand moves from lane to lane, so the rate's wander with
 * the hand's load goes on across lanes instead of repeating in each. The
 * ideal record is the same everywhere; each lane starts on a stroke. A
 * record shorter than needed is extended by repeating its last stroke
 * interval. Rollers have no strokes: their needles enter the skin as
 * the drum rolls to each needle's angle (rolled distance = drum radius x
 * angle, once per turn), at the glide speed.
 *
 * Only punctures inside the area [0, W) x [0, H) are kept (the area is the
 * skin the later stages model); stamps are recorded whole.
 */
#ifndef MN_DEVICE_PUNCTURES_H
#define MN_DEVICE_PUNCTURES_H

#include <stddef.h>
#include <stdint.h>

#include "device/cartridge.h"
#include "device/glide.h"
#include "plant/plant.h"

/* What the stroke source is asked for: a record of at least duration_s of
 * strokes on skin, for this pen setting (the whole session's time on skin
 * for a source's continuous record). */
typedef struct {
  double speed_hz;
  double depth_mm;
  double depth_step_mm; /* the pen's depth scale; 0: the pen's own */
  int needles;
  int unregulated;
  double duration_s;
  uint64_t seed;
} mn_stroke_request;

/* Fills *strokes with an array allocated by malloc (the caller frees it)
 * and *n; returns 0, or negative with err filled. The strokes before the
 * first one with force_n > 0 are in air and are skipped. */
typedef int (*mn_stroke_source_fn)(void *ctx, const mn_stroke_request *rq,
                                   mn_plant_stroke **strokes, size_t *n, char *err, size_t errlen);

typedef struct {
  const char *cartridge;   /* data/device/cartridges/NAME.yaml */
  double needle_length_mm; /* pen: depth setting; roller: needle length; 0: the cartridge's */
  double speed_hz;         /* pen stroke rate setting */
  double depth_step_mm;    /* pen: the depth dial's scale; 0: the pen's own */
  int unregulated;         /* passed to the stroke source */
  double area_w_mm;        /* treatment area, along x */
  double area_h_mm;        /* along y */
  int passes;
  mn_glide_pattern pattern;
  double glide_speed_mm_s;
  double site_stiffness_n_m; /* skin's tenting stiffness; 0: penetration.site_stiffness_default */
  uint64_t seed;
  int session;                       /* stored with every puncture */
  double t0_s;                       /* session start on the course clock */
  const char *data_dir;              /* NULL: mn_data_dir() */
  int hand_placed;                   /* 1: each pass shifted at random (a hand never
                                        retraces a pass); 0: every pass on the same lanes */
  mn_stroke_source_fn stroke_source; /* NULL: the ideal rate */
  void *stroke_ctx;
} mn_device_treatment;

/* Plain arrays, one entry per puncture (count of them), and the stamps
 * (pen strokes, or roller needle groups, on skin) that made them. */
typedef struct {
  size_t count;
  double *x_mm;
  double *y_mm;
  double *depth_um;    /* open channel */
  double *radius_um;   /* channel radius at the surface */
  double *inserted_um; /* depth the tip reached (the wound) */
  double *time_s;
  int *session;
  size_t stamps;
  double *stamp_x_mm; /* stamp centre: the face origin, or the drum's contact point */
  double *stamp_y_mm;
  double *stamp_time_s;
  size_t missed; /* needles in the area that tented without piercing */
  double area_w_mm;
  double area_h_mm;
  double duration_s; /* time on skin, all lanes */
  size_t capacity;
  size_t stamp_capacity;
} mn_puncture_list;

typedef struct {
  size_t punctures;
  double area_cm2;
  double per_cm2;    /* punctures / area */
  size_t cells;      /* whole cells of the grid the CV is taken over */
  double density_cv; /* SD / mean of punctures per cell */
  double depth_mean_um;
  double width_mean_um; /* surface diameter */
  double inserted_mean_um;
} mn_puncture_stats;

void mn_device_treatment_default(mn_device_treatment *t);

int mn_puncture_list_create(mn_puncture_list **out, double area_w_mm, double area_h_mm);
void mn_puncture_list_destroy(mn_puncture_list **l);
int mn_puncture_list_append(mn_puncture_list *l, double x_mm, double y_mm, double depth_um,
                            double radius_um, double inserted_um, double time_s, int session);

int mn_punctures_generate(const mn_device_treatment *t, mn_puncture_list **out, char *err,
                          size_t errlen);

/* Statistics over the list's area; the density CV is over a grid of
 * cell_x_mm x cell_y_mm cells (whole cells only, from the origin): 1 x 1 mm
 * for the local density the skin sees; cells one lane step across and short
 * along the lanes average out the needle tracks and leave the spacing of
 * the strokes along the glide. */
int mn_punctures_stats(const mn_puncture_list *l, double cell_x_mm, double cell_y_mm,
                       mn_puncture_stats *s, char *err, size_t errlen);

/* A pen's stroking, from the times of its stamps: the mean stroke rate and
 * the spread of the time between strokes (SD / mean), which a motor slowing
 * and speeding with the skin's load widens. Only neighbours in one lane
 * count (a lane keeps its y, or its x when it runs along y). NAN for both
 * when fewer than three strokes share a lane. */
void mn_punctures_stroking(const mn_puncture_list *l, double *rate_hz, double *interval_cv);

#endif /* MN_DEVICE_PUNCTURES_H */
