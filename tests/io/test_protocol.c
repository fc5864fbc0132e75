/*
 * Protocol files: the built-in course, every shipped protocol, a round trip
 * through the JSON writer, and one refused file for every class of error,
 * each message checked for the file, line, column and key path. Also checks
 * the skin data the protocols name: every body site has its five layers with
 * published orders of magnitude, every compound what permeation needs.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../support/tmp_files.h"

#include "io/params.h"
#include "io/protocol.h"

#define FIXTURES MN_DATA_DIR "/../tests/io/protocols"
#define PROTOCOLS MN_DATA_DIR "/protocols"

/* ---- helpers ------------------------------------------------------------ */

static json_t *to_json(const mn_protocol *p) {
  json_t *j = NULL;
  assert_int_equal(mn_protocol_write_json(p, &j), 0);
  assert_non_null(j);
  return j;
}

static void assert_same_protocol(const mn_protocol *a, const mn_protocol *b) {
  json_t *ja = to_json(a);
  json_t *jb = to_json(b);
  if (!json_equal(ja, jb)) {
    char *sa = json_dumps(ja, JSON_SORT_KEYS);
    char *sb = json_dumps(jb, JSON_SORT_KEYS);
    print_error("protocols differ:\n%s\n%s\n", sa, sb);
    free(sa);
    free(sb);
    fail();
  }
  json_decref(ja);
  json_decref(jb);
}

/* Loads TEXT as a protocol file NAME and expects status RC with every
 * fragment in the message. */
static void expect_error(tmp_files *tf, const char *name, const char *text, int rc, ...) {
  const char *path = tmp_files_write(tf, name, text);
  mn_protocol p;
  char err[512] = "";
  int got = mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err);
  if (got != rc) {
    print_error("%s: status %d, expected %d; message: %s\n", name, got, rc, err);
    fail();
  }
  va_list ap;
  va_start(ap, rc);
  const char *frag;
  while ((frag = va_arg(ap, const char *)) != NULL) {
    if (strstr(err, frag) == NULL) {
      print_error("%s: message '%s' lacks '%s'\n", name, err, frag);
      va_end(ap);
      fail();
    }
  }
  va_end(ap);
  /* a failed load leaves the defaults */
  mn_protocol d;
  mn_protocol_default(&d);
  assert_same_protocol(&p, &d);
  unlink(path);
  tf->n--;
}

/* ---- the built-in course ------------------------------------------------ */

static void default_is_the_documented_course(void **state) {
  (void)state;
  mn_protocol p;
  mn_protocol_default(&p);
  assert_int_equal(p.subject.species, MN_SPECIES_HUMAN);
  assert_string_equal(p.subject.site, "cheek");
  assert_int_equal(p.device.kind, MN_DEVICE_PEN);
  assert_string_equal(p.device.cartridge, "12-round");
  assert_true(p.device.needle_length_mm == 1.0);
  assert_int_equal(p.treatment.passes, 3);
  assert_int_equal(p.treatment.pattern, MN_PATTERN_CROSSHATCH);
  assert_false(p.treatment.has_topical);
  assert_int_equal(p.schedule.sessions, 4);
  assert_true(p.schedule.interval_days == 28.0);
  assert_true(p.schedule.follow_up_days == 90.0);
  /* fine enough to resolve a 70 um channel with at least three voxels */
  assert_true(p.grid.resolution_um <= 70.0 / 3.0);
  assert_true(p.grid.window_mm[0] <= p.treatment.area_mm[0]);
  assert_true(p.grid.window_mm[1] <= p.treatment.area_mm[1]);
}

static void default_yaml_equals_builtin(void **state) {
  (void)state;
  mn_protocol p, d;
  char err[512] = "";
  int rc = mn_protocol_load(&p, PROTOCOLS "/default.yaml", MN_DATA_DIR, err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  mn_protocol_builtin(&d);
  assert_string_equal(p.name, d.name);
  assert_same_protocol(&p, &d);
}

static void missing_keys_take_defaults(void **state) {
  (void)state;
  mn_protocol p, d;
  char err[512] = "";
  assert_int_equal(mn_protocol_load(&p, FIXTURES "/minimal.yaml", MN_DATA_DIR, err, sizeof err), 0);
  mn_protocol_default(&d);
  assert_true(p.device.needle_length_mm == 0.5);
  /* the name falls back to the file's stem */
  assert_string_equal(p.name, "minimal");
  d.device.needle_length_mm = 0.5;
  snprintf(d.name, sizeof d.name, "minimal");
  assert_same_protocol(&p, &d);
}

static void every_shipped_protocol_loads(void **state) {
  (void)state;
  DIR *d = opendir(PROTOCOLS);
  assert_non_null(d);
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0) {
      continue;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/%s", PROTOCOLS, e->d_name);
    mn_protocol p;
    char err[512] = "";
    int rc = mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err);
    if (rc != 0) {
      print_error("%s\n", err);
    }
    assert_int_equal(rc, 0);
    assert_true(strlen(p.name) > 0);
    n++;
  }
  closedir(d);
  /* default, cheek-naloxone, two porcine, rat roller, Lotfi, acne, striae */
  assert_true(n >= 8);
}

static void shipped_protocols_say_what_they_model(void **state) {
  (void)state;
  mn_protocol p;
  char err[512] = "";
  assert_int_equal(
      mn_protocol_load(&p, PROTOCOLS "/rat-roller-tewl.yaml", MN_DATA_DIR, err, sizeof err), 0);
  assert_int_equal(p.subject.species, MN_SPECIES_RAT);
  assert_int_equal(p.device.kind, MN_DEVICE_ROLLER);
  assert_true(fabs(p.device.needle_length_mm - 0.77) < 1e-12);
  assert_true(p.device.speed_hz == 0.0);

  assert_int_equal(mn_protocol_load(&p, PROTOCOLS "/lotfi-2013.yaml", MN_DATA_DIR, err, sizeof err),
                   0);
  assert_int_equal(p.schedule.sessions, 5);
  assert_true(p.device.needle_length_mm == 1.5);
  assert_true(p.schedule.follow_up_days == 56.0); /* 8 weeks after the last */

  assert_int_equal(
      mn_protocol_load(&p, PROTOCOLS "/porcine-naloxone-250um.yaml", MN_DATA_DIR, err, sizeof err),
      0);
  assert_true(p.subject.ex_vivo);
  assert_int_equal(p.subject.species, MN_SPECIES_PIG);
  assert_true(p.subject.membrane_mm == 0.75); /* dermatomed */
  assert_true(p.device.needle_length_mm == 0.25);
  assert_true(p.treatment.has_topical);
  assert_string_equal(p.treatment.topical.compound, "naloxone");

  assert_int_equal(mn_protocol_load(&p, PROTOCOLS "/acne-scars.yaml", MN_DATA_DIR, err, sizeof err),
                   0);
  assert_int_equal(p.subject.condition, MN_CONDITION_ACNE_SCAR);
  assert_int_equal(p.schedule.sessions, 4);
  assert_true(p.device.needle_length_mm == 1.5);
}

/* ---- JSON ---------------------------------------------------------------- */

static void good_file_round_trips_through_json(void **state) {
  tmp_files *tf = *state;
  mn_protocol p;
  char err[512] = "";
  int rc = mn_protocol_load(&p, FIXTURES "/good-roundtrip.yaml", MN_DATA_DIR, err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  /* every field read as written */
  assert_string_equal(p.name, "round trip: forehead, 0.5 mm, caffeine before needling");
  assert_string_equal(p.subject.site, "forehead");
  assert_int_equal(p.subject.fitzpatrick, 5);
  assert_true(p.subject.age == 61.5);
  assert_int_equal(p.subject.condition, MN_CONDITION_WRINKLES);
  assert_true(p.device.speed_hz == 132.5);
  assert_int_equal(p.device.motor, MN_MOTOR_UNREGULATED);
  assert_true(p.treatment.area_mm[0] == 25.0 && p.treatment.area_mm[1] == 12.5);
  assert_int_equal(p.treatment.pattern, MN_PATTERN_LINES);
  assert_true(p.treatment.occlusion);
  assert_int_equal(p.treatment.anti_inflammatory, MN_ANTI_INFLAMMATORY_DICLOFENAC);
  assert_true(p.treatment.has_topical);
  assert_int_equal(p.treatment.topical.applied, MN_APPLIED_BEFORE);
  assert_true(p.treatment.topical.concentration_mg_ml == 20.0);
  assert_true(p.schedule.follow_up_days == 45.5);
  assert_true(p.grid.window_mm[1] == 1.5);
  assert_true(p.output.fields_every_h == 12.0);
  assert_int_equal(p.output.nfields_at, 3);
  assert_true(p.output.fields_at_h[0] == 1.5 && p.output.fields_at_h[2] == 100.0);
  assert_int_equal(p.output.fields, (1u << MN_FIELD_WATER) | (1u << MN_FIELD_WOUND) |
                                        (1u << MN_FIELD_COLLAGEN_III_NEW) |
                                        (1u << MN_FIELD_ELASTIN));
  assert_false(p.output.milestones);
  assert_true(p.seed == 424242u);

  json_t *j = to_json(&p);
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "subject"), "species")),
                      "human");
  assert_true(json_real_value(json_object_get(json_object_get(j, "device"), "speed_hz")) == 132.5);
  json_t *top = json_object_get(json_object_get(j, "treatment"), "topical");
  assert_string_equal(json_string_value(json_object_get(top, "compound")), "caffeine");
  assert_string_equal(json_string_value(json_object_get(top, "applied")), "before");
  assert_int_equal(json_integer_value(json_object_get(j, "seed")), 424242);

  /* JSON is YAML: the written object read back is the same protocol */
  char *text = json_dumps(j, JSON_INDENT(2));
  assert_non_null(text);
  const char *path = tmp_files_write(tf, "back.yaml", text);
  free(text);
  json_decref(j);
  mn_protocol q;
  rc = mn_protocol_load(&q, path, MN_DATA_DIR, err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  assert_string_equal(q.name, p.name);
  assert_same_protocol(&p, &q);
}

static void json_of_roller_and_no_topical(void **state) {
  tmp_files *tf = *state;
  mn_protocol p;
  char err[512] = "";
  assert_int_equal(
      mn_protocol_load(&p, PROTOCOLS "/rat-roller-tewl.yaml", MN_DATA_DIR, err, sizeof err), 0);
  json_t *j = to_json(&p);
  json_t *dev = json_object_get(j, "device");
  assert_string_equal(json_string_value(json_object_get(dev, "kind")), "roller");
  assert_null(json_object_get(dev, "speed_hz")); /* a roller has none */
  assert_null(json_object_get(dev, "motor"));
  assert_true(json_is_null(json_object_get(json_object_get(j, "treatment"), "topical")));
  char *text = json_dumps(j, 0);
  const char *path = tmp_files_write(tf, "roller.yaml", text);
  free(text);
  json_decref(j);
  mn_protocol q;
  assert_int_equal(mn_protocol_load(&q, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_same_protocol(&p, &q);
}

static void choice_names_match_the_file_spelling(void **state) {
  (void)state;
  assert_string_equal(mn_protocol_species_name(MN_SPECIES_PIG), "pig");
  assert_string_equal(mn_protocol_condition_name(MN_CONDITION_ACNE_SCAR), "acne_scar");
  assert_string_equal(mn_protocol_device_kind_name(MN_DEVICE_ROLLER), "roller");
  assert_string_equal(mn_protocol_motor_name(MN_MOTOR_UNREGULATED), "unregulated");
  assert_string_equal(mn_protocol_pattern_name(MN_PATTERN_LINES), "lines");
  assert_string_equal(mn_protocol_anti_inflammatory_name(MN_ANTI_INFLAMMATORY_DICLOFENAC),
                      "diclofenac");
  assert_string_equal(mn_protocol_applied_name(MN_APPLIED_AFTER), "after");
  assert_string_equal(mn_protocol_species_name((mn_species)7), "?");
}

/* ---- errors ---------------------------------------------------------------- */

static void out_of_range_names_file_line_column_and_key(void **state) {
  (void)state;
  mn_protocol p;
  char err[512] = "";
  assert_int_equal(mn_protocol_load(&p, FIXTURES "/cheek.yaml", MN_DATA_DIR, err, sizeof err),
                   MN_PROTOCOL_ERANGE);
  assert_non_null(strstr(err, "cheek.yaml:7:14: device.speed_hz: 160 is out of range 90-150"));
}

static void syntax_error_names_line_and_column(void **state) {
  (void)state;
  mn_protocol p;
  char err[512] = "";
  assert_int_equal(
      mn_protocol_load(&p, FIXTURES "/syntax-error.yaml", MN_DATA_DIR, err, sizeof err),
      MN_PROTOCOL_ESYNTAX);
  assert_non_null(strstr(err, "syntax-error.yaml:5:"));
  assert_non_null(strstr(err, "YAML syntax error"));
}

static void missing_file_is_an_io_error(void **state) {
  (void)state;
  mn_protocol p;
  char err[512] = "";
  assert_int_equal(mn_protocol_load(&p, "/nonexistent/dir/x.yaml", MN_DATA_DIR, err, sizeof err),
                   MN_PROTOCOL_EIO);
  assert_non_null(strstr(err, "/nonexistent/dir/x.yaml: cannot open"));
  assert_int_equal(mn_protocol_load(NULL, "x", NULL, err, sizeof err), MN_PROTOCOL_EINVAL);
}

static void schema_errors(void **state) {
  tmp_files *tf = *state;
  expect_error(tf, "unknown.yaml", "device:\n  kind: pen\n  sped_hz: 110\n", MN_PROTOCOL_ESCHEMA,
               "unknown.yaml:3:3: device: unknown key 'sped_hz'", NULL);
  expect_error(tf, "top.yaml", "seed: 1\ncolour: red\n", MN_PROTOCOL_ESCHEMA,
               "top.yaml:2:1: (top level): unknown key 'colour'", NULL);
  expect_error(tf, "dup.yaml", "schedule:\n  sessions: 2\n  sessions: 3\n", MN_PROTOCOL_ESCHEMA,
               "dup.yaml:3:3: schedule.sessions: duplicate key (first given on line 2)", NULL);
  expect_error(tf, "word.yaml", "treatment:\n  passes: three\n", MN_PROTOCOL_ESCHEMA,
               "word.yaml:2:11: treatment.passes: expected a whole number, got 'three'", NULL);
  expect_error(tf, "frac.yaml", "treatment:\n  passes: 2.5\n", MN_PROTOCOL_ESCHEMA,
               "frac.yaml:2:11: treatment.passes: expected a whole number, got '2.5'", NULL);
  expect_error(tf, "quoted.yaml", "device: { needle_length_mm: \"1.0\" }\n", MN_PROTOCOL_ESCHEMA,
               "quoted.yaml:1:29: device.needle_length_mm: expected a number, got the quoted "
               "string \"1.0\"",
               NULL);
  expect_error(tf, "bool.yaml", "treatment:\n  occlusion: maybe\n", MN_PROTOCOL_ESCHEMA,
               "bool.yaml:2:14: treatment.occlusion: expected true or false, got 'maybe'", NULL);
  expect_error(tf, "pair.yaml", "grid:\n  window_mm: [3, 3, 3]\n", MN_PROTOCOL_ESCHEMA,
               "pair.yaml:2:14: grid.window_mm: expected two numbers [x, y]", NULL);
  expect_error(tf, "section.yaml", "device: pen\n", MN_PROTOCOL_ESCHEMA,
               "section.yaml:1:9: device: expected a mapping, got a scalar", NULL);
  expect_error(tf, "list.yaml", "- a\n- b\n", MN_PROTOCOL_ESCHEMA,
               "list.yaml:1:1: (top level): expected a mapping, got a sequence", NULL);
  expect_error(tf, "empty.yaml", "# nothing\n", MN_PROTOCOL_ESCHEMA,
               "empty.yaml: (top level): the file holds no protocol", NULL);
  expect_error(tf, "two.yaml", "seed: 1\n---\nseed: 2\n", MN_PROTOCOL_ESCHEMA,
               "two.yaml:2:1: (top level): a protocol file holds one document", NULL);
  expect_error(tf, "upper.yaml", "subject: { site: Cheek }\n", MN_PROTOCOL_ESCHEMA,
               "upper.yaml:1:18: subject.site: 'Cheek' is not a name", NULL);
  expect_error(tf, "path.yaml", "device: { cartridge: ../../etc/passwd }\n", MN_PROTOCOL_ESCHEMA,
               "device.cartridge: '../../etc/passwd' is not a name", NULL);
  expect_error(tf, "topical.yaml",
               "treatment:\n  topical:\n    applied: after\n    concentration_mg_ml: 5\n",
               MN_PROTOCOL_ESCHEMA,
               "topical.yaml:2:3: treatment.topical: a topical must name its compound", NULL);
  expect_error(tf, "conc.yaml", "treatment:\n  topical: { compound: caffeine }\n",
               MN_PROTOCOL_ESCHEMA, "treatment.topical: a topical must give its concentration",
               NULL);
}

static void range_errors(void **state) {
  tmp_files *tf = *state;
  expect_error(tf, "fitz.yaml", "subject: { fitzpatrick: 7 }\n", MN_PROTOCOL_ERANGE,
               "fitz.yaml:1:25: subject.fitzpatrick: 7 is out of range 1-6", NULL);
  expect_error(tf, "age.yaml", "subject:\n  age: 121\n", MN_PROTOCOL_ERANGE,
               "age.yaml:2:8: subject.age: 121 is out of range 0-120", NULL);
  expect_error(tf, "needle.yaml", "device:\n  needle_length_mm: 0.05\n", MN_PROTOCOL_ERANGE,
               "needle.yaml:2:21: device.needle_length_mm: 0.05 is out of range 0.1-3", NULL);
  expect_error(tf, "slow.yaml", "device:\n  speed_hz: 89.9\n", MN_PROTOCOL_ERANGE,
               "slow.yaml:2:13: device.speed_hz: 89.9 is out of range 90-150", NULL);
  expect_error(tf, "passes.yaml", "treatment:\n  passes: 21\n", MN_PROTOCOL_ERANGE,
               "passes.yaml:2:11: treatment.passes: 21 is out of range 1-20", NULL);
  expect_error(tf, "sessions.yaml", "schedule:\n  sessions: 0\n", MN_PROTOCOL_ERANGE,
               "schedule.sessions: 0 is out of range 1-12", NULL);
  expect_error(tf, "interval.yaml", "schedule:\n  interval_days: 366\n", MN_PROTOCOL_ERANGE,
               "schedule.interval_days: 366 is out of range 1-365", NULL);
  expect_error(tf, "follow.yaml", "schedule:\n  follow_up_days: -1\n", MN_PROTOCOL_ERANGE,
               "schedule.follow_up_days: -1 is out of range 0-730", NULL);
  expect_error(tf, "res.yaml", "grid:\n  resolution_um: 4\n", MN_PROTOCOL_ERANGE,
               "grid.resolution_um: 4 is out of range 5-200", NULL);
  expect_error(tf, "win.yaml", "grid:\n  window_mm: [3, 21]\n", MN_PROTOCOL_ERANGE,
               "win.yaml:2:18: grid.window_mm: 21 is out of range 0.2-20", NULL);
  expect_error(tf, "zero.yaml",
               "treatment:\n  topical: { compound: caffeine, concentration_mg_ml: 0 }\n",
               MN_PROTOCOL_ERANGE,
               "zero.yaml:2:55: treatment.topical.concentration_mg_ml: 0 is out of range: more "
               "than 0",
               NULL);
  expect_error(tf, "seed.yaml", "seed: -1\n", MN_PROTOCOL_ERANGE,
               "seed.yaml:1:7: seed: -1 is out of range", NULL);
  expect_error(tf, "species.yaml", "subject: { species: dog }\n", MN_PROTOCOL_ERANGE,
               "species.yaml:1:21: subject.species: 'dog' is not one of human|rat|pig", NULL);
  expect_error(tf, "pattern.yaml", "treatment: { pattern: spiral }\n", MN_PROTOCOL_ERANGE,
               "treatment.pattern: 'spiral' is not one of lines|crosshatch", NULL);
}

/* The output block: defaults (every field, milestones, no times), an empty
 * list of fields, and every bad value refused at its line and column. */
static void output_block(void **state) {
  tmp_files *tf = *state;
  mn_protocol d;
  mn_protocol_default(&d);
  assert_int_equal(d.output.fields, MN_FIELD_ALL);
  assert_true(d.output.milestones);
  assert_int_equal(d.output.nfields_at, 0);
  assert_true(d.output.fields_every_h == 0.0);
  for (int f = 0; f < MN_FIELD_COUNT; f++) {
    assert_string_not_equal(mn_protocol_field_name((mn_field_id)f), "?");
  }
  assert_string_equal(mn_protocol_field_name(MN_FIELD_COLLAGEN_I), "collagen_I");
  assert_string_equal(mn_protocol_field_name(MN_FIELD_COUNT), "?");

  mn_protocol p;
  char err[512] = "";
  const char *path =
      tmp_files_write(tf, "none.yaml", "output: { fields: [], milestones: false }\n");
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_int_equal(p.output.fields, 0);
  assert_false(p.output.milestones);
  json_t *j = to_json(&p);
  assert_int_equal(json_array_size(json_object_get(json_object_get(j, "output"), "fields")), 0);
  json_decref(j);

  /* the default course lasts (3 * 28 + 90) days = 4176 h */
  path = tmp_files_write(tf, "last.yaml", "output: { fields_at_h: [0, 4176] }\n");
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_int_equal(p.output.nfields_at, 2);
  expect_error(tf, "late.yaml", "output:\n  fields_at_h: [1, 4176.5]\n", MN_PROTOCOL_ERANGE,
               "late.yaml:2:3: output.fields_at_h: 4176.5 h is after the end of the course "
               "(4176 h",
               NULL);
  expect_error(tf, "order.yaml", "output:\n  fields_at_h: [1, 6, 6]\n", MN_PROTOCOL_ERANGE,
               "order.yaml:2:23: output.fields_at_h: 6 does not come after 6", NULL);
  expect_error(tf, "neg.yaml", "output:\n  fields_at_h: [-1]\n", MN_PROTOCOL_ERANGE,
               "neg.yaml:2:17: output.fields_at_h: -1 is out of range 0-120000", NULL);
  expect_error(tf, "scalar.yaml", "output:\n  fields_at_h: 6\n", MN_PROTOCOL_ESCHEMA,
               "scalar.yaml:2:16: output.fields_at_h: expected a list of hours", NULL);
  expect_error(tf, "word.yaml", "output: { fields_at_h: [1, soon] }\n", MN_PROTOCOL_ESCHEMA,
               "word.yaml:1:28: output.fields_at_h: expected a number, got 'soon'", NULL);
  expect_error(tf, "every.yaml", "output: { fields_every_h: 9000 }\n", MN_PROTOCOL_ERANGE,
               "every.yaml:1:27: output.fields_every_h: 9000 is out of range 0-8760", NULL);
  expect_error(tf, "field.yaml", "output:\n  fields: [water, collagen]\n", MN_PROTOCOL_ERANGE,
               "field.yaml:2:19: output.fields: 'collagen' is not one of water|compound|",
               "collagen_III_new|elastin", NULL);
  expect_error(tf, "twice.yaml", "output:\n  fields: [water, tgf, water]\n", MN_PROTOCOL_ESCHEMA,
               "twice.yaml:2:24: output.fields: 'water' is listed twice", NULL);
  expect_error(tf, "fmap.yaml", "output:\n  fields: { water: 1 }\n", MN_PROTOCOL_ESCHEMA,
               "fmap.yaml:2:11: output.fields: expected a list of field names", NULL);
  expect_error(tf, "ms.yaml", "output: { milestones: 2 }\n", MN_PROTOCOL_ESCHEMA,
               "ms.yaml:1:23: output.milestones: expected true or false", NULL);
  expect_error(tf, "okey.yaml", "output: { fields_every: 2 }\n", MN_PROTOCOL_ESCHEMA,
               "okey.yaml:1:11: output: unknown key 'fields_every'", NULL);
  char many[1024] = "output: { fields_at_h: [";
  for (int i = 0; i <= MN_PROTOCOL_FIELD_TIMES_MAX; i++) {
    char item[16];
    snprintf(item, sizeof item, "%s%d", i > 0 ? ", " : "", i);
    strcat(many, item);
  }
  strcat(many, "] }\n");
  expect_error(tf, "many.yaml", many, MN_PROTOCOL_ERANGE,
               "many.yaml:1:24: output.fields_at_h: 65 times, at most 64", NULL);
}

/* Excised skin may give the thickness of the mounted piece: read, written
 * back in the JSON only when given, read again the same; refused in vivo and
 * out of range. */
static void ex_vivo_membrane_thickness(void **state) {
  tmp_files *tf = *state;
  mn_protocol p;
  char err[512] = "";
  const char *path = tmp_files_write(tf, "membrane.yaml",
                                     "subject: { species: pig, site: ear, ex_vivo: true, "
                                     "membrane_mm: 0.75 }\n"
                                     "schedule: { sessions: 1 }\n");
  int rc = mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  assert_true(p.subject.ex_vivo);
  assert_true(p.subject.membrane_mm == 0.75);
  json_t *j = to_json(&p);
  json_t *m = json_object_get(json_object_get(j, "subject"), "membrane_mm");
  assert_true(json_is_real(m) && json_real_value(m) == 0.75);
  char *text = json_dumps(j, JSON_INDENT(2));
  assert_non_null(text);
  path = tmp_files_write(tf, "membrane-back.yaml", text);
  free(text);
  json_decref(j);
  mn_protocol q;
  assert_int_equal(mn_protocol_load(&q, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_true(q.subject.membrane_mm == 0.75);
  assert_same_protocol(&p, &q);

  /* Without the key the site's full skin is the membrane: 0, not written. */
  path = tmp_files_write(tf, "full.yaml",
                         "subject: { species: pig, site: ear, ex_vivo: true }\n"
                         "schedule: { sessions: 1 }\n");
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_true(p.subject.membrane_mm == 0.0);
  j = to_json(&p);
  assert_null(json_object_get(json_object_get(j, "subject"), "membrane_mm"));
  json_decref(j);

  expect_error(tf, "membrane-vivo.yaml", "subject: { membrane_mm: 0.75 }\n", MN_PROTOCOL_ERANGE,
               "membrane-vivo.yaml:1:12: subject.membrane_mm: a membrane thickness is for "
               "excised skin",
               NULL);
  expect_error(tf, "membrane-thin.yaml",
               "subject: { species: pig, site: ear, ex_vivo: true, membrane_mm: 0.01 }\n"
               "schedule: { sessions: 1 }\n",
               MN_PROTOCOL_ERANGE, "subject.membrane_mm: 0.01 is out of range 0.05-5", NULL);
  /* in range for the key, but not a piece of this site's skin (pig ear:
   * epidermis 0.095 mm, down to the bottom of the dermis 1.295 mm) */
  expect_error(tf, "membrane-epidermis.yaml",
               "subject: { species: pig, site: ear, ex_vivo: true, membrane_mm: 0.06 }\n"
               "schedule: { sessions: 1 }\n",
               MN_PROTOCOL_ERANGE,
               "membrane-epidermis.yaml:1:52: subject.membrane_mm: 0.06 mm is thinner than the "
               "pig ear epidermis (0.095 mm",
               NULL);
  expect_error(tf, "membrane-thick.yaml",
               "subject: { species: pig, site: ear, ex_vivo: true, membrane_mm: 1.5 }\n"
               "schedule: { sessions: 1 }\n",
               MN_PROTOCOL_ERANGE,
               "membrane-thick.yaml:1:52: subject.membrane_mm: 1.5 mm is thicker than the pig "
               "ear skin (1.29 mm",
               NULL);
  path = tmp_files_write(tf, "membrane-whole.yaml",
                         "subject: { species: pig, site: ear, ex_vivo: true, membrane_mm: 1.295 }\n"
                         "schedule: { sessions: 1 }\n");
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
}

/* A pen's depth dial has a scale: the pen's own 0.1 mm, or 0.25 mm given as
 * device.depth_step_mm. A length off the scale is refused (the firmware
 * would round it down and run a shallower pen than the protocol says). */
static void pen_depth_scale(void **state) {
  tmp_files *tf = *state;
  mn_protocol p;
  char err[512] = "";
  const char *path = tmp_files_write(
      tf, "quarter.yaml", "device: { kind: pen, needle_length_mm: 0.25, depth_step_mm: 0.25 }\n");
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_true(p.device.depth_step_mm == 0.25);
  json_t *j = to_json(&p);
  json_t *d = json_object_get(json_object_get(j, "device"), "depth_step_mm");
  assert_true(json_is_real(d) && json_real_value(d) == 0.25);
  json_decref(j);
  /* not given: the pen's own scale, left out of the JSON */
  path = tmp_files_write(tf, "own.yaml", "device: { kind: pen, needle_length_mm: 0.3 }\n");
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_true(p.device.depth_step_mm == 0.0);
  j = to_json(&p);
  assert_null(json_object_get(json_object_get(j, "device"), "depth_step_mm"));
  json_decref(j);

  expect_error(tf, "off-scale.yaml", "device:\n  kind: pen\n  needle_length_mm: 0.25\n",
               MN_PROTOCOL_ERANGE,
               "off-scale.yaml:3:3: device.needle_length_mm: 0.25 mm is not a setting of a pen "
               "whose depth dial moves in 0.1 mm steps (nearest: 0.2 or 0.3 mm); a pen with a "
               "0.25 mm scale: device.depth_step_mm: 0.25",
               NULL);
  expect_error(tf, "off-quarter.yaml",
               "device: { kind: pen, needle_length_mm: 0.6, depth_step_mm: 0.25 }\n",
               MN_PROTOCOL_ERANGE,
               "device.needle_length_mm: 0.6 mm is not a setting of a pen whose depth dial moves "
               "in 0.25 mm steps (nearest: 0.5 or 0.75 mm)",
               NULL);
  expect_error(tf, "step.yaml",
               "device: { kind: pen, needle_length_mm: 0.6, depth_step_mm: 0.2 }\n",
               MN_PROTOCOL_ERANGE,
               "step.yaml:1:45: device.depth_step_mm: 0.2 mm: a pen's depth dial moves in 0.1 mm "
               "or 0.25 mm steps",
               NULL);
  expect_error(tf, "roller-step.yaml",
               "device: { kind: roller, cartridge: roller-192, depth_step_mm: 0.25 }\n",
               MN_PROTOCOL_ERANGE,
               "device.depth_step_mm: a roller's needles have one length, no depth dial", NULL);
}

static void consistency_errors(void **state) {
  tmp_files *tf = *state;
  expect_error(tf, "window.yaml", "treatment:\n  area_mm: [2, 10]\ngrid:\n  window_mm: [3, 3]\n",
               MN_PROTOCOL_ERANGE,
               "window.yaml:4:3: grid.window_mm: the window 3 x 3 mm is larger than the "
               "treatment area 2 x 10 mm",
               NULL);
  /* the default window against a small area: no line to point at */
  expect_error(tf, "small.yaml", "treatment: { area_mm: [2, 2] }\n", MN_PROTOCOL_ERANGE,
               "small.yaml: grid.window_mm: the window 3 x 3 mm is larger", NULL);
  expect_error(
      tf, "roller.yaml", "device:\n  kind: roller\n  cartridge: roller-192\n  speed_hz: 110\n",
      MN_PROTOCOL_ERANGE,
      "roller.yaml:4:3: device.speed_hz: a roller is pushed by hand and has no stroke rate", NULL);
  expect_error(tf, "motor.yaml", "device: { kind: roller, motor: regulated }\n", MN_PROTOCOL_ERANGE,
               "device.motor: a roller has no motor", NULL);
  expect_error(tf, "exvivo.yaml",
               "subject: { species: pig, site: ear, ex_vivo: true }\nschedule: { sessions: 2 }\n",
               MN_PROTOCOL_ERANGE,
               "exvivo.yaml:2:13: schedule.sessions: excised skin (ex_vivo: true) does not heal",
               NULL);
}

static void unknown_names_are_refused_with_the_known_ones(void **state) {
  tmp_files *tf = *state;
  expect_error(tf, "site.yaml", "subject:\n  site: nose\n", MN_PROTOCOL_ENAME,
               "site.yaml:2:3: subject.site: unknown human site 'nose'",
               "skin/sites/human-nose.yaml", "known: ", "cheek", "forehead", NULL);
  /* a site of another species is not a site of this one */
  expect_error(tf, "species-site.yaml", "subject: { species: rat, site: cheek }\n",
               MN_PROTOCOL_ENAME, "unknown rat site 'cheek'", "back", NULL);
  expect_error(tf, "cart.yaml", "device:\n  cartridge: 13-square\n", MN_PROTOCOL_ENAME,
               "cart.yaml:2:3: device.cartridge: unknown cartridge '13-square'", "12-round", NULL);
  expect_error(tf, "comp.yaml",
               "treatment:\n  topical: { compound: retinol, concentration_mg_ml: 1 }\n",
               MN_PROTOCOL_ENAME, "treatment.topical.compound: unknown compound 'retinol'",
               "naloxone", NULL);
  /* the shared Potts-Guy file sits among the compounds but is not one */
  expect_error(tf, "pg.yaml",
               "treatment:\n  topical: { compound: potts_guy, concentration_mg_ml: 1 }\n",
               MN_PROTOCOL_ENAME, "'potts_guy' is not a compound", NULL);
}

static void data_dir_argument_is_used(void **state) {
  tmp_files *tf = *state;
  const char *path = tmp_files_write(tf, "ok.yaml", "seed: 3\n");
  mn_protocol p;
  char err[512] = "";
  assert_int_equal(mn_protocol_load(&p, path, MN_DATA_DIR, err, sizeof err), 0);
  assert_true(p.seed == 3u);
  /* a data directory without the cheek or the cartridge refuses the names */
  assert_int_equal(mn_protocol_load(&p, path, tf->dir, err, sizeof err), MN_PROTOCOL_ENAME);
  assert_non_null(strstr(err, "subject.site: unknown human site 'cheek'"));
}

/* ---- the data the protocols name ------------------------------------------ */

static const char *const layers[] = {"stratum_corneum", "viable_epidermis", "papillary_dermis",
                                     "reticular_dermis", "subcutaneous_fat"};

static double layer(const mn_params *t, const char *group, int i) {
  char key[128];
  char err[256] = "";
  double v = -1.0;
  snprintf(key, sizeof key, "%s.%s", group, layers[i]);
  int rc = mn_params_get(t, key, "m", &v, err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  return v;
}

static void every_site_has_five_layers_of_published_order(void **state) {
  (void)state;
  mn_params *t = NULL;
  char err[512] = "";
  assert_int_equal(mn_params_create(&t), 0);
  int rc = mn_params_load_dir(t, MN_DATA_DIR "/skin/sites", err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  static const char *const human[] = {"forehead", "periorbital", "cheek",   "chin", "neck",
                                      "forearm",  "upper_arm",   "abdomen", "thigh"};
  for (size_t s = 0; s < sizeof human / sizeof human[0]; s++) {
    char group[64];
    snprintf(group, sizeof group, "site_human_%s", human[s]);
    for (int i = 0; i < 5; i++) {
      assert_true(layer(t, group, i) > 0.0);
    }
    /* human stratum corneum 11-23 um, viable epidermis 30-90 um (MODEL.md,
     * Sandby-Moller 2003, Chopra 2015), dermis 0.5-4 mm */
    assert_true(layer(t, group, 0) >= 11e-6 && layer(t, group, 0) <= 23e-6);
    assert_true(layer(t, group, 1) >= 30e-6 && layer(t, group, 1) <= 90e-6);
    double dermis = layer(t, group, 2) + layer(t, group, 3);
    assert_true(dermis >= 0.5e-3 && dermis <= 4e-3);
  }
  /* full cheek skin 1.9-2.5 mm (MODEL.md section 2) */
  double cheek = 0.0;
  for (int i = 0; i < 4; i++) {
    cheek += layer(t, "site_human_cheek", i);
  }
  assert_true(cheek >= 1.9e-3 && cheek <= 2.5e-3);
  /* the eyelid is the thinnest facial skin (Chopra 2015) */
  assert_true(layer(t, "site_human_periorbital", 3) < layer(t, "site_human_cheek", 3));
  /* a 770 um roller left a 152.5 um channel in rat: the layers go deeper */
  double rat = 0.0;
  for (int i = 0; i < 4; i++) {
    rat += layer(t, "site_rat_back", i);
  }
  assert_true(rat > 152.5e-6);
  /* porcine ear stratum corneum 17-28 um, viable epidermis 60-85 um (Jacobi 2007) */
  assert_true(layer(t, "site_pig_ear", 0) >= 17e-6 && layer(t, "site_pig_ear", 0) <= 28e-6);
  assert_true(layer(t, "site_pig_ear", 1) >= 60e-6 && layer(t, "site_pig_ear", 1) <= 85e-6);
  assert_true(layer(t, "site_pig_back", 0) > 0.0);
  mn_params_destroy(&t);
}

static double potts_guy_log_kp(const mn_params *t, const char *compound) {
  char key[128];
  char err[256] = "";
  double a = 0, b = 0, c = 0, logp = 0, mw = 0;
  assert_int_equal(mn_params_get(t, "permeation_potts_guy.intercept", "1", &a, err, sizeof err), 0);
  assert_int_equal(mn_params_get(t, "permeation_potts_guy.log_p_slope", "1", &b, err, sizeof err),
                   0);
  assert_int_equal(mn_params_get(t, "permeation_potts_guy.mw_slope", "mol/g", &c, err, sizeof err),
                   0);
  snprintf(key, sizeof key, "compound_%s.log_p", compound);
  assert_int_equal(mn_params_get(t, key, "1", &logp, err, sizeof err), 0);
  snprintf(key, sizeof key, "compound_%s.molecular_weight", compound);
  assert_int_equal(mn_params_get(t, key, "g/mol", &mw, err, sizeof err), 0);
  return a + b * logp + c * mw;
}

static void every_compound_has_what_permeation_needs(void **state) {
  (void)state;
  mn_params *t = NULL;
  char err[512] = "";
  assert_int_equal(mn_params_create(&t), 0);
  int rc = mn_params_load_dir(t, MN_DATA_DIR "/skin/compounds", err, sizeof err);
  if (rc != 0) {
    print_error("%s\n", err);
  }
  assert_int_equal(rc, 0);
  static const char *const names[] = {"naloxone", "naltrexone", "caffeine", "ascorbic_acid",
                                      "hyaluronic_acid"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char key[128];
    double v = 0.0;
    snprintf(key, sizeof key, "compound_%s.molecular_weight", names[i]);
    assert_int_equal(mn_params_get(t, key, "g/mol", &v, err, sizeof err), 0);
    assert_true(v > 18.0);
    snprintf(key, sizeof key, "compound_%s.water_solubility", names[i]);
    assert_int_equal(mn_params_get(t, key, "mg/mL", &v, err, sizeof err), 0);
    assert_true(v > 0.0);
    snprintf(key, sizeof key, "compound_%s.log_p", names[i]);
    assert_int_equal(mn_params_get(t, key, "1", &v, err, sizeof err), 0);
    /* Stokes-Einstein: D r is k T / (6 pi eta), the same for every compound;
     * k T / (6 pi eta) at 32 degC in water is 2.92e-19 m^3/s, to the 2
     * significant figures the files give */
    double d = 0.0, r = 0.0;
    snprintf(key, sizeof key, "compound_%s.diffusivity_water", names[i]);
    assert_int_equal(mn_params_get(t, key, "m^2/s", &d, err, sizeof err), 0);
    snprintf(key, sizeof key, "compound_%s.hydrodynamic_radius", names[i]);
    assert_int_equal(mn_params_get(t, key, "m", &r, err, sizeof err), 0);
    const double k_b = 1.380649e-23, temp = 305.15, eta = 0.7648e-3, pi = 3.14159265358979;
    assert_true(fabs(d * r / (k_b * temp / (6.0 * pi * eta)) - 1.0) < 0.03);
  }
  /* Potts-Guy for caffeine: log kp = -2.7 - 0.71 * 0.07 - 0.0061 * 194.19 = -3.934 */
  assert_true(fabs(potts_guy_log_kp(t, "caffeine") - (-3.934)) < 1e-3);
  /* lipophilic naloxone permeates intact skin faster than caffeine, caffeine
   * faster than ascorbic acid; 1 MDa hyaluronic acid not at all */
  assert_true(potts_guy_log_kp(t, "naloxone") > potts_guy_log_kp(t, "caffeine"));
  assert_true(potts_guy_log_kp(t, "caffeine") > potts_guy_log_kp(t, "ascorbic_acid"));
  assert_true(potts_guy_log_kp(t, "hyaluronic_acid") < -1000.0);
  mn_params_destroy(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(default_is_the_documented_course),
      cmocka_unit_test(default_yaml_equals_builtin),
      cmocka_unit_test(missing_keys_take_defaults),
      cmocka_unit_test(every_shipped_protocol_loads),
      cmocka_unit_test(shipped_protocols_say_what_they_model),
      cmocka_unit_test_setup_teardown(good_file_round_trips_through_json, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test_setup_teardown(json_of_roller_and_no_topical, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test(choice_names_match_the_file_spelling),
      cmocka_unit_test(out_of_range_names_file_line_column_and_key),
      cmocka_unit_test(syntax_error_names_line_and_column),
      cmocka_unit_test(missing_file_is_an_io_error),
      cmocka_unit_test_setup_teardown(schema_errors, tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(range_errors, tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(pen_depth_scale, tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(consistency_errors, tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(output_block, tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(ex_vivo_membrane_thickness, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test_setup_teardown(unknown_names_are_refused_with_the_known_ones,
                                      tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(data_dir_argument_is_used, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test(every_site_has_five_layers_of_published_order),
      cmocka_unit_test(every_compound_has_what_permeation_needs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
