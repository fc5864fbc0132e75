/*
 * Parameter files: a well-formed file loads with its values, units, sources
 * and line numbers; every malformed file is refused with a message that
 * names the file, the line and the key, and leaves the table unchanged.
 */
#define _POSIX_C_SOURCE 200809L

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

static const char *good_motor = "# a comment\n"
                                "group: motor\n"
                                "params:\n"
                                "  resistance:\n"
                                "    value: 5.0\n"
                                "    unit: ohm\n"
                                "    source: \"a datasheet\"\n"
                                "  friction_torque:\n"
                                "    value: 0.08e-3\n"
                                "    unit: N m\n"
                                "    estimate: \"reasoning\"\n"
                                "  table:\n"
                                "    value: [1, 2.5, -3e2]\n"
                                "    unit: \"1\"\n"
                                "    source: s\n";

static void loads_values_units_sources_and_lines(void **state) {
  tmp_files *tf = *state;
  const char *path = tmp_files_write(tf, "motor.yaml", good_motor);
  mn_params *t = NULL;
  char err[256] = "";
  assert_int_equal(mn_params_create(&t), 0);
  assert_int_equal(mn_params_load_file(t, path, err, sizeof err), 0);
  assert_int_equal(mn_params_count(t), 3);

  double v = 0;
  assert_int_equal(mn_params_get(t, "motor.resistance", "ohm", &v, err, sizeof err), 0);
  assert_true(v == 5.0);
  assert_int_equal(mn_params_get(t, "motor.friction_torque", "N m", &v, err, sizeof err), 0);
  assert_true(v == 0.08e-3);

  const mn_param *p = mn_params_at(t, 0);
  assert_string_equal(p->key, "motor.resistance");
  assert_string_equal(p->source, "a datasheet");
  assert_null(p->estimate);
  assert_string_equal(p->file, path);
  assert_int_equal(p->line, 4);
  p = mn_params_at(t, 1);
  assert_null(p->source);
  assert_string_equal(p->estimate, "reasoning");
  assert_int_equal(p->line, 8);
  assert_null(mn_params_at(t, 3));

  const double *tab = NULL;
  size_t n = 0;
  assert_int_equal(mn_params_get_table(t, "motor.table", "1", &tab, &n, err, sizeof err), 0);
  assert_int_equal(n, 3);
  assert_true(tab[0] == 1.0 && tab[1] == 2.5 && tab[2] == -300.0);

  /* Shape and unit are checked. */
  assert_int_equal(mn_params_get(t, "motor.table", "1", &v, err, sizeof err), MN_PARAMS_ESHAPE);
  assert_int_equal(mn_params_get_table(t, "motor.resistance", "ohm", &tab, &n, err, sizeof err),
                   MN_PARAMS_ESHAPE);
  assert_int_equal(mn_params_get(t, "motor.nothing", "ohm", &v, err, sizeof err), MN_PARAMS_ENOKEY);
  assert_non_null(strstr(err, "motor.nothing"));

  mn_params_destroy(&t);
  assert_null(t);
}

static void unit_mismatch_names_file_line_and_key(void **state) {
  tmp_files *tf = *state;
  const char *path = tmp_files_write(tf, "motor.yaml", good_motor);
  mn_params *t = NULL;
  char err[256] = "";
  assert_int_equal(mn_params_create(&t), 0);
  assert_int_equal(mn_params_load_file(t, path, err, sizeof err), 0);
  double v = -1;
  int rc = mn_params_get(t, "motor.resistance", "kohm", &v, err, sizeof err);
  assert_int_equal(rc, MN_PARAMS_EUNIT);
  assert_true(v == -1);
  char where[192];
  snprintf(where, sizeof where, "%s:4:", path);
  assert_non_null(strstr(err, where));
  assert_non_null(strstr(err, "motor.resistance"));
  assert_non_null(strstr(err, "kohm"));
  mn_params_destroy(&t);
}

static void loads_a_directory_in_sorted_order(void **state) {
  tmp_files *tf = *state;
  tmp_files_write(tf, "b.yaml", "group: second\nparams:\n  x: {value: 2, unit: m, source: s}\n");
  tmp_files_write(tf, "a.yaml", "group: first\nparams:\n  x: {value: 1, unit: m, source: s}\n");
  tmp_files_write(tf, "notes.txt", "not a parameter file: [");
  mn_params *t = NULL;
  char err[256] = "";
  assert_int_equal(mn_params_create(&t), 0);
  assert_int_equal(mn_params_load_dir(t, tf->dir, err, sizeof err), 0);
  assert_int_equal(mn_params_count(t), 2);
  assert_string_equal(mn_params_at(t, 0)->key, "first.x");
  assert_string_equal(mn_params_at(t, 1)->key, "second.x");
  double v;
  assert_int_equal(mn_params_get(t, "second.x", "m", &v, err, sizeof err), 0);
  assert_true(v == 2.0);
  mn_params_destroy(&t);
}

/* Each malformed file: expected status, line, and the key the message must
 * name. */
typedef struct {
  const char *what;
  const char *text;
  int status;
  int line;
  const char *key;
} bad_case;

static const bad_case bad_cases[] = {
    {"unknown top-level key", "group: g\nparams:\n  a: {value: 1, unit: m, source: s}\nextra: 1\n",
     MN_PARAMS_ESCHEMA, 4, "extra"},
    {"unknown field", "group: g\nparams:\n  a:\n    value: 1\n    unit: m\n    sourse: s\n",
     MN_PARAMS_ESCHEMA, 6, "g.a"},
    {"missing value", "group: g\nparams:\n  a:\n    unit: m\n    source: s\n", MN_PARAMS_ESCHEMA, 3,
     "g.a"},
    {"missing unit", "group: g\nparams:\n  a:\n    value: 1\n    source: s\n", MN_PARAMS_ESCHEMA, 3,
     "g.a"},
    {"missing source",
     "group: g\nparams:\n  ok: {value: 1, unit: m, source: s}\n  b:\n"
     "    value: 1\n    unit: m\n",
     MN_PARAMS_ESCHEMA, 4, "g.b"},
    {"source and estimate",
     "group: g\nparams:\n  a:\n    value: 1\n    unit: m\n    source: s\n"
     "    estimate: e\n",
     MN_PARAMS_ESCHEMA, 3, "g.a"},
    {"quoted number", "group: g\nparams:\n  a:\n    value: \"5.0\"\n    unit: m\n    source: s\n",
     MN_PARAMS_ESCHEMA, 4, "g.a"},
    {"text value", "group: g\nparams:\n  a:\n    value: five\n    unit: m\n    source: s\n",
     MN_PARAMS_ESCHEMA, 4, "g.a"},
    {"mapping value", "group: g\nparams:\n  a:\n    value: {x: 1}\n    unit: m\n    source: s\n",
     MN_PARAMS_ESCHEMA, 4, "g.a"},
    {"non-numeric table entry",
     "group: g\nparams:\n  a:\n    value: [1, 2,\n      x]\n    unit: m\n    source: s\n",
     MN_PARAMS_ESCHEMA, 5, "g.a"},
    {"unit not a string", "group: g\nparams:\n  a:\n    value: 1\n    unit: [m]\n    source: s\n",
     MN_PARAMS_ESCHEMA, 5, "g.a"},
    {"parameter not a mapping", "group: g\nparams:\n  a: 3\n", MN_PARAMS_ESCHEMA, 3, "g.a"},
    {"duplicate parameter",
     "group: g\nparams:\n  a: {value: 1, unit: m, source: s}\n"
     "  b: {value: 1, unit: m, source: s}\n"
     "  a: {value: 2, unit: m, source: s}\n",
     MN_PARAMS_EDUP, 5, "g.a"},
    {"duplicate field",
     "group: g\nparams:\n  a:\n    value: 1\n    value: 2\n    unit: m\n"
     "    source: s\n",
     MN_PARAMS_EDUP, 5, "g.a"},
    {"syntax error", "group: g\nparams:\n  a:\n    value: 1\n    unit: m: x\n    source: s\n",
     MN_PARAMS_ESYNTAX, 5, "g.a"},
    {"tab indentation", "group: g\nparams:\n  a:\n    value: 1\n\tunit: m\n", MN_PARAMS_ESYNTAX, 5,
     "g.a"},
    {"missing group", "params:\n  a: {value: 1, unit: m, source: s}\n", MN_PARAMS_ESCHEMA, 1,
     "group"},
    {"bad parameter name", "group: g\nparams:\n  Bad-Name: {value: 1, unit: m, source: s}\n",
     MN_PARAMS_ESCHEMA, 3, "Bad-Name"},
    {"alias", "group: g\nparams:\n  a: &x {value: 1, unit: m, source: s}\n  b: *x\n",
     MN_PARAMS_ESCHEMA, 4, "g.b"},
    {"two documents", "group: g\nparams:\n  a: {value: 1, unit: m, source: s}\n---\ngroup: h\n",
     MN_PARAMS_ESCHEMA, 4, "(top level)"},
};

static void malformed_files_are_refused_with_file_line_and_key(void **state) {
  tmp_files *tf = *state;
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    const bad_case *c = &bad_cases[i];
    char name[32];
    snprintf(name, sizeof name, "bad%zu.yaml", i);
    tf->n = 0; /* reuse the one slot: each file is removed below */
    const char *path = tmp_files_write(tf, name, c->text);
    mn_params *t = NULL;
    char err[512] = "";
    assert_int_equal(mn_params_create(&t), 0);
    int rc = mn_params_load_file(t, path, err, sizeof err);
    char where[192];
    snprintf(where, sizeof where, "%s:%d: ", path, c->line);
    if (rc != c->status || strstr(err, where) == NULL || strstr(err, c->key) == NULL) {
      fail_msg("case '%s': status %d (want %d), message '%s' (want '%s' and '%s')", c->what, rc,
               c->status, err, where, c->key);
    }
    assert_true(rc < 0);
    assert_int_equal(mn_params_count(t), 0);
    mn_params_destroy(&t);
    unlink(path);
  }
  tf->n = 0;
}

static void duplicate_key_across_files_names_both_places(void **state) {
  tmp_files *tf = *state;
  const char *a =
      tmp_files_write(tf, "a.yaml", "group: g\nparams:\n  x: {value: 1, unit: m, source: s}\n");
  const char *b = tmp_files_write(tf, "b.yaml",
                                  "group: g\nparams:\n  y: {value: 1, unit: m, source: s}\n"
                                  "  x: {value: 2, unit: m, source: s}\n");
  mn_params *t = NULL;
  char err[512] = "";
  assert_int_equal(mn_params_create(&t), 0);
  assert_int_equal(mn_params_load_file(t, a, err, sizeof err), 0);
  assert_int_equal(mn_params_load_file(t, b, err, sizeof err), MN_PARAMS_EDUP);
  char where[192];
  snprintf(where, sizeof where, "%s:4: g.x", b);
  assert_non_null(strstr(err, where));
  snprintf(where, sizeof where, "%s:3", a);
  assert_non_null(strstr(err, where));
  /* Nothing of the failed file was added, not even its good parameter. */
  assert_int_equal(mn_params_count(t), 1);
  assert_null(mn_params_find(t, "g.y"));
  double v;
  assert_int_equal(mn_params_get(t, "g.x", "m", &v, err, sizeof err), 0);
  assert_true(v == 1.0);
  mn_params_destroy(&t);
}

static void missing_file_is_an_io_error(void **state) {
  (void)state;
  mn_params *t = NULL;
  char err[256] = "";
  assert_int_equal(mn_params_create(&t), 0);
  assert_int_equal(mn_params_load_file(t, "/nonexistent/x.yaml", err, sizeof err), MN_PARAMS_EIO);
  assert_non_null(strstr(err, "/nonexistent/x.yaml"));
  assert_int_equal(mn_params_load_dir(t, "/nonexistent", err, sizeof err), MN_PARAMS_EIO);
  mn_params_destroy(&t);
  mn_params_destroy(&t); /* destroying twice is harmless */
}

/* The shipped data files must themselves be well formed. */
static void shipped_pen_data_loads(void **state) {
  (void)state;
  mn_params *t = NULL;
  char err[512] = "";
  assert_int_equal(mn_params_create(&t), 0);
  int rc = mn_params_load_dir(t, MN_DATA_DIR "/pen", err, sizeof err);
  if (rc != 0) {
    fail_msg("%s", err);
  }
  assert_true(mn_params_count(t) > 0);
  for (size_t i = 0; i < mn_params_count(t); i++) {
    const mn_param *p = mn_params_at(t, i);
    assert_true((p->source == NULL) != (p->estimate == NULL));
  }
  mn_params_destroy(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(loads_values_units_sources_and_lines, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test_setup_teardown(unit_mismatch_names_file_line_and_key, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test_setup_teardown(loads_a_directory_in_sorted_order, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test_setup_teardown(malformed_files_are_refused_with_file_line_and_key,
                                      tmp_files_setup, tmp_files_teardown),
      cmocka_unit_test_setup_teardown(duplicate_key_across_files_names_both_places, tmp_files_setup,
                                      tmp_files_teardown),
      cmocka_unit_test(missing_file_is_an_io_error),
      cmocka_unit_test(shipped_pen_data_loads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
