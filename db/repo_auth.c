#include "repo_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

static const struct db_stmt auth_lookup = {
    "repo_auth_lookup",
    "SELECT 'user', u.id, u.role, u.pesantren_id, to_json(u.region_codes), t.id, false"
    " FROM tokens t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = decode($1, 'hex') AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active"
    " UNION ALL"
    " SELECT 'api_key', k.id, k.role, k.pesantren_id, to_json(k.region_codes), NULL,"
    "   coalesce((SELECT g.last_used_at <= now() - interval '1 minute' FROM api_key_usage g WHERE g.key_id = k.id), "
    "true)"
    " FROM api_keys k WHERE k.key_hash = decode($1, 'hex') AND k.revoked_at IS NULL"
    "   AND (k.expires_at IS NULL OR k.expires_at > now())"
    " LIMIT 1",
    1,
};

static void copy_column(const PGresult *res, int col, char *out, size_t len) {
  snprintf(out, len, "%s", PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

/* Most callers have no regions: "[]" needs no parser. */
static json_t *region_codes_from(const char *text) {
  return strcmp(text, "[]") == 0 ? json_array() : json_loads(text, 0, NULL);
}

/* The caller in the first row of res: DBQ_NONE without one, DBQ_HARD when
 * its region codes cannot be read. */
static enum dbq caller_from(const PGresult *res, struct auth_caller *out) {
  memset(out, 0, sizeof *out);
  if (PQntuples(res) == 0)
    return DBQ_NONE;
  out->is_user = strcmp(PQgetvalue(res, 0, 0), "user") == 0;
  copy_column(res, 1, out->id, sizeof out->id);
  copy_column(res, 2, out->role, sizeof out->role);
  copy_column(res, 3, out->pesantren_id, sizeof out->pesantren_id);
  copy_column(res, 5, out->token_id, sizeof out->token_id);
  out->key_use_due = strcmp(PQgetvalue(res, 0, 6), "t") == 0;
  out->region_codes = region_codes_from(PQgetvalue(res, 0, 4));
  return out->region_codes ? DBQ_ONE : DBQ_HARD;
}

enum dbq repo_auth_lookup(struct db_conn *conn, const char *hash_hex, struct auth_caller *out) {
  const char *vals[1] = {hash_hex};
  memset(out, 0, sizeof *out);
  PGresult *res = db_exec(conn, &auth_lookup, vals);
  if (res == NULL)
    return db_failure(conn);
  enum dbq q = caller_from(res, out);
  PQclear(res);
  if (q == DBQ_HARD) {
    const struct db_error e = {"XX000", "", "repo_auth_lookup: region_codes are not a JSON array"};
    db_restore_error(conn, &e);
  }
  return q;
}

struct lookup_ahead {
  auth_gate gate;
  void *arg;
};

static const char *judge_lookup(const PGresult *res, void *arg) {
  const struct lookup_ahead *a = arg;
  struct auth_caller found;
  enum dbq q = caller_from(res, &found);
  const char *refused = q == DBQ_HARD ? "XX000" : a->gate(q == DBQ_ONE ? &found : NULL, a->arg);
  json_decref(found.region_codes);
  return refused;
}

enum dbq repo_auth_lookup_ahead(struct db_conn *conn, const char *hash_hex, auth_gate gate, void *arg) {
  struct lookup_ahead *a = malloc(sizeof *a);
  if (a == NULL)
    return DBQ_HARD;
  a->gate = gate;
  a->arg = arg;
  return db_lead(conn, &auth_lookup, hash_hex, judge_lookup, a, free) == 0 ? DBQ_ONE : DBQ_HARD;
}

enum dbq repo_auth_settle(struct db_conn *conn) {
  return db_lead_settle(conn);
}

/* The throttle keys of an attempt: the account at the client's address, and the address. */
#define ACCOUNT_KEY "lower($1) || ' ' || $2"

static const struct db_stmt auth_login_user = {
    "repo_auth_login_user",
    "SELECT json_build_object('user', (SELECT json_build_object('id', u.id, 'password_hash', u.password_hash,"
    "   'active', u.active) FROM users u WHERE lower(u.email) = lower($1)),"
    " 'wait_s', (SELECT coalesce(max(ceil(extract(epoch FROM blocked_until - now()))), 0)::bigint"
    "   FROM login_failures WHERE blocked_until > now()"
    "   AND ((scope = 'account' AND key = " ACCOUNT_KEY ") OR (scope = 'address' AND key = $2))))",
    2,
};

enum dbq repo_auth_login_user(struct db_conn *conn, const char *email, const char *address, json_t **out,
                              long *wait_s) {
  const char *vals[2] = {email, address};
  json_t *row = NULL;
  *out = NULL;
  *wait_s = 0;
  enum dbq q = db_json_one(conn, &auth_login_user, vals, &row);
  if (q != DBQ_ONE)
    return q;
  *wait_s = (long)json_integer_value(json_object_get(row, "wait_s"));
  json_t *user = json_object_get(row, "user");
  if (json_is_object(user))
    *out = json_incref(user);
  json_decref(row);
  return *out ? DBQ_ONE : DBQ_NONE;
}

/* A success forgives the account's failures at this address, not the
 * address's own count (an attacker could otherwise reset it with an account
 * of their own). */
static const struct db_stmt auth_login_ok = {
    "repo_auth_login_ok",
    "WITH cleared AS (DELETE FROM login_failures WHERE scope = 'account' AND key = " ACCOUNT_KEY "),"
    " tok AS (INSERT INTO tokens (user_id, token_hash, expires_at)"
    "   VALUES ($3::uuid, decode($4, 'hex'), now() + make_interval(secs => $5::bigint)) RETURNING id, expires_at),"
    " audit AS (INSERT INTO audit_events (actor_id, actor_kind, request_id, entity, entity_id, action, after)"
    "   SELECT $3::uuid, 'user', nullif(current_setting('opop.request_id', true), ''), 'user', $3::uuid, 'login',"
    "   jsonb_build_object('token_id', tok.id) FROM tok)"
    " SELECT json_build_object('expires_at', opop_ts(tok.expires_at), 'user', user_json(u))"
    " FROM tok, users u WHERE u.id = $3::uuid",
    5,
};

enum dbq repo_auth_login_ok(struct db_conn *conn, const struct login_attempt *a, const char *hash_hex, long ttl_s,
                            json_t **out) {
  char ttl[24];
  snprintf(ttl, sizeof ttl, "%ld", ttl_s);
  const char *vals[5] = {a->email, a->address, a->user_id, hash_hex, ttl};
  return db_json_one(conn, &auth_login_ok, vals, out);
}

static const struct db_stmt auth_login_failed = {
    "repo_auth_login_failed",
    "WITH counted AS (SELECT login_failure_record('account', " ACCOUNT_KEY ", $4::integer, $6::integer) AS failures,"
    "   login_failure_record('address', $2, $5::integer, $6::integer) AS address_failures)"
    " INSERT INTO audit_events (actor_id, actor_kind, request_id, entity, entity_id, action, after)"
    " SELECT $3::uuid, 'user', nullif(current_setting('opop.request_id', true), ''), 'user', $3::uuid, 'login_failed',"
    "   jsonb_build_object('email', $1::text, 'address', $2::text, 'failures', counted.failures) FROM counted",
    6,
};

enum dbq repo_auth_login_failed(struct db_conn *conn, const struct login_attempt *a) {
  char maxf[16], addrf[16], delay[16];
  snprintf(maxf, sizeof maxf, "%d", a->max_failures);
  snprintf(addrf, sizeof addrf, "%d", a->address_max_failures);
  snprintf(delay, sizeof delay, "%d", a->max_delay_s);
  const char *vals[6] = {a->email, a->address, a->user_id, maxf, addrf, delay};
  return db_command(conn, &auth_login_failed, vals);
}

static const struct db_stmt auth_prune = {
    "repo_auth_prune",
    "DELETE FROM login_failures WHERE last_failure_at < now() - make_interval(secs => 2 * $1::integer)"
    " AND (blocked_until IS NULL OR blocked_until < now())",
    1,
};

enum dbq repo_auth_prune(struct db_conn *conn, int max_delay_s) {
  char delay[16];
  snprintf(delay, sizeof delay, "%d", max_delay_s);
  const char *vals[1] = {delay};
  return db_command(conn, &auth_prune, vals);
}

static const struct db_stmt auth_login_locked = {
    "repo_auth_login_locked",
    "INSERT INTO audit_events (actor_id, actor_kind, request_id, entity, entity_id, action, after)"
    " VALUES ($2::uuid, 'user', nullif(current_setting('opop.request_id', true), ''), 'user', $2::uuid,"
    " 'login_locked', jsonb_build_object('email', $1::text))",
    2,
};

enum dbq repo_auth_login_locked(struct db_conn *conn, const char *email, const char *user_id) {
  const char *vals[2] = {email, user_id};
  return db_command(conn, &auth_login_locked, vals);
}

static const struct db_stmt auth_logout = {
    "repo_auth_logout",
    "WITH t AS (UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING user_id)"
    " INSERT INTO audit_events (actor_id, actor_kind, request_id, entity, entity_id, action, after)"
    " SELECT t.user_id, 'user', nullif(current_setting('opop.request_id', true), ''), 'user', t.user_id, 'logout',"
    " jsonb_build_object('token_id', $1::uuid) FROM t",
    1,
};

enum dbq repo_auth_logout(struct db_conn *conn, const char *token_id) {
  const char *vals[1] = {token_id};
  return db_command(conn, &auth_logout, vals);
}

/* Not in a transaction, and never through api_keys: its version and audit
 * triggers must not see a key being used. */
static const struct db_stmt auth_key_used = {
    "repo_auth_key_used",
    "INSERT INTO api_key_usage AS g (key_id) VALUES ($1) ON CONFLICT (key_id) DO UPDATE SET last_used_at = now()"
    " WHERE g.last_used_at <= now() - interval '1 minute'",
    1,
};

enum dbq repo_auth_key_used(struct db_conn *conn, const char *key_id) {
  const char *vals[1] = {key_id};
  return db_command(conn, &auth_key_used, vals);
}

static const struct db_stmt auth_keep_token = {"repo_auth_keep_token", "SELECT set_config('opop.keep_token', $1, true)",
                                               1};
static const struct db_stmt auth_set_password = {"repo_auth_set_password",
                                                 "UPDATE users SET password_hash = $2 WHERE id = $1", 2};

enum dbq repo_auth_set_password(struct db_conn *conn, const char *user_id, const char *keep_token_id,
                                const char *password_hash) {
  const char *keep[1] = {keep_token_id};
  const char *vals[2] = {user_id, password_hash};
  enum dbq q = db_command(conn, &auth_keep_token, keep);
  return q < 0 ? q : db_command(conn, &auth_set_password, vals);
}

static const struct db_stmt auth_me_user = {"repo_auth_me_user", "SELECT user_json(u) FROM users u WHERE u.id = $1", 1};
static const struct db_stmt auth_me_key = {"repo_auth_me_key", "SELECT api_key_json(k) FROM api_keys k WHERE k.id = $1",
                                           1};

enum dbq repo_auth_me(struct db_conn *conn, const char *kind, const char *id, json_t **out) {
  const char *vals[1] = {id};
  int is_user = kind[0] == 'u';
  enum dbq q = db_json_one(conn, is_user ? &auth_me_user : &auth_me_key, vals, out);
  if (q == DBQ_ONE)
    json_object_set_new(*out, "kind", json_string(is_user ? "user" : "api_key"));
  return q;
}

static const struct db_stmt auth_bootstrap_admin = {
    "repo_auth_bootstrap_admin",
    "INSERT INTO users (email, name, role, password_hash) SELECT $1, $2, 'admin', $3"
    " WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))"
    " ON CONFLICT DO NOTHING",
    3,
};

enum dbq repo_auth_bootstrap_admin(struct db_conn *conn, const char *email, const char *name,
                                   const char *password_hash) {
  const char *vals[3] = {email, name, password_hash};
  return db_command(conn, &auth_bootstrap_admin, vals);
}

static const struct db_stmt auth_bootstrap_key = {
    "repo_auth_bootstrap_key",
    "INSERT INTO api_keys (name, role, key_hash, key_prefix) VALUES ('bootstrap', 'admin', decode($1, 'hex'), $2)"
    " ON CONFLICT (key_hash) DO NOTHING",
    2,
};

enum dbq repo_auth_bootstrap_key(struct db_conn *conn, const char *hash_hex, const char *prefix) {
  const char *vals[2] = {hash_hex, prefix};
  return db_command(conn, &auth_bootstrap_key, vals);
}
