#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yder.h>

#include "http.h"
#include "reply.h"
#include "repo_auth.h"
#include "router.h"
#include "validate.h"

void auth_secret_new(char *out, size_t outlen) {
  unsigned char raw[32];
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(out, outlen, "opop_%s", b64);
  sodium_memzero(raw, sizeof raw);
}

void auth_secret_hash(const char *secret, char out[65]) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
  sodium_bin2hex(out, 65, digest, sizeof digest);
}

int auth_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]) {
  return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/* Takes over found->region_codes. */
static void caller_fill(struct caller *c, struct auth_caller *found) {
  const char *role = found->role;
  c->authenticated = 1;
  memcpy(c->id, found->id, sizeof c->id);
  c->kind = found->is_user ? "user" : "api_key";
  c->role = strcmp(role, "admin") == 0      ? ROLE_ADMIN
            : strcmp(role, "mentor") == 0   ? ROLE_MENTOR
            : strcmp(role, "operator") == 0 ? ROLE_OPERATOR
                                            : ROLE_VIEWER;
  memcpy(c->pesantren_id, found->pesantren_id, sizeof c->pesantren_id);
  memcpy(c->token_id, found->token_id, sizeof c->token_id);
  c->region_codes = found->region_codes;
  found->region_codes = NULL;
}

/* The stored hash of the Bearer secret: 0, or -1 after answering 401. */
static int bearer_hash(struct req *r, char hash[65]) {
  const char *h = req_header(r, "Authorization");
  if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0' || strlen(h + 7) > 512) {
    reply_problem(r, 401, "Send a login token or API key as 'Authorization: Bearer <token>'.");
    return -1;
  }
  auth_secret_hash(h + 7, hash);
  return 0;
}

int mw_authenticate(struct req *r) {
  char hash[65];
  struct auth_caller found;
  struct db_conn *db;
  if (bearer_hash(r, hash) != 0 || (db = req_db(r)) == NULL)
    return -1;
  enum dbq q = repo_auth_lookup(db, hash, &found);
  if (q < 0) {
    reply_db(r, q);
    return -1;
  }
  if (q == DBQ_NONE) {
    reply_problem(r, 401, AUTH_UNKNOWN_DETAIL);
    return -1;
  }
  caller_fill(&r->caller, &found);
  return 0;
}

/* Judges the caller of a lookup sent ahead, before the request's first
 * statement's result is used: the caller must exist and its role be allowed
 * on the route. */
static const char *gate_caller(struct auth_caller *found, void *arg) {
  struct req *r = arg;
  if (found == NULL)
    return AUTH_SQLSTATE_UNKNOWN;
  caller_fill(&r->caller, found);
  return r->caller.role & r->route->roles ? NULL : AUTH_SQLSTATE_ROLE;
}

int mw_authenticate_ahead(struct req *r) {
  char hash[65];
  struct db_conn *db;
  if (bearer_hash(r, hash) != 0 || (db = req_db(r)) == NULL)
    return -1;
  if (repo_auth_lookup_ahead(db, hash, gate_caller, r) < 0) {
    reply_problem(r, 500, "An unexpected error occurred; it has been logged.");
    y_log_message(Y_LOG_LEVEL_ERROR, "mw_authenticate_ahead: out of memory [%s]", r->request_id);
    return -1;
  }
  return 0;
}

enum dbq mw_authenticate_settle(struct req *r) {
  return r->db ? repo_auth_settle(r->db) : DBQ_NONE;
}

static const struct vfield login_fields[] = {
    {"email", V_STRING, V_REQUIRED | V_TRIM, 1, 254, NULL, NULL},
    {"password", V_STRING, V_REQUIRED, 1, 1024, NULL, NULL},
};

struct login_tx {
  const char *email;
  const char *user_id;
  const char *hash;
  long ttl_s;
  int max_failures, lock_s;
  json_t *out;
};

static enum dbq login_ok_tx(struct db_conn *conn, void *arg) {
  struct login_tx *t = arg;
  return repo_auth_login_ok(conn, t->email, t->user_id, t->hash, t->ttl_s, &t->out);
}

static enum dbq login_locked_tx(struct db_conn *conn, void *arg) {
  struct login_tx *t = arg;
  return repo_auth_login_locked(conn, t->email, t->user_id);
}

static enum dbq login_failed_tx(struct db_conn *conn, void *arg) {
  struct login_tx *t = arg;
  return repo_auth_login_failed(conn, t->email, t->user_id, t->max_failures, t->lock_s);
}

/* A fixed argon2id string to verify against when the email is unknown, so
 * the answer takes as long either way. */
static int password_matches(const json_t *user, const char *password) {
  static const char dummy[crypto_pwhash_STRBYTES] =
      "$argon2id$v=19$m=65536,t=2,p=1$10SVAafhZKeRDnMgZAy9Tg$Crt+eFG+etgoJti0nQjKj9FUi04W62dns+9FjTo55dQ";
  const char *stored = user ? json_string_value(json_object_get(user, "password_hash")) : NULL;
  char hash[crypto_pwhash_STRBYTES] = {0};
  snprintf(hash, sizeof hash, "%s", stored ? stored : dummy);
  int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
  return ok && user && json_is_true(json_object_get(user, "active"));
}

static void answer_locked(struct req *r, long seconds) {
  char s[24];
  snprintf(s, sizeof s, "%ld", seconds);
  reply_header(r, "Retry-After", s);
  reply_problem(r, 429, "Too many failed sign-ins for this account; try again later.");
}

static void login_succeeded(struct req *r, struct login_tx *t, struct db_conn *db) {
  char token[SECRET_LEN + 1], hash[65];
  struct db_actor actor = req_actor(r);
  auth_secret_new(token, sizeof token);
  auth_secret_hash(token, hash);
  t->hash = hash;
  enum dbq q = db_tx(db, &actor, login_ok_tx, t);
  if (q < 0) {
    reply_db(r, q);
  } else {
    json_object_set_new(t->out, "token", json_string(token));
    reply_json(r, 200, t->out);
  }
  json_decref(t->out);
  sodium_memzero(token, sizeof token);
}

void h_auth_login(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array(), *user = NULL;
  long locked_for = 0;
  struct db_conn *db;
  if (body == NULL)
    goto out;
  if (validate_object(body, login_fields, 2, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  if ((db = req_db(r)) == NULL)
    goto out;
  struct login_tx t = {.email = json_string_value(json_object_get(body, "email")),
                       .ttl_s = r->app->cfg.token_ttl_s,
                       .max_failures = r->app->cfg.login_max_failures,
                       .lock_s = r->app->cfg.login_lock_s};
  enum dbq q = repo_auth_login_user(db, t.email, &user, &locked_for);
  if (q < 0) {
    reply_db(r, q);
    goto out;
  }
  t.user_id = user ? json_string_value(json_object_get(user, "id")) : NULL;
  if (locked_for > 0) {
    struct db_actor actor = req_actor(r);
    q = db_tx(db, &actor, login_locked_tx, &t);
    if (q < 0)
      reply_db(r, q);
    else
      answer_locked(r, locked_for);
    goto out;
  }
  if (password_matches(user, json_string_value(json_object_get(body, "password")))) {
    login_succeeded(r, &t, db);
    goto out;
  }
  struct db_actor actor = req_actor(r);
  q = db_tx(db, &actor, login_failed_tx, &t);
  if (q < 0)
    reply_db(r, q);
  else
    reply_problem(r, 401, "The email or password is wrong, or the account is deactivated.");
out:
  json_decref(user);
  json_decref(body);
  json_decref(errors);
}

static enum dbq logout_tx(struct db_conn *conn, void *arg) {
  return repo_auth_logout(conn, arg);
}

void h_auth_logout(struct req *r) {
  if (r->caller.token_id[0] == '\0') {
    reply_problem(r, 400, "API keys are not signed out; an admin revokes them with DELETE /v1/api-keys/{id}.");
    return;
  }
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, logout_tx, r->caller.token_id);
  if (q < 0)
    reply_db(r, q);
  else
    reply_empty(r, 204);
}

void h_me(struct req *r) {
  json_t *me = NULL;
  struct db_conn *db;
  if ((db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_auth_me(db, r->caller.kind, r->caller.id, &me);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 401, "The caller no longer exists.");
  else
    reply_json(r, 200, me);
  json_decref(me);
}
