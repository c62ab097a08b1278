#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "etag.h"
#include "gzip.h"
#include "list_etag.h"
#include "reply.h"
#include "validate.h"

static int is_json_type(const char *ct) {
  size_t n;
  if (ct == NULL)
    return 0;
  while (*ct == ' ')
    ct++;
  n = strcspn(ct, "; ");
  return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
         (n == 28 && strncasecmp(ct, "application/merge-patch+json", 28) == 0);
}

#define JSON_MAX_DEPTH 32

/* Whether text nests arrays and objects deeper than JSON_MAX_DEPTH (no
 * resource is that deep; the parser would go to 2048). */
static int json_too_deep(const char *text, size_t len) {
  int depth = 0, in_string = 0;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = 0;
    } else if (c == '"') {
      in_string = 1;
    } else if ((c == '[' || c == '{') && ++depth > JSON_MAX_DEPTH) {
      return 1;
    } else if (c == ']' || c == '}') {
      depth--;
    }
  }
  return 0;
}

/* The member name before the number that ends near pos in text, as the
 * field to name ("body" when the number is not a member's value). */
static void field_before(const char *text, size_t pos, char *field, size_t len) {
  size_t p = pos;
  snprintf(field, len, "body");
  while (p > 0 && strchr("0123456789+-.eE \t\r\n", text[p - 1]))
    p--;
  if (p == 0 || text[p - 1] != ':')
    return;
  p--;
  while (p > 0 && strchr(" \t\r\n", text[p - 1]))
    p--;
  if (p < 2 || text[p - 1] != '"')
    return;
  size_t end = --p;
  while (p > 0 && text[p - 1] != '"')
    p--;
  if (p > 0 && end - p < len)
    snprintf(field, len, "%.*s", (int)(end - p), text + p);
}

static json_t *parse_body(struct req *r, int optional) {
  const struct _u_request *h = r->http;
  json_error_t err;
  if (h->binary_body_length == 0) {
    if (optional)
      return json_object();
    reply_field(r, 400, "body", "a JSON object is required");
    return NULL;
  }
  if (!is_json_type(req_header(r, "Content-Type"))) {
    reply_problem(r, 415, "Send the body as application/json.");
    return NULL;
  }
  if (json_too_deep(h->binary_body, h->binary_body_length)) {
    reply_field(r, 400, "body", "nests arrays and objects deeper than 32 levels");
    return NULL;
  }
  /* Any JSON value parses, so a valid value of the wrong shape (an array, a
   * string, null) is a 422 like every other wrong value, not a parse error. */
  json_t *body = json_loadb(h->binary_body, h->binary_body_length, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
  if (body == NULL && json_error_code(&err) == json_error_numeric_overflow) {
    /* Valid JSON whose number no field can hold: a value error, not a parse error. */
    char field[64];
    field_before(h->binary_body,
                 (size_t)err.position < h->binary_body_length ? (size_t)err.position : h->binary_body_length, field,
                 sizeof field);
    reply_field(r, 422, field, "is a number out of range");
    return NULL;
  }
  if (body == NULL) {
    char msg[220];
    snprintf(msg, sizeof msg, "is not valid JSON: %s (line %d, column %d)", err.text, err.line, err.column);
    reply_field(r, 400, "body", msg);
    return NULL;
  }
  if (!json_is_object(body)) {
    json_decref(body);
    reply_field(r, 422, "body", "must be a JSON object");
    return NULL;
  }
  return body;
}

json_t *req_json_body(struct req *r) {
  return parse_body(r, 0);
}
json_t *req_json_body_optional(struct req *r) {
  return parse_body(r, 1);
}

const char *req_uuid_var(struct req *r, int i) {
  char *v = i >= 0 && i < REQ_MAX_VARS ? r->vars[i] : NULL;
  if (v == NULL || !valid_uuid(v)) {
    reply_problem(r, 404, "No such resource.");
    return NULL;
  }
  /* The database writes ids in lower case; compare like with like (an
   * operator's own pesantren, a mentor's visit). */
  for (char *c = v; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  return v;
}

int req_not_modified(struct req *r, const json_t *doc) {
  return req_not_modified_version(r, json_integer_value(json_object_get(doc, "version")));
}

int req_not_modified_tag(struct req *r, const char *tag) {
  const char *inm = req_header(r, "If-None-Match");
  int match = inm ? etag_list_matches(inm, tag, 1) : 0;
  if (match == 0)
    return 0;
  /* The client holds the representation it named; "*" names the plain one. */
  char etag[128];
  snprintf(etag, sizeof etag, "\"%s%s\"", tag, match == 2 ? GZIP_ETAG_SUFFIX : "");
  reply_header(r, "ETag", etag);
  reply_vary(r, "Accept-Encoding");
  reply_empty(r, 304);
  return 1;
}

int req_not_modified_version(struct req *r, long long version) {
  char tag[24];
  snprintf(tag, sizeof tag, "%lld", version);
  return req_not_modified_tag(r, tag);
}

int req_has_if_match(const struct req *r) {
  return req_header(r, "If-Match") != NULL;
}

int req_if_match_ok(const struct req *r, long long version) {
  const char *im = req_header(r, "If-Match");
  char tag[24];
  snprintf(tag, sizeof tag, "%lld", version);
  return im == NULL || etag_list_matches(im, tag, 0) ? 0 : -1;
}

static int hex_digit(char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Whether the raw query string decodes to UTF-8 text without NUL bytes. The
 * HTTP library silently drops parameters that are not UTF-8, which would turn
 * a bad filter into no filter at all. */
static int query_text_ok(const char *url) {
  const char *q = url ? strchr(url, '?') : NULL;
  if (q == NULL)
    return 1;
  char *text = malloc(strlen(q) + 1);
  size_t n = 0;
  int ok = text != NULL;
  for (const char *p = q + 1; ok && *p; p++) {
    if (*p == '%' && hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0) {
      text[n++] = (char)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
      ok = text[n - 1] != '\0';
      p += 2;
    } else {
      text[n++] = *p;
    }
  }
  if (ok) {
    text[n] = '\0';
    ok = utf8_length(text) >= 0;
  }
  free(text);
  return ok;
}

int req_query_allowed(struct req *r, const char *const *allowed) {
  if (!query_text_ok(r->http->http_url)) {
    reply_field(r, 400, "query", "must be UTF-8 text (percent-encoded) without NUL characters");
    return -1;
  }
  const char **keys = u_map_enum_keys(r->http->map_url);
  for (int i = 0; keys && keys[i]; i++) {
    int ok = 0;
    for (const char *const *a = allowed; *a && !ok; a++)
      ok = strcmp(*a, keys[i]) == 0;
    if (!ok) {
      reply_field(r, 400, keys[i], "is not a known query parameter");
      return -1;
    }
  }
  return 0;
}

int req_query_none(struct req *r) {
  static const char *const none[] = {NULL};
  return req_query_allowed(r, none);
}

int req_query_int(struct req *r, const char *name, long min, long max, long *value, int *present) {
  const char *v = req_query(r, name);
  char *end = NULL;
  char msg[96];
  if (present)
    *present = 0;
  if (v == NULL)
    return 0;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (*v == '\0' || *v == ' ' || *v == '+' || errno || *end != '\0' || n < min || n > max) {
    snprintf(msg, sizeof msg, "must be an integer from %ld to %ld", min, max);
    reply_field(r, 400, name, msg);
    return -1;
  }
  *value = n;
  if (present)
    *present = 1;
  return 0;
}

int req_limit(struct req *r, int *limit) {
  long n = 20;
  if (req_query_int(r, "limit", 1, 100, &n, NULL) != 0)
    return -1;
  *limit = (int)n;
  return 0;
}

int req_query_bool(struct req *r, const char *name, int *value) {
  const char *v = req_query(r, name);
  *value = -1;
  if (v == NULL)
    return 0;
  if (strcmp(v, "true") == 0)
    *value = 1;
  else if (strcmp(v, "false") == 0)
    *value = 0;
  else {
    reply_field(r, 400, name, "must be true or false");
    return -1;
  }
  return 0;
}

int req_query_enum(struct req *r, const char *name, const char *const *choices, const char **value) {
  const char *v = req_query(r, name);
  *value = NULL;
  if (v == NULL)
    return 0;
  for (const char *const *c = choices; *c; c++) {
    if (strcmp(*c, v) == 0) {
      *value = *c;
      return 0;
    }
  }
  char msg[300];
  size_t used = (size_t)snprintf(msg, sizeof msg, "must be one of:");
  for (const char *const *c = choices; *c && used < sizeof msg; c++)
    used += (size_t)snprintf(msg + used, sizeof msg - used, "%s %s", c == choices ? "" : ",", *c);
  reply_field(r, 400, name, msg);
  return -1;
}

int req_query_sort(struct req *r, const char *const *sortable, const char *rule, const char **field, int *desc) {
  const char *s = req_query(r, "sort");
  *field = "seq";
  *desc = s && *s == '-';
  if (s == NULL)
    return 0;
  for (const char *const *c = sortable; *c; c++) {
    if (strcmp(*c, s + *desc) == 0) {
      *field = *c;
      return 0;
    }
  }
  reply_field(r, 400, "sort", rule);
  return -1;
}

json_t *page_new(json_t *items, const char *next_cursor, long long total) {
  json_t *page = json_pack("{s:o, s:s?}", "items", items, "next_cursor", next_cursor);
  if (next_cursor == NULL)
    json_object_set_new(page, "next_cursor", json_null());
  if (total >= 0)
    json_object_set_new(page, "total", json_integer(total));
  return page;
}

/* Every list breaks ties on a bigint sequence: 1 to 18 digits. */
static int valid_seq(const char *s) {
  size_t n = s ? strlen(s) : 0;
  return n >= 1 && n <= 18 && strspn(s, "0123456789") == n;
}

int req_cursor(struct req *r, const char *sort, char **key, char **seq) {
  const char *c = req_query(r, "cursor");
  *key = *seq = NULL;
  if (c == NULL)
    return 0;
  if (cursor_position(c, sort, key, seq) != 0 || !valid_seq(*seq)) {
    free(*key);
    free(*seq);
    *key = *seq = NULL;
    reply_field(r, 400, "cursor", cursor_refused);
    return -1;
  }
  return 0;
}

void reply_page(struct req *r, json_t *items, const char *sort, const char *next_key, const char *next_seq,
                long long total) {
  char *cursor = NULL;
  if (next_key) {
    const char *parts[3] = {sort, next_key, next_seq};
    cursor = cursor_encode(parts, 3);
  }
  json_t *page = page_new(items, cursor, total);
  reply_list_json(r, page);
  json_decref(page);
  free(cursor);
}

/* The page envelope of page_new around items already in JSON text; a cursor
 * is base64url, so it needs no escaping. */
void reply_page_text(struct req *r, const struct db_text *items, const char *sort, const char *next_key,
                     const char *next_seq, long long total) {
  char *cursor = NULL, *body = NULL;
  if (next_key) {
    const char *parts[3] = {sort, next_key, next_seq};
    if ((cursor = cursor_encode(parts, 3)) == NULL)
      goto fail;
  }
  size_t cap = items->len + (cursor ? strlen(cursor) : 0) + 80;
  if ((body = malloc(cap)) == NULL)
    goto fail;
  int n = snprintf(body, cap, "{\"items\":%s,\"next_cursor\":%s%s%s", items->json, cursor ? "\"" : "",
                   cursor ? cursor : "null", cursor ? "\"" : "");
  if (total >= 0)
    n += snprintf(body + n, cap - (size_t)n, ",\"total\":%lld", total);
  body[n++] = '}';
  reply_list_text(r, body, (size_t)n);
  goto out;
fail:
  reply_problem(r, 500, "The server is out of memory; try again shortly.");
out:
  free(body);
  free(cursor);
}

void outcome_set(struct outcome *o, int status, const char *field, const char *detail) {
  o->status = status;
  snprintf(o->field, sizeof o->field, "%s", field ? field : "");
  snprintf(o->detail, sizeof o->detail, "%s", detail ? detail : "");
  o->type = NULL;
}

void outcome_set_type(struct outcome *o, const char *type, const char *detail) {
  const struct problem_type *t = problem_find(type);
  outcome_set(o, t ? t->status : 500, NULL, detail);
  o->type = t ? t->uri : NULL;
}

void reply_outcome(struct req *r, const struct outcome *o) {
  if (o->field[0])
    reply_field(r, o->status, o->field, o->detail);
  else if (o->type)
    reply_problem_type(r, o->type, o->detail[0] ? o->detail : NULL);
  else
    reply_problem(r, o->status, o->detail[0] ? o->detail : NULL);
}
