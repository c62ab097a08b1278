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
#include "rules.h"
#include "validate.h"

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
      rules_query_period(r, "period", &tq->period, NULL) != 0 ||
      rules_query_uuid(r, "program_id", &tq->program_id) != 0 ||
      rules_query_uuid(r, "pesantren_id", &tq->pesantren_id) != 0)
    return -1;
  tq->indicator_code = req_query(r, "indicator_code");
  tq->region_code = req_query(r, "region_code");
  tq->province = scope != NULL;
  return 0;
}

API_LIST_CALL(targets_list, repo_targets_list, repo_targets_count);

void h_targets_list(struct req *r) {
  struct targets_query tq = {0};
  struct list_args a = {&tq, &tq.after_key, &tq.after_seq, "seq", 0};
  if (parse_list_query(r, &tq, &a.with_total) == 0)
    api_list(r, &targets_list, &a);
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

static const struct delete_spec target_delete = {"target", repo_targets_lock, repo_targets_delete, NULL};

void h_targets_delete(struct req *r) {
  api_delete(r, req_uuid_var(r, 0), &target_delete);
}
