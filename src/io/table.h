/*
 * A time series table: named columns of doubles, appended row by row, and
 * written as CSV (header line, one row per line, full precision). The
 * course driver fills one for timeseries.csv; columns may be left empty
 * (NaN) in rows where a stage has nothing to say, and NaN is written as an
 * empty cell so spreadsheet tools read it as missing.
 */
#ifndef MN_IO_TABLE_H
#define MN_IO_TABLE_H

#include <stddef.h>

typedef struct mn_table mn_table;

enum { MN_TABLE_OK = 0, MN_TABLE_ENOMEM = -1, MN_TABLE_EINVAL = -2, MN_TABLE_EIO = -3 };

int mn_table_create(mn_table **out, size_t ncols, const char *const *names);
void mn_table_destroy(mn_table **t);
/* Appends one row of ncols values. */
int mn_table_append(mn_table *t, const double *row);
size_t mn_table_rows(const mn_table *t);
size_t mn_table_cols(const mn_table *t);
const char *mn_table_name(const mn_table *t, size_t col);
/* Value at (row, col); NaN outside the table. */
double mn_table_get(const mn_table *t, size_t row, size_t col);
/* Column index by name, or -1. */
int mn_table_find(const mn_table *t, const char *name);
/* Stable sort of the rows by a column (ascending; NaN last). */
int mn_table_sort(mn_table *t, size_t col);
int mn_table_write_csv(const mn_table *t, const char *path, char *err, size_t errlen);

#endif /* MN_IO_TABLE_H */
