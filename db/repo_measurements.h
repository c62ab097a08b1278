#ifndef OPOP_REPO_MEASUREMENTS_H
#define OPOP_REPO_MEASUREMENTS_H

#include "db.h"

struct measurements_query {
  const char *indicator_code; /* NULL = any */
  const char *pesantren_id;
  const char *program_id;
  const char *region_code;  /* of the pesantren */
  const char *period;       /* exact */
  const char *starts_from;  /* YYYY-MM-DD: periods starting on or after it */
  const char *starts_until; /* YYYY-MM-DD: periods starting on or before it */
  const char *status;
  /* What the caller may see besides verified measurements: all (see_all), or
   * those of one pesantren (operators), or of pesantren in some regions (a
   * PostgreSQL text array such as {35.01,35.78}, mentors), or none (viewers). */
  int see_all;
  const char *see_pesantren;
  const char *see_regions;
  const char *after_key, *after_seq;
  int limit;
};

/* One page: *items (caller decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_measurements_list(struct db_conn *conn, const struct measurements_query *mq, json_t **items,
                                char **next_key, char **next_seq);
enum dbq repo_measurements_count(struct db_conn *conn, const struct measurements_query *mq, long long *total);
enum dbq repo_measurements_get(struct db_conn *conn, const char *id, json_t **out);
enum dbq repo_measurements_lock(struct db_conn *conn, const char *id, json_t **out);
/* As lock, answering only {status, pesantren_id, region_code, version}: what
 * the rights of a workflow step depend on. */
enum dbq repo_measurements_lock_state(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated fields with "value" as decimal text; the actor of the
 * transaction is recorded as created_by. DBQ_NONE when indicator_code names no
 * indicator. *out: the stored measurement (caller decrefs). */
enum dbq repo_measurements_create(struct db_conn *conn, const json_t *doc, json_t **out);
/* The writable fields; a changed indicator or pesantren is refused by the database. */
enum dbq repo_measurements_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);
/* Moves to status (the database checks the move and stamps who and when);
 * reason (may be NULL) becomes the rejection reason. */
enum dbq repo_measurements_set_status(struct db_conn *conn, const char *id, const char *status, const char *reason,
                                      json_t **out);
enum dbq repo_measurements_delete(struct db_conn *conn, const char *id);

/* For a batch: as create, but the transaction's commit does not wait for the
 * disk (synchronous_commit off for that transaction only). */
enum dbq repo_measurements_create_unflushed(struct db_conn *conn, const json_t *doc, json_t **out);
/* Outside a transaction: commits one transaction that waits, as configured,
 * for the log to reach the disk, which covers every commit before it on any
 * connection (the log is written in order). */
enum dbq repo_measurements_flush(struct db_conn *conn);

#endif
