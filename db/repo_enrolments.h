#ifndef OPOP_REPO_ENROLMENTS_H
#define OPOP_REPO_ENROLMENTS_H

#include "db.h"

struct enrolments_query {
  const char *program_id;            /* required */
  const char *status;                /* NULL = any */
  const char *after_key, *after_seq; /* the cursor; NULL on the first page */
  int limit;
};

/* One page of a programme's enrolments in the order they were made: *items
 * array (caller decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_enrolments_list(struct db_conn *conn, const struct enrolments_query *eq, json_t **items, char **next_key,
                              char **next_seq);
enum dbq repo_enrolments_count(struct db_conn *conn, const struct enrolments_query *eq, long long *total);
/* The enrolment of pesantren_id in program_id, with its history: *out (caller
 * decrefs), or NULL with DBQ_NONE. */
enum dbq repo_enrolments_find(struct db_conn *conn, const char *program_id, const char *pesantren_id, json_t **out);
/* By enrolment id, locking the row for the rest of the transaction. */
enum dbq repo_enrolments_lock(struct db_conn *conn, const char *id, json_t **out);
/* Enrols pesantren_id in program_id as "registered". The database refuses a
 * closed programme, a full quota and a second enrolment (constraint errors). */
enum dbq repo_enrolments_create(struct db_conn *conn, const char *program_id, const char *pesantren_id, json_t **out);
/* doc: {"status"}; the database refuses a forbidden move. *out: the stored enrolment. */
enum dbq repo_enrolments_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);

#endif
