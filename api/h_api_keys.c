/* API keys (admin only): long-lived credentials for OPD systems and scripts.
 * The key itself is shown once, in the answer that creates it. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "http.h"
#include "reply.h"
#include "repo_api_keys.h"
#include "resource.h"
#include "rules.h"
#include "stamp.h"
#include "validate.h"

static const char *const roles[] = {"admin", "mentor", "operator", "viewer", NULL};

/* An RFC 3339 time still to come (compared with this server's clock). */
static const char *check_expires_at(const json_t *v) {
  struct stamp st;
  if (stamp_parse(json_string_value(v), &st) != 0)
    return "must be an RFC 3339 timestamp such as 2030-01-31T00:00:00Z";
  return st.epoch > (long long)time(NULL) ? NULL : "must be in the future";
}

static const struct vfield key_fields[] = {
    {"name", V_STRING, V_REQUIRED | V_TRIM, 1, 200, NULL, NULL},
    {"role", V_ENUM, V_REQUIRED, 0, 0, roles, NULL},
    {"pesantren_id", V_UUID, V_NULLABLE, 0, 0, NULL, NULL},
    {"region_codes", V_ARRAY, V_NULLABLE, 0, 0, NULL, check_region_codes},
    {"expires_at", V_STRING, V_NULLABLE, 0, 0, NULL, check_expires_at},
};
#define NFIELDS (sizeof key_fields / sizeof key_fields[0])

void h_api_keys_list(struct req *r) {
  api_list_plain(r, repo_api_keys_list);
}

void h_api_keys_get(struct req *r) {
  api_get(r, "API key", repo_api_keys_get);
}

struct key_create {
  json_t *stored; /* what the database keeps: the hash, never the key */
  const char *secret;
};

static enum dbq create_key(struct db_conn *conn, void *arg, json_t **doc, struct outcome *fail) {
  struct key_create *k = arg;
  (void)fail;
  enum dbq q = repo_api_keys_create(conn, k->stored, doc);
  if (q == DBQ_ONE)
    json_object_set_new(*doc, "key", json_string(k->secret));
  return q;
}

static int key_rules(const json_t *doc, json_t *errors) {
  const char *role = json_string_value(json_object_get(doc, "role"));
  int has_pesantren = json_is_string(json_object_get(doc, "pesantren_id"));
  if (role && (strcmp(role, "operator") == 0) != has_pesantren) {
    errors_add(errors, "pesantren_id", has_pesantren ? "is only for operator keys" : "is required for an operator key");
    return 1;
  }
  return 0;
}

void h_api_keys_create(struct req *r) {
  json_t *body = req_json_body(r), *errors = json_array();
  char secret[SECRET_LEN + 1], hash[65], prefix[KEY_PREFIX_LEN + 1];
  struct key_create k = {0};
  if (body == NULL)
    goto out;
  if (validate_object(body, key_fields, NFIELDS, V_CREATE, errors) + key_rules(body, errors) > 0) {
    reply_invalid(r, 422, errors);
    goto out;
  }
  auth_secret_new(secret, sizeof secret);
  auth_secret_hash(secret, hash);
  auth_key_prefix(secret, prefix);
  k.secret = secret;
  k.stored = json_deep_copy(body);
  json_object_set_new(k.stored, "key_hash", json_string(hash));
  json_object_set_new(k.stored, "key_prefix", json_string(prefix));
  json_object_set_new(k.stored, "created_by", r->caller.kind[0] == 'u' ? json_string(r->caller.id) : json_null());
  /* The answer carries the key: no cache may keep it. */
  reply_header(r, "Cache-Control", "no-store");
  api_create(r, body, "/v1/api-keys", create_key, &k);
  sodium_memzero(secret, sizeof secret);
out:
  json_decref(k.stored);
  json_decref(body);
  json_decref(errors);
}

/* DELETE honours If-Match like every DELETE; revoking twice is harmless. */
static const struct delete_spec key_delete = {"API key", repo_api_keys_lock, repo_api_keys_revoke, NULL};

void h_api_keys_delete(struct req *r) {
  api_delete(r, req_uuid_var(r, 0), &key_delete);
}
