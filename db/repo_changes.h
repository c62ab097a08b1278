#ifndef OPOP_REPO_CHANGES_H
#define OPOP_REPO_CHANGES_H

/* Reading the change feed (written by the opop_track trigger). */

#include "db.h"

struct changes_query {
  const char *after_xid; /* the position to read after: decimal xid8 and seq; "0", "0" from the start */
  const char *after_seq;
  const char *entity; /* NULL = every entity */
  int limit;
};

/* The next changes after the position, in feed order: *items array (caller
 * decrefs); *last_xid and *last_seq (caller frees) are the position of the
 * last item, NULL when there was none; *more is 1 when further changes are
 * ready now. Changes of transactions still running are held back until every
 * older transaction of this database has finished (see the changes table in
 * 0001_core.sql). */
enum dbq repo_changes_read(struct db_conn *conn, const struct changes_query *cq, json_t **items, char **last_xid,
                           char **last_seq, int *more);

/* DBQ_ONE when changes after the position (xid, seq) were removed by
 * retention, so a client reading on from there would miss them; DBQ_NONE
 * when the feed after it is complete. */
enum dbq repo_changes_expired(struct db_conn *conn, const char *xid, const char *seq);

#endif
