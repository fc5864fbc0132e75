/*
 * The pen's factory record on the host: builds an mnpen_config from the
 * firmware settings in data/pen/firmware.yaml and from the motor constants a
 * factory calibration would measure (here: the plant's own parameters, i.e.
 * a perfect calibration). Converts natural units to the firmware's integers.
 */
#ifndef MNPEN_HOST_CONFIG_H
#define MNPEN_HOST_CONFIG_H

#include <stddef.h>

#include "io/params.h"
#include "mnpen/pen.h"
#include "plant/plant.h"

/* The maker's master key of the simulated pen (a fixed test key). */
void mnpen_host_master_key(uint8_t key[MNPEN_CART_KEY_LEN]);

int mnpen_host_config_load(mnpen_config *cfg, const mn_params *t, const mn_plant_params *plant,
                           int regulated, char *err, size_t errlen);

#endif /* MNPEN_HOST_CONFIG_H */
