#include "problems.h"

#include <string.h>

#include "auth.h"
#include "constraints.h"
#include "cursor.h"
#include "list.h"

#define SQLSTATE_FOREIGN_KEY "23503"
#define SQLSTATE_UNIQUE "23505"
#define SQLSTATE_CANCELED "57014"

/* The generic types come first, one per status; distinct failures follow. */
static const struct problem_type types[] = {
    {"/problems/bad-request", 400, "Bad Request"},
    {"/problems/unauthorized", 401, "Unauthorized"},
    {"/problems/forbidden", 403, "Forbidden"},
    {"/problems/not-found", 404, "Not Found"},
    {"/problems/method-not-allowed", 405, "Method Not Allowed"},
    {"/problems/not-acceptable", 406, "Not Acceptable"},
    {"/problems/conflict", 409, "Conflict"},
    {"/problems/gone", 410, "Gone"},
    {"/problems/precondition-failed", 412, "Precondition Failed"},
    {"/problems/content-too-large", 413, "Content Too Large"},
    {"/problems/uri-too-long", 414, "URI Too Long"},
    {"/problems/unsupported-media-type", 415, "Unsupported Media Type"},
    {"/problems/validation-failed", 422, "Unprocessable Content"},
    {"/problems/precondition-required", 428, "Precondition Required"},
    {"/problems/too-many-requests", 429, "Too Many Requests"},
    {"/problems/request-header-fields-too-large", 431, "Request Header Fields Too Large"},
    {"/problems/internal-error", 500, "Internal Server Error"},
    {"/problems/service-unavailable", 503, "Service Unavailable"},
    {PROBLEM_DUPLICATE, 409, "Duplicate"},
    {PROBLEM_DUPLICATE_NSPP, 409, "Duplicate NSPP"},
    {PROBLEM_DUPLICATE_EMAIL, 409, "Duplicate Email"},
    {PROBLEM_DUPLICATE_INDICATOR, 409, "Duplicate Indicator Code"},
    {PROBLEM_DUPLICATE_TARGET, 409, "Duplicate Target"},
    {PROBLEM_DUPLICATE_MEASUREMENT, 409, "Duplicate Measurement"},
    {PROBLEM_ALREADY_ENROLLED, 409, "Already Enrolled"},
    {PROBLEM_QUOTA_FULL, 409, "Quota Full"},
    {PROBLEM_PROGRAM_CLOSED, 409, "Programme Closed"},
    {PROBLEM_QUOTA_BELOW_ENROLLED, 409, "Quota Below Enrolment"},
    {PROBLEM_PROGRAM_TRANSITION, 409, "Programme Status Change Not Allowed"},
    {PROBLEM_ENROLMENT_TRANSITION, 409, "Enrolment Status Change Not Allowed"},
    {PROBLEM_ENROLMENT_IMMUTABLE, 409, "Enrolment Cannot Move"},
    {PROBLEM_WORKFLOW_STEP, 409, "Workflow Step Not Allowed"},
    {PROBLEM_PESANTREN_IN_USE, 409, "Pesantren In Use"},
    {PROBLEM_REQUEST_IN_PROGRESS, 409, "Request In Progress"},
};

#define NTYPES (sizeof types / sizeof types[0])

const struct problem_type *problem_of_status(int status) {
  const struct problem_type *internal = NULL;
  for (size_t i = 0; i < NTYPES; i++) {
    if (types[i].status == status)
      return &types[i];
    if (types[i].status == 500)
      internal = &types[i];
  }
  return internal;
}

const struct problem_type *problem_find(const char *uri) {
  for (size_t i = 0; uri && i < NTYPES; i++)
    if (strcmp(types[i].uri, uri) == 0)
      return &types[i];
  return NULL;
}

size_t problem_types(const struct problem_type **all) {
  *all = types;
  return NTYPES;
}

static struct problem problem_make(int status, const char *type, const char *field, const char *detail) {
  return (struct problem){status, type ? type : problem_of_status(status)->uri, field, detail, 0};
}

/* A violated constraint (class 23): its registered meaning, else by kind. */
static struct problem constraint_problem(const struct db_error *e) {
  const struct constraint_info *c = constraint_find(e->constraint);
  struct problem p;
  if (c)
    return problem_make(c->status, c->type, c->status == 409 ? NULL : c->field, c->message);
  if (strcmp(e->sqlstate, SQLSTATE_UNIQUE) == 0)
    return problem_make(409, PROBLEM_DUPLICATE, NULL, "A resource with the same unique values already exists.");
  p = problem_make(422, NULL, NULL, "The values break a rule of the data.");
  p.server_fault = 1; /* an unmapped constraint: the table above lacks a line */
  return p;
}

/* A value the database could not read or hold (class 22) came from the
 * client: a tampered cursor, or a value the edge let through. */
static struct problem data_problem(const struct db_error *e, int from_body) {
  if (strcmp(e->constraint, DB_LIST_CURSOR) == 0)
    return problem_make(400, NULL, "cursor", cursor_refused);
  if (from_body)
    return problem_make(422, NULL, NULL, "A value is outside what the data can hold.");
  return problem_make(400, NULL, NULL, "A query value could not be read.");
}

struct problem problem_from_db(enum dbq q, const struct db_error *e, int from_body) {
  struct problem p;
  if (q == DBQ_UNAVAILABLE || e == NULL)
    return problem_make(503, NULL, NULL, "The database is unavailable; try again shortly.");
  if (strcmp(e->sqlstate, AUTH_SQLSTATE_UNKNOWN) == 0)
    return problem_make(401, NULL, NULL, AUTH_UNKNOWN_DETAIL);
  if (strcmp(e->sqlstate, AUTH_SQLSTATE_ROLE) == 0)
    return problem_make(403, NULL, NULL, AUTH_ROLE_DETAIL);
  if (strncmp(e->sqlstate, "23", 2) == 0)
    return constraint_problem(e);
  if (strncmp(e->sqlstate, "22", 2) == 0)
    return data_problem(e, from_body);
  if (strcmp(e->sqlstate, SQLSTATE_CANCELED) == 0)
    return problem_make(503, NULL, NULL, "The database took too long to answer.");
  p = problem_make(500, NULL, NULL, "An unexpected error occurred; it has been logged.");
  p.server_fault = 1;
  return p;
}

int problem_db_referenced(const struct db_error *e) {
  return e && strcmp(e->sqlstate, SQLSTATE_FOREIGN_KEY) == 0;
}
