#include "cursor.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SEP '\x1f'

const char cursor_refused[] = "is not a cursor this list gave out";

char *cursor_encode(const char *const *parts, int n) {
  size_t len = 0;
  for (int i = 0; i < n; i++)
    len += strlen(parts[i]) + 1;
  char *raw = malloc(len + 1);
  char *out = NULL;
  if (raw == NULL)
    return NULL;
  size_t pos = 0;
  for (int i = 0; i < n; i++) {
    size_t l = strlen(parts[i]);
    memcpy(raw + pos, parts[i], l);
    pos += l;
    if (i + 1 < n)
      raw[pos++] = SEP;
  }
  size_t outlen = sodium_base64_ENCODED_LEN(pos, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out = malloc(outlen);
  if (out)
    sodium_bin2base64(out, outlen, (const unsigned char *)raw, pos, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  free(raw);
  return out;
}

int cursor_decode(const char *cursor, char **parts, int n) {
  size_t clen = strlen(cursor), binlen = 0;
  int found = 0, rc = -1;
  unsigned char *bin = NULL;
  for (int i = 0; i < n; i++)
    parts[i] = NULL;
  if (clen == 0 || clen > 2048)
    return -1;
  bin = malloc(clen + 1);
  if (bin == NULL)
    return -1;
  if (sodium_base642bin(bin, clen, cursor, clen, NULL, &binlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    goto out;
  bin[binlen] = '\0';
  if (strlen((char *)bin) != binlen)
    goto out;
  char *p = (char *)bin;
  for (found = 0; found < n; found++) {
    char *sep = strchr(p, SEP);
    if ((sep == NULL) != (found == n - 1))
      goto out;
    size_t l = sep ? (size_t)(sep - p) : strlen(p);
    parts[found] = strndup(p, l);
    if (parts[found] == NULL)
      goto out;
    p = sep ? sep + 1 : p + l;
  }
  rc = 0;
out:
  if (rc != 0)
    for (int i = 0; i < n; i++) {
      free(parts[i]);
      parts[i] = NULL;
    }
  free(bin);
  return rc;
}

int cursor_position(const char *cursor, const char *tag, char **key, char **seq) {
  char *parts[3];
  *key = *seq = NULL;
  if (cursor_decode(cursor, parts, 3) != 0)
    return -1;
  if (strcmp(parts[0], tag) != 0) {
    for (int i = 0; i < 3; i++)
      free(parts[i]);
    return -1;
  }
  free(parts[0]);
  *key = parts[1];
  *seq = parts[2];
  return 0;
}
