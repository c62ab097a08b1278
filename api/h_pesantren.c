/* Pesantren: the registry of participating boarding schools. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export_lists.h"
#include "http.h"
#include "reply.h"
#include "repo_pesantren.h"
#include "resource.h"
#include "validate.h"

static const char *const typologies[] = {"salafiyah", "khalafiyah", "terpadu", NULL};

static const char *check_nspp(const json_t *v) {
  const char *s = json_string_value(v);
  if (strlen(s) != 12)
    return "must be exactly 12 digits";
  for (int i = 0; i < 12; i++)
    if (s[i] < '0' || s[i] > '9')
      return "must be exactly 12 digits";
  return NULL;
}

static const char *check_phone(const json_t *v) {
  const char *s = json_string_value(v);
  size_t n = strlen(s);
  if (n < 6 || n > 20 || strspn(s, "0123456789 +-") != n)
    return "must be 6 to 20 characters of digits, spaces, '+' and '-'";
  return NULL;
}

static const char *check_email(const json_t *v) {
  return valid_email(json_string_value(v)) ? NULL : "must be an email address";
}

/* "The current year" is East Java's (WIB, UTC+7): on 1 January a school
 * founded that day is valid from local midnight. */
static const char *check_founded_year(const json_t *v) {
  time_t now = time(NULL) + 7 * 3600;
  struct tm tm;
  gmtime_r(&now, &tm);
  json_int_t y = json_integer_value(v);
  return y < 1700 || y > tm.tm_year + 1900 ? "must be from 1700 to the current year" : NULL;
}

const char *check_region_code(const json_t *v) {
  const char *s = json_string_value(v);
  int n;
  if (strlen(s) != 5 || strncmp(s, "35.", 3) != 0 || s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
    return "is not one of the 38 region codes of Jawa Timur";
  n = (s[3] - '0') * 10 + (s[4] - '0');
  return (n >= 1 && n <= 29) || (n >= 71 && n <= 79) ? NULL : "is not one of the 38 region codes of Jawa Timur";
}

static const struct vfield pesantren_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"nspp", V_STRING, V_REQUIRED, 0, 0, NULL, check_nspp},
    {"name", V_STRING, V_REQUIRED | V_TRIM, 3, 200, NULL, NULL},
    {"region_code", V_STRING, V_REQUIRED, 0, 0, NULL, check_region_code},
    {"address", V_STRING, V_NULLABLE | V_TRIM, 0, 300, NULL, NULL},
    {"district", V_STRING, V_NULLABLE | V_TRIM, 0, 100, NULL, NULL},
    {"village", V_STRING, V_NULLABLE | V_TRIM, 0, 100, NULL, NULL},
    {"leader_name", V_STRING, V_NULLABLE | V_TRIM, 0, 200, NULL, NULL},
    {"phone", V_STRING, V_NULLABLE, 0, 0, NULL, check_phone},
    {"email", V_STRING, V_NULLABLE | V_TRIM, 0, 0, NULL, check_email},
    {"founded_year", V_INT, V_NULLABLE, 0, 0, NULL, check_founded_year},
    {"santri_count", V_INT, V_NULLABLE, 0, 100000, NULL, NULL},
    {"typology", V_ENUM, V_NULLABLE, 0, 0, typologies, NULL},
    {"latitude", V_NUMBER, V_NULLABLE, -9.0, -5.0, NULL, NULL},
    {"longitude", V_NUMBER, V_NULLABLE, 110.5, 116.5, NULL, NULL},
    {"active", V_BOOL, 0, 0, 0, NULL, NULL},
    {"cohort_year", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof pesantren_fields / sizeof pesantren_fields[0])

/* Rules across fields, on a whole document. */
static int pesantren_rules(const json_t *doc, json_t *errors) {
  int has_lat = json_is_number(json_object_get(doc, "latitude"));
  int has_lon = json_is_number(json_object_get(doc, "longitude"));
  if (has_lat != has_lon) {
    errors_add(errors, has_lat ? "longitude" : "latitude", "latitude and longitude must be given together");
    return 1;
  }
  return 0;
}

const struct vfield *pesantren_vfields(size_t *n) {
  *n = NFIELDS;
  return pesantren_fields;
}

int pesantren_check(json_t *doc, json_t *errors) {
  int bad = validate_object(doc, pesantren_fields, NFIELDS, V_CREATE, errors);
  return bad ? bad : pesantren_rules(doc, errors);
}

/* Validates a whole document; 0, or -1 after answering 422. */
static int pesantren_valid(struct req *r, json_t *doc) {
  json_t *errors = json_array();
  int bad = pesantren_check(doc, errors);
  if (bad)
    reply_invalid(r, 422, errors);
  json_decref(errors);
  return bad ? -1 : 0;
}

/* ---- list ---- */

static int parse_sort(struct req *r, struct pesantren_query *pq) {
  static const char *const sortable[] = {"name", "created_at", "santri_count", NULL};
  const char *s = req_query(r, "sort");
  pq->sort = "seq";
  pq->desc = 0;
  if (s == NULL)
    return 0;
  if (*s == '-') {
    pq->desc = 1;
    s++;
  }
  for (const char *const *c = sortable; *c; c++) {
    if (strcmp(*c, s) == 0) {
      pq->sort = *c;
      return 0;
    }
  }
  reply_field(r, 400, "sort", "must be name, created_at or santri_count, with '-' for descending");
  return -1;
}

static int valid_region_filter(const char *code) {
  json_t *v = json_string(code);
  int ok = v != NULL && check_region_code(v) == NULL;
  json_decref(v);
  return ok;
}

static int parse_list_query(struct req *r, struct pesantren_query *pq, int *with_total) {
  static const char *const allowed[] = {"limit",  "cursor", "include_total", "region_code", "cohort_year", "typology",
                                        "active", "q",      "sort",          "format",      NULL};
  long cohort = 0;
  int has_cohort = 0;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &pq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || req_query_bool(r, "active", &pq->active) != 0 ||
      req_query_enum(r, "typology", typologies, &pq->typology) != 0 ||
      req_query_int(r, "cohort_year", 2019, 2100, &cohort, &has_cohort) != 0 || parse_sort(r, pq) != 0)
    return -1;
  pq->region_code = req_query(r, "region_code");
  if (pq->region_code && !valid_region_filter(pq->region_code)) {
    reply_field(r, 400, "region_code", "is not one of the 38 region codes of Jawa Timur");
    return -1;
  }
  pq->q = req_query(r, "q");
  pq->cohort_year = has_cohort ? req_query(r, "cohort_year") : NULL;
  return 0;
}

void h_pesantren_list(struct req *r) {
  struct pesantren_query pq = {0};
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL, sort[32];
  struct db_text items = {0};
  long long total = -1;
  int with_total = 0;
  struct db_conn *db;
  enum export_format format;
  if (parse_list_query(r, &pq, &with_total) != 0 || export_negotiate(r, 0, &format) != 0)
    return;
  if (format != EXPORT_JSON) {
    export_pesantren(r, &pq, format);
    return;
  }
  snprintf(sort, sizeof sort, "%s%s", pq.desc ? "-" : "", pq.sort);
  if (req_cursor(r, sort, &key, &seq) != 0 || (db = req_db(r)) == NULL)
    goto out;
  pq.after_key = key;
  pq.after_seq = seq;
  enum dbq q = repo_pesantren_list(db, &pq, &items, &next_key, &next_seq);
  if (q >= 0 && with_total == 1)
    q = repo_pesantren_count(db, &pq, &total);
  if (q < 0)
    reply_db(r, q);
  else
    reply_page_text(r, &items, sort, next_key, next_seq, total);
out:
  free(key);
  free(seq);
  free(next_key);
  free(next_seq);
  db_text_clear(&items);
}

/* ---- one ---- */

/* Reads pass the database's document through unparsed: the busiest path. */
void h_pesantren_get(struct req *r) {
  struct db_text doc = {0};
  const char *id = req_uuid_var(r, 0);
  struct db_conn *db;
  if (id == NULL || (db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_pesantren_get_text(db, id, &doc);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No pesantren has this id.");
  else if (!req_not_modified_version(r, doc.version))
    reply_resource_text(r, 200, &doc);
  db_text_clear(&doc);
}

static enum dbq create_pesantren(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  (void)fail;
  return repo_pesantren_create(conn, arg, doc);
}

void h_pesantren_create(struct req *r) {
  json_t *body = req_json_body(r);
  if (body == NULL)
    return;
  if (pesantren_valid(r, body) == 0)
    api_create(r, body, "/v1/pesantren", create_pesantren, body);
  json_decref(body);
}

/* ---- change ---- */

/* Operators may only touch their own pesantren. */
static int may_edit(struct req *r, const char *id) {
  if (r->caller.role == ROLE_ADMIN)
    return 1;
  if (r->caller.role == ROLE_OPERATOR && strcmp(r->caller.pesantren_id, id) == 0)
    return 1;
  reply_problem(r, 403, "You may only change your own pesantren.");
  return 0;
}

static const struct patch_spec pesantren_patch = {
    "pesantren", pesantren_fields, NFIELDS, pesantren_rules, repo_pesantren_lock, repo_pesantren_update, NULL, NULL,
};

void h_pesantren_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id && may_edit(r, id))
    api_patch(r, id, &pesantren_patch);
}

struct delete_tx {
  struct req *r;
  const char *id;
  struct outcome fail;
};

static enum dbq delete_body(struct db_conn *conn, void *arg) {
  struct delete_tx *t = arg;
  json_t *current = NULL;
  enum dbq q = repo_pesantren_lock(conn, t->id, &current);
  if (q == DBQ_NONE) {
    outcome_set(&t->fail, 404, NULL, "No pesantren has this id.");
    return DBQ_ROLLBACK;
  }
  if (q < 0)
    return q;
  long long version = json_integer_value(json_object_get(current, "version"));
  json_decref(current);
  if (req_if_match_ok(t->r, version) != 0) {
    outcome_set(&t->fail, 412, NULL, "The pesantren has changed since you read it (If-Match).");
    return DBQ_ROLLBACK;
  }
  q = repo_pesantren_delete(conn, t->id);
  if (q < 0 && strcmp(db_last_error(conn)->sqlstate, "23503") == 0) {
    outcome_set(&t->fail, 409, NULL,
                "The pesantren has enrolments, measurements or other records; deactivate it with "
                "\"active\": false instead.");
    return DBQ_ROLLBACK;
  }
  return q;
}

void h_pesantren_delete(struct req *r) {
  struct delete_tx t = {.r = r, .id = req_uuid_var(r, 0)};
  struct db_conn *db;
  if (t.id == NULL || (db = req_db(r)) == NULL)
    return;
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, delete_body, &t);
  if (q == DBQ_ROLLBACK)
    reply_outcome(r, &t.fail);
  else if (q < 0)
    reply_db(r, q);
  else
    reply_empty(r, 204);
}
