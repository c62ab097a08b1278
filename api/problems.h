#ifndef OPOP_PROBLEMS_H
#define OPOP_PROBLEMS_H

/* The registry of problem types (RFC 9457 "type"): one per distinct failure,
 * so clients branch on the type, never on the text. Every type here is listed
 * in openapi/openapi.yaml (a unit test checks it). */

#include <stddef.h>

#include "db.h"

/* Distinct failures (409 unless said otherwise). */
#define PROBLEM_DUPLICATE "/problems/duplicate"
#define PROBLEM_DUPLICATE_NSPP "/problems/duplicate-nspp"
#define PROBLEM_DUPLICATE_EMAIL "/problems/duplicate-email"
#define PROBLEM_DUPLICATE_INDICATOR "/problems/duplicate-indicator-code"
#define PROBLEM_DUPLICATE_TARGET "/problems/duplicate-target"
#define PROBLEM_DUPLICATE_MEASUREMENT "/problems/duplicate-measurement"
#define PROBLEM_ALREADY_ENROLLED "/problems/already-enrolled"
#define PROBLEM_QUOTA_FULL "/problems/quota-full"
#define PROBLEM_PROGRAM_CLOSED "/problems/program-closed"
#define PROBLEM_QUOTA_BELOW_ENROLLED "/problems/quota-below-enrolled"
#define PROBLEM_PROGRAM_TRANSITION "/problems/program-status-transition-not-allowed"
#define PROBLEM_ENROLMENT_TRANSITION "/problems/enrolment-status-transition-not-allowed"
#define PROBLEM_ENROLMENT_IMMUTABLE "/problems/enrolment-immutable"
#define PROBLEM_WORKFLOW_STEP "/problems/workflow-step-not-allowed"
#define PROBLEM_PESANTREN_IN_USE "/problems/pesantren-in-use"
#define PROBLEM_REQUEST_IN_PROGRESS "/problems/request-in-progress"

struct problem_type {
  const char *uri; /* "/problems/quota-full" */
  int status;
  const char *title; /* English; the catalogue has the Indonesian */
};

/* The generic type of an HTTP status (500's for an unknown one). Borrowed. */
const struct problem_type *problem_of_status(int status);
/* The type with this uri, or NULL. Borrowed. */
const struct problem_type *problem_find(const char *uri);
/* Every registered type (borrowed). */
size_t problem_types(const struct problem_type **all);

/* What one failure tells a client: a field-level error when field is set. */
struct problem {
  int status;
  const char *type; /* a registered uri */
  const char *field;
  const char *detail;
  int server_fault; /* worth a log line: not the client's doing */
};

/* The one reading of a failed repository call (q < 0, e from db_last_error,
 * may be NULL) for reply_db and the per-row answers of batches alike.
 * from_body: the values came from a request body (a class 22 value is then a
 * 422, else a query value and a 400). All strings static. */
struct problem problem_from_db(enum dbq q, const struct db_error *e, int from_body);
/* Whether e is a delete refused because other rows still refer to the row. */
int problem_db_referenced(const struct db_error *e);

#endif
