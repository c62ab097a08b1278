#ifndef OPOP_AUTH_H
#define OPOP_AUTH_H

#include <sodium.h>

#include "app.h"

#define SECRET_LEN 48 /* "opop_" + 43 base64url characters of 32 random bytes */

/* Fills r->caller from the Bearer token or API key: 0, or -1 after 401/503. */
int mw_authenticate(struct req *r);

/* A new random secret (token or API key) in out (at least SECRET_LEN + 1 bytes). */
void auth_secret_new(char *out, size_t outlen);
/* Hex SHA-256 of a secret: what the database stores instead of it. */
void auth_secret_hash(const char *secret, char out[65]);
/* argon2id hash of a password into out (crypto_pwhash_STRBYTES). 0, or -1. */
int auth_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);

void h_auth_login(struct req *r);
void h_auth_logout(struct req *r);
void h_me(struct req *r);

#endif
