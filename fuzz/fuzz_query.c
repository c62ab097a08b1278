/* libFuzzer target: a query string as a client sends it ("a=1&b=x"), split
 * into parameters as the HTTP layer does, through every query helper a list
 * handler uses: allowed names, limit, integers, booleans, choices, sort,
 * cursor, uuid, period and region filters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_req.h"
#include "http.h"
#include "period.h"
#include "rules.h"

static void put_params(struct _u_map *map, char *query) {
  char *save = NULL;
  for (char *pair = strtok_r(query, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(pair, '=');
    if (eq)
      *eq = '\0';
    u_map_put(map, pair, eq ? eq + 1 : "");
  }
}

static void run_helpers(struct req *r) {
  static const char *const allowed[] = {"limit",  "cursor", "include_total", "sort",        "year",
                                        "status", "id",     "period",        "region_code", NULL};
  static const char *const statuses[] = {"draft", "submitted", "verified", "rejected", NULL};
  static const char *const sortable[] = {"name", "created_at", NULL};
  long n;
  int present, flag, limit, desc;
  const char *s, *field;
  char *key = NULL, *seq = NULL;
  struct period p;
  req_query_allowed(r, allowed);
  req_limit(r, &limit);
  req_query_int(r, "year", 2000, 2100, &n, &present);
  req_query_bool(r, "include_total", &flag);
  req_query_enum(r, "status", statuses, &s);
  if (req_query_sort(r, sortable, "must be name or created_at", &field, &desc) == 0 &&
      req_cursor(r, desc ? "-name" : "name", &key, &seq) == 0) {
    free(key);
    free(seq);
  }
  rules_query_uuid(r, "id", &s);
  rules_query_period(r, "period", &s, &p);
  rules_query_region(r, "region_code", &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fake_req f;
  char *query = fake_text(data, size);
  if (query && fake_req_init(&f) == 0) {
    put_params(f.http.map_url, query);
    run_helpers(&f.r);
    fake_req_free(&f);
  }
  free(query);
  return 0;
}
