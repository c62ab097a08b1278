#include "repo_programs.h"

#include <string.h>

#include "list.h"
#include "sql.h"

/* The writable columns, read from one JSON document parameter, so create and
 * update share one column list. */
#define PROGRAM_COLUMNS "pillar, name, description, year, start_date, end_date, quota, organizer, status"
#define PROGRAM_VALUES                                                                                                 \
  "d->>'pillar', d->>'name', d->>'description', (d->>'year')::integer, (d->>'start_date')::date,"                      \
  " (d->>'end_date')::date, (d->>'quota')::integer, d->>'organizer', coalesce(d->>'status', 'planned')"

static const struct list_spec sorts[] = {
    {"repo_programs_list_seq", "SELECT program_json(p) FROM programs p", "p.seq", "bigint", "p.seq", 0},
    {"repo_programs_list_name", "SELECT program_json(p) FROM programs p", "p.name", "text", "p.seq", 0},
    {"repo_programs_list_year", "SELECT program_json(p) FROM programs p", "p.year", "integer", "p.seq", 0},
    {"repo_programs_list_created", "SELECT program_json(p) FROM programs p", "p.created_at", "timestamptz", "p.seq", 0},
};

static struct list_spec spec_for(const struct programs_query *pq) {
  struct list_spec spec = sorts[0];
  if (strcmp(pq->sort, "name") == 0)
    spec = sorts[1];
  else if (strcmp(pq->sort, "year") == 0)
    spec = sorts[2];
  else if (strcmp(pq->sort, "created_at") == 0)
    spec = sorts[3];
  spec.desc = pq->desc;
  return spec;
}

static int filters_for(const struct programs_query *pq, struct list_filter *f) {
  int n = 0;
  if (pq->pillar)
    f[n++] = (struct list_filter){"p.pillar = $?", pq->pillar};
  if (pq->year)
    f[n++] = (struct list_filter){"p.year = $?::integer", pq->year};
  if (pq->status)
    f[n++] = (struct list_filter){"p.status = $?", pq->status};
  if (pq->q)
    f[n++] = (struct list_filter){"strpos(lower(p.name), lower($?)) > 0", pq->q};
  return n;
}

enum dbq repo_programs_list(struct db_conn *conn, const struct programs_query *pq, json_t **items, char **next_key,
                            char **next_seq) {
  struct list_filter f[4];
  struct list_spec spec = spec_for(pq);
  int n = filters_for(pq, f);
  return db_list(conn, &spec, f, n, pq->after_key, pq->after_seq, pq->limit, items, next_key, next_seq);
}

enum dbq repo_programs_count(struct db_conn *conn, const struct programs_query *pq, long long *total) {
  struct list_filter f[4];
  struct list_spec spec = spec_for(pq);
  int n = filters_for(pq, f);
  return db_list_count(conn, &spec, f, n, total);
}

static const struct db_stmt programs_get = {"repo_programs_get",
                                            "SELECT program_json(p) FROM programs p WHERE p.id = $1", 1};

enum dbq repo_programs_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &programs_get, vals, out);
}

static const struct db_stmt programs_lock = {"repo_programs_lock",
                                             "SELECT program_json(p) FROM programs p WHERE p.id = $1 FOR UPDATE", 1};

enum dbq repo_programs_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &programs_lock, vals, out);
}

static const struct db_stmt programs_create = {
    "repo_programs_create",
    "INSERT INTO programs AS p (" PROGRAM_COLUMNS ") SELECT " PROGRAM_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src RETURNING program_json(p)",
    1,
};

enum dbq repo_programs_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &programs_create, doc, NULL, out);
}

static const struct db_stmt programs_update = {
    "repo_programs_update",
    "UPDATE programs AS p SET (" PROGRAM_COLUMNS ") = (SELECT " PROGRAM_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src) WHERE p.id = $2 RETURNING program_json(p)",
    2,
};

enum dbq repo_programs_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &programs_update, doc, id, out);
}
