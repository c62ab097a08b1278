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

/* Answers the GET of the resource whose UUID is path variable 0: 200 with
 * ETag, 304 on a matching If-None-Match, 404 ("No <what> has this id.") or 503. */
void api_get(struct req *r, const char *what, enum dbq (*get)(struct db_conn *conn, const char *id, json_t **out));

/* Answers the PATCH of resource id: 200 with the stored document and ETag,
 * or 400/404/409/412/415/422/503. */
void api_patch(struct req *r, const char *id, const struct patch_spec *spec);

/* Answers the DELETE of the resource whose UUID is path variable 0: locks it,
 * checks If-Match, removes it, all in one transaction: 204, or 404/412/503. */
void api_delete(struct req *r, const char *what, enum dbq (*lock)(struct db_conn *conn, const char *id, json_t **out),
                enum dbq (*remove)(struct db_conn *conn, const char *id));

/* A list in creation order with only limit and cursor. */
typedef enum dbq (*list_fn)(struct db_conn *conn, const char *after_key, const char *after_seq, int limit,
                            json_t **items, char **next_key, char **next_seq);
/* Answers a page of list (limit, cursor; 400 on anything else). */
void api_list(struct req *r, list_fn list);

#endif
