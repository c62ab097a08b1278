#include "reply.h"

#include <stdio.h>
#include <string.h>
#include <yder.h>

#include "auth.h"
#include "constraints.h"
#include "list.h"

/* 15 significant digits: a stored -7.2 is answered as -7.2, not -7.2000000000000002. */
#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

struct status_info {
  int status;
  const char *title;
  const char *slug;
};

static const struct status_info statuses[] = {
    {400, "Bad Request", "bad-request"},
    {401, "Unauthorized", "unauthorized"},
    {403, "Forbidden", "forbidden"},
    {404, "Not Found", "not-found"},
    {405, "Method Not Allowed", "method-not-allowed"},
    {406, "Not Acceptable", "not-acceptable"},
    {409, "Conflict", "conflict"},
    {412, "Precondition Failed", "precondition-failed"},
    {413, "Content Too Large", "content-too-large"},
    {414, "URI Too Long", "uri-too-long"},
    {415, "Unsupported Media Type", "unsupported-media-type"},
    {422, "Unprocessable Content", "validation-failed"},
    {428, "Precondition Required", "precondition-required"},
    {429, "Too Many Requests", "too-many-requests"},
    {431, "Request Header Fields Too Large", "request-header-fields-too-large"},
    {500, "Internal Server Error", "internal-error"},
    {503, "Service Unavailable", "service-unavailable"},
};

static const struct status_info *status_find(int status) {
  for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    if (statuses[i].status == status)
      return &statuses[i];
  return &statuses[sizeof statuses / sizeof statuses[0] - 2];
}

void reply_header(struct req *r, const char *name, const char *value) {
  u_map_put(r->res->map_header, name, value);
}

void reply_bytes(struct req *r, int status, const char *content_type, const char *body, size_t len) {
  r->status = status;
  ulfius_set_binary_body_response(r->res, (unsigned)status, body, len);
  if (content_type)
    reply_header(r, "Content-Type", content_type);
}

/* Serializes once into a stack buffer; only an answer larger than it is
 * serialized a second time, into the heap (jansson says how much it needs). */
static void reply_serialized(struct req *r, int status, const char *content_type, const json_t *body) {
  char stack[16384];
  char *buf = stack;
  size_t len = json_dumpb(body, stack, sizeof stack, JSON_FLAGS);
  if (len > sizeof stack && (buf = malloc(len)) != NULL && json_dumpb(body, buf, len, JSON_FLAGS) != len) {
    free(buf);
    buf = NULL;
  }
  if (len == 0 || buf == NULL) {
    y_log_message(Y_LOG_LEVEL_ERROR, "reply_serialized: cannot serialize a %zu-byte answer", len);
    if (buf != stack)
      free(buf);
    static const char fallback[] =
        "{\"type\":\"/problems/internal-error\",\"title\":\"Internal Server Error\",\"status\":500}";
    reply_bytes(r, 500, "application/problem+json", fallback, sizeof fallback - 1);
    return;
  }
  reply_bytes(r, status, content_type, buf, len);
  if (buf != stack)
    free(buf);
}

void reply_json(struct req *r, int status, const json_t *body) {
  reply_serialized(r, status, "application/json", body);
}

void reply_resource(struct req *r, int status, const json_t *body) {
  json_int_t version = json_integer_value(json_object_get(body, "version"));
  char etag[32];
  snprintf(etag, sizeof etag, "\"%lld\"", (long long)version);
  reply_header(r, "ETag", etag);
  reply_json(r, status, body);
}

void reply_resource_text(struct req *r, int status, const struct db_text *doc) {
  char etag[32];
  snprintf(etag, sizeof etag, "\"%lld\"", doc->version);
  reply_header(r, "ETag", etag);
  reply_bytes(r, status, "application/json", doc->json, doc->len);
}

static json_t *problem_new(int status, const char *detail) {
  const struct status_info *s = status_find(status);
  char type[64];
  snprintf(type, sizeof type, "/problems/%s", s->slug);
  return json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", s->title, "status", status, "detail",
                   detail ? detail : s->title);
}

static void reply_problem_body(struct req *r, int status, json_t *problem) {
  if (status == 401)
    reply_header(r, "WWW-Authenticate", "Bearer");
  if (status == 503)
    reply_header(r, "Retry-After", "5");
  reply_serialized(r, status, "application/problem+json", problem);
}

void reply_problem(struct req *r, int status, const char *detail) {
  json_t *p = problem_new(status, detail);
  reply_problem_body(r, status, p);
  json_decref(p);
}

void reply_invalid(struct req *r, int status, const json_t *errors) {
  json_t *p =
      problem_new(status, status == 400 ? "The request could not be parsed." : "One or more fields are invalid.");
  json_object_set(p, "errors", (json_t *)errors);
  reply_problem_body(r, status, p);
  json_decref(p);
}

void reply_field(struct req *r, int status, const char *field, const char *message) {
  json_t *errors = json_array();
  errors_add(errors, field, message);
  reply_invalid(r, status, errors);
  json_decref(errors);
}

void reply_empty(struct req *r, int status) {
  r->status = status;
  r->res->status = status;
}

void errors_add(json_t *errors, const char *field, const char *message) {
  json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static void reply_constraint(struct req *r, const struct db_error *e) {
  const struct constraint_info *c = constraint_find(e->constraint);
  int unique = strcmp(e->sqlstate, "23505") == 0;
  if (c && c->status == 409) {
    reply_problem(r, 409, c->message);
  } else if (c) {
    reply_field(r, c->status, c->field, c->message);
  } else if (unique) {
    reply_problem(r, 409, "A resource with the same unique values already exists.");
  } else {
    y_log_message(Y_LOG_LEVEL_WARNING, "reply_constraint: unmapped constraint '%s' (%s)", e->constraint, e->sqlstate);
    reply_problem(r, 422, "The values break a rule of the data.");
  }
}

/* A value the database could not read or hold (SQLSTATE class 22) came from
 * the client: a tampered cursor, or a value the edge let through. */
static void reply_data_exception(struct req *r, const struct db_error *e) {
  if (strcmp(e->constraint, DB_LIST_CURSOR) == 0) {
    reply_field(r, 400, "cursor", "is not a cursor of this list and sort");
    return;
  }
  y_log_message(Y_LOG_LEVEL_WARNING, "reply_db: %s %s: %s (%s) [%s]", r->http->http_verb, r->http->url_path, e->message,
                e->sqlstate, r->request_id);
  if (r->http->binary_body_length > 0)
    reply_problem(r, 422, "A value is outside what the data can hold.");
  else
    reply_problem(r, 400, "A query value could not be read.");
}

void reply_db(struct req *r, enum dbq q) {
  const struct db_error *e = r->db ? db_last_error(r->db) : NULL;
  if (q == DBQ_UNAVAILABLE || e == NULL) {
    reply_problem(r, 503, "The database is unavailable; try again shortly.");
    return;
  }
  if (strcmp(e->sqlstate, AUTH_SQLSTATE_UNKNOWN) == 0 || strcmp(e->sqlstate, AUTH_SQLSTATE_ROLE) == 0) {
    int unknown = strcmp(e->sqlstate, AUTH_SQLSTATE_UNKNOWN) == 0;
    reply_problem(r, unknown ? 401 : 403, unknown ? AUTH_UNKNOWN_DETAIL : AUTH_ROLE_DETAIL);
    return;
  }
  if (strncmp(e->sqlstate, "23", 2) == 0) {
    reply_constraint(r, e);
    return;
  }
  if (strncmp(e->sqlstate, "22", 2) == 0) {
    reply_data_exception(r, e);
    return;
  }
  if (strcmp(e->sqlstate, "57014") == 0) {
    reply_problem(r, 503, "The database took too long to answer.");
    return;
  }
  y_log_message(Y_LOG_LEVEL_ERROR, "reply_db: %s %s failed: %s (%s) [%s]", r->http->http_verb, r->http->url_path,
                e->message, e->sqlstate, r->request_id);
  reply_problem(r, 500, "An unexpected error occurred; it has been logged.");
}
