/*
 * The report pages: report.html for one run, compare.html for two. Plain
 * HTML with inline CSS and no scripts, images by relative path (the PNG,
 * with a link to the SVG beside it), so the directory can be opened or
 * moved anywhere without a network. Sections follow the pipeline: protocol,
 * punctures, acute phase, topical, healing.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/atomic.h"
#include "report/plot.h"
#include "report/report_impl.h"

#ifndef MN_VERSION
#define MN_VERSION "unknown"
#endif

enum { ROWS_MAX = 64, KEY_LEN = 96, VALUE_LEN = 160 };

static const char *const stage_title[MN_REPORT_NSTAGES] = {
    "Punctures (device stage, session 1)", "Acute phase: barrier and erythema", "Topical delivery",
    "Healing over the course"};

static const char *const css =
    "body{font-family:'DejaVu Sans',sans-serif;max-width:980px;margin:2em auto;padding:0 1em;"
    "color:#222;line-height:1.4}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;"
    "margin-top:1.8em}"
    "table{border-collapse:collapse;margin:.6em 0;font-size:.92em}"
    "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}td.num{text-align:right;white-space:nowrap}"
    "tr.diff td{background:#fff6dc}"
    "figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}"
    "figcaption{font-size:.9em;color:#444}p.omitted{color:#7a4b00;font-style:italic}"
    ".meta{color:#555}";

static void put_escaped(FILE *f, const char *s) {
  for (; s != NULL && *s != '\0'; s++) {
    switch (*s) {
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '&':
      fputs("&amp;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

static void head(FILE *f, const char *title) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
  put_escaped(f, title);
  fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

/* --- the protocol as key/value rows ------------------------------------ */

typedef struct {
  char key[ROWS_MAX][KEY_LEN];
  char value[ROWS_MAX][VALUE_LEN];
  int n;
} rows;

static void scalar_text(const json_t *v, char *buf, size_t n) {
  if (json_is_string(v)) {
    snprintf(buf, n, "%s", json_string_value(v));
  } else if (json_is_integer(v)) {
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
  } else if (json_is_real(v)) {
    snprintf(buf, n, "%g", json_real_value(v));
  } else if (json_is_true(v)) {
    snprintf(buf, n, "yes");
  } else if (json_is_false(v)) {
    snprintf(buf, n, "no");
  } else if (json_is_array(v)) {
    size_t k = 0, i;
    json_t *e;
    buf[0] = '\0';
    json_array_foreach(v, i, e) {
      char one[VALUE_LEN];
      scalar_text(e, one, sizeof one);
      k += (size_t)snprintf(buf + k, k < n ? n - k : 0, "%s%s", i ? " x " : "", one);
      if (k >= n) {
        break;
      }
    }
  } else {
    snprintf(buf, n, "none");
  }
}

static void flatten(const json_t *o, const char *prefix, rows *r) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)o, key, v) {
    char path[KEY_LEN];
    snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
    if (json_is_object(v)) {
      flatten(v, path, r);
    } else if (r->n < ROWS_MAX) {
      snprintf(r->key[r->n], KEY_LEN, "%s", path);
      scalar_text(v, r->value[r->n], VALUE_LEN);
      r->n++;
    }
  }
}

static int protocol_rows(const mn_protocol *p, rows *r) {
  memset(r, 0, sizeof *r);
  json_t *o = NULL;
  if (mn_protocol_write_json(p, &o) != 0 || o == NULL) {
    return -1;
  }
  flatten(o, "", r);
  json_decref(o);
  return 0;
}

static const char *lookup(const rows *r, const char *key) {
  for (int i = 0; i < r->n; i++) {
    if (strcmp(r->key[i], key) == 0) {
      return r->value[i];
    }
  }
  return "";
}

/* --- pieces ------------------------------------------------------------- */

static void number(FILE *f, double v) {
  if (isfinite(v)) {
    fprintf(f, "<td class=\"num\">%.4g</td>", v);
  } else {
    fputs("<td class=\"num\">not reached in the run</td>", f);
  }
}

static void figures_of(FILE *f, const mn_report_figures *fg, mn_report_stage stage) {
  for (int i = 0; i < fg->n; i++) {
    const mn_report_figure *g = &fg->fig[i];
    if (g->stage != stage) {
      continue;
    }
    if (!g->drawn) {
      fputs("<p class=\"omitted\">", f);
      put_escaped(f, g->caption);
      fputs("</p>\n", f);
      continue;
    }
    fprintf(f, "<figure id=\"%s\"><img src=\"%s.png\" width=\"%d\" height=\"%d\" alt=\"", g->name,
            g->name, MN_PLOT_WIDTH, MN_PLOT_HEIGHT);
    put_escaped(f, g->caption);
    fputs("\">\n<figcaption>", f);
    put_escaped(f, g->caption);
    fprintf(f, " <a href=\"%s.svg\">SVG</a></figcaption></figure>\n", g->name);
  }
}

static int finish(mn_atomic_file *a, FILE *f, char *err, size_t errlen) {
  fputs("</body>\n</html>\n", f);
  if (ferror(f)) {
    mn_atomic_abort(a);
    snprintf(err, errlen, "report: cannot write the page");
    return MN_REPORT_EIO;
  }
  return mn_atomic_commit(a, err, errlen) == 0 ? MN_REPORT_OK : MN_REPORT_EIO;
}

/* --- report.html -------------------------------------------------------- */

/* Each session's own figures (summary.json "sessions"). */
static void sessions_table(FILE *f, const mn_course_result *r) {
  fputs("<h2>Sessions</h2>\n<table>\n<tr><th>session</th><th>day</th>"
        "<th>punctures per cm\u00b2</th><th>TEWL recovery (h)</th>"
        "<th>erythema duration (h)</th></tr>\n",
        f);
  for (int i = 0; i < r->nsessions; i++) {
    const mn_course_session *s = &r->sessions[i];
    fprintf(f, "<tr><td>%d</td>", i + 1);
    number(f, s->day);
    number(f, s->punctures.per_cm2);
    number(f, s->acute.tewl_recovery_h < 0.0 ? NAN : s->acute.tewl_recovery_h);
    number(f, s->acute.erythema_duration_h < 0.0 ? NAN : s->acute.erythema_duration_h);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n<p class=\"meta\">TEWL recovery: first time after the peak within 10 % of "
        "the baseline; erythema duration: time with the erythema index above 0.2 (hours after "
        "the session).</p>\n",
        f);
}

int mn_report_html_run(const char *path, const mn_protocol *p, const mn_course_result *r,
                       const mn_report_figures *fg, char *err, size_t errlen) {
  rows pr;
  mn_report_key keys[MN_REPORT_KEYS_MAX];
  int nk = mn_report_keys(p, r, keys, MN_REPORT_KEYS_MAX);
  if (protocol_rows(p, &pr) != 0) {
    snprintf(err, errlen, "report: out of memory");
    return MN_REPORT_ENOMEM;
  }
  mn_atomic_file a;
  if (mn_atomic_open(&a, path, err, errlen) != 0) {
    return MN_REPORT_EIO;
  }
  FILE *f = a.f;
  char title[MN_PROTOCOL_NAME_MAX + 32];
  snprintf(title, sizeof title, "mnlab report: %s", p->name);
  head(f, title);
  fputs("<h1>", f);
  put_escaped(f, p->name);
  fprintf(f,
          "</h1>\n<p class=\"meta\">mnlab %s. %d session%s; acute phase simulated for %.0f h "
          "after each; %s. Numbers as in summary.json, curves as in timeseries.csv.</p>\n",
          MN_VERSION, r->nsessions, r->nsessions == 1 ? "" : "s", r->acute_hours,
          r->has_healing ? "healing followed over the course"
                         : "excised skin (ex vivo): no healing stage");
  fputs("<h2>Protocol</h2>\n<table>\n<tr><th>setting</th><th>value</th></tr>\n", f);
  for (int i = 0; i < pr.n; i++) {
    fputs("<tr><td>", f);
    put_escaped(f, pr.key[i]);
    fputs("</td><td>", f);
    put_escaped(f, pr.value[i]);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
  sessions_table(f, r);
  for (int s = 0; s < MN_REPORT_NSTAGES; s++) {
    fprintf(f, "<h2>%s</h2>\n", stage_title[s]);
    int any = 0;
    for (int i = 0; i < nk; i++) {
      if (keys[i].stage != (mn_report_stage)s) {
        continue;
      }
      if (!any) {
        fputs("<table>\n<tr><th>key figure</th><th>value</th><th>unit</th><th>definition</th>"
              "</tr>\n",
              f);
        any = 1;
      }
      fputs("<tr><td>", f);
      put_escaped(f, keys[i].name);
      fputs("</td>", f);
      number(f, keys[i].value);
      fputs("<td>", f);
      put_escaped(f, keys[i].unit);
      fputs("</td><td>", f);
      put_escaped(f, keys[i].definition);
      fputs("</td></tr>\n", f);
    }
    if (any) {
      fputs("</table>\n", f);
    }
    figures_of(f, fg, (mn_report_stage)s);
  }
  return finish(&a, f, err, errlen);
}

/* --- compare.html ------------------------------------------------------- */

static void key_cell(FILE *f, const mn_report_key *k, int n, const char *name) {
  for (int i = 0; i < n; i++) {
    if (strcmp(k[i].name, name) == 0) {
      number(f, k[i].value);
      return;
    }
  }
  fputs("<td class=\"num\">-</td>", f);
}

int mn_report_html_compare(const char *path, const char *la, const mn_protocol *pa,
                           const mn_course_result *ra, const char *lb, const mn_protocol *pb,
                           const mn_course_result *rb, const mn_report_figures *fg, char *err,
                           size_t errlen) {
  rows A, B;
  mn_report_key ka[MN_REPORT_KEYS_MAX], kb[MN_REPORT_KEYS_MAX];
  int na = mn_report_keys(pa, ra, ka, MN_REPORT_KEYS_MAX);
  int nb = mn_report_keys(pb, rb, kb, MN_REPORT_KEYS_MAX);
  if (protocol_rows(pa, &A) != 0 || protocol_rows(pb, &B) != 0) {
    snprintf(err, errlen, "report: out of memory");
    return MN_REPORT_ENOMEM;
  }
  mn_atomic_file a;
  if (mn_atomic_open(&a, path, err, errlen) != 0) {
    return MN_REPORT_EIO;
  }
  FILE *f = a.f;
  head(f, "mnlab comparison");
  fputs("<h1>Comparison: ", f);
  put_escaped(f, la);
  fputs(" and ", f);
  put_escaped(f, lb);
  fprintf(f, "</h1>\n<p class=\"meta\">mnlab %s. A: ", MN_VERSION);
  put_escaped(f, la);
  fprintf(f, " (%d session%s); B: ", ra->nsessions, ra->nsessions == 1 ? "" : "s");
  put_escaped(f, lb);
  fprintf(f, " (%d session%s). Settings that differ are highlighted.</p>\n", rb->nsessions,
          rb->nsessions == 1 ? "" : "s");
  fputs("<h2>Protocols</h2>\n<table>\n<tr><th>setting</th><th>A: ", f);
  put_escaped(f, la);
  fputs("</th><th>B: ", f);
  put_escaped(f, lb);
  fputs("</th></tr>\n", f);
  for (int i = 0; i < A.n + B.n; i++) {
    const char *key = i < A.n ? A.key[i] : B.key[i - A.n];
    if (i >= A.n && lookup(&A, key)[0] != '\0') {
      continue; /* already shown with A */
    }
    const char *va = lookup(&A, key), *vb = lookup(&B, key);
    fprintf(f, "<tr%s><td>", strcmp(va, vb) != 0 ? " class=\"diff\"" : "");
    put_escaped(f, key);
    fputs("</td><td>", f);
    put_escaped(f, va);
    fputs("</td><td>", f);
    put_escaped(f, vb);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
  for (int s = 0; s < MN_REPORT_NSTAGES; s++) {
    fprintf(f, "<h2>%s</h2>\n", stage_title[s]);
    int any = 0;
    for (int i = 0; i < na + nb; i++) {
      const mn_report_key *k = i < na ? &ka[i] : &kb[i - na];
      if (k->stage != (mn_report_stage)s) {
        continue;
      }
      int seen = 0;
      for (int j = 0; i >= na && j < na; j++) {
        seen |= strcmp(ka[j].name, k->name) == 0;
      }
      if (seen) {
        continue;
      }
      if (!any) {
        fputs("<table>\n<tr><th>key figure</th><th>unit</th><th>A</th><th>B</th>"
              "<th>definition</th></tr>\n",
              f);
        any = 1;
      }
      fputs("<tr><td>", f);
      put_escaped(f, k->name);
      fputs("</td><td>", f);
      put_escaped(f, k->unit);
      fputs("</td>", f);
      key_cell(f, ka, na, k->name);
      key_cell(f, kb, nb, k->name);
      fputs("<td>", f);
      put_escaped(f, k->definition);
      fputs("</td></tr>\n", f);
    }
    if (any) {
      fputs("</table>\n", f);
    }
    figures_of(f, fg, (mn_report_stage)s);
  }
  return finish(&a, f, err, errlen);
}
