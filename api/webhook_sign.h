#ifndef OPOP_WEBHOOK_SIGN_H
#define OPOP_WEBHOOK_SIGN_H

/* Webhook secrets and signatures as the Standard Webhooks specification
 * says: a secret is "whsec_" + base64 of its bytes; a message is signed with
 * HMAC-SHA256 over "<id>.<timestamp>.<body>" keyed with those bytes, and the
 * signature header is "v1,<base64 of the MAC>". */

#include <stddef.h>

#define WEBHOOK_SECRET_BYTES 32
#define WEBHOOK_SECRET_PREFIX "whsec_"
/* "whsec_" + base64 of 32 bytes + NUL. */
#define WEBHOOK_SECRET_LEN 52
/* "v1," + base64 of 32 bytes + NUL. */
#define WEBHOOK_SIGNATURE_LEN 48
/* The stored form: "sealed:" + base64 of nonce, MAC and secret, the longest. */
#define WEBHOOK_STORED_LEN 128

/* A new random secret in its shown form. */
void webhook_secret_new(char out[WEBHOOK_SECRET_LEN]);
/* The secret's bytes from its shown form: 0, or -1 when it is not one. */
int webhook_secret_bytes(const char *shown, unsigned char raw[WEBHOOK_SECRET_BYTES]);

/* The form kept in the database: sealed with key (XSalsa20-Poly1305, a fresh
 * nonce each time) when key is not NULL, else "plain:" + base64. 0, or -1. */
int webhook_secret_store(const char *shown, const unsigned char *key, char out[WEBHOOK_STORED_LEN]);
/* The secret's bytes from its stored form: 0, or -1 when it cannot be read
 * (a sealed secret without the key, or with another key). */
int webhook_secret_load(const char *stored, const unsigned char *key, unsigned char raw[WEBHOOK_SECRET_BYTES]);

/* out = "v1," + base64(HMAC-SHA256(raw, id "." timestamp "." body)). */
void webhook_sign(const unsigned char raw[WEBHOOK_SECRET_BYTES], const char *id, long long timestamp, const char *body,
                  size_t len, char out[WEBHOOK_SIGNATURE_LEN]);

#endif
