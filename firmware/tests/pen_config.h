/*
 * The factory record the whole-pen tests run with (test_pen.c, test_runs.c):
 * data/pen/firmware.yaml converted to firmware units as the host port's
 * config loader does (0.5 ms ticks; ke and R of the 1524 SR motor plus
 * bridge). Portable: the suites run in the Cortex-M self-test image too.
 */
#ifndef MNPEN_TEST_PEN_CONFIG_H
#define MNPEN_TEST_PEN_CONFIG_H

#include "mnpen/pen.h"

static const mnpen_config CFG = {
    .speed =
        {
            .ke_nv_per_mhz = 16776, /* 2.67 mV s/rad x 2 pi / 1000 */
            .r_mohm = 1400,         /* 1.1 ohm winding + 0.3 ohm bridge */
            .ir_comp_pct = 50,
            .kp_q16 = 26214,          /* 0.04 duty/Hz */
            .ki_q16 = 983,            /* 3.0 duty/(Hz s) */
            .ramp_mhz_per_tick = 500, /* 1000 Hz/s */
            .nominal_mv = 3803,       /* OCV at 50 % */
            .current_limit_ma = 2000,
        },
    .depth =
        {
            .step_um = 100,
            .tolerance_um = 50,
            .settle_ticks = 2000, /* 1 s */
            .sensor_min_um = -200,
            .sensor_max_um = 3400,
            .zone_count = 6,
            .zone_max_um = {3000, 750, 500, 2000, 2000, 2000},
        },
    .power =
        {
            .ocv_mv = {2654, 3675, 3725, 3748, 3773, 3803, 3841, 3888, 3946, 4017, 4103},
            .start_min_mv = 3450,
            .stop_mv = 3000,
            .stop_ticks = 20, /* 10 ms */
            .filter_shift = 2,
            .battery_min_mv = 1000,
            .battery_max_mv = 4500,
            .derate_dc = 400,
            .shutdown_dc = 430,
            .restart_dc = 380,
            .temp_min_dc = -200,
            .temp_max_dc = 1200,
        },
    .guard =
        {
            .over_current_ma = 2400,
            .over_current_ticks = 2, /* 1 ms */
            .stall_speed_pct = 30,
            .stall_ticks = 6,         /* 3 ms */
            .start_grace_ticks = 600, /* 0.3 s */
            .current_min_ma = -3000,
            .current_max_ma = 5000,
            .plausible_tol_mhz = 10000, /* 10 Hz ... */
            .plausible_tol_pct = 15,    /* ... + 15 % */
            .implausible_ticks = 20,    /* 10 ms */
            .emf_r_rise_pct = 30,
            .over_speed_pct = 5,    /* 157.5 Hz */
            .over_speed_ticks = 10, /* 5 ms */
        },
    .master_key = {0x4d, 0x4e, 0x50, 0x45, 0x4e, 0x2d, 0x6d, 0x61, 0x73, 0x74, 0x65,
                   0x72, 0x2d, 0x6b, 0x65, 0x79, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                   0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
    .speed_default_mhz = 110000,
    .speed_step_mhz = 5000,
    .depth_default_um = 500,
    .watchdog_us = 8000,      /* 8 ms */
    .debounce_ticks = 40,     /* 20 ms */
    .cart_answer_ticks = 400, /* 0.2 s */
    .regulated = 1,
};

#endif /* MNPEN_TEST_PEN_CONFIG_H */
