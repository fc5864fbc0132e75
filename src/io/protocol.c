/*
 * Protocol files (see protocol.h). The file is read into LibYAML's document
 * tree, whose nodes keep their line and column, and walked against one table
 * of keys: each entry gives the key path, its type, where it lives in
 * mn_protocol and its range. The same table writes the JSON form, so what is
 * read and what is written cannot drift apart.
 */
#define _POSIX_C_SOURCE 200809L

#include "io/protocol.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "io/datadir.h"
#include "io/params.h"

/* Enumerated fields are written through an int. */
_Static_assert(sizeof(mn_species) == sizeof(int), "enum size");
_Static_assert(sizeof(mn_condition) == sizeof(int), "enum size");
_Static_assert(sizeof(mn_device_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(mn_motor_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(mn_pattern) == sizeof(int), "enum size");
_Static_assert(sizeof(mn_anti_inflammatory) == sizeof(int), "enum size");
_Static_assert(sizeof(mn_topical_timing) == sizeof(int), "enum size");

/* ---- choices ------------------------------------------------------------ */

static const char *const species_names[] = {"human", "rat", "pig", NULL};
static const char *const condition_names[] = {"none", "acne_scar", "striae", "wrinkles", NULL};
static const char *const kind_names[] = {"pen", "roller", NULL};
static const char *const motor_names[] = {"regulated", "unregulated", NULL};
static const char *const pattern_names[] = {"lines", "crosshatch", NULL};
static const char *const anti_inflammatory_names[] = {"none", "diclofenac", NULL};
static const char *const applied_names[] = {"before", "after", NULL};
static const char *const field_names[] = {
    "water",      "compound",     "signal",           "growth",
    "wound",      "open",         "inflammation",     "debris",
    "tgf",        "pdgf",         "fibroblasts",      "fibroblasts_active",
    "collagen_I", "collagen_III", "collagen_III_new", "elastin",
    NULL};
_Static_assert(sizeof field_names / sizeof field_names[0] == MN_FIELD_COUNT + 1, "field names");

static const char *choice_name(const char *const *names, size_t n, int v) {
  return (v >= 0 && (size_t)v < n) ? names[v] : "?";
}

#define CHOICE(names, v) choice_name((names), sizeof(names) / sizeof((names)[0]) - 1, (int)(v))

const char *mn_protocol_species_name(mn_species s) {
  return CHOICE(species_names, s);
}
const char *mn_protocol_condition_name(mn_condition c) {
  return CHOICE(condition_names, c);
}
const char *mn_protocol_device_kind_name(mn_device_kind k) {
  return CHOICE(kind_names, k);
}
const char *mn_protocol_motor_name(mn_motor_mode m) {
  return CHOICE(motor_names, m);
}
const char *mn_protocol_pattern_name(mn_pattern p) {
  return CHOICE(pattern_names, p);
}
const char *mn_protocol_anti_inflammatory_name(mn_anti_inflammatory a) {
  return CHOICE(anti_inflammatory_names, a);
}
const char *mn_protocol_applied_name(mn_topical_timing t) {
  return CHOICE(applied_names, t);
}
const char *mn_protocol_field_name(mn_field_id f) {
  return CHOICE(field_names, f);
}

/* ---- the default course ------------------------------------------------- */

void mn_protocol_default(mn_protocol *p) {
  if (p == NULL) {
    return;
  }
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s",
           "default course: cheek, 12-needle pen at 1.0 mm, 4 sessions 4 weeks apart");
  p->subject.species = MN_SPECIES_HUMAN;
  snprintf(p->subject.site, sizeof p->subject.site, "%s", "cheek");
  p->subject.fitzpatrick = 3;
  p->subject.age = 45.0;
  p->subject.ex_vivo = false;
  p->subject.membrane_mm = 0.0;
  p->subject.condition = MN_CONDITION_NONE;
  p->device.kind = MN_DEVICE_PEN;
  snprintf(p->device.cartridge, sizeof p->device.cartridge, "%s", "12-round");
  p->device.needle_length_mm = 1.0;
  p->device.speed_hz = 110.0;
  p->device.motor = MN_MOTOR_REGULATED;
  p->treatment.area_mm[0] = 30.0;
  p->treatment.area_mm[1] = 30.0;
  p->treatment.passes = 3;
  p->treatment.pattern = MN_PATTERN_CROSSHATCH;
  p->treatment.glide_speed_mm_s = 10.0;
  p->treatment.occlusion = false;
  p->treatment.anti_inflammatory = MN_ANTI_INFLAMMATORY_NONE;
  p->treatment.has_topical = false;
  p->treatment.topical.applied = MN_APPLIED_AFTER;
  p->treatment.topical.duration_h = 24.0;
  p->schedule.sessions = 4;
  p->schedule.interval_days = 28.0;
  p->schedule.follow_up_days = 90.0;
  p->grid.resolution_um = 20.0;
  p->grid.window_mm[0] = 3.0;
  p->grid.window_mm[1] = 3.0;
  p->output.fields_every_h = 0.0;
  p->output.nfields_at = 0;
  p->output.fields = MN_FIELD_ALL;
  p->output.milestones = true;
  p->seed = 1;
}

void mn_protocol_builtin(mn_protocol *p) {
  mn_protocol_default(p);
  if (p == NULL) {
    return;
  }
  /* a vitamin C serum on the needled skin (data/protocols/default.yaml says
   * where each figure comes from) */
  p->treatment.has_topical = true;
  snprintf(p->treatment.topical.compound, sizeof p->treatment.topical.compound, "%s",
           "ascorbic_acid");
  p->treatment.topical.applied = MN_APPLIED_AFTER;
  p->treatment.topical.duration_h = 12.0;
  p->treatment.topical.concentration_mg_ml = 150.0;
  p->treatment.topical.dose_mg_cm2 = 2.0;
}

/* ---- the key table ------------------------------------------------------ */

typedef enum {
  K_SECTION, /* a mapping of further keys */
  K_TOPICAL, /* the optional topical block: a mapping or null */
  K_TEXT,    /* free text (the name) */
  K_ID,      /* a name checked against data/ */
  K_INT,
  K_REAL,
  K_PAIR, /* two reals */
  K_BOOL,
  K_CHOICE,
  K_SEED,
  K_TIMES, /* a sequence of increasing reals (output.fields_at_h) */
  K_FIELDS /* a sequence of distinct names from `choices`, stored as a bit set */
} key_type;

typedef struct key_spec {
  const char *path;
  key_type type;
  size_t off;
  size_t size; /* for text and names: the buffer */
  double lo, hi;
  bool lo_open; /* lo itself is out of range */
  const char *const *choices;
} key_spec;

#define AT(member) offsetof(mn_protocol, member)
#define BUF(member) AT(member), sizeof(((mn_protocol *)0)->member)

/* 2^63 - 1 as a double rounds up; the check is done on the integer. */
#define SEED_MAX 9223372036854775807ULL

static const key_spec keys[] = {
    {"name", K_TEXT, BUF(name), 0, 0, false, NULL},
    {"subject", K_SECTION, 0, 0, 0, 0, false, NULL},
    {"subject.species", K_CHOICE, AT(subject.species), 0, 0, 0, false, species_names},
    {"subject.site", K_ID, BUF(subject.site), 0, 0, false, NULL},
    {"subject.fitzpatrick", K_INT, AT(subject.fitzpatrick), 0, 1, 6, false, NULL},
    {"subject.age", K_REAL, AT(subject.age), 0, 0, 120, false, NULL},
    {"subject.ex_vivo", K_BOOL, AT(subject.ex_vivo), 0, 0, 0, false, NULL},
    {"subject.membrane_mm", K_REAL, AT(subject.membrane_mm), 0, 0.05, 5.0, false, NULL},
    {"subject.condition", K_CHOICE, AT(subject.condition), 0, 0, 0, false, condition_names},
    {"device", K_SECTION, 0, 0, 0, 0, false, NULL},
    {"device.kind", K_CHOICE, AT(device.kind), 0, 0, 0, false, kind_names},
    {"device.cartridge", K_ID, BUF(device.cartridge), 0, 0, false, NULL},
    {"device.needle_length_mm", K_REAL, AT(device.needle_length_mm), 0, 0.1, 3.0, false, NULL},
    {"device.speed_hz", K_REAL, AT(device.speed_hz), 0, 90, 150, false, NULL},
    {"device.depth_step_mm", K_REAL, AT(device.depth_step_mm), 0, 0.1, 0.25, false, NULL},
    {"device.motor", K_CHOICE, AT(device.motor), 0, 0, 0, false, motor_names},
    {"treatment", K_SECTION, 0, 0, 0, 0, false, NULL},
    {"treatment.area_mm", K_PAIR, AT(treatment.area_mm), 0, 1, 500, false, NULL},
    {"treatment.passes", K_INT, AT(treatment.passes), 0, 1, 20, false, NULL},
    {"treatment.pattern", K_CHOICE, AT(treatment.pattern), 0, 0, 0, false, pattern_names},
    {"treatment.glide_speed_mm_s", K_REAL, AT(treatment.glide_speed_mm_s), 0, 0.5, 200, false,
     NULL},
    {"treatment.occlusion", K_BOOL, AT(treatment.occlusion), 0, 0, 0, false, NULL},
    {"treatment.anti_inflammatory", K_CHOICE, AT(treatment.anti_inflammatory), 0, 0, 0, false,
     anti_inflammatory_names},
    {"treatment.topical", K_TOPICAL, 0, 0, 0, 0, false, NULL},
    {"treatment.topical.compound", K_ID, BUF(treatment.topical.compound), 0, 0, false, NULL},
    {"treatment.topical.applied", K_CHOICE, AT(treatment.topical.applied), 0, 0, 0, false,
     applied_names},
    {"treatment.topical.duration_h", K_REAL, AT(treatment.topical.duration_h), 0, 0, 720, true,
     NULL},
    {"treatment.topical.concentration_mg_ml", K_REAL, AT(treatment.topical.concentration_mg_ml), 0,
     0, 1000, true, NULL},
    {"treatment.topical.dose_mg_cm2", K_REAL, AT(treatment.topical.dose_mg_cm2), 0, 0, 100, false,
     NULL},
    {"schedule", K_SECTION, 0, 0, 0, 0, false, NULL},
    {"schedule.sessions", K_INT, AT(schedule.sessions), 0, 1, 12, false, NULL},
    {"schedule.interval_days", K_REAL, AT(schedule.interval_days), 0, 1, 365, false, NULL},
    {"schedule.follow_up_days", K_REAL, AT(schedule.follow_up_days), 0, 0, 730, false, NULL},
    {"grid", K_SECTION, 0, 0, 0, 0, false, NULL},
    {"grid.resolution_um", K_REAL, AT(grid.resolution_um), 0, 5, 200, false, NULL},
    {"grid.window_mm", K_PAIR, AT(grid.window_mm), 0, 0.2, 20, false, NULL},
    {"output", K_SECTION, 0, 0, 0, 0, false, NULL},
    {"output.fields_every_h", K_REAL, AT(output.fields_every_h), 0, 0, 8760, false, NULL},
    {"output.fields_at_h", K_TIMES, AT(output.fields_at_h), 0, 0, 120000, false, NULL},
    {"output.fields", K_FIELDS, AT(output.fields), 0, 0, 0, false, field_names},
    {"output.milestones", K_BOOL, AT(output.milestones), 0, 0, 0, false, NULL},
    {"seed", K_SEED, AT(seed), 0, 0, 0, false, NULL},
};

enum { NKEYS = sizeof keys / sizeof keys[0] };

static const key_spec *find_key(const char *path) {
  for (size_t i = 0; i < NKEYS; i++) {
    if (strcmp(keys[i].path, path) == 0) {
      return &keys[i];
    }
  }
  return NULL;
}

static size_t key_index(const char *path) {
  const key_spec *k = find_key(path);
  return k != NULL ? (size_t)(k - keys) : NKEYS;
}

/* ---- errors ------------------------------------------------------------- */

typedef struct reader {
  const char *path;
  const char *data_dir;
  char *err;
  size_t errlen;
  yaml_document_t doc;
  mn_protocol *p;
  /* where each key was written, for checks that involve several keys;
   * line 0 means "not in the file" */
  yaml_mark_t mark[NKEYS];
  bool seen[NKEYS];
} reader;

static void put_err(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* "file:line:col: key: message"; a key not in the file gets no position. */
static int fail_at(reader *r, int status, const yaml_mark_t *m, const char *key, const char *fmt,
                   ...) {
  if (r->err == NULL || r->errlen == 0) {
    return status;
  }
  int n;
  if (m != NULL) {
    n = snprintf(r->err, r->errlen, "%s:%zu:%zu: %s: ", r->path, m->line + 1, m->column + 1,
                 key != NULL && key[0] != '\0' ? key : "(top level)");
  } else {
    n = snprintf(r->err, r->errlen, "%s: %s: ", r->path,
                 key != NULL && key[0] != '\0' ? key : "(top level)");
  }
  if (n >= 0 && (size_t)n < r->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return status;
}

static const yaml_mark_t *mark_of(const reader *r, const char *path) {
  size_t i = key_index(path);
  return (i < NKEYS && r->seen[i]) ? &r->mark[i] : NULL;
}

static const char *node_kind(const yaml_node_t *n) {
  switch (n->type) {
  case YAML_SCALAR_NODE:
    return "a scalar";
  case YAML_SEQUENCE_NODE:
    return "a sequence";
  case YAML_MAPPING_NODE:
    return "a mapping";
  default:
    return "nothing";
  }
}

static const char *scalar(const yaml_node_t *n) {
  return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n) {
  return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* YAML's null: an empty plain scalar, "~" or "null". */
static bool is_null(const yaml_node_t *n) {
  if (!is_plain(n)) {
    return false;
  }
  const char *s = scalar(n);
  return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
         strcmp(s, "NULL") == 0;
}

/* ---- scalar conversions ------------------------------------------------- */

static int parse_real(reader *r, const yaml_node_t *n, const char *key, double *out) {
  if (n->type != YAML_SCALAR_NODE) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, key, "expected a number, got %s",
                   node_kind(n));
  }
  if (!is_plain(n)) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, key,
                   "expected a number, got the quoted string \"%s\"", scalar(n));
  }
  const char *s = scalar(n);
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (s[0] == '\0' || end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, key, "expected a number, got '%s'", s);
  }
  *out = v;
  return MN_PROTOCOL_OK;
}

static int check_range(reader *r, const yaml_node_t *n, const key_spec *k, double v) {
  bool below = k->lo_open ? !(v > k->lo) : !(v >= k->lo);
  if (below || !(v <= k->hi)) {
    if (k->lo_open) {
      return fail_at(r, MN_PROTOCOL_ERANGE, &n->start_mark, k->path,
                     "%s is out of range: more than %g, at most %g", scalar(n), k->lo, k->hi);
    }
    return fail_at(r, MN_PROTOCOL_ERANGE, &n->start_mark, k->path, "%s is out of range %g-%g",
                   scalar(n), k->lo, k->hi);
  }
  return MN_PROTOCOL_OK;
}

static int read_real(reader *r, const yaml_node_t *n, const key_spec *k, double *out) {
  double v = 0.0;
  int rc = parse_real(r, n, k->path, &v);
  if (rc != 0) {
    return rc;
  }
  rc = check_range(r, n, k, v);
  if (rc != 0) {
    return rc;
  }
  *out = v;
  return MN_PROTOCOL_OK;
}

/* Integers are written as integers: "3.0 passes" is refused rather than
 * guessed at. */
static int read_int(reader *r, const yaml_node_t *n, const key_spec *k, long long lo, long long hi,
                    long long *out) {
  if (n->type != YAML_SCALAR_NODE || !is_plain(n)) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                   n->type == YAML_SCALAR_NODE ? "expected a whole number, got the quoted string "
                                                 "\"%s\""
                                               : "expected a whole number, got %s",
                   n->type == YAML_SCALAR_NODE ? scalar(n) : node_kind(n));
  }
  const char *s = scalar(n);
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (s[0] == '\0' || end == s || *end != '\0') {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                   "expected a whole number, got '%s'", s);
  }
  if (errno == ERANGE || v < lo || v > hi) {
    return fail_at(r, MN_PROTOCOL_ERANGE, &n->start_mark, k->path, "%s is out of range %lld-%lld",
                   s, lo, hi);
  }
  *out = v;
  return MN_PROTOCOL_OK;
}

static int read_bool(reader *r, const yaml_node_t *n, const key_spec *k, bool *out) {
  if (is_plain(n)) {
    const char *s = scalar(n);
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0) {
      *out = true;
      return MN_PROTOCOL_OK;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0) {
      *out = false;
      return MN_PROTOCOL_OK;
    }
  }
  return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                 "expected true or false, got %s%s%s", n->type == YAML_SCALAR_NODE ? "'" : "",
                 n->type == YAML_SCALAR_NODE ? scalar(n) : node_kind(n),
                 n->type == YAML_SCALAR_NODE ? "'" : "");
}

static void list_choices(const char *const *choices, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; choices[i] != NULL && used < len; i++) {
    int n = snprintf(buf + used, len - used, "%s%s", i > 0 ? "|" : "", choices[i]);
    if (n < 0) {
      break;
    }
    used += (size_t)n;
  }
}

static int read_choice(reader *r, const yaml_node_t *n, const key_spec *k, int *out) {
  char opts[320];
  list_choices(k->choices, opts, sizeof opts);
  if (n->type != YAML_SCALAR_NODE) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path, "expected one of %s, got %s",
                   opts, node_kind(n));
  }
  for (int i = 0; k->choices[i] != NULL; i++) {
    if (strcmp(scalar(n), k->choices[i]) == 0) {
      *out = i;
      return MN_PROTOCOL_OK;
    }
  }
  return fail_at(r, MN_PROTOCOL_ERANGE, &n->start_mark, k->path, "'%s' is not one of %s", scalar(n),
                 opts);
}

static bool valid_id(const char *s) {
  if (s[0] == '\0') {
    return false;
  }
  for (const char *c = s; *c != '\0'; c++) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_')) {
      return false;
    }
  }
  return true;
}

static int read_text(reader *r, const yaml_node_t *n, const key_spec *k, char *buf, bool id) {
  if (n->type != YAML_SCALAR_NODE || is_null(n)) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path, "expected %s, got %s",
                   id ? "a name" : "text", n->type == YAML_SCALAR_NODE ? "nothing" : node_kind(n));
  }
  const char *s = scalar(n);
  if (strlen(s) >= k->size) {
    return fail_at(r, MN_PROTOCOL_ERANGE, &n->start_mark, k->path, "longer than %zu characters",
                   k->size - 1);
  }
  if (id && !valid_id(s)) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                   "'%s' is not a name (lower-case letters, digits, '-' and '_')", s);
  }
  memcpy(buf, s, strlen(s) + 1);
  return MN_PROTOCOL_OK;
}

static int read_pair(reader *r, const yaml_node_t *n, const key_spec *k, double *out) {
  if (n->type != YAML_SEQUENCE_NODE ||
      n->data.sequence.items.top - n->data.sequence.items.start != 2) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                   "expected two numbers [x, y], got %s",
                   n->type == YAML_SEQUENCE_NODE ? "a sequence of another length" : node_kind(n));
  }
  double v[2] = {0.0, 0.0};
  for (int i = 0; i < 2; i++) {
    yaml_node_t *item = yaml_document_get_node(&r->doc, n->data.sequence.items.start[i]);
    int rc = read_real(r, item, k, &v[i]);
    if (rc != 0) {
      return rc;
    }
  }
  out[0] = v[0];
  out[1] = v[1];
  return MN_PROTOCOL_OK;
}

/* Field snapshot times: increasing, so that a list read back is the list
 * written and no time is asked for twice. */
static int read_times(reader *r, const yaml_node_t *n, const key_spec *k, mn_protocol_output *o) {
  if (n->type != YAML_SEQUENCE_NODE) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                   "expected a list of hours [t1, t2, ...], got %s", node_kind(n));
  }
  long count = (long)(n->data.sequence.items.top - n->data.sequence.items.start);
  if (count > MN_PROTOCOL_FIELD_TIMES_MAX) {
    return fail_at(r, MN_PROTOCOL_ERANGE, &n->start_mark, k->path,
                   "%ld times, at most %d (use fields_every_h for regular snapshots)", count,
                   (int)MN_PROTOCOL_FIELD_TIMES_MAX);
  }
  for (long i = 0; i < count; i++) {
    yaml_node_t *item = yaml_document_get_node(&r->doc, n->data.sequence.items.start[i]);
    double v = 0.0;
    int rc = read_real(r, item, k, &v);
    if (rc != 0) {
      return rc;
    }
    if (i > 0 && !(v > o->fields_at_h[i - 1])) {
      return fail_at(r, MN_PROTOCOL_ERANGE, &item->start_mark, k->path,
                     "%s does not come after %g: list the times in increasing order, each once",
                     scalar(item), o->fields_at_h[i - 1]);
    }
    o->fields_at_h[i] = v;
  }
  o->nfields_at = (int)count;
  return MN_PROTOCOL_OK;
}

static int read_fields(reader *r, const yaml_node_t *n, const key_spec *k, unsigned *out) {
  char opts[320];
  list_choices(k->choices, opts, sizeof opts);
  if (n->type != YAML_SEQUENCE_NODE) {
    return fail_at(r, MN_PROTOCOL_ESCHEMA, &n->start_mark, k->path,
                   "expected a list of field names from %s, got %s", opts, node_kind(n));
  }
  unsigned set = 0;
  for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
    yaml_node_t *item = yaml_document_get_node(&r->doc, *it);
    int x = 0;
    int rc = read_choice(r, item, k, &x);
    if (rc != 0) {
      return rc;
    }
    if (set & (1u << x)) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &item->start_mark, k->path, "'%s' is listed twice",
                     scalar(item));
    }
    set |= 1u << x;
  }
  *out = set;
  return MN_PROTOCOL_OK;
}

/* ---- the walk ----------------------------------------------------------- */

static int read_mapping(reader *r, const yaml_node_t *map, const char *prefix);

static int read_key(reader *r, const key_spec *k, const yaml_node_t *v) {
  char *field = (char *)r->p + k->off;
  switch (k->type) {
  case K_SECTION:
    if (is_null(v)) {
      return MN_PROTOCOL_OK;
    }
    if (v->type != YAML_MAPPING_NODE) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &v->start_mark, k->path, "expected a mapping, got %s",
                     node_kind(v));
    }
    return read_mapping(r, v, k->path);
  case K_TOPICAL:
    if (is_null(v)) {
      r->p->treatment.has_topical = false;
      return MN_PROTOCOL_OK;
    }
    if (v->type != YAML_MAPPING_NODE) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &v->start_mark, k->path,
                     "expected a mapping or null, got %s", node_kind(v));
    }
    r->p->treatment.has_topical = true;
    return read_mapping(r, v, k->path);
  case K_TEXT:
    return read_text(r, v, k, field, false);
  case K_ID:
    return read_text(r, v, k, field, true);
  case K_REAL:
    return read_real(r, v, k, (double *)(void *)field);
  case K_PAIR:
    return read_pair(r, v, k, (double *)(void *)field);
  case K_BOOL:
    return read_bool(r, v, k, (bool *)(void *)field);
  case K_TIMES:
    return read_times(r, v, k, &r->p->output);
  case K_FIELDS:
    return read_fields(r, v, k, (unsigned *)(void *)field);
  case K_INT: {
    long long x = 0;
    int rc = read_int(r, v, k, (long long)k->lo, (long long)k->hi, &x);
    if (rc == 0) {
      int xi = (int)x;
      memcpy(field, &xi, sizeof xi);
    }
    return rc;
  }
  case K_CHOICE: {
    int x = 0;
    int rc = read_choice(r, v, k, &x);
    if (rc == 0) {
      memcpy(field, &x, sizeof x);
    }
    return rc;
  }
  case K_SEED: {
    long long x = 0;
    int rc = read_int(r, v, k, 0, (long long)SEED_MAX, &x);
    if (rc == 0) {
      uint64_t s = (uint64_t)x;
      memcpy(field, &s, sizeof s);
    }
    return rc;
  }
  }
  return MN_PROTOCOL_EINVAL;
}

static int read_mapping(reader *r, const yaml_node_t *map, const char *prefix) {
  for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
       pair++) {
    yaml_node_t *kn = yaml_document_get_node(&r->doc, pair->key);
    yaml_node_t *vn = yaml_document_get_node(&r->doc, pair->value);
    if (kn == NULL || vn == NULL) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &map->start_mark, prefix, "malformed mapping");
    }
    if (kn->type != YAML_SCALAR_NODE) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &kn->start_mark, prefix,
                     "keys must be plain names, got %s", node_kind(kn));
    }
    char path[128];
    int n = snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] != '\0' ? "." : "", scalar(kn));
    const key_spec *k = (n > 0 && (size_t)n < sizeof path) ? find_key(path) : NULL;
    if (k == NULL) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &kn->start_mark, prefix, "unknown key '%s'",
                     scalar(kn));
    }
    size_t i = (size_t)(k - keys);
    if (r->seen[i]) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, &kn->start_mark, k->path,
                     "duplicate key (first given on line %zu)", r->mark[i].line + 1);
    }
    r->seen[i] = true;
    r->mark[i] = kn->start_mark;
    int rc = read_key(r, k, vn);
    if (rc != 0) {
      return rc;
    }
  }
  return MN_PROTOCOL_OK;
}

/* ---- checks across keys and against data/ ------------------------------- */

static int check_consistency(reader *r) {
  mn_protocol *p = r->p;
  if (p->device.kind == MN_DEVICE_ROLLER) {
    if (mark_of(r, "device.speed_hz") != NULL) {
      return fail_at(r, MN_PROTOCOL_ERANGE, mark_of(r, "device.speed_hz"), "device.speed_hz",
                     "a roller is pushed by hand and has no stroke rate; remove the key");
    }
    if (mark_of(r, "device.motor") != NULL) {
      return fail_at(r, MN_PROTOCOL_ERANGE, mark_of(r, "device.motor"), "device.motor",
                     "a roller has no motor; remove the key");
    }
    if (mark_of(r, "device.depth_step_mm") != NULL) {
      return fail_at(r, MN_PROTOCOL_ERANGE, mark_of(r, "device.depth_step_mm"),
                     "device.depth_step_mm",
                     "a roller's needles have one length, no depth dial; remove the key");
    }
    p->device.speed_hz = 0.0;
  }
  for (int i = 0; i < 2; i++) {
    if (p->grid.window_mm[i] > p->treatment.area_mm[i]) {
      return fail_at(r, MN_PROTOCOL_ERANGE, mark_of(r, "grid.window_mm"), "grid.window_mm",
                     "the window %g x %g mm is larger than the treatment area %g x %g mm",
                     p->grid.window_mm[0], p->grid.window_mm[1], p->treatment.area_mm[0],
                     p->treatment.area_mm[1]);
    }
  }
  if (!p->subject.ex_vivo && mark_of(r, "subject.membrane_mm") != NULL) {
    return fail_at(r, MN_PROTOCOL_ERANGE, mark_of(r, "subject.membrane_mm"), "subject.membrane_mm",
                   "a membrane thickness is for excised skin in a diffusion cell; set "
                   "ex_vivo: true or remove the key");
  }
  if (p->subject.ex_vivo && p->schedule.sessions != 1) {
    const yaml_mark_t *m = mark_of(r, "schedule.sessions");
    return fail_at(r, MN_PROTOCOL_ERANGE, m != NULL ? m : mark_of(r, "subject.ex_vivo"),
                   m != NULL ? "schedule.sessions" : "subject.ex_vivo",
                   "excised skin (ex_vivo: true) does not heal between sessions; give 1 session, "
                   "not %d",
                   p->schedule.sessions);
  }
  double end_h =
      ((p->schedule.sessions - 1) * p->schedule.interval_days + p->schedule.follow_up_days) * 24.0;
  if (p->output.nfields_at > 0 && p->output.fields_at_h[p->output.nfields_at - 1] > end_h) {
    return fail_at(r, MN_PROTOCOL_ERANGE, mark_of(r, "output.fields_at_h"), "output.fields_at_h",
                   "%g h is after the end of the course (%g h after the first session)",
                   p->output.fields_at_h[p->output.nfields_at - 1], end_h);
  }
  if (p->treatment.has_topical) {
    if (mark_of(r, "treatment.topical.compound") == NULL) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, mark_of(r, "treatment.topical"), "treatment.topical",
                     "a topical must name its compound");
    }
    if (mark_of(r, "treatment.topical.concentration_mg_ml") == NULL) {
      return fail_at(r, MN_PROTOCOL_ESCHEMA, mark_of(r, "treatment.topical"), "treatment.topical",
                     "a topical must give its concentration_mg_ml");
    }
  }
  return MN_PROTOCOL_OK;
}

/* The names in DIR that end in .yaml and start with PREFIX, sorted, for
 * telling the user what would have been accepted. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list_known(const char *dir, const char *prefix, char *buf, size_t len) {
  enum { MAX_KNOWN = 64 };
  char *names[MAX_KNOWN];
  size_t n = 0;
  snprintf(buf, len, "(none)");
  DIR *d = opendir(dir);
  if (d == NULL) {
    return;
  }
  size_t plen = strlen(prefix);
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < MAX_KNOWN) {
    size_t nlen = strlen(e->d_name);
    if (nlen <= plen + 5 || strncmp(e->d_name, prefix, plen) != 0 ||
        strcmp(e->d_name + nlen - 5, ".yaml") != 0) {
      continue;
    }
    names[n] = strndup(e->d_name + plen, nlen - plen - 5);
    if (names[n] != NULL) {
      n++;
    }
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    if (used < len) {
      int w = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "", names[i]);
      used += w > 0 ? (size_t)w : 0;
    }
    free(names[i]);
  }
}

static int check_name(reader *r, const char *key, const char *what, const char *subdir,
                      const char *prefix, const char *name) {
  char dir[1024];
  char file[1280];
  snprintf(dir, sizeof dir, "%s/%s", r->data_dir, subdir);
  snprintf(file, sizeof file, "%s/%s%s.yaml", dir, prefix, name);
  if (access(file, R_OK) == 0) {
    return MN_PROTOCOL_OK;
  }
  char known[512];
  list_known(dir, prefix, known, sizeof known);
  return fail_at(r, MN_PROTOCOL_ENAME, mark_of(r, key), key,
                 "unknown %s '%s' (no %s/%s%s.yaml in the data directory); known: %s", what, name,
                 subdir, prefix, name, known);
}

/* The compounds folder also holds relations shared by all compounds (Potts-Guy);
 * a compound is a file whose group is compound_NAME. */
static int check_compound_group(reader *r, const char *name) {
  char file[1280];
  char key[MN_PROTOCOL_ID_MAX + 48];
  snprintf(file, sizeof file, "%s/skin/compounds/%s.yaml", r->data_dir, name);
  snprintf(key, sizeof key, "compound_%s.molecular_weight", name);
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0) {
    put_err(r->err, r->errlen, "%s: out of memory", r->path);
    return MN_PROTOCOL_ENOMEM;
  }
  char perr[512];
  int rc = mn_params_load_file(t, file, perr, sizeof perr);
  if (rc != 0) {
    rc = fail_at(r, MN_PROTOCOL_ENAME, mark_of(r, "treatment.topical.compound"),
                 "treatment.topical.compound", "compound '%s' cannot be read: %s", name, perr);
  } else if (mn_params_find(t, key) == NULL) {
    rc = fail_at(r, MN_PROTOCOL_ENAME, mark_of(r, "treatment.topical.compound"),
                 "treatment.topical.compound",
                 "'%s' is not a compound (skin/compounds/%s.yaml has no %s)", name, name, key);
  }
  mn_params_destroy(&t);
  return rc;
}

/* A dermatomed piece is cut from the site's skin: it holds at least the
 * epidermis and at most everything down to the fat. Outside that range the
 * grid would end above the living tissue or reach below the skin. */
static int check_membrane(reader *r) {
  const mn_protocol *p = r->p;
  if (!p->subject.ex_vivo || !(p->subject.membrane_mm > 0.0)) {
    return MN_PROTOCOL_OK;
  }
  const char *species = mn_protocol_species_name(p->subject.species);
  char file[1280], group[MN_PROTOCOL_ID_MAX + 48];
  snprintf(file, sizeof file, "%s/skin/sites/%s-%s.yaml", r->data_dir, species, p->subject.site);
  snprintf(group, sizeof group, "site_%s_%s", species, p->subject.site);
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0) {
    put_err(r->err, r->errlen, "%s: out of memory", r->path);
    return MN_PROTOCOL_ENOMEM;
  }
  const char *layer[] = {"stratum_corneum", "viable_epidermis", "papillary_dermis",
                         "reticular_dermis"};
  double depth[4] = {0.0}; /* m, bottom of each layer */
  char perr[512] = "";
  int rc = mn_params_load_file(t, file, perr, sizeof perr);
  for (int i = 0; rc == 0 && i < 4; i++) {
    char key[MN_PROTOCOL_ID_MAX + 96];
    double v = 0.0;
    snprintf(key, sizeof key, "%s.%s", group, layer[i]);
    rc = mn_params_get(t, key, "m", &v, perr, sizeof perr);
    depth[i] = (i > 0 ? depth[i - 1] : 0.0) + v;
  }
  mn_params_destroy(&t);
  const yaml_mark_t *m = mark_of(r, "subject.membrane_mm");
  if (rc != 0) {
    return fail_at(r, MN_PROTOCOL_ENAME, m, "subject.membrane_mm",
                   "the %s %s skin's layers cannot be read: %s", species, p->subject.site, perr);
  }
  double mm = p->subject.membrane_mm;
  if (mm * 1e-3 < depth[1]) {
    return fail_at(r, MN_PROTOCOL_ERANGE, m, "subject.membrane_mm",
                   "%g mm is thinner than the %s %s epidermis (%.3g mm, skin/sites/%s-%s.yaml)", mm,
                   species, p->subject.site, depth[1] * 1e3, species, p->subject.site);
  }
  if (mm * 1e-3 > depth[3] * (1.0 + 1e-9)) {
    return fail_at(r, MN_PROTOCOL_ERANGE, m, "subject.membrane_mm",
                   "%g mm is thicker than the %s %s skin (%.3g mm from the stratum corneum to "
                   "the bottom of the dermis, skin/sites/%s-%s.yaml)",
                   mm, species, p->subject.site, depth[3] * 1e3, species, p->subject.site);
  }
  return MN_PROTOCOL_OK;
}

/* A pen's depth dial moves in steps (0.1 mm on the Dermapen 4 class the
 * firmware is set up for, 0.25 mm on SkinPen-class pens), and the firmware
 * rounds a setting down to its scale: a protocol asking for a length the
 * dial does not have would run a shallower pen than it says, so it is
 * refused, naming the settings on either side. */
static int check_depth_scale(reader *r) {
  mn_protocol *p = r->p;
  if (p->device.kind != MN_DEVICE_PEN) {
    return MN_PROTOCOL_OK;
  }
  const yaml_mark_t *ms = mark_of(r, "device.depth_step_mm");
  double step = p->device.depth_step_mm; /* 0 (not given): the pen's own, kept 0 */
  if (ms == NULL) {
    char file[1280], perr[512] = "";
    snprintf(file, sizeof file, "%s/pen/firmware.yaml", r->data_dir);
    mn_params *t = NULL;
    if (mn_params_create(&t) != 0) {
      put_err(r->err, r->errlen, "%s: out of memory", r->path);
      return MN_PROTOCOL_ENOMEM;
    }
    int rc = mn_params_load_file(t, file, perr, sizeof perr);
    if (rc == 0) {
      rc = mn_params_get(t, "firmware.depth_step", "mm", &step, perr, sizeof perr);
    }
    mn_params_destroy(&t);
    if (rc != 0) {
      put_err(r->err, r->errlen, "%s: the pen's depth scale cannot be read: %s", r->path, perr);
      return MN_PROTOCOL_ENAME;
    }
  }
  const long step_um = lround(step * 1000.0);
  if (ms != NULL &&
      (fabs(step * 1000.0 - (double)step_um) > 1e-6 || (step_um != 100 && step_um != 250))) {
    return fail_at(r, MN_PROTOCOL_ERANGE, ms, "device.depth_step_mm",
                   "%g mm: a pen's depth dial moves in 0.1 mm or 0.25 mm steps", step);
  }
  const double len_um = p->device.needle_length_mm * 1000.0;
  const double below = floor(len_um / (double)step_um + 1e-9) * (double)step_um;
  if (step_um > 0 && fabs(len_um - below) > 1e-6) {
    const yaml_mark_t *ml = mark_of(r, "device.needle_length_mm");
    return fail_at(
        r, MN_PROTOCOL_ERANGE, ml != NULL ? ml : ms, "device.needle_length_mm",
        "%g mm is not a setting of a pen whose depth dial moves in %g mm steps "
        "(nearest: %g or %g mm)%s",
        p->device.needle_length_mm, step, below / 1000.0, (below + (double)step_um) / 1000.0,
        step_um == 100 ? "; a pen with a 0.25 mm scale: device.depth_step_mm: 0.25" : "");
  }
  return MN_PROTOCOL_OK;
}

static int check_names(reader *r) {
  const mn_protocol *p = r->p;
  char prefix[32];
  snprintf(prefix, sizeof prefix, "%s-", mn_protocol_species_name(p->subject.species));
  char what[48];
  snprintf(what, sizeof what, "%s site", mn_protocol_species_name(p->subject.species));
  int rc = check_name(r, "subject.site", what, "skin/sites", prefix, p->subject.site);
  if (rc == 0) {
    rc = check_membrane(r);
  }
  if (rc == 0) {
    rc = check_depth_scale(r);
  }
  if (rc == 0) {
    rc = check_name(r, "device.cartridge", "cartridge", "device/cartridges", "",
                    p->device.cartridge);
  }
  if (rc == 0 && p->treatment.has_topical) {
    rc = check_name(r, "treatment.topical.compound", "compound", "skin/compounds", "",
                    p->treatment.topical.compound);
    if (rc == 0) {
      rc = check_compound_group(r, p->treatment.topical.compound);
    }
  }
  return rc;
}

/* ---- loading ------------------------------------------------------------ */

static void default_name(mn_protocol *p, const char *path) {
  const char *base = strrchr(path, '/');
  base = base != NULL ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) {
    n -= 5;
  } else if (n > 4 && strcmp(base + n - 4, ".yml") == 0) {
    n -= 4;
  }
  if (n >= sizeof p->name) {
    n = sizeof p->name - 1;
  }
  memcpy(p->name, base, n);
  p->name[n] = '\0';
}

static int read_document(reader *r, FILE *f) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    put_err(r->err, r->errlen, "%s: out of memory", r->path);
    return MN_PROTOCOL_ENOMEM;
  }
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &r->doc)) {
    const yaml_mark_t *m = &parser.problem_mark;
    put_err(r->err, r->errlen, "%s:%zu:%zu: YAML syntax error: %s%s%s", r->path, m->line + 1,
            m->column + 1, parser.problem != NULL ? parser.problem : "unreadable",
            parser.context != NULL ? " " : "", parser.context != NULL ? parser.context : "");
    yaml_parser_delete(&parser);
    return MN_PROTOCOL_ESYNTAX;
  }
  /* A second document would be silently ignored; refuse it. */
  yaml_document_t extra;
  int status = MN_PROTOCOL_OK;
  if (!yaml_parser_load(&parser, &extra)) {
    const yaml_mark_t *m = &parser.problem_mark;
    put_err(r->err, r->errlen, "%s:%zu:%zu: YAML syntax error: %s", r->path, m->line + 1,
            m->column + 1, parser.problem != NULL ? parser.problem : "unreadable");
    status = MN_PROTOCOL_ESYNTAX;
  } else {
    if (yaml_document_get_root_node(&extra) != NULL) {
      put_err(r->err, r->errlen, "%s:%zu:%zu: (top level): a protocol file holds one document",
              r->path, extra.start_mark.line + 1, extra.start_mark.column + 1);
      status = MN_PROTOCOL_ESCHEMA;
    }
    yaml_document_delete(&extra);
  }
  yaml_parser_delete(&parser);
  if (status != 0) {
    yaml_document_delete(&r->doc);
  }
  return status;
}

int mn_protocol_load(mn_protocol *p, const char *path, const char *data_dir, char *err,
                     size_t errlen) {
  if (p == NULL || path == NULL) {
    put_err(err, errlen, "mn_protocol_load: missing protocol or path");
    return MN_PROTOCOL_EINVAL;
  }
  mn_protocol_default(p);
  reader r;
  memset(&r, 0, sizeof r);
  r.path = path;
  r.data_dir = data_dir != NULL ? data_dir : mn_data_dir();
  r.err = err;
  r.errlen = errlen;

  mn_protocol work;
  mn_protocol_default(&work);
  default_name(&work, path);
  r.p = &work;

  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    put_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return MN_PROTOCOL_EIO;
  }
  int rc = read_document(&r, f);
  fclose(f);
  if (rc != 0) {
    return rc;
  }
  yaml_node_t *root = yaml_document_get_root_node(&r.doc);
  if (root == NULL) {
    put_err(err, errlen, "%s: (top level): the file holds no protocol", path);
    rc = MN_PROTOCOL_ESCHEMA;
  } else if (root->type != YAML_MAPPING_NODE) {
    rc = fail_at(&r, MN_PROTOCOL_ESCHEMA, &root->start_mark, "", "expected a mapping, got %s",
                 node_kind(root));
  } else {
    rc = read_mapping(&r, root, "");
  }
  yaml_document_delete(&r.doc);
  if (rc == 0) {
    rc = check_consistency(&r);
  }
  if (rc == 0) {
    rc = check_names(&r);
  }
  if (rc == 0) {
    *p = work;
  }
  return rc;
}

/* ---- JSON --------------------------------------------------------------- */

/* Keys the resolved protocol does not write: a roller has no stroke rate,
 * motor or depth dial; a pen given no depth scale has the pen's own; in vivo
 * (or without a thickness) the membrane is the site's full skin. */
static int key_left_out(const mn_protocol *p, const key_spec *k) {
  if (p->device.kind == MN_DEVICE_ROLLER &&
      (strcmp(k->path, "device.speed_hz") == 0 || strcmp(k->path, "device.motor") == 0 ||
       strcmp(k->path, "device.depth_step_mm") == 0)) {
    return 1;
  }
  if (strcmp(k->path, "device.depth_step_mm") == 0 && !(p->device.depth_step_mm > 0.0)) {
    return 1; /* the pen's own scale */
  }
  return strcmp(k->path, "subject.membrane_mm") == 0 &&
         !(p->subject.ex_vivo && p->subject.membrane_mm > 0.0);
}

static json_t *key_json(const mn_protocol *p, const key_spec *k) {
  const char *field = (const char *)p + k->off;
  switch (k->type) {
  case K_TEXT:
  case K_ID:
    return json_string(field);
  case K_REAL:
    return json_real(*(const double *)(const void *)field);
  case K_PAIR: {
    const double *v = (const double *)(const void *)field;
    return json_pack("[ff]", v[0], v[1]);
  }
  case K_BOOL:
    return json_boolean(*(const bool *)(const void *)field);
  case K_INT: {
    int x;
    memcpy(&x, field, sizeof x);
    return json_integer(x);
  }
  case K_CHOICE: {
    int x;
    memcpy(&x, field, sizeof x);
    size_t n = 0;
    while (k->choices[n] != NULL) {
      n++;
    }
    return json_string(choice_name(k->choices, n, x));
  }
  case K_SEED: {
    uint64_t s;
    memcpy(&s, field, sizeof s);
    return json_integer((json_int_t)s);
  }
  case K_TIMES: {
    json_t *a = json_array();
    for (int i = 0; a != NULL && i < p->output.nfields_at; i++) {
      if (json_array_append_new(a, json_real(p->output.fields_at_h[i])) != 0) {
        json_decref(a);
        return NULL;
      }
    }
    return a;
  }
  case K_FIELDS: {
    unsigned set;
    memcpy(&set, field, sizeof set);
    json_t *a = json_array();
    for (int i = 0; a != NULL && k->choices[i] != NULL; i++) {
      if ((set & (1u << i)) && json_array_append_new(a, json_string(k->choices[i])) != 0) {
        json_decref(a);
        return NULL;
      }
    }
    return a;
  }
  case K_SECTION:
  case K_TOPICAL:
    return json_object();
  }
  return NULL;
}

/* The object a key path's parent names, e.g. "device" for
 * "device.speed_hz"; NULL when that branch was left out (no topical). */
static json_t *parent_object(json_t *root, const char *path, char *leaf, size_t leaflen) {
  json_t *obj = root;
  const char *s = path;
  const char *dot;
  while ((dot = strchr(s, '.')) != NULL) {
    char part[64];
    size_t n = (size_t)(dot - s);
    if (n >= sizeof part) {
      return NULL;
    }
    memcpy(part, s, n);
    part[n] = '\0';
    obj = json_object_get(obj, part);
    if (!json_is_object(obj)) {
      return NULL;
    }
    s = dot + 1;
  }
  snprintf(leaf, leaflen, "%s", s);
  return obj;
}

int mn_protocol_write_json(const mn_protocol *p, json_t **out) {
  if (p == NULL || out == NULL) {
    return MN_PROTOCOL_EINVAL;
  }
  *out = NULL;
  json_t *root = json_object();
  if (root == NULL) {
    return MN_PROTOCOL_ENOMEM;
  }
  for (size_t i = 0; i < NKEYS; i++) {
    const key_spec *k = &keys[i];
    char leaf[64];
    json_t *parent = parent_object(root, k->path, leaf, sizeof leaf);
    if (parent == NULL) {
      continue; /* inside an absent topical */
    }
    json_t *v;
    if (k->type == K_TOPICAL && !p->treatment.has_topical) {
      v = json_null();
    } else if (key_left_out(p, k)) {
      continue;
    } else {
      v = key_json(p, k);
    }
    if (v == NULL || json_object_set_new(parent, leaf, v) != 0) {
      json_decref(root);
      return MN_PROTOCOL_ENOMEM;
    }
  }
  *out = root;
  return MN_PROTOCOL_OK;
}
