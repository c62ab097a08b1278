#ifndef OPOP_REPO_REGIONS_H
#define OPOP_REPO_REGIONS_H

#include "db.h"

/* All 38 regions in code order: *out is an array (caller decrefs). */
enum dbq repo_regions_list(struct db_conn *conn, json_t **out);
enum dbq repo_regions_get(struct db_conn *conn, const char *code, json_t **out);

#endif
