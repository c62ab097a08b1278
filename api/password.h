#ifndef OPOP_PASSWORD_H
#define OPOP_PASSWORD_H

/* Password hashing inside a request: with no database connection held (the
 * request's connection goes back to the pool first) and through the
 * application's gate, so a sign-in rush neither starves other requests of
 * connections nor holds more than one 64 MiB hash per core. */

#include <sodium.h>

#include "app.h"

/* argon2id hash of password into out: 0, or -1 after answering (503 with
 * Retry-After when too many hashes are waiting, 500 when hashing failed). */
int req_password_hash(struct req *r, const char *password, char out[crypto_pwhash_STRBYTES]);
/* Checks password against the stored argon2id string (a fixed one when stored
 * is NULL, so the answer takes as long): 1 when it matches, 0 when not, -1
 * after answering 503. */
int req_password_verify(struct req *r, const char *stored, const char *password);

/* Answers 503 with Retry-After: too many passwords are being hashed. */
void req_password_busy(struct req *r);

/* Overwrites the string member name of obj in place (a password read from a
 * body), so it does not linger in freed memory. */
void json_wipe_secret(json_t *obj, const char *name);
/* Overwrites the raw request body, which held the same secrets. */
void req_wipe_body(struct req *r);

#endif
