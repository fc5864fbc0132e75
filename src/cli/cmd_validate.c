#define _POSIX_C_SOURCE 200809L
/*
 * mnlab validate: runs the calibration cases of data/validation/ and prints
 * model against measurement, with the source and pass/fail of each. Each
 * protocol a case names is run once, however many cases read it.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pen_params.h"
#include "course/course.h"
#include "io/datadir.h"
#include "io/params.h"
#include "io/protocol.h"
#include "io/summary.h"
#include "io/validation.h"
#include "mnpen_host/sil_strokes.h"

static void validate_help(FILE *out) {
  fprintf(out, "usage: mnlab validate [--json] [--quiet] [--case NAME] [--ideal-strokes]\n"
               "\n"
               "Runs every validation case of data/validation/ (one published measurement\n"
               "each: the protocol that sets up the experiment, the summary figure compared,\n"
               "and the range accepted, fixed from the publication) and prints model,\n"
               "measurement, accepted range, source and pass/fail.\n"
               "\n"
               "A case is a calibration when a model parameter or an unpublished detail of\n"
               "its experiment was fitted to it (its pass, shown 'pass (fitted)', shows the\n"
               "fit holds through the whole pipeline), or a check when nothing was fitted to\n"
               "it (docs/model.md lists what was fitted to what).\n"
               "\n"
               "  --json           {\"cases\": [{\"case\", \"metric\", \"model\", \"measured\",\n"
               "                   \"accept\", \"source\", \"role\", \"pass\"}], \"passed\",\n"
               "                   \"failed\", \"checks_passed\", \"checks_failed\"}\n"
               "  --quiet          no 'running PROTOCOL' lines on stderr\n"
               "  --case NAME      only this case (repeatable)\n"
               "  --ideal-strokes  strokes at the ideal rate instead of the pen's firmware run\n"
               "\n"
               "exit status: 0 every case passed, 1 a case failed or could not run,\n"
               "2 bad usage or a malformed case file.\n");
}

static int selected(const mn_validation_case *c, char **only, int nonly) {
  if (nonly == 0) {
    return 1;
  }
  for (int i = 0; i < nonly; i++) {
    if (strcmp(only[i], c->name) == 0) {
      return 1;
    }
  }
  return 0;
}

int mn_cli_validate(int argc, char **argv) {
  int json = 0, quiet = 0, ideal = 0, nonly = 0;
  char *only[64];
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      validate_help(stdout);
      return MN_CLI_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if (strcmp(argv[i], "--ideal-strokes") == 0) {
      ideal = 1;
    } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc && nonly < 64) {
      only[nonly++] = argv[++i];
    } else {
      fprintf(stderr, "mnlab validate: unknown option '%s' (see mnlab validate --help)\n", argv[i]);
      return MN_CLI_EUSAGE;
    }
  }
  char err[1024] = "", dir[4096];
  snprintf(dir, sizeof dir, "%s/validation", mn_data_dir());
  mn_validation_case *cases = NULL;
  size_t n = 0;
  if (mn_validation_cases_load(dir, &cases, &n, err, sizeof err) != 0) {
    fprintf(stderr, "mnlab validate: %s\n", err);
    return MN_CLI_EUSAGE;
  }
  for (int i = 0; i < nonly; i++) {
    int found = 0;
    for (size_t k = 0; k < n; k++) {
      found |= strcmp(cases[k].name, only[i]) == 0;
    }
    if (!found) {
      fprintf(stderr, "mnlab validate: no case '%s' in %s\n", only[i], dir);
      free(cases);
      return MN_CLI_EUSAGE;
    }
  }

  mn_params *pen = NULL;
  if (!ideal && mn_cli_pen_params(&pen, err, sizeof err) != 0) {
    fprintf(stderr, "mnlab validate: %s\n", err);
    free(cases);
    return MN_CLI_EFAIL;
  }

  /* Run each protocol once; keep its summary for every case reading it. */
  json_t **summaries = calloc(n ? n : 1, sizeof(json_t *));
  char **run_errors = calloc(n ? n : 1, sizeof *run_errors);
  double *model = calloc(n ? n : 1, sizeof *model);
  int passed = 0, failed = 0, checks_passed = 0, checks_failed = 0;
  for (size_t k = 0; k < n; k++) {
    if (!selected(&cases[k], only, nonly)) {
      continue;
    }
    for (size_t j = 0; j < k && summaries[k] == NULL && run_errors[k] == NULL; j++) {
      if (strcmp(cases[j].protocol, cases[k].protocol) == 0 &&
          (summaries[j] != NULL || run_errors[j] != NULL)) {
        summaries[k] = summaries[j] ? json_incref(summaries[j]) : NULL;
        run_errors[k] = run_errors[j] ? strdup(run_errors[j]) : NULL;
      }
    }
    if (summaries[k] == NULL && run_errors[k] == NULL) {
      if (!json && !quiet) {
        fprintf(stderr, "running %s ...\n", cases[k].protocol);
      }
      char ppath[4096];
      snprintf(ppath, sizeof ppath, "%s/protocols/%s", mn_data_dir(), cases[k].protocol);
      mn_protocol p;
      mn_course_options o;
      mn_course_options_default(&o);
      o.stroke_source = ideal ? NULL : mnpen_sil_stroke_source;
      o.stroke_ctx = pen;
      mn_course_result r;
      if (mn_protocol_load(&p, ppath, mn_data_dir(), err, sizeof err) != 0 ||
          mn_course_run(&p, &o, &r, err, sizeof err) != 0) {
        run_errors[k] = strdup(err);
      } else {
        summaries[k] = mn_summary_build(&p, &r);
        mn_course_result_free(&r);
      }
    }
    model[k] = mn_validation_metric_value(summaries[k], cases[k].metric);
    int ok = !isnan(model[k]) && model[k] >= cases[k].accept_lo && model[k] <= cases[k].accept_hi;
    ok ? passed++ : failed++;
    if (!cases[k].calibration) {
      ok ? checks_passed++ : checks_failed++;
    }
  }

  json_t *out = json_array();
  int wcase = 4, wmetric = 6; /* column widths: the longest name and metric */
  if (!json) {
    for (size_t k = 0; k < n; k++) {
      if (selected(&cases[k], only, nonly)) {
        wcase = (int)fmax(wcase, (double)strlen(cases[k].name));
        wmetric = (int)fmax(wmetric, (double)strlen(cases[k].metric));
      }
    }
    printf("%-*s %-*s %10s %10s %19s  %s\n", wcase, "case", wmetric, "metric", "model", "measured",
           "accepted", "result");
  }
  for (size_t k = 0; k < n; k++) {
    if (!selected(&cases[k], only, nonly)) {
      continue;
    }
    const mn_validation_case *c = &cases[k];
    int ok = !isnan(model[k]) && model[k] >= c->accept_lo && model[k] <= c->accept_hi;
    if (json) {
      json_t *o = json_object();
      json_object_set_new(o, "case", json_string(c->name));
      json_object_set_new(o, "metric", json_string(c->metric));
      json_object_set_new(o, "model", isnan(model[k]) ? json_null() : json_real(model[k]));
      json_object_set_new(o, "measured", json_real(c->measured));
      json_object_set_new(o, "accept", json_pack("[f, f]", c->accept_lo, c->accept_hi));
      json_object_set_new(o, "tolerance", json_string(c->tolerance));
      json_object_set_new(o, "source", json_string(c->source));
      json_object_set_new(o, "role", json_string(c->calibration ? "calibration" : "check"));
      json_object_set_new(o, "protocol", json_string(c->protocol));
      json_object_set_new(o, "pass", json_boolean(ok));
      if (run_errors[k]) {
        json_object_set_new(o, "error", json_string(run_errors[k]));
      }
      json_array_append_new(out, o);
    } else {
      char model_s[32], range_s[48];
      if (isnan(model[k])) {
        snprintf(model_s, sizeof model_s, "%s", run_errors[k] ? "error" : "n/a");
      } else {
        snprintf(model_s, sizeof model_s, "%.4g", model[k]);
      }
      snprintf(range_s, sizeof range_s, "[%g, %g]", c->accept_lo, c->accept_hi);
      printf("%-*s %-*s %10s %10.4g %19s  %s\n", wcase, c->name, wmetric, c->metric, model_s,
             c->measured, range_s,
             !ok              ? "FAIL"
             : c->calibration ? "pass (fitted)"
                              : "pass");
      printf("    %s\n", c->source);
      if (run_errors[k]) {
        printf("    run failed: %s\n", run_errors[k]);
      }
    }
  }
  if (json) {
    json_t *o = json_object();
    json_object_set_new(o, "cases", out);
    json_object_set_new(o, "passed", json_integer(passed));
    json_object_set_new(o, "failed", json_integer(failed));
    json_object_set_new(o, "checks_passed", json_integer(checks_passed));
    json_object_set_new(o, "checks_failed", json_integer(checks_failed));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    fputc('\n', stdout);
    json_decref(o);
  } else {
    json_decref(out);
    printf("\n%d passed, %d failed; of them checks (nothing fitted to them): %d passed, %d "
           "failed\n",
           passed, failed, checks_passed, checks_failed);
  }
  for (size_t k = 0; k < n; k++) {
    json_decref(summaries[k]);
    free(run_errors[k]);
  }
  free(summaries);
  free(run_errors);
  free(model);
  free(cases);
  mn_params_destroy(&pen);
  return failed ? MN_CLI_EFAIL : MN_CLI_OK;
}
