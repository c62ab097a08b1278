/* /docs: the OpenAPI document rendered for people by Swagger UI, with a place
 * to paste a token and try requests against this server. The host page and
 * its start script are compiled in; the renderer's own files (pinned, with
 * their licence) are read from OPOP_DOCS_DIR, filled by
 * deploy/lib/docs_assets.sh. Only the files named below are ever served, so
 * no request path reaches the file system. */
#include "handlers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docs_page.h"
#include "http.h"
#include "reply.h"

/* Everything from this origin only; images also as data: URIs, which the
 * renderer's style sheet uses for its icons. */
#define DOCS_CSP                                                                                                       \
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "                 \
  "frame-ancestors 'none'"
#define DOCS_ASSET_MAX (8 * 1024 * 1024)

struct docs_asset {
  const char *name;
  const char *content_type;
};

static const struct docs_asset installed_assets[] = {
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"LICENSE", "text/plain; charset=utf-8"},
    {"NOTICE", "text/plain; charset=utf-8"},
};

static void docs_headers(struct req *r) {
  reply_header(r, "Content-Security-Policy", DOCS_CSP);
  reply_header(r, "Cache-Control", "no-cache");
}

void h_docs(struct req *r) {
  docs_headers(r);
  reply_bytes(r, 200, "text/html; charset=utf-8", docs_page_html, docs_page_html_len);
}

static const struct docs_asset *installed_asset(const char *name) {
  for (size_t i = 0; i < sizeof installed_assets / sizeof installed_assets[0]; i++)
    if (strcmp(installed_assets[i].name, name) == 0)
      return &installed_assets[i];
  return NULL;
}

/* The listed file dir/name when it is a regular file small enough: its
 * descriptor and size, or -1. */
static int open_asset(const char *dir, const char *name, struct stat *st) {
  char path[4096];
  if (dir == NULL || snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
    return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size > DOCS_ASSET_MAX)) {
    close(fd);
    fd = -1;
  }
  return fd;
}

/* All len bytes of fd, or NULL. */
static char *read_all(int fd, size_t len) {
  char *data = malloc(len + 1);
  size_t got = 0;
  while (data && got < len) {
    ssize_t n = read(fd, data + got, len - got);
    if (n <= 0) {
      free(data);
      return NULL;
    }
    got += (size_t)n;
  }
  return data;
}

/* A file's tag from its size and time: a browser that loaded the renderer
 * once revalidates it with a 304 instead of fetching it again. */
static void asset_tag(unsigned long long size, unsigned long long stamp, char *tag, size_t len) {
  snprintf(tag, len, "d-%llx-%llx", size, stamp);
}

/* The compiled-in start script's stamp: an FNV-1a hash of its bytes. */
static unsigned long long init_js_stamp(void) {
  unsigned long long h = 1469598103934665603ULL;
  for (size_t i = 0; i < docs_init_js_len; i++)
    h = (h ^ (unsigned char)docs_init_js[i]) * 1099511628211ULL;
  return h;
}

static void reply_init_js(struct req *r) {
  char tag[64], etag[68];
  asset_tag(docs_init_js_len, init_js_stamp(), tag, sizeof tag);
  docs_headers(r);
  if (req_not_modified_tag(r, tag))
    return;
  snprintf(etag, sizeof etag, "\"%s\"", tag);
  reply_header(r, "ETag", etag);
  reply_bytes(r, 200, "text/javascript; charset=utf-8", docs_init_js, docs_init_js_len);
}

void h_docs_asset(struct req *r) {
  const char *name = r->vars[0];
  if (strcmp(name, "init.js") == 0) {
    reply_init_js(r);
    return;
  }
  const struct docs_asset *asset = installed_asset(name);
  struct stat st;
  int fd = asset ? open_asset(r->app->cfg.docs_dir, asset->name, &st) : -1;
  if (fd < 0) {
    reply_problem(r, 404, asset ? "The documentation renderer is not installed (OPOP_DOCS_DIR)." : "No such resource.");
    return;
  }
  char tag[64], etag[68];
  asset_tag((unsigned long long)st.st_size, (unsigned long long)st.st_mtime, tag, sizeof tag);
  docs_headers(r);
  if (!req_not_modified_tag(r, tag)) {
    char *data = read_all(fd, (size_t)st.st_size);
    snprintf(etag, sizeof etag, "\"%s\"", tag);
    reply_header(r, "ETag", etag);
    if (data)
      reply_bytes(r, 200, asset->content_type, data, (size_t)st.st_size);
    else
      reply_problem(r, 503, "The documentation renderer could not be read.");
    free(data);
  }
  close(fd);
}
