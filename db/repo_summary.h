#ifndef OPOP_REPO_SUMMARY_H
#define OPOP_REPO_SUMMARY_H

#include "db.h"

/* The summary of pesantren id: *out is {"pesantren", "enrolments",
 * "product_count", "indicators"} (caller decrefs); DBQ_NONE when there is no
 * such pesantren. */
enum dbq repo_summary_get(struct db_conn *conn, const char *id, json_t **out);

#endif
