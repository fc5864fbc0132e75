/*
 * Output directories that appear whole or not at all.
 *
 * A run writes into a staging directory beside the target (DIR.partial-PID)
 * and renames it to DIR when every file is written; a failed or killed run
 * leaves no DIR behind. A failed run removes its staging directory; a killed
 * one cannot, so the next run into DIR removes the staging directories whose
 * process is gone.
 * When DIR already exists (a re-run, or a run that keeps a checkpoint in
 * DIR and so makes it at the start), files are written into it directly,
 * each one atomically, so an old result is replaced file by file and never
 * truncated.
 */
#ifndef MN_IO_OUTDIR_H
#define MN_IO_OUTDIR_H

#include <stddef.h>

typedef struct {
  char *target;  /* the directory the user asked for */
  char *staging; /* where files go now: the target itself, or a staging dir */
  int staged;    /* 1 when staging is a temporary to rename */
} mn_outdir;

enum { MN_OUTDIR_OK = 0, MN_OUTDIR_EIO = -1, MN_OUTDIR_ENOMEM = -2 };

int mn_outdir_begin(mn_outdir *o, const char *target, char *err, size_t errlen);
/* Path of a file inside the output directory (into buf). */
const char *mn_outdir_path(const mn_outdir *o, const char *name, char *buf, size_t buflen);
int mn_outdir_commit(mn_outdir *o, char *err, size_t errlen);
void mn_outdir_abort(mn_outdir *o);

/* Removes the temporaries (NAME.tmp.PID) that killed runs left in dir: those
 * whose process no longer exists. A live run's are left alone. Returns how
 * many were removed. mn_outdir_begin does this to an existing DIR. */
int mn_outdir_sweep(const char *dir);

#endif /* MN_IO_OUTDIR_H */
