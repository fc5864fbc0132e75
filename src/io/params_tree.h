/*
 * Loads every parameter file under data/: each subdirectory's *.yaml files
 * through mn_params_load_dir(), recursively, in sorted order. Directories
 * that hold other kinds of YAML (protocols, validation cases) are skipped.
 * `mnlab params` lists the result; models load only the folders they need.
 */
#ifndef MN_IO_PARAMS_TREE_H
#define MN_IO_PARAMS_TREE_H

#include <stddef.h>

#include "io/params.h"

int mn_params_load_tree(mn_params *t, const char *root, char *err, size_t errlen);

#endif /* MN_IO_PARAMS_TREE_H */
