#include "repo_users.h"

#include <stdlib.h>

#include "list.h"
#include "sql.h"

static const struct list_spec users_spec = {
    "repo_users_list", "SELECT user_json(u) FROM users u", "u.seq", "bigint", "u.seq", 0};

static int filters_for(const struct users_query *uq, struct list_filter *f) {
  int n = 0;
  if (uq->role)
    f[n++] = (struct list_filter){"u.role = $?", uq->role};
  if (uq->active >= 0)
    f[n++] = (struct list_filter){uq->active ? "u.active" : "NOT u.active", NULL};
  if (uq->q)
    f[n++] =
        (struct list_filter){"strpos(lower(u.email), lower($?)) > 0 OR strpos(lower(u.name), lower($?)) > 0", uq->q};
  return n;
}

enum dbq repo_users_list(struct db_conn *conn, const struct users_query *uq, json_t **items, char **next_key,
                         char **next_seq) {
  struct list_filter f[4];
  int n = filters_for(uq, f);
  return db_list(conn, &users_spec, f, n, uq->after_key, uq->after_seq, uq->limit, items, next_key, next_seq);
}

enum dbq repo_users_count(struct db_conn *conn, const struct users_query *uq, long long *total) {
  struct list_filter f[4];
  int n = filters_for(uq, f);
  return db_list_count(conn, &users_spec, f, n, total);
}

static const struct db_stmt users_get = {"repo_users_get", "SELECT user_json(u) FROM users u WHERE u.id = $1", 1};
static const struct db_stmt users_lock = {"repo_users_lock",
                                          "SELECT user_json(u) FROM users u WHERE u.id = $1 FOR UPDATE", 1};

enum dbq repo_users_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &users_get, vals, out);
}

enum dbq repo_users_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &users_lock, vals, out);
}

#define USER_VALUES                                                                                                    \
  "d->>'email', d->>'name', d->>'role', (d->>'pesantren_id')::uuid,"                                                   \
  " coalesce((SELECT array_agg(c) FROM jsonb_array_elements_text(d->'region_codes') c), '{}'),"                        \
  " coalesce((d->>'active')::boolean, true)"

static const struct db_stmt users_create = {
    "repo_users_create",
    "INSERT INTO users AS u (email, name, role, pesantren_id, region_codes, active, password_hash)"
    " SELECT " USER_VALUES ", d->>'password_hash' FROM (SELECT $1::jsonb AS d) AS src RETURNING user_json(u)",
    1,
};

static const struct db_stmt users_update = {
    "repo_users_update",
    "UPDATE users AS u SET (email, name, role, pesantren_id, region_codes, active, password_hash) ="
    " (SELECT " USER_VALUES ", coalesce(d->>'password_hash', u.password_hash) FROM (SELECT $1::jsonb AS d) AS src)"
    " WHERE u.id = $2 RETURNING user_json(u)",
    2,
};

enum dbq repo_users_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &users_create, doc, NULL, out);
}

enum dbq repo_users_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &users_update, doc, id, out);
}
