/*
 * Writes the factory record as C: designated initialisers for every field
 * of mnpen_config, integers only, in a fixed order and layout, so the file
 * is a pure function of the record (the cross build recompiles only when a
 * value changed, and two runs can be compared byte for byte).
 *
 * Every field of mnpen_config must appear below; a field left out would be
 * zero in the image. The host check (factory_check.c) compiles the written
 * file and compares it with the record built at run time, which catches a
 * field added to the firmware but not here.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "factory.h"

/* Key bytes per line of the master key initialiser. */
#define KEY_BYTES_PER_LINE 8u
/* Indentation step of the initialisers, in spaces. */
#define INDENT 4

static void put_u(FILE *f, int depth, const char *name, unsigned long long v) {
  fprintf(f, "%*s.%s = %lluu,\n", depth * INDENT, "", name, v);
}

static void put_i(FILE *f, int depth, const char *name, long long v) {
  fprintf(f, "%*s.%s = %lld,\n", depth * INDENT, "", name, v);
}

static void put_u16s(FILE *f, int depth, const char *name, const uint16_t *v, size_t n) {
  fprintf(f, "%*s.%s = {", depth * INDENT, "", name);
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "%s%uu", i ? ", " : "", (unsigned)v[i]);
  }
  fprintf(f, "},\n");
}

static void put_open(FILE *f, int depth, const char *name) {
  fprintf(f, "%*s.%s = {\n", depth * INDENT, "", name);
}

static void put_close(FILE *f, int depth) {
  fprintf(f, "%*s},\n", depth * INDENT, "");
}

static void put_key(FILE *f, int depth, const uint8_t *key, size_t n) {
  fprintf(f,
          "%*s/* The simulated pen's test key (mnpen_host_master_key(), the key the\n"
          "%*s * host's cartridge chip model is provisioned with): a build input\n"
          "%*s * anyone can read, not a secret. A production pen gets its maker's\n"
          "%*s * key in this record at the factory, never from the source tree. */\n",
          depth * INDENT, "", depth * INDENT, "", depth * INDENT, "", depth * INDENT, "");
  put_open(f, depth, "master_key");
  for (size_t i = 0; i < n; i++) {
    if (i % KEY_BYTES_PER_LINE == 0) {
      fprintf(f, "%*s", (depth + 1) * INDENT, "");
    }
    fprintf(f, "0x%02x,", (unsigned)key[i]);
    fputc((i + 1) % KEY_BYTES_PER_LINE == 0 || i + 1 == n ? '\n' : ' ', f);
  }
  put_close(f, depth);
}

static void put_record(FILE *f, const mnpen_config *c) {
  fprintf(f, "/*\n"
             " * Factory record of the pen: generated from data/pen by mnpen-factory;\n"
             " * do not edit.\n"
             " *\n"
             " * mnpen-factory loads the parameter files of data/pen and converts them\n"
             " * to the firmware's integer units exactly as the host port does\n"
             " * (mnpen_host_config_load, speed loop regulated). Change the data and\n"
             " * rebuild; the cross build regenerates this file.\n"
             " */\n"
             "#include \"mnpen/pen.h\"\n"
             "\n"
             "extern const mnpen_config mnpen_factory_config;\n"
             "\n"
             "const mnpen_config mnpen_factory_config = {\n");

  const mnpen_speed_config *s = &c->speed;
  put_open(f, 1, "speed");
  put_u(f, 2, "ke_nv_per_mhz", s->ke_nv_per_mhz);
  put_u(f, 2, "r_mohm", s->r_mohm);
  put_u(f, 2, "ir_comp_pct", s->ir_comp_pct);
  put_i(f, 2, "kp_q16", s->kp_q16);
  put_i(f, 2, "ki_q16", s->ki_q16);
  put_u(f, 2, "ramp_mhz_per_tick", s->ramp_mhz_per_tick);
  put_u(f, 2, "nominal_mv", s->nominal_mv);
  put_i(f, 2, "current_limit_ma", s->current_limit_ma);
  put_close(f, 1);

  const mnpen_depth_config *d = &c->depth;
  put_open(f, 1, "depth");
  put_u(f, 2, "step_um", d->step_um);
  put_u(f, 2, "tolerance_um", d->tolerance_um);
  put_u(f, 2, "settle_ticks", d->settle_ticks);
  put_i(f, 2, "sensor_min_um", d->sensor_min_um);
  put_i(f, 2, "sensor_max_um", d->sensor_max_um);
  put_u(f, 2, "zone_count", d->zone_count);
  put_u16s(f, 2, "zone_max_um", d->zone_max_um, MNPEN_ZONES_MAX);
  put_close(f, 1);

  const mnpen_power_config *p = &c->power;
  put_open(f, 1, "power");
  put_u16s(f, 2, "ocv_mv", p->ocv_mv, MNPEN_OCV_POINTS);
  put_u(f, 2, "start_min_mv", p->start_min_mv);
  put_u(f, 2, "stop_mv", p->stop_mv);
  put_u(f, 2, "stop_ticks", p->stop_ticks);
  put_u(f, 2, "filter_shift", p->filter_shift);
  put_u(f, 2, "battery_min_mv", p->battery_min_mv);
  put_u(f, 2, "battery_max_mv", p->battery_max_mv);
  put_i(f, 2, "derate_dc", p->derate_dc);
  put_i(f, 2, "shutdown_dc", p->shutdown_dc);
  put_i(f, 2, "restart_dc", p->restart_dc);
  put_i(f, 2, "temp_min_dc", p->temp_min_dc);
  put_i(f, 2, "temp_max_dc", p->temp_max_dc);
  put_close(f, 1);

  const mnpen_guard_config *g = &c->guard;
  put_open(f, 1, "guard");
  put_i(f, 2, "over_current_ma", g->over_current_ma);
  put_u(f, 2, "over_current_ticks", g->over_current_ticks);
  put_u(f, 2, "stall_speed_pct", g->stall_speed_pct);
  put_u(f, 2, "stall_ticks", g->stall_ticks);
  put_u(f, 2, "start_grace_ticks", g->start_grace_ticks);
  put_i(f, 2, "current_min_ma", g->current_min_ma);
  put_i(f, 2, "current_max_ma", g->current_max_ma);
  put_u(f, 2, "over_speed_pct", g->over_speed_pct);
  put_u(f, 2, "over_speed_ticks", g->over_speed_ticks);
  put_u(f, 2, "emf_r_rise_pct", g->emf_r_rise_pct);
  put_u(f, 2, "plausible_tol_mhz", g->plausible_tol_mhz);
  put_u(f, 2, "plausible_tol_pct", g->plausible_tol_pct);
  put_u(f, 2, "implausible_ticks", g->implausible_ticks);
  put_close(f, 1);

  put_key(f, 1, c->master_key, MNPEN_CART_KEY_LEN);
  put_u(f, 1, "speed_default_mhz", c->speed_default_mhz);
  put_u(f, 1, "speed_step_mhz", c->speed_step_mhz);
  put_i(f, 1, "depth_default_um", c->depth_default_um);
  put_u(f, 1, "watchdog_us", c->watchdog_us);
  put_u(f, 1, "debounce_ticks", c->debounce_ticks);
  put_u(f, 1, "cart_answer_ticks", c->cart_answer_ticks);
  put_u(f, 1, "regulated", c->regulated);
  fprintf(f, "};\n");
}

int mnpen_factory_write(const mnpen_config *cfg, const char *path, char *err, size_t errlen) {
  static const char suffix[] = ".XXXXXX";
  size_t n = strlen(path) + sizeof suffix;
  char *tmp = malloc(n);
  if (tmp == NULL) {
    snprintf(err, errlen, "mnpen_factory_write: out of memory");
    return -1;
  }
  snprintf(tmp, n, "%s%s", path, suffix);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot create a temporary file: %s", path, strerror(errno));
    free(tmp);
    return -1;
  }
  /* mkstemp makes the file private; a build output is ordinary. */
  (void)fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
  FILE *f = fdopen(fd, "w");
  if (f == NULL) {
    snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
    close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
  }
  put_record(f, cfg);
  int failed = ferror(f) != 0;
  failed |= fclose(f) != 0;
  if (failed) {
    snprintf(err, errlen, "%s: write failed", tmp);
  } else if (rename(tmp, path) != 0) {
    snprintf(err, errlen, "%s: cannot rename into place: %s", path, strerror(errno));
    failed = 1;
  }
  if (failed) {
    unlink(tmp);
  }
  free(tmp);
  return failed ? -1 : 0;
}
