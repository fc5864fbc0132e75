/*
 * mnlab params: every model parameter in data/ with its value, unit and
 * source, or the reasoning behind it when it is an estimate.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "io/datadir.h"
#include "io/params.h"
#include "io/params_tree.h"

static void params_help(FILE *out) {
  fprintf(out, "usage: mnlab params [--json] [--quiet] [--estimates] [PREFIX]\n"
               "\n"
               "Lists every model parameter under data/ (MNLAB_DATA): key, value, unit,\n"
               "and its published source, or 'estimate' with the reasoning when the\n"
               "literature gives no number.\n"
               "\n"
               "  --json       one JSON object: {\"parameters\": [{key, value, unit, source,\n"
               "               estimate, file, line}], \"count\", \"estimates\"}\n"
               "  --quiet      accepted for symmetry: the listing prints no progress\n"
               "  --estimates  only the estimates\n"
               "  PREFIX       only keys starting with it, e.g. motor. or firmware.\n"
               "\n"
               "examples:\n"
               "  mnlab params motor.\n"
               "  mnlab params --estimates --json\n");
}

int mn_cli_params(int argc, char **argv) {
  int json = 0, only_estimates = 0;
  const char *prefix = "";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      params_help(stdout);
      return MN_CLI_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      /* nothing to silence */
    } else if (strcmp(argv[i], "--estimates") == 0) {
      only_estimates = 1;
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "mnlab params: unknown option '%s' (see mnlab params --help)\n", argv[i]);
      return MN_CLI_EUSAGE;
    } else {
      prefix = argv[i];
    }
  }
  char err[512] = "";
  mn_params *t = NULL;
  if (mn_params_create(&t) != 0 || mn_params_load_tree(t, mn_data_dir(), err, sizeof err) != 0) {
    fprintf(stderr, "mnlab params: %s\n", err[0] ? err : "out of memory");
    mn_params_destroy(&t);
    return MN_CLI_EFAIL;
  }
  json_t *list = json_array();
  size_t shown = 0, estimates = 0;
  for (size_t i = 0; i < mn_params_count(t); i++) {
    const mn_param *p = mn_params_at(t, i);
    if (strncmp(p->key, prefix, strlen(prefix)) != 0 || (only_estimates && !p->estimate)) {
      continue;
    }
    shown++;
    estimates += p->estimate != NULL;
    if (json) {
      json_t *o = json_object();
      json_object_set_new(o, "key", json_string(p->key));
      if (p->is_table) {
        json_t *v = json_array();
        for (size_t k = 0; k < p->count; k++) {
          json_array_append_new(v, json_real(p->values[k]));
        }
        json_object_set_new(o, "value", v);
      } else {
        json_object_set_new(o, "value", json_real(p->value));
      }
      json_object_set_new(o, "unit", json_string(p->unit));
      json_object_set_new(o, "source", p->source ? json_string(p->source) : json_null());
      json_object_set_new(o, "estimate", json_boolean(p->estimate != NULL));
      if (p->estimate) {
        json_object_set_new(o, "reasoning", json_string(p->estimate));
      }
      json_object_set_new(o, "file", json_string(p->file));
      json_object_set_new(o, "line", json_integer(p->line));
      json_array_append_new(list, o);
    } else {
      if (p->is_table) {
        printf("%-40s [%zu values] %s\n", p->key, p->count, p->unit);
      } else {
        printf("%-40s %-12g %s\n", p->key, p->value, p->unit);
      }
      printf("    %s: %s\n", p->estimate ? "estimate" : "source",
             p->estimate ? p->estimate : p->source);
    }
  }
  if (json) {
    json_t *o = json_object();
    json_object_set_new(o, "parameters", list);
    json_object_set_new(o, "count", json_integer((json_int_t)shown));
    json_object_set_new(o, "estimates", json_integer((json_int_t)estimates));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
    json_decref(o);
  } else {
    json_decref(list);
    printf("\n%zu parameters, %zu of them estimates\n", shown, estimates);
  }
  mn_params_destroy(&t);
  return MN_CLI_OK;
}
