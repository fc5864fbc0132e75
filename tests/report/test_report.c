/*
 * The report: mn_report_write on small real courses (two sessions a day
 * apart with a topical and three days of follow-up; one session without a
 * topical; both on a coarse 1 mm window; six hours of excised pig skin)
 * writes every figure as a PNG of the stated size and a well-formed SVG
 * whose axis labels are text, and a page that shows every drawn figure, the
 * key figures of the run, each session's figures and the protocol; a run
 * without a topical leaves the flux plots out and says so, one on excised
 * skin the healing plots; mn_report_compare_write overlays two runs; the
 * plot wrapper refuses what it cannot draw instead of letting PLplot end the
 * process.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "course/course.h"
#include "report/plot.h"
#include "report/report.h"

typedef struct {
  mn_protocol p, q, x; /* with and without topical; excised skin */
  mn_course_result r, s, e;
  char dir[64];
} fixture;

static void tiny(mn_protocol *p, int topical) {
  mn_protocol_default(p);
  snprintf(p->name, sizeof p->name, "tiny <report> test, %s", topical ? "caffeine" : "plain");
  p->treatment.area_mm[0] = p->treatment.area_mm[1] = 4.0;
  p->treatment.passes = 1;
  p->treatment.pattern = MN_PATTERN_LINES;
  p->treatment.has_topical = topical;
  if (topical) {
    snprintf(p->treatment.topical.compound, sizeof p->treatment.topical.compound, "caffeine");
    p->treatment.topical.applied = MN_APPLIED_AFTER;
    p->treatment.topical.duration_h = 6.0;
    p->treatment.topical.concentration_mg_ml = 10.0;
  }
  p->device.needle_length_mm = topical ? 0.5 : 1.0;
  p->schedule.sessions = topical ? 2 : 1;
  p->schedule.interval_days = 1.0;
  p->schedule.follow_up_days = topical ? 3.0 : 1.0;
  p->grid.resolution_um = 50.0;
  p->grid.window_mm[0] = p->grid.window_mm[1] = 1.0;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL) {
    return -1;
  }
  snprintf(f->dir, sizeof f->dir, "/tmp/mnlab_report_XXXXXX");
  if (mkdtemp(f->dir) == NULL) {
    free(f);
    return -1;
  }
  tiny(&f->p, 1);
  tiny(&f->q, 0);
  tiny(&f->x, 1);
  f->x.subject.species = MN_SPECIES_PIG;
  snprintf(f->x.subject.site, sizeof f->x.subject.site, "ear");
  f->x.subject.ex_vivo = true;
  f->x.schedule.sessions = 1;
  f->x.schedule.follow_up_days = 0.25; /* six hours in the diffusion cell */
  mn_course_options o;
  mn_course_options_default(&o);
  o.nthreads = 1; /* a run this small gains nothing from threads */
  char err[512] = "";
  if (mn_course_run(&f->p, &o, &f->r, err, sizeof err) != 0 ||
      mn_course_run(&f->q, &o, &f->s, err, sizeof err) != 0 ||
      mn_course_run(&f->x, &o, &f->e, err, sizeof err) != 0) {
    fprintf(stderr, "course: %s\n", err);
    free(f);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  int rc = system(cmd);
  mn_course_result_free(&f->r);
  mn_course_result_free(&f->s);
  mn_course_result_free(&f->e);
  free(f);
  return rc == 0 ? 0 : -1;
}

/* --- file checks ---------------------------------------------------------- */

static char *slurp(const char *path, size_t *n) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) {
    return NULL;
  }
  fseek(fp, 0, SEEK_END);
  long len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *b = malloc((size_t)len + 1);
  size_t got = b ? fread(b, 1, (size_t)len, fp) : 0;
  fclose(fp);
  if (b == NULL || got != (size_t)len) {
    free(b);
    return NULL;
  }
  b[len] = '\0';
  if (n != NULL) {
    *n = (size_t)len;
  }
  return b;
}

static unsigned be32(const unsigned char *p) {
  return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* PNG signature, then the IHDR chunk with the figure's size. */
static void check_png(const char *path) {
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  size_t n = 0;
  unsigned char *b = (unsigned char *)slurp(path, &n);
  assert_non_null(b);
  assert_true(n > 33);
  assert_memory_equal(b, sig, 8);
  assert_memory_equal(b + 12, "IHDR", 4);
  assert_int_equal(be32(b + 16), MN_PLOT_WIDTH);
  assert_int_equal(be32(b + 20), MN_PLOT_HEIGHT);
  free(b);
}

/* Well-formed XML as far as elements go: every tag closed in order, the
 * root is <svg>, quoted attributes, comments and declarations skipped. */
static int xml_well_formed(const char *s) {
  enum { DEPTH = 64, NAME = 32 };
  char stack[DEPTH][NAME];
  int depth = 0, roots = 0;
  const char *p = s;
  while ((p = strchr(p, '<')) != NULL) {
    if (strncmp(p, "<!--", 4) == 0) {
      p = strstr(p, "-->");
      if (p == NULL) {
        return 0;
      }
      continue;
    }
    if (p[1] == '?' || p[1] == '!') {
      p = strchr(p, '>');
      if (p == NULL) {
        return 0;
      }
      continue;
    }
    int closing = p[1] == '/';
    const char *q = p + 1 + closing;
    size_t len = strcspn(q, " \t\r\n/>");
    if (len == 0 || len >= NAME) {
      return 0;
    }
    char name[NAME];
    memcpy(name, q, len);
    name[len] = '\0';
    q += len;
    char quote = 0; /* find the tag's end outside quoted attribute values */
    for (; *q != '\0' && (quote || *q != '>'); q++) {
      if (quote && *q == quote) {
        quote = 0;
      } else if (!quote && (*q == '"' || *q == '\'')) {
        quote = *q;
      }
    }
    if (*q != '>') {
      return 0;
    }
    int empty = q[-1] == '/';
    if (closing) {
      if (depth == 0 || strcmp(stack[depth - 1], name) != 0) {
        return 0;
      }
      depth--;
    } else if (!empty) {
      if (depth == 0) {
        roots++;
        if (strcmp(name, "svg") != 0) {
          return 0;
        }
      }
      if (depth == DEPTH) {
        return 0;
      }
      snprintf(stack[depth++], NAME, "%s", name);
    }
    p = q + 1;
  }
  return depth == 0 && roots == 1;
}

/* The character data of the document with numeric character references
 * decoded to UTF-8 (PLplot's SVG device writes text that way). */
static char *svg_text(const char *s) {
  size_t n = strlen(s);
  char *out = malloc(n + 1), *o = out;
  assert_non_null(out);
  int in_tag = 0;
  for (const char *p = s; *p != '\0'; p++) {
    if (*p == '<') {
      in_tag = 1;
    } else if (*p == '>') {
      in_tag = 0;
    } else if (!in_tag && p[0] == '&' && p[1] == '#') {
      int hex = p[2] == 'x';
      char *end = NULL;
      unsigned long c = strtoul(p + 2 + hex, &end, hex ? 16 : 10);
      if (end != NULL && *end == ';') {
        if (c < 0x80) {
          *o++ = (char)c;
        } else if (c < 0x800) {
          *o++ = (char)(0xC0 | (c >> 6));
          *o++ = (char)(0x80 | (c & 0x3F));
        } else {
          *o++ = (char)(0xE0 | (c >> 12));
          *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
          *o++ = (char)(0x80 | (c & 0x3F));
        }
        p = end;
      }
    } else if (!in_tag && *p != '\n' && *p != '\r') {
      *o++ = *p;
    }
  }
  *o = '\0';
  return out;
}

static void check_svg(const char *path, const char *const *labels) {
  char *s = slurp(path, NULL);
  assert_non_null(s);
  assert_true(xml_well_formed(s));
  char *t = svg_text(s);
  for (; *labels != NULL; labels++) {
    if (strstr(t, *labels) == NULL) {
      fail_msg("%s: no text '%s'", path, *labels);
    }
  }
  free(t);
  free(s);
}

static int exists(const char *dir, const char *name) {
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0 && st.st_size > 0;
}

static void check_figure(const char *dir, const char *name, const char *const *labels) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s.png", dir, name);
  check_png(path);
  snprintf(path, sizeof path, "%s/%s.svg", dir, name);
  check_svg(path, labels);
}

/* No temporaries left beside the outputs. */
static void no_temporaries(const char *dir) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "ls '%s' | grep -q '\\.tmp\\.'", dir);
  assert_int_not_equal(system(cmd), 0);
}

/* --- tests ------------------------------------------------------------------ */

/* Writes the report of (p, r) into a fresh subdirectory `name` of the
 * fixture's directory (its path into dir) and returns the page's text. */
static char *report_in(const fixture *f, const char *name, const mn_protocol *p,
                       const mn_course_result *r, char *dir, size_t dirlen) {
  char err[512] = "", path[256];
  snprintf(dir, dirlen, "%s/%s", f->dir, name);
  assert_int_equal(mkdir(dir, 0777), 0);
  int rc = mn_report_write(dir, p, r, err, sizeof err);
  if (rc != 0) {
    fail_msg("mn_report_write: %s", err);
  }
  snprintf(path, sizeof path, "%s/report.html", dir);
  char *html = slurp(path, NULL);
  assert_non_null(html);
  return html;
}

static void report_has_every_figure(void **state) {
  fixture *f = *state;
  char dir[128];
  char *html = report_in(f, "topical", &f->p, &f->r, dir, sizeof dir);
  const char *density[] = {"x (mm)", "y (mm)", "punctures per cm\u00b2", NULL};
  const char *hist[] = {"open channel depth (\u00b5m)", "punctures", NULL};
  const char *tewl[] = {"time after the session (h)", "TEWL (g/m\u00b2/h)", "session 1 (day 0)",
                        "session 2 (day 1)", NULL};
  const char *ery[] = {"erythema index (0-1)", NULL};
  const char *flux[] = {"flux (\u00b5g/cm\u00b2/h)", NULL};
  const char *cum[] = {"cumulative delivery (\u00b5g/cm\u00b2)", NULL};
  const char *growth[] = {"time (days from session 1)", "TGF-beta growth factors", "sessions",
                          NULL};
  const char *cells[] = {"relative to normal tissue", "fibroblasts", "elastin", NULL};
  const char *coll[] = {"collagen (mg/cm\u00b3)", "collagen I", "collagen III", NULL};
  const char *prof[] = {"depth below the skin surface (\u00b5m)", "collagen (mg/cm\u00b3)", NULL};
  const char *profc[] = {"depth below the skin surface (\u00b5m)", "relative to normal tissue",
                         NULL};
  check_figure(dir, "fig-density", density);
  check_figure(dir, "fig-depth-hist", hist);
  check_figure(dir, "fig-tewl", tewl);
  check_figure(dir, "fig-erythema", ery);
  check_figure(dir, "fig-flux", flux);
  check_figure(dir, "fig-cumulative", cum);
  check_figure(dir, "fig-growth", growth);
  check_figure(dir, "fig-cells", cells);
  check_figure(dir, "fig-collagen", coll);
  check_figure(dir, "fig-profile", prof);
  check_figure(dir, "fig-profile-cells", profc);
  no_temporaries(dir);

  /* the page names the protocol (escaped), shows it and every figure */
  assert_non_null(strstr(html, "tiny &lt;report&gt; test, caffeine"));
  assert_non_null(strstr(html, "treatment.topical.compound"));
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "http"));
  const char *figs[] = {"fig-density",  "fig-depth-hist", "fig-tewl",         "fig-erythema",
                        "fig-flux",     "fig-cumulative", "fig-growth",       "fig-cells",
                        "fig-collagen", "fig-profile",    "fig-profile-cells"};
  for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
    char img[128];
    snprintf(img, sizeof img, "<img src=\"%s.png\"", figs[i]);
    assert_non_null(strstr(html, img));
  }
  /* every image the page shows is a file beside it */
  for (const char *p = html; (p = strstr(p, "src=\"")) != NULL;) {
    p += 5;
    char name[128];
    size_t len = strcspn(p, "\"");
    assert_true(len < sizeof name);
    memcpy(name, p, len);
    name[len] = '\0';
    assert_true(exists(dir, name));
  }
  /* key figures carry the run's values (4 significant digits) */
  char row[256];
  snprintf(row, sizeof row, "<td>puncture density</td><td class=\"num\">%.4g</td>",
           f->r.sessions[0].punctures.per_cm2);
  assert_non_null(strstr(html, row));
  snprintf(row, sizeof row, "<td>enhancement</td><td class=\"num\">%.4g</td>",
           f->r.sessions[0].acute.enhancement);
  assert_non_null(strstr(html, row));
  snprintf(row, sizeof row, "<td>collagen total</td><td class=\"num\">%.4g</td>",
           f->r.healing.collagen_total_change_pct);
  assert_non_null(strstr(html, row));
  /* one row per session */
  snprintf(row, sizeof row, "<tr><td>2</td><td class=\"num\">1</td><td class=\"num\">%.4g</td>",
           f->r.sessions[1].punctures.per_cm2);
  assert_non_null(strstr(html, row));
  free(html);
}

static void report_without_topical_says_so(void **state) {
  fixture *f = *state;
  char dir[128];
  char *html = report_in(f, "plain", &f->q, &f->s, dir, sizeof dir);
  assert_false(exists(dir, "fig-flux.png"));
  assert_false(exists(dir, "fig-cumulative.svg"));
  assert_true(exists(dir, "fig-tewl.png"));
  assert_non_null(strstr(html, "the protocol applies no topical compound"));
  assert_null(strstr(html, "<td>enhancement</td>"));
  free(html);
}

static void report_ex_vivo_has_no_healing(void **state) {
  fixture *f = *state;
  char dir[128];
  char *html = report_in(f, "exvivo", &f->x, &f->e, dir, sizeof dir);
  assert_true(exists(dir, "fig-flux.png"));
  assert_true(exists(dir, "fig-density.svg"));
  assert_false(exists(dir, "fig-collagen.png"));
  assert_false(exists(dir, "fig-profile.svg"));
  assert_non_null(strstr(html, "excised skin (ex vivo) does not heal"));
  assert_null(strstr(html, "<td>collagen total</td>"));
  assert_null(strstr(html, "<img src=\"fig-growth.png\""));
  free(html);
}

static void compare_overlays_both_runs(void **state) {
  fixture *f = *state;
  char dir[128], err[512] = "";
  snprintf(dir, sizeof dir, "%s/compare", f->dir);
  assert_int_equal(mkdir(dir, 0777), 0);
  int rc = mn_report_compare_write(dir, "with caffeine", &f->p, &f->r, "plain #2", &f->q, &f->s,
                                   err, sizeof err);
  if (rc != 0) {
    fail_msg("mn_report_compare_write: %s", err);
  }
  const char *tewl[] = {"with caffeine", "plain #2", "TEWL (g/m\u00b2/h)", NULL};
  const char *flux[] = {"with caffeine", NULL};
  const char *coll[] = {"with caffeine: collagen I", "plain #2: collagen III", NULL};
  check_figure(dir, "cmp-tewl", tewl);
  const char *ery[] = {"with caffeine", "plain #2", "erythema index (0-1)", NULL};
  check_figure(dir, "cmp-erythema", ery);
  check_figure(dir, "cmp-flux", flux);
  check_figure(dir, "cmp-cumulative", flux);
  check_figure(dir, "cmp-collagen", coll);
  const char *cells[] = {"with caffeine: fibroblasts", "plain #2: elastin", NULL};
  const char *growth[] = {"with caffeine: growth factors", "plain #2: inflammation", "sessions",
                          NULL};
  check_figure(dir, "cmp-cells", cells);
  check_figure(dir, "cmp-growth", growth);
  check_figure(dir, "cmp-profile", coll);
  no_temporaries(dir);
  char path[256];
  snprintf(path, sizeof path, "%s/compare.html", dir);
  char *html = slurp(path, NULL);
  assert_non_null(html);
  /* the needle lengths differ: highlighted */
  assert_non_null(strstr(html, "<tr class=\"diff\"><td>device.needle_length_mm</td><td>0.5</td>"
                               "<td>1</td></tr>"));
  free(html);
}

static void plot_refuses_what_it_cannot_draw(void **state) {
  fixture *f = *state;
  char base[128], err[256] = "";
  snprintf(base, sizeof base, "%s/empty", f->dir);
  double x[2] = {NAN, 1.0}, y[2] = {1.0, NAN};
  mn_plot_series s = {"nothing", x, y, 2, 0, 0};
  mn_plot_lines d = {"t", "x", "y", &s, 1, NULL, 0, NULL, 0};
  assert_int_equal(mn_plot_lines_write(base, &d, err, sizeof err), MN_PLOT_EINVAL);
  assert_non_null(strstr(err, "no finite points"));
  snprintf(base, sizeof base, "%s/no-such-dir/fig", f->dir);
  double ok[2] = {0.0, 1.0};
  mn_plot_series s2 = {"line", ok, ok, 2, 0, 0};
  d.series = &s2;
  assert_int_equal(mn_plot_lines_write(base, &d, err, sizeof err), MN_PLOT_EIO);
  assert_non_null(strstr(err, "cannot create"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(report_has_every_figure),
      cmocka_unit_test(report_without_topical_says_so),
      cmocka_unit_test(report_ex_vivo_has_no_healing),
      cmocka_unit_test(compare_overlays_both_runs),
      cmocka_unit_test(plot_refuses_what_it_cannot_draw),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
