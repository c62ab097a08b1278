/* GET /v1/pesantren/{id}/summary: a pesantren at a glance, with its
 * programmes, its number of products and where each indicator stands. */
#include "handlers.h"

#include "http.h"
#include "reply.h"
#include "repo_summary.h"

/* The summary changes with enrolments, products and measurements, none of
 * which moves the pesantren's version, so it carries no ETag. */
void h_pesantren_summary(struct req *r) {
  static const char *const allowed[] = {NULL};
  json_t *parts = NULL, *doc;
  const char *id = req_uuid_var(r, 0);
  struct db_conn *db;
  if (id == NULL || req_query_allowed(r, allowed) != 0 || (db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_summary_get(db, id, &parts);
  if (q < 0) {
    reply_db(r, q);
  } else if (q == DBQ_NONE) {
    reply_problem(r, 404, "No pesantren has this id.");
  } else {
    doc = json_object_get(parts, "pesantren");
    json_object_set(doc, "enrolments", json_object_get(parts, "enrolments"));
    json_object_set(doc, "product_count", json_object_get(parts, "product_count"));
    json_object_set(doc, "indicators", json_object_get(parts, "indicators"));
    reply_json(r, 200, doc);
  }
  json_decref(parts);
}
