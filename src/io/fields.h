/*
 * Field snapshots for ParaView: the 3D fields of a run at chosen times, in
 * DIR/fields.h5 (HDF5, readable by h5dump) with an XDMF 3 sidecar
 * DIR/fields.xdmf that ParaView opens (docs/outputs.md).
 *
 * Pipeline position: the course driver calls back at the protocol's
 * snapshot times (output block) with the acute tissue or the healing stage;
 * this module stores what it is shown. Layout of fields.h5:
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
 * coordinates and one cell-centred attribute per field. The HDF5 file
 * grows under a temporary name during the run (beside the output directory,
 * which a run creates only once it has succeeded) and mn_fields_commit moves
 * it into the directory and writes the XDMF file there atomically, so a
 * killed run never leaves a truncated file behind.
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

/* Starts the HDF5 file as PREFIX.fields.h5.tmp.PID (prefix: e.g. the output
 * directory's path; the temporary must be on its file system). `fields` is
 * the set of mn_field_id bits the typed writers below store (MN_FIELD_ALL:
 * all). */
int mn_fields_create(mn_fields **out, const char *prefix, unsigned fields, char *err,
                     size_t errlen);

/* Stores one snapshot of arrays on grid g as /MESH/tTTTTTT.TTTh (mesh:
 * lower-case path such as "acute/s1"). A mesh's grid is fixed by its first
 * snapshot. A second snapshot of a mesh at the same time (to the
 * millisecond-hour of its name) is skipped. */
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

/* Closes the HDF5 file and moves it to DIR/fields.h5, then writes
 * DIR/fields.xdmf (atomically); *w is destroyed and set to NULL either
 * way. */
int mn_fields_commit(mn_fields **w, const char *dir, char *err, size_t errlen);

/* Abandons the files (temporaries removed, the targets untouched). */
void mn_fields_destroy(mn_fields **w);

/* The snapshot times of a protocol on the course clock (hours): the
 * multiples of output.fields_every_h from 0 to the end of the course merged
 * with output.fields_at_h, increasing, each once. *times is malloc'd (NULL
 * when there are none). */
int mn_fields_times(const mn_protocol *p, double **times, size_t *n, char *err, size_t errlen);

/* Whether a protocol asks for any snapshot at all. */
int mn_fields_wanted(const mn_protocol *p);

#endif /* MN_IO_FIELDS_H */
