#ifndef OPOP_REPO_PESANTREN_H
#define OPOP_REPO_PESANTREN_H

#include "db.h"

struct pesantren_query {
  const char *region_code; /* NULL = any */
  const char *typology;
  const char *q;           /* literal, case-insensitive, on name and NSPP */
  const char *cohort_year; /* decimal text */
  int active;              /* -1 any, 0, 1 */
  const char *sort;        /* "seq", "name", "created_at" or "santri_count" */
  int desc;
  const char *after_key, *after_seq; /* the cursor; NULL on the first page */
  int limit;
};

/* One page: items as JSON text (db_text_clear); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_pesantren_list(struct db_conn *conn, const struct pesantren_query *pq, struct db_text *items,
                             char **next_key, char **next_seq);
enum dbq repo_pesantren_count(struct db_conn *conn, const struct pesantren_query *pq, long long *total);
enum dbq repo_pesantren_get(struct db_conn *conn, const char *id, json_t **out);
/* As get, the document as text with its version, for answering it unchanged. */
enum dbq repo_pesantren_get_text(struct db_conn *conn, const char *id, struct db_text *out);
/* As get, locking the row for the rest of the transaction. */
enum dbq repo_pesantren_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated writable fields. *out: the stored pesantren. */
enum dbq repo_pesantren_create(struct db_conn *conn, const json_t *doc, json_t **out);
enum dbq repo_pesantren_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);
/* DBQ_NONE when absent; a foreign-key failure while enrolments or measurements refer to it. */
enum dbq repo_pesantren_delete(struct db_conn *conn, const char *id);
/* The region of a pesantren (for mentors' rights): *region_code caller frees. */
enum dbq repo_pesantren_region(struct db_conn *conn, const char *id, char **region_code);

#endif
