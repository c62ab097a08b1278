#include "repo_idem.h"

#include <stdio.h>

#include "sql.h"

static const struct db_stmt idem_find = {
    "repo_idem_find",
    "SELECT json_build_object('request_hash', request_hash, 'status', status, 'location', location, 'body', body)"
    " FROM idempotency_keys WHERE caller_id = $1 AND key = $2 AND created_at > now() - interval '24 hours'"
    " AND status IS NOT NULL",
    2,
};

enum dbq repo_idem_find(struct db_conn *conn, const char *caller_id, const char *key, json_t **out) {
  const char *vals[2] = {caller_id, key};
  return db_json_one(conn, &idem_find, vals, out);
}

/* An expired claim of the same key is taken over; a live one (or one a
 * concurrent transaction just committed) leaves the row alone: DBQ_NONE. */
static const struct db_stmt idem_claim = {
    "repo_idem_claim",
    "INSERT INTO idempotency_keys (caller_id, key, request_hash) VALUES ($1, $2, $3)"
    " ON CONFLICT (caller_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = NULL,"
    " location = NULL, body = NULL, created_at = now()"
    " WHERE idempotency_keys.created_at <= now() - interval '24 hours'",
    3,
};

enum dbq repo_idem_claim(struct db_conn *conn, const char *caller_id, const char *key, const char *hash) {
  const char *vals[3] = {caller_id, key, hash};
  return db_command(conn, &idem_claim, vals);
}

static const struct db_stmt idem_store = {
    "repo_idem_store",
    "UPDATE idempotency_keys SET status = $3::integer, location = $4, body = $5 WHERE caller_id = $1 AND key = $2",
    5,
};

enum dbq repo_idem_store(struct db_conn *conn, const char *caller_id, const char *key, int status, const char *location,
                         const char *body) {
  char st[8];
  snprintf(st, sizeof st, "%d", status);
  const char *vals[5] = {caller_id, key, st, location, body};
  return db_command(conn, &idem_store, vals);
}

static const struct db_stmt idem_prune = {
    "repo_idem_prune", "DELETE FROM idempotency_keys WHERE created_at <= now() - interval '24 hours'", 0};

enum dbq repo_idem_prune(struct db_conn *conn) {
  return db_command(conn, &idem_prune, NULL);
}

static const struct db_stmt idem_secret = {
    "repo_idem_secret",
    "SELECT json_build_object('key', encode(value, 'hex')) FROM installation_secrets WHERE name = 'idempotency'", 0};

enum dbq repo_idem_secret(struct db_conn *conn, json_t **out) {
  return db_json_one(conn, &idem_secret, NULL, out);
}
