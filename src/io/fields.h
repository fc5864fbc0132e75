/*
 * Field snapshots for ParaView: the 3D fields of a run at chosen times, one
 * HDF5 file per snapshot in DIR/fields/ (readable by h5dump) with an XDMF 3
 * sidecar DIR/fields.xdmf that ParaView opens (docs/outputs.md).
 *
 * Pipeline position: the course driver calls back at the protocol's
 * snapshot times (output block) with the acute tissue or the healing stage;
 * this module stores what it is shown. Each snapshot's file,
 * fields/MESH_tTTTTTT.TTTh.h5 (MESH with '_' for '/'), holds
 *
 *   /MESH/x, /MESH/y, /MESH/z          cell face coordinates, m (float64;
 *                                      z is depth below the skin surface,
 *                                      non-uniform)
 *   /MESH/tTTTTTT.TTTh/FIELD           float32 [nz][ny][nx], cell-centred,
 *                                      attribute units
 *   group attributes: time_h (course clock, when taken), requested_h,
 *                     session (1.. for an acute mesh, 0 for the healing)
 *
 * MESH is acute/sN (the acute grid of session N) or healing (the one grid of
 * the whole course). The XDMF file holds one temporal collection per mesh,
 * each snapshot a 3DRectMesh with VXVYVZ geometry pointing at the face
 * coordinates and one cell-centred attribute per field.
 *
 * Crash safety: every file is written under a temporary name and renamed
 * into place (no modification times recorded, so the same snapshot gives
 * the same bytes). When the output directory exists at the start (a
 * checkpointed run makes it first) the snapshots go straight into
 * DIR/fields/, each final as soon as it is taken, and a checkpoint records
 * the list taken up to its safe point (mn_fields_list) for a resumed run's
 * writer to start from (mn_fields_resume); otherwise they go into a
 * temporary directory beside DIR, moved in by mn_fields_commit. The XDMF
 * file is written last, atomically.
 */
#ifndef MN_IO_FIELDS_H
#define MN_IO_FIELDS_H

#include <stddef.h>

#include "io/protocol.h"
#include "numerics/grid.h"
#include "skin/acute.h"
#include "skin/healing.h"

enum {
  MN_FIELDS_OK = 0,
  MN_FIELDS_EINVAL = -1, /* bad argument, or a mesh whose grid changed */
  MN_FIELDS_ENOMEM = -2,
  MN_FIELDS_EIO = -3 /* HDF5 or file system */
};

/* The subdirectory of the output directory that holds the snapshots. */
#define MN_FIELDS_DIR "fields"

/* The most snapshot times one run may ask for (fields_every_h and
 * fields_at_h together). */
enum { MN_FIELDS_TIMES_MAX = 10000 };

typedef struct mn_fields mn_fields;

/* One named array of a snapshot: nvox values of the snapshot's grid. */
typedef struct mn_fields_array {
  const char *name;  /* dataset name: letters, digits, '_' */
  const char *units; /* stored as the dataset's units attribute */
  const double *data;
} mn_fields_array;

/* Starts a writer for the output directory PREFIX: the snapshots go into
 * PREFIX/fields/ when PREFIX is a directory already, else into
 * PREFIX.fields.tmp.PID (on its file system). `fields` is the set of
 * mn_field_id bits the typed writers below store (MN_FIELD_ALL: all). */
int mn_fields_create(mn_fields **out, const char *prefix, unsigned fields, char *err,
                     size_t errlen);

/* Stores one snapshot of arrays on grid g as /MESH/tTTTTTT.TTTh in its own
 * file (mesh: lower-case path such as "acute/s1"), synced and renamed into
 * place. A mesh's grid is fixed by its first snapshot. A second snapshot of
 * a mesh at the same time (to the millisecond-hour of its name) is
 * skipped. */
int mn_fields_write(mn_fields *w, const char *mesh, int session, double time_h, double requested_h,
                    const mn_grid *g, const mn_fields_array *arrays, size_t n, char *err,
                    size_t errlen);

/* The chosen acute fields of a tissue (mesh acute/sSESSION). */
int mn_fields_write_acute(mn_fields *w, int session, double time_h, double requested_h,
                          const mn_tissue *t, char *err, size_t errlen);

/* The chosen healing fields (mesh healing); fibroblasts and collagen_III are
 * the sums of their resting/active and structural/new parts. */
int mn_fields_write_healing(mn_fields *w, double time_h, double requested_h, const mn_healing *h,
                            char *err, size_t errlen);

/* Snapshots stored so far. */
size_t mn_fields_count(const mn_fields *w);

/* The first n snapshots as text (one line each: mesh, group, time_h, cell
 * counts, field names), for a checkpoint; *text is malloc'd. */
int mn_fields_list(const mn_fields *w, size_t n, char **text, char *err, size_t errlen);

/* Takes up the snapshots of a list (mn_fields_list; NULL: none) in a new
 * writer inside the output directory: a resumed run's. Each listed file must
 * be there. Snapshots taken again later are skipped as repeats. */
int mn_fields_resume(mn_fields *w, const char *list, char *err, size_t errlen);

/* Moves the snapshots into DIR/fields/ (when they are not there already),
 * writes DIR/fields.xdmf (atomically) and removes the files in DIR/fields/
 * it does not name (an earlier run's); *w is destroyed and set to NULL
 * either way. */
int mn_fields_commit(mn_fields **w, const char *dir, char *err, size_t errlen);

/* Lets the writer go: a temporary directory is removed; snapshots inside
 * the output directory stay (an interrupted run's, for its resumption). */
void mn_fields_destroy(mn_fields **w);

/* Lets the writer go and removes every snapshot it wrote (a failed run's),
 * and DIR/fields/ when that leaves it empty. */
void mn_fields_discard(mn_fields **w);

/* The snapshot times of a protocol on the course clock (hours): the
 * multiples of output.fields_every_h from 0 to the end of the course merged
 * with output.fields_at_h, increasing, each once. *times is malloc'd (NULL
 * when there are none). */
int mn_fields_times(const mn_protocol *p, double **times, size_t *n, char *err, size_t errlen);

/* Whether a protocol asks for any snapshot at all. */
int mn_fields_wanted(const mn_protocol *p);

#endif /* MN_IO_FIELDS_H */
