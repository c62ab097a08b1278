#include "password.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "pwgate.h"
#include "reply.h"

/* How long a request waits for a hashing slot before it is turned away. */
#define PW_WAIT_MS 5000

void req_password_busy(struct req *r) {
  reply_header(r, "Retry-After", "1");
  reply_problem(r, 503, "Too many sign-ins are being checked at once; try again in a second.");
}

static int enter_gate(struct req *r) {
  req_db_release(r);
  if (r->app->pw_gate == NULL || pw_gate_enter(r->app->pw_gate, PW_WAIT_MS) == 0)
    return 0;
  req_password_busy(r);
  return -1;
}

static void leave_gate(struct req *r) {
  if (r->app->pw_gate)
    pw_gate_leave(r->app->pw_gate);
}

int req_password_hash(struct req *r, const char *password, char out[crypto_pwhash_STRBYTES]) {
  if (enter_gate(r) != 0)
    return -1;
  int rc = auth_password_hash(password, out);
  leave_gate(r);
  if (rc != 0)
    reply_problem(r, 500, "The password could not be hashed.");
  return rc;
}

int req_password_verify(struct req *r, const char *stored, const char *password) {
  static const char dummy[crypto_pwhash_STRBYTES] =
      "$argon2id$v=19$m=65536,t=2,p=1$10SVAafhZKeRDnMgZAy9Tg$Crt+eFG+etgoJti0nQjKj9FUi04W62dns+9FjTo55dQ";
  char hash[crypto_pwhash_STRBYTES] = {0};
  snprintf(hash, sizeof hash, "%s", stored ? stored : dummy);
  if (enter_gate(r) != 0)
    return -1;
  int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
  leave_gate(r);
  return ok && stored != NULL;
}

void json_wipe_secret(json_t *obj, const char *name) {
  json_t *v = json_object_get(obj, name);
  if (json_is_string(v))
    sodium_memzero((char *)json_string_value(v), json_string_length(v));
}

void req_wipe_body(struct req *r) {
  if (r->http->binary_body && r->http->binary_body_length > 0)
    sodium_memzero(r->http->binary_body, r->http->binary_body_length);
}
