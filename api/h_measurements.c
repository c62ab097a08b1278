/* Measurements: what a pesantren achieved on an indicator in a period, and the
 * workflow that makes it count (draft -> submitted -> verified or rejected). */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export_lists.h"
#include "http.h"
#include "measurement.h"
#include "period.h"
#include "reply.h"
#include "repo_measurements.h"
#include "repo_pesantren.h"
#include "resource.h"
#include "rules.h"
#include "validate.h"

static const char *const statuses[] = {"draft", "submitted", "verified", "rejected", NULL};

static const char *status_of(const json_t *doc) {
  return json_string_value(json_object_get(doc, "status"));
}

static int is_status(const json_t *doc, const char *status) {
  const char *s = status_of(doc);
  return s && strcmp(s, status) == 0;
}

static enum dbq create_measurement(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  enum dbq q = repo_measurements_create(conn, arg, doc);
  if (q != DBQ_NONE)
    return q;
  outcome_set(fail, 422, "indicator_code", "does not name an indicator");
  return DBQ_ROLLBACK;
}

void h_measurements_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array(), *stored = NULL;
  const char *refused;
  if (body == NULL)
    goto out;
  if (measurement_validate(body, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  if ((refused = measurement_refused(r, body)) != NULL) {
    reply_problem(r, 403, refused);
    goto out;
  }
  stored = json_deep_copy(body);
  measure_value_to_text(stored);
  api_create(r, body, "/v1/measurements", create_measurement, stored);
out:
  json_decref(stored);
  json_decref(body);
  json_decref(errors);
}

/* ---- reading ---- */

/* period (exact) or period_from/period_to: the periods starting from the
 * start of period_from up to the end of period_to. from and until receive
 * those dates, which mq then borrows. */
static int parse_period_filters(struct req *r, struct measurements_query *mq, char from[11], char until[11]) {
  struct period pf, pt;
  const char *f = NULL, *t = NULL;
  if (rules_query_period(r, "period", &mq->period, NULL) != 0 || rules_query_period(r, "period_from", &f, &pf) != 0 ||
      rules_query_period(r, "period_to", &t, &pt) != 0)
    return -1;
  if (mq->period && (f || t)) {
    reply_field(r, 400, "period", "cannot be combined with period_from or period_to");
    return -1;
  }
  if (f && t && strcmp(pt.end, pf.start) < 0) {
    reply_field(r, 400, "period_to", "must not end before period_from starts");
    return -1;
  }
  if (f) {
    memcpy(from, pf.start, 11);
    mq->starts_from = from;
  }
  if (t) {
    memcpy(until, pt.end, 11);
    mq->starts_until = until;
  }
  return 0;
}

static int parse_list_query(struct req *r, struct measurements_query *mq, int *with_total, char from[11],
                            char until[11]) {
  static const char *const allowed[] = {
      "limit",  "cursor",      "include_total", "indicator_code", "pesantren_id", "program_id", "region_code",
      "period", "period_from", "period_to",     "status",         "format",       NULL};
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &mq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || req_query_enum(r, "status", statuses, &mq->status) != 0 ||
      rules_query_uuid(r, "pesantren_id", &mq->pesantren_id) != 0 ||
      rules_query_uuid(r, "program_id", &mq->program_id) != 0 || parse_period_filters(r, mq, from, until) != 0)
    return -1;
  mq->indicator_code = req_query(r, "indicator_code");
  mq->region_code = req_query(r, "region_code");
  return 0;
}

/* The caller's regions as a PostgreSQL text array ("{35.01,35.78}"; region
 * codes need no quoting), into out. */
static void regions_array(const struct caller *c, char *out, size_t len) {
  size_t i, used = 0;
  json_t *v;
  out[used++] = '{';
  json_array_foreach(c->region_codes, i, v) {
    int n = snprintf(out + used, len - used - 2, "%s%s", i ? "," : "", json_string_value(v));
    if (n < 0 || (size_t)n >= len - used - 2)
      break;
    used += (size_t)n;
  }
  snprintf(out + used, len - used, "}");
}

/* Verified measurements are everyone's; the others only their reviewers' and
 * their pesantren's: admins see all, operators their own pesantren's, mentors
 * those in their regions, viewers none. */
static void set_visibility(const struct req *r, struct measurements_query *mq, char *regions, size_t len) {
  mq->see_all = r->caller.role == ROLE_ADMIN;
  if (r->caller.role == ROLE_OPERATOR && r->caller.pesantren_id[0])
    mq->see_pesantren = r->caller.pesantren_id;
  if (r->caller.role == ROLE_MENTOR) {
    regions_array(&r->caller, regions, len);
    mq->see_regions = regions;
  }
}

API_LIST_CALL(measurements_list, repo_measurements_list, repo_measurements_count);

void h_measurements_list(struct req *r) {
  struct measurements_query mq = {0};
  char from[11], until[11], regions[512];
  struct list_args a = {&mq, &mq.after_key, &mq.after_seq, "seq", 0};
  enum export_format format;
  if (parse_list_query(r, &mq, &a.with_total, from, until) != 0 || export_negotiate(r, 0, &format) != 0)
    return;
  set_visibility(r, &mq, regions, sizeof regions);
  if (format != EXPORT_JSON)
    export_measurements(r, &mq, format);
  else
    api_list(r, &measurements_list, &a);
}

/* Whether the caller may see doc (see set_visibility); a mentor's check of a
 * measurement not yet verified reads its pesantren's region. */
static enum dbq visible(struct req *r, struct db_conn *db, const json_t *doc) {
  char *region = NULL;
  if (r->caller.role == ROLE_ADMIN || is_status(doc, "verified"))
    return DBQ_ONE;
  if (r->caller.role == ROLE_OPERATOR)
    return measurement_own_pesantren(r, doc) ? DBQ_ONE : DBQ_NONE;
  if (r->caller.role != ROLE_MENTOR)
    return DBQ_NONE;
  enum dbq q = repo_pesantren_region(db, json_string_value(json_object_get(doc, "pesantren_id")), &region);
  if (q == DBQ_ONE && !caller_has_region(&r->caller, region))
    q = DBQ_NONE;
  free(region);
  return q;
}

/* One the caller may not see is answered as one that does not exist. */
void h_measurements_get(struct req *r) {
  api_get_visible(r, "measurement", repo_measurements_get, visible);
}

/* ---- changing ---- */

/* Who may change or delete a stored measurement: an operator its own pesantren's
 * drafts and rejected ones (deleting only drafts); an admin any, but a verified
 * one only with If-Match, so a counted value never changes by accident. */
static int may_change(struct req *r, const json_t *current, int deleting, struct outcome *fail) {
  if (r->caller.role == ROLE_OPERATOR) {
    if (!measurement_own_pesantren(r, current))
      outcome_set(fail, 403, NULL, "You may only change measurements of your own pesantren.");
    else if (is_status(current, "verified"))
      outcome_set(fail, 403, NULL, "A verified measurement is changed only by an admin.");
    else if (deleting && !is_status(current, "draft"))
      outcome_set_type(fail, PROBLEM_WORKFLOW_STEP, "Only a draft can be deleted by its operator.");
    else if (is_status(current, "submitted"))
      outcome_set_type(fail, PROBLEM_WORKFLOW_STEP,
                       "A submitted measurement is under review; it can be changed once rejected.");
    return fail->status ? -1 : 0;
  }
  if (r->caller.role != ROLE_ADMIN) {
    outcome_set(fail, 403, NULL, "Your role may not change measurements.");
    return -1;
  }
  if (is_status(current, "verified") && !req_has_if_match(r)) {
    outcome_set(fail, 428, NULL, "Changing a verified measurement requires If-Match with its current ETag.");
    return -1;
  }
  return 0;
}

static int may_patch(struct req *r, const json_t *current, struct outcome *fail) {
  return may_change(r, current, 0, fail);
}

static int prepare_measurement(json_t *doc) {
  return measure_value_to_text(doc);
}

static const struct patch_spec measurement_patch = {
    "measurement",          measurement_fields,       MEASUREMENT_NFIELDS, NULL,
    repo_measurements_lock, repo_measurements_update, may_patch,           prepare_measurement,
};

void h_measurements_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id)
    api_patch(r, id, &measurement_patch);
}

static int may_delete(struct req *r, const json_t *current, struct outcome *fail) {
  return may_change(r, current, 1, fail);
}

static const struct delete_spec measurement_delete = {"measurement", repo_measurements_lock, repo_measurements_delete,
                                                      may_delete};

void h_measurements_delete(struct req *r) {
  api_delete(r, req_uuid_var(r, 0), &measurement_delete);
}

/* ---- workflow ---- */

struct step {
  const char *to;      /* the status it moves to */
  const char *from[3]; /* the statuses it moves from */
  const char *reason;  /* reject only */
};

struct step_tx {
  struct req *r;
  const char *id;
  const struct step *step;
  json_t *doc;
  struct outcome fail;
};

/* Rights before state: an operator submits for its own pesantren, a mentor
 * verifies and rejects in its own regions, an admin does both. */
static int step_allowed(struct req *r, const json_t *state, struct outcome *fail) {
  const char *region = json_string_value(json_object_get(state, "region_code"));
  if (r->caller.role == ROLE_OPERATOR && !measurement_own_pesantren(r, state))
    outcome_set(fail, 403, NULL, "You may only submit measurements of your own pesantren.");
  else if (r->caller.role == ROLE_MENTOR && !caller_has_region(&r->caller, region))
    outcome_set(fail, 403, NULL, "You may only review measurements of pesantren in your regions.");
  return fail->status ? -1 : 0;
}

static int step_from_ok(const struct step *s, const char *status) {
  for (int i = 0; i < 3 && s->from[i]; i++)
    if (status && strcmp(s->from[i], status) == 0)
      return 1;
  return 0;
}

static enum dbq step_body(struct db_conn *conn, void *arg) {
  struct step_tx *t = arg;
  json_t *state = NULL;
  char detail[160];
  json_decref(t->doc);
  t->doc = NULL;
  enum dbq q = repo_measurements_lock_state(conn, t->id, &state);
  if (q == DBQ_NONE) {
    outcome_set(&t->fail, 404, NULL, "No measurement has this id.");
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  q = DBQ_ROLLBACK;
  if (step_allowed(t->r, state, &t->fail) != 0)
    goto out;
  if (req_if_match_ok(t->r, json_integer_value(json_object_get(state, "version"))) != 0) {
    outcome_set(&t->fail, 412, NULL, "The measurement has changed since you read it (If-Match).");
    goto out;
  }
  if (!step_from_ok(t->step, status_of(state))) {
    snprintf(detail, sizeof detail, "The measurement is %s; it cannot become %s.", status_of(state), t->step->to);
    outcome_set_type(&t->fail, PROBLEM_WORKFLOW_STEP, detail);
    goto out;
  }
  q = repo_measurements_set_status(conn, t->id, t->step->to, t->step->reason, &t->doc);
out:
  json_decref(state);
  return q;
}

static void run_step(struct req *r, const struct step *step) {
  struct step_tx t = {.r = r, .id = r->vars[0], .step = step};
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, step_body, &t);
  if (q == DBQ_ROLLBACK)
    reply_outcome(r, &t.fail);
  else if (q < 0)
    reply_db(r, q);
  else
    reply_resource(r, 200, t.doc);
  json_decref(t.doc);
}

/* submit and verify take no fields: an empty body or {}. */
static int empty_body(struct req *r) {
  json_t *body = req_json_body_optional(r), *errors = json_array();
  int ok = body != NULL && validate_object(body, NULL, 0, V_PATCH, errors) == 0;
  if (body && !ok)
    reply_invalid(r, 422, errors);
  json_decref(body);
  json_decref(errors);
  return ok;
}

void h_measurements_submit(struct req *r) {
  static const struct step submit = {"submitted", {"draft", "rejected", NULL}, NULL};
  if (req_uuid_var(r, 0) && empty_body(r))
    run_step(r, &submit);
}

void h_measurements_verify(struct req *r) {
  static const struct step verify = {"verified", {"submitted", NULL, NULL}, NULL};
  if (req_uuid_var(r, 0) && empty_body(r))
    run_step(r, &verify);
}

void h_measurements_reject(struct req *r) {
  static const struct vfield reject_fields[] = {
      {"reason", V_STRING, V_REQUIRED | V_TRIM, 1, 2000, NULL, NULL},
  };
  json_t *body = NULL, *errors = json_array();
  if (req_uuid_var(r, 0) == NULL || (body = req_json_body(r)) == NULL)
    goto out;
  if (validate_object(body, reject_fields, 1, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  struct step reject = {"rejected", {"submitted", NULL, NULL}, json_string_value(json_object_get(body, "reason"))};
  run_step(r, &reject);
out:
  json_decref(body);
  json_decref(errors);
}
