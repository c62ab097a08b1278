/* Signing in and out, and the signed-in user: POST /v1/auth/login,
 * POST /v1/auth/logout, GET /v1/me, POST /v1/me/password. */
#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <yder.h>

#include "http.h"
#include "password.h"
#include "reply.h"
#include "repo_auth.h"
#include "validate.h"

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
