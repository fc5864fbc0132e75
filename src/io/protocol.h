/*
 * Protocol files: what a run of mnlab treats, with what and when.
 *
 * A protocol names the subject (species, body site, skin type, condition),
 * the device (pen or roller, cartridge, needle length, stroke rate, motor),
 * the treatment (area, passes, glide pattern and speed, occlusion, an
 * anti-inflammatory drug, an optional topical compound), the schedule of
 * sessions and the simulation grid. It is the first struct of the pipeline
 * (protocol -> punctures -> tissue -> course result) and the only one a user
 * writes by hand:
 *
 *   name: cheek, 1.0 mm, naloxone after needling
 *   subject:  { species: human, site: cheek, fitzpatrick: 3, age: 45,
 *               ex_vivo: false, condition: none }
 *   device:   { kind: pen, cartridge: 12-round, needle_length_mm: 1.0,
 *               speed_hz: 110, motor: regulated }
 *   treatment:
 *     area_mm: [10, 10]
 *     passes: 3
 *     pattern: crosshatch
 *     glide_speed_mm_s: 10
 *     occlusion: false
 *     anti_inflammatory: none
 *     topical: { compound: naloxone, applied: after, duration_h: 24,
 *                concentration_mg_ml: 10 }
 *   schedule: { sessions: 1, interval_days: 28, follow_up_days: 3 }
 *   grid:     { resolution_um: 20, window_mm: [3, 3] }
 *   output:   { fields_every_h: 24, fields_at_h: [1, 6],
 *               fields: [water, signal, wound, collagen_I, collagen_III] }
 *   seed: 1
 *
 * Every key is optional and takes the value of mn_protocol_default(); the
 * topical block, when present, must name its compound and concentration.
 * Unknown keys, duplicate keys, wrong types, values out of range and names
 * that data/ does not know (site, compound, cartridge) are errors whose
 * message names the file, the line and column and the key path:
 *
 *   cheek.yaml:7:14: device.speed_hz: 160 is out of range 90-150
 *
 * Ranges (inclusive unless marked):
 *   subject.fitzpatrick 1-6, subject.age 0-120 years, subject.membrane_mm
 *   0.05-5 (excised skin only, see below),
 *   device.needle_length_mm 0.1-3.0, device.speed_hz 90-150 (pens only: a
 *   roller is pushed by hand and takes neither speed_hz nor motor),
 *   device.depth_step_mm 0.1 or 0.25 (pens only: the depth dial's scale,
 *   the pen's own 0.1 mm when absent; a pen's needle_length_mm must be on
 *   its scale, since the firmware rounds a setting down to it),
 *   treatment.area_mm 1-500 per side, treatment.passes 1-20,
 *   treatment.glide_speed_mm_s 0.5-200, topical.duration_h (0, 720],
 *   topical.concentration_mg_ml (0, 1000], topical.dose_mg_cm2 [0, 100] (0 or absent:
 *   a donor that never depletes), schedule.sessions 1-12,
 *   schedule.interval_days 1-365, schedule.follow_up_days 0-730,
 *   grid.resolution_um 5-200, grid.window_mm 0.2-20 per side and no larger
 *   than the treatment area, output.fields_every_h 0-8760 (0: no periodic
 *   field snapshots), output.fields_at_h up to 64 strictly increasing times
 *   0-120000 h, none after the end of the course, seed 0 to 2^63-1. Excised
 *   skin (ex_vivo: true) does not heal, so it takes a single session.
 *
 * Field snapshots (docs/outputs.md): times are on the course clock, hours
 * since the first session. output.fields lists the fields written (default
 * all: water, compound, signal, growth, wound, open on the acute grid;
 * inflammation, debris, tgf, pdgf, fibroblasts, fibroblasts_active,
 * collagen_I, collagen_III, collagen_III_new, elastin on the healing grid;
 * [] writes none). output.milestones (default true) adds the end of the
 * first session's acute phase and the start and end of the course.
 *
 * Excised skin mounted in a diffusion cell may give the thickness of the
 * piece (dermatomed or full), from the stratum corneum to the receptor:
 *
 *   subject: { species: pig, site: ear, ex_vivo: true, membrane_mm: 0.75 }
 *
 * The site's layers are kept down to that depth; without the key the whole
 * skin of the site is the membrane. In vivo the key is an error, and so is
 * a piece thinner than the site's epidermis or thicker than its skin down to
 * the bottom of the dermis (data/skin/sites).
 *
 * Names are checked against the data directory:
 *   subject.site        DATA/skin/sites/SPECIES-SITE.yaml
 *   topical.compound    DATA/skin/compounds/COMPOUND.yaml
 *   device.cartridge    DATA/device/cartridges/CARTRIDGE.yaml
 * Names are lower-case letters, digits, '-' and '_'.
 */
#ifndef MN_IO_PROTOCOL_H
#define MN_IO_PROTOCOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  MN_PROTOCOL_OK = 0,
  MN_PROTOCOL_ENOMEM = -1,  /* out of memory */
  MN_PROTOCOL_EIO = -2,     /* file cannot be read */
  MN_PROTOCOL_ESYNTAX = -3, /* not YAML */
  MN_PROTOCOL_ESCHEMA = -4, /* unknown or duplicate key, wrong type, missing required key */
  MN_PROTOCOL_ERANGE = -5,  /* a value outside its range, or inconsistent with another */
  MN_PROTOCOL_ENAME = -6,   /* a site, compound or cartridge data/ does not know */
  MN_PROTOCOL_EINVAL = -7   /* bad argument */
};

enum { MN_PROTOCOL_NAME_MAX = 128, MN_PROTOCOL_ID_MAX = 64 };

typedef enum { MN_SPECIES_HUMAN, MN_SPECIES_RAT, MN_SPECIES_PIG } mn_species;

typedef enum {
  MN_CONDITION_NONE,
  MN_CONDITION_ACNE_SCAR,
  MN_CONDITION_STRIAE,
  MN_CONDITION_WRINKLES
} mn_condition;

typedef enum { MN_DEVICE_PEN, MN_DEVICE_ROLLER } mn_device_kind;

/* A regulated motor holds its speed under skin load; an unregulated one runs
 * at a fixed drive and slows down (MODEL.md section 1). */
typedef enum { MN_MOTOR_REGULATED, MN_MOTOR_UNREGULATED } mn_motor_mode;

typedef enum { MN_PATTERN_LINES, MN_PATTERN_CROSSHATCH } mn_pattern;

typedef enum { MN_ANTI_INFLAMMATORY_NONE, MN_ANTI_INFLAMMATORY_DICLOFENAC } mn_anti_inflammatory;

typedef enum { MN_APPLIED_BEFORE, MN_APPLIED_AFTER } mn_topical_timing;

typedef struct mn_protocol_subject {
  mn_species species;
  char site[MN_PROTOCOL_ID_MAX]; /* body site, e.g. "cheek" */
  int fitzpatrick;               /* skin type 1-6 */
  double age;                    /* years */
  bool ex_vivo;                  /* excised skin in a diffusion cell: no healing */
  double membrane_mm; /* ex vivo: thickness of the mounted piece; 0: the site's full skin */
  mn_condition condition;
} mn_protocol_subject;

typedef struct mn_protocol_device {
  mn_device_kind kind;
  char cartridge[MN_PROTOCOL_ID_MAX]; /* needle layout, e.g. "12-round" */
  double needle_length_mm;
  double speed_hz;      /* strokes per second; 0 for a roller */
  double depth_step_mm; /* pen: the depth dial's scale, 0.1 or 0.25 mm; 0: the pen's own
                           (data/pen/firmware.yaml depth_step), and always 0 for a roller */
  mn_motor_mode motor;
} mn_protocol_device;

typedef struct mn_protocol_topical {
  char compound[MN_PROTOCOL_ID_MAX];
  mn_topical_timing applied; /* before or after needling */
  double duration_h;         /* how long it stays on the skin */
  double concentration_mg_ml;
  double dose_mg_cm2; /* formulation applied per area; 0: a reservoir that does not
                         deplete (a diffusion cell's donor chamber) */
} mn_protocol_topical;

typedef struct mn_protocol_treatment {
  double area_mm[2]; /* treated rectangle, x and y */
  int passes;
  mn_pattern pattern;
  double glide_speed_mm_s;
  bool occlusion; /* skin covered after needling */
  mn_anti_inflammatory anti_inflammatory;
  bool has_topical; /* false: no topical, `topical` is unused */
  mn_protocol_topical topical;
} mn_protocol_treatment;

typedef struct mn_protocol_schedule {
  int sessions;
  double interval_days;  /* from one session to the next */
  double follow_up_days; /* after the last session */
} mn_protocol_schedule;

typedef struct mn_protocol_grid {
  double resolution_um; /* voxel edge */
  double window_mm[2];  /* simulated lateral window, centred in the area */
} mn_protocol_grid;

/* The 3D fields a run can write (DIR/fields/, docs/outputs.md). The first
 * six live on the acute stage's grid (the first 72 h after each session),
 * the rest on the healing stage's grid (the whole course). */
typedef enum {
  MN_FIELD_WATER = 0,          /* acute: water, kg/m^3 */
  MN_FIELD_COMPOUND,           /* acute: topical compound, kg/m^3 */
  MN_FIELD_SIGNAL,             /* acute: inflammatory signal */
  MN_FIELD_GROWTH,             /* acute: growth factors released */
  MN_FIELD_WOUND,              /* acute: wounded volume fraction */
  MN_FIELD_OPEN,               /* acute: wounded fraction still open */
  MN_FIELD_INFLAMMATION,       /* healing: inflammatory cells */
  MN_FIELD_DEBRIS,             /* healing: wound debris */
  MN_FIELD_TGF,                /* healing: TGF-beta excess */
  MN_FIELD_PDGF,               /* healing: PDGF excess */
  MN_FIELD_FIBROBLASTS,        /* healing: resting + activated fibroblasts */
  MN_FIELD_FIBROBLASTS_ACTIVE, /* healing: activated fibroblasts */
  MN_FIELD_COLLAGEN_I,         /* healing: collagen I, mg/cm^3 */
  MN_FIELD_COLLAGEN_III,       /* healing: structural + new collagen III, mg/cm^3 */
  MN_FIELD_COLLAGEN_III_NEW,   /* healing: new (wound) collagen III, mg/cm^3 */
  MN_FIELD_ELASTIN,            /* healing: elastin, relative to normal */
  MN_FIELD_COUNT
} mn_field_id;

enum {
  MN_FIELD_FIRST_HEALING = MN_FIELD_INFLAMMATION,
  MN_FIELD_ALL = (1u << MN_FIELD_COUNT) - 1u,
  MN_PROTOCOL_FIELD_TIMES_MAX = 64
};

typedef struct mn_protocol_output {
  double fields_every_h; /* hours between field snapshots from hour 0; 0: none */
  int nfields_at;        /* entries of fields_at_h */
  double fields_at_h[MN_PROTOCOL_FIELD_TIMES_MAX]; /* more snapshot times, increasing */
  unsigned fields;                                 /* bit (1u << mn_field_id) per field written */
  bool milestones; /* also the end of the first acute phase and the course's start and end */
} mn_protocol_output;

/* A plain value: no owned memory, copy it freely. */
typedef struct mn_protocol {
  char name[MN_PROTOCOL_NAME_MAX];
  mn_protocol_subject subject;
  mn_protocol_device device;
  mn_protocol_treatment treatment;
  mn_protocol_schedule schedule;
  mn_protocol_grid grid;
  mn_protocol_output output;
  uint64_t seed;
} mn_protocol;

/* What every key of a protocol file defaults to: a 12-needle pen at 1.0 mm
 * and 110 Hz on the cheek of a 45-year-old, skin type 3, three crosshatch
 * passes over 30 x 30 mm, four sessions four weeks apart, followed for 90
 * days after the last; no topical; 20 um voxels over a 3 x 3 mm window. */
void mn_protocol_default(mn_protocol *p);

/* The built-in course, what `mnlab run` runs without a file (the same as
 * data/protocols/default.yaml): the defaults above with a 15 % vitamin C
 * serum, 2 mg/cm^2, on the skin for 12 h after each session. */
void mn_protocol_builtin(mn_protocol *p);

/* Reads a protocol file over the defaults. data_dir is the data/ directory
 * the names are checked against (NULL: mn_data_dir()). On error *p holds the
 * defaults and err the message. */
int mn_protocol_load(mn_protocol *p, const char *path, const char *data_dir, char *err,
                     size_t errlen);

/* The resolved protocol as a JSON object with the file's keys (topical is
 * null when absent); *out is a new reference. */
int mn_protocol_write_json(const mn_protocol *p, json_t **out);

/* The file spelling of each choice ("human", "acne_scar", ...). */
const char *mn_protocol_species_name(mn_species s);
const char *mn_protocol_condition_name(mn_condition c);
const char *mn_protocol_device_kind_name(mn_device_kind k);
const char *mn_protocol_motor_name(mn_motor_mode m);
const char *mn_protocol_pattern_name(mn_pattern p);
const char *mn_protocol_anti_inflammatory_name(mn_anti_inflammatory a);
const char *mn_protocol_applied_name(mn_topical_timing t);
/* "water", "collagen_I", ...; "?" out of range. */
const char *mn_protocol_field_name(mn_field_id f);

#endif /* MN_IO_PROTOCOL_H */
