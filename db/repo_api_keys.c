#include "repo_api_keys.h"

#include "list.h"
#include "sql.h"

static const struct list_spec keys_spec = {
    "repo_api_keys_list", "SELECT api_key_json(k) FROM api_keys k", "k.seq", "bigint", "k.seq", 0};

enum dbq repo_api_keys_list(struct db_conn *conn, const char *after_key, const char *after_seq, int limit,
                            json_t **items, char **next_key, char **next_seq) {
  return db_list(conn, &keys_spec, NULL, 0, after_key, after_seq, limit, items, next_key, next_seq);
}

static const struct db_stmt keys_get = {"repo_api_keys_get", "SELECT api_key_json(k) FROM api_keys k WHERE k.id = $1",
                                        1};

enum dbq repo_api_keys_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &keys_get, vals, out);
}

static const struct db_stmt keys_lock = {"repo_api_keys_lock",
                                         "SELECT api_key_json(k) FROM api_keys k WHERE k.id = $1 FOR UPDATE", 1};

enum dbq repo_api_keys_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &keys_lock, vals, out);
}

static const struct db_stmt keys_create = {
    "repo_api_keys_create",
    "INSERT INTO api_keys AS k (name, role, pesantren_id, region_codes, key_hash, key_prefix, created_by, expires_at)"
    " SELECT d->>'name', d->>'role', (d->>'pesantren_id')::uuid,"
    " coalesce((SELECT array_agg(c) FROM jsonb_array_elements_text(d->'region_codes') c), '{}'),"
    " decode(d->>'key_hash', 'hex'), d->>'key_prefix', (d->>'created_by')::uuid, (d->>'expires_at')::timestamptz"
    " FROM (SELECT $1::jsonb AS d) AS src RETURNING api_key_json(k)",
    1,
};

enum dbq repo_api_keys_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &keys_create, doc, NULL, out);
}

static const struct db_stmt keys_revoke = {
    "repo_api_keys_revoke", "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1", 1};

enum dbq repo_api_keys_revoke(struct db_conn *conn, const char *id) {
  const char *vals[1] = {id};
  return db_command(conn, &keys_revoke, vals);
}
