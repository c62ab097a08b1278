/* Enrolments: the pesantren taking part in a programme, addressed by the
 * pesantren's id under the programme, each with the history of its status. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reply.h"
#include "repo_enrolments.h"
#include "repo_pesantren.h"
#include "repo_programs.h"
#include "resource.h"
#include "validate.h"

static const char *const statuses[] = {"registered", "selected", "active", "graduated", "rejected", "withdrawn", NULL};
/* Every enrolment starts registered, so its history starts there too. */
static const char *const initial[] = {"registered", NULL};

#define ENROLMENT_FIELDS(pesantren_flags, status_flags, status_choices)                                                \
  {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL}, {"program_id", V_UUID, V_READONLY, 0, 0, NULL, NULL},                  \
      {"pesantren_id", V_UUID, pesantren_flags, 0, 0, NULL, NULL},                                                     \
      {"pesantren_name", V_STRING, V_READONLY, 0, 0, NULL, NULL},                                                      \
      {"status", V_ENUM, status_flags, 0, 0, status_choices, NULL},                                                    \
      {"history", V_ARRAY, V_READONLY, 0, 0, NULL, NULL}, {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},            \
      {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL}, {                                                        \
    "updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL                                                               \
  }

static const struct vfield create_fields[] = {ENROLMENT_FIELDS(V_REQUIRED, 0, initial)};
/* A change names only the new status: the programme and pesantren stay. */
static const struct vfield update_fields[] = {ENROLMENT_FIELDS(V_READONLY, V_REQUIRED, statuses)};
#define NFIELDS (sizeof create_fields / sizeof create_fields[0])

/* 0 when the programme exists; otherwise -1 after answering 404 or 503. */
static int program_found(struct req *r, struct db_conn *db, const char *program_id) {
  json_t *program = NULL;
  enum dbq q = repo_programs_get(db, program_id, &program);
  json_decref(program);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No programme has this id.");
  return q == DBQ_ONE ? 0 : -1;
}

/* ---- list ---- */

API_LIST_CALL(enrolments_list, repo_enrolments_list, repo_enrolments_count);

void h_participants_list(struct req *r) {
  static const char *const allowed[] = {"limit", "cursor", "include_total", "status", NULL};
  struct enrolments_query eq = {.program_id = req_uuid_var(r, 0)};
  struct list_args a = {&eq, &eq.after_key, &eq.after_seq, "seq", 0};
  struct db_conn *db;
  if (eq.program_id == NULL || req_query_allowed(r, allowed) != 0 || req_limit(r, &eq.limit) != 0 ||
      req_query_bool(r, "include_total", &a.with_total) != 0 ||
      req_query_enum(r, "status", statuses, &eq.status) != 0 || (db = req_db(r)) == NULL ||
      program_found(r, db, eq.program_id) != 0)
    return;
  api_list(r, &enrolments_list, &a);
}

/* ---- one ---- */

/* The enrolment named by the path (caller decrefs), or NULL after answering
 * 404 (no such programme, or the pesantren is not enrolled) or 503. */
static json_t *enrolment_of_path(struct req *r) {
  const char *program_id = req_uuid_var(r, 0);
  const char *pesantren_id = program_id ? req_uuid_var(r, 1) : NULL;
  json_t *doc = NULL;
  struct db_conn *db;
  if (pesantren_id == NULL || (db = req_db(r)) == NULL)
    return NULL;
  enum dbq q = repo_enrolments_find(db, program_id, pesantren_id, &doc);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE && program_found(r, db, program_id) == 0)
    reply_problem(r, 404, "This pesantren is not enrolled in this programme.");
  return doc;
}

void h_participants_get(struct req *r) {
  json_t *doc = enrolment_of_path(r);
  if (doc && !req_not_modified(r, doc))
    reply_resource(r, 200, doc);
  json_decref(doc);
}

struct enrol {
  const char *program_id;
  const char *pesantren_id;
};

static enum dbq create_enrolment(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  const struct enrol *e = arg;
  json_t *found = NULL;
  enum dbq q = repo_programs_get(conn, e->program_id, &found);
  json_decref(found);
  found = NULL;
  if (q == DBQ_NONE) {
    outcome_set(fail, 404, NULL, "No programme has this id.");
    return DBQ_ROLLBACK;
  }
  if (q >= 0)
    q = repo_pesantren_get(conn, e->pesantren_id, &found);
  json_decref(found);
  if (q == DBQ_NONE) {
    outcome_set(fail, 422, "pesantren_id", "does not exist");
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  return repo_enrolments_create(conn, e->program_id, e->pesantren_id, doc);
}

void h_participants_create(struct req *r) {
  struct enrol e = {.program_id = req_uuid_var(r, 0)};
  json_t *body = NULL, *errors = json_array();
  char prefix[96], location[160];
  if (e.program_id == NULL || (body = req_json_body(r)) == NULL)
    goto out;
  if (validate_object(body, create_fields, NFIELDS, V_CREATE, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  e.pesantren_id = json_string_value(json_object_get(body, "pesantren_id"));
  snprintf(prefix, sizeof prefix, "/v1/programs/%s/participants", e.program_id);
  api_create(r, body, prefix, create_enrolment, &e);
  /* api_create names a new resource by its id; a participant is addressed by
   * its pesantren, on the first answer and on a replay alike. */
  if (r->status == 201) {
    snprintf(location, sizeof location, "%s/%s", prefix, e.pesantren_id);
    reply_header(r, "Location", location);
  }
out:
  json_decref(body);
  json_decref(errors);
}

/* ---- change ---- */

static const struct patch_spec enrolment_patch = {
    "enrolment", update_fields, NFIELDS, NULL, repo_enrolments_lock, repo_enrolments_update, NULL, NULL,
};

void h_participants_patch(struct req *r) {
  json_t *doc = enrolment_of_path(r);
  if (doc)
    api_patch(r, json_string_value(json_object_get(doc, "id")), &enrolment_patch);
  json_decref(doc);
}
