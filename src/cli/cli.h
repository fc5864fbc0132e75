/*
 * Subcommands of the mnlab executable. Each takes the arguments after
 * "mnlab" (argv[0] is the command name) and returns the process exit status:
 * 0 success, 1 the run failed (model or I/O error), 2 bad usage or input.
 * Every subcommand takes --json (one JSON document on stdout, nothing else)
 * and --quiet (no progress or chatter on stderr).
 */
#ifndef MN_CLI_H
#define MN_CLI_H

enum { MN_CLI_OK = 0, MN_CLI_EFAIL = 1, MN_CLI_EUSAGE = 2 };

typedef struct {
  const char *name;
  const char *summary;
  int (*run)(int argc, char **argv);
} mn_cli_command;

int mn_cli_pen(int argc, char **argv);
int mn_cli_params(int argc, char **argv);
int mn_cli_run(int argc, char **argv);
int mn_cli_validate(int argc, char **argv);
int mn_cli_protocols(int argc, char **argv);
int mn_cli_compare(int argc, char **argv);

#endif /* MN_CLI_H */
