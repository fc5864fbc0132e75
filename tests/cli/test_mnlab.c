/*
 * The mnlab command as a user meets it: help that teaches, exit status 2
 * and a message naming the bad argument for bad usage, and the pen
 * command's JSON and stroke CSV in the documented shape.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct {
  int status;
  char out[65536];
  size_t len;
} cmd_result;

/* Runs `mnlab ARGS` with stderr merged into the captured output. */
static cmd_result run(const char *args) {
  cmd_result r = {0};
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", MN_CLI_PATH, args);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  r.len = fread(r.out, 1, sizeof r.out - 1, p);
  r.out[r.len] = '\0';
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

static void help_lists_commands(void **state) {
  (void)state;
  cmd_result r = run("--help");
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "pen"));
  r = run("--version");
  assert_int_equal(r.status, 0);
  assert_non_null(strstr(r.out, "mnlab "));
}

static void pen_help_teaches(void **state) {
  (void)state;
  cmd_result r = run("pen --help");
  assert_int_equal(r.status, 0);
  const char *must[] = {"load-step",        "stall",           "battery-sag",
                        "over-temperature", "cartridge-reuse", "cartridge-forged",
                        "power-loss",       "watchdog",        "--unregulated",
                        "--strokes",        "--json",          "examples"};
  for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
    assert_non_null(strstr(r.out, must[i]));
  }
}

static void bad_usage_exits_2_naming_the_problem(void **state) {
  (void)state;
  struct {
    const char *args, *says;
  } cases[] = {
      {"", "usage"},
      {"frobnicate", "frobnicate"},
      {"pen --scenario nosuch", "nosuch"},
      {"pen --speed-hz 200", "--speed-hz"},
      {"pen --speed-hz fast", "fast"},
      {"pen --depth-mm 3.5", "--depth-mm"},
      {"pen --depth-mm -1", "--depth-mm"},
      {"pen --bogus", "--bogus"},
      {"pen --scenario", "needs a value"},
      {"pen --needles 0", "--needles"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cmd_result r = run(cases[i].args);
    if (r.status != 2 || strstr(r.out, cases[i].says) == NULL) {
      fprintf(stderr, "mnlab %s -> %d: %s\n", cases[i].args, r.status, r.out);
    }
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.out, cases[i].says));
  }
}

static void pen_json_has_the_documented_keys(void **state) {
  (void)state;
  char path[] = "/tmp/mnlab-strokes-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  char args[256];
  snprintf(args, sizeof args, "pen --scenario stall --json --strokes %s", path);
  cmd_result r = run(args);
  assert_int_equal(r.status, 0);
  json_error_t jerr;
  json_t *o = json_loads(r.out, 0, &jerr);
  assert_non_null(o);
  const char *keys[] = {"scenario",
                        "motor_started",
                        "fault",
                        "state_final",
                        "speed_setpoint_hz",
                        "speed_mean_hz",
                        "speed_error_rms_pct",
                        "speed_error_max_pct",
                        "strokes",
                        "depth_set_mm",
                        "depth_reached_mm_mean",
                        "time_to_safe_stop_ms",
                        "log_intact",
                        "strokes_file"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    assert_non_null(json_object_get(o, keys[i]));
  }
  assert_string_equal(json_string_value(json_object_get(o, "fault")), "stall");
  assert_true(json_is_number(json_object_get(o, "time_to_safe_stop_ms")));
  json_int_t strokes = json_integer_value(json_object_get(o, "strokes"));
  assert_true(strokes > 50);

  /* The CSV: a header and one row per stroke. */
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[256];
  assert_non_null(fgets(line, sizeof line, f));
  assert_string_equal(line, "time_s,depth_mm,force_n\n");
  json_int_t rows = 0;
  double t_prev = -1.0;
  while (fgets(line, sizeof line, f)) {
    double t, d, force;
    assert_int_equal(sscanf(line, "%lf,%lf,%lf", &t, &d, &force), 3);
    assert_true(t > t_prev);
    t_prev = t;
    rows++;
  }
  fclose(f);
  remove(path);
  assert_int_equal(rows, strokes);
  json_decref(o);

  /* A no-fault run reports null for the fault and the safe-stop time. */
  r = run("pen --scenario nominal --json");
  o = json_loads(r.out, 0, &jerr);
  assert_non_null(o);
  assert_true(json_is_null(json_object_get(o, "fault")));
  assert_true(json_is_null(json_object_get(o, "time_to_safe_stop_ms")));
  assert_null(json_object_get(o, "strokes_file"));
  json_decref(o);
}

/* Every parameter in data/ has a unit and exactly one of a source or an
 * estimate's reasoning (the loader enforces it; this checks the listing
 * shows it and that the shipped data load as a whole). */
static void params_lists_every_parameter_with_its_source(void **state) {
  (void)state;
  FILE *p = popen("'" MN_CLI_PATH "' params --json", "r");
  assert_non_null(p);
  char *buf = NULL;
  size_t cap = 0, len = 0, got;
  do {
    if (len + 4096 > cap) {
      cap = 2 * cap + 65536;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    got = fread(buf + len, 1, cap - len - 1, p);
    len += got;
  } while (got > 0);
  buf[len] = '\0';
  assert_int_equal(pclose(p), 0);
  json_error_t jerr;
  json_t *o = json_loads(buf, 0, &jerr);
  free(buf);
  assert_non_null(o);
  json_t *list = json_object_get(o, "parameters");
  assert_true(json_array_size(list) > 50);
  size_t estimates = 0, i;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *unit = json_string_value(json_object_get(e, "unit"));
    assert_non_null(unit);
    assert_true(unit[0] != '\0');
    int is_est = json_is_true(json_object_get(e, "estimate"));
    int has_src = json_is_string(json_object_get(e, "source"));
    assert_true(is_est != has_src);
    if (is_est) {
      estimates++;
      assert_true(strlen(json_string_value(json_object_get(e, "reasoning"))) > 10);
    }
  }
  assert_int_equal((json_int_t)estimates, json_integer_value(json_object_get(o, "estimates")));
  json_decref(o);
}

static int path_exists(const char *p) {
  return access(p, F_OK) == 0;
}

/* A malformed protocol: exit 2, a message naming file, line and key, and
 * no output directory. */
static void malformed_protocol_writes_nothing(void **state) {
  (void)state;
  const struct {
    const char *file, *says;
  } cases[] = {{"bad-key.yaml", "bad-key.yaml:3:"},
               {"bad-key.yaml", "sped_hz"},
               {"bad-range.yaml", "device.needle_length_mm"},
               {"no-such-file.yaml", "no-such-file.yaml"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dir[] = "/tmp/mnlab-run-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char args[2048], out[600];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(args, sizeof args, "run '%s/%s' -o '%s'", MN_TEST_PROTOCOLS, cases[i].file, out);
    cmd_result r = run(args);
    if (r.status != 2 || strstr(r.out, cases[i].says) == NULL) {
      fprintf(stderr, "mnlab %s -> %d: %s\n", args, r.status, r.out);
    }
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.out, cases[i].says));
    assert_false(path_exists(out));
    rmdir(dir);
  }
}

/* A small protocol runs and writes both outputs in the documented shape. */
static void run_writes_summary_and_timeseries(void **state) {
  (void)state;
  char dir[] = "/tmp/mnlab-run-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char args[2048], out[600], path[700];
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(args, sizeof args, "run '%s/tiny.yaml' -o '%s' --quiet", MN_TEST_PROTOCOLS, out);
  cmd_result r = run(args);
  if (r.status != 0) {
    fprintf(stderr, "%s\n", r.out);
  }
  assert_int_equal(r.status, 0);

  snprintf(path, sizeof path, "%s/summary.json", out);
  json_error_t jerr;
  json_t *o = json_load_file(path, 0, &jerr);
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "schema")), "mnlab.summary/1");
  assert_string_equal(json_string_value(json_object_get(json_object_get(o, "protocol"), "name")),
                      "tiny test run");
  const char *paths[][2] = {{"punctures", "per_cm2"},
                            {"punctures", "density_cv"},
                            {"punctures", "channel_depth_um_mean"},
                            {"punctures", "channel_width_um_mean"},
                            {"barrier", "tewl_baseline_g_m2_h"},
                            {"barrier", "tewl_peak_g_m2_h"},
                            {"barrier", "tewl_recovery_h"},
                            {"barrier", "pore_closure_half_life_h"},
                            {"barrier", "pore_closure_h"},
                            {"topical", "lag_time_min"},
                            {"topical", "cumulative_ug_cm2"},
                            {"topical", "enhancement_vs_intact"},
                            {"erythema", "peak"},
                            {"erythema", "duration_h"}};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    json_t *sec = json_object_get(o, paths[i][0]);
    assert_non_null(sec);
    /* present: a number, or null when the run could not determine it */
    assert_non_null(json_object_get(sec, paths[i][1]));
  }
  double per_cm2 = json_number_value(json_object_get(json_object_get(o, "punctures"), "per_cm2"));
  assert_true(per_cm2 > 100.0);
  double base =
      json_number_value(json_object_get(json_object_get(o, "barrier"), "tewl_baseline_g_m2_h"));
  double peak =
      json_number_value(json_object_get(json_object_get(o, "barrier"), "tewl_peak_g_m2_h"));
  assert_true(peak > base); /* open channels raise TEWL */
  json_decref(o);

  snprintf(path, sizeof path, "%s/timeseries.csv", out);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[1024];
  assert_non_null(fgets(line, sizeof line, f));
  const char *cols[] = {"time_h",        "tewl_g_m2_h",       "open_channel_fraction",
                        "flux_ug_cm2_h", "cumulative_ug_cm2", "erythema_index"};
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
    assert_non_null(strstr(line, cols[i]));
  }
  int rows = 0;
  while (fgets(line, sizeof line, f)) {
    rows++;
  }
  fclose(f);
  assert_true(rows > 10);
  /* tidy up */
  snprintf(path, sizeof path, "%s/summary.json", out);
  remove(path);
  snprintf(path, sizeof path, "%s/timeseries.csv", out);
  remove(path);
  rmdir(out);
  rmdir(dir);
}

static void unwritable_strokes_file_fails_cleanly(void **state) {
  (void)state;
  cmd_result r = run("pen --strokes /nonexistent-dir/strokes.csv");
  assert_int_equal(r.status, 1);
  assert_non_null(strstr(r.out, "/nonexistent-dir/strokes.csv"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(help_lists_commands),
      cmocka_unit_test(pen_help_teaches),
      cmocka_unit_test(bad_usage_exits_2_naming_the_problem),
      cmocka_unit_test(pen_json_has_the_documented_keys),
      cmocka_unit_test(unwritable_strokes_file_fails_cleanly),
      cmocka_unit_test(params_lists_every_parameter_with_its_source),
      cmocka_unit_test(malformed_protocol_writes_nothing),
      cmocka_unit_test(run_writes_summary_and_timeseries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
