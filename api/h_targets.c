/* Targets (admin): what is expected of an indicator in a period, for the whole
 * province or for a programme, region or pesantren. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "period.h"
#include "reply.h"
#include "repo_targets.h"
#include "resource.h"
#include "validate.h"

#define PERIOD_MIN_YEAR 2000
#define PERIOD_MAX_YEAR 2100
#define PERIOD_RULE "must be a period YYYY, YYYY-Qn or YYYY-MM with a year from 2000 to 2100"
/* 10^15 keeps every whole value exact in a JSON number (a double). */
#define AMOUNT_MAX 1e15

const char *check_measure_period(const json_t *v) {
  struct period p;
  return period_parse(json_string_value(v), PERIOD_MIN_YEAR, PERIOD_MAX_YEAR, &p) == 0 ? NULL : PERIOD_RULE;
}

const char *check_measure_value(const json_t *v) {
  double d = json_number_value(v);
  return d >= 0 && d <= AMOUNT_MAX ? NULL : "must be a number from 0 to 1000000000000000";
}

/* A value goes to the database as the decimal the client meant: 0.1, not the
 * 0.10000000000000001 a 17-digit rendering of the double would give. */
int measure_value_to_text(json_t *doc) {
  json_t *v = json_object_get(doc, "value");
  char text[40];
  if (json_is_integer(v))
    snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
  else if (json_is_real(v))
    snprintf(text, sizeof text, "%.15g", json_real_value(v));
  else
    return 0;
  return json_object_set_new(doc, "value", json_string(text));
}

int measure_query_uuid(struct req *r, const char *name, const char **out) {
  const char *v = req_query(r, name);
  *out = NULL;
  if (v && !valid_uuid(v)) {
    reply_field(r, 400, name, "must be a UUID");
    return -1;
  }
  *out = v;
  return 0;
}

int measure_query_period(struct req *r, const char *name, const char **out, struct period *p) {
  const char *v = req_query(r, name);
  struct period ignored;
  *out = NULL;
  if (v && period_parse(v, PERIOD_MIN_YEAR, PERIOD_MAX_YEAR, p ? p : &ignored) != 0) {
    reply_field(r, 400, name, PERIOD_RULE);
    return -1;
  }
  *out = v;
  return 0;
}

static const struct vfield target_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"indicator_code", V_STRING, V_REQUIRED, 0, 0, NULL, check_indicator_code},
    {"period", V_STRING, V_REQUIRED, 0, 0, NULL, check_measure_period},
    {"period_start", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"period_end", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"value", V_NUMBER, V_REQUIRED, 0, 0, NULL, check_measure_value},
    {"program_id", V_UUID, V_NULLABLE, 0, 0, NULL, NULL},
    {"region_code", V_STRING, V_NULLABLE, 0, 0, NULL, check_region_code},
    {"pesantren_id", V_UUID, V_NULLABLE, 0, 0, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof target_fields / sizeof target_fields[0])

static int parse_list_query(struct req *r, struct targets_query *tq, int *with_total) {
  static const char *const allowed[] = {"limit",      "cursor",      "include_total", "indicator_code", "period",
                                        "program_id", "region_code", "pesantren_id",  "scope",          NULL};
  static const char *const scopes[] = {"province", NULL};
  const char *scope = NULL;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &tq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || req_query_enum(r, "scope", scopes, &scope) != 0 ||
      measure_query_period(r, "period", &tq->period, NULL) != 0 ||
      measure_query_uuid(r, "program_id", &tq->program_id) != 0 ||
      measure_query_uuid(r, "pesantren_id", &tq->pesantren_id) != 0)
    return -1;
  tq->indicator_code = req_query(r, "indicator_code");
  tq->region_code = req_query(r, "region_code");
  tq->province = scope != NULL;
  return 0;
}

void h_targets_list(struct req *r) {
  struct targets_query tq = {0};
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL;
  json_t *items = NULL;
  long long total = -1;
  int with_total = 0;
  struct db_conn *db;
  if (parse_list_query(r, &tq, &with_total) != 0 || req_cursor(r, "seq", &key, &seq) != 0 || (db = req_db(r)) == NULL)
    goto out;
  tq.after_key = key;
  tq.after_seq = seq;
  enum dbq q = repo_targets_list(db, &tq, &items, &next_key, &next_seq);
  if (q >= 0 && with_total == 1)
    q = repo_targets_count(db, &tq, &total);
  if (q < 0)
    reply_db(r, q);
  else
    reply_page(r, json_incref(items), "seq", next_key, next_seq, total);
out:
  free(key);
  free(seq);
  free(next_key);
  free(next_seq);
  json_decref(items);
}

void h_targets_get(struct req *r) {
  api_get(r, "target", repo_targets_get);
}

static enum dbq create_target(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  enum dbq q = repo_targets_create(conn, arg, doc);
  if (q != DBQ_NONE)
    return q;
  outcome_set(fail, 422, "indicator_code", "does not name an indicator");
  return DBQ_ROLLBACK;
}

void h_targets_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array(), *stored = NULL;
  if (body == NULL)
    goto out;
  if (validate_object(body, target_fields, NFIELDS, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  stored = json_deep_copy(body);
  measure_value_to_text(stored);
  api_create(r, body, "/v1/targets", create_target, stored);
out:
  json_decref(stored);
  json_decref(body);
  json_decref(errors);
}

static int prepare_target(json_t *doc) {
  return measure_value_to_text(doc);
}

static const struct patch_spec target_patch = {
    "target", target_fields, NFIELDS, NULL, repo_targets_lock, repo_targets_update, NULL, prepare_target,
};

void h_targets_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id)
    api_patch(r, id, &target_patch);
}

struct delete_tx {
  struct req *r;
  const char *id;
  struct outcome fail;
};

static enum dbq delete_body(struct db_conn *conn, void *arg) {
  struct delete_tx *t = arg;
  json_t *current = NULL;
  enum dbq q = repo_targets_lock(conn, t->id, &current);
  if (q == DBQ_NONE) {
    outcome_set(&t->fail, 404, NULL, "No target has this id.");
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  long long version = json_integer_value(json_object_get(current, "version"));
  json_decref(current);
  if (req_if_match_ok(t->r, version) != 0) {
    outcome_set(&t->fail, 412, NULL, "The target has changed since you read it (If-Match).");
    return DBQ_ROLLBACK;
  }
  return repo_targets_delete(conn, t->id);
}

void h_targets_delete(struct req *r) {
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
