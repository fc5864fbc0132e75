/*
 * The conventions every mnlab subcommand keeps, checked on each: with
 * --json, standard output holds one JSON document and nothing else (and
 * `mnlab run --json` prints exactly the summary.json it writes; compare's
 * is checked in test_compare.c); messages go
 * to standard error; the progress bar is drawn only on a terminal and
 * --quiet silences it.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "io/datadir.h"

typedef struct {
  int status;
  char *out; /* standard output */
  char *err; /* standard error */
} cmd_result;

static char *slurp(FILE *f) {
  size_t cap = 65536, len = 0, got;
  char *buf = malloc(cap);
  assert_non_null(buf);
  while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (len + 1 == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
  }
  buf[len] = '\0';
  return buf;
}

/* Runs `mnlab ARGS` with standard output and standard error kept apart. */
static cmd_result run(const char *args) {
  char errpath[] = "/tmp/mnlab-stderr-XXXXXX";
  int fd = mkstemp(errpath);
  assert_true(fd >= 0);
  close(fd);
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s'", MN_CLI_PATH, args, errpath);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  cmd_result r = {0};
  r.out = slurp(p);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  FILE *e = fopen(errpath, "r");
  assert_non_null(e);
  r.err = slurp(e);
  fclose(e);
  remove(errpath);
  return r;
}

static void result_free(cmd_result *r) {
  free(r->out);
  free(r->err);
}

/* json_loads without flags refuses anything after the first document. */
static json_t *one_document(const cmd_result *r, const char *args) {
  json_error_t jerr;
  json_t *o = json_loads(r->out, 0, &jerr);
  if (o == NULL || r->status != 0) {
    fprintf(stderr, "mnlab %s -> %d: %s (%s)\nstdout: %.300s\nstderr: %.300s\n", args, r->status,
            jerr.text, o ? "parsed" : "not one JSON document", r->out, r->err);
  }
  assert_int_equal(r->status, 0);
  assert_non_null(o);
  assert_true(json_is_object(o));
  return o;
}

static void make_tmpdir(char *dir) {
  assert_non_null(mkdtemp(dir));
}

static void remove_run_dir(const char *dir) {
  const char *files[] = {"summary.json", "timeseries.csv"};
  char path[1024];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/out/%s", dir, files[i]);
    remove(path);
  }
  snprintf(path, sizeof path, "%s/out", dir);
  rmdir(path);
  rmdir(dir);
}

static void every_json_is_one_document_alone_on_stdout(void **state) {
  (void)state;
  char dir[] = "/tmp/mnlab-conv-XXXXXX";
  make_tmpdir(dir);
  char run_args[1024];
  snprintf(run_args, sizeof run_args, "run '%s/tiny.yaml' --ideal-strokes --json -o '%s/out'",
           MN_TEST_PROTOCOLS, dir);
  /* the key each document must hold */
  const struct {
    const char *args, *key;
  } cases[] = {
      {"params --json motor.", "parameters"},
      {"params --json --quiet --estimates", "estimates"},
      {"protocols --json", "protocols"},
      {"protocols --json --quiet", "count"},
      {"pen --json", "speed_mean_hz"},
      {"pen --scenario stall --json --quiet", "fault"},
      {run_args, "schema"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cmd_result r = run(cases[i].args);
    json_t *o = one_document(&r, cases[i].args);
    assert_non_null(json_object_get(o, cases[i].key));
    /* nothing to say on stderr when all went well and stderr is no terminal */
    if (r.err[0] != '\0') {
      fprintf(stderr, "mnlab %s wrote to stderr: %s\n", cases[i].args, r.err);
    }
    assert_string_equal(r.err, "");
    if (cases[i].args == run_args) {
      /* `mnlab run --json` prints the very summary it writes into DIR */
      char path[1024];
      snprintf(path, sizeof path, "%s/out/summary.json", dir);
      json_error_t jerr;
      json_t *written = json_load_file(path, 0, &jerr);
      assert_non_null(written);
      assert_true(json_equal(o, written));
      assert_string_equal(json_string_value(json_object_get(o, "schema")), "mnlab.summary/1");
      json_decref(written);
    }
    json_decref(o);
    result_free(&r);
  }
  remove_run_dir(dir);
}

/* An error under --json: the message on stderr, stdout empty, status 2. */
static void errors_leave_stdout_empty(void **state) {
  (void)state;
  char bad[1024];
  snprintf(bad, sizeof bad, "run '%s/bad-key.yaml' --json -o /tmp/mnlab-never", MN_TEST_PROTOCOLS);
  const struct {
    const char *args, *says;
  } cases[] = {
      {"validate --json --case no-such-case", "no-such-case"},
      {"params --json --bogus", "--bogus"},
      {"protocols --json extra", "extra"},
      {"pen --json --scenario nosuch", "nosuch"},
      {bad, "sped_hz"},
      {"compare --json only-one.yaml", "two protocols"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cmd_result r = run(cases[i].args);
    if (r.status != 2 || r.out[0] != '\0' || strstr(r.err, cases[i].says) == NULL) {
      fprintf(stderr, "mnlab %s -> %d\nstdout: %s\nstderr: %s\n", cases[i].args, r.status, r.out,
              r.err);
    }
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, cases[i].says));
    result_free(&r);
  }
}

/* The calibration case of the validate test below. Every case is a whole
 * model run: kalluri-2011-channel-width takes some 6 s in the plain mnlab but
 * about 50 s in mnlab_asan (sanitized numerics at -O1), the longest of the
 * CLI tests by far. The sanitized test (GCC defines __SANITIZE_ADDRESS__)
 * takes the cheapest calibration instead, gupta-2011-resealing (about 1 s
 * plain, 6 s sanitized): the command's own code, which is what this test
 * runs under the sanitizers, is the same for either case, and the model's
 * numerics have their own sanitized unit tests. */
#ifdef __SANITIZE_ADDRESS__
#define VALIDATE_CALIBRATION "gupta-2011-resealing"
#else
#define VALIDATE_CALIBRATION "kalluri-2011-channel-width"
#endif

/* validate --json names each case's role, and counts the checks (cases
 * nothing was fitted to) apart from the calibrations: a calibration and a
 * check that both pass, exit 0. */
static void validate_json_tells_calibrations_from_checks(void **state) {
  (void)state;
  const char *args = "validate --json --ideal-strokes --case " VALIDATE_CALIBRATION " "
                     "--case puri-2021-naloxone-lag-500";
  cmd_result r = run(args);
  json_t *o = one_document(&r, args);
  json_t *cases = json_object_get(o, "cases");
  assert_int_equal(json_array_size(cases), 2);
  const char *want[] = {"calibration", "check"};
  for (size_t i = 0; i < 2; i++) {
    json_t *c = json_array_get(cases, i);
    assert_string_equal(json_string_value(json_object_get(c, "role")), want[i]);
    assert_true(json_is_true(json_object_get(c, "pass")));
  }
  assert_int_equal(json_integer_value(json_object_get(o, "passed")), 2);
  assert_int_equal(json_integer_value(json_object_get(o, "checks_passed")), 1);
  assert_int_equal(json_integer_value(json_object_get(o, "checks_failed")), 0);
  json_decref(o);
  result_free(&r);
}

/* The protocols listing has one entry per file in data/protocols, each
 * loaded, the same ones the text listing shows. */
static void protocols_json_lists_every_file(void **state) {
  (void)state;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/protocols", mn_data_dir());
  DIR *d = opendir(dir);
  assert_non_null(d);
  size_t files = 0;
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    size_t n = strlen(de->d_name);
    files += n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0;
  }
  closedir(d);
  assert_true(files > 0);

  cmd_result r = run("protocols --json");
  json_t *o = one_document(&r, "protocols --json");
  json_t *list = json_object_get(o, "protocols");
  assert_int_equal(json_array_size(list), files);
  assert_int_equal(json_integer_value(json_object_get(o, "count")), (json_int_t)files);
  assert_int_equal(json_integer_value(json_object_get(o, "invalid")), 0);
  cmd_result text = run("protocols");
  assert_int_equal(text.status, 0);
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    assert_true(json_is_true(json_object_get(e, "valid")));
    const char *file = json_string_value(json_object_get(e, "file"));
    const char *name = json_string_value(json_object_get(e, "name"));
    assert_non_null(file);
    assert_non_null(name);
    assert_non_null(strstr(text.out, file));
    assert_non_null(strstr(text.out, name));
    assert_true(json_integer_value(json_object_get(e, "sessions")) >= 1);
    assert_true(json_number_value(json_object_get(e, "needle_length_mm")) > 0.0);
  }
  json_decref(o);
  result_free(&r);
  result_free(&text);
}

/* Runs `mnlab ARGV...` with standard error on a pseudo-terminal and
 * returns what it drew there. */
static char *stderr_on_a_terminal(const char *const *argv) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  assert_true(m >= 0);
  assert_int_equal(grantpt(m), 0);
  assert_int_equal(unlockpt(m), 0);
  const char *slave = ptsname(m);
  assert_non_null(slave);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int s = open(slave, O_RDWR | O_NOCTTY);
    int null = open("/dev/null", O_WRONLY);
    if (s < 0 || null < 0 || dup2(s, STDERR_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0) {
      _exit(127);
    }
    close(m);
    execv(MN_CLI_PATH, (char *const *)argv);
    _exit(127);
  }
  size_t cap = 1 << 20, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (;;) {
    ssize_t got = read(m, buf + len, cap - len - 1);
    if (got > 0) {
      len += (size_t)got;
      continue;
    }
    if (got < 0 && errno == EINTR) {
      continue;
    }
    break; /* EIO: the terminal's last writer has gone */
  }
  buf[len] = '\0';
  close(m);
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
  return buf;
}

static void progress_bar_on_a_terminal_unless_quiet(void **state) {
  (void)state;
  char dir[] = "/tmp/mnlab-conv-XXXXXX";
  make_tmpdir(dir);
  char protocol[1024], out[1024];
  snprintf(protocol, sizeof protocol, "%s/tiny.yaml", MN_TEST_PROTOCOLS);
  snprintf(out, sizeof out, "%s/out", dir);
  const char *loud[] = {MN_CLI_PATH, "run", protocol, "--ideal-strokes", "-o", out, NULL};
  char *drawn = stderr_on_a_terminal(loud);
  /* the bar: stage, simulated time, wall time, done at 100 % */
  const char *must[] = {"[", "100%", "sim ", " h", "wall ", "acute"};
  for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
    if (strstr(drawn, must[i]) == NULL) {
      fprintf(stderr, "no '%s' in the progress bar: %s\n", must[i], drawn);
    }
    assert_non_null(strstr(drawn, must[i]));
  }
  assert_non_null(strchr(drawn, '\r')); /* redrawn in place */
  free(drawn);

  const char *quiet[] = {MN_CLI_PATH, "run", protocol,  "--ideal-strokes",
                         "-o",        out,   "--quiet", NULL};
  drawn = stderr_on_a_terminal(quiet);
  assert_string_equal(drawn, "");
  free(drawn);
  remove_run_dir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_json_is_one_document_alone_on_stdout),
      cmocka_unit_test(errors_leave_stdout_empty),
      cmocka_unit_test(protocols_json_lists_every_file),
      cmocka_unit_test(validate_json_tells_calibrations_from_checks),
      cmocka_unit_test(progress_bar_on_a_terminal_unless_quiet),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
