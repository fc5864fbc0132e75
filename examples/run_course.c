/*
 * run_course: a program of its own that drives a simulation through
 * libmnlab, the way the mnlab command does. It loads a treatment protocol,
 * lets the pen's firmware (software-in-the-loop) supply the strokes, runs the
 * course and prints the run's summary (schema mnlab.summary/1) as JSON on
 * stdout, with a one-line digest on stderr.
 *
 *   cc run_course.c $(pkg-config --cflags --libs mnlab) -o run_course
 *   ./run_course PROTOCOL.yaml
 *
 * Parameters and protocols are read from the installed data directory
 * (pkg-config --variable=datadir mnlab), or from MNLAB_DATA when set.
 */
#include <jansson.h>
#include <stdio.h>

#include "course/course.h"
#include "io/datadir.h"
#include "io/params.h"
#include "io/protocol.h"
#include "io/summary.h"
#include "mnpen_host/sil_strokes.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s PROTOCOL.yaml\n", argv[0]);
    return 2;
  }
  const char *data = mn_data_dir();
  char err[1024] = "";

  mn_protocol p;
  if (mn_protocol_load(&p, argv[1], data, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }

  /* The firmware-in-the-loop stroke source reads the pen's parameters. */
  char pen_dir[4096];
  snprintf(pen_dir, sizeof pen_dir, "%s/pen", data);
  mn_params *pen = NULL;
  if (mn_params_create(&pen) != 0 || mn_params_load_dir(pen, pen_dir, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err[0] ? err : "out of memory");
    mn_params_destroy(&pen);
    return 1;
  }

  mn_course_options o;
  mn_course_options_default(&o);
  o.data_dir = data;
  o.stroke_source = mnpen_sil_stroke_source;
  o.stroke_ctx = pen;

  mn_course_result r;
  int rc = mn_course_run(&p, &o, &r, err, sizeof err);
  mn_params_destroy(&pen);
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", p.name, err);
    return 1;
  }

  fprintf(stderr, "%s: %d session(s), %.0f punctures per cm^2 (CV %.3f)\n", p.name, r.nsessions,
          r.sessions[0].punctures.per_cm2, r.sessions[0].punctures.density_cv);
  json_t *summary = mn_summary_build(&p, &r);
  mn_course_result_free(&r);
  if (summary == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  json_dumpf(summary, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(8));
  fputc('\n', stdout);
  json_decref(summary);
  return 0;
}
