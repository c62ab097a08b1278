#ifndef OPOP_REPO_PRODUCTS_H
#define OPOP_REPO_PRODUCTS_H

#include "db.h"

struct products_query {
  const char *pesantren_id; /* NULL = every pesantren (the catalogue) */
  const char *region_code;  /* of the product's pesantren */
  const char *category;
  const char *certification; /* a certification type the product holds */
  const char *q;             /* literal, case-insensitive, on the name */
  const char *after_key, *after_seq;
  int limit;
};

/* One page in creation order: *items (caller decrefs); *next_key and *next_seq
 * (caller frees) when more follow. */
enum dbq repo_products_list(struct db_conn *conn, const struct products_query *pq, json_t **items, char **next_key,
                            char **next_seq);
enum dbq repo_products_count(struct db_conn *conn, const struct products_query *pq, long long *total);
/* One product; with pesantren_id set, only when it belongs to that pesantren. *out caller decrefs. */
enum dbq repo_products_get(struct db_conn *conn, const char *id, const char *pesantren_id, json_t **out);
/* As get, locking the row for the rest of the transaction. */
enum dbq repo_products_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated writable fields. DBQ_NONE when the pesantren does not exist. */
enum dbq repo_products_create(struct db_conn *conn, const char *pesantren_id, const json_t *doc, json_t **out);
enum dbq repo_products_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);
enum dbq repo_products_delete(struct db_conn *conn, const char *id);

#endif
