/* Programmes: one activity of one pillar in one year, which pesantren join. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reply.h"
#include "repo_programs.h"
#include "resource.h"
#include "validate.h"

static const char *const pillars[] = {"pesantrenpreneur", "santripreneur", "sosiopreneur", NULL};
static const char *const statuses[] = {"planned", "active", "completed", "cancelled", NULL};

/* A programme may be recorded in any state (one that began before it was
 * entered here); the database rules every later move of status. */
static const struct vfield program_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"pillar", V_ENUM, V_REQUIRED, 0, 0, pillars, NULL},
    {"name", V_STRING, V_REQUIRED | V_TRIM, 3, 200, NULL, NULL},
    {"description", V_STRING, V_NULLABLE | V_TRIM, 0, 5000, NULL, NULL},
    {"year", V_INT, V_REQUIRED, 2019, 2100, NULL, NULL},
    {"start_date", V_DATE, V_NULLABLE, 0, 0, NULL, NULL},
    {"end_date", V_DATE, V_NULLABLE, 0, 0, NULL, NULL},
    {"quota", V_INT, V_NULLABLE, 1, 100000, NULL, NULL},
    {"organizer", V_STRING, V_NULLABLE | V_TRIM, 0, 200, NULL, NULL},
    {"status", V_ENUM, 0, 0, 0, statuses, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof program_fields / sizeof program_fields[0])

/* Rules across fields, on a whole document. Dates YYYY-MM-DD compare as text. */
static int program_rules(const json_t *doc, json_t *errors) {
  const char *start = json_string_value(json_object_get(doc, "start_date"));
  const char *end = json_string_value(json_object_get(doc, "end_date"));
  if (start && end && valid_date(start) && valid_date(end) && strcmp(end, start) < 0) {
    errors_add(errors, "end_date", "must not be before start_date");
    return 1;
  }
  return 0;
}

/* ---- list ---- */

static int parse_sort(struct req *r, struct programs_query *pq) {
  static const char *const sortable[] = {"name", "year", "created_at", NULL};
  return req_query_sort(r, sortable, "must be name, year or created_at, with '-' for descending", &pq->sort, &pq->desc);
}

static int parse_list_query(struct req *r, struct programs_query *pq, int *with_total) {
  static const char *const allowed[] = {"limit",  "cursor", "include_total", "pillar", "year",
                                        "status", "q",      "sort",          NULL};
  long year = 0;
  int has_year = 0;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &pq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || req_query_enum(r, "pillar", pillars, &pq->pillar) != 0 ||
      req_query_enum(r, "status", statuses, &pq->status) != 0 ||
      req_query_int(r, "year", 2019, 2100, &year, &has_year) != 0 || parse_sort(r, pq) != 0)
    return -1;
  pq->year = has_year ? req_query(r, "year") : NULL;
  pq->q = req_query(r, "q");
  return 0;
}

API_LIST_CALL(programs_list, repo_programs_list, repo_programs_count);

void h_programs_list(struct req *r) {
  struct programs_query pq = {0};
  char sort[32];
  struct list_args a = {&pq, &pq.after_key, &pq.after_seq, sort, 0};
  if (parse_list_query(r, &pq, &a.with_total) != 0)
    return;
  snprintf(sort, sizeof sort, "%s%s", pq.desc ? "-" : "", pq.sort);
  api_list(r, &programs_list, &a);
}

/* ---- one ---- */

void h_programs_get(struct req *r) {
  api_get(r, "programme", repo_programs_get);
}

static enum dbq create_program(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  (void)fail;
  return repo_programs_create(conn, arg, doc);
}

void h_programs_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array();
  if (body == NULL)
    goto out;
  if (validate_object(body, program_fields, NFIELDS, V_CREATE, errors) + program_rules(body, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  api_create(r, body, "/v1/programs", create_program, body);
out:
  json_decref(body);
  json_decref(errors);
}

/* ---- change ---- */

static const struct patch_spec program_patch = {
    "programme", program_fields, NFIELDS, program_rules, repo_programs_lock, repo_programs_update, NULL, NULL,
};

void h_programs_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id)
    api_patch(r, id, &program_patch);
}
