#include "import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export.h"
#include "http.h"
#include "reply.h"
#include "sheet_in.h"

/* The title row and the header come before the data rows. */
#define IMPORT_MAX_SHEET_ROWS (IMPORT_MAX_ROWS + 2)

static int content_type_is(const struct req *r, const char *type) {
  const char *ct = req_header(r, "Content-Type");
  size_t n = strlen(type);
  if (ct == NULL)
    return 0;
  ct += strspn(ct, " ");
  return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int import_is_sheet(const struct req *r) {
  return content_type_is(r, "text/csv") || content_type_is(r, XLSX_TYPE);
}

int import_dry_run(struct req *r, int *dry_run) {
  int v = -1;
  if (req_query_bool(r, "dry_run", &v) != 0)
    return -1;
  *dry_run = v == 1;
  return 0;
}

static const struct vfield *field_named(const struct vfield *fields, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

/* The header is the first row, or the second when the first is a title: one
 * cell that names no column. */
static size_t header_index(const json_t *rows, const struct vfield *fields, size_t n) {
  const json_t *first = json_object_get(json_array_get(rows, 0), "cells");
  size_t i, filled = 0;
  json_t *c;
  json_array_foreach(first, i, c) {
    filled += json_string_length(c) > 0;
  }
  const char *a = json_string_value(json_array_get(first, 0));
  return filled == 1 && a && field_named(fields, n, a) == NULL && json_array_size(rows) > 1 ? 1 : 0;
}

/* The field of each column (NULL for a read-only one), or -1 after 422. */
static int map_columns(struct req *r, const json_t *header, const struct vfield *fields, size_t n,
                       const struct vfield **columns) {
  json_t *errors = json_array();
  size_t i, j;
  json_t *c;
  json_array_foreach(header, i, c) {
    const char *name = json_string_value(c);
    const struct vfield *f = field_named(fields, n, name);
    columns[i] = f && !(f->flags & V_READONLY) ? f : NULL;
    if (f == NULL)
      errors_add(errors, name[0] ? name : "file", name[0] ? "is not a known column" : "has a column without a name");
    for (j = 0; j < i && f; j++)
      if (strcmp(json_string_value(json_array_get(header, j)), name) == 0)
        errors_add(errors, name, "appears more than once as a column");
  }
  for (j = 0; j < n; j++) {
    int present = 0;
    json_array_foreach(header, i, c) {
      present |= strcmp(json_string_value(c), fields[j].name) == 0;
    }
    if ((fields[j].flags & V_REQUIRED) && !present)
      errors_add(errors, fields[j].name, "is a required column");
  }
  int bad = json_array_size(errors) > 0;
  if (bad)
    reply_invalid(r, 422, errors);
  json_decref(errors);
  return bad ? -1 : 0;
}

static int whole_text(const char *s, const char *end) {
  return end != s && *end == '\0';
}

/* A cell as the field's JSON type; text the field's rule then rejects when it
 * does not read as that type. */
static json_t *typed(const struct vfield *f, const char *s) {
  char *end = NULL;
  errno = 0;
  if (f->type == V_INT) {
    long long v = strtoll(s, &end, 10);
    if (whole_text(s, end) && errno == 0)
      return json_integer(v);
  } else if (f->type == V_NUMBER) {
    if (strpbrk(s, ".eE") == NULL) {
      long long v = strtoll(s, &end, 10);
      if (whole_text(s, end) && errno == 0)
        return json_integer(v);
    }
    double d = strtod(s, &end);
    if (whole_text(s, end) && errno == 0)
      return json_real(d);
  } else if (f->type == V_BOOL) {
    if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
      return json_true();
    if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
      return json_false();
  }
  return json_string(s);
}

/* The cell's text without the ' an export put before =, +, - or @. */
static const char *unquoted(const char *s) {
  return s[0] == '\'' && s[1] && strchr("=+-@", s[1]) ? s + 1 : s;
}

static json_t *row_body(const json_t *cells, const struct vfield **columns, size_t ncolumns) {
  json_t *body = json_object(), *c;
  size_t i;
  json_array_foreach(cells, i, c) {
    const char *text = json_string_value(c);
    /* Cells right of the header belong to no column. */
    if (i < ncolumns && columns[i] && text[0])
      json_object_set_new(body, columns[i]->name, typed(columns[i], unquoted(text)));
  }
  return body;
}

static json_t *read_rows(struct req *r) {
  const struct _u_request *h = r->http;
  const char *error = NULL;
  json_t *rows = NULL;
  if (h->binary_body_length == 0) {
    reply_field(r, 400, "file", "is required: a CSV or XLSX file as the body");
    return NULL;
  }
  int rc = content_type_is(r, "text/csv")
               ? csv_read(h->binary_body, h->binary_body_length, IMPORT_MAX_SHEET_ROWS, &rows, &error)
               : xlsx_read(h->binary_body, h->binary_body_length, IMPORT_MAX_SHEET_ROWS, &rows, &error);
  if (rc != 0 && strcmp(error, "has too many rows") == 0)
    reply_field(r, 413, "file", "has more than 5000 rows");
  else if (rc != 0)
    reply_field(r, 422, "file", error);
  else if (json_array_size(rows) == 0)
    reply_field(r, 422, "file", "has no header row");
  else
    return rows;
  json_decref(rows);
  return NULL;
}

json_t *import_read(struct req *r, const struct vfield *fields, size_t nfields) {
  const struct vfield *columns[SHEET_MAX_COLUMNS] = {0};
  json_t *rows, *out = NULL;
  if (!import_is_sheet(r)) {
    reply_problem(r, 415,
                  "Send the file as text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.");
    return NULL;
  }
  if ((rows = read_rows(r)) == NULL)
    return NULL;
  size_t first = header_index(rows, fields, nfields);
  const json_t *header = json_object_get(json_array_get(rows, first), "cells");
  if (json_array_size(rows) - first - 1 > IMPORT_MAX_ROWS) {
    reply_field(r, 413, "file", "has more than 5000 rows");
    goto out;
  }
  if (map_columns(r, header, fields, nfields, columns) != 0)
    goto out;
  out = json_array();
  for (size_t i = first + 1; i < json_array_size(rows); i++) {
    json_t *row = json_array_get(rows, i);
    json_t *body = row_body(json_object_get(row, "cells"), columns, json_array_size(header));
    json_array_append_new(out, json_pack("{s:O, s:o}", "row", json_object_get(row, "row"), "body", body));
  }
out:
  json_decref(rows);
  return out;
}

int import_replay(struct req *r, const json_t *rows, int dry_run, char hash[65]) {
  json_t *request = json_pack("{s:O, s:b}", "rows", rows, "dry_run", dry_run);
  int replayed = req_idempotent_replay(r, request, hash);
  json_decref(request);
  return replayed;
}

void import_reply(struct req *r, const json_t *items, const char *hash) {
  size_t i, created = 0, failed = 0;
  json_t *item;
  json_array_foreach(items, i, item) {
    json_int_t status = json_integer_value(json_object_get(item, "status"));
    created += status == 201;
    failed += status >= 400;
  }
  json_t *answer =
      json_pack("{s:O, s:I, s:I}", "items", items, "created", (json_int_t)created, "failed", (json_int_t)failed);
  if (hash)
    req_idempotent_keep(r, hash, 200, answer);
  reply_rows(r, 200, answer);
  json_decref(answer);
}
