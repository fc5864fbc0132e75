/*
 * Time series table; see table.h. Rows are stored contiguously (row-major)
 * in one growable array.
 */
#include "io/table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/atomic.h"

struct mn_table {
  size_t ncols;
  char **names;
  double *data;
  size_t rows, cap;
};

int mn_table_create(mn_table **out, size_t ncols, const char *const *names) {
  *out = NULL;
  if (ncols == 0 || names == NULL) {
    return MN_TABLE_EINVAL;
  }
  mn_table *t = calloc(1, sizeof *t);
  if (t == NULL) {
    return MN_TABLE_ENOMEM;
  }
  t->ncols = ncols;
  t->names = calloc(ncols, sizeof *t->names);
  if (t->names == NULL) {
    free(t);
    return MN_TABLE_ENOMEM;
  }
  for (size_t i = 0; i < ncols; i++) {
    size_t n = strlen(names[i]) + 1;
    t->names[i] = malloc(n);
    if (t->names[i] == NULL) {
      mn_table_destroy(&t);
      return MN_TABLE_ENOMEM;
    }
    memcpy(t->names[i], names[i], n);
  }
  *out = t;
  return MN_TABLE_OK;
}

void mn_table_destroy(mn_table **tp) {
  if (tp == NULL || *tp == NULL) {
    return;
  }
  mn_table *t = *tp;
  for (size_t i = 0; i < t->ncols; i++) {
    free(t->names[i]);
  }
  free(t->names);
  free(t->data);
  free(t);
  *tp = NULL;
}

int mn_table_append(mn_table *t, const double *row) {
  if (t->rows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 256;
    double *d = realloc(t->data, cap * t->ncols * sizeof *d);
    if (d == NULL) {
      return MN_TABLE_ENOMEM;
    }
    t->data = d;
    t->cap = cap;
  }
  memcpy(t->data + t->rows * t->ncols, row, t->ncols * sizeof *row);
  t->rows++;
  return MN_TABLE_OK;
}

size_t mn_table_rows(const mn_table *t) {
  return t->rows;
}

size_t mn_table_cols(const mn_table *t) {
  return t->ncols;
}

const char *mn_table_name(const mn_table *t, size_t col) {
  return col < t->ncols ? t->names[col] : NULL;
}

double mn_table_get(const mn_table *t, size_t row, size_t col) {
  return (row < t->rows && col < t->ncols) ? t->data[row * t->ncols + col] : NAN;
}

int mn_table_find(const mn_table *t, const char *name) {
  for (size_t i = 0; i < t->ncols; i++) {
    if (strcmp(t->names[i], name) == 0) {
      return (int)i;
    }
  }
  return -1;
}

typedef struct {
  double key;
  size_t row;
} sort_key;

static int cmp_key(const void *a, const void *b) {
  const sort_key *x = a, *y = b;
  int xn = isnan(x->key), yn = isnan(y->key);
  if (xn != yn) {
    return xn - yn;
  }
  if (!xn && x->key != y->key) {
    return x->key < y->key ? -1 : 1;
  }
  return (x->row > y->row) - (x->row < y->row); /* stable */
}

int mn_table_sort(mn_table *t, size_t col) {
  if (col >= t->ncols) {
    return MN_TABLE_EINVAL;
  }
  if (t->rows < 2) {
    return MN_TABLE_OK;
  }
  sort_key *k = malloc(t->rows * sizeof *k);
  double *d = malloc(t->rows * t->ncols * sizeof *d);
  if (k == NULL || d == NULL) {
    free(k);
    free(d);
    return MN_TABLE_ENOMEM;
  }
  for (size_t r = 0; r < t->rows; r++) {
    k[r].key = t->data[r * t->ncols + col];
    k[r].row = r;
  }
  qsort(k, t->rows, sizeof *k, cmp_key);
  for (size_t r = 0; r < t->rows; r++) {
    memcpy(d + r * t->ncols, t->data + k[r].row * t->ncols, t->ncols * sizeof *d);
  }
  free(t->data);
  t->data = d;
  t->cap = t->rows;
  free(k);
  return MN_TABLE_OK;
}

int mn_table_write_csv(const mn_table *t, const char *path, char *err, size_t errlen) {
  mn_atomic_file a;
  int rc = mn_atomic_open(&a, path, err, errlen);
  if (rc != 0) {
    return MN_TABLE_EIO;
  }
  for (size_t c = 0; c < t->ncols; c++) {
    fprintf(a.f, "%s%s", c ? "," : "", t->names[c]);
  }
  fputc('\n', a.f);
  for (size_t r = 0; r < t->rows; r++) {
    for (size_t c = 0; c < t->ncols; c++) {
      double v = t->data[r * t->ncols + c];
      if (c) {
        fputc(',', a.f);
      }
      if (!isnan(v)) {
        fprintf(a.f, "%.9g", v);
      }
    }
    fputc('\n', a.f);
  }
  return mn_atomic_commit(&a, err, errlen) == 0 ? MN_TABLE_OK : MN_TABLE_EIO;
}
