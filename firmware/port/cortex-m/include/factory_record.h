/*
 * The pen's factory record in the product image: the mnpen_config main()
 * hands to mnpen_init(). It is not written by hand: the host build runs
 * mnpen-factory (firmware/port/host/factory) over data/pen, which converts
 * the parameters exactly as the host port does, and compiles the C file it
 * writes into mnpen.elf. Its master key is the simulated pen's test key.
 */
#ifndef MNPEN_BOARD_FACTORY_RECORD_H
#define MNPEN_BOARD_FACTORY_RECORD_H

#include "mnpen/pen.h"

extern const mnpen_config mnpen_factory_config;

#endif /* MNPEN_BOARD_FACTORY_RECORD_H */
