/* See fake_req.h. The database functions the linked helpers name are stubs:
 * no connection is ever lent, so a helper that needs the database answers
 * 503 as it would with the database down. */
#include "fake_req.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "repo_pesantren.h"

struct db_conn *db_pool_acquire(struct db_pool *pool, int timeout_ms) {
  return NULL;
}

void db_pool_release(struct db_pool *pool, struct db_conn *conn) {}

const struct db_error *db_last_error(const struct db_conn *conn) {
  return NULL;
}

enum dbq repo_pesantren_region(struct db_conn *conn, const char *id, char **region_code) {
  return DBQ_UNAVAILABLE;
}

int fake_req_init(struct fake_req *f) {
  memset(f, 0, sizeof *f);
  if (ulfius_init_request(&f->http) != U_OK)
    return -1;
  if (ulfius_init_response(&f->res) != U_OK) {
    ulfius_clean_request(&f->http);
    return -1;
  }
  f->r.http = &f->http;
  f->r.res = &f->res;
  f->r.app = &f->app;
  return 0;
}

void fake_req_free(struct fake_req *f) {
  ulfius_clean_response(&f->res);
  ulfius_clean_request(&f->http);
}

char *fake_text(const uint8_t *data, size_t size) {
  return strndup((const char *)data, size);
}
