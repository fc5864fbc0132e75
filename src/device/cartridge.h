/*
 * Cartridges: the named needle layouts a protocol picks (device.cartridge),
 * read from data/device/cartridges/NAME.yaml. A pen cartridge is a set of
 * needles in the face of the cartridge that strike together once per
 * stroke; a roller is a drum whose needles enter the skin one angular group
 * after another as it rolls. The glide path (glide.h) stamps this layout
 * along the treatment area and penetration.h turns each needle into a
 * channel.
 *
 * File keys (group cartridge_NAME, '-' in NAME written '_'):
 *   roller (0 pen, 1 roller), needles, x (mm, pens) or angle (deg, rollers),
 *   y (mm), needle_diameter (mm), tip_radius (um), taper_half_angle (deg),
 *   needle_length (mm: a pen's deepest setting, a roller's needle),
 *   drum_diameter and drum_width (mm, rollers).
 */
#ifndef MN_DEVICE_CARTRIDGE_H
#define MN_DEVICE_CARTRIDGE_H

#include <stddef.h>

#include "io/params.h"

enum {
  MN_DEVICE_OK = 0,
  MN_DEVICE_ENOMEM = -1, /* out of memory */
  MN_DEVICE_EPARAM = -2, /* a data file is missing, malformed or out of range */
  MN_DEVICE_EINVAL = -3, /* bad argument */
  MN_DEVICE_ESOURCE = -4 /* the stroke source failed or gave no stroke on skin */
};

enum { MN_CARTRIDGE_NEEDLES_MAX = 256, MN_CARTRIDGE_NAME_MAX = 64 };

typedef struct {
  char name[MN_CARTRIDGE_NAME_MAX];
  int roller; /* 0: pen cartridge, 1: roller drum */
  size_t needles;
  double x_mm[MN_CARTRIDGE_NEEDLES_MAX];      /* pens: position in the face */
  double angle_rad[MN_CARTRIDGE_NEEDLES_MAX]; /* rollers: angle on the drum */
  double y_mm[MN_CARTRIDGE_NEEDLES_MAX];      /* face position; rollers: along the axis */
  double needle_diameter_mm;
  double tip_radius_um;
  double taper_half_angle_rad;
  double needle_length_mm;
  double drum_diameter_mm; /* rollers */
  double drum_width_mm;    /* rollers */
} mn_cartridge;

/* Reads cartridge NAME (letters, digits, '-', '_') from the parameter table,
 * which must hold its group. */
int mn_cartridge_from_params(mn_cartridge *c, const mn_params *t, const char *name, char *err,
                             size_t errlen);

/* Loads DATA_DIR/device/cartridges/NAME.yaml (data_dir NULL: mn_data_dir()). */
int mn_cartridge_load(mn_cartridge *c, const char *data_dir, const char *name, char *err,
                      size_t errlen);

/* Footprint: the extent of what one stamp covers, along x and along y,
 * needle positions plus a needle diameter. A roller's footprint is its
 * contact line: 0 along x (the rolling direction), the drum width across. */
void mn_cartridge_extent(const mn_cartridge *c, double *along_x_mm, double *along_y_mm);

/* Radius of the smallest circle about the face centre that holds every
 * needle whole (pens). */
double mn_cartridge_face_radius_mm(const mn_cartridge *c);

#endif /* MN_DEVICE_CARTRIDGE_H */
