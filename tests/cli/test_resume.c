/*
 * mnlab run interrupted and resumed, as a user meets it: SIGINT stops a
 * run with exit status 3 and a checkpoint in DIR, `mnlab run --resume DIR`
 * finishes it with summary.json and timeseries.csv byte for byte those of
 * an uninterrupted run; SIGKILL at random moments never leaves a truncated
 * file in DIR (summary.json parses, every timeseries.csv row is whole,
 * checkpoint.h5 reads back), and the killed run still resumes to the same
 * results. The field snapshots of a resumed run (the files in fields/ and
 * fields.xdmf), taken before and after the interruption, are byte for byte
 * the uninterrupted run's, and after every kill each snapshot file in DIR is
 * whole (HDF5 opens it and reads every dataset). Bad --resume usage and a
 * missing or damaged checkpoint get clear messages.
 *
 * The runs are small: a 0.6 mm window at 60 um, two sessions five days
 * apart, two days of follow-up, ideal strokes, three fields every 24 h (so
 * both sessions' acute phases and the healing stage give snapshots).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hdf5.h>

#include "io/checkpoint.h"
#include "io/outdir.h"

static const char *const protocol_text =
    "name: resume test\n"
    "subject: { species: human, site: cheek, fitzpatrick: 3, age: 45, ex_vivo: false }\n"
    "device: { kind: pen, cartridge: 12-round, needle_length_mm: 1.0, speed_hz: 110,\n"
    "          motor: regulated }\n"
    "treatment:\n"
    "  area_mm: [2, 2]\n"
    "  passes: 3\n"
    "  pattern: lines\n"
    "  glide_speed_mm_s: 10\n"
    "  occlusion: false\n"
    "  anti_inflammatory: none\n"
    "  topical: null\n"
    "schedule: { sessions: 2, interval_days: 5, follow_up_days: 2 }\n"
    "grid: { resolution_um: 60, window_mm: [0.6, 0.6] }\n"
    "output: { fields: [water, wound, collagen_I], fields_every_h: 24 }\n";

/* the build's mnlab of this test's variant (mnlab_asan for the sanitized
 * test) */
static const char *const mnlab = MN_CLI_PATH;
static char tmpdir[64];
static char protocol[128];
static char ref_dir[128];
static double ref_wall_s;

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sleep_s(double s) {
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&ts, NULL);
}

/* Where spawn() keeps the standard error of the last mnlab it started, so
 * a failed test can show what mnlab said. */
static char spawn_err[128];

/* Prints what the last spawned mnlab wrote on standard error. */
static void show_spawn_err(void) {
  FILE *f = fopen(spawn_err, "r");
  if (f == NULL) {
    return;
  }
  char line[512];
  while (fgets(line, sizeof line, f) != NULL) {
    fputs(line, stderr);
  }
  fclose(f);
}

/* Starts mnlab with args (NULL-terminated, after "mnlab"), standard output
 * to /dev/null and standard error to spawn_err (kept on the terminal with
 * MN_TEST_VERBOSE). */
static pid_t spawn(const char *const *args) {
  const char *argv[16];
  int n = 0;
  argv[n++] = mnlab;
  for (int i = 0; args[i] != NULL && n < 15; i++) {
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    FILE *devnull = freopen("/dev/null", "w", stdout);
    (void)devnull;
    if (getenv("MN_TEST_VERBOSE") == NULL) {
      devnull = freopen(spawn_err, "w", stderr);
    }
    execv(mnlab, (char *const *)argv);
    _exit(127);
  }
  return pid;
}

static int finish(pid_t pid) {
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  if (WIFEXITED(st)) {
    return WEXITSTATUS(st);
  }
  return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

static int run_mnlab(const char *const *args) {
  return finish(spawn(args));
}

/* Runs mnlab capturing stdout and stderr. */
static int run_capture(const char *args, char *out, size_t outlen) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' %s 2>&1", mnlab, args);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t n = fread(out, 1, outlen - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  if (len != NULL) {
    *len = (size_t)n;
  }
  return b;
}

static void assert_same_file(const char *dir_a, const char *dir_b, const char *name) {
  char pa[256], pb[256];
  snprintf(pa, sizeof pa, "%s/%s", dir_a, name);
  snprintf(pb, sizeof pb, "%s/%s", dir_b, name);
  size_t na = 0, nb = 0;
  char *a = slurp(pa, &na), *b = slurp(pb, &nb);
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(na, nb);
  assert_memory_equal(a, b, na);
  free(a);
  free(b);
}

/* The names in dir, sorted and joined by newlines. */
static char *names_in(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  char *names[256];
  int n = 0;
  for (struct dirent *de = readdir(d); de != NULL && n < 256; de = readdir(d)) {
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
      names[n++] = strdup(de->d_name);
    }
  }
  closedir(d);
  for (int i = 1; i < n; i++) {
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char *t = names[j];
      names[j] = names[j - 1];
      names[j - 1] = t;
    }
  }
  size_t len = 1;
  for (int i = 0; i < n; i++) {
    len += strlen(names[i]) + 1;
  }
  char *all = calloc(len, 1);
  assert_non_null(all);
  for (int i = 0; i < n; i++) {
    strcat(all, names[i]);
    strcat(all, "\n");
    free(names[i]);
  }
  return all;
}

/* A resumed run's DIR holds what an uninterrupted run's does: no
 * checkpoint, no temporaries, nothing missing. */
static void assert_same_names(const char *dir_a, const char *dir_b) {
  char *a = names_in(dir_a), *b = names_in(dir_b);
  assert_string_equal(a, b);
  free(a);
  free(b);
}

static int ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), m = strlen(tail);
  return n >= m && strcmp(s + n - m, tail) == 0;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    return;
  }
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
      char p[512];
      snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
      if (is_dir(p)) {
        remove_dir(p);
      } else {
        remove(p);
      }
    }
  }
  closedir(d);
  rmdir(dir);
}

/* Field snapshots: the same files, byte for byte, and the same XDMF. */
static void assert_same_fields(const char *dir_a, const char *dir_b) {
  char fa[256], fb[256];
  snprintf(fa, sizeof fa, "%s/fields", dir_a);
  snprintf(fb, sizeof fb, "%s/fields", dir_b);
  assert_same_names(fa, fb);
  char *names = names_in(fa);
  int n = 0;
  for (char *line = names; *line != '\0'; n++) {
    char *end = strchr(line, '\n');
    *end = '\0';
    assert_true(ends_with(line, ".h5"));
    assert_same_file(fa, fb, line);
    line = end + 1;
  }
  free(names);
  /* both sessions' acute phases and the healing stage: 15 snapshots */
  assert_int_equal(n, 15);
  assert_same_file(dir_a, dir_b, "fields.xdmf");
}

/* Reads a dataset to the end (a truncated file fails here if not at
 * open); counts them. */
static herr_t read_dataset(hid_t loc, const char *name, const H5L_info_t *info, void *ctx) {
  (void)info;
  H5O_info_t oi;
  if (H5Oget_info_by_name(loc, name, &oi, H5P_DEFAULT) < 0) {
    return -1;
  }
  if (oi.type != H5O_TYPE_DATASET) {
    return 0;
  }
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
  hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  double *v = n > 0 ? malloc((size_t)n * sizeof *v) : NULL;
  herr_t rc =
      v != NULL && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0 ? 0 : -1;
  free(v);
  if (sp >= 0) {
    H5Sclose(sp);
  }
  if (d >= 0) {
    H5Dclose(d);
  }
  *(int *)ctx += 1;
  return rc;
}

/* The other outputs a run may write (report, figures, fields): each read
 * to its end marker. A file of a kind not listed fails the test, so a new
 * output gets its check here. */
static void check_whole(const char *path) {
  size_t n = 0;
  char *b = slurp(path, &n);
  assert_non_null(b);
  static const unsigned char png_end[] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  int ok = 0;
  if (ends_with(path, ".html")) {
    ok = strstr(b, "</html>") != NULL;
  } else if (ends_with(path, ".svg")) {
    ok = strstr(b, "</svg>") != NULL;
  } else if (ends_with(path, ".xdmf")) {
    ok = strstr(b, "</Xdmf>") != NULL;
  } else if (ends_with(path, ".png")) {
    ok = n > 16 && memcmp(b, "\x89PNG", 4) == 0 &&
         memcmp(b + n - sizeof png_end, png_end, sizeof png_end) == 0;
  } else if (ends_with(path, ".h5")) {
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int ndata = 0;
    ok = f >= 0 && H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, read_dataset, &ndata) >= 0 && ndata > 0;
    if (f >= 0) {
      H5Fclose(f);
    }
  } else {
    fprintf(stderr, "%s: an output this test does not know how to check\n", path);
  }
  if (!ok) {
    fprintf(stderr, "%s: not whole\n", path);
  }
  free(b);
  assert_true(ok);
}

/* Every file in dir is whole: what a killed run may leave. Temporaries
 * (NAME.tmp.PID) may stay behind a killed writer; they never carry a final
 * name. Returns 1 when dir holds a checkpoint. */
static int check_nothing_torn(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    return 0; /* killed before it made DIR */
  }
  int has_checkpoint = 0;
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    const char *n = de->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strstr(n, ".tmp.") != NULL) {
      continue;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, n);
    if (strcmp(n, "summary.json") == 0) {
      json_error_t jerr;
      json_t *o = json_load_file(path, 0, &jerr);
      if (o == NULL) {
        fprintf(stderr, "%s: %s\n", path, jerr.text);
      }
      assert_non_null(o);
      assert_non_null(json_object_get(o, "schema"));
      json_decref(o);
    } else if (strcmp(n, "timeseries.csv") == 0) {
      char *text = slurp(path, NULL);
      assert_non_null(text);
      size_t len = strlen(text);
      assert_true(len > 0 && text[len - 1] == '\n');
      int commas = -1, rows = 0;
      for (char *line = text; *line != '\0';) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        int c = 0;
        for (char *q = line; q < end; q++) {
          c += *q == ',';
        }
        if (commas < 0) {
          commas = c; /* the header */
        }
        assert_int_equal(c, commas);
        rows++;
        line = end + 1;
      }
      assert_true(rows > 1);
      free(text);
    } else if (strcmp(n, "fields") == 0) {
      /* every snapshot file whole, none with a torn final name */
      check_nothing_torn(path);
    } else if (strcmp(n, MN_CHECKPOINT_FILE) == 0) {
      mn_checkpoint_run run;
      mn_course_state st;
      char err[512];
      int rc = mn_checkpoint_read(path, &run, &st, err, sizeof err);
      if (rc != 0) {
        fprintf(stderr, "%s\n", err);
      }
      assert_int_equal(rc, 0);
      assert_non_null(run.protocol_yaml);
      assert_string_equal(run.protocol_yaml, protocol_text);
      mn_course_state_free(&st);
      mn_checkpoint_run_free(&run);
      has_checkpoint = 1;
    } else {
      check_whole(path);
    }
  }
  closedir(d);
  return has_checkpoint;
}

static int setup(void **state) {
  (void)state;
  /* one thread: the runs are tiny, and spinning OpenMP threads on a busy
   * machine cost more than they give (the checkpoint keeps the count, so
   * the resumed runs use it too) */
  setenv("OMP_NUM_THREADS", "1", 1);
  strcpy(tmpdir, "/tmp/mnlab-resume-XXXXXX");
  if (mkdtemp(tmpdir) == NULL) {
    return -1;
  }
  snprintf(protocol, sizeof protocol, "%s/protocol.yaml", tmpdir);
  snprintf(spawn_err, sizeof spawn_err, "%s/stderr.txt", tmpdir);
  FILE *f = fopen(protocol, "w");
  if (f == NULL) {
    return -1;
  }
  fputs(protocol_text, f);
  fclose(f);
  snprintf(ref_dir, sizeof ref_dir, "%s/ref", tmpdir);
  const char *args[] = {"run", protocol, "-o", ref_dir, "--quiet", "--ideal-strokes", NULL};
  double t0 = wall_s();
  if (run_mnlab(args) != 0) {
    return -1;
  }
  ref_wall_s = wall_s() - t0;
  /* a finished run leaves no checkpoint */
  char ck[256];
  snprintf(ck, sizeof ck, "%s/%s", ref_dir, MN_CHECKPOINT_FILE);
  return exists(ck) ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  remove_dir(ref_dir);
  remove(protocol);
  remove(spawn_err);
  rmdir(tmpdir);
  return 0;
}

/* Sessions done in the checkpoint at path; -1 while there is none. */
static int sessions_in(const char *path) {
  if (!exists(path)) {
    return -1;
  }
  mn_checkpoint_run run;
  mn_course_state st;
  char err[512];
  int done = -1;
  if (mn_checkpoint_read(path, &run, &st, err, sizeof err) == 0) {
    done = st.sessions_done;
    mn_course_state_free(&st);
    mn_checkpoint_run_free(&run);
  }
  return done;
}

/* SIGINT once DIR's checkpoint has `sessions` sessions done (0: as soon as
 * there is one): exit 3, a checkpoint and nothing else in DIR; --resume
 * then gives the uninterrupted run's files. */
static void interrupt_and_resume(int sessions) {
  char dir[128], ck[256], out[4096];
  snprintf(dir, sizeof dir, "%s/int%d", tmpdir, sessions);
  snprintf(ck, sizeof ck, "%s/%s", dir, MN_CHECKPOINT_FILE);
  const char *args[] = {
      "run", protocol, "-o", dir, "--quiet", "--ideal-strokes", "--checkpoint-every", "0", NULL};
  pid_t pid = spawn(args);
  int rc = -1;
  while (sessions_in(ck) < sessions) {
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      break; /* finished before the signal: nothing to resume */
    }
    sleep_s(0.001);
  }
  if (rc < 0) {
    kill(pid, SIGINT);
    rc = finish(pid);
  }
  if (rc == 0) {
    fprintf(stderr, "the run finished before the signal; nothing to resume\n");
    assert_same_file(ref_dir, dir, "summary.json");
    remove_dir(dir);
    return;
  }
  if (rc != 3) {
    fprintf(stderr, "mnlab run ended with status %d, not 3, after SIGINT:\n", rc);
    show_spawn_err();
  }
  assert_int_equal(rc, 3);
  assert_true(check_nothing_torn(dir));
  if (sessions > 0) {
    /* snapshots of the first session were taken before the signal and are
     * listed by the checkpoint; the second session's come after it */
    mn_checkpoint_run run;
    mn_course_state st;
    char err[512];
    assert_int_equal(mn_checkpoint_read(ck, &run, &st, err, sizeof err), 0);
    assert_non_null(run.field_snapshots);
    assert_non_null(strstr(run.field_snapshots, "acute/s1 t000024.201h"));
    assert_null(strstr(run.field_snapshots, "acute/s2"));
    mn_course_state_free(&st);
    mn_checkpoint_run_free(&run);
    char first[256];
    snprintf(first, sizeof first, "%s/fields/acute_s1_t000024.201h.h5", dir);
    assert_true(exists(first));
  }
  /* the checkpoint is the last safe point: at least the one seen written */
  assert_true(sessions_in(ck) >= sessions);
  char sp[256];
  snprintf(sp, sizeof sp, "%s/summary.json", dir);
  assert_false(exists(sp));

  char cmd[512];
  snprintf(cmd, sizeof cmd, "run --resume '%s' --quiet", dir);
  rc = run_capture(cmd, out, sizeof out);
  if (rc != 0) {
    fprintf(stderr, "%s\n", out);
  }
  assert_int_equal(rc, 0);
  assert_same_file(ref_dir, dir, "summary.json");
  assert_same_file(ref_dir, dir, "timeseries.csv");
  assert_same_names(ref_dir, dir);
  assert_same_fields(ref_dir, dir);
  remove_dir(dir);
}

static void sigint_at_the_start_then_resume(void **state) {
  (void)state;
  interrupt_and_resume(0);
}

static void sigint_after_a_session_then_resume(void **state) {
  (void)state;
  interrupt_and_resume(1);
}

/* SIGKILL at random moments of a run and of its resumptions: after each,
 * nothing in DIR is torn; in the end the resumed run's files are the
 * uninterrupted run's. */
static void sigkill_never_leaves_a_torn_file(void **state) {
  (void)state;
  char dir[128], ck[256], out[4096];
  snprintf(dir, sizeof dir, "%s/kill", tmpdir);
  snprintf(ck, sizeof ck, "%s/%s", dir, MN_CHECKPOINT_FILE);
  srand(20261122u);
  enum { KILLS = 4 };
  for (int k = 0; k < KILLS; k++) {
    const char *fresh[] = {
        "run", protocol, "-o", dir, "--quiet", "--ideal-strokes", "--checkpoint-every", "0", NULL};
    const char *resume[] = {"run", "--resume", dir, "--quiet", "--checkpoint-every", "0", NULL};
    int resuming = exists(ck);
    pid_t pid = spawn(resuming ? resume : fresh);
    sleep_s(ref_wall_s * (double)rand() / RAND_MAX);
    kill(pid, SIGKILL);
    int rc = finish(pid);
    if (rc != 128 + SIGKILL && rc != 0) {
      fprintf(stderr, "kill %d: mnlab %s ended with status %d before the kill:\n", k,
              resuming ? "run --resume" : "run", rc);
      show_spawn_err();
    }
    assert_true(rc == 128 + SIGKILL || rc == 0);
    check_nothing_torn(dir);
  }
  char cmd[512];
  if (exists(ck)) {
    snprintf(cmd, sizeof cmd, "run --resume '%s' --quiet", dir);
  } else {
    snprintf(cmd, sizeof cmd, "run '%s' -o '%s' --quiet --ideal-strokes", protocol, dir);
  }
  int rc = run_capture(cmd, out, sizeof out);
  if (rc != 0) {
    fprintf(stderr, "%s\n", out);
  }
  assert_int_equal(rc, 0);
  check_nothing_torn(dir);
  assert_same_file(ref_dir, dir, "summary.json");
  assert_same_file(ref_dir, dir, "timeseries.csv");
  assert_same_names(ref_dir, dir);
  assert_same_fields(ref_dir, dir);
  remove_dir(dir);
}

/* Without a checkpoint the snapshots wait beside DIR and arrive at the end:
 * the same files as a checkpointed run's. */
static void fields_same_without_checkpoint(void **state) {
  (void)state;
  char dir[128];
  snprintf(dir, sizeof dir, "%s/nock", tmpdir);
  const char *args[] = {"run", protocol, "-o", dir, "--quiet", "--ideal-strokes", "--no-checkpoint",
                        NULL};
  assert_int_equal(run_mnlab(args), 0);
  check_nothing_torn(dir);
  assert_same_names(ref_dir, dir);
  assert_same_file(ref_dir, dir, "summary.json");
  assert_same_fields(ref_dir, dir);
  remove_dir(dir);
}

/* --resume with what it cannot take, a directory without a checkpoint, and
 * a damaged checkpoint: clear messages, and the documented statuses. */
static void resume_errors_are_clear(void **state) {
  (void)state;
  char out[4096], cmd[512], dir[128], ck[256];
  int rc = run_capture("run --help", out, sizeof out);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "--resume DIR"));
  assert_non_null(strstr(out, "--checkpoint-every"));
  assert_non_null(strstr(out, "3 interrupted"));

  snprintf(cmd, sizeof cmd, "run '%s' --resume '%s'", protocol, ref_dir);
  assert_int_equal(run_capture(cmd, out, sizeof out), 2);
  assert_non_null(strstr(out, "--resume"));
  assert_int_equal(run_capture("run --resume", out, sizeof out), 2);
  assert_int_equal(run_capture("run --checkpoint-every soon", out, sizeof out), 2);
  assert_non_null(strstr(out, "--checkpoint-every"));

  snprintf(cmd, sizeof cmd, "run --resume '%s'", ref_dir); /* finished: no checkpoint */
  assert_int_equal(run_capture(cmd, out, sizeof out), 2);
  assert_non_null(strstr(out, "nothing to resume"));

  snprintf(dir, sizeof dir, "%s/damaged", tmpdir);
  assert_int_equal(mkdir(dir, 0777), 0);
  snprintf(ck, sizeof ck, "%s/%s", dir, MN_CHECKPOINT_FILE);
  FILE *f = fopen(ck, "w");
  assert_non_null(f);
  fputs("\x89HDF\r\n\x1a\n and then nothing useful", f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "run --resume '%s'", dir);
  assert_int_equal(run_capture(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, MN_CHECKPOINT_FILE));
  assert_non_null(strstr(out, "HDF5"));
  assert_true(exists(ck)); /* kept: it is the user's to inspect */
  remove_dir(dir);
}

/* Temporaries of dead processes go, a live process's stay, and nothing
 * else is touched. */
static void stale_temporaries_are_swept(void **state) {
  (void)state;
  char dir[128], dead[256], live[256], other[256];
  snprintf(dir, sizeof dir, "%s/sweep", tmpdir);
  assert_int_equal(mkdir(dir, 0777), 0);
  /* no process has an id above the kernel's pid_max (at most 2^22) */
  snprintf(dead, sizeof dead, "%s/summary.json.tmp.99999999", dir);
  snprintf(live, sizeof live, "%s/checkpoint.h5.tmp.%ld", dir, (long)getpid());
  snprintf(other, sizeof other, "%s/notes.tmp.txt", dir);
  const char *paths[] = {dead, live, other};
  for (int i = 0; i < 3; i++) {
    FILE *f = fopen(paths[i], "w");
    assert_non_null(f);
    fclose(f);
  }
  assert_int_equal(mn_outdir_sweep(dir), 1);
  assert_false(exists(dead));
  assert_true(exists(live));
  assert_true(exists(other));
  remove_dir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resume_errors_are_clear),
      cmocka_unit_test(stale_temporaries_are_swept),
      cmocka_unit_test(fields_same_without_checkpoint),
      cmocka_unit_test(sigint_at_the_start_then_resume),
      cmocka_unit_test(sigint_after_a_session_then_resume),
      cmocka_unit_test(sigkill_never_leaves_a_torn_file),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
