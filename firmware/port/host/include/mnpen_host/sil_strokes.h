/*
 * The pen's software-in-the-loop run as a stroke source for the device
 * stage: the firmware drives the pen's physics on skin at the requested
 * depth and speed (regulated or not), and the stroke record it leaves is
 * what the device stage stamps along the glide path. This is how a cheap,
 * unregulated motor's slower, uneven stroking reaches the skin model.
 */
#ifndef MNPEN_HOST_SIL_STROKES_H
#define MNPEN_HOST_SIL_STROKES_H

#include <stddef.h>

#include "device/punctures.h"
#include "io/params.h"

/* ctx: a const mn_params * holding data/pen. Matches mn_stroke_source_fn. */
int mnpen_sil_stroke_source(void *ctx, const mn_stroke_request *rq, mn_plant_stroke **strokes,
                            size_t *n, char *err, size_t errlen);

#endif /* MNPEN_HOST_SIL_STROKES_H */
