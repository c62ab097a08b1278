#include "list_etag.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reply.h"

/* 128 bits: collisions between two states of one page are out of reach. */
#define TAG_DIGEST_BYTES 16

void reply_list_text(struct req *r, const char *body, size_t len) {
  unsigned char digest[TAG_DIGEST_BYTES];
  char tag[2 * TAG_DIGEST_BYTES + 3] = "l-", etag[sizeof tag + 8];
  crypto_generichash(digest, sizeof digest, (const unsigned char *)body, len, NULL, 0);
  sodium_bin2hex(tag + 2, sizeof tag - 2, digest, sizeof digest);
  if (req_not_modified_tag(r, tag))
    return;
  snprintf(etag, sizeof etag, "\"%s\"", tag);
  reply_header(r, "ETag", etag);
  reply_bytes(r, 200, "application/json", body, len);
}

void reply_list_json(struct req *r, const json_t *page) {
  char *text = json_dumps(page, REPLY_JSON_FLAGS);
  if (text == NULL) {
    reply_problem(r, 500, "The server is out of memory; try again shortly.");
    return;
  }
  reply_list_text(r, text, strlen(text));
  free(text);
}
