/*
 * Parameter files (see params.h): a small recursive-descent reader over
 * LibYAML's event stream. Events rather than LibYAML's document tree because
 * the tree silently accepts duplicate mapping keys and, on a syntax error,
 * cannot tell which key was being read; the event reader keeps the last key
 * seen, so every error names a file, a line and a key.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/params.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct entry {
  mn_param pub;
  char *key;
  char *unit;
  char *source;
  char *estimate;
  char *file;
  double *values;
} entry;

struct mn_params {
  entry **items;
  size_t count;
  size_t cap;
};

/* ---- table storage ---------------------------------------------------- */

static void entry_free(entry *e) {
  if (e == NULL) {
    return;
  }
  free(e->key);
  free(e->unit);
  free(e->source);
  free(e->estimate);
  free(e->file);
  free(e->values);
  free(e);
}

static void entry_publish(entry *e) {
  e->pub.key = e->key;
  e->pub.unit = e->unit;
  e->pub.source = e->source;
  e->pub.estimate = e->estimate;
  e->pub.file = e->file;
  e->pub.values = e->values;
  e->pub.value = e->values != NULL ? e->values[0] : 0.0;
}

int mn_params_create(mn_params **out) {
  if (out == NULL) {
    return MN_PARAMS_EINVAL;
  }
  *out = calloc(1, sizeof **out);
  return *out == NULL ? MN_PARAMS_ENOMEM : MN_PARAMS_OK;
}

void mn_params_destroy(mn_params **t) {
  if (t == NULL || *t == NULL) {
    return;
  }
  for (size_t i = 0; i < (*t)->count; i++) {
    entry_free((*t)->items[i]);
  }
  free((*t)->items);
  free(*t);
  *t = NULL;
}

static const entry *table_find(const mn_params *t, const char *key) {
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->items[i]->key, key) == 0) {
      return t->items[i];
    }
  }
  return NULL;
}

const mn_param *mn_params_find(const mn_params *t, const char *key) {
  if (t == NULL || key == NULL) {
    return NULL;
  }
  const entry *e = table_find(t, key);
  return e != NULL ? &e->pub : NULL;
}

size_t mn_params_count(const mn_params *t) {
  return t != NULL ? t->count : 0;
}

const mn_param *mn_params_at(const mn_params *t, size_t i) {
  if (t == NULL || i >= t->count) {
    return NULL;
  }
  return &t->items[i]->pub;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

static const mn_param *lookup(const mn_params *t, const char *key, const char *unit, char *err,
                              size_t errlen, int *status) {
  if (t == NULL || key == NULL || unit == NULL) {
    set_err(err, errlen, "parameter lookup: missing table, key or unit");
    *status = MN_PARAMS_EINVAL;
    return NULL;
  }
  const mn_param *p = mn_params_find(t, key);
  if (p == NULL) {
    set_err(err, errlen, "%s: no such parameter in the loaded data files", key);
    *status = MN_PARAMS_ENOKEY;
    return NULL;
  }
  if (strcmp(p->unit, unit) != 0) {
    set_err(err, errlen, "%s:%d: %s: unit is '%s' but the model needs '%s'", p->file, p->line, key,
            p->unit, unit);
    *status = MN_PARAMS_EUNIT;
    return NULL;
  }
  *status = MN_PARAMS_OK;
  return p;
}

int mn_params_get(const mn_params *t, const char *key, const char *unit, double *value, char *err,
                  size_t errlen) {
  int status;
  const mn_param *p = lookup(t, key, unit, err, errlen, &status);
  if (p == NULL) {
    return status;
  }
  if (p->is_table) {
    set_err(err, errlen, "%s:%d: %s: is a table of %zu values, expected one value", p->file,
            p->line, key, p->count);
    return MN_PARAMS_ESHAPE;
  }
  if (value != NULL) {
    *value = p->value;
  }
  return MN_PARAMS_OK;
}

int mn_params_get_table(const mn_params *t, const char *key, const char *unit,
                        const double **values, size_t *count, char *err, size_t errlen) {
  int status;
  const mn_param *p = lookup(t, key, unit, err, errlen, &status);
  if (p == NULL) {
    return status;
  }
  if (!p->is_table) {
    set_err(err, errlen, "%s:%d: %s: is a single value, expected a table (a sequence)", p->file,
            p->line, key);
    return MN_PARAMS_ESHAPE;
  }
  if (values != NULL) {
    *values = p->values;
  }
  if (count != NULL) {
    *count = p->count;
  }
  return MN_PARAMS_OK;
}

/* ---- the reader ------------------------------------------------------- */

typedef struct loader {
  yaml_parser_t parser;
  const char *path;
  char *err;
  size_t errlen;
  char *group;
  int group_line;
  char last_key[128]; /* what was being read, for error messages */
  entry **pending;    /* this file's parameters, merged only on success */
  size_t npending;
  size_t cap;
} loader;

static void note_key(loader *ld, const char *name) {
  if (ld->group != NULL && name[0] != '\0') {
    snprintf(ld->last_key, sizeof ld->last_key, "%s.%s", ld->group, name);
  } else {
    snprintf(ld->last_key, sizeof ld->last_key, "%s", name);
  }
}

static int fail(loader *ld, int status, size_t line0, const char *fmt, ...) {
  if (ld->err != NULL && ld->errlen > 0) {
    int n = snprintf(ld->err, ld->errlen, "%s:%zu: %s: ", ld->path, line0 + 1,
                     ld->last_key[0] != '\0' ? ld->last_key : "(top level)");
    if (n >= 0 && (size_t)n < ld->errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return status;
}

/* Next event; aliases are refused (a parameter is written out where it is
 * used, so a reader of the file sees its source next to it). */
static int next(loader *ld, yaml_event_t *ev) {
  if (!yaml_parser_parse(&ld->parser, ev)) {
    const yaml_mark_t *m = &ld->parser.problem_mark;
    return fail(ld, MN_PARAMS_ESYNTAX, m->line, "YAML syntax error: %s%s%s",
                ld->parser.problem != NULL ? ld->parser.problem : "unreadable",
                ld->parser.context != NULL ? " " : "",
                ld->parser.context != NULL ? ld->parser.context : "");
  }
  if (ev->type == YAML_ALIAS_EVENT) {
    size_t line = ev->start_mark.line;
    yaml_event_delete(ev);
    return fail(ld, MN_PARAMS_ESCHEMA, line, "aliases are not allowed in parameter files");
  }
  return MN_PARAMS_OK;
}

static const char *event_name(yaml_event_type_t type) {
  switch (type) {
  case YAML_SCALAR_EVENT:
    return "a scalar";
  case YAML_SEQUENCE_START_EVENT:
    return "a sequence";
  case YAML_MAPPING_START_EVENT:
    return "a mapping";
  default:
    return "the end of a block";
  }
}

static char *dup_scalar(const yaml_event_t *ev) {
  return strdup((const char *)ev->data.scalar.value);
}

static int valid_name(const char *s) {
  if (s[0] == '\0') {
    return 0;
  }
  for (const char *c = s; *c != '\0'; c++) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) {
      return 0;
    }
  }
  return 1;
}

/* A number must be a plain (unquoted) scalar that parses completely to a
 * finite double: "5.0" in quotes is a string, not a number. */
static int scalar_number(loader *ld, const yaml_event_t *ev, double *out) {
  const char *s = (const char *)ev->data.scalar.value;
  if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
    return fail(ld, MN_PARAMS_ESCHEMA, ev->start_mark.line,
                "value must be a number, got the quoted string \"%s\"", s);
  }
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (s[0] == '\0' || end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) {
    return fail(ld, MN_PARAMS_ESCHEMA, ev->start_mark.line,
                "value must be a finite number, got '%s'", s);
  }
  *out = v;
  return MN_PARAMS_OK;
}

static int read_value(loader *ld, entry *e, const yaml_event_t *first) {
  if (first->type == YAML_SCALAR_EVENT) {
    e->values = malloc(sizeof *e->values);
    if (e->values == NULL) {
      return MN_PARAMS_ENOMEM;
    }
    e->pub.count = 1;
    return scalar_number(ld, first, &e->values[0]);
  }
  if (first->type != YAML_SEQUENCE_START_EVENT) {
    return fail(ld, MN_PARAMS_ESCHEMA, first->start_mark.line,
                "value must be a number or a sequence of numbers, got %s", event_name(first->type));
  }
  size_t cap = 0;
  e->pub.is_table = 1;
  for (;;) {
    yaml_event_t ev;
    int rc = next(ld, &ev);
    if (rc != 0) {
      return rc;
    }
    if (ev.type == YAML_SEQUENCE_END_EVENT) {
      size_t line = ev.start_mark.line;
      yaml_event_delete(&ev);
      if (e->pub.count == 0) {
        return fail(ld, MN_PARAMS_ESCHEMA, line, "value is an empty sequence");
      }
      return MN_PARAMS_OK;
    }
    if (ev.type != YAML_SCALAR_EVENT) {
      size_t line = ev.start_mark.line;
      yaml_event_type_t type = ev.type;
      yaml_event_delete(&ev);
      return fail(ld, MN_PARAMS_ESCHEMA, line, "table entries must be numbers, got %s",
                  event_name(type));
    }
    if (e->pub.count == cap) {
      cap = cap == 0 ? 8 : 2 * cap;
      double *grown = realloc(e->values, cap * sizeof *grown);
      if (grown == NULL) {
        yaml_event_delete(&ev);
        return MN_PARAMS_ENOMEM;
      }
      e->values = grown;
    }
    rc = scalar_number(ld, &ev, &e->values[e->pub.count]);
    yaml_event_delete(&ev);
    if (rc != 0) {
      return rc;
    }
    e->pub.count++;
  }
}

/* A string field (unit, source, estimate): any scalar style, not empty. */
static int read_text(loader *ld, const char *field, const yaml_event_t *ev, char **out) {
  if (ev->type != YAML_SCALAR_EVENT) {
    return fail(ld, MN_PARAMS_ESCHEMA, ev->start_mark.line, "%s must be a string, got %s", field,
                event_name(ev->type));
  }
  if (ev->data.scalar.length == 0) {
    return fail(ld, MN_PARAMS_ESCHEMA, ev->start_mark.line, "%s is empty", field);
  }
  *out = dup_scalar(ev);
  return *out == NULL ? MN_PARAMS_ENOMEM : MN_PARAMS_OK;
}

/* The body of one parameter: a mapping with value, unit, source|estimate. */
static int read_param(loader *ld, entry *e, size_t name_line) {
  int seen_value = 0;
  for (;;) {
    yaml_event_t k;
    int rc = next(ld, &k);
    if (rc != 0) {
      return rc;
    }
    if (k.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&k);
      break;
    }
    if (k.type != YAML_SCALAR_EVENT) {
      size_t line = k.start_mark.line;
      yaml_event_delete(&k);
      return fail(ld, MN_PARAMS_ESCHEMA, line, "field names must be plain words");
    }
    char field[32];
    snprintf(field, sizeof field, "%s", (const char *)k.data.scalar.value);
    size_t line = k.start_mark.line;
    yaml_event_delete(&k);

    char **slot = NULL;
    int is_value = strcmp(field, "value") == 0;
    if (strcmp(field, "unit") == 0) {
      slot = &e->unit;
    } else if (strcmp(field, "source") == 0) {
      slot = &e->source;
    } else if (strcmp(field, "estimate") == 0) {
      slot = &e->estimate;
    } else if (!is_value) {
      return fail(ld, MN_PARAMS_ESCHEMA, line,
                  "unknown field '%s' (allowed: value, unit, source, estimate)", field);
    }
    if ((is_value && seen_value) || (slot != NULL && *slot != NULL)) {
      return fail(ld, MN_PARAMS_EDUP, line, "field '%s' given twice", field);
    }

    yaml_event_t v;
    rc = next(ld, &v);
    if (rc != 0) {
      return rc;
    }
    if (is_value) {
      seen_value = 1;
      rc = read_value(ld, e, &v);
    } else {
      rc = read_text(ld, field, &v, slot);
    }
    yaml_event_delete(&v);
    if (rc != 0) {
      return rc;
    }
  }
  if (!seen_value) {
    return fail(ld, MN_PARAMS_ESCHEMA, name_line, "missing 'value'");
  }
  if (e->unit == NULL) {
    return fail(ld, MN_PARAMS_ESCHEMA, name_line, "missing 'unit' (use \"1\" for a pure number)");
  }
  if (e->source == NULL && e->estimate == NULL) {
    return fail(ld, MN_PARAMS_ESCHEMA, name_line,
                "missing 'source' (a publication or datasheet) or 'estimate' (the reasoning)");
  }
  if (e->source != NULL && e->estimate != NULL) {
    return fail(ld, MN_PARAMS_ESCHEMA, name_line,
                "has both 'source' and 'estimate'; give exactly one");
  }
  return MN_PARAMS_OK;
}

static int push_pending(loader *ld, entry *e) {
  if (ld->npending == ld->cap) {
    size_t cap = ld->cap == 0 ? 16 : 2 * ld->cap;
    entry **grown =
        realloc(ld->pending,
                cap * sizeof *grown); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    if (grown == NULL) {
      return MN_PARAMS_ENOMEM;
    }
    ld->pending = grown;
    ld->cap = cap;
  }
  ld->pending[ld->npending++] = e;
  return MN_PARAMS_OK;
}

static int read_params_block(loader *ld) {
  for (;;) {
    yaml_event_t k;
    int rc = next(ld, &k);
    if (rc != 0) {
      return rc;
    }
    if (k.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&k);
      return MN_PARAMS_OK;
    }
    size_t line = k.start_mark.line;
    if (k.type != YAML_SCALAR_EVENT) {
      yaml_event_delete(&k);
      return fail(ld, MN_PARAMS_ESCHEMA, line, "parameter names must be plain words");
    }
    entry *e = calloc(1, sizeof *e);
    if (e == NULL) {
      yaml_event_delete(&k);
      return MN_PARAMS_ENOMEM;
    }
    /* The key is completed with the group once the whole file is read. */
    e->key = dup_scalar(&k);
    yaml_event_delete(&k);
    if (e->key == NULL || push_pending(ld, e) != 0) {
      entry_free(e);
      return MN_PARAMS_ENOMEM;
    }
    e->pub.line = (int)line + 1;
    note_key(ld, e->key);
    if (!valid_name(e->key)) {
      return fail(ld, MN_PARAMS_ESCHEMA, line,
                  "parameter names use lower-case letters, digits and '_'");
    }
    for (size_t i = 0; i + 1 < ld->npending; i++) {
      if (strcmp(ld->pending[i]->key, e->key) == 0) {
        return fail(ld, MN_PARAMS_EDUP, line, "duplicate parameter (first defined at line %d)",
                    ld->pending[i]->pub.line);
      }
    }
    yaml_event_t body;
    rc = next(ld, &body);
    if (rc != 0) {
      return rc;
    }
    yaml_event_type_t type = body.type;
    size_t body_line = body.start_mark.line;
    yaml_event_delete(&body);
    if (type != YAML_MAPPING_START_EVENT) {
      return fail(ld, MN_PARAMS_ESCHEMA, body_line,
                  "a parameter must be a mapping with value, unit and source or estimate, got %s",
                  event_name(type));
    }
    rc = read_param(ld, e, line);
    if (rc != 0) {
      return rc;
    }
  }
}

static int read_top(loader *ld) {
  int seen_params = 0;
  for (;;) {
    yaml_event_t k;
    int rc = next(ld, &k);
    if (rc != 0) {
      return rc;
    }
    if (k.type == YAML_MAPPING_END_EVENT) {
      size_t line = k.start_mark.line;
      yaml_event_delete(&k);
      if (ld->group == NULL) {
        ld->last_key[0] = '\0';
        return fail(ld, MN_PARAMS_ESCHEMA, 0, "missing 'group'");
      }
      if (!seen_params) {
        note_key(ld, "");
        return fail(ld, MN_PARAMS_ESCHEMA, line, "missing 'params'");
      }
      return MN_PARAMS_OK;
    }
    size_t line = k.start_mark.line;
    if (k.type != YAML_SCALAR_EVENT) {
      yaml_event_delete(&k);
      return fail(ld, MN_PARAMS_ESCHEMA, line, "top-level keys must be 'group' or 'params'");
    }
    char key[32];
    snprintf(key, sizeof key, "%s", (const char *)k.data.scalar.value);
    yaml_event_delete(&k);
    snprintf(ld->last_key, sizeof ld->last_key, "%s", key);

    yaml_event_t v;
    rc = next(ld, &v);
    if (rc != 0) {
      return rc;
    }
    yaml_event_type_t type = v.type;
    size_t vline = v.start_mark.line;
    if (strcmp(key, "group") == 0) {
      if (ld->group != NULL) {
        yaml_event_delete(&v);
        return fail(ld, MN_PARAMS_EDUP, line, "'group' given twice (first at line %d)",
                    ld->group_line);
      }
      if (type != YAML_SCALAR_EVENT) {
        yaml_event_delete(&v);
        return fail(ld, MN_PARAMS_ESCHEMA, vline, "group must be a name, got %s", event_name(type));
      }
      ld->group = dup_scalar(&v);
      yaml_event_delete(&v);
      if (ld->group == NULL) {
        return MN_PARAMS_ENOMEM;
      }
      ld->group_line = (int)line + 1;
      if (!valid_name(ld->group)) {
        return fail(ld, MN_PARAMS_ESCHEMA, vline,
                    "group names use lower-case letters, digits and '_', got '%s'", ld->group);
      }
    } else if (strcmp(key, "params") == 0) {
      yaml_event_delete(&v);
      if (seen_params) {
        return fail(ld, MN_PARAMS_EDUP, line, "'params' given twice");
      }
      seen_params = 1;
      if (type != YAML_MAPPING_START_EVENT) {
        return fail(ld, MN_PARAMS_ESCHEMA, vline, "params must be a mapping, got %s",
                    event_name(type));
      }
      rc = read_params_block(ld);
      if (rc != 0) {
        return rc;
      }
    } else {
      yaml_event_delete(&v);
      return fail(ld, MN_PARAMS_ESCHEMA, line, "unknown top-level key (allowed: group, params)");
    }
  }
}

/* Stream: exactly one document holding one mapping. */
static int read_stream(loader *ld) {
  yaml_event_type_t expect[] = {YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT,
                                YAML_MAPPING_START_EVENT};
  for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
    yaml_event_t ev;
    int rc = next(ld, &ev);
    if (rc != 0) {
      return rc;
    }
    yaml_event_type_t type = ev.type;
    size_t line = ev.start_mark.line;
    yaml_event_delete(&ev);
    if (type != expect[i]) {
      if (type == YAML_STREAM_END_EVENT) {
        return fail(ld, MN_PARAMS_ESCHEMA, line, "empty file");
      }
      return fail(ld, MN_PARAMS_ESCHEMA, line,
                  "a parameter file is one mapping with 'group' and 'params', got %s",
                  event_name(type));
    }
  }
  int rc = read_top(ld);
  if (rc != 0) {
    return rc;
  }
  ld->last_key[0] = '\0';
  yaml_event_t ev;
  rc = next(ld, &ev);
  if (rc != 0) {
    return rc;
  }
  yaml_event_delete(&ev); /* document end */
  rc = next(ld, &ev);
  if (rc != 0) {
    return rc;
  }
  yaml_event_type_t type = ev.type;
  size_t line = ev.start_mark.line;
  yaml_event_delete(&ev);
  if (type != YAML_STREAM_END_EVENT) {
    return fail(ld, MN_PARAMS_ESCHEMA, line, "only one YAML document per parameter file");
  }
  return MN_PARAMS_OK;
}

/* Gives every pending parameter its full key and file, and checks it
 * against the table before anything is added. */
static int finish(loader *ld, mn_params *t) {
  for (size_t i = 0; i < ld->npending; i++) {
    entry *e = ld->pending[i];
    size_t n = strlen(ld->group) + 1 + strlen(e->key) + 1;
    char *full = malloc(n);
    e->file = strdup(ld->path);
    if (full == NULL || e->file == NULL) {
      free(full);
      return MN_PARAMS_ENOMEM;
    }
    snprintf(full, n, "%s.%s", ld->group, e->key);
    free(e->key);
    e->key = full;
    const entry *old = table_find(t, full);
    if (old != NULL) {
      snprintf(ld->last_key, sizeof ld->last_key, "%s", full);
      return fail(ld, MN_PARAMS_EDUP, (size_t)e->pub.line - 1,
                  "duplicate key, already defined at %s:%d", old->file, old->pub.line);
    }
  }
  if (t->count + ld->npending > t->cap) {
    size_t cap = t->cap == 0 ? 64 : t->cap;
    while (cap < t->count + ld->npending) {
      cap *= 2;
    }
    entry **grown =
        realloc(t->items,
                cap * sizeof *grown); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
    if (grown == NULL) {
      return MN_PARAMS_ENOMEM;
    }
    t->items = grown;
    t->cap = cap;
  }
  for (size_t i = 0; i < ld->npending; i++) {
    entry_publish(ld->pending[i]);
    t->items[t->count++] = ld->pending[i];
  }
  ld->npending = 0;
  return MN_PARAMS_OK;
}

int mn_params_load_file(mn_params *t, const char *path, char *err, size_t errlen) {
  if (t == NULL || path == NULL) {
    set_err(err, errlen, "mn_params_load_file: missing table or path");
    return MN_PARAMS_EINVAL;
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    set_err(err, errlen, "%s:0: (file): cannot open: %s", path, strerror(errno));
    return MN_PARAMS_EIO;
  }
  loader ld;
  memset(&ld, 0, sizeof ld);
  ld.path = path;
  ld.err = err;
  ld.errlen = errlen;
  int rc = MN_PARAMS_ENOMEM;
  if (yaml_parser_initialize(&ld.parser)) {
    yaml_parser_set_input_file(&ld.parser, f);
    rc = read_stream(&ld);
    if (rc == 0) {
      rc = finish(&ld, t);
    }
    yaml_parser_delete(&ld.parser);
  }
  if (rc == MN_PARAMS_ENOMEM) {
    set_err(err, errlen, "%s: out of memory", path);
  }
  fclose(f);
  for (size_t i = 0; i < ld.npending; i++) {
    entry_free(ld.pending[i]);
  }
  free(ld.pending);
  free(ld.group);
  return rc;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_yaml_suffix(const char *name) {
  size_t n = strlen(name);
  return n > 5 && strcmp(name + n - 5, ".yaml") == 0 && name[0] != '.';
}

int mn_params_load_dir(mn_params *t, const char *dir, char *err, size_t errlen) {
  if (t == NULL || dir == NULL) {
    set_err(err, errlen, "mn_params_load_dir: missing table or directory");
    return MN_PARAMS_EINVAL;
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    set_err(err, errlen, "%s:0: (directory): cannot open: %s", dir, strerror(errno));
    return MN_PARAMS_EIO;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = MN_PARAMS_OK;
  for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
    if (!has_yaml_suffix(de->d_name)) {
      continue;
    }
    if (n == cap) {
      cap = cap == 0 ? 16 : 2 * cap;
      char **grown = realloc(names, cap * sizeof *grown);
      if (grown == NULL) {
        rc = MN_PARAMS_ENOMEM;
        break;
      }
      names = grown;
    }
    names[n] = strdup(de->d_name);
    if (names[n] == NULL) {
      rc = MN_PARAMS_ENOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (rc == MN_PARAMS_OK) {
    if (n > 1) {
      qsort(names, n, sizeof *names, cmp_names);
    }
    for (size_t i = 0; i < n && rc == MN_PARAMS_OK; i++) {
      size_t len = strlen(dir) + 1 + strlen(names[i]) + 1;
      char *path = malloc(len);
      if (path == NULL) {
        rc = MN_PARAMS_ENOMEM;
        break;
      }
      snprintf(path, len, "%s/%s", dir, names[i]);
      rc = mn_params_load_file(t, path, err, errlen);
      free(path);
    }
  } else {
    set_err(err, errlen, "%s: out of memory", dir);
  }
  for (size_t i = 0; i < n; i++) {
    free(names[i]);
  }
  free(names);
  return rc;
}
