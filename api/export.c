#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "csv.h"
#include "reply.h"
#include "xlsx_out.h"

#define STREAM_BLOCK (64 * 1024)
#define WIB_OFFSET (7 * 3600)

/* ---- content negotiation ---- */

/* How well an Accept header takes type/subtype: the q of the most specific
 * media range matching it (3 exact, 2 type/wildcard, 1 any), as RFC 9110
 * 12.5.1 says; q 0 and specificity 0 when none matches. */
struct acceptance {
  double q;
  int specificity;
};

static double range_q(const char *params, size_t n) {
  const char *p = params;
  while (p < params + n) {
    while (p < params + n && (*p == ';' || *p == ' ' || *p == '\t'))
      p++;
    if (params + n - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      char *end = NULL;
      double q = strtod(p + 2, &end);
      if (end == p + 2 || q < 0 || q > 1)
        return 1;
      return q;
    }
    while (p < params + n && *p != ';')
      p++;
  }
  return 1;
}

static int range_specificity(const char *range, size_t n, const char *type, const char *subtype) {
  size_t tn = strlen(type), sn = strlen(subtype);
  if (n == 3 && strncmp(range, "*/*", 3) == 0)
    return 1;
  if (n < tn + 2 || strncasecmp(range, type, tn) != 0 || range[tn] != '/')
    return 0;
  if (n == tn + 2 && range[tn + 1] == '*')
    return 2;
  return n == tn + 1 + sn && strncasecmp(range + tn + 1, subtype, sn) == 0 ? 3 : 0;
}

static struct acceptance accept_of(const char *accept, const char *type, const char *subtype) {
  struct acceptance best = {0, 0};
  const char *p = accept;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    size_t len = strcspn(p, ",");
    size_t range_len = strcspn(p, ";, \t");
    if (range_len > len)
      range_len = len;
    int s = range_specificity(p, range_len, type, subtype);
    if (s > best.specificity) {
      best.specificity = s;
      best.q = range_q(p + range_len, len - range_len);
    } else if (s > 0 && s == best.specificity) {
      double q = range_q(p + range_len, len - range_len);
      best.q = q > best.q ? q : best.q;
    }
    p += len;
  }
  if (best.specificity == 0)
    best.q = 0;
  return best;
}

static int better(struct acceptance a, struct acceptance b) {
  return a.q > b.q || (a.q == b.q && a.specificity > b.specificity);
}

static int format_param(struct req *r, const char *v, enum export_format *format) {
  static const char *const names[] = {"json", "csv", "xlsx"};
  for (int i = 0; i < 3; i++) {
    if (strcmp(v, names[i]) == 0) {
      *format = (enum export_format)i;
      return 0;
    }
  }
  reply_field(r, 400, "format", "must be one of: json, csv, xlsx");
  return -1;
}

/* Adds Accept to Vary, keeping what is there (Origin, from CORS). */
static void add_vary_accept(struct req *r) {
  const char *vary = u_map_get_case(r->res->map_header, "Vary");
  char both[128];
  if (vary == NULL || vary[0] == '\0') {
    reply_header(r, "Vary", "Accept");
    return;
  }
  snprintf(both, sizeof both, "%s, Accept", vary);
  reply_header(r, "Vary", both);
}

int export_negotiate(struct req *r, int strict, enum export_format *format) {
  const char *accept = req_header(r, "Accept"), *param = req_query(r, "format");
  *format = EXPORT_JSON;
  add_vary_accept(r);
  if (param)
    return format_param(r, param, format);
  if (accept == NULL || accept[strspn(accept, " \t")] == '\0')
    return 0;
  struct acceptance json = accept_of(accept, "application", "json");
  struct acceptance csv = accept_of(accept, "text", "csv");
  struct acceptance xlsx = accept_of(accept, "application", XLSX_TYPE + strlen("application/"));
  if (json.q <= 0 && csv.q <= 0 && xlsx.q <= 0) {
    if (!strict)
      return 0;
    reply_problem(r, 406,
                  "Available as application/json, text/csv and "
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.");
    return -1;
  }
  if (better(csv, json) && !better(xlsx, csv))
    *format = EXPORT_CSV;
  else if (better(xlsx, json) && better(xlsx, csv))
    *format = EXPORT_XLSX;
  return 0;
}

/* ---- the file ---- */

struct sink {
  enum export_format format;
  FILE *csv;
  int header_written;
  struct xlsx_out *xlsx;
  char path[256];
  json_t *names;
};

/* "Achievement (year=2024, include_unverified=false), made 2026-01-05 09:30 WIB" */
static void title_of(const struct export_sheet *s, char *out, size_t len) {
  time_t now = time(NULL) + WIB_OFFSET;
  struct tm tm;
  char made[32];
  const char *key;
  json_t *v;
  gmtime_r(&now, &tm);
  strftime(made, sizeof made, "%Y-%m-%d %H:%M", &tm);
  size_t used = (size_t)snprintf(out, len, "%s (", s->title);
  int first = 1;
  json_object_foreach((json_t *)s->filters, key, v) {
    if (json_is_null(v) || used >= len)
      continue;
    char *text = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
    used += (size_t)snprintf(out + used, len - used, "%s%s=%s", first ? "" : ", ", key, text ? text : "");
    free(text);
    first = 0;
  }
  if (used < len)
    snprintf(out + used, len - used, "%s), made %s WIB", first ? "all" : "", made);
}

static int sink_open(struct sink *k, const struct export_sheet *s, enum export_format format) {
  char title[1024];
  k->format = format;
  if (format == EXPORT_CSV) {
    k->csv = tmpfile();
    k->names = json_array();
    for (const char *const *c = s->columns; *c; c++)
      json_array_append_new(k->names, json_string(*c));
    return k->csv ? 0 : -1;
  }
  const char *dir = getenv("TMPDIR");
  snprintf(k->path, sizeof k->path, "%s/opop-export-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(k->path);
  if (fd < 0) {
    k->path[0] = '\0';
    return -1;
  }
  close(fd);
  if (s->title)
    title_of(s, title, sizeof title);
  k->xlsx = xlsx_out_open(k->path, s->name, s->title ? title : NULL, s->columns);
  return k->xlsx ? 0 : -1;
}

/* Numbers with a fraction as JSON writes them (15 significant digits), so a
 * CSV cell reads as the JSON value does. */
static void csv_numbers_as_text(json_t *items, const json_t *names) {
  size_t i, j;
  json_t *row, *name;
  json_array_foreach(items, i, row) {
    json_array_foreach(names, j, name) {
      json_t *v = json_object_get(row, json_string_value(name));
      if (json_is_real(v)) {
        char text[40];
        snprintf(text, sizeof text, "%.15g", json_real_value(v));
        json_object_set_new(row, json_string_value(name), json_string(text));
      }
    }
  }
}

/* Appends the CSV of items; the header line only the first time. */
static int sink_csv_rows(struct sink *k, json_t *items) {
  size_t len = 0;
  csv_numbers_as_text(items, k->names);
  char *text = csv_render(k->names, items, &len), *from = text;
  if (text == NULL)
    return -1;
  if (k->header_written)
    from = strchr(text, '\n') + 1;
  k->header_written = 1;
  size_t n = len - (size_t)(from - text);
  int rc = fwrite(from, 1, n, k->csv) == n ? 0 : -1;
  free(text);
  return rc;
}

static int sink_rows(struct sink *k, json_t *items) {
  size_t i;
  json_t *row;
  if (k->format == EXPORT_CSV)
    return sink_csv_rows(k, items);
  json_array_foreach(items, i, row) {
    if (xlsx_out_row(k->xlsx, row) != 0)
      return -1;
  }
  return 0;
}

/* The finished file, open for reading at its start (caller closes), or NULL. */
static FILE *sink_close(struct sink *k, long *size) {
  FILE *f = NULL;
  if (k->format == EXPORT_CSV) {
    f = k->csv;
    k->csv = NULL;
  } else if (xlsx_out_close(k->xlsx) == 0) {
    f = fopen(k->path, "rb");
  }
  k->xlsx = NULL;
  if (f && (fseek(f, 0, SEEK_END) != 0 || (*size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)) {
    fclose(f);
    f = NULL;
  }
  return f;
}

static void sink_clear(struct sink *k) {
  if (k->csv)
    fclose(k->csv);
  xlsx_out_close(k->xlsx);
  if (k->path[0])
    unlink(k->path);
  json_decref(k->names);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  size_t n = fread(buf, 1, max, cls);
  if (n == 0)
    return ferror((FILE *)cls) ? U_STREAM_ERROR : U_STREAM_END;
  return (ssize_t)n;
}

static void stream_free(void *cls) {
  fclose(cls);
}

static void reply_file(struct req *r, const struct export_sheet *s, struct sink *k) {
  long size = 0;
  FILE *f = sink_close(k, &size);
  char year[16], disposition[128];
  if (f == NULL) {
    y_log_message(Y_LOG_LEVEL_ERROR, "export: cannot write the %s file [%s]", s->name, r->request_id);
    reply_problem(r, 500, "The file could not be written; it has been logged.");
    return;
  }
  time_t now = time(NULL) + WIB_OFFSET;
  struct tm tm;
  gmtime_r(&now, &tm);
  snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
  snprintf(disposition, sizeof disposition, "attachment; filename=\"%s%s%s.%s\"", s->name, s->title ? "-" : "",
           s->title ? (s->year ? s->year : year) : "", k->format == EXPORT_CSV ? "csv" : "xlsx");
  r->status = 200;
  ulfius_set_stream_response(r->res, 200, stream_read, stream_free, (uint64_t)size, STREAM_BLOCK, f);
  reply_header(r, "Content-Type", k->format == EXPORT_CSV ? "text/csv; charset=utf-8" : XLSX_TYPE);
  reply_header(r, "Content-Disposition", disposition);
}

void export_items(struct req *r, const struct export_sheet *s, enum export_format format, const json_t *items) {
  struct sink k = {0};
  json_t *copy = json_deep_copy(items);
  if (copy == NULL || sink_open(&k, s, format) != 0 || sink_rows(&k, copy) != 0)
    reply_problem(r, 500, "The file could not be written.");
  else
    reply_file(r, s, &k);
  json_decref(copy);
  sink_clear(&k);
}

void export_list(struct req *r, const struct export_sheet *s, enum export_format format, export_page_fn page,
                 const void *query) {
  struct sink k = {0};
  char *key = NULL, *seq = NULL;
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return;
  if (sink_open(&k, s, format) != 0) {
    reply_problem(r, 500, "The file could not be written.");
    goto out;
  }
  do {
    json_t *items = NULL;
    char *next_key = NULL, *next_seq = NULL;
    enum dbq q = page(db, query, key, seq, &items, &next_key, &next_seq);
    free(key);
    free(seq);
    key = next_key;
    seq = next_seq;
    int written = q >= 0 ? sink_rows(&k, items) : -1;
    json_decref(items);
    if (q < 0) {
      reply_db(r, q);
      goto out;
    }
    if (written != 0) {
      reply_problem(r, 500, "The file could not be written.");
      goto out;
    }
  } while (key);
  reply_file(r, s, &k);
out:
  free(key);
  free(seq);
  sink_clear(&k);
}
