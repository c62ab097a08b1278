#include "list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

#define MAX_FILTERS 16
#define SQL_MAX 4096

struct sqlbuf {
  char text[SQL_MAX];
  size_t len;
  int nparams;
  int overflow;
};

static void add(struct sqlbuf *b, const char *s) {
  size_t n = strlen(s);
  if (b->len + n + 1 > sizeof b->text) {
    b->overflow = 1;
    return;
  }
  memcpy(b->text + b->len, s, n + 1);
  b->len += n;
}

/* Appends fragment with each "$?" numbered from the next parameter. */
static void add_numbered(struct sqlbuf *b, const char *fragment) {
  const char *p = fragment;
  while (*p) {
    const char *q = strstr(p, "$?");
    if (q == NULL) {
      add(b, p);
      return;
    }
    char num[16];
    char part[SQL_MAX];
    size_t n = (size_t)(q - p) < sizeof part ? (size_t)(q - p) : sizeof part - 1;
    memcpy(part, p, n);
    part[n] = '\0';
    add(b, part);
    snprintf(num, sizeof num, "$%d", ++b->nparams);
    add(b, num);
    p = q + 2;
  }
}

static int count_marks(const char *s) {
  int n = 0;
  for (const char *q = strstr(s, "$?"); q; q = strstr(q + 2, "$?"))
    n++;
  return n;
}

static void add_where(struct sqlbuf *b, const struct list_filter *filters, int nfilters, const char **vals,
                      int *nvals) {
  for (int i = 0; i < nfilters; i++) {
    add(b, i == 0 ? " WHERE (" : " AND (");
    add_numbered(b, filters[i].sql);
    add(b, ")");
    for (int k = count_marks(filters[i].sql); k > 0; k--)
      vals[(*nvals)++] = filters[i].value;
  }
}

/* A statement name unique to the SQL text: FNV-1a over it. */
static void stmt_name(char *out, size_t len, const char *prefix, const char *sql) {
  unsigned long long h = 1469598103934665603ULL;
  for (const char *p = sql; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ULL;
  snprintf(out, len, "%s_%016llx", prefix, h);
}

/* A cursor is client input: a key that does not read as the sort's type is a
 * data exception, tagged so the HTTP layer answers 400 on "cursor". */
static enum dbq list_failure(struct db_conn *conn, int with_cursor) {
  const struct db_error *e = db_last_error(conn);
  if (with_cursor && strncmp(e->sqlstate, "22", 2) == 0) {
    struct db_error tagged = *e;
    snprintf(tagged.constraint, sizeof tagged.constraint, "%s", DB_LIST_CURSOR);
    db_restore_error(conn, &tagged);
  }
  return db_failure(conn);
}

/* Runs the page query: at most limit + 1 rows of (document, list_key,
 * list_seq). The result (caller PQclears), or NULL with *q set. */
static PGresult *list_page(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters,
                           int nfilters, const char *after_key, const char *after_seq, int limit, enum dbq *q) {
  struct sqlbuf b = {0};
  const char *vals[MAX_FILTERS * 2 + 3];
  int nvals = 0;
  char frag[SQL_MAX], limit_text[16], name[128];
  *q = DBQ_HARD;
  if (nfilters > MAX_FILTERS)
    return NULL;
  /* The resource's select with the sort key and sequence added to its columns. */
  const char *from = strstr(spec->from, " FROM ");
  if (from == NULL)
    return NULL;
  snprintf(frag, sizeof frag, "%.*s, (%s)::text AS list_key, %s AS list_seq", (int)(from - spec->from), spec->from,
           spec->sort_key, spec->seq);
  add(&b, frag);
  add(&b, from);
  add_where(&b, filters, nfilters, vals, &nvals);
  if (after_key) {
    snprintf(frag, sizeof frag, "%s ((%s), %s) %s ($?::%s, $?::bigint)", nfilters ? " AND" : " WHERE", spec->sort_key,
             spec->seq, spec->desc ? "<" : ">", spec->sort_type);
    add_numbered(&b, frag);
    vals[nvals++] = after_key;
    vals[nvals++] = after_seq;
  }
  snprintf(frag, sizeof frag, " ORDER BY (%s) %s, %s %s LIMIT $?", spec->sort_key, spec->desc ? "DESC" : "ASC",
           spec->seq, spec->desc ? "DESC" : "ASC");
  add_numbered(&b, frag);
  snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
  vals[nvals++] = limit_text;
  if (b.overflow)
    return NULL;
  stmt_name(name, sizeof name, spec->name, b.text);
  struct db_stmt stmt = {name, b.text, b.nparams};
  PGresult *res = db_exec(conn, &stmt, vals);
  if (res == NULL)
    *q = list_failure(conn, after_key != NULL);
  return res;
}

/* The cursor of the next page, from the last row shown, when more rows follow. */
static void list_next(const PGresult *res, int limit, char **next_key, char **next_seq) {
  int cols = PQnfields(res);
  if (PQntuples(res) > limit) {
    *next_key = strdup(PQgetvalue(res, limit - 1, cols - 2));
    *next_seq = strdup(PQgetvalue(res, limit - 1, cols - 1));
  }
}

enum dbq db_list(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters, int nfilters,
                 const char *after_key, const char *after_seq, int limit, json_t **items, char **next_key,
                 char **next_seq) {
  enum dbq q;
  *items = NULL;
  *next_key = *next_seq = NULL;
  PGresult *res = list_page(conn, spec, filters, nfilters, after_key, after_seq, limit, &q);
  if (res == NULL)
    return q;
  int rows = PQntuples(res);
  *items = json_array();
  for (int i = 0; i < rows && i < limit; i++)
    json_array_append_new(*items, json_loadb(PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0), 0, NULL));
  list_next(res, limit, next_key, next_seq);
  PQclear(res);
  return DBQ_ONE;
}

enum dbq db_list_text(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters,
                      int nfilters, const char *after_key, const char *after_seq, int limit, struct db_text *items,
                      char **next_key, char **next_seq) {
  enum dbq q;
  memset(items, 0, sizeof *items);
  *next_key = *next_seq = NULL;
  PGresult *res = list_page(conn, spec, filters, nfilters, after_key, after_seq, limit, &q);
  if (res == NULL)
    return q;
  int shown = PQntuples(res) < limit ? PQntuples(res) : limit;
  size_t len = 2;
  for (int i = 0; i < shown; i++)
    len += (size_t)PQgetlength(res, i, 0) + 1;
  char *json = malloc(len + 1), *p = json;
  if (json == NULL) {
    const struct db_error oom = {"XX000", "", "db_list_text: out of memory"};
    PQclear(res);
    db_restore_error(conn, &oom);
    return DBQ_HARD;
  }
  *p++ = '[';
  for (int i = 0; i < shown; i++) {
    size_t n = (size_t)PQgetlength(res, i, 0);
    if (i > 0)
      *p++ = ',';
    memcpy(p, PQgetvalue(res, i, 0), n);
    p += n;
  }
  *p++ = ']';
  *p = '\0';
  items->json = json;
  items->len = (size_t)(p - json);
  list_next(res, limit, next_key, next_seq);
  PQclear(res);
  return DBQ_ONE;
}

enum dbq db_list_count(struct db_conn *conn, const struct list_spec *spec, const struct list_filter *filters,
                       int nfilters, long long *total) {
  struct sqlbuf b = {0};
  const char *vals[MAX_FILTERS * 2];
  int nvals = 0;
  char name[128];
  const char *from = strstr(spec->from, " FROM ");
  if (from == NULL || nfilters > MAX_FILTERS)
    return DBQ_HARD;
  add(&b, "SELECT count(*)");
  add(&b, from);
  add_where(&b, filters, nfilters, vals, &nvals);
  if (b.overflow)
    return DBQ_HARD;
  stmt_name(name, sizeof name, spec->name, b.text);
  struct db_stmt stmt = {name, b.text, b.nparams};
  PGresult *res = db_exec(conn, &stmt, vals);
  if (res == NULL)
    return db_failure(conn);
  *total = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);
  return DBQ_ONE;
}
