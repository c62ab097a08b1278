/* Idempotent creation: the Idempotency-Key bookkeeping every creating POST
 * shares (declared in http.h). The same key from the same caller within 24 h
 * replays the first answer; the same key with another body is 422. */
#include "http.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yder.h>

#include "metrics.h"
#include "reply.h"
#include "repo_idem.h"
#include "validate.h"

struct create_tx {
  struct req *r;
  const char *key; /* Idempotency-Key or NULL */
  char hash[65];
  char location[256];
  const char *location_prefix;
  create_fn create;
  void *arg;
  json_t *doc;
  char *doc_text;
  int taken; /* the key was claimed by another request */
  struct outcome fail;
};

/* HMAC-SHA-256, keyed with the installation's secret, over method, path and
 * the canonical body: the same request gives the same fingerprint, and a
 * password in the body is never kept under a fast hash anyone could search. */
static void request_hash(const struct req *r, const json_t *body, char out[65]) {
  unsigned char digest[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  char *canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
  crypto_auth_hmacsha256_init(&st, r->app->idempotency_key, sizeof r->app->idempotency_key);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)r->http->http_verb, strlen(r->http->http_verb));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)" ", 1);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)r->http->url_path, strlen(r->http->url_path));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\n", 1);
  if (canon) {
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)canon, strlen(canon));
    sodium_memzero(canon, strlen(canon));
  }
  crypto_auth_hmacsha256_final(&st, digest);
  sodium_bin2hex(out, 65, digest, sizeof digest);
  free(canon);
}

static enum dbq create_body(struct db_conn *conn, void *arg) {
  struct create_tx *t = arg;
  enum dbq q;
  json_decref(t->doc);
  t->doc = NULL;
  if (t->key) {
    q = repo_idem_claim(conn, t->r->caller.id, t->key, t->hash);
    if (q == DBQ_NONE) {
      t->taken = 1;
      return DBQ_ROLLBACK;
    }
    if (q < 0)
      return q;
  }
  q = t->create(conn, t->arg, &t->doc, &t->fail);
  if (q != DBQ_ONE)
    return q < 0 ? q : DBQ_HARD;
  snprintf(t->location, sizeof t->location, "%s/%s", t->location_prefix,
           json_string_value(json_object_get(t->doc, "id")));
  if (t->key) {
    /* A created secret (an API key, a webhook's signing secret) is shown once and never stored in clear. */
    json_t *kept = json_copy(t->doc);
    json_object_del(kept, "key");
    json_object_del(kept, "secret");
    free(t->doc_text);
    t->doc_text = json_dumps(kept, JSON_COMPACT);
    json_decref(kept);
    q = repo_idem_store(conn, t->r->caller.id, t->key, 201, t->location, t->doc_text);
    if (q < 0)
      return q;
  }
  return DBQ_ONE;
}

/* 1 after answering from a stored answer (a replay, or 422 for another body). */
static int replay_stored(struct req *r, const char *key, const char *hash) {
  json_t *stored = NULL;
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return 1;
  enum dbq q = repo_idem_find(db, r->caller.id, key, &stored);
  if (q < 0) {
    reply_db(r, q);
    return 1;
  }
  if (q == DBQ_NONE)
    return 0;
  if (strcmp(json_string_value(json_object_get(stored, "request_hash")), hash) != 0) {
    reply_field(r, 422, "Idempotency-Key", "was already used with a different request body");
  } else {
    const char *body = json_string_value(json_object_get(stored, "body"));
    json_t *doc = json_loads(body ? body : "{}", 0, NULL);
    const char *loc = json_string_value(json_object_get(stored, "location"));
    if (loc)
      reply_header(r, "Location", loc);
    reply_header(r, "Idempotent-Replayed", "true");
    int status = (int)json_integer_value(json_object_get(stored, "status"));
    if (json_object_get(doc, "version"))
      reply_resource(r, status, doc);
    else
      reply_json(r, status, doc); /* a batch's answer is no resource */
    json_decref(doc);
  }
  json_decref(stored);
  return 1;
}

static int idempotency_key_ok(struct req *r, const char *key) {
  long n = utf8_length(key);
  if (n >= 1 && n <= 200)
    return 1;
  reply_field(r, 400, "Idempotency-Key", "must be 1 to 200 characters");
  return 0;
}

int req_idempotent_replay(struct req *r, const json_t *body, char hash[65]) {
  const char *key = req_header(r, "Idempotency-Key");
  if (key == NULL)
    return 0;
  if (!idempotency_key_ok(r, key))
    return 1;
  request_hash(r, body, hash);
  return replay_stored(r, key, hash);
}

struct keep_tx {
  struct req *r;
  const char *key, *hash, *body;
  int status;
};

static enum dbq keep_body(struct db_conn *conn, void *arg) {
  struct keep_tx *k = arg;
  enum dbq q = repo_idem_claim(conn, k->r->caller.id, k->key, k->hash);
  if (q == DBQ_NONE)
    return DBQ_ROLLBACK; /* a concurrent request with the key keeps its own */
  if (q < 0)
    return q;
  q = repo_idem_store(conn, k->r->caller.id, k->key, k->status, NULL, k->body);
  return q < 0 ? q : DBQ_ONE;
}

void req_idempotent_keep(struct req *r, const char *hash, int status, const json_t *doc) {
  const char *key = req_header(r, "Idempotency-Key");
  char *text = key ? json_dumps(doc, JSON_COMPACT) : NULL;
  if (text == NULL || r->db == NULL)
    goto out;
  struct keep_tx k = {r, key, hash, text, status};
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(r->db, &actor, keep_body, &k);
  if (q < 0 && q != DBQ_ROLLBACK)
    y_log_message(Y_LOG_LEVEL_WARNING, "idempotency: the answer for a key was not kept [%s]", r->request_id);
out:
  free(text);
}

void api_create(struct req *r, const json_t *body, const char *location_prefix, create_fn create, void *arg) {
  struct create_tx t = {.r = r, .location_prefix = location_prefix, .create = create, .arg = arg};
  struct db_conn *db;
  t.key = req_header(r, "Idempotency-Key");
  if (t.key) {
    if (!idempotency_key_ok(r, t.key))
      return;
    request_hash(r, body, t.hash);
    if (replay_stored(r, t.key, t.hash))
      return;
  }
  db = req_db(r);
  if (db == NULL)
    return;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, create_body, &t);
  if (q == DBQ_ROLLBACK && t.taken) {
    if (!replay_stored(r, t.key, t.hash))
      reply_problem_type(r, PROBLEM_REQUEST_IN_PROGRESS,
                         "A request with this Idempotency-Key is still being processed.");
  } else if (q == DBQ_ROLLBACK) {
    reply_outcome(r, &t.fail);
  } else if (q < 0) {
    reply_db(r, q);
  } else {
    reply_header(r, "Location", t.location);
    reply_resource(r, 201, t.doc);
  }
  json_decref(t.doc);
  free(t.doc_text);
}
