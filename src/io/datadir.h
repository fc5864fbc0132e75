/*
 * Where mnlab finds data/: the MNLAB_DATA environment variable when set,
 * else the directory the build was configured with.
 */
#ifndef MN_IO_DATADIR_H
#define MN_IO_DATADIR_H

const char *mn_data_dir(void);

#endif /* MN_IO_DATADIR_H */
