/*
 * mnlab pen: runs the pen's real firmware against the pen's physics and
 * prints what a device engineer checks (speed regulation under load, depth,
 * fault reactions, cartridge refusal, log integrity). Parsing and printing
 * only; the run itself is mnpen_sil_run().
 */
#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pen_params.h"
#include "io/params.h"
#include "io/strokes_csv.h"
#include "mnpen_host/sil.h"

static void pen_help(FILE *out) {
  fprintf(out,
          "usage: mnlab pen [--scenario NAME] [--speed-hz F] [--depth-mm D] [--cartridge ID]\n"
          "                 [--unregulated] [--duration-s T] [--needles N] [--seed N]\n"
          "                 [--strokes FILE] [--json] [--quiet]\n"
          "\n"
          "Runs the pen's firmware (the same C that builds for the Cortex-M) against a\n"
          "physics model of the pen: motor, cam, needles in skin, battery, heat, depth\n"
          "stage. The script powers the pen on, seats a cartridge, sets depth and speed,\n"
          "presses start, and injects the scenario's event 1.5 s in.\n"
          "\n"
          "scenarios:\n"
          "  nominal           treatment on skin from the start\n"
          "  load-step         running in air, then pressed onto skin (speed regulation)\n"
          "  stall             the cam jams: stall fault, motor safe within 20 ms\n"
          "  battery-sag       the cell fails under load: battery_low fault\n"
          "  over-temperature  the handpiece heats: derating, then over_temperature fault\n"
          "  cartridge-reuse   a cartridge whose use flag is burned: the motor never starts\n"
          "  cartridge-forged  a cartridge without the maker's key: the motor never starts\n"
          "  power-loss        power cut at a random byte of a log write: log_intact\n"
          "  watchdog          the control loop hangs: watchdog reset, motor safe\n"
          "  sensor            the depth sensor fails open: sensor fault, motor safe\n"
          "  treatment         set down on skin whose load wanders with the hand's pressure\n"
          "  encoder-stuck     the speed sensor reads zero while the motor turns:\n"
          "                    speed_implausible fault (against the back-EMF), motor safe\n"
          "  overspeed         the speed sensor reads 15 %% low at 150 Hz, so the loop drives\n"
          "                    the cam too fast: over_speed fault, motor safe\n"
          "\n"
          "options:\n"
          "  --scenario NAME   one of the above (default nominal)\n"
          "  --speed-hz F      stroke rate setting, 90-150 (default: the pen's, 110)\n"
          "  --depth-mm D      needle depth setting, 0-3.0 (default 1.0), rounded down to\n"
          "                    the depth dial's scale\n"
          "  --depth-step-mm S the depth dial's scale, 0.1 or 0.25 (default: the pen's, 0.1)\n"
          "  --cartridge ID    cartridge ID, decimal or 0x hex\n"
          "  --unregulated     fixed duty instead of the speed loop, like a cheap pen\n"
          "  --duration-s T    simulated time (default: the scenario's)\n"
          "  --needles N       needles in the cartridge (default 12)\n"
          "  --seed N          random seed (nonces, power-cut instant)\n"
          "  --strokes FILE    write every stroke as CSV: time_s, depth_mm, force_n\n"
          "  --json            print one JSON object instead of the report\n"
          "  --quiet           accepted for symmetry: the pen prints no progress\n"
          "\n"
          "examples:\n"
          "  mnlab pen --scenario load-step --json\n"
          "  mnlab pen --scenario load-step --unregulated\n"
          "  mnlab pen --scenario nominal --depth-mm 1.5 --strokes strokes.csv\n"
          "\n"
          "exit status: 0 the run completed (a fault is a result, not an error),\n"
          "1 the run failed, 2 bad usage. Parameters come from data/pen/ (MNLAB_DATA).\n");
}

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out) {
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
    fprintf(stderr, "mnlab pen: %s '%s': expected a number in [%g, %g]\n", opt, s, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_u64(const char *opt, const char *s, unsigned long long hi,
                     unsigned long long *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > hi) {
    fprintf(stderr, "mnlab pen: %s '%s': expected a whole number up to %llu\n", opt, s, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static json_t *num_or_null(double v) {
  return v < 0.0 ? json_null() : json_real(v);
}

static void print_json(const mnpen_sil_result *r, const char *strokes_file) {
  json_t *o = json_object();
  json_object_set_new(o, "scenario", json_string(mnpen_sil_scenario_name(r->scenario)));
  json_object_set_new(o, "motor_started", json_boolean(r->motor_started));
  json_object_set_new(o, "fault",
                      r->fault == MNPEN_FAULT_NONE ? json_null()
                                                   : json_string(mnpen_fault_name(r->fault)));
  json_object_set_new(o, "state_final", json_string(mnpen_state_name(r->state_final)));
  json_object_set_new(o, "speed_setpoint_hz", json_real(r->speed_setpoint_hz));
  json_object_set_new(o, "speed_mean_hz", json_real(r->speed_mean_hz));
  json_object_set_new(o, "speed_error_rms_pct", json_real(r->speed_error_rms_pct));
  json_object_set_new(o, "speed_error_max_pct", json_real(r->speed_error_max_pct));
  json_object_set_new(o, "speed_settled", json_boolean(r->settled));
  json_object_set_new(o, "strokes", json_integer((json_int_t)r->strokes));
  json_object_set_new(o, "depth_set_mm", json_real(r->depth_set_mm));
  json_object_set_new(o, "depth_reached_mm_mean", json_real(r->depth_reached_mm_mean));
  json_object_set_new(o, "event_time_s", num_or_null(r->event_time_s));
  json_object_set_new(o, "time_to_safe_stop_ms", num_or_null(r->time_to_safe_stop_ms));
  json_object_set_new(o, "log_intact", json_boolean(r->log_intact));
  json_object_set_new(o, "log_records", json_integer(r->log_records));
  json_object_set_new(o, "watchdog_resets", json_integer(r->watchdog_resets));
  json_object_set_new(o, "duration_s", json_real(r->duration_s));
  if (strokes_file != NULL) {
    json_object_set_new(o, "strokes_file", json_string(strokes_file));
  }
  json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
  fputc('\n', stdout);
  json_decref(o);
}

static void print_report(const mnpen_sil_result *r, const char *strokes_file) {
  printf("pen scenario: %s (%.2f s simulated)\n", mnpen_sil_scenario_name(r->scenario),
         r->duration_s);
  printf("  motor started        %s\n", r->motor_started ? "yes" : "no");
  printf("  fault                %s\n",
         r->fault == MNPEN_FAULT_NONE ? "none" : mnpen_fault_name(r->fault));
  printf("  final state          %s\n", mnpen_state_name(r->state_final));
  if (r->motor_started) {
    printf("  stroke rate          %.2f Hz set, %.2f Hz mean\n", r->speed_setpoint_hz,
           r->speed_mean_hz);
    printf("  rate error           %.2f %% rms, %.2f %% max (per stroke, after settling%s)\n",
           r->speed_error_rms_pct, r->speed_error_max_pct, r->settled ? "" : "; never settled");
    printf("  strokes              %llu\n", (unsigned long long)r->strokes);
    printf("  depth                %.2f mm set, %.3f mm reached (mean)\n", r->depth_set_mm,
           r->depth_reached_mm_mean);
  }
  if (r->time_to_safe_stop_ms >= 0.0) {
    printf("  time to safe stop    %.1f ms after the fault onset at %.4f s\n",
           r->time_to_safe_stop_ms, r->event_time_s);
  }
  printf("  treatment log        %s (%u records)\n", r->log_intact ? "intact" : "DAMAGED",
         r->log_records);
  if (r->watchdog_resets) {
    printf("  watchdog resets      %u\n", r->watchdog_resets);
  }
  if (strokes_file != NULL) {
    printf("  strokes written to   %s\n", strokes_file);
  }
}

int mn_cli_pen(int argc, char **argv) {
  mnpen_sil_options o;
  mnpen_sil_options_default(&o);
  int json = 0;
  const char *strokes_file = NULL;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = strcmp(a, "--scenario") == 0 || strcmp(a, "--speed-hz") == 0 ||
                strcmp(a, "--depth-mm") == 0 || strcmp(a, "--depth-step-mm") == 0 ||
                strcmp(a, "--cartridge") == 0 || strcmp(a, "--duration-s") == 0 ||
                strcmp(a, "--strokes") == 0 || strcmp(a, "--needles") == 0 ||
                strcmp(a, "--seed") == 0;
    if (takes && v == NULL) {
      fprintf(stderr, "mnlab pen: %s needs a value (see mnlab pen --help)\n", a);
      return MN_CLI_EUSAGE;
    }
    unsigned long long u = 0;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      pen_help(stdout);
      return MN_CLI_OK;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      /* nothing to silence: a pen run is over in seconds */
    } else if (strcmp(a, "--unregulated") == 0) {
      o.unregulated = 1;
    } else if (strcmp(a, "--scenario") == 0) {
      if (mnpen_sil_scenario_parse(v, &o.scenario) != 0) {
        fprintf(stderr, "mnlab pen: unknown scenario '%s'; one of:", v);
        for (int s = 0; s < MNPEN_SIL_COUNT; s++) {
          fprintf(stderr, " %s", mnpen_sil_scenario_name((mnpen_sil_scenario)s));
        }
        fputc('\n', stderr);
        return MN_CLI_EUSAGE;
      }
    } else if (strcmp(a, "--speed-hz") == 0) {
      if (parse_double(a, v, 90.0, 150.0, &o.speed_hz) != 0) {
        return MN_CLI_EUSAGE;
      }
    } else if (strcmp(a, "--depth-mm") == 0) {
      if (parse_double(a, v, 0.0, 3.0, &o.depth_mm) != 0) {
        return MN_CLI_EUSAGE;
      }
    } else if (strcmp(a, "--depth-step-mm") == 0) {
      if (parse_double(a, v, 0.1, 0.25, &o.depth_step_mm) != 0) {
        return MN_CLI_EUSAGE;
      }
      if (o.depth_step_mm != 0.1 && o.depth_step_mm != 0.25) {
        fprintf(stderr,
                "mnlab pen: --depth-step-mm %s: a pen's depth dial moves in 0.1 or 0.25 mm "
                "steps\n",
                v);
        return MN_CLI_EUSAGE;
      }
    } else if (strcmp(a, "--duration-s") == 0) {
      if (parse_double(a, v, 0.5, 3600.0, &o.duration_s) != 0) {
        return MN_CLI_EUSAGE;
      }
    } else if (strcmp(a, "--cartridge") == 0) {
      if (parse_u64(a, v, ~0ull, &u) != 0) {
        return MN_CLI_EUSAGE;
      }
      o.cartridge_id = u;
    } else if (strcmp(a, "--needles") == 0) {
      if (parse_u64(a, v, 200, &u) != 0) {
        return MN_CLI_EUSAGE;
      }
      if (u == 0) {
        fprintf(stderr, "mnlab pen: --needles '%s': a cartridge has at least one needle\n", v);
        return MN_CLI_EUSAGE;
      }
      o.needles = (int)u;
    } else if (strcmp(a, "--seed") == 0) {
      if (parse_u64(a, v, ~0ull, &u) != 0) {
        return MN_CLI_EUSAGE;
      }
      o.seed = u;
    } else if (strcmp(a, "--strokes") == 0) {
      strokes_file = v;
      o.keep_strokes = 1;
    } else {
      fprintf(stderr, "mnlab pen: unknown option '%s' (see mnlab pen --help)\n", a);
      return MN_CLI_EUSAGE;
    }
    if (takes) {
      i++;
    }
  }

  char err[512] = "";
  mn_params *t = NULL;
  if (mn_cli_pen_params(&t, err, sizeof err) != 0) {
    fprintf(stderr, "mnlab pen: %s\n", err);
    return MN_CLI_EFAIL;
  }
  mnpen_sil_result r;
  int rc = mnpen_sil_run(&o, t, &r, err, sizeof err);
  mn_params_destroy(&t);
  if (rc != 0) {
    fprintf(stderr, "mnlab pen: %s\n", err);
    mnpen_sil_result_free(&r);
    return MN_CLI_EFAIL;
  }
  if (strokes_file != NULL &&
      mn_strokes_write_csv(strokes_file, r.stroke_list, r.stroke_count, err, sizeof err) != 0) {
    fprintf(stderr, "mnlab pen: %s\n", err);
    mnpen_sil_result_free(&r);
    return MN_CLI_EFAIL;
  }
  if (json) {
    print_json(&r, strokes_file);
  } else {
    print_report(&r, strokes_file);
  }
  mnpen_sil_result_free(&r);
  return MN_CLI_OK;
}
