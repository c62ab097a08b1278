#ifndef OPOP_RESOURCE_H
#define OPOP_RESOURCE_H

/* The merge-patch update every resource shares: lock the row, check If-Match,
 * apply the RFC 7396 patch to the stored document, validate the result as a
 * whole, store it, all in one transaction. */

#include <jansson.h>

#include "app.h"
#include "http.h"
#include "validate.h"

struct patch_spec {
  const char *what; /* "pesantren", "user", ...: for messages */
  const struct vfield *fields;
  size_t nfields;
  /* Rules across fields of the merged document; the number of errors added. May be NULL. */
  int (*rules)(const json_t *doc, json_t *errors);
  enum dbq (*lock)(struct db_conn *conn, const char *id, json_t **out);
  enum dbq (*update)(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);
  /* Inside the transaction, on the stored document before patching: 0, or -1
   * with *fail set (e.g. 403 for another pesantren, 409 for a workflow state). May be NULL. */
  int (*allowed)(struct req *r, const json_t *current, struct outcome *fail);
  /* Turns the validated document into what update() stores (e.g. hashing a password). 0, or -1. May be NULL. */
  int (*prepare)(json_t *doc);
};

/* The DELETE every resource shares: lock the row, let the resource refuse,
 * check If-Match, remove it, in one transaction. */
struct delete_spec {
  const char *what; /* "target", "product", ...: for messages */
  enum dbq (*lock)(struct db_conn *conn, const char *id, json_t **out);
  enum dbq (*remove)(struct db_conn *conn, const char *id);
  /* As patch_spec.allowed. May be NULL. */
  int (*allowed)(struct req *r, const json_t *current, struct outcome *fail);
};

/* The list every resource shares: the page after the request's cursor, the
 * total when asked, answered as {items, next_cursor[, total]}. page and count
 * take the resource's own query struct; API_LIST_CALL makes them from the
 * repository's typed functions. count may be NULL for a list that offers no
 * include_total. */
struct list_call {
  enum dbq (*page)(struct db_conn *conn, const void *query, json_t **items, char **next_key, char **next_seq);
  enum dbq (*count)(struct db_conn *conn, const void *query, long long *total);
};

#define API_LIST_CALL(name, list_fn, count_fn)                                                                         \
  static enum dbq name##_page(struct db_conn *conn, const void *query, json_t **items, char **key, char **seq) {       \
    return list_fn(conn, query, items, key, seq);                                                                      \
  }                                                                                                                    \
  static enum dbq name##_count(struct db_conn *conn, const void *query, long long *total) {                            \
    return count_fn(conn, query, total);                                                                               \
  }                                                                                                                    \
  static const struct list_call name = {name##_page, name##_count}

/* What one list request asks: query is the resource's query struct, whose
 * cursor fields after_key and after_seq point into (api_list fills them from
 * the request's cursor for sort); with_total adds "total". */
struct list_args {
  const void *query;
  const char **after_key, **after_seq;
  const char *sort;
  int with_total;
};

/* Answers a list: 200 with the page, or 400 (bad cursor) / 503. */
void api_list(struct req *r, const struct list_call *call, const struct list_args *a);

/* Answers the GET of the resource whose UUID is path variable 0: 200 with
 * ETag, 304 on a matching If-None-Match, 404 ("No <what> has this id.") or 503. */
void api_get(struct req *r, const char *what, enum dbq (*get)(struct db_conn *conn, const char *id, json_t **out));

/* As api_get, when visible (may be NULL) says DBQ_ONE for a document the
 * caller may see; DBQ_NONE answers 404 as if it did not exist. */
void api_get_visible(struct req *r, const char *what,
                     enum dbq (*get)(struct db_conn *conn, const char *id, json_t **out),
                     enum dbq (*visible)(struct req *r, struct db_conn *db, const json_t *doc));

/* Answers the PATCH of resource id: 200 with the stored document and ETag,
 * or 400/404/409/412/415/422/503. */
void api_patch(struct req *r, const char *id, const struct patch_spec *spec);
/* As api_patch, with ready() run on the validated patch before the
 * transaction: slow work that needs no database connection (hashing a
 * password). It returns 0, or -1 after answering. */
void api_patch_ready(struct req *r, const char *id, const struct patch_spec *spec,
                     int (*ready)(struct req *r, json_t *patch));

/* Answers the DELETE of resource id (NULL: already answered): 204, or
 * 403/404/409/412/503. */
void api_delete(struct req *r, const char *id, const struct delete_spec *spec);

/* A list in creation order with only limit and cursor. */
typedef enum dbq (*list_fn)(struct db_conn *conn, const char *after_key, const char *after_seq, int limit,
                            json_t **items, char **next_key, char **next_seq);
/* Answers a page of a list that takes no filters (limit, cursor; 400 on anything else). */
void api_list_plain(struct req *r, list_fn list);

#endif
