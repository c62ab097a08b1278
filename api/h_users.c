/* Users (admin only): the people who sign in, with their role and scope. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "http.h"
#include "password.h"
#include "reply.h"
#include "repo_users.h"
#include "resource.h"
#include "rules.h"
#include "validate.h"

static const char *const roles[] = {"admin", "mentor", "operator", "viewer", NULL};

static const char *check_email(const json_t *v) {
  return valid_email(json_string_value(v)) ? NULL : "must be an email address";
}

/* Shared with API keys: a list of distinct region codes. */
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

/* Replaces the "password" of a request by its argon2id hash, computed with no
 * database connection held, and wipes the clear one. 0, or -1 after answering. */
static int hash_password(struct req *r, json_t *doc) {
  const char *password = json_string_value(json_object_get(doc, "password"));
  char hash[crypto_pwhash_STRBYTES];
  if (password == NULL)
    return 0;
  int rc = req_password_hash(r, password, hash);
  json_wipe_secret(doc, "password");
  req_wipe_body(r);
  if (rc == 0)
    json_object_set_new(doc, "password", json_string(hash));
  return rc;
}

/* The patch's "password" already holds its hash (hash_password): stored as password_hash. */
static int store_password_hash(json_t *doc) {
  json_t *hash = json_object_get(doc, "password");
  if (hash)
    json_object_set(doc, "password_hash", hash);
  json_object_del(doc, "password");
  return 0;
}

API_LIST_CALL(users_list, repo_users_list, repo_users_count);

void h_users_list(struct req *r) {
  static const char *const allowed[] = {"limit", "cursor", "include_total", "role", "active", "q", NULL};
  struct users_query uq = {0};
  struct list_args a = {&uq, &uq.after_key, &uq.after_seq, "seq", 0};
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &uq.limit) != 0 ||
      req_query_bool(r, "include_total", &a.with_total) != 0 || req_query_bool(r, "active", &uq.active) != 0 ||
      req_query_enum(r, "role", roles, &uq.role) != 0)
    return;
  uq.q = req_query(r, "q");
  api_list(r, &users_list, &a);
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
  /* The idempotency fingerprint leaves the password out; the stored document has its hash. */
  stored = json_deep_copy(body);
  if (hash_password(r, stored) != 0)
    goto out;
  store_password_hash(stored);
  api_create(r, body, "/v1/users", create_user, stored);
out:
  json_wipe_secret(body, "password");
  json_decref(stored);
  json_decref(body);
  json_decref(errors);
}

static const struct patch_spec user_patch = {
    "user", update_fields, NFIELDS, user_rules, repo_users_lock, repo_users_update, NULL, store_password_hash,
};

void h_users_patch(struct req *r) {
  const char *id = req_uuid_var(r, 0);
  if (id)
    api_patch_ready(r, id, &user_patch, hash_password);
}
