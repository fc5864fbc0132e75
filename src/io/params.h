/*
 * Model parameters read from data/ (YAML): the one place every number of the
 * physics comes from.
 *
 * Each data file holds one group of parameters; every parameter carries its
 * value, its unit and either the published source it was taken from or, when
 * the literature gives no number, an `estimate` with the reasoning:
 *
 *   group: motor
 *   params:
 *     resistance:
 *       value: 1.1
 *       unit: ohm
 *       source: "datasheet ..."
 *     table:
 *       value: [0.0, 0.5, 1.0]     # a table is a flow or block sequence
 *       unit: "1"
 *       estimate: "why this"
 *
 * Many files merge into one table keyed "group.name". A model reads what it
 * needs with mn_params_get(), naming the unit it expects; the unit must match
 * the file's unit string exactly, so a file written in other units fails
 * loudly instead of being silently misread. Errors name the file, the line and
 * the key. `mnlab params` lists the table (mn_params_count / mn_params_at).
 */
#ifndef MN_IO_PARAMS_H
#define MN_IO_PARAMS_H

#include <stddef.h>

enum {
  MN_PARAMS_OK = 0,
  MN_PARAMS_ENOMEM = -1,  /* out of memory */
  MN_PARAMS_EIO = -2,     /* file or directory cannot be read */
  MN_PARAMS_ESYNTAX = -3, /* not YAML */
  MN_PARAMS_ESCHEMA = -4, /* YAML, but not a well-formed parameter file */
  MN_PARAMS_EDUP = -5,    /* the same key defined twice */
  MN_PARAMS_ENOKEY = -6,  /* no such parameter */
  MN_PARAMS_EUNIT = -7,   /* unit differs from the one asked for */
  MN_PARAMS_ESHAPE = -8,  /* scalar asked for a table or the other way round */
  MN_PARAMS_EINVAL = -9   /* bad argument */
};

typedef struct mn_params mn_params;

/* One parameter. All strings are owned by the table; the pointer stays valid
 * until the table is destroyed (later loads do not move it). */
typedef struct mn_param {
  const char *key;      /* "group.name" */
  double value;         /* the value; for a table its first element */
  const double *values; /* all values; count == 1 for a scalar */
  size_t count;
  int is_table; /* written as a sequence in the file */
  const char *unit;
  const char *source;   /* NULL when the value is an estimate */
  const char *estimate; /* reasoning; NULL when the value has a source */
  const char *file;
  int line; /* 1-based line of the parameter's name */
} mn_param;

int mn_params_create(mn_params **out);
void mn_params_destroy(mn_params **t);

/* Loads one file into the table. On error nothing from that file is added. */
int mn_params_load_file(mn_params *t, const char *path, char *err, size_t errlen);

/* Loads every *.yaml file of a directory, in sorted name order; stops at the
 * first file that fails. */
int mn_params_load_dir(mn_params *t, const char *dir, char *err, size_t errlen);

/* A scalar parameter in the given unit (exact string match). */
int mn_params_get(const mn_params *t, const char *key, const char *unit, double *value, char *err,
                  size_t errlen);

/* A table parameter (a sequence in the file) in the given unit. *values
 * points into the table. */
int mn_params_get_table(const mn_params *t, const char *key, const char *unit,
                        const double **values, size_t *count, char *err, size_t errlen);

/* The parameter with this key, or NULL. */
const mn_param *mn_params_find(const mn_params *t, const char *key);

size_t mn_params_count(const mn_params *t);

/* Parameters in load order; NULL past the end. */
const mn_param *mn_params_at(const mn_params *t, size_t i);

#endif /* MN_IO_PARAMS_H */
