/*
 * mnlab: the command-line front door. Dispatches to one subcommand per stage
 * of the pipeline; each subcommand parses its own options and prints. No
 * model logic lives here.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const mn_cli_command commands[] = {
    {"run", "run a treatment protocol end to end and write its results", mn_cli_run},
    {"protocols", "list the built-in treatment protocols", mn_cli_protocols},
    {"validate", "compare the model with published measurements", mn_cli_validate},
    {"pen", "run the pen's firmware against its physics (software-in-the-loop)", mn_cli_pen},
    {"params", "list every model parameter with its unit and source", mn_cli_params},
};

static void usage(FILE *out) {
  fprintf(out, "usage: mnlab [--version] [--help] COMMAND [ARGS]\n\n"
               "mnlab simulates microneedling: the pen (firmware and physics) and the skin.\n\n"
               "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  }
  fprintf(out, "\nRun 'mnlab COMMAND --help' for a command's options and examples.\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return MN_CLI_EUSAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("mnlab %s\n", MN_VERSION);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name) == 0) {
      return commands[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "mnlab: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return MN_CLI_EUSAGE;
}
