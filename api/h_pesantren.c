/* Pesantren: the registry of participating boarding schools. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export_lists.h"
#include "http.h"
#include "pesantren.h"
#include "reply.h"
#include "repo_pesantren.h"
#include "resource.h"
#include "rules.h"
#include "validate.h"

/* Validates a whole document; 0, or -1 after answering 422. */
static int pesantren_valid(struct req *r, json_t *doc) {
  json_t *errors = json_array();
  int bad = pesantren_check(doc, errors);
  if (bad)
    reply_invalid(r, 422, errors);
  json_decref(errors);
  return bad ? -1 : 0;
}

/* ---- list ---- */

static int parse_sort(struct req *r, struct pesantren_query *pq) {
  static const char *const sortable[] = {"name", "created_at", "santri_count", NULL};
  return req_query_sort(r, sortable, "must be name, created_at or santri_count, with '-' for descending", &pq->sort,
                        &pq->desc);
}

static int parse_list_query(struct req *r, struct pesantren_query *pq, int *with_total) {
  static const char *const allowed[] = {"limit",  "cursor", "include_total", "region_code", "cohort_year", "typology",
                                        "active", "q",      "sort",          "format",      NULL};
  long cohort = 0;
  int has_cohort = 0;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &pq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || req_query_bool(r, "active", &pq->active) != 0 ||
      req_query_enum(r, "typology", pesantren_typologies, &pq->typology) != 0 ||
      req_query_int(r, "cohort_year", 2019, 2100, &cohort, &has_cohort) != 0 || parse_sort(r, pq) != 0 ||
      rules_query_region(r, "region_code", &pq->region_code) != 0)
    return -1;
  pq->q = req_query(r, "q");
  pq->cohort_year = has_cohort ? req_query(r, "cohort_year") : NULL;
  return 0;
}

void h_pesantren_list(struct req *r) {
  struct pesantren_query pq = {0};
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL, sort[32];
  struct db_text items = {0};
  long long total = -1;
  int with_total = 0;
  struct db_conn *db;
  enum export_format format;
  if (parse_list_query(r, &pq, &with_total) != 0 || export_negotiate(r, 0, &format) != 0)
    return;
  if (format != EXPORT_JSON) {
    export_pesantren(r, &pq, format);
    return;
  }
  snprintf(sort, sizeof sort, "%s%s", pq.desc ? "-" : "", pq.sort);
  if (req_cursor(r, sort, &key, &seq) != 0 || (db = req_db(r)) == NULL)
    goto out;
  pq.after_key = key;
  pq.after_seq = seq;
  enum dbq q = repo_pesantren_list(db, &pq, &items, &next_key, &next_seq);
  if (q >= 0 && with_total == 1)
    q = repo_pesantren_count(db, &pq, &total);
  if (q < 0)
    reply_db(r, q);
  else
    reply_page_text(r, &items, sort, next_key, next_seq, total);
out:
  free(key);
  free(seq);
  free(next_key);
  free(next_seq);
  db_text_clear(&items);
}

/* ---- one ---- */

/* Reads pass the database's document through unparsed: the busiest path. */
void h_pesantren_get(struct req *r) {
  struct db_text doc = {0};
  const char *id = req_uuid_var(r, 0);
  struct db_conn *db;
  if (id == NULL || (db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_pesantren_get_text(db, id, &doc);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No pesantren has this id.");
  else if (!req_not_modified_version(r, doc.version))
    reply_resource_text(r, 200, &doc);
  db_text_clear(&doc);
}

static enum dbq create_pesantren(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  (void)fail;
  return repo_pesantren_create(conn, arg, doc);
}

void h_pesantren_create(struct req *r) {
  json_t *body = req_json_body(r);
  if (body == NULL)
    return;
  if (pesantren_valid(r, body) == 0)
    api_create(r, body, "/v1/pesantren", create_pesantren, body);
  json_decref(body);
}

/* ---- change ---- */

/* Fields that place, name or switch off a pesantren: the secretariat's. The
 * region decides which mentors verify the pesantren's figures. */
static const char *const admin_fields[] = {"nspp", "name", "region_code", "active", NULL};

/* 403 naming every admin-only field an operator's patch carries: 1 when it
 * carries none. The body is read here and again by api_patch. */
static int operator_fields_ok(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array();
  if (body == NULL) {
    json_decref(errors);
    return 0;
  }
  for (const char *const *f = admin_fields; *f; f++)
    if (json_object_get(body, *f) != NULL)
      errors_add(errors, *f, "is changed only by an admin");
  int ok = json_array_size(errors) == 0;
  if (!ok)
    reply_invalid(r, 403, errors);
  json_decref(body);
  json_decref(errors);
  return ok;
}

/* Operators may only touch their own pesantren's descriptive fields. */
static int may_edit(struct req *r, const char *id) {
  if (r->caller.role == ROLE_ADMIN)
    return 1;
  if (r->caller.role == ROLE_OPERATOR && strcmp(r->caller.pesantren_id, id) == 0)
    return operator_fields_ok(r);
  reply_problem(r, 403, "You may only change your own pesantren.");
  return 0;
}

static const struct patch_spec pesantren_patch = {
    "pesantren", pesantren_fields, PESANTREN_NFIELDS, pesantren_rules, repo_pesantren_lock, repo_pesantren_update, NULL,
    NULL,
};

void h_pesantren_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id && may_edit(r, id))
    api_patch(r, id, &pesantren_patch);
}

struct delete_tx {
  struct req *r;
  const char *id;
  struct outcome fail;
};

static enum dbq delete_body(struct db_conn *conn, void *arg) {
  struct delete_tx *t = arg;
  json_t *current = NULL;
  enum dbq q = repo_pesantren_lock(conn, t->id, &current);
  if (q == DBQ_NONE) {
    outcome_set(&t->fail, 404, NULL, "No pesantren has this id.");
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  long long version = json_integer_value(json_object_get(current, "version"));
  json_decref(current);
  if (req_if_match_ok(t->r, version) != 0) {
    outcome_set(&t->fail, 412, NULL, "The pesantren has changed since you read it (If-Match).");
    return DBQ_ROLLBACK;
  }
  q = repo_pesantren_delete(conn, t->id);
  if (q < 0 && problem_db_referenced(db_last_error(conn))) {
    outcome_set_type(&t->fail, PROBLEM_PESANTREN_IN_USE,
                     "The pesantren has enrolments, measurements or other records; deactivate it with "
                     "\"active\": false instead.");
    return DBQ_ROLLBACK;
  }
  return q;
}

void h_pesantren_delete(struct req *r) {
  struct delete_tx t = {.r = r, .id = req_uuid_var(r, 0)};
  struct db_conn *db;
  if (t.id == NULL || (db = req_db(r)) == NULL)
    return;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, delete_body, &t);
  if (q == DBQ_ROLLBACK)
    reply_outcome(r, &t.fail);
  else if (q < 0)
    reply_db(r, q);
  else
    reply_empty(r, 204);
}
