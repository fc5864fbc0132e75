/*
 * Hard limits of the pen: the maxima no input, configuration or fault can
 * push past. They are compiled in on purpose: a calibration record or a
 * treatment profile may lower them, never raise them (21 CFR 878.4430
 * asks for a maximum depth and puncture rate that cannot be exceeded).
 *
 * Values: the device envelope of MODEL.md section 1 (depth 0-3.0 mm in the
 * Dermapen 4 class; stroke rates of cleared pens 90-150 Hz).
 */
#ifndef MNPEN_LIMITS_H
#define MNPEN_LIMITS_H

#define MNPEN_DEPTH_MAX_UM 3000
#define MNPEN_DEPTH_MIN_UM 0
#define MNPEN_SPEED_MIN_MHZ 90000u
#define MNPEN_SPEED_MAX_MHZ 150000u

/* The control loop period: every mnpen_tick() call is one period. */
#define MNPEN_TICK_US 500u

#endif /* MNPEN_LIMITS_H */
