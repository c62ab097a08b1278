#ifndef OPOP_AUTH_H
#define OPOP_AUTH_H

#include <arpa/inet.h>
#include <sodium.h>

#include "app.h"

#define SECRET_LEN 48    /* "opop_" + 43 base64url characters of 32 random bytes */
#define KEY_PREFIX_LEN 8 /* what is shown of a key to recognise it: "opop_" and 3 characters */

#define AUTH_UNKNOWN_DETAIL "The token or API key is unknown, expired or revoked."
#define AUTH_ROLE_DETAIL "Your role may not do this."
/* What a statement fails with when the lookup sent ahead of it refused the
 * caller (not PostgreSQL classes): reply_db answers 401 and 403 for them. */
#define AUTH_SQLSTATE_UNKNOWN "OP401"
#define AUTH_SQLSTATE_ROLE "OP403"

/* Fills r->caller from the Bearer token or API key: 0, or -1 after 401/503. */
int mw_authenticate(struct req *r);
/* For routes whose handler uses nothing of the caller before its first
 * statement (ROUTE_AUTH_AHEAD): the lookup is sent in the same round trip as
 * that statement, and its result is dropped unseen unless the caller exists
 * and the route allows its role (the statement then fails with
 * AUTH_SQLSTATE_*). No cache: every request is still checked against the
 * database. 0, or -1 after answering 401/503. */
int mw_authenticate_ahead(struct req *r);
/* After the handler: judges a lookup that no statement carried. DBQ_NONE or
 * DBQ_ONE when the caller passed (or was judged already); a failure to
 * answer with reply_db instead of the handler's answer. */
enum dbq mw_authenticate_settle(struct req *r);

/* A new random secret (token or API key) in out (at least SECRET_LEN + 1 bytes). */
void auth_secret_new(char *out, size_t outlen);
/* The first KEY_PREFIX_LEN characters of key, the part shown in listings. */
void auth_key_prefix(const char *key, char out[KEY_PREFIX_LEN + 1]);
/* Hex SHA-256 of a secret: what the database stores instead of it. */
void auth_secret_hash(const char *secret, char out[65]);
/* argon2id hash of a password into out (crypto_pwhash_STRBYTES). 0, or -1. */
int auth_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);

/* h_auth.c */
void h_auth_login(struct req *r);
void h_me_password(struct req *r);
void h_auth_logout(struct req *r);
void h_me(struct req *r);

#endif
