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

/* The whole regular file dir/name, or NULL (missing, not a regular file, too large). */
static char *read_asset(const char *dir, const char *name, size_t *len) {
  char path[4096];
  char *data = NULL;
  struct stat st;
  if (dir == NULL || snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
    return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > DOCS_ASSET_MAX)
    goto out;
  data = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (data && got < (size_t)st.st_size) {
    ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
    if (n <= 0) {
      free(data);
      data = NULL;
      break;
    }
    got += (size_t)n;
  }
  *len = got;
out:
  close(fd);
  return data;
}

void h_docs_asset(struct req *r) {
  const char *name = r->vars[0];
  if (strcmp(name, "init.js") == 0) {
    docs_headers(r);
    reply_bytes(r, 200, "text/javascript; charset=utf-8", docs_init_js, docs_init_js_len);
    return;
  }
  const struct docs_asset *asset = installed_asset(name);
  size_t len = 0;
  char *data = asset ? read_asset(r->app->cfg.docs_dir, asset->name, &len) : NULL;
  if (data == NULL) {
    reply_problem(r, 404, asset ? "The documentation renderer is not installed (OPOP_DOCS_DIR)." : "No such resource.");
    return;
  }
  docs_headers(r);
  reply_bytes(r, 200, asset->content_type, data, len);
  free(data);
}
