/*
 * mnlab protocols: the built-in protocols of data/protocols/, each with its
 * name and the essentials of its setup, checked by loading it.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/datadir.h"
#include "io/protocol.h"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int mn_cli_protocols(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      printf("usage: mnlab protocols\n\n"
             "Lists the built-in protocols (data/protocols/, MNLAB_DATA): file, name,\n"
             "subject, device and schedule. Run one with: mnlab run FILE\n");
      return MN_CLI_OK;
    }
    fprintf(stderr, "mnlab protocols: unknown argument '%s' (see mnlab protocols --help)\n",
            argv[i]);
    return MN_CLI_EUSAGE;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/protocols", mn_data_dir());
  DIR *d = opendir(dir);
  if (d == NULL) {
    fprintf(stderr, "mnlab protocols: cannot read %s\n", dir);
    return MN_CLI_EFAIL;
  }
  char *names[256];
  size_t n = 0;
  for (struct dirent *de = readdir(d); de != NULL && n < 256; de = readdir(d)) {
    size_t len = strlen(de->d_name);
    if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) {
      names[n] = strdup(de->d_name);
      n += names[n] != NULL;
    }
  }
  closedir(d);
  qsort(names, n, sizeof names[0], cmp_str);
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    char path[8192], err[1024];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    mn_protocol p;
    if (mn_protocol_load(&p, path, mn_data_dir(), err, sizeof err) != 0) {
      printf("%-30s INVALID: %s\n", names[i], err);
      bad = 1;
    } else {
      printf("%-30s %s\n", names[i], p.name);
      printf("%-30s   %s %s; %s %s at %.2f mm; %d session%s every %g days, follow-up %g days\n", "",
             mn_protocol_species_name(p.subject.species), p.subject.site,
             mn_protocol_device_kind_name(p.device.kind), p.device.cartridge,
             p.device.needle_length_mm, p.schedule.sessions, p.schedule.sessions == 1 ? "" : "s",
             p.schedule.interval_days, p.schedule.follow_up_days);
    }
    free(names[i]);
  }
  return bad ? MN_CLI_EFAIL : MN_CLI_OK;
}
