#include "webhook_sign.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define STORED_PLAIN "plain:"
#define STORED_SEALED "sealed:"

static int base64_to(unsigned char *out, size_t len, const char *text) {
  size_t n = 0;
  return sodium_base642bin(out, len, text, strlen(text), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
                 n == len
             ? 0
             : -1;
}

void webhook_secret_new(char out[WEBHOOK_SECRET_LEN]) {
  unsigned char raw[WEBHOOK_SECRET_BYTES];
  size_t prefix = strlen(WEBHOOK_SECRET_PREFIX);
  randombytes_buf(raw, sizeof raw);
  memcpy(out, WEBHOOK_SECRET_PREFIX, prefix);
  sodium_bin2base64(out + prefix, WEBHOOK_SECRET_LEN - prefix, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(raw, sizeof raw);
}

int webhook_secret_bytes(const char *shown, unsigned char raw[WEBHOOK_SECRET_BYTES]) {
  size_t prefix = strlen(WEBHOOK_SECRET_PREFIX);
  if (strncmp(shown, WEBHOOK_SECRET_PREFIX, prefix) != 0)
    return -1;
  return base64_to(raw, WEBHOOK_SECRET_BYTES, shown + prefix);
}

int webhook_secret_store(const char *shown, const unsigned char *key, char out[WEBHOOK_STORED_LEN]) {
  unsigned char raw[WEBHOOK_SECRET_BYTES];
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + WEBHOOK_SECRET_BYTES];
  size_t tag = strlen(key ? STORED_SEALED : STORED_PLAIN);
  if (webhook_secret_bytes(shown, raw) != 0)
    return -1;
  memcpy(out, key ? STORED_SEALED : STORED_PLAIN, tag);
  if (key) {
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, raw, sizeof raw, box, key);
    sodium_bin2base64(out + tag, WEBHOOK_STORED_LEN - tag, box, sizeof box, sodium_base64_VARIANT_ORIGINAL);
  } else {
    sodium_bin2base64(out + tag, WEBHOOK_STORED_LEN - tag, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  }
  sodium_memzero(raw, sizeof raw);
  return 0;
}

int webhook_secret_load(const char *stored, const unsigned char *key, unsigned char raw[WEBHOOK_SECRET_BYTES]) {
  unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + WEBHOOK_SECRET_BYTES];
  if (strncmp(stored, STORED_PLAIN, strlen(STORED_PLAIN)) == 0)
    return base64_to(raw, WEBHOOK_SECRET_BYTES, stored + strlen(STORED_PLAIN));
  if (key == NULL || strncmp(stored, STORED_SEALED, strlen(STORED_SEALED)) != 0 ||
      base64_to(box, sizeof box, stored + strlen(STORED_SEALED)) != 0)
    return -1;
  return crypto_secretbox_open_easy(raw, box + crypto_secretbox_NONCEBYTES, sizeof box - crypto_secretbox_NONCEBYTES,
                                    box, key);
}

void webhook_sign(const unsigned char raw[WEBHOOK_SECRET_BYTES], const char *id, long long timestamp, const char *body,
                  size_t len, char out[WEBHOOK_SIGNATURE_LEN]) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  char ts[24];
  int n = snprintf(ts, sizeof ts, ".%lld.", timestamp);
  crypto_auth_hmacsha256_init(&st, raw, WEBHOOK_SECRET_BYTES);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  memcpy(out, "v1,", 3);
  sodium_bin2base64(out + 3, WEBHOOK_SIGNATURE_LEN - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}
