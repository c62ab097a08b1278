#ifndef OPOP_LIST_H
#define OPOP_LIST_H

/* Keyset pagination shared by every list: rows come in (sort key, seq) order,
 * a page ends with the key of its last row, and the next page starts strictly
 * after it, so paging returns every row once even while rows are added. Each
 * combination of filters is its own statement, prepared once per connection,
 * so PostgreSQL plans it with the right index. */

#include "db.h"

/* One condition, from a fixed set of the resource's own SQL fragments. Every
 * "$?" in sql takes the next parameter number; value is its text (may be NULL
 * when sql has no "$?"). */
struct list_filter {
  const char *sql;
  const char *value;
};

struct list_spec {
  const char *name;      /* statement name prefix, e.g. "repo_pesantren_list" */
  const char *from;      /* "SELECT <json doc> FROM ..." without WHERE */
  const char *sort_key;  /* an expression whose text form orders like the value (no NULLs) */
  const char *sort_type; /* its SQL type, for the cursor comparison */
  const char *seq;       /* the unique, increasing tie-breaker, e.g. "p.seq" */
  int desc;
};

/* The constraint name db_list puts on the error when the cursor's key or
 * sequence cannot be read as the sort's type (SQLSTATE class 22). */
#define DB_LIST_CURSOR "list_cursor"

/* A page of at most limit documents after (after_key, after_seq) (both NULL
 * for the first page). *items is an array (caller decrefs); *next_key and
 * *next_seq are set (caller frees) when more rows follow, else NULL. */
enum dbq db_list(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters, int nfilters,
                 const char *after_key, const char *after_seq, int limit, json_t **items, char **next_key,
                 char **next_seq);
/* As db_list, with the page as the text of a JSON array of the documents as
 * the database wrote them (items->json, freed with db_text_clear), for lists
 * answered without touching their documents. */
enum dbq db_list_text(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters,
                      int nfilters, const char *after_key, const char *after_seq, int limit, struct db_text *items,
                      char **next_key, char **next_seq);
/* How many rows the filters match. */
enum dbq db_list_count(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters,
                       int nfilters, long long *total);

#endif
