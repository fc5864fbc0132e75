/*
 * mnlab: the command-line front door. Dispatches to one subcommand per stage
 * of the pipeline; each subcommand parses its own options and prints. No
 * model logic lives here.
 *
 * Conventions every subcommand keeps: results on stdout, messages and
 * progress on stderr; --json prints one JSON document on stdout and nothing
 * else; --quiet silences progress and chatter; exit status 0 done, 1 failed,
 * 2 bad usage or input.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* Where an installed mnlab finds its data, relative to the directory of the
 * executable (set by the install rules; this is the default layout). */
#ifndef MN_INSTALLED_DATA_REL
#define MN_INSTALLED_DATA_REL "../share/mnlab/data"
#endif

static const mn_cli_command commands[] = {
    {"run", "run a treatment protocol end to end and write its results", mn_cli_run},
    {"compare", "run two protocols and report them side by side", mn_cli_compare},
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

/* An installed mnlab (PREFIX/bin/mnlab) reads the data installed beside it
 * (PREFIX/share/mnlab/data), wherever the prefix was moved, rather than the
 * source tree it was built from. MNLAB_DATA, when set, wins; a build-tree
 * mnlab has no such directory beside it and keeps the configured one. */
static void use_installed_data(void) {
  const char *env = getenv("MNLAB_DATA");
  if (env != NULL && env[0] != '\0') {
    return;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    return;
  }
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash == NULL) {
    return;
  }
  *slash = '\0';
  char guess[8192];
  snprintf(guess, sizeof guess, "%s/%s", exe, MN_INSTALLED_DATA_REL);
  char *data = realpath(guess, NULL);
  if (data != NULL) {
    setenv("MNLAB_DATA", data, 1);
    free(data);
  }
}

int main(int argc, char **argv) {
  use_installed_data();
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
