/* Products: what a pesantren makes and sells, with its certifications. One
 * product lives at /v1/pesantren/{id}/products/{product_id} (the Location of a
 * created product) and, for catalogue clients that only hold its id, at
 * /v1/products/{product_id}. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export_lists.h"
#include "http.h"
#include "reply.h"
#include "repo_pesantren.h"
#include "repo_products.h"
#include "resource.h"
#include "rules.h"
#include "validate.h"

#define MAX_CERTIFICATIONS 50

static const char *const categories[] = {"food",      "beverage", "fashion",  "craft", "agriculture",
                                         "livestock", "fishery",  "services", "other", NULL};
static const char *const cert_types[] = {"halal", "pirt", "bpom", "merek", "sni", "haccp", "nib", NULL};

static const char *check_not_negative(const json_t *v) {
  return json_integer_value(v) < 0 ? "must be a whole number, 0 or more" : NULL;
}

static const struct vfield product_fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"pesantren_id", V_UUID, V_READONLY, 0, 0, NULL, NULL},
    {"region_code", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"name", V_STRING, V_REQUIRED | V_TRIM, 1, 200, NULL, NULL},
    {"category", V_ENUM, V_NULLABLE, 0, 0, categories, NULL},
    {"description", V_STRING, V_NULLABLE | V_TRIM, 0, 5000, NULL, NULL},
    {"price_idr", V_INT, V_NULLABLE, 0, 0, NULL, check_not_negative},
    {"unit", V_STRING, V_NULLABLE | V_TRIM, 0, 50, NULL, NULL},
    {"monthly_capacity", V_INT, V_NULLABLE, 0, 0, NULL, check_not_negative},
    {"certifications", V_ARRAY, V_NULLABLE, 0, 0, NULL, NULL},
    {"version", V_INT, V_READONLY, 0, 0, NULL, NULL},
    {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
    {"updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL},
};
#define NFIELDS (sizeof product_fields / sizeof product_fields[0])

/* "expired" is computed on every read; a client echoing it back is harmless,
 * so it is accepted and dropped. */
static const struct vfield cert_fields[] = {
    {"type", V_ENUM, V_REQUIRED, 0, 0, cert_types, NULL}, {"number", V_STRING, V_REQUIRED | V_TRIM, 1, 100, NULL, NULL},
    {"issued_on", V_DATE, V_NULLABLE, 0, 0, NULL, NULL},  {"expires_on", V_DATE, V_NULLABLE, 0, 0, NULL, NULL},
    {"expired", V_BOOL, V_NULLABLE, 0, 0, NULL, NULL},
};
#define NCERT_FIELDS (sizeof cert_fields / sizeof cert_fields[0])

/* Checks certification i: the number of errors added (named "certifications[i].field"). */
static int cert_valid(json_t *cert, size_t i, json_t *errors) {
  char prefix[40], field[64];
  snprintf(prefix, sizeof prefix, "certifications[%zu]", i);
  if (!json_is_object(cert)) {
    errors_add(errors, prefix, "must be an object");
    return 1;
  }
  int bad = validate_object_at(cert, cert_fields, NCERT_FIELDS, V_CREATE, prefix, errors);
  const char *issued = json_string_value(json_object_get(cert, "issued_on"));
  const char *expires = json_string_value(json_object_get(cert, "expires_on"));
  /* Both are YYYY-MM-DD once valid, so text order is date order. */
  if (bad == 0 && issued && expires && strcmp(expires, issued) <= 0) {
    snprintf(field, sizeof field, "%s.expires_on", prefix);
    errors_add(errors, field, "must be after issued_on");
    bad++;
  }
  return bad;
}

/* Rules inside the certifications list, on a whole document. */
static int product_rules(const json_t *doc, json_t *errors) {
  json_t *certs = json_object_get(doc, "certifications"), *cert;
  size_t i;
  int bad = 0;
  if (!json_is_array(certs))
    return 0;
  if (json_array_size(certs) > MAX_CERTIFICATIONS) {
    errors_add(errors, "certifications", "must list at most 50 certifications");
    return 1;
  }
  json_array_foreach(certs, i, cert) bad += cert_valid(cert, i, errors);
  return bad;
}

/* Validates a whole new document: 0, or -1 after answering 422 with every bad field. */
static int product_valid(struct req *r, json_t *doc) {
  json_t *errors = json_array();
  int bad = validate_object(doc, product_fields, NFIELDS, V_CREATE, errors);
  bad += product_rules(doc, errors);
  if (bad)
    reply_invalid(r, 422, errors);
  json_decref(errors);
  return bad ? -1 : 0;
}

/* Admins change any pesantren's products; operators only their own pesantren's.
 * Ids compare without case: a path may spell a UUID in capitals. */
static int may_write(const struct req *r, const char *pesantren_id) {
  return r->caller.role == ROLE_ADMIN ||
         (r->caller.role == ROLE_OPERATOR && strcasecmp(r->caller.pesantren_id, pesantren_id) == 0);
}

/* The product ids of the path: nested routes carry the pesantren first. 0, or
 * -1 after answering 404 for a malformed id. *pesantren_id is NULL on the flat route. */
static int product_path(struct req *r, const char **pesantren_id, const char **product_id) {
  *pesantren_id = NULL;
  if (r->vars[1] != NULL && (*pesantren_id = req_uuid_var(r, 0)) == NULL)
    return -1;
  *product_id = req_uuid_var(r, r->vars[1] != NULL ? 1 : 0);
  return *product_id ? 0 : -1;
}

/* Whether the caller may change the stored product current, reached through
 * this request's path: 0, or -1 with *fail set (404 when the nested path names
 * another pesantren, 403 for another pesantren's operator). */
static int product_allowed(struct req *r, const json_t *current, struct outcome *fail) {
  const char *owner = json_string_value(json_object_get(current, "pesantren_id"));
  if (r->vars[1] != NULL && strcasecmp(r->vars[0], owner) != 0) {
    outcome_set(fail, 404, NULL, "This pesantren has no product with this id.");
    return -1;
  }
  if (!may_write(r, owner)) {
    outcome_set(fail, 403, NULL, "You may only change the products of your own pesantren.");
    return -1;
  }
  return 0;
}

/* Checks the caller's right before reading a body, so another pesantren's
 * operator learns 403 whatever it sent. 0, or -1 after answering. */
static int precheck_write(struct req *r, const char *pesantren_id, const char *product_id) {
  json_t *doc = NULL;
  struct outcome fail = {0};
  struct db_conn *db;
  int rc = -1;
  if (r->caller.role == ROLE_ADMIN)
    return 0;
  if ((db = req_db(r)) == NULL)
    return -1;
  enum dbq q = repo_products_get(db, product_id, pesantren_id, &doc);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No product has this id.");
  else if (product_allowed(r, doc, &fail) != 0)
    reply_outcome(r, &fail);
  else
    rc = 0;
  json_decref(doc);
  return rc;
}

/* ---- lists ---- */

static int parse_list_query(struct req *r, int catalogue, struct products_query *pq, int *with_total) {
  static const char *const allowed_all[] = {"limit", "cursor",      "include_total", "category", "certification",
                                            "q",     "region_code", "pesantren_id",  "format",   NULL};
  static const char *const allowed_one[] = {"limit",         "cursor", "include_total", "category",
                                            "certification", "q",      "format",        NULL};
  if (req_query_allowed(r, catalogue ? allowed_all : allowed_one) != 0 || req_limit(r, &pq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 ||
      req_query_enum(r, "category", categories, &pq->category) != 0 ||
      req_query_enum(r, "certification", cert_types, &pq->certification) != 0)
    return -1;
  pq->q = req_query(r, "q");
  if (pq->q && utf8_length(pq->q) < 0) {
    reply_field(r, 400, "q", "must be UTF-8 text");
    return -1;
  }
  if (!catalogue)
    return 0;
  pq->pesantren_id = req_query(r, "pesantren_id");
  if (rules_query_region(r, "region_code", &pq->region_code) != 0)
    return -1;
  if (pq->pesantren_id && !valid_uuid(pq->pesantren_id)) {
    reply_field(r, 400, "pesantren_id", "must be a UUID");
    return -1;
  }
  return 0;
}

/* Answers a page of pq; the pesantren list has already checked its pesantren. */
API_LIST_CALL(products_list, repo_products_list, repo_products_count);

static void reply_products_page(struct req *r, struct products_query *pq, int with_total) {
  struct list_args a = {pq, &pq->after_key, &pq->after_seq, "seq", with_total};
  enum export_format format;
  if (export_negotiate(r, 0, &format) != 0)
    return;
  if (format != EXPORT_JSON)
    export_products(r, pq, format);
  else
    api_list(r, &products_list, &a);
}

void h_products_list(struct req *r) {
  struct products_query pq = {0};
  int with_total = 0;
  if (parse_list_query(r, 1, &pq, &with_total) == 0)
    reply_products_page(r, &pq, with_total);
}

void h_pesantren_products_list(struct req *r) {
  struct products_query pq = {0};
  int with_total = 0;
  if ((pq.pesantren_id = req_uuid_var(r, 0)) != NULL && parse_list_query(r, 0, &pq, &with_total) == 0 &&
      rules_pesantren_found(r, pq.pesantren_id) == 0)
    reply_products_page(r, &pq, with_total);
}

/* ---- one ---- */

void h_products_get(struct req *r) {
  const char *pesantren_id, *id;
  json_t *doc = NULL;
  struct db_conn *db;
  if (product_path(r, &pesantren_id, &id) != 0 || (db = req_db(r)) == NULL)
    return;
  enum dbq q = repo_products_get(db, id, pesantren_id, &doc);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No product has this id.");
  else if (!req_not_modified(r, doc))
    reply_resource(r, 200, doc);
  json_decref(doc);
}

struct create_arg {
  const char *pesantren_id;
  const json_t *doc;
};

static enum dbq create_product(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  const struct create_arg *a = arg;
  enum dbq q = repo_products_create(conn, a->pesantren_id, a->doc, doc);
  if (q == DBQ_NONE) {
    outcome_set(fail, 404, NULL, "No pesantren has this id.");
    return DBQ_ROLLBACK;
  }
  return q;
}

void h_products_create(struct req *r) {
  struct create_arg a = {.pesantren_id = req_uuid_var(r, 0)};
  json_t *body = NULL;
  char location[96];
  if (a.pesantren_id == NULL)
    return;
  if (!may_write(r, a.pesantren_id)) {
    reply_problem(r, 403, "You may only add products to your own pesantren.");
    return;
  }
  if ((body = req_json_body(r)) == NULL)
    return;
  if (product_valid(r, body) == 0) {
    a.doc = body;
    snprintf(location, sizeof location, "/v1/pesantren/%s/products", a.pesantren_id);
    api_create(r, body, location, create_product, &a);
  }
  json_decref(body);
}

/* ---- change ---- */

static const struct patch_spec product_patch = {
    "product", product_fields, NFIELDS, product_rules, repo_products_lock, repo_products_update, product_allowed, NULL,
};

void h_products_patch(struct req *r) {
  const char *pesantren_id, *id;
  if (product_path(r, &pesantren_id, &id) == 0 && precheck_write(r, pesantren_id, id) == 0)
    api_patch(r, id, &product_patch);
}

static const struct delete_spec product_delete = {"product", repo_products_lock, repo_products_delete, product_allowed};

void h_products_delete(struct req *r) {
  const char *pesantren_id, *id;
  if (product_path(r, &pesantren_id, &id) == 0)
    api_delete(r, id, &product_delete);
}
