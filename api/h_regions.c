#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "http.h"
#include "list_etag.h"
#include "reply.h"
#include "repo_regions.h"
#include "rules.h"

/* The 38 regions are read once per request and paged here: the cursor is
 * the position of the last code answered, in every list's format (the code
 * is unique, so its sequence part is a constant). */
#define REGIONS_SORT "code"
#define REGIONS_SEQ "1"

static void reply_regions_page(struct req *r, json_t *all, const char *after, const char *kind, int limit,
                               int with_total) {
  json_t *items = json_array();
  const char *next = NULL;
  long long total = 0;
  size_t i;
  json_t *region;
  json_array_foreach(all, i, region) {
    const char *code = json_string_value(json_object_get(region, "code"));
    if (kind && strcmp(kind, json_string_value(json_object_get(region, "kind"))) != 0)
      continue;
    total++;
    if (after && strcmp(code, after) <= 0)
      continue;
    if ((int)json_array_size(items) == limit) {
      next = json_string_value(json_object_get(json_array_get(items, (size_t)limit - 1), "code"));
      continue;
    }
    json_array_append(items, region);
  }
  reply_page(r, items, REGIONS_SORT, next, REGIONS_SEQ, with_total ? total : -1);
}

void h_regions_list(struct req *r) {
  static const char *const allowed[] = {"limit", "cursor", "include_total", "kind", NULL};
  static const char *const kinds[] = {"kabupaten", "kota", NULL};
  json_t *all = NULL;
  char *after = NULL, *seq = NULL;
  const char *kind = NULL;
  int limit = 20, with_total = 0;
  struct db_conn *db;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &limit) != 0 ||
      req_query_bool(r, "include_total", &with_total) != 0 || req_query_enum(r, "kind", kinds, &kind) != 0)
    return;
  if (req_cursor(r, REGIONS_SORT, &after, &seq) != 0)
    return;
  if (after && !region_code_valid(after)) {
    reply_field(r, 400, "cursor", cursor_refused);
    goto out;
  }
  if ((db = req_db(r)) == NULL)
    goto out;
  enum dbq q = repo_regions_list(db, &all);
  if (q < 0) {
    reply_db(r, q);
    goto out;
  }
  reply_regions_page(r, all, after, kind, limit, with_total == 1);
out:
  free(after);
  free(seq);
  json_decref(all);
}

void h_regions_get(struct req *r) {
  json_t *region = NULL;
  struct db_conn *db;
  if ((db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_regions_get(db, r->vars[0], &region);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No region has this code.");
  else if (!req_not_modified(r, region))
    reply_resource(r, 200, region);
  json_decref(region);
}
