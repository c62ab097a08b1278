/* Users (admin only): the people who sign in, with their role and scope. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "reply.h"
#include "repo_users.h"
#include "resource.h"
#include "validate.h"

static const char *const roles[] = {"admin", "mentor", "operator", "viewer", NULL};

static const char *check_email(const json_t *v) {
  return valid_email(json_string_value(v)) ? NULL : "must be an email address";
}

/* Shared with API keys: a list of distinct region codes. */
const char *check_region_codes(const json_t *v) {
  size_t i, j;
  json_t *code, *other;
  json_array_foreach(v, i, code) {
    if (!json_is_string(code) || check_region_code(code) != NULL)
      return "must list region codes of Jawa Timur, such as \"35.78\"";
    json_array_foreach(v, j, other) {
      if (j < i && json_equal(code, other))
        return "must not repeat a region code";
    }
  }
  return NULL;
}

#define USER_FIELDS(password_flags)                                                                                    \
  {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL}, {"email", V_STRING, V_REQUIRED | V_TRIM, 0, 0, NULL, check_email},     \
      {"name", V_STRING, V_REQUIRED | V_TRIM, 1, 200, NULL, NULL}, {"role", V_ENUM, V_REQUIRED, 0, 0, roles, NULL},    \
      {"password", V_STRING, password_flags, 8, 1024, NULL, NULL},                                                     \
      {"pesantren_id", V_UUID, V_NULLABLE, 0, 0, NULL, NULL},                                                          \
      {"region_codes", V_ARRAY, V_NULLABLE, 0, 0, NULL, check_region_codes}, {"active", V_BOOL, 0, 0, 0, NULL, NULL},  \
      {"version", V_INT, V_READONLY, 0, 0, NULL, NULL}, {"created_at", V_STRING, V_READONLY, 0, 0, NULL, NULL}, {      \
    "updated_at", V_STRING, V_READONLY, 0, 0, NULL, NULL                                                               \
  }

static const struct vfield create_fields[] = {USER_FIELDS(V_REQUIRED)};
/* A stored user has no password in its document: it stays unless the patch sets one. */
static const struct vfield update_fields[] = {USER_FIELDS(0)};
#define NFIELDS (sizeof create_fields / sizeof create_fields[0])

/* An operator belongs to exactly one pesantren; nobody else does. */
static int user_rules(const json_t *doc, json_t *errors) {
  const char *role = json_string_value(json_object_get(doc, "role"));
  int has_pesantren = json_is_string(json_object_get(doc, "pesantren_id"));
  if (role && strcmp(role, "operator") == 0 && !has_pesantren) {
    errors_add(errors, "pesantren_id", "is required for an operator");
    return 1;
  }
  if (role && strcmp(role, "operator") != 0 && has_pesantren) {
    errors_add(errors, "pesantren_id", "is only for operators");
    return 1;
  }
  return 0;
}

/* Replaces "password" in doc by its argon2id hash "password_hash". 0, or -1. */
static int hash_password_field(json_t *doc) {
  const char *password = json_string_value(json_object_get(doc, "password"));
  char hash[crypto_pwhash_STRBYTES];
  if (password == NULL)
    return 0;
  if (auth_password_hash(password, hash) != 0)
    return -1;
  json_object_set_new(doc, "password_hash", json_string(hash));
  json_object_del(doc, "password");
  return 0;
}

void h_users_list(struct req *r) {
  static const char *const allowed[] = {"limit", "cursor", "include_total", "role", "active", "q", NULL};
  struct users_query uq = {0};
  char *key = NULL, *seq = NULL, *next_key = NULL, *next_seq = NULL;
  json_t *items = NULL;
  long long total = -1;
  int with_total = 0;
  struct db_conn *db;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &uq.limit) != 0 ||
      req_query_bool(r, "include_total", &with_total) != 0 || req_query_bool(r, "active", &uq.active) != 0 ||
      req_query_enum(r, "role", roles, &uq.role) != 0 || req_cursor(r, "seq", &key, &seq) != 0 ||
      (db = req_db(r)) == NULL)
    goto out;
  uq.q = req_query(r, "q");
  uq.after_key = key;
  uq.after_seq = seq;
  enum dbq q = repo_users_list(db, &uq, &items, &next_key, &next_seq);
  if (q >= 0 && with_total == 1)
    q = repo_users_count(db, &uq, &total);
  if (q < 0)
    reply_db(r, q);
  else
    reply_page(r, json_incref(items), "seq", next_key, next_seq, total);
out:
  free(key);
  free(seq);
  free(next_key);
  free(next_seq);
  json_decref(items);
}

void h_users_get(struct req *r) {
  api_get(r, "user", repo_users_get);
}

static enum dbq create_user(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  (void)fail;
  return repo_users_create(conn, arg, doc);
}

void h_users_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array(), *stored = NULL;
  if (body == NULL)
    goto out;
  if (validate_object(body, create_fields, NFIELDS, V_CREATE, errors) + user_rules(body, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  /* The idempotency hash covers the request as sent; the stored document the hash. */
  stored = json_deep_copy(body);
  if (hash_password_field(stored) != 0) {
    reply_problem(r, 500, "The password could not be hashed.");
    goto out;
  }
  api_create(r, body, "/v1/users", create_user, stored);
out:
  json_decref(stored);
  json_decref(body);
  json_decref(errors);
}

static const struct patch_spec user_patch = {
    "user", update_fields, NFIELDS, user_rules, repo_users_lock, repo_users_update, NULL, hash_password_field,
};

void h_users_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id)
    api_patch(r, id, &user_patch);
}
