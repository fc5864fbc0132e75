/*
 * mnlab protocols: the built-in protocols of data/protocols/, each with its
 * name and the essentials of its setup, checked by loading it.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/datadir.h"
#include "io/protocol.h"

enum { MAX_PROTOCOLS = 256 };

static void protocols_help(FILE *out) {
  fprintf(out,
          "usage: mnlab protocols [--json] [--quiet]\n"
          "\n"
          "Lists the built-in protocols (data/protocols/, MNLAB_DATA): file, name,\n"
          "subject, device and schedule, each checked by loading it.\n"
          "\n"
          "  --json    {\"protocols\": [{\"file\", \"path\", \"valid\", \"name\", \"species\",\n"
          "            \"site\", \"device\", \"cartridge\", \"needle_length_mm\", \"sessions\",\n"
          "            \"interval_days\", \"follow_up_days\"} or {\"file\", \"path\", \"valid\",\n"
          "            \"error\"}], \"count\", \"invalid\"}\n"
          "  --quiet   accepted for symmetry: the listing prints no progress\n"
          "\n"
          "Run one with: mnlab run FILE\n"
          "\n"
          "exit status: 0 every protocol loads, 1 one does not or the folder is\n"
          "unreadable, 2 bad usage.\n");
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static json_t *protocol_json(const char *file, const char *path, const mn_protocol *p,
                             const char *err) {
  json_t *o = json_object();
  json_object_set_new(o, "file", json_string(file));
  json_object_set_new(o, "path", json_string(path));
  json_object_set_new(o, "valid", json_boolean(p != NULL));
  if (p == NULL) {
    json_object_set_new(o, "error", json_string(err));
    return o;
  }
  json_object_set_new(o, "name", json_string(p->name));
  json_object_set_new(o, "species", json_string(mn_protocol_species_name(p->subject.species)));
  json_object_set_new(o, "site", json_string(p->subject.site));
  json_object_set_new(o, "device", json_string(mn_protocol_device_kind_name(p->device.kind)));
  json_object_set_new(o, "cartridge", json_string(p->device.cartridge));
  json_object_set_new(o, "needle_length_mm", json_real(p->device.needle_length_mm));
  json_object_set_new(o, "sessions", json_integer(p->schedule.sessions));
  json_object_set_new(o, "interval_days", json_real(p->schedule.interval_days));
  json_object_set_new(o, "follow_up_days", json_real(p->schedule.follow_up_days));
  return o;
}

static void protocol_text(const char *file, const mn_protocol *p, const char *err) {
  if (p == NULL) {
    printf("%-30s INVALID: %s\n", file, err);
    return;
  }
  printf("%-30s %s\n", file, p->name);
  printf("%-30s   %s %s; %s %s at %.2f mm; %d session%s every %g days, follow-up %g days\n", "",
         mn_protocol_species_name(p->subject.species), p->subject.site,
         mn_protocol_device_kind_name(p->device.kind), p->device.cartridge,
         p->device.needle_length_mm, p->schedule.sessions, p->schedule.sessions == 1 ? "" : "s",
         p->schedule.interval_days, p->schedule.follow_up_days);
}

int mn_cli_protocols(int argc, char **argv) {
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      protocols_help(stdout);
      return MN_CLI_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if (strcmp(argv[i], "--quiet") != 0) {
      fprintf(stderr, "mnlab protocols: unknown argument '%s' (see mnlab protocols --help)\n",
              argv[i]);
      return MN_CLI_EUSAGE;
    }
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/protocols", mn_data_dir());
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(stderr, "mnlab protocols: cannot read %s\n", dir);
    return MN_CLI_EFAIL;
  }
  char *names[MAX_PROTOCOLS] = {NULL};
  size_t n = 0;
  for (struct dirent *de = readdir(d); de != NULL && n < MAX_PROTOCOLS; de = readdir(d)) {
    size_t len = strlen(de->d_name);
    if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) {
      names[n] = strdup(de->d_name);
      n += names[n] != NULL;
    }
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  int bad = 0;
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++) {
    char path[8192], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    mn_protocol p;
    int ok = mn_protocol_load(&p, path, mn_data_dir(), err, sizeof err) == 0;
    bad |= !ok;
    if (json) {
      json_array_append_new(list, protocol_json(names[i], path, ok ? &p : NULL, err));
    } else {
      protocol_text(names[i], ok ? &p : NULL, err);
    }
    free(names[i]);
  }
  if (json) {
    json_t *o = json_object();
    size_t invalid = 0, k;
    json_t *e;
    json_array_foreach(list, k, e) {
      invalid += !json_is_true(json_object_get(e, "valid"));
    }
    json_object_set_new(o, "protocols", list);
    json_object_set_new(o, "count", json_integer((json_int_t)n));
    json_object_set_new(o, "invalid", json_integer((json_int_t)invalid));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
    json_decref(o);
  } else {
    json_decref(list);
  }
  return bad ? MN_CLI_EFAIL : MN_CLI_OK;
}
