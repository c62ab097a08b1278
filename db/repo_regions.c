#include "repo_regions.h"

#include "sql.h"

static const struct db_stmt regions_list = {
    "repo_regions_list",
    "SELECT coalesce(json_agg(region_json(r) ORDER BY r.code), '[]') FROM regions r",
    0,
};

enum dbq repo_regions_list(struct db_conn *conn, json_t **out) {
  return db_json_one(conn, &regions_list, NULL, out);
}

static const struct db_stmt regions_get = {
    "repo_regions_get",
    "SELECT region_json(r) FROM regions r WHERE r.code = $1",
    1,
};

enum dbq repo_regions_get(struct db_conn *conn, const char *code, json_t **out) {
  const char *vals[1] = {code};
  return db_json_one(conn, &regions_get, vals, out);
}
