#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <yder.h>

#include "http.h"
#include "password.h"
#include "reply.h"
#include "repo_auth.h"
#include "router.h"

void auth_secret_new(char *out, size_t outlen) {
  unsigned char raw[32];
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(out, outlen, "opop_%s", b64);
  sodium_memzero(raw, sizeof raw);
}

void auth_key_prefix(const char *key, char out[KEY_PREFIX_LEN + 1]) {
  snprintf(out, KEY_PREFIX_LEN + 1, "%s", key);
}

void auth_secret_hash(const char *secret, char out[65]) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)secret, strlen(secret));
  sodium_bin2hex(out, 65, digest, sizeof digest);
}

int auth_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]) {
  return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

/* Takes over found->region_codes. */
static void caller_fill(struct caller *c, struct auth_caller *found) {
  const char *role = found->role;
  c->authenticated = 1;
  memcpy(c->id, found->id, sizeof c->id);
  c->kind = found->is_user ? "user" : "api_key";
  c->role = strcmp(role, "admin") == 0      ? ROLE_ADMIN
            : strcmp(role, "mentor") == 0   ? ROLE_MENTOR
            : strcmp(role, "operator") == 0 ? ROLE_OPERATOR
                                            : ROLE_VIEWER;
  memcpy(c->pesantren_id, found->pesantren_id, sizeof c->pesantren_id);
  memcpy(c->token_id, found->token_id, sizeof c->token_id);
  c->region_codes = found->region_codes;
  c->key_use_due = found->key_use_due;
  found->region_codes = NULL;
}

/* Records that an API key was used (at most once a minute); a failure to
 * record it is logged, never answered. */
static void note_key_used(struct req *r) {
  if (!r->caller.key_use_due || r->db == NULL)
    return;
  r->caller.key_use_due = 0;
  if (repo_auth_key_used(r->db, r->caller.id) < 0)
    y_log_message(Y_LOG_LEVEL_WARNING, "API key %s: last_used_at not recorded [%s]", r->caller.id, r->request_id);
}

/* The stored hash of the Bearer secret: 0, or -1 after answering 401. */
static int bearer_hash(struct req *r, char hash[65]) {
  const char *h = req_header(r, "Authorization");
  if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0' || strlen(h + 7) > 512) {
    reply_problem(r, 401, "Send a login token or API key as 'Authorization: Bearer <token>'.");
    return -1;
  }
  auth_secret_hash(h + 7, hash);
  return 0;
}

int mw_authenticate(struct req *r) {
  char hash[65];
  struct auth_caller found;
  struct db_conn *db;
  if (bearer_hash(r, hash) != 0 || (db = req_db(r)) == NULL)
    return -1;
  enum dbq q = repo_auth_lookup(db, hash, &found);
  if (q < 0) {
    reply_db(r, q);
    return -1;
  }
  if (q == DBQ_NONE) {
    reply_problem(r, 401, AUTH_UNKNOWN_DETAIL);
    return -1;
  }
  caller_fill(&r->caller, &found);
  note_key_used(r);
  return 0;
}

/* Judges the caller of a lookup sent ahead, before the request's first
 * statement's result is used: the caller must exist and its role be allowed
 * on the route. */
static const char *gate_caller(struct auth_caller *found, void *arg) {
  struct req *r = arg;
  if (found == NULL)
    return AUTH_SQLSTATE_UNKNOWN;
  caller_fill(&r->caller, found);
  return r->caller.role & r->route->roles ? NULL : AUTH_SQLSTATE_ROLE;
}

int mw_authenticate_ahead(struct req *r) {
  char hash[65];
  struct db_conn *db;
  if (bearer_hash(r, hash) != 0 || (db = req_db(r)) == NULL)
    return -1;
  if (repo_auth_lookup_ahead(db, hash, gate_caller, r) < 0) {
    reply_problem(r, 500, "An unexpected error occurred; it has been logged.");
    y_log_message(Y_LOG_LEVEL_ERROR, "mw_authenticate_ahead: out of memory [%s]", r->request_id);
    return -1;
  }
  return 0;
}

enum dbq mw_authenticate_settle(struct req *r) {
  enum dbq q = r->db ? repo_auth_settle(r->db) : DBQ_NONE;
  if (q >= 0)
    note_key_used(r);
  return q;
}
