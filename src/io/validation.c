/*
 * Validation case reader; see validation.h. The file is one flat YAML
 * mapping: scalars, and a two-number flow sequence for `accept`. The metric
 * is evaluated here too, so its small expression syntax has one reader.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/validation.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int parse_number(const char *s, double *v) {
  char *end = NULL;
  errno = 0;
  *v = strtod(s, &end);
  return errno == 0 && end != s && *end == '\0';
}

static int copy_text(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) {
    return 0;
  }
  memcpy(dst, src, n + 1);
  return 1;
}

/* The number at a dotted path of a JSON object; NAN when absent or null. */
static double at_path(json_t *o, const char *path, size_t len) {
  char buf[128];
  if (len == 0 || len >= sizeof buf) {
    return NAN;
  }
  memcpy(buf, path, len);
  buf[len] = '\0';
  json_t *cur = o;
  for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok != NULL && cur != NULL;
       tok = strtok_r(NULL, ".", &save)) {
    cur = json_object_get(cur, tok);
  }
  return json_is_number(cur) ? json_number_value(cur) : NAN;
}

static const char *skip_space(const char *s) {
  while (*s == ' ') {
    s++;
  }
  return s;
}

/* Evaluates the metric; with summary NULL only checks its form (returns 0
 * or NAN). */
static double metric_eval(json_t *summary, const char *m) {
  double sum = 0.0;
  const char *s = skip_space(m);
  for (;;) {
    const char *p0 = s;
    while (*s != '\0' && (isalnum((unsigned char)*s) || *s == '_' || *s == '.')) {
      s++;
    }
    size_t len = (size_t)(s - p0);
    if (len == 0) {
      return NAN;
    }
    double term = summary ? at_path(summary, p0, len) : 0.0;
    s = skip_space(s);
    if (*s == '*' || *s == '/') {
      char op = *s;
      char *end = NULL;
      errno = 0;
      double k = strtod(skip_space(s + 1), &end);
      if (errno != 0 || end == skip_space(s + 1) || (op == '/' && k == 0.0)) {
        return NAN;
      }
      term = op == '*' ? term * k : term / k;
      s = skip_space(end);
    }
    sum += term;
    if (*s == '\0') {
      return sum;
    }
    if (*s != '+') {
      return NAN;
    }
    s = skip_space(s + 1);
  }
}

double mn_validation_metric_value(struct json_t *summary, const char *metric) {
  return summary ? metric_eval(summary, metric) : NAN;
}

int mn_validation_metric_ok(const char *metric) {
  return !isnan(metric_eval(NULL, metric));
}

enum {
  K_CASE = 1,
  K_PROTOCOL = 2,
  K_METRIC = 4,
  K_MEASURED = 8,
  K_ACCEPT = 16,
  K_TOL = 32,
  K_SOURCE = 64,
  K_ROLE = 128,
  K_ALL = 255
};

int mn_validation_case_load(mn_validation_case *c, const char *path, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  if (!copy_text(c->file, sizeof c->file, path)) {
    snprintf(err, errlen, "%s: path too long", path);
    return MN_VALIDATION_EIO;
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return MN_VALIDATION_EIO;
  }
  yaml_parser_t ps;
  yaml_parser_initialize(&ps);
  yaml_parser_set_input_file(&ps, f);
  int rc = MN_VALIDATION_OK, depth = 0, seen = 0, in_accept = 0, accept_n = 0;
  char key[64] = "";
  int have_key = 0;
  for (int done = 0; !done && rc == 0;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&ps, &ev)) {
      snprintf(err, errlen, "%s:%zu:%zu: %s", path, ps.problem_mark.line + 1,
               ps.problem_mark.column + 1, ps.problem ? ps.problem : "YAML syntax error");
      rc = MN_VALIDATION_ESCHEMA;
      break;
    }
    size_t line = ev.start_mark.line + 1;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
      done = 1;
      break;
    case YAML_MAPPING_START_EVENT:
      if (++depth > 1) {
        snprintf(err, errlen, "%s:%zu: %s: a nested mapping is not expected", path, line, key);
        rc = MN_VALIDATION_ESCHEMA;
      }
      break;
    case YAML_MAPPING_END_EVENT:
      depth--;
      break;
    case YAML_SEQUENCE_START_EVENT:
      if (!have_key || strcmp(key, "accept") != 0 || in_accept) {
        snprintf(err, errlen, "%s:%zu: %s: a list is expected only for accept", path, line,
                 have_key ? key : "(top level)");
        rc = MN_VALIDATION_ESCHEMA;
      }
      in_accept = 1;
      accept_n = 0;
      break;
    case YAML_SEQUENCE_END_EVENT:
      if (accept_n != 2) {
        snprintf(err, errlen, "%s:%zu: accept: expected [low, high]", path, line);
        rc = MN_VALIDATION_ESCHEMA;
      }
      in_accept = 0;
      have_key = 0;
      seen |= K_ACCEPT;
      break;
    case YAML_SCALAR_EVENT: {
      const char *v = (const char *)ev.data.scalar.value;
      if (in_accept) {
        double x;
        if (accept_n >= 2 || !parse_number(v, &x)) {
          snprintf(err, errlen, "%s:%zu: accept: expected two numbers [low, high]", path, line);
          rc = MN_VALIDATION_ESCHEMA;
        } else if (accept_n++ == 0) {
          c->accept_lo = x;
        } else {
          c->accept_hi = x;
        }
      } else if (!have_key) {
        if (!copy_text(key, sizeof key, v)) {
          snprintf(err, errlen, "%s:%zu: key too long", path, line);
          rc = MN_VALIDATION_ESCHEMA;
        }
        have_key = 1;
      } else {
        int ok = 1, bit = 0;
        if (strcmp(key, "case") == 0) {
          ok = copy_text(c->name, sizeof c->name, v), bit = K_CASE;
        } else if (strcmp(key, "protocol") == 0) {
          ok = copy_text(c->protocol, sizeof c->protocol, v), bit = K_PROTOCOL;
        } else if (strcmp(key, "metric") == 0) {
          ok = copy_text(c->metric, sizeof c->metric, v), bit = K_METRIC;
        } else if (strcmp(key, "measured") == 0) {
          ok = parse_number(v, &c->measured), bit = K_MEASURED;
        } else if (strcmp(key, "tolerance") == 0) {
          ok = copy_text(c->tolerance, sizeof c->tolerance, v), bit = K_TOL;
        } else if (strcmp(key, "source") == 0) {
          ok = copy_text(c->source, sizeof c->source, v), bit = K_SOURCE;
        } else if (strcmp(key, "role") == 0) {
          ok = strcmp(v, "calibration") == 0 || strcmp(v, "check") == 0, bit = K_ROLE;
          c->calibration = strcmp(v, "calibration") == 0;
        } else {
          snprintf(err, errlen,
                   "%s:%zu: %s: unknown key (case, protocol, metric, measured, accept, "
                   "tolerance, source, role)",
                   path, line, key);
          rc = MN_VALIDATION_ESCHEMA;
        }
        if (rc == 0 && !ok) {
          snprintf(err, errlen, "%s:%zu: %s: '%s' is not valid here%s", path, line, key, v,
                   bit == K_ROLE ? " (calibration or check)" : "");
          rc = MN_VALIDATION_ESCHEMA;
        }
        if (rc == 0 && (seen & bit)) {
          snprintf(err, errlen, "%s:%zu: %s: given twice", path, line, key);
          rc = MN_VALIDATION_ESCHEMA;
        }
        seen |= bit;
        have_key = 0;
      }
      break;
    }
    default:
      break;
    }
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&ps);
  fclose(f);
  if (rc == 0 && seen != K_ALL) {
    const char *names[] = {"case",   "protocol",  "metric", "measured",
                           "accept", "tolerance", "source", "role"};
    for (int i = 0; i < 8; i++) {
      if (!(seen & (1 << i))) {
        snprintf(err, errlen, "%s: %s: missing", path, names[i]);
        break;
      }
    }
    rc = MN_VALIDATION_ESCHEMA;
  }
  if (rc == 0 && !mn_validation_metric_ok(c->metric)) {
    snprintf(err, errlen,
             "%s: metric: '%s' is not a dotted path or a sum of PATH, PATH * NUMBER, "
             "PATH / NUMBER terms",
             path, c->metric);
    rc = MN_VALIDATION_ESCHEMA;
  }
  if (rc == 0 && !(c->accept_lo <= c->accept_hi)) {
    snprintf(err, errlen, "%s: accept: low %g is above high %g", path, c->accept_lo, c->accept_hi);
    rc = MN_VALIDATION_ESCHEMA;
  }
  return rc;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int mn_validation_cases_load(const char *dir, mn_validation_case **cases, size_t *n, char *err,
                             size_t errlen) {
  *cases = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (d == NULL) {
    snprintf(err, errlen, "%s: %s", dir, strerror(errno));
    return MN_VALIDATION_EIO;
  }
  char *names[256] = {NULL};
  size_t k = 0;
  for (struct dirent *de = readdir(d); de != NULL && k < 256; de = readdir(d)) {
    size_t len = strlen(de->d_name);
    if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) {
      names[k] = malloc(strlen(dir) + len + 2);
      if (names[k] != NULL) {
        sprintf(names[k], "%s/%s", dir, de->d_name);
        k++;
      }
    }
  }
  closedir(d);
  qsort(names, k, sizeof names[0], cmp_names);
  int rc = 0;
  mn_validation_case *cs = calloc(k ? k : 1, sizeof *cs);
  if (cs == NULL) {
    snprintf(err, errlen, "out of memory");
    rc = MN_VALIDATION_EIO;
  }
  for (size_t i = 0; i < k && rc == 0; i++) {
    rc = mn_validation_case_load(&cs[i], names[i], err, errlen);
  }
  for (size_t i = 0; i < k; i++) {
    free(names[i]);
  }
  if (rc != 0) {
    free(cs);
    return rc;
  }
  *cases = cs;
  *n = k;
  return 0;
}
