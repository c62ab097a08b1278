/* Mentoring visits (pendampingan): a mentor's visit to a pesantren on some of
 * the five support aspects. Recorded by a mentor or an admin, who is the
 * visit's mentor; read by every role. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "reply.h"
#include "repo_pesantren.h"
#include "repo_visits.h"
#include "resource.h"
#include "rules.h"
#include "validate.h"

static const char *const aspects[] = {"kelembagaan", "sdm", "produk", "pemasaran", "pembiayaan", NULL};

static int is_aspect(const json_t *v) {
  for (const char *const *a = aspects; *a; a++)
    if (json_is_string(v) && strcmp(json_string_value(v), *a) == 0)
      return 1;
  return 0;
}

static const char *check_aspects(const json_t *v) {
  size_t i, j;
  json_t *aspect, *other;
  if (json_array_size(v) == 0)
    return "must name at least one of kelembagaan, sdm, produk, pemasaran, pembiayaan";
  json_array_foreach(v, i, aspect) {
    if (!is_aspect(aspect))
      return "must list only kelembagaan, sdm, produk, pemasaran and pembiayaan";
    json_array_foreach(v, j, other) {
      if (j < i && json_equal(aspect, other))
        return "must not repeat an aspect";
    }
  }
  return NULL;
}

/* Visits happen in Jawa Timur: "today" is the WIB (UTC+7, no daylight saving) date. */
static const char *check_not_future(const json_t *v) {
  char today[16];
  struct tm tm;
  time_t now = time(NULL) + 7 * 3600;
  gmtime_r(&now, &tm);
  strftime(today, sizeof today, "%Y-%m-%d", &tm);
  /* A valid date is YYYY-MM-DD, so text order is date order. */
  return strcmp(json_string_value(v), today) > 0 ? "must not be in the future" : NULL;
}

static const struct vfield visit_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"pesantren_id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"mentor_id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"mentor_name", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"visited_on", V_DATE, V_REQUIRED, 0, 0, NULL, check_not_future},
    {"aspects", V_ARRAY, V_REQUIRED, 0, 0, NULL, check_aspects},
    {"notes", V_STRING, V_REQUIRED | V_TRIM, 1, 5000, NULL, NULL},
    {"follow_up", V_STRING, V_NULLABLE | V_TRIM, 0, 5000, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof visit_fields / sizeof visit_fields[0])

/* ---- list ---- */

/* The filters of both lists; only the list across pesantren takes pesantren_id. */
static int parse_list_query(struct req *r, int across, struct visits_query *vq, int *with_total) {
  static const char *const allowed_all[] = {"limit",        "cursor", "include_total", "mentor_id", "aspect",
                                            "pesantren_id", NULL};
  static const char *const allowed_one[] = {"limit", "cursor", "include_total", "mentor_id", "aspect", NULL};
  if (req_query_allowed(r, across ? allowed_all : allowed_one) != 0 || req_limit(r, &vq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || req_query_enum(r, "aspect", aspects, &vq->aspect) != 0)
    return -1;
  vq->mentor_id = req_query(r, "mentor_id");
  if (vq->mentor_id && !valid_uuid(vq->mentor_id)) {
    reply_field(r, 400, "mentor_id", "must be a UUID");
    return -1;
  }
  if (across && (vq->pesantren_id = req_query(r, "pesantren_id")) != NULL && !valid_uuid(vq->pesantren_id)) {
    reply_field(r, 400, "pesantren_id", "must be a UUID");
    return -1;
  }
  return 0;
}

API_LIST_CALL(visits_list, repo_visits_list, repo_visits_count);

static void reply_visits_page(struct req *r, struct visits_query *vq, int with_total) {
  struct list_args a = {vq, &vq->after_key, &vq->after_seq, "seq", with_total};
  api_list(r, &visits_list, &a);
}

/* GET /v1/visits: every visit, for the secretariat and for a mentor's own record. */
void h_visits_list_all(struct req *r) {
  struct visits_query vq = {0};
  int with_total = 0;
  if (parse_list_query(r, 1, &vq, &with_total) == 0)
    reply_visits_page(r, &vq, with_total);
}

void h_visits_list(struct req *r) {
  struct visits_query vq = {0};
  int with_total = 0;
  if ((vq.pesantren_id = req_uuid_var(r, 0)) != NULL && parse_list_query(r, 0, &vq, &with_total) == 0 &&
      rules_pesantren_found(r, vq.pesantren_id) == 0)
    reply_visits_page(r, &vq, with_total);
}

/* ---- one ---- */

/* GET /v1/pesantren/{id}/visits/{visit_id} and GET /v1/visits/{visit_id}. */
void h_visits_get(struct req *r) {
  const char *pesantren_id = NULL, *id = NULL;
  json_t *doc = NULL;
  struct db_conn *db;
  int nested = r->vars[1] != NULL;
  if ((nested && (pesantren_id = req_uuid_var(r, 0)) == NULL) || (id = req_uuid_var(r, nested)) == NULL ||
      (db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_visits_get(db, id, pesantren_id, &doc);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No visit has this id.");
  else if (!req_not_modified(r, doc))
    reply_resource(r, 200, doc);
  json_decref(doc);
}

struct create_arg {
  const char *pesantren_id;
  const char *mentor_id;
  const json_t *doc;
  const struct caller *caller;
};

/* A mentor visits only pesantren of its regions: DBQ_ONE when allowed, DBQ_ROLLBACK with *fail set, or a failure. */
static enum dbq mentor_region_ok(struct db_conn *conn, const struct create_arg *a, struct outcome *fail) {
  char *region = NULL;
  if (a->caller->role != ROLE_MENTOR)
    return DBQ_ONE;
  enum dbq q = repo_pesantren_region(conn, a->pesantren_id, &region);
  if (q == DBQ_NONE)
    outcome_set(fail, 404, NULL, "No pesantren has this id.");
  else if (q == DBQ_ONE && !caller_has_region(a->caller, region))
    outcome_set(fail, 403, NULL, "A mentor records visits only at pesantren in its regions.");
  free(region);
  return fail->status ? DBQ_ROLLBACK : q;
}

static enum dbq create_visit(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  const struct create_arg *a = arg;
  enum dbq q = mentor_region_ok(conn, a, fail);
  if (q != DBQ_ONE)
    return q;
  q = repo_visits_create(conn, a->pesantren_id, a->mentor_id, a->doc, doc);
  if (q == DBQ_NONE) {
    outcome_set(fail, 404, NULL, "No pesantren has this id.");
    return DBQ_ROLLBACK;
  }
  return q;
}

void h_visits_create(struct req *r) {
  struct create_arg a = {.pesantren_id = req_uuid_var(r, 0), .mentor_id = r->caller.id, .caller = &r->caller};
  json_t *body = NULL, *errors = NULL;
  char location[96];
  if (a.pesantren_id == NULL || (body = req_json_body(r)) == NULL)
    return;
  errors = json_array();
  if (validate_object(body, visit_fields, NFIELDS, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  a.doc = body;
  snprintf(location, sizeof location, "/v1/pesantren/%s/visits", a.pesantren_id);
  api_create(r, body, location, create_visit, &a);
out:
  json_decref(errors);
  json_decref(body);
}
