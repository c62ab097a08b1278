#include "resource.h"

#include <stdio.h>
#include <stdlib.h>

#include "patch.h"
#include "reply.h"

/* The answer to reading one: 200 with ETag, 304, 404 ("No <what> has this
 * id.") for DBQ_NONE, or the failure q. doc borrowed. */
static void reply_read(struct req *r, const char *what, enum dbq q, const json_t *doc) {
  char detail[160];
  if (q < 0) {
    reply_db(r, q);
  } else if (q == DBQ_NONE) {
    snprintf(detail, sizeof detail, "No %s has this id.", what);
    reply_problem(r, 404, detail);
  } else if (!req_not_modified(r, doc)) {
    reply_resource(r, 200, doc);
  }
}

void api_get(struct req *r, const char *what, enum dbq (*get)(struct db_conn *conn, const char *id, json_t **out)) {
  api_get_visible(r, what, get, NULL);
}

void api_get_visible(struct req *r, const char *what,
                     enum dbq (*get)(struct db_conn *conn, const char *id, json_t **out),
                     enum dbq (*visible)(struct req *r, struct db_conn *db, const json_t *doc)) {
  json_t *doc = NULL;
  const char *id = req_uuid_var(r, 0);
  struct db_conn *db;
  if (id == NULL || (db = req_db(r)) == NULL)
    return;
  enum dbq q = get(db, id, &doc);
  if (q == DBQ_ONE && visible)
    q = visible(r, db, doc);
  reply_read(r, what, q, doc);
  json_decref(doc);
}

void api_list(struct req *r, const struct list_call *call, const struct list_args *a) {
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL;
  json_t *items = NULL;
  long long total = -1;
  struct db_conn *db;
  if (req_cursor(r, a->sort, &key, &seq) != 0 || (db = req_db(r)) == NULL)
    goto out;
  *a->after_key = key;
  *a->after_seq = seq;
  enum dbq q = call->page(db, a->query, &items, &next_key, &next_seq);
  if (q >= 0 && a->with_total == 1 && call->count)
    q = call->count(db, a->query, &total);
  if (q < 0)
    reply_db(r, q);
  else
    reply_page(r, json_incref(items), a->sort, next_key, next_seq, total);
out:
  *a->after_key = NULL;
  *a->after_seq = NULL;
  free(key);
  free(seq);
  free(next_key);
  free(next_seq);
  json_decref(items);
}

struct patch_tx {
  struct req *r;
  const char *id;
  const struct patch_spec *spec;
  const json_t *patch;
  json_t *doc;
  json_t *errors;
  struct outcome fail;
};

/* 0 when the merged document passes every rule; else -1 with t->errors filled. */
static int merged_valid(struct patch_tx *t, json_t *merged) {
  json_array_clear(t->errors);
  int bad = validate_object(merged, t->spec->fields, t->spec->nfields, V_CREATE, t->errors);
  if (bad == 0 && t->spec->rules)
    bad = t->spec->rules(merged, t->errors);
  if (bad)
    outcome_set(&t->fail, 422, NULL, NULL);
  return bad ? -1 : 0;
}

/* Inside the transaction: locks row id and checks that the caller may change
 * it (allowed, may be NULL) and that If-Match holds. DBQ_ONE with *current
 * (caller decrefs), DBQ_ROLLBACK with *fail set (404, the resource's refusal,
 * 412), or a failure. */
static enum dbq lock_for_change(struct db_conn *conn, struct req *r, const char *what, const char *id,
                                enum dbq (*lock)(struct db_conn *conn, const char *id, json_t **out),
                                int (*allowed)(struct req *r, const json_t *current, struct outcome *fail),
                                json_t **current, struct outcome *fail) {
  char detail[160];
  enum dbq q = lock(conn, id, current);
  if (q == DBQ_NONE) {
    snprintf(detail, sizeof detail, "No %s has this id.", what);
    outcome_set(fail, 404, NULL, detail);
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  if (allowed && allowed(r, *current, fail) != 0)
    goto refused;
  if (req_if_match_ok(r, json_integer_value(json_object_get(*current, "version"))) != 0) {
    snprintf(detail, sizeof detail, "The %s has changed since you read it (If-Match).", what);
    outcome_set(fail, 412, NULL, detail);
    goto refused;
  }
  return DBQ_ONE;
refused:
  json_decref(*current);
  *current = NULL;
  return DBQ_ROLLBACK;
}

static enum dbq patch_body(struct db_conn *conn, void *arg) {
  struct patch_tx *t = arg;
  const struct patch_spec *spec = t->spec;
  json_t *current = NULL;
  json_decref(t->doc);
  t->doc = NULL;
  enum dbq q = lock_for_change(conn, t->r, spec->what, t->id, spec->lock, spec->allowed, &current, &t->fail);
  if (q != DBQ_ONE)
    return q;
  q = DBQ_ROLLBACK;
  validate_strip_readonly(current, spec->fields, spec->nfields);
  merge_patch(current, t->patch);
  if (merged_valid(t, current) != 0)
    goto out;
  if (spec->prepare && spec->prepare(current) != 0) {
    q = DBQ_HARD;
    goto out;
  }
  q = spec->update(conn, t->id, current, &t->doc);
out:
  json_decref(current);
  return q;
}

void api_patch(struct req *r, const char *id, const struct patch_spec *spec) {
  api_patch_ready(r, id, spec, NULL);
}

void api_patch_ready(struct req *r, const char *id, const struct patch_spec *spec,
                     int (*ready)(struct req *r, json_t *patch)) {
  json_t *body = req_json_body(r);
  struct patch_tx t = {.r = r, .id = id, .spec = spec, .patch = body, .errors = json_array()};
  struct db_conn *db;
  if (body == NULL)
    goto out;
  if (validate_object(body, spec->fields, spec->nfields, V_PATCH, t.errors) > 0) {
    reply_invalid(r, 422, t.errors);
    goto out;
  }
  if ((ready && ready(r, body) != 0) || (db = req_db(r)) == NULL)
    goto out;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, patch_body, &t);
  if (q == DBQ_ROLLBACK && t.fail.status == 422 && json_array_size(t.errors) > 0)
    reply_invalid(r, 422, t.errors);
  else if (q == DBQ_ROLLBACK)
    reply_outcome(r, &t.fail);
  else if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "The resource disappeared while it was being changed.");
  else
    reply_resource(r, 200, t.doc);
out:
  json_decref(body);
  json_decref(t.doc);
  json_decref(t.errors);
}

struct delete_tx {
  struct req *r;
  const char *id;
  const struct delete_spec *spec;
  struct outcome fail;
};

static enum dbq delete_body(struct db_conn *conn, void *arg) {
  struct delete_tx *t = arg;
  const struct delete_spec *spec = t->spec;
  json_t *current = NULL;
  enum dbq q = lock_for_change(conn, t->r, spec->what, t->id, spec->lock, spec->allowed, &current, &t->fail);
  json_decref(current);
  return q == DBQ_ONE ? spec->remove(conn, t->id) : q;
}

void api_delete(struct req *r, const char *id, const struct delete_spec *spec) {
  struct delete_tx t = {.r = r, .id = id, .spec = spec};
  struct db_conn *db;
  if (id == NULL || (db = req_db(r)) == NULL)
    return;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, delete_body, &t);
  if (q == DBQ_ROLLBACK) {
    reply_outcome(r, &t.fail);
  } else if (q < 0) {
    reply_db(r, q);
  } else if (q == DBQ_NONE) {
    snprintf(t.fail.detail, sizeof t.fail.detail, "No %s has this id.", spec->what);
    reply_problem(r, 404, t.fail.detail);
  } else {
    reply_empty(r, 204);
  }
}

void api_list_plain(struct req *r, list_fn list) {
  static const char *const allowed[] = {"limit", "cursor", NULL};
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL;
  json_t *items = NULL;
  int limit = 20;
  struct db_conn *db;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &limit) != 0 || req_cursor(r, "seq", &key, &seq) != 0 ||
      (db = req_db(r)) == NULL)
    goto out;
  enum dbq q = list(db, key, seq, limit, &items, &next_key, &next_seq);
  if (q < 0)
    reply_db(r, q);
  else
    reply_page(r, json_incref(items), "seq", next_key, next_seq, -1);
out:
  free(key);
  free(seq);
  free(next_key);
  free(next_seq);
  json_decref(items);
}
