/* Measurements: what a pesantren achieved on an indicator in a period, and the
 * workflow that makes it count (draft -> submitted -> verified or rejected). */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export_lists.h"
#include "http.h"
#include "period.h"
#include "reply.h"
#include "repo_measurements.h"
#include "resource.h"
#include "validate.h"

static const char *const statuses[] = {"draft", "submitted", "verified", "rejected", NULL};

/* An absolute http(s) URL with a host and no white space or control characters. */
static const char *check_url(const json_t *v) {
  const char *s = json_string_value(v), *rest;
  if (strncasecmp(s, "https://", 8) == 0)
    rest = s + 8;
  else if (strncasecmp(s, "http://", 7) == 0)
    rest = s + 7;
  else
    return "must be an http or https URL";
  if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#')
    return "must be an http or https URL with a host";
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= 0x20 || *p == 0x7f)
      return "must be an http or https URL without spaces";
  return NULL;
}

static const struct vfield measurement_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"indicator_code", V_STRING, V_REQUIRED, 0, 0, NULL, check_indicator_code},
    {"pesantren_id", V_UUID, V_REQUIRED, 0, 0, NULL, NULL},
    {"program_id", V_UUID, V_NULLABLE, 0, 0, NULL, NULL},
    {"period", V_STRING, V_REQUIRED, 0, 0, NULL, check_measure_period},
    {"period_start", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"period_end", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"value", V_NUMBER, V_REQUIRED, 0, 0, NULL, check_measure_value},
    {"note", V_STRING, V_NULLABLE | V_TRIM, 0, 2000, NULL, NULL},
    {"evidence_url", V_STRING, V_NULLABLE | V_TRIM, 0, 2000, NULL, check_url},
    {"status", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"submitted_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"submitted_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"verified_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"verified_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"rejected_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"rejected_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"rejection_reason", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"created_by", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof measurement_fields / sizeof measurement_fields[0])

static const char *status_of(const json_t *doc) {
  return json_string_value(json_object_get(doc, "status"));
}

static int is_status(const json_t *doc, const char *status) {
  const char *s = status_of(doc);
  return s && strcmp(s, status) == 0;
}

static int own_pesantren(const struct req *r, const json_t *doc) {
  const char *pid = json_string_value(json_object_get(doc, "pesantren_id"));
  return pid && strcmp(pid, r->caller.pesantren_id) == 0;
}

/* ---- creating (shared with the batch) ---- */

const struct vfield *measurement_vfields(size_t *n) {
  *n = NFIELDS;
  return measurement_fields;
}

int measurement_validate(json_t *body, json_t *errors) {
  return validate_object(body, measurement_fields, NFIELDS, V_CREATE, errors);
}

const char *measurement_refused(const struct req *r, const json_t *body) {
  if (r->caller.role == ROLE_OPERATOR && !own_pesantren(r, body))
    return "An operator records measurements only for its own pesantren.";
  return NULL;
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
  if (measure_query_period(r, "period", &mq->period, NULL) != 0 ||
      measure_query_period(r, "period_from", &f, &pf) != 0 || measure_query_period(r, "period_to", &t, &pt) != 0)
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
      measure_query_uuid(r, "pesantren_id", &mq->pesantren_id) != 0 ||
      measure_query_uuid(r, "program_id", &mq->program_id) != 0 || parse_period_filters(r, mq, from, until) != 0)
    return -1;
  mq->indicator_code = req_query(r, "indicator_code");
  mq->region_code = req_query(r, "region_code");
  return 0;
}

void h_measurements_list(struct req *r) {
  struct measurements_query mq = {0};
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL, from[11], until[11];
  json_t *items = NULL;
  long long total = -1;
  int with_total = 0;
  struct db_conn *db;
  enum export_format format;
  if (parse_list_query(r, &mq, &with_total, from, until) != 0 || export_negotiate(r, 0, &format) != 0)
    goto out;
  if (format != EXPORT_JSON) {
    export_measurements(r, &mq, format);
    goto out;
  }
  if (req_cursor(r, "seq", &key, &seq) != 0 || (db = req_db(r)) == NULL)
    goto out;
  mq.after_key = key;
  mq.after_seq = seq;
  enum dbq q = repo_measurements_list(db, &mq, &items, &next_key, &next_seq);
  if (q >= 0 && with_total == 1)
    q = repo_measurements_count(db, &mq, &total);
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

void h_measurements_get(struct req *r) {
  api_get(r, "measurement", repo_measurements_get);
}

/* ---- changing ---- */

/* Who may change or delete a stored measurement: an operator its own pesantren's
 * drafts and rejected ones (deleting only drafts); an admin any, but a verified
 * one only with If-Match, so a counted value never changes by accident. */
static int may_change(struct req *r, const json_t *current, int deleting, struct outcome *fail) {
  if (r->caller.role == ROLE_OPERATOR) {
    if (!own_pesantren(r, current))
      outcome_set(fail, 403, NULL, "You may only change measurements of your own pesantren.");
    else if (is_status(current, "verified"))
      outcome_set(fail, 403, NULL, "A verified measurement is changed only by an admin.");
    else if (deleting && !is_status(current, "draft"))
      outcome_set(fail, 409, NULL, "Only a draft can be deleted by its operator.");
    else if (is_status(current, "submitted"))
      outcome_set(fail, 409, NULL, "A submitted measurement is under review; it can be changed once rejected.");
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
    "measurement",          measurement_fields,       NFIELDS,   NULL,
    repo_measurements_lock, repo_measurements_update, may_patch, prepare_measurement,
};

void h_measurements_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id)
    api_patch(r, id, &measurement_patch);
}

struct delete_tx {
  struct req *r;
  const char *id;
  struct outcome fail;
};

static enum dbq delete_body(struct db_conn *conn, void *arg) {
  struct delete_tx *t = arg;
  json_t *current = NULL;
  enum dbq q = repo_measurements_lock(conn, t->id, &current);
  if (q == DBQ_NONE) {
    outcome_set(&t->fail, 404, NULL, "No measurement has this id.");
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  q = DBQ_ROLLBACK;
  if (may_change(t->r, current, 1, &t->fail) != 0)
    goto out;
  if (req_if_match_ok(t->r, json_integer_value(json_object_get(current, "version"))) != 0) {
    outcome_set(&t->fail, 412, NULL, "The measurement has changed since you read it (If-Match).");
    goto out;
  }
  q = repo_measurements_delete(conn, t->id);
out:
  json_decref(current);
  return q;
}

void h_measurements_delete(struct req *r) {
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
  if (r->caller.role == ROLE_OPERATOR && !own_pesantren(r, state))
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
    outcome_set(&t->fail, 409, NULL, detail);
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
