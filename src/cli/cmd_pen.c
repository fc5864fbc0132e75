/* mnlab pen: placeholder until the software-in-the-loop port lands. */
#include <stdio.h>

#include "cli/cli.h"

int mn_cli_pen(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "mnlab pen: not built yet\n");
  return MN_CLI_EFAIL;
}
