#include "repo_pesantren.h"

#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "sql.h"

/* The writable columns, read from one JSON document parameter, so create and
 * update share one column list. */
#define PESANTREN_COLUMNS                                                                                              \
  "nspp, name, region_code, address, district, village, leader_name, phone, email, founded_year, "                     \
  "santri_count, typology, latitude, longitude, active"
#define PESANTREN_VALUES                                                                                               \
  "d->>'nspp', d->>'name', d->>'region_code', d->>'address', d->>'district', d->>'village',"                           \
  " d->>'leader_name', d->>'phone', d->>'email', (d->>'founded_year')::integer,"                                       \
  " (d->>'santri_count')::integer, d->>'typology', (d->>'latitude')::double precision,"                                \
  " (d->>'longitude')::double precision, coalesce((d->>'active')::boolean, true)"

static const struct list_spec sorts[] = {
    {"repo_pesantren_list_seq", "SELECT pesantren_json(p) FROM pesantren p", "p.seq", "bigint", "p.seq", 0},
    {"repo_pesantren_list_name", "SELECT pesantren_json(p) FROM pesantren p", "p.name", "text", "p.seq", 0},
    {"repo_pesantren_list_created", "SELECT pesantren_json(p) FROM pesantren p", "p.created_at", "timestamptz", "p.seq",
     0},
    {"repo_pesantren_list_santri", "SELECT pesantren_json(p) FROM pesantren p", "coalesce(p.santri_count, -1)",
     "integer", "p.seq", 0},
};

static struct list_spec spec_for(const struct pesantren_query *pq) {
  struct list_spec spec = sorts[0];
  if (strcmp(pq->sort, "name") == 0)
    spec = sorts[1];
  else if (strcmp(pq->sort, "created_at") == 0)
    spec = sorts[2];
  else if (strcmp(pq->sort, "santri_count") == 0)
    spec = sorts[3];
  spec.desc = pq->desc;
  return spec;
}

static int filters_for(const struct pesantren_query *pq, struct list_filter *f) {
  int n = 0;
  if (pq->region_code)
    f[n++] = (struct list_filter){"p.region_code = $?", pq->region_code};
  if (pq->typology)
    f[n++] = (struct list_filter){"p.typology = $?", pq->typology};
  if (pq->cohort_year)
    f[n++] = (struct list_filter){"p.cohort_year = $?::integer", pq->cohort_year};
  if (pq->active >= 0)
    f[n++] = (struct list_filter){pq->active ? "p.active" : "NOT p.active", NULL};
  if (pq->q)
    f[n++] = (struct list_filter){"strpos(lower(p.name), lower($?)) > 0 OR strpos(p.nspp, $?) > 0", pq->q};
  return n;
}

enum dbq repo_pesantren_list(struct db_conn *conn, const struct pesantren_query *pq, struct db_text *items,
                             char **next_key, char **next_seq) {
  struct list_filter f[8];
  struct list_spec spec = spec_for(pq);
  int n = filters_for(pq, f);
  return db_list_text(conn, &spec, f, n, pq->after_key, pq->after_seq, pq->limit, items, next_key, next_seq);
}

enum dbq repo_pesantren_count(struct db_conn *conn, const struct pesantren_query *pq, long long *total) {
  struct list_filter f[8];
  struct list_spec spec = spec_for(pq);
  int n = filters_for(pq, f);
  return db_list_count(conn, &spec, f, n, total);
}

static const struct db_stmt pesantren_get = {"repo_pesantren_get",
                                             "SELECT pesantren_json(p) FROM pesantren p WHERE p.id = $1", 1};

enum dbq repo_pesantren_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &pesantren_get, vals, out);
}

static const struct db_stmt pesantren_get_text = {
    "repo_pesantren_get_text", "SELECT pesantren_json(p), p.version FROM pesantren p WHERE p.id = $1", 1};

enum dbq repo_pesantren_get_text(struct db_conn *conn, const char *id, struct db_text *out) {
  const char *vals[1] = {id};
  return db_text_one(conn, &pesantren_get_text, vals, out);
}

static const struct db_stmt pesantren_lock = {
    "repo_pesantren_lock", "SELECT pesantren_json(p) FROM pesantren p WHERE p.id = $1 FOR UPDATE", 1};

enum dbq repo_pesantren_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &pesantren_lock, vals, out);
}

static const struct db_stmt pesantren_create = {
    "repo_pesantren_create",
    "INSERT INTO pesantren AS p (" PESANTREN_COLUMNS ") SELECT " PESANTREN_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src RETURNING pesantren_json(p)",
    1,
};

enum dbq repo_pesantren_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &pesantren_create, doc, NULL, out);
}

static const struct db_stmt pesantren_update = {
    "repo_pesantren_update",
    "UPDATE pesantren AS p SET (" PESANTREN_COLUMNS ") = (SELECT " PESANTREN_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src) WHERE p.id = $2 RETURNING pesantren_json(p)",
    2,
};

enum dbq repo_pesantren_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &pesantren_update, doc, id, out);
}

static const struct db_stmt pesantren_delete = {"repo_pesantren_delete", "DELETE FROM pesantren WHERE id = $1", 1};

enum dbq repo_pesantren_delete(struct db_conn *conn, const char *id) {
  const char *vals[1] = {id};
  return db_command(conn, &pesantren_delete, vals);
}

static const struct db_stmt pesantren_region = {"repo_pesantren_region",
                                                "SELECT to_json(region_code) FROM pesantren WHERE id = $1", 1};

enum dbq repo_pesantren_region(struct db_conn *conn, const char *id, char **region_code) {
  const char *vals[1] = {id};
  json_t *code = NULL;
  *region_code = NULL;
  enum dbq q = db_json_one(conn, &pesantren_region, vals, &code);
  if (q == DBQ_ONE)
    *region_code = strdup(json_string_value(code));
  json_decref(code);
  return q;
}
