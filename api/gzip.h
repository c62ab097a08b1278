#ifndef OPOP_GZIP_H
#define OPOP_GZIP_H

/* Content coding of answers: gzip when the client asks for it. */

#include <stddef.h>
#include <stdio.h>

#include "app.h"

/* The suffix that turns a plain entity tag into the gzipped one's ("12" -> "12-gz"). */
#define GZIP_ETAG_SUFFIX "-gz"

/* 1 when an Accept-Encoding value (may be NULL) accepts gzip: "gzip" or
 * "x-gzip" with q > 0, or else "*" with q > 0. */
int gzip_accepted(const char *accept_encoding);

/* For a JSON, problem or text answer: adds Vary: Accept-Encoding, and when
 * the body is 1 KiB or more and the client accepts gzip, sets the compressed
 * body with status, Content-Encoding: gzip and the ETag marked as the
 * compressed one. 1 when it set the body, 0 when the caller sends body plain. */
int reply_gzip(struct req *r, int status, const char *content_type, const char *body, size_t len);

/* The same for a file answer of size bytes (status already in r->status):
 * when it is to be compressed, streams f gzipped as it is read, without a
 * length, and takes f (closes it when done); 1 then, else 0 and f is the
 * caller's to send plain. */
int reply_gzip_file(struct req *r, FILE *f, long size, const char *content_type);

/* Adds token to the answer's Vary header unless it is there. */
void reply_vary(struct req *r, const char *token);

#endif
