/*
 * mnlab run: runs a treatment protocol through the whole pipeline and
 * writes its results into an output directory. Parsing, progress and
 * printing only; the run is mn_course_run().
 */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/pen_params.h"
#include "cli/progress.h"
#include "cli/run_checkpoint.h"
#include "course/course.h"
#include "io/datadir.h"
#include "io/fields.h"
#include "io/outdir.h"
#include "io/params.h"
#include "io/protocol.h"
#include "io/summary.h"
#include "mnpen_host/sil_strokes.h"
#include "report/report.h"

static void run_help(FILE *out) {
  fprintf(out, "usage: mnlab run [PROTOCOL.yaml] [-o DIR] [--ideal-strokes] [--json] [--quiet]\n"
               "                 [--checkpoint-every SECONDS | --no-checkpoint]\n"
               "       mnlab run --resume DIR [--json] [--quiet] [--checkpoint-every SECONDS]\n"
               "\n"
               "Runs a treatment protocol end to end: the pen's firmware drives the pen's\n"
               "physics to give the strokes, the cartridge is stamped along the glide path,\n"
               "the skin model follows the microchannels through the first 72 h after each\n"
               "session (barrier, topical permeation, inflammation), and the healing stage\n"
               "carries the whole course (growth factors, fibroblasts, collagen III -> I,\n"
               "elastin, epidermis) to the end of the follow-up. Without a protocol it runs\n"
               "the built-in default (a 4-session cheek course followed 3 months).\n"
               "\n"
               "options:\n"
               "  -o, --output DIR   where to write the results (default: out)\n"
               "  --ideal-strokes    strokes at the ideal rate instead of the pen's\n"
               "                     software-in-the-loop run\n"
               "  --json             print summary.json on stdout instead of the report\n"
               "  --quiet            no progress bar\n"
               "  --checkpoint-every SECONDS\n"
               "                     wall time between checkpoints (default 60; 0: at every\n"
               "                     safe point: each daily healing sample and the end of\n"
               "                     each session)\n"
               "  --no-checkpoint    keep no checkpoint (DIR then appears only at the end)\n"
               "  --resume DIR       continue the interrupted run in DIR from its\n"
               "                     checkpoint; the protocol, stroke source and thread\n"
               "                     count are the checkpoint's, and the results are the\n"
               "                     uninterrupted run's, bit for bit\n"
               "\n"
               "writes:\n"
               "  DIR/report.html      the report: protocol, key figures with definitions,\n"
               "                       plots (fig-*.png and fig-*.svg beside it)\n"
               "  DIR/summary.json     key figures (schema mnlab.summary/1; docs/model.md)\n"
               "  DIR/timeseries.csv   time_h, session, tewl_g_m2_h, open_channel_fraction,\n"
               "                       barrier_open_fraction, flux_ug_cm2_h, cumulative_ug_cm2,\n"
               "                       erythema_index (acute rows, hours), collagen_I,\n"
               "                       collagen_III, elastin, fibroblasts, growth_factor,\n"
               "                       inflammation, epidermis_um (healing rows, daily); a\n"
               "                       column a row's stage does not fill is empty\n"
               "  DIR/fields/*.h5      3D fields at the protocol's snapshot times, one HDF5\n"
               "                       file per snapshot (float32; h5dump reads them)\n"
               "  DIR/fields.xdmf      all of them for ParaView (open this one)\n"
               "Snapshots (protocol key output): fields_every_h: H (every H hours of the\n"
               "course clock), fields_at_h: [t1, t2, ...] (hours since the first session),\n"
               "fields: [water, compound, signal, growth, wound, open (acute grid);\n"
               "inflammation, debris, tgf, pdgf, fibroblasts, fibroblasts_active,\n"
               "collagen_I, collagen_III, collagen_III_new, elastin (healing grid)], default\n"
               "all; milestones: true (default) adds the end of the first acute phase and\n"
               "the course's start and end; fields: [] writes no fields (docs/outputs.md).\n"
               "  DIR/checkpoint.h5    while the run goes, and after an interruption: the\n"
               "                       state at the last safe point (docs/outputs.md)\n"
               "DIR is made at the start and holds checkpoint.h5 until the results are in;\n"
               "every file is written atomically (temporary + rename), so a killed run\n"
               "never leaves a truncated one (a checkpointed run's field snapshots are\n"
               "final as soon as taken, so a resumed run has them all), and checkpoint.h5\n"
               "is removed last: a DIR without it holds a finished run. A failed run\n"
               "removes the DIR it made.\n"
               "Ctrl-C (SIGINT) or SIGTERM stops the run at the next step and keeps the\n"
               "checkpoint; continue with mnlab run --resume DIR.\n"
               "\n"
               "examples:\n"
               "  mnlab run\n"
               "  mnlab run data/protocols/cheek-naloxone.yaml -o cheek\n"
               "  mnlab protocols   (lists the built-in protocols)\n"
               "\n"
               "exit status: 0 done, 1 the run failed (or a checkpoint to resume is damaged\n"
               "or from other data), 2 bad usage or a malformed protocol (the message names\n"
               "file, line and key) or no checkpoint to resume, 3 interrupted (resume with\n"
               "mnlab run --resume DIR).\n");
}

/* The course driver's snapshots, stored by the fields writer. */
static int on_snapshot(void *ctx, const mn_course_snapshot *s, char *err, size_t errlen) {
  if (s->tissue != NULL) {
    return mn_fields_write_acute(ctx, s->session, s->time_h, s->requested_h, s->tissue, err,
                                 errlen);
  }
  return mn_fields_write_healing(ctx, s->time_h, s->requested_h, s->healing, err, errlen);
}

int mn_cli_run(int argc, char **argv) {
  const char *protocol_path = NULL;
  const char *out_dir = "out";
  int ideal = 0, quiet = 0, json = 0;
  const char *resume_dir = NULL;
  int keep_checkpoint = 1, given_output = 0;
  double every_s = MN_CLI_CHECKPOINT_EVERY_S;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      run_help(stdout);
      return MN_CLI_OK;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "mnlab run: %s needs a directory (see mnlab run --help)\n", a);
        return MN_CLI_EUSAGE;
      }
      out_dir = argv[++i];
      given_output = 1;
    } else if (strcmp(a, "--resume") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "mnlab run: --resume needs a directory (see mnlab run --help)\n");
        return MN_CLI_EUSAGE;
      }
      resume_dir = argv[++i];
    } else if (strcmp(a, "--checkpoint-every") == 0) {
      char *end = NULL;
      every_s = i + 1 < argc ? strtod(argv[i + 1], &end) : -1.0;
      if (end == NULL || *end != '\0' || end == argv[i + 1] || !(every_s >= 0.0)) {
        fprintf(stderr,
                "mnlab run: --checkpoint-every needs seconds >= 0 (see mnlab run --help)\n");
        return MN_CLI_EUSAGE;
      }
      i++;
    } else if (strcmp(a, "--no-checkpoint") == 0) {
      keep_checkpoint = 0;
    } else if (strcmp(a, "--ideal-strokes") == 0) {
      ideal = 1;
    } else if (strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
    } else if (a[0] == '-') {
      fprintf(stderr, "mnlab run: unknown option '%s' (see mnlab run --help)\n", a);
      return MN_CLI_EUSAGE;
    } else if (protocol_path == NULL) {
      protocol_path = a;
    } else {
      fprintf(stderr, "mnlab run: one protocol at a time ('%s' and '%s')\n", protocol_path, a);
      return MN_CLI_EUSAGE;
    }
  }

  if (resume_dir != NULL && (protocol_path != NULL || given_output || ideal || !keep_checkpoint)) {
    fprintf(stderr, "mnlab run: --resume takes the protocol, the output directory and the stroke "
                    "source from the checkpoint; give only DIR (see mnlab run --help)\n");
    return MN_CLI_EUSAGE;
  }
  char err[1024] = "";
  mn_protocol p;
  mn_protocol_builtin(&p);
  mn_cli_checkpoint ckpt;
  mn_course_state resume_state;
  int nthreads = 0;
  memset(&ckpt, 0, sizeof ckpt);
  memset(&resume_state, 0, sizeof resume_state);
  if (resume_dir != NULL) {
    int crc = mn_cli_checkpoint_resume(&ckpt, resume_dir, every_s, &p, &ideal, &nthreads,
                                       &resume_state, err, sizeof err);
    if (crc != 0) {
      fprintf(stderr, "mnlab run: %s\n", err);
      mn_cli_checkpoint_free(&ckpt);
      return crc == MN_CHECKPOINT_ENOENT ? MN_CLI_EUSAGE : MN_CLI_EFAIL;
    }
    out_dir = resume_dir;
  } else if (protocol_path != NULL &&
             mn_protocol_load(&p, protocol_path, mn_data_dir(), err, sizeof err) != 0) {
    fprintf(stderr, "mnlab run: %s\n", err);
    return MN_CLI_EUSAGE; /* nothing written: the output directory is not made yet */
  }

  /* The pen's firmware-in-the-loop runs need data/pen. */
  mn_params *pen = NULL;
  if (!ideal && mn_cli_pen_params(&pen, err, sizeof err) != 0) {
    fprintf(stderr, "mnlab run: %s\n", err);
    mn_course_state_free(&resume_state);
    mn_cli_checkpoint_free(&ckpt);
    return MN_CLI_EFAIL;
  }

  mn_cli_progress bar;
  mn_cli_progress_init(&bar, quiet);
  mn_course_options o;
  mn_course_options_default(&o);
  o.stroke_source = ideal ? NULL : mnpen_sil_stroke_source;
  o.stroke_ctx = pen;
  o.progress = mn_cli_progress_update;
  o.progress_ctx = &bar;
  /* The checkpoint lives in DIR, which therefore exists from the start. */
  if (resume_dir == NULL && keep_checkpoint &&
      mn_cli_checkpoint_begin(&ckpt, out_dir, protocol_path, &p, ideal, &nthreads, every_s, err,
                              sizeof err) != 0) {
    fprintf(stderr, "mnlab run: %s\n", err);
    mn_cli_checkpoint_free(&ckpt);
    mn_params_destroy(&pen);
    return MN_CLI_EFAIL;
  }
  /* Field snapshots go straight into DIR/fields/ when the checkpoint made
   * DIR already (each durable once taken; a resumed run starts from the
   * list its checkpoint kept), else beside DIR until the end. */
  mn_fields *fields = NULL;
  double *snap_h = NULL;
  if (mn_fields_wanted(&p) &&
      (mn_fields_times(&p, &snap_h, &o.nsnapshot_h, err, sizeof err) != 0 ||
       mn_fields_create(&fields, out_dir, p.output.fields, err, sizeof err) != 0 ||
       (resume_dir != NULL &&
        mn_fields_resume(fields, ckpt.run.field_snapshots, err, sizeof err) != 0))) {
    fprintf(stderr, "mnlab run: %s\n", err);
    mn_fields_destroy(&fields);
    free(snap_h);
    mn_params_destroy(&pen);
    mn_course_state_free(&resume_state);
    mn_cli_checkpoint_fail(&ckpt);
    mn_cli_checkpoint_free(&ckpt);
    return MN_CLI_EFAIL;
  }
  if (fields != NULL) {
    o.snapshot = on_snapshot;
    o.snapshot_ctx = fields;
    o.snapshot_h = snap_h;
    o.snapshot_milestones = p.output.milestones;
  }

  if (resume_dir != NULL || keep_checkpoint) {
    o.nthreads = nthreads;
    o.resume = resume_dir != NULL ? &resume_state : NULL;
    mn_cli_checkpoint_attach(&ckpt, &o, fields);
  }

  mn_course_result r;
  int rc = mn_course_run(&p, &o, &r, err, sizeof err);
  mn_params_destroy(&pen);
  free(snap_h);
  mn_course_state_free(&resume_state);
  if (rc != 0) {
    int interrupted = rc == MN_COURSE_ESTOPPED && mn_cli_checkpoint_interrupted();
    if (interrupted || resume_dir != NULL) {
      mn_fields_destroy(&fields); /* the snapshots stay with the checkpoint kept */
    } else {
      mn_fields_discard(&fields);
    }
    mn_cli_progress_abandon(&bar);
    if (interrupted) {
      fprintf(stderr,
              "mnlab run: %s: interrupted; %s holds the run's last safe point: continue with\n"
              "  mnlab run --resume %s\n",
              p.name, ckpt.path, out_dir);
      mn_cli_checkpoint_free(&ckpt);
      return MN_CLI_EINTERRUPTED;
    }
    mn_cli_checkpoint_fail(&ckpt);
    mn_cli_checkpoint_free(&ckpt);
    fprintf(stderr, "mnlab run: %s: %s\n", p.name, err);
    return MN_CLI_EFAIL;
  }

  mn_outdir od;
  char path[4096];
  rc = mn_outdir_begin(&od, out_dir, err, sizeof err);
  if (rc == 0) {
    rc = mn_summary_write(mn_outdir_path(&od, "summary.json", path, sizeof path), &p, &r, err,
                          sizeof err);
  }
  if (rc == 0) {
    rc = mn_table_write_csv(r.timeseries, mn_outdir_path(&od, "timeseries.csv", path, sizeof path),
                            err, sizeof err);
  }
  if (rc == 0) {
    rc = mn_report_write(od.staging, &p, &r, err, sizeof err);
  }
  /* After the report: a staging directory that fails before this holds
   * plain files only, which its removal handles. */
  if (rc == 0 && fields != NULL) {
    rc = mn_fields_commit(&fields, od.staging, err, sizeof err);
  }
  mn_fields_destroy(&fields);
  if (rc == 0) {
    rc = mn_outdir_commit(&od, err, sizeof err);
  } else if (od.target != NULL) {
    mn_outdir_abort(&od);
  }
  if (rc != 0) {
    fprintf(stderr, "mnlab run: %s\n", err);
    mn_course_result_free(&r);
    mn_cli_checkpoint_free(&ckpt); /* kept: a resume writes the results again */
    return MN_CLI_EFAIL;
  }
  mn_cli_checkpoint_finish(&ckpt); /* last: a DIR without it holds a finished run */
  mn_cli_checkpoint_free(&ckpt);

  if (json) {
    json_t *s = mn_summary_build(&p, &r);
    mn_course_result_free(&r);
    if (s == NULL || json_dumpf(s, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) != 0) {
      fprintf(stderr, "mnlab run: cannot print the summary\n");
      json_decref(s);
      return MN_CLI_EFAIL;
    }
    fputc('\n', stdout);
    json_decref(s);
    return MN_CLI_OK;
  }

  const mn_course_session *s0 = &r.sessions[0];
  printf("%s\n", p.name);
  printf("  punctures        %.0f per cm^2 (CV %.2f), channels %.0f um deep, %.0f um wide\n",
         s0->punctures.per_cm2, s0->punctures.density_cv, s0->punctures.depth_mean_um,
         s0->punctures.width_mean_um);
  printf("  barrier          TEWL %.1f -> %.1f g/m^2/h", s0->acute.tewl_baseline_g_m2_h,
         s0->acute.tewl_peak_g_m2_h);
  if (s0->acute.tewl_recovery_h >= 0.0) {
    printf(", back within 10 %% after %.1f h\n", s0->acute.tewl_recovery_h);
  } else {
    printf(", not recovered within %.0f h\n", r.acute_hours);
  }
  if (p.treatment.has_topical) {
    printf("  %-16s %.1f ug/cm^2 delivered, lag %.0f min, %.1fx intact skin\n",
           p.treatment.topical.compound, s0->acute.cumulative_ug_cm2, s0->acute.lag_time_h * 60.0,
           s0->acute.enhancement);
  }
  printf("  erythema         peak %.2f", s0->acute.erythema_peak);
  if (s0->acute.erythema_duration_h >= 0.0) {
    printf(", lasting %.1f h\n", s0->acute.erythema_duration_h);
  } else {
    printf("\n");
  }
  if (r.has_healing) {
    const mn_healing_summary *h = &r.healing;
    printf(
        "  healing (day %.0f) collagen %+.1f %% (I %+.1f %%, III %+.1f %%), I:III %.2f -> %.2f\n",
        h->t_days, h->collagen_total_change_pct, h->collagen_I_change_pct,
        h->collagen_III_change_pct, h->ratio_I_III_start, h->ratio_I_III_end);
    printf("                   elastin %+.1f %%, epidermis %+.1f %%, new-collagen CV ",
           h->elastin_change_pct, h->epidermis_change_pct);
    if (isfinite(h->new_collagen_cv)) {
      printf("%.3f\n", h->new_collagen_cv);
    } else {
      printf("n/a (too little new collagen)\n");
    }
  }
  printf("  sessions         %d; results in %s/ (report.html, summary.json, timeseries.csv%s)\n",
         r.nsessions, out_dir, p.output.fields != 0 && mn_fields_wanted(&p) ? ", fields.xdmf" : "");
  mn_course_result_free(&r);
  return MN_CLI_OK;
}
