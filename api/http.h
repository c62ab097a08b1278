#ifndef OPOP_HTTP_H
#define OPOP_HTTP_H

/* Request helpers shared by every handler: the JSON body, conditional
 * requests, list parameters, path ids, and idempotent creation. */

#include <jansson.h>

#include "app.h"

#define BODY_LIMIT (1024 * 1024)
#define LARGE_BODY_LIMIT (8 * 1024 * 1024)

/* The body as a JSON object (caller decrefs), or NULL after answering 415
 * (not JSON), 400 (unparsable) or 422 (not an object). */
json_t *req_json_body(struct req *r);
/* As req_json_body, but an empty body gives an empty object. */
json_t *req_json_body_optional(struct req *r);

/* Path variable i as a UUID; NULL after answering 404 when it is not one. */
const char *req_uuid_var(struct req *r, int i);

/* 1 after answering 304 when If-None-Match matches doc's version. */
int req_not_modified(struct req *r, const json_t *doc);
/* The same for a version known without a parsed document. */
int req_not_modified_version(struct req *r, long long version);
/* 0 when If-Match is absent or matches version; otherwise -1 (412 is the
 * caller's to send, usually after rolling back). */
int req_if_match_ok(const struct req *r, long long version);
/* 1 when the request carries If-Match. */
int req_has_if_match(const struct req *r);

/* Rejects query parameters not in allowed (NULL-terminated): 0, or -1 after 400. */
int req_query_allowed(struct req *r, const char *const *allowed);
/* For operations that take no query parameters: 0, or -1 after 400. */
int req_query_none(struct req *r);
/* limit (1..100, default 20): 0, or -1 after 400. */
int req_limit(struct req *r, int *limit);
/* An optional integer parameter: 0 (present set to 1 when given), or -1 after 400. */
int req_query_int(struct req *r, const char *name, long min, long max, long *value, int *present);
/* An optional boolean parameter: 0, or -1 after 400. *value is -1 when absent. */
int req_query_bool(struct req *r, const char *name, int *value);
/* An optional parameter that must be one of choices: 0, or -1 after 400. */
int req_query_enum(struct req *r, const char *name, const char *const *choices, const char **value);

/* {"items": items, "next_cursor": cursor|null[, "total": total]}; steals items, cursor borrowed. */
json_t *page_new(json_t *items, const char *next_cursor, long long total);

/* The ?cursor of a list ordered by sort (a name such as "seq" or "-name"):
 * *key and *seq (caller frees) stay NULL without one. 0, or -1 after 400 when
 * the cursor is malformed or was made for another sort. */
int req_cursor(struct req *r, const char *sort, char **key, char **seq);
/* Answers 200 with a page of items (stolen); a next cursor is made from
 * (sort, next_key, next_seq) when next_key is set; total < 0 is left out. */
void reply_page(struct req *r, json_t *items, const char *sort, const char *next_key, const char *next_seq,
                long long total);

/* As reply_page for items that are the text of a JSON array (borrowed), as
 * db_list_text gives them. */
void reply_page_text(struct req *r, const struct db_text *items, const char *sort, const char *next_key,
                     const char *next_seq, long long total);

/* The answer to a failed step inside a transaction body. */
struct outcome {
  int status;     /* 0 while nothing failed */
  char field[64]; /* set for a field-level 4xx */
  char detail[200];
};
void outcome_set(struct outcome *o, int status, const char *field, const char *detail);
/* Answers with o (a field problem when o->field is set). */
void reply_outcome(struct req *r, const struct outcome *o);

/* Creates a resource the way every creating POST does: inside one transaction
 * with the Idempotency-Key bookkeeping (replay of the first answer for the same
 * caller and key within 24 h; 422 when the key comes with another body), then
 * 201 with Location (location_prefix + "/" + id) and ETag. create() returns
 * DBQ_ONE with *doc (owned), DBQ_ROLLBACK after filling *fail, or a failure. */
typedef enum dbq (*create_fn)(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail);
void api_create(struct req *r, const json_t *body, const char *location_prefix, create_fn create, void *arg);

#endif
