#ifndef OPOP_REPLY_H
#define OPOP_REPLY_H

/* Every answer leaves through here: JSON bodies, RFC 9457 problems, and the
 * translation of database outcomes into HTTP statuses. Problem texts are
 * written in English by everyone; here they are given in the language the
 * client's Accept-Language asks for (messages.h), with Content-Language. */

#include <jansson.h>

#include "app.h"
#include "problems.h"

/* 15 significant digits: a stored -7.2 is answered as -7.2, not -7.2000000000000002. */
#define REPLY_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Serializes body (borrowed) with status and Content-Type application/json. */
void reply_json(struct req *r, int status, const json_t *body);
/* As reply_json with an ETag from body's "version". */
void reply_resource(struct req *r, int status, const json_t *body);
/* As reply_resource for a document the database wrote (borrowed), sent as is. */
void reply_resource_text(struct req *r, int status, const struct db_text *doc);
/* application/problem+json {type, title, status, detail}. */
void reply_problem(struct req *r, int status, const char *detail);
/* A problem of a registered type (problems.h), with its status. */
void reply_problem_type(struct req *r, const char *type, const char *detail);
/* p as a problem answer: one bad field when p->field is set. */
void reply_as_problem(struct req *r, const struct problem *p);
/* A batch or import answer (borrowed) whose items[] carry "detail" and
 * "errors" per row: those texts in the client's language, then reply_json. */
void reply_rows(struct req *r, int status, json_t *answer);
/* A problem that lists every bad field; errors is a borrowed array of {field, message}. */
void reply_invalid(struct req *r, int status, const json_t *errors);
/* One bad field. */
void reply_field(struct req *r, int status, const char *field, const char *message);
void reply_empty(struct req *r, int status);
void reply_bytes(struct req *r, int status, const char *content_type, const char *body, size_t len);
/* Answers a failed repository call: 503, 409, 422 on the constrained field, or 500. */
void reply_db(struct req *r, enum dbq q);
/* Adds token to the Vary header, after what is already there. */
void reply_vary(struct req *r, const char *token);
/* Sets a response header (copied). */
void reply_header(struct req *r, const char *name, const char *value);

/* Appends {field, message} to errors. */
void errors_add(json_t *errors, const char *field, const char *message);

#endif
