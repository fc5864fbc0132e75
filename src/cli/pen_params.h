/*
 * The pen's parameter table (data/pen) for the commands that run the pen's
 * firmware in the loop: `mnlab pen` itself, and run, compare and validate
 * when their strokes come from the pen rather than the ideal rate.
 */
#ifndef MN_CLI_PEN_PARAMS_H
#define MN_CLI_PEN_PARAMS_H

#include <stddef.h>

#include "io/params.h"

/* Loads DATA/pen into a new table (*out; NULL and err filled on failure). */
int mn_cli_pen_params(mn_params **out, char *err, size_t errlen);

#endif /* MN_CLI_PEN_PARAMS_H */
