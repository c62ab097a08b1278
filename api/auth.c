#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yder.h>

#include "http.h"
#include "netaddr.h"
#include "password.h"
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

void auth_key_prefix(const char *key, char out[KEY_PREFIX_LEN + 1]) {
  snprintf(out, KEY_PREFIX_LEN + 1, "%s", key);
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
  c->key_use_due = found->key_use_due;
  found->region_codes = NULL;
}

/* Records that an API key was used (at most once a minute); a failure to
 * record it is logged, never answered. */
static void note_key_used(struct req *r) {
  if (!r->caller.key_use_due || r->db == NULL)
    return;
  r->caller.key_use_due = 0;
  if (repo_auth_key_used(r->db, r->caller.id) < 0)
    y_log_message(Y_LOG_LEVEL_WARNING, "API key %s: last_used_at not recorded [%s]", r->caller.id, r->request_id);
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
  note_key_used(r);
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
  enum dbq q = r->db ? repo_auth_settle(r->db) : DBQ_NONE;
  if (q >= 0)
    note_key_used(r);
  return q;
}

static const struct vfield login_fields[] = {
    {"email", V_STRING, V_REQUIRED | V_TRIM, 1, 254, NULL, NULL},
    {"password", V_STRING, V_REQUIRED, 1, 1024, NULL, NULL},
};

struct login_tx {
  struct login_attempt a;
  const char *hash;
  long ttl_s;
  json_t *out;
};

static enum dbq login_ok_tx(struct db_conn *conn, void *arg) {
  struct login_tx *t = arg;
  return repo_auth_login_ok(conn, &t->a, t->hash, t->ttl_s, &t->out);
}

static enum dbq login_locked_tx(struct db_conn *conn, void *arg) {
  struct login_tx *t = arg;
  return repo_auth_login_locked(conn, t->a.email, t->a.user_id);
}

static enum dbq login_failed_tx(struct db_conn *conn, void *arg) {
  struct login_tx *t = arg;
  return repo_auth_login_failed(conn, &t->a);
}

/* Runs body in a transaction on a connection taken again after hashing: 0, or -1 after answering. */
static int run_tx(struct req *r, enum dbq (*body)(struct db_conn *conn, void *arg), void *arg) {
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return -1;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, body, arg);
  if (q < 0) {
    reply_db(r, q);
    return -1;
  }
  return 0;
}

static void answer_wait(struct req *r, long seconds) {
  char s[24];
  snprintf(s, sizeof s, "%ld", seconds);
  reply_header(r, "Retry-After", s);
  reply_problem(r, 429, "Too many failed sign-ins for this account from here; try again later.");
}

static void login_succeeded(struct req *r, struct login_tx *t) {
  char token[SECRET_LEN + 1], hash[65];
  auth_secret_new(token, sizeof token);
  auth_secret_hash(token, hash);
  t->hash = hash;
  if (run_tx(r, login_ok_tx, t) == 0) {
    json_object_set_new(t->out, "token", json_string(token));
    reply_header(r, "Cache-Control", "no-store");
    reply_json(r, 200, t->out);
  }
  json_decref(t->out);
  sodium_memzero(token, sizeof token);
}

void req_client_address(const struct req *r, char out[INET6_ADDRSTRLEN]) {
  const struct config *cfg = &r->app->cfg;
  netaddr_client(r->http->client_address, req_header(r, "X-Forwarded-For"), cfg->trusted_proxies,
                 cfg->trusted_proxies_n, out);
}

/* The attempt's user and wait: 0 to check the password, or -1 after answering. */
static int login_prepare(struct req *r, struct login_tx *t, json_t **user) {
  long wait_s = 0;
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return -1;
  enum dbq q = repo_auth_login_user(db, t->a.email, t->a.address, user, &wait_s);
  if (q < 0) {
    reply_db(r, q);
    return -1;
  }
  t->a.user_id = *user ? json_string_value(json_object_get(*user, "id")) : NULL;
  if (wait_s > 0) {
    if (run_tx(r, login_locked_tx, t) == 0)
      answer_wait(r, wait_s);
    return -1;
  }
  return 0;
}

void h_auth_login(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array(), *user = NULL;
  char address[INET6_ADDRSTRLEN];
  const struct config *cfg = &r->app->cfg;
  if (body == NULL)
    goto out;
  if (validate_object(body, login_fields, 2, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  req_client_address(r, address);
  struct login_tx t = {.a = {.email = json_string_value(json_object_get(body, "email")),
                             .address = address,
                             .max_failures = cfg->login_max_failures,
                             .address_max_failures = cfg->login_address_max_failures,
                             .max_delay_s = cfg->login_lock_s},
                       .ttl_s = cfg->token_ttl_s};
  if (login_prepare(r, &t, &user) != 0)
    goto out;
  const char *stored = user ? json_string_value(json_object_get(user, "password_hash")) : NULL;
  int ok = req_password_verify(r, stored, json_string_value(json_object_get(body, "password")));
  if (ok < 0)
    goto out;
  if (ok && json_is_true(json_object_get(user, "active")))
    login_succeeded(r, &t);
  else if (run_tx(r, login_failed_tx, &t) == 0)
    reply_problem(r, 401, "The email or password is wrong, or the account is deactivated.");
out:
  json_wipe_secret(body, "password");
  req_wipe_body(r);
  json_decref(user);
  json_decref(body);
  json_decref(errors);
}

static const struct vfield password_fields[] = {
    {"current_password", V_STRING, V_REQUIRED, 1, 1024, NULL, NULL},
    {"new_password", V_STRING, V_REQUIRED, 8, 1024, NULL, NULL},
};

struct password_tx {
  const struct caller *caller;
  const char *hash;
};

static enum dbq set_password_tx(struct db_conn *conn, void *arg) {
  struct password_tx *t = arg;
  return repo_auth_set_password(conn, t->caller->id, t->caller->token_id, t->hash);
}

/* The caller's email, to check the current password as a sign-in would be
 * (throttled alike): 0, or -1 after answering. */
static int caller_email(struct req *r, json_t **me) {
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return -1;
  enum dbq q = repo_auth_me(db, "user", r->caller.id, me);
  if (q == DBQ_ONE)
    return 0;
  if (q < 0)
    reply_db(r, q);
  else
    reply_problem(r, 401, "The caller no longer exists.");
  return -1;
}

/* 1 when the current password is right; 0 after answering 422 (the failure
 * counts like a failed sign-in); -1 after answering otherwise. */
static int current_password_ok(struct req *r, const json_t *body, const json_t *me) {
  json_t *user = NULL;
  char address[INET6_ADDRSTRLEN];
  const struct config *cfg = &r->app->cfg;
  req_client_address(r, address);
  struct login_tx t = {.a = {.email = json_string_value(json_object_get(me, "email")),
                             .address = address,
                             .max_failures = cfg->login_max_failures,
                             .address_max_failures = cfg->login_address_max_failures,
                             .max_delay_s = cfg->login_lock_s}};
  int ok = login_prepare(r, &t, &user);
  if (ok == 0) {
    const char *stored = json_string_value(json_object_get(user, "password_hash"));
    ok = req_password_verify(r, stored, json_string_value(json_object_get(body, "current_password")));
  }
  if (ok == 0 && run_tx(r, login_failed_tx, &t) == 0)
    reply_field(r, 422, "current_password", "is not your current password");
  json_decref(user);
  return ok;
}

void h_me_password(struct req *r) {
  json_t *body = NULL, *errors = json_array(), *me = NULL;
  char hash[crypto_pwhash_STRBYTES] = {0};
  if (r->caller.token_id[0] == '\0') {
    reply_problem(r, 403, "An API key has no password; sign in as the user to change it.");
    goto out;
  }
  if ((body = req_json_body(r)) == NULL)
    goto out;
  if (validate_object(body, password_fields, 2, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  if (caller_email(r, &me) != 0 || current_password_ok(r, body, me) != 1 ||
      req_password_hash(r, json_string_value(json_object_get(body, "new_password")), hash) != 0)
    goto out;
  struct password_tx t = {&r->caller, hash};
  if (run_tx(r, set_password_tx, &t) == 0)
    reply_empty(r, 204);
out:
  json_wipe_secret(body, "current_password");
  json_wipe_secret(body, "new_password");
  req_wipe_body(r);
  sodium_memzero(hash, sizeof hash);
  json_decref(me);
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
