#include "reply.h"

#include <stdio.h>
#include <string.h>
#include <yder.h>

#include "auth.h"
#include "constraints.h"
#include "gzip.h"
#include "language.h"
#include "list.h"
#include "messages.h"

#define JSON_FLAGS REPLY_JSON_FLAGS

void reply_header(struct req *r, const char *name, const char *value) {
  u_map_put(r->res->map_header, name, value);
}

void reply_bytes(struct req *r, int status, const char *content_type, const char *body, size_t len) {
  r->status = status;
  if (content_type)
    reply_header(r, "Content-Type", content_type);
  if (!reply_gzip(r, status, content_type, body, len))
    ulfius_set_binary_body_response(r->res, (unsigned)status, body, len);
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

static json_t *problem_new(const struct problem_type *t, int status, const char *detail) {
  return json_pack("{s:s, s:s, s:i, s:s}", "type", t->uri, "title", t->title, "status", status, "detail",
                   detail ? detail : t->title);
}

/* Replaces the English text of obj[key] (if any) by its translation. */
static void translate_member(json_t *obj, const char *key, enum lang l) {
  char buf[512];
  const char *en = json_string_value(json_object_get(obj, key));
  const char *text = en ? msg_translate(en, l, buf, sizeof buf) : NULL;
  if (text && text != en)
    json_object_set_new(obj, key, json_string(text));
}

static void translate_errors(json_t *errors, enum lang l) {
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) translate_member(e, "message", l);
}

/* The answer's texts in the language the client asked for, said in headers. */
static void translate_problem(struct req *r, json_t *problem) {
  enum lang l = lang_negotiate(req_header(r, "Accept-Language"));
  translate_member(problem, "title", l);
  translate_member(problem, "detail", l);
  translate_errors(json_object_get(problem, "errors"), l);
  reply_header(r, "Content-Language", lang_tag(l));
  reply_vary(r, "Accept-Language");
}

static void reply_problem_body(struct req *r, int status, json_t *problem) {
  if (status == 401)
    reply_header(r, "WWW-Authenticate", "Bearer");
  if (status == 503) {
    char after[16];
    snprintf(after, sizeof after, "%d", r->app->cfg.retry_after_s);
    reply_header(r, "Retry-After", after);
  }
  translate_problem(r, problem);
  reply_serialized(r, status, "application/problem+json", problem);
}

void reply_problem(struct req *r, int status, const char *detail) {
  json_t *p = problem_new(problem_of_status(status), status, detail);
  reply_problem_body(r, status, p);
  json_decref(p);
}

void reply_problem_type(struct req *r, const char *type, const char *detail) {
  const struct problem_type *t = problem_find(type);
  if (t == NULL)
    t = problem_of_status(500);
  json_t *p = problem_new(t, t->status, detail);
  reply_problem_body(r, t->status, p);
  json_decref(p);
}

void reply_invalid(struct req *r, int status, const json_t *errors) {
  json_t *p = problem_new(problem_of_status(status), status,
                          status == 400   ? "The request could not be parsed."
                          : status == 403 ? "Your role may not set the fields listed."
                                          : "One or more fields are invalid.");
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

void reply_rows(struct req *r, int status, json_t *answer) {
  enum lang l = lang_negotiate(req_header(r, "Accept-Language"));
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(answer, "items"), i, row) {
    translate_member(row, "detail", l);
    translate_errors(json_object_get(row, "errors"), l);
  }
  reply_header(r, "Content-Language", lang_tag(l));
  reply_vary(r, "Accept-Language");
  reply_json(r, status, answer);
}

void reply_as_problem(struct req *r, const struct problem *p) {
  if (p->field)
    reply_field(r, p->status, p->field, p->detail);
  else
    reply_problem_type(r, p->type, p->detail);
}

void reply_empty(struct req *r, int status) {
  r->status = status;
  r->res->status = status;
}

void errors_add(json_t *errors, const char *field, const char *message) {
  json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

void reply_db(struct req *r, enum dbq q) {
  const struct db_error *e = r->db ? db_last_error(r->db) : NULL;
  struct problem p = problem_from_db(q, e, r->http->binary_body_length > 0);
  if (p.server_fault || (e && strncmp(e->sqlstate, "22", 2) == 0))
    y_log_message(p.status >= 500 ? Y_LOG_LEVEL_ERROR : Y_LOG_LEVEL_WARNING, "reply_db: %s %s: %s (%s, %s) [%s]",
                  r->http->http_verb, r->http->url_path, e->message, e->sqlstate, e->constraint, r->request_id);
  reply_as_problem(r, &p);
}
