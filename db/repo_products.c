#include "repo_products.h"

#include "list.h"
#include "sql.h"

/* The writable columns, read from one JSON document parameter so create and
 * update share one list. Certifications keep only their four fields (a
 * client may echo the computed "expired"), without nulls. */
#define PRODUCT_COLUMNS "name, category, description, price_idr, unit, monthly_capacity, certifications"
#define PRODUCT_VALUES                                                                                                 \
  "d->>'name', d->>'category', d->>'description', (d->>'price_idr')::bigint, d->>'unit',"                              \
  " (d->>'monthly_capacity')::bigint,"                                                                                 \
  " coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('type', c->'type', 'number', c->'number',"         \
  " 'issued_on', c->'issued_on', 'expires_on', c->'expires_on')) ORDER BY n)"                                          \
  " FROM jsonb_array_elements(CASE jsonb_typeof(d->'certifications') WHEN 'array'"                                     \
  " THEN d->'certifications' ELSE '[]' END) WITH ORDINALITY AS x(c, n)), '[]')"

static const struct list_spec products_spec = {
    "repo_products_list", "SELECT product_json(p) FROM products p", "p.seq", "bigint", "p.seq", 0};

static int filters_for(const struct products_query *pq, struct list_filter *f) {
  int n = 0;
  if (pq->pesantren_id)
    f[n++] = (struct list_filter){"p.pesantren_id = $?::uuid", pq->pesantren_id};
  if (pq->region_code)
    f[n++] = (struct list_filter){"p.pesantren_id IN (SELECT s.id FROM pesantren s WHERE s.region_code = $?)",
                                  pq->region_code};
  if (pq->category)
    f[n++] = (struct list_filter){"p.category = $?", pq->category};
  if (pq->certification)
    f[n++] = (struct list_filter){"p.certifications @> jsonb_build_array(jsonb_build_object('type', $?::text))",
                                  pq->certification};
  if (pq->q)
    f[n++] = (struct list_filter){"strpos(lower(p.name), lower($?)) > 0", pq->q};
  return n;
}

enum dbq repo_products_list(struct db_conn *conn, const struct products_query *pq, json_t **items, char **next_key,
                            char **next_seq) {
  struct list_filter f[8];
  int n = filters_for(pq, f);
  return db_list(conn, &products_spec, f, n, pq->after_key, pq->after_seq, pq->limit, items, next_key, next_seq);
}

enum dbq repo_products_count(struct db_conn *conn, const struct products_query *pq, long long *total) {
  struct list_filter f[8];
  int n = filters_for(pq, f);
  return db_list_count(conn, &products_spec, f, n, total);
}

static const struct db_stmt products_get = {
    "repo_products_get",
    "SELECT product_json(p) FROM products p WHERE p.id = $1 AND ($2::uuid IS NULL OR p.pesantren_id = $2::uuid)", 2};

enum dbq repo_products_get(struct db_conn *conn, const char *id, const char *pesantren_id, json_t **out) {
  const char *vals[2] = {id, pesantren_id};
  return db_json_one(conn, &products_get, vals, out);
}

static const struct db_stmt products_lock = {"repo_products_lock",
                                             "SELECT product_json(p) FROM products p WHERE p.id = $1 FOR UPDATE", 1};

enum dbq repo_products_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &products_lock, vals, out);
}

/* Inserting from the pesantren row makes a missing pesantren "no row" rather
 * than a foreign-key failure: the path named it, so it is a 404. */
static const struct db_stmt products_create = {
    "repo_products_create",
    "INSERT INTO products AS p (pesantren_id, " PRODUCT_COLUMNS ") SELECT s.id, " PRODUCT_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src, pesantren s WHERE s.id = $2 RETURNING product_json(p)",
    2,
};

enum dbq repo_products_create(struct db_conn *conn, const char *pesantren_id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &products_create, doc, pesantren_id, out);
}

static const struct db_stmt products_update = {
    "repo_products_update",
    "UPDATE products AS p SET (" PRODUCT_COLUMNS ") = (SELECT " PRODUCT_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src) WHERE p.id = $2 RETURNING product_json(p)",
    2,
};

enum dbq repo_products_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &products_update, doc, id, out);
}

static const struct db_stmt products_delete = {"repo_products_delete", "DELETE FROM products WHERE id = $1", 1};

enum dbq repo_products_delete(struct db_conn *conn, const char *id) {
  const char *vals[1] = {id};
  return db_command(conn, &products_delete, vals);
}
