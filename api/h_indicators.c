/* Indicators (admin-defined): the measured quantities that targets and
 * measurements refer to by code. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reply.h"
#include "repo_indicators.h"
#include "resource.h"
#include "rules.h"
#include "validate.h"

static const char *const units[] = {"idr", "people", "count", "percent", NULL};
static const char *const pillars[] = {"pesantrenpreneur", "santripreneur", "sosiopreneur", NULL};
static const char *const aggregations[] = {"sum", "avg", "last", NULL};

static const struct vfield indicator_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"code", V_STRING, V_REQUIRED, 0, 0, NULL, check_indicator_code},
    {"name", V_STRING, V_REQUIRED | V_TRIM, 1, 200, NULL, NULL},
    {"unit", V_ENUM, V_REQUIRED, 0, 0, units, NULL},
    {"pillar", V_ENUM, V_NULLABLE, 0, 0, pillars, NULL},
    {"aggregation", V_ENUM, V_REQUIRED, 0, 0, aggregations, NULL},
    {"higher_is_better", V_BOOL, 0, 0, 0, NULL, NULL},
    {"description", V_STRING, V_NULLABLE | V_TRIM, 0, 5000, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof indicator_fields / sizeof indicator_fields[0])

API_LIST_CALL(indicators_list, repo_indicators_list, repo_indicators_count);

void h_indicators_list(struct req *r) {
  static const char *const allowed[] = {"limit", "cursor", "include_total", "pillar", "unit", NULL};
  struct indicators_query iq = {0};
  struct list_args a = {&iq, &iq.after_key, &iq.after_seq, "seq", 0};
  if (req_query_allowed(r, allowed) == 0 && req_limit(r, &iq.limit) == 0 &&
      req_query_bool(r, "include_total", &a.with_total) == 0 && req_query_enum(r, "pillar", pillars, &iq.pillar) == 0 &&
      req_query_enum(r, "unit", units, &iq.unit) == 0)
    api_list(r, &indicators_list, &a);
}

/* The indicator named by path variable 0, a UUID or a code: DBQ_ONE with *out
 * (caller decrefs), DBQ_NONE after answering 404, or a failure after answering it. */
static enum dbq find_indicator(struct req *r, json_t **out) {
  const char *key = r->vars[0];
  struct db_conn *db;
  enum dbq q;
  *out = NULL;
  if (key == NULL || (!valid_uuid(key) && !indicator_code_form(key))) {
    reply_problem(r, 404, "No indicator has this id or code.");
    return DBQ_NONE;
  }
  if ((db = req_db(r)) == NULL)
    return DBQ_UNAVAILABLE;
  q = valid_uuid(key) ? repo_indicators_get(db, key, out) : repo_indicators_get_by_code(db, key, out);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No indicator has this id or code.");
  return q;
}

void h_indicators_get(struct req *r) {
  json_t *doc = NULL;
  if (find_indicator(r, &doc) == DBQ_ONE && !req_not_modified(r, doc))
    reply_resource(r, 200, doc);
  json_decref(doc);
}

static enum dbq create_indicator(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  (void)fail;
  return repo_indicators_create(conn, arg, doc);
}

void h_indicators_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array();
  if (body == NULL)
    goto out;
  if (validate_object(body, indicator_fields, NFIELDS, V_CREATE, errors) > 0)
    reply_invalid(r, 422, errors);
  else
    api_create(r, body, "/v1/indicators", create_indicator, body);
out:
  json_decref(body);
  json_decref(errors);
}

static const struct patch_spec indicator_patch = {
    "indicator", indicator_fields, NFIELDS, NULL, repo_indicators_lock, repo_indicators_update, NULL, NULL,
};

/* The code is part of the document and may be repeated; the database refuses a
 * different one (indicators_code_immutable, a 422 on "code"). */
void h_indicators_patch(struct req *r) {
  json_t *current = NULL;
  if (valid_uuid(r->vars[0])) {
    api_patch(r, r->vars[0], &indicator_patch);
    return;
  }
  if (find_indicator(r, &current) == DBQ_ONE)
    api_patch(r, json_string_value(json_object_get(current, "id")), &indicator_patch);
  json_decref(current);
}
