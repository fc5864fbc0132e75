/*
 * mnlab compare: runs two protocols through the whole pipeline and reports
 * them side by side: a table of the key figures of both with the
 * difference, and with -o DIR the figures as JSON and CSV, each run's own
 * summary and time series, and the overlaid plots of the report stage
 * (compare.html). Typical pairs: a regulated against an unregulated pen,
 * 1.0 against 1.5 mm, 3 against 6 sessions. Parsing, running and printing
 * only; the runs are mn_course_run(), the figures those of summary.json.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/pen_params.h"
#include "cli/progress.h"
#include "course/course.h"
#include "io/atomic.h"
#include "io/datadir.h"
#include "io/outdir.h"
#include "io/params.h"
#include "io/protocol.h"
#include "io/summary.h"
#include "mnpen_host/sil_strokes.h"
#include "report/report.h"

#define MN_COMPARE_SCHEMA "mnlab.compare/1"

enum { LABEL_MAX = 64 };

/* The figures compared, by their path in summary.json (docs/model.md and
 * docs/device.md define each). A figure a run could not determine is null
 * there and "-" in the table. */
typedef struct {
  const char *key;
  const char *label;
  const char *unit;
} figure;

static const figure figures[] = {
    {"punctures.per_cm2", "puncture density", "1/cm^2"},
    {"punctures.density_cv", "puncture density CV", "1"},
    {"punctures.stroke_rate_hz", "stroke rate", "Hz"},
    {"punctures.stroke_interval_cv", "stroke interval CV", "1"},
    {"punctures.channel_depth_um_mean", "channel depth", "um"},
    {"punctures.channel_width_um_mean", "channel width", "um"},
    {"barrier.tewl_peak_g_m2_h", "TEWL peak", "g/m^2/h"},
    {"barrier.tewl_recovery_h", "TEWL recovery", "h"},
    {"barrier.pore_closure_half_life_h", "pore closure half-life", "h"},
    {"topical.cumulative_ug_cm2", "topical delivered", "ug/cm^2"},
    {"topical.enhancement_vs_intact", "topical vs intact skin", "x"},
    {"erythema.peak", "erythema peak", "1"},
    {"erythema.duration_h", "erythema duration", "h"},
    {"healing.collagen_total_change_pct", "collagen change", "%"},
    {"healing.collagen_I_III_ratio_end", "collagen I:III at end", "1"},
    {"healing.elastin_change_pct", "elastin change", "%"},
    {"healing.epidermis_thickness_change_pct", "epidermis change", "%"},
    {"healing.new_collagen_cv", "new-collagen CV", "1"},
};
enum { NFIGURES = sizeof figures / sizeof figures[0] };

typedef struct {
  const char *file;
  char label[LABEL_MAX];
  mn_protocol p;
  mn_course_result r;
  int ran;
  json_t *summary;
} side;

static void compare_help(FILE *out) {
  fprintf(
      out,
      "usage: mnlab compare A.yaml B.yaml [-o DIR] [--label-a NAME] [--label-b NAME]\n"
      "                     [--ideal-strokes] [--json] [--quiet]\n"
      "\n"
      "Runs two treatment protocols end to end (as mnlab run does) and reports them\n"
      "side by side: each key figure of summary.json for A and B, the difference B - A\n"
      "and the relative change; besides, the pen's stroke rate and the spread (CV)\n"
      "of the time between its strokes in the first session. Typical pairs: a\n"
      "regulated against an unregulated pen (the cheap pen's motor slows and speeds\n"
      "with the skin's load: its stroke interval spreads), 1.0 against 1.5 mm, 3\n"
      "against 6 sessions.\n"
      "\n"
      "options:\n"
      "  -o, --output DIR   also write the comparison into DIR (see below)\n"
      "  --label-a NAME     name of run A in the table and plots (default: the file\n"
      "  --label-b NAME     name without .yaml)\n"
      "  --ideal-strokes    strokes at the ideal rate instead of the pen's firmware run\n"
      "  --json             print the comparison as one JSON document (schema\n"
      "                     mnlab.compare/1: {\"a\", \"b\", \"figures\": [{\"key\", \"label\",\n"
      "                     \"unit\", \"a\", \"b\", \"difference\", \"relative\"}]})\n"
      "  --quiet            no progress bar\n"
      "\n"
      "writes (with -o):\n"
      "  DIR/compare.json        the document --json prints\n"
      "  DIR/compare.csv         key, figure, unit, a, b, difference, relative\n"
      "  DIR/a/, DIR/b/          each run's summary.json and timeseries.csv\n"
      "  DIR/compare.html        the two runs' figures overlaid (cmp-*.png, cmp-*.svg)\n"
      "The directory appears only when both runs succeeded.\n"
      "\n"
      "examples:\n"
      "  mnlab compare regulated.yaml unregulated.yaml -o pens\n"
      "  mnlab compare 1mm.yaml 1.5mm.yaml --json\n"
      "\n"
      "exit status: 0 done, 1 a run failed, 2 bad usage or a malformed protocol.\n");
}

/* The number at a dotted path of a JSON object; NAN when absent or null. */
static double figure_value(json_t *o, const char *path) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *cur = o;
  for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok != NULL && cur != NULL;
       tok = strtok_r(NULL, ".", &save)) {
    cur = json_object_get(cur, tok);
  }
  return json_is_number(cur) ? json_number_value(cur) : NAN;
}

static json_t *num_or_null(double v) {
  return isfinite(v) ? json_real(v) : json_null();
}

/* B - A relative to |A|; NAN when either is missing or A is zero. */
static double relative(double a, double b) {
  return (isfinite(a) && isfinite(b) && a != 0.0) ? (b - a) / fabs(a) : NAN;
}

static void default_label(side *s) {
  const char *base = strrchr(s->file, '/');
  base = base ? base + 1 : s->file;
  size_t n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) {
    n -= 5;
  }
  if (n >= LABEL_MAX) {
    n = LABEL_MAX - 1;
  }
  memcpy(s->label, base, n);
  s->label[n] = '\0';
}

static json_t *side_json(const side *s) {
  json_t *o = json_object();
  json_object_set_new(o, "label", json_string(s->label));
  json_object_set_new(o, "protocol_file", json_string(s->file));
  json_object_set_new(o, "name", json_string(s->p.name));
  json_object_set_new(o, "motor", json_string(mn_protocol_motor_name(s->p.device.motor)));
  json_object_set_new(o, "needle_length_mm", json_real(s->p.device.needle_length_mm));
  json_object_set_new(o, "sessions", json_integer(s->p.schedule.sessions));
  return o;
}

static json_t *compare_json(const side *a, const side *b) {
  json_t *o = json_object();
  json_object_set_new(o, "schema", json_string(MN_COMPARE_SCHEMA));
  json_object_set_new(o, "a", side_json(a));
  json_object_set_new(o, "b", side_json(b));
  json_t *list = json_array();
  for (size_t i = 0; i < NFIGURES; i++) {
    double va = figure_value(a->summary, figures[i].key);
    double vb = figure_value(b->summary, figures[i].key);
    json_t *f = json_object();
    json_object_set_new(f, "key", json_string(figures[i].key));
    json_object_set_new(f, "label", json_string(figures[i].label));
    json_object_set_new(f, "unit", json_string(figures[i].unit));
    json_object_set_new(f, "a", num_or_null(va));
    json_object_set_new(f, "b", num_or_null(vb));
    json_object_set_new(f, "difference", num_or_null(vb - va));
    json_object_set_new(f, "relative", num_or_null(relative(va, vb)));
    json_array_append_new(list, f);
  }
  json_object_set_new(o, "figures", list);
  return o;
}

static void fmt_value(char *buf, size_t n, double v, int signed_) {
  if (!isfinite(v)) {
    snprintf(buf, n, "-");
  } else {
    snprintf(buf, n, signed_ ? "%+.4g" : "%.4g", v);
  }
}

static void print_table(const side *a, const side *b) {
  printf("A: %s (%s)\nB: %s (%s)\n\n", a->label, a->p.name, b->label, b->p.name);
  printf("%-24s %-9s %12s %12s %12s %9s\n", "figure", "unit", "A", "B", "B - A", "change");
  for (size_t i = 0; i < NFIGURES; i++) {
    double va = figure_value(a->summary, figures[i].key);
    double vb = figure_value(b->summary, figures[i].key);
    double rel = relative(va, vb);
    char sa[32], sb[32], sd[32], sr[32];
    fmt_value(sa, sizeof sa, va, 0);
    fmt_value(sb, sizeof sb, vb, 0);
    fmt_value(sd, sizeof sd, vb - va, 1);
    if (isfinite(rel)) {
      snprintf(sr, sizeof sr, "%+.1f %%", 100.0 * rel);
    } else {
      snprintf(sr, sizeof sr, "-");
    }
    printf("%-24s %-9s %12s %12s %12s %9s\n", figures[i].label, figures[i].unit, sa, sb, sd, sr);
  }
}

static int write_json(const char *path, json_t *o, char *err, size_t errlen) {
  mn_atomic_file f;
  if (mn_atomic_open(&f, path, err, errlen) != 0) {
    return -1;
  }
  if (json_dumpf(o, f.f, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) != 0 || fputc('\n', f.f) == EOF) {
    snprintf(err, errlen, "%s: cannot write", path);
    mn_atomic_abort(&f);
    return -1;
  }
  return mn_atomic_commit(&f, err, errlen);
}

static void csv_number(FILE *f, double v) {
  if (isfinite(v)) {
    fprintf(f, "%.8g", v);
  }
}

static int write_csv(const char *path, const side *a, const side *b, char *err, size_t errlen) {
  mn_atomic_file f;
  if (mn_atomic_open(&f, path, err, errlen) != 0) {
    return -1;
  }
  fprintf(f.f, "key,figure,unit,a,b,difference,relative\n");
  for (size_t i = 0; i < NFIGURES; i++) {
    double va = figure_value(a->summary, figures[i].key);
    double vb = figure_value(b->summary, figures[i].key);
    fprintf(f.f, "%s,%s,%s,", figures[i].key, figures[i].label, figures[i].unit);
    csv_number(f.f, va);
    fputc(',', f.f);
    csv_number(f.f, vb);
    fputc(',', f.f);
    csv_number(f.f, vb - va);
    fputc(',', f.f);
    csv_number(f.f, relative(va, vb));
    fputc('\n', f.f);
  }
  if (ferror(f.f)) {
    snprintf(err, errlen, "%s: cannot write", path);
    mn_atomic_abort(&f);
    return -1;
  }
  return mn_atomic_commit(&f, err, errlen);
}

/* One run's own outputs in DIR/SUB/, as mnlab run writes them. */
static int write_side(const mn_outdir *od, const char *sub, const side *s, char *err,
                      size_t errlen) {
  char path[8192], name[64];
  mn_outdir_path(od, sub, path, sizeof path);
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "%.512s: cannot create: %s", path, strerror(errno));
    return -1;
  }
  snprintf(name, sizeof name, "%s/summary.json", sub);
  if (mn_summary_write(mn_outdir_path(od, name, path, sizeof path), &s->p, &s->r, err, errlen) !=
      0) {
    return -1;
  }
  snprintf(name, sizeof name, "%s/timeseries.csv", sub);
  return mn_table_write_csv(s->r.timeseries, mn_outdir_path(od, name, path, sizeof path), err,
                            errlen);
}

/* The staging directory's removal takes plain files only: empty the run
 * folders first. */
static void remove_side(const mn_outdir *od, const char *sub) {
  char dir[8192];
  mn_outdir_path(od, sub, dir, sizeof dir);
  DIR *d = opendir(dir);
  if (d == NULL) {
    return;
  }
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
      char path[8448];
      snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
      remove(path);
    }
  }
  closedir(d);
  rmdir(dir);
}

static int write_outputs(const char *out_dir, json_t *doc, const side *a, const side *b, char *err,
                         size_t errlen) {
  mn_outdir od;
  char path[8192];
  int rc = mn_outdir_begin(&od, out_dir, err, errlen);
  if (rc != 0) {
    return rc;
  }
  rc = write_json(mn_outdir_path(&od, "compare.json", path, sizeof path), doc, err, errlen);
  if (rc == 0) {
    rc = write_csv(mn_outdir_path(&od, "compare.csv", path, sizeof path), a, b, err, errlen);
  }
  if (rc == 0) {
    rc = write_side(&od, "a", a, err, errlen);
  }
  if (rc == 0) {
    rc = write_side(&od, "b", b, err, errlen);
  }
  if (rc == 0) {
    rc = mn_report_compare_write(od.staging, a->label, &a->p, &a->r, b->label, &b->p, &b->r, err,
                                 errlen);
  }
  if (rc == 0) {
    return mn_outdir_commit(&od, err, errlen);
  }
  if (od.staged) {
    remove_side(&od, "a");
    remove_side(&od, "b");
  }
  mn_outdir_abort(&od);
  return rc;
}

static int run_side(side *s, mn_params *pen, mn_cli_progress *bar, char *err, size_t errlen) {
  mn_course_options o;
  mn_course_options_default(&o);
  o.stroke_source = pen ? mnpen_sil_stroke_source : NULL;
  o.stroke_ctx = pen;
  o.progress = mn_cli_progress_update;
  o.progress_ctx = bar;
  if (mn_course_run(&s->p, &o, &s->r, err, errlen) != 0) {
    return -1;
  }
  s->ran = 1;
  s->summary = mn_summary_build(&s->p, &s->r);
  if (s->summary == NULL) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  return 0;
}

static void side_free(side *s) {
  if (s->ran) {
    mn_course_result_free(&s->r);
  }
  json_decref(s->summary);
}

int mn_cli_compare(int argc, char **argv) {
  side sides[2];
  memset(sides, 0, sizeof sides);
  const char *labels[2] = {NULL, NULL};
  const char *out_dir = NULL;
  int ideal = 0, quiet = 0, json = 0, nfiles = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int takes = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--label-a") == 0 ||
                strcmp(a, "--label-b") == 0;
    if (takes && i + 1 >= argc) {
      fprintf(stderr, "mnlab compare: %s needs a value (see mnlab compare --help)\n", a);
      return MN_CLI_EUSAGE;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      compare_help(stdout);
      return MN_CLI_OK;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
      out_dir = argv[++i];
    } else if (strcmp(a, "--label-a") == 0) {
      labels[0] = argv[++i];
    } else if (strcmp(a, "--label-b") == 0) {
      labels[1] = argv[++i];
    } else if (strcmp(a, "--ideal-strokes") == 0) {
      ideal = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (a[0] == '-') {
      fprintf(stderr, "mnlab compare: unknown option '%s' (see mnlab compare --help)\n", a);
      return MN_CLI_EUSAGE;
    } else if (nfiles < 2) {
      sides[nfiles++].file = a;
    } else {
      fprintf(stderr, "mnlab compare: two protocols, not more ('%s')\n", a);
      return MN_CLI_EUSAGE;
    }
  }
  if (nfiles != 2) {
    fprintf(stderr, "mnlab compare: needs two protocols (see mnlab compare --help)\n");
    return MN_CLI_EUSAGE;
  }

  char err[1024] = "";
  for (int k = 0; k < 2; k++) {
    side *s = &sides[k];
    if (labels[k] != NULL) {
      snprintf(s->label, sizeof s->label, "%s", labels[k]);
    } else {
      default_label(s);
    }
    if (mn_protocol_load(&s->p, s->file, mn_data_dir(), err, sizeof err) != 0) {
      fprintf(stderr, "mnlab compare: %s\n", err);
      return MN_CLI_EUSAGE; /* nothing run, nothing written */
    }
  }
  if (strcmp(sides[0].label, sides[1].label) == 0) {
    snprintf(sides[0].label, sizeof sides[0].label, "A");
    snprintf(sides[1].label, sizeof sides[1].label, "B");
  }

  mn_params *pen = NULL;
  if (!ideal && mn_cli_pen_params(&pen, err, sizeof err) != 0) {
    fprintf(stderr, "mnlab compare: %s\n", err);
    return MN_CLI_EFAIL;
  }

  int rc = MN_CLI_OK;
  mn_cli_progress bar;
  mn_cli_progress_init(&bar, quiet);
  bar.scale = 0.5;
  for (int k = 0; k < 2 && rc == MN_CLI_OK; k++) {
    bar.offset = 0.5 * k;
    bar.prefix = sides[k].label;
    if (run_side(&sides[k], pen, &bar, err, sizeof err) != 0) {
      mn_cli_progress_abandon(&bar);
      fprintf(stderr, "mnlab compare: %s: %s\n", sides[k].file, err);
      rc = MN_CLI_EFAIL;
    }
  }
  mn_params_destroy(&pen);

  json_t *doc = rc == MN_CLI_OK ? compare_json(&sides[0], &sides[1]) : NULL;
  if (rc == MN_CLI_OK && out_dir != NULL &&
      write_outputs(out_dir, doc, &sides[0], &sides[1], err, sizeof err) != 0) {
    fprintf(stderr, "mnlab compare: %s\n", err);
    rc = MN_CLI_EFAIL;
  }
  if (rc == MN_CLI_OK) {
    if (json) {
      json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(8));
      fputc('\n', stdout);
    } else {
      print_table(&sides[0], &sides[1]);
      if (out_dir != NULL) {
        printf("\nresults in %s/ (compare.json, compare.csv, compare.html, a/, b/)\n", out_dir);
      }
    }
  }
  json_decref(doc);
  side_free(&sides[0]);
  side_free(&sides[1]);
  return rc;
}
