/* Lighter answers: a text answer of GZIP_MIN bytes or more goes out gzipped
 * when the client accepts gzip (RFC 9110 12.5.3, q-values honoured), with its
 * own entity tag (the plain tag with GZIP_ETAG_SUFFIX), so a cache or a
 * conditional request never takes one representation for the other. */
#include "gzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yder.h>
#include <zlib.h>

#include "reply.h"

/* Below about 1 KiB the gzip header and the CPU time cost more than they save. */
#define GZIP_MIN 1024
/* zlib's default: measured (see README) at most a few ms for the largest
 * answers, about as small as level 9. */
#define GZIP_LEVEL 6
#define GZIP_WINDOW (15 + 16) /* 32 KiB window, gzip wrapper */

/* Whether token (length n) is a content coding named name, case-insensitively. */
static int coding_is(const char *token, size_t n, const char *name) {
  return strlen(name) == n && strncasecmp(token, name, n) == 0;
}

/* The q-value of one list element's parameters ("; q=0.5"): 1 when absent. */
static double element_q(const char *params, const char *end) {
  const char *q = params;
  while (q < end) {
    while (q < end && (*q == ';' || *q == ' ' || *q == '\t'))
      q++;
    if (end - q > 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
      return strtod(q + 2, NULL);
    while (q < end && *q != ';')
      q++;
  }
  return 1.0;
}

int gzip_accepted(const char *accept_encoding) {
  double gzip_q = -1, any_q = -1;
  const char *p = accept_encoding;
  if (p == NULL)
    return 0;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    const char *end = p + strcspn(p, ",");
    size_t n = strcspn(p, ";, \t");
    if (n > 0 && (size_t)(end - p) >= n) {
      double q = element_q(p + n, end);
      if (coding_is(p, n, "gzip") || coding_is(p, n, "x-gzip"))
        gzip_q = q;
      else if (coding_is(p, n, "*"))
        any_q = q;
    }
    p = end;
  }
  return gzip_q >= 0 ? gzip_q > 0 : any_q > 0;
}

static int compressible(const char *content_type) {
  static const char *const types[] = {"application/json", "application/problem+json", "text/", NULL};
  if (content_type == NULL)
    return 0;
  for (const char *const *t = types; *t; t++)
    if (strncasecmp(content_type, *t, strlen(*t)) == 0)
      return 1;
  return 0;
}

/* Whether the comma-separated list names token, case-insensitively. */
static int list_has(const char *list, const char *token) {
  size_t n = strlen(token);
  for (const char *p = list; *p;) {
    while (*p == ' ' || *p == ',')
      p++;
    size_t len = strcspn(p, ", ");
    if (len == n && strncasecmp(p, token, n) == 0)
      return 1;
    p += len;
  }
  return 0;
}

void reply_vary(struct req *r, const char *token) {
  const char *now = u_map_get_case(r->res->map_header, "Vary");
  if (now == NULL || *now == '\0') {
    reply_header(r, "Vary", token);
    return;
  }
  if (list_has(now, token))
    return;
  char both[256];
  snprintf(both, sizeof both, "%s, %s", now, token);
  reply_header(r, "Vary", both);
}

/* body gzipped into *out (caller frees): its length, or 0 when zlib failed. */
static size_t gzip_bytes(const char *body, size_t len, unsigned char **out) {
  z_stream z = {0};
  size_t n = 0;
  *out = NULL;
  if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return 0;
  uLong cap = deflateBound(&z, (uLong)len);
  if ((*out = malloc(cap)) == NULL)
    goto out;
  z.next_in = (Bytef *)body;
  z.avail_in = (uInt)len;
  z.next_out = *out;
  z.avail_out = (uInt)cap;
  if (deflate(&z, Z_FINISH) == Z_STREAM_END)
    n = (size_t)z.total_out;
out:
  deflateEnd(&z);
  if (n == 0) {
    free(*out);
    *out = NULL;
  }
  return n;
}

/* "12" becomes "12-gz": the compressed representation's own tag. */
static void etag_mark_compressed(struct req *r) {
  const char *tag = u_map_get_case(r->res->map_header, "ETag");
  size_t n = tag ? strlen(tag) : 0;
  char marked[128];
  if (n < 2 || tag[n - 1] != '"' || n + sizeof GZIP_ETAG_SUFFIX > sizeof marked)
    return;
  snprintf(marked, sizeof marked, "%.*s%s\"", (int)(n - 1), tag, GZIP_ETAG_SUFFIX);
  reply_header(r, "ETag", marked);
}

int reply_gzip(struct req *r, int status, const char *content_type, const char *body, size_t len) {
  unsigned char *packed = NULL;
  if (!compressible(content_type))
    return 0;
  reply_vary(r, "Accept-Encoding");
  if (len < GZIP_MIN || !gzip_accepted(req_header(r, "Accept-Encoding")))
    return 0;
  size_t n = gzip_bytes(body, len, &packed);
  if (n == 0) {
    y_log_message(Y_LOG_LEVEL_WARNING, "reply_gzip: zlib failed; answering %zu bytes plain", len);
    return 0;
  }
  ulfius_set_binary_body_response(r->res, (unsigned)status, (const char *)packed, n);
  free(packed);
  reply_header(r, "Content-Encoding", "gzip");
  etag_mark_compressed(r);
  return 1;
}

/* ---- a file gzipped while it is sent ---- */

#define GZIP_FILE_BLOCK (64 * 1024)

struct gzip_file {
  FILE *f;
  z_stream z;
  int flush; /* Z_NO_FLUSH while the file has more, then Z_FINISH */
  unsigned char in[16384];
};

/* Fills buf with the next compressed bytes, reading the file as deflate needs it. */
static ssize_t gzip_file_read(void *cls, uint64_t pos, char *buf, size_t max) {
  struct gzip_file *g = cls;
  (void)pos;
  g->z.next_out = (Bytef *)buf;
  g->z.avail_out = (uInt)max;
  while (g->z.avail_out > 0) {
    if (g->z.avail_in == 0 && g->flush == Z_NO_FLUSH) {
      size_t n = fread(g->in, 1, sizeof g->in, g->f);
      if (n == 0 && ferror(g->f))
        return U_STREAM_ERROR;
      g->flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
      g->z.next_in = g->in;
      g->z.avail_in = (uInt)n;
    }
    int rc = deflate(&g->z, g->flush);
    if (rc == Z_STREAM_END)
      break;
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return U_STREAM_ERROR;
  }
  size_t produced = max - g->z.avail_out;
  return produced ? (ssize_t)produced : U_STREAM_END;
}

static void gzip_file_free(void *cls) {
  struct gzip_file *g = cls;
  deflateEnd(&g->z);
  fclose(g->f);
  free(g);
}

int reply_gzip_file(struct req *r, FILE *f, long size, const char *content_type) {
  struct gzip_file *g;
  if (!compressible(content_type))
    return 0;
  reply_vary(r, "Accept-Encoding");
  if (size < GZIP_MIN || !gzip_accepted(req_header(r, "Accept-Encoding")) || (g = calloc(1, sizeof *g)) == NULL)
    return 0;
  if (deflateInit2(&g->z, GZIP_LEVEL, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    free(g);
    return 0;
  }
  g->f = f;
  g->flush = Z_NO_FLUSH;
  ulfius_set_stream_response(r->res, (unsigned)r->status, gzip_file_read, gzip_file_free, U_STREAM_SIZE_UNKNOWN,
                             GZIP_FILE_BLOCK, g);
  reply_header(r, "Content-Encoding", "gzip");
  etag_mark_compressed(r);
  return 1;
}
