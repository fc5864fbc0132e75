/*
 * mnlab compare on two tiny protocols: a regulated pen against a cheap,
 * unregulated one (the firmware-in-the-loop strokes), and a protocol
 * against itself. Checks that the cheap pen's wider stroke spread shows,
 * that the figures are the runs' own (those of each run's summary.json), that
 * the differences are B - A, that the output directory holds the documented
 * files in agreement with stdout, and that bad usage writes nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <math.h>
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

/* Relative agreement of numbers printed with 8 significant digits. */
#define PRINTED_REL_TOL 1e-7

typedef struct {
  int status;
  char out[1 << 16]; /* standard output */
  char err[1 << 12]; /* standard error (the first part) */
} cmd_result;

static void run(const char *args, cmd_result *r) {
  char errpath[] = "/tmp/mnlab-stderr-XXXXXX";
  int fd = mkstemp(errpath);
  assert_true(fd >= 0);
  close(fd);
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", MN_CLI_PATH, args, errpath);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t n = fread(r->out, 1, sizeof r->out - 1, p);
  r->out[n] = '\0';
  int st = pclose(p);
  r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  FILE *e = fopen(errpath, "r");
  assert_non_null(e);
  n = fread(r->err, 1, sizeof r->err - 1, e);
  r->err[n] = '\0';
  fclose(e);
  remove(errpath);
}

static json_t *parse(const cmd_result *r, const char *args) {
  json_error_t jerr;
  json_t *o = json_loads(r->out, 0, &jerr);
  if (r->status != 0 || o == NULL) {
    fprintf(stderr, "mnlab %s -> %d\nstdout: %.400s\nstderr: %s\n", args, r->status, r->out,
            r->err);
  }
  assert_int_equal(r->status, 0);
  assert_non_null(o);
  return o;
}

static json_t *figure(json_t *doc, const char *key) {
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(doc, "figures"), i, f) {
    if (strcmp(json_string_value(json_object_get(f, "key")), key) == 0) {
      return f;
    }
  }
  fail_msg("no figure %s", key);
  return NULL;
}

static double num(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  assert_true(json_is_number(v));
  return json_number_value(v);
}

/* The number at section.key of a summary. */
static double summary_num(json_t *summary, const char *dotted) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", dotted);
  char *dot = strchr(buf, '.');
  assert_non_null(dot);
  *dot = '\0';
  return num(json_object_get(summary, buf), dot + 1);
}

/* a and b agree within tol. */
static void assert_within(double a, double b, double tol) {
  if (!(fabs(a - b) <= tol)) {
    fail_msg("%.10g and %.10g differ by more than %g", a, b, tol);
  }
}

static void assert_close(double a, double b, double rel) {
  if (!(fabs(a - b) <= rel * fmax(fabs(a), fabs(b)))) {
    fail_msg("%.10g and %.10g differ by more than %g relative", a, b, rel);
  }
}

static void remove_file(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  remove(path);
}

/* Removes the files compare writes, then the directories. */
static void remove_compare_dir(const char *out) {
  const char *sub[] = {"a", "b"};
  for (size_t i = 0; i < 2; i++) {
    char d[1100];
    snprintf(d, sizeof d, "%s/%s", out, sub[i]);
    remove_file(d, "summary.json");
    remove_file(d, "timeseries.csv");
    rmdir(d);
  }
  /* the report's page and figures */
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "rm -f '%s'/compare.* '%s'/cmp-*", out, out);
  assert_int_equal(system(cmd), 0);
  rmdir(out);
}

static void regulated_against_unregulated(void **state) {
  (void)state;
  char dir[] = "/tmp/mnlab-compare-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char out[1024], args[4096], path[2048];
  snprintf(out, sizeof out, "%s/pens", dir);
  snprintf(args, sizeof args, "compare '%s/tiny.yaml' '%s/tiny-unregulated.yaml' -o '%s' --json",
           MN_TEST_PROTOCOLS, MN_TEST_PROTOCOLS, out);
  cmd_result *r = malloc(sizeof *r);
  assert_non_null(r);
  run(args, r);
  json_t *doc = parse(r, args);

  assert_string_equal(json_string_value(json_object_get(doc, "schema")), "mnlab.compare/1");
  json_t *a = json_object_get(doc, "a"), *b = json_object_get(doc, "b");
  assert_string_equal(json_string_value(json_object_get(a, "label")), "tiny");
  assert_string_equal(json_string_value(json_object_get(b, "label")), "tiny-unregulated");
  assert_string_equal(json_string_value(json_object_get(a, "motor")), "regulated");
  assert_string_equal(json_string_value(json_object_get(b, "motor")), "unregulated");

  /* The cheap pen's stroking spreads: its motor slows and speeds with the
   * skin's load while the regulated one holds its rate. The regulated
   * pen's stroke interval varies by well under 1 %, the cheap pen's by
   * several times as much. */
  json_t *cv = figure(doc, "punctures.stroke_interval_cv");
  assert_true(num(cv, "a") < 0.01);
  assert_true(num(cv, "b") > 3.0 * num(cv, "a"));
  assert_true(num(cv, "difference") > 0.0);
  json_t *rate = figure(doc, "punctures.stroke_rate_hz");
  assert_close(num(rate, "a"), 110.0, 0.01); /* the protocol's setting */

  /* Each figure: the difference is B - A and the change relative to A, up
   * to the rounding of A and B to the digits printed. */
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(doc, "figures"), i, f) {
    json_t *va = json_object_get(f, "a"), *vb = json_object_get(f, "b");
    assert_non_null(json_object_get(f, "unit"));
    if (json_is_number(va) && json_is_number(vb)) {
      double x = json_number_value(va), y = json_number_value(vb);
      double rounding = 2.0 * PRINTED_REL_TOL * fmax(fabs(x), fabs(y));
      assert_within(num(f, "difference"), y - x, rounding);
      if (x != 0.0) {
        assert_within(num(f, "relative"), (y - x) / fabs(x), 2.0 * rounding / fabs(x));
      }
    } else {
      assert_true(json_is_null(json_object_get(f, "difference")));
    }
  }

  /* The directory: compare.json is what stdout showed; each run's summary
   * holds the figures the table took from it. */
  snprintf(path, sizeof path, "%s/compare.json", out);
  json_error_t jerr;
  json_t *written = json_load_file(path, 0, &jerr);
  assert_non_null(written);
  assert_true(json_equal(written, doc));
  json_decref(written);
  const char *side[] = {"a", "b"};
  for (size_t k = 0; k < 2; k++) {
    snprintf(path, sizeof path, "%s/%s/summary.json", out, side[k]);
    json_t *s = json_load_file(path, 0, &jerr);
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "schema")), "mnlab.summary/1");
    const char *keys[] = {"punctures.per_cm2", "punctures.density_cv", "barrier.tewl_peak_g_m2_h",
                          "erythema.peak"};
    for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
      assert_close(summary_num(s, keys[j]), num(figure(doc, keys[j]), side[k]), PRINTED_REL_TOL);
    }
    json_decref(s);
    snprintf(path, sizeof path, "%s/%s/timeseries.csv", out, side[k]);
    FILE *ts = fopen(path, "r");
    assert_non_null(ts);
    char line[2048];
    assert_non_null(fgets(line, sizeof line, ts));
    assert_true(strncmp(line, "time_h,", 7) == 0);
    fclose(ts);
  }

  /* compare.csv: a header and one row per figure, the same numbers. */
  snprintf(path, sizeof path, "%s/compare.csv", out);
  FILE *csv = fopen(path, "r");
  assert_non_null(csv);
  char line[1024];
  assert_non_null(fgets(line, sizeof line, csv));
  assert_string_equal(line, "key,figure,unit,a,b,difference,relative\n");
  size_t rows = 0;
  while (fgets(line, sizeof line, csv)) {
    rows++;
    if (strncmp(line, "punctures.stroke_interval_cv,", 29) == 0) {
      double x, y;
      char *p = line;
      for (int comma = 0; comma < 3; comma++) {
        p = strchr(p, ',') + 1;
      }
      assert_int_equal(sscanf(p, "%lf,%lf", &x, &y), 2);
      assert_close(x, num(cv, "a"), PRINTED_REL_TOL);
      assert_close(y, num(cv, "b"), PRINTED_REL_TOL);
    }
  }
  fclose(csv);
  assert_int_equal(rows, json_array_size(json_object_get(doc, "figures")));

  /* The overlaid plots beside them. */
  snprintf(path, sizeof path, "%s/compare.html", out);
  assert_int_equal(access(path, R_OK), 0);

  json_decref(doc);
  free(r);
  remove_compare_dir(out);
  rmdir(dir);
}

/* A protocol against itself: the labels fall back to A and B, and the two
 * runs agree to the last digit (the run is deterministic), so every
 * difference is zero. */
static void protocol_against_itself(void **state) {
  (void)state;
  char args[4096];
  snprintf(args, sizeof args, "compare '%s/tiny.yaml' '%s/tiny.yaml' --ideal-strokes --json",
           MN_TEST_PROTOCOLS, MN_TEST_PROTOCOLS);
  cmd_result *r = malloc(sizeof *r);
  assert_non_null(r);
  run(args, r);
  json_t *doc = parse(r, args);
  assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "a"), "label")), "A");
  assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "b"), "label")), "B");
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(doc, "figures"), i, f) {
    json_t *d = json_object_get(f, "difference");
    assert_true(json_equal(json_object_get(f, "a"), json_object_get(f, "b")));
    assert_true(json_is_null(d) || json_number_value(d) == 0.0);
  }

  json_decref(doc);
  free(r);
}

/* Bad usage: status 2, a message naming the problem, nothing written. */
static void bad_usage_writes_nothing(void **state) {
  (void)state;
  char dir[] = "/tmp/mnlab-compare-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char out[1024];
  snprintf(out, sizeof out, "%s/out", dir);
  char malformed[4096], three[4096], missing[4096];
  snprintf(malformed, sizeof malformed, "compare '%s/tiny.yaml' '%s/bad-key.yaml' -o '%s'",
           MN_TEST_PROTOCOLS, MN_TEST_PROTOCOLS, out);
  snprintf(three, sizeof three, "compare '%s/tiny.yaml' '%s/tiny.yaml' extra.yaml -o '%s'",
           MN_TEST_PROTOCOLS, MN_TEST_PROTOCOLS, out);
  snprintf(missing, sizeof missing, "compare '%s/tiny.yaml' no-such-file.yaml -o '%s'",
           MN_TEST_PROTOCOLS, out);
  const struct {
    const char *args, *says;
  } cases[] = {
      {"compare", "two protocols"},
      {three, "extra.yaml"},
      {malformed, "bad-key.yaml:3:"},
      {missing, "no-such-file.yaml"},
      {"compare a.yaml b.yaml --label-a", "needs a value"},
      {"compare a.yaml b.yaml --bogus", "--bogus"},
  };
  cmd_result *r = malloc(sizeof *r);
  assert_non_null(r);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    run(cases[i].args, r);
    if (r->status != 2 || strstr(r->err, cases[i].says) == NULL) {
      fprintf(stderr, "mnlab %s -> %d: %s\n", cases[i].args, r->status, r->err);
    }
    assert_int_equal(r->status, 2);
    assert_non_null(strstr(r->err, cases[i].says));
    assert_string_equal(r->out, "");
    assert_int_equal(access(out, F_OK), -1);
  }
  free(r);
  rmdir(dir);
}

static void help_teaches(void **state) {
  (void)state;
  cmd_result *r = malloc(sizeof *r);
  assert_non_null(r);
  run("compare --help", r);
  assert_int_equal(r->status, 0);
  const char *must[] = {"A.yaml B.yaml",   "-o",           "--json",   "--quiet",
                        "--ideal-strokes", "compare.html", "examples", "exit status"};
  for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
    assert_non_null(strstr(r->out, must[i]));
  }
  run("--help", r);
  assert_non_null(strstr(r->out, "compare"));
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(help_teaches),
      cmocka_unit_test(bad_usage_writes_nothing),
      cmocka_unit_test(protocol_against_itself),
      cmocka_unit_test(regulated_against_unregulated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
