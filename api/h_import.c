/* Spreadsheets in: POST /v1/pesantren/import (the measurements' import is
 * POST /v1/measurements/batch with a file), and the templates of both: the
 * header row and one example row, as CSV or XLSX. */
#include "handlers.h"

#include "export.h"
#include "http.h"
#include "import.h"
#include "pesantren.h"
#include "reply.h"
#include "repo_pesantren.h"
#include "rows.h"

struct pesantren_tx {
  json_t *body; /* borrowed */
  json_t *doc;  /* the created pesantren (owned) */
  int dry_run;
};

static enum dbq pesantren_row_body(struct db_conn *conn, void *arg) {
  struct pesantren_tx *t = arg;
  json_decref(t->doc);
  t->doc = NULL;
  enum dbq q = repo_pesantren_create(conn, t->body, &t->doc);
  return q == DBQ_ONE && t->dry_run ? DBQ_ROLLBACK : q;
}

/* One row, validated like a single POST and stored in its own transaction;
 * a dry run rolls it back and answers 200 for a good row. */
static json_t *pesantren_row(struct req *r, struct db_conn *db, json_t *body, int dry_run) {
  struct pesantren_tx t = {.body = body, .dry_run = dry_run};
  json_t *errors = json_array(), *res;
  if (pesantren_check(body, errors) > 0) {
    res = row_result(422);
    json_object_set(res, "errors", errors);
    goto out;
  }
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, pesantren_row_body, &t);
  res = row_stored(db, q, t.doc);
out:
  json_decref(t.doc);
  json_decref(errors);
  return res;
}

void h_pesantren_import(struct req *r) {
  static const char *const allowed[] = {"dry_run", NULL};
  size_t i;
  int dry_run = 0;
  json_t *rows = NULL, *results = NULL, *row;
  struct db_conn *db;
  char hash[65];
  if (req_query_allowed(r, allowed) != 0 || import_dry_run(r, &dry_run) != 0 ||
      (rows = import_read(r, pesantren_fields, PESANTREN_NFIELDS)) == NULL || import_replay(r, rows, dry_run, hash) ||
      (db = req_db(r)) == NULL)
    goto out;
  results = json_array();
  json_array_foreach(rows, i, row) {
    json_t *res = pesantren_row(r, db, json_object_get(row, "body"), dry_run);
    json_object_set_new(res, "row", json_incref(json_object_get(row, "row")));
    json_array_append_new(results, res);
  }
  import_reply(r, results, hash);
out:
  json_decref(results);
  json_decref(rows);
}

/* ---- templates ---- */

static void reply_template(struct req *r, const char *name, const char *const *columns, const char *example) {
  static const char *const allowed[] = {"format", NULL};
  enum export_format format;
  json_t *items = NULL;
  if (req_query_allowed(r, allowed) != 0 || export_negotiate(r, 0, &format) != 0)
    return;
  items = json_pack("[o]", json_loads(example, 0, NULL));
  struct export_sheet s = {name, NULL, NULL, NULL, columns};
  export_items(r, &s, format == EXPORT_JSON ? EXPORT_XLSX : format, items);
  json_decref(items);
}

void h_pesantren_import_template(struct req *r) {
  static const char *const columns[] = {
      "nspp",  "name",         "region_code",  "address",  "district", "village",   "leader_name", "phone",
      "email", "founded_year", "santri_count", "typology", "latitude", "longitude", "active",      NULL};
  reply_template(r, "pesantren-import-template", columns,
                 "{\"nspp\": \"510035780001\", \"name\": \"Pondok Pesantren Al-Hikmah\", \"region_code\": \"35.78\","
                 " \"address\": \"Jl. Kebonsari No. 1\", \"district\": \"Jambangan\", \"village\": \"Kebonsari\","
                 " \"leader_name\": \"KH. Ahmad Fauzi\", \"phone\": \"031 8280000\", \"email\":"
                 " \"pondok@example.org\", \"founded_year\": 1985, \"santri_count\": 850, \"typology\": \"terpadu\","
                 " \"latitude\": -7.3311, \"longitude\": 112.7142, \"active\": true}");
}

void h_measurements_import_template(struct req *r) {
  static const char *const columns[] = {"indicator_code", "pesantren_id", "program_id",   "period",
                                        "value",          "note",         "evidence_url", NULL};
  reply_template(r, "measurements-import-template", columns,
                 "{\"indicator_code\": \"OMZET\", \"pesantren_id\": \"7b0c5a1e-4f3d-4c2b-9a8e-1d2f3a4b5c6d\","
                 " \"period\": \"2024-04\", \"value\": 125000000, \"note\": \"Koppontren dan produk unggulan\","
                 " \"evidence_url\": \"https://example.org/laporan-april.pdf\"}");
}
