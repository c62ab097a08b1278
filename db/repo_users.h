#ifndef OPOP_REPO_USERS_H
#define OPOP_REPO_USERS_H

#include "db.h"

struct users_query {
  const char *role;
  int active;    /* -1 any */
  const char *q; /* literal, case-insensitive, on email and name */
  const char *after_key, *after_seq;
  int limit;
};

enum dbq repo_users_list(struct db_conn *conn, const struct users_query *uq, json_t **items, char **next_key,
                         char **next_seq);
enum dbq repo_users_count(struct db_conn *conn, const struct users_query *uq, long long *total);
enum dbq repo_users_get(struct db_conn *conn, const char *id, json_t **out);
enum dbq repo_users_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated fields plus "password_hash" (required on create, optional on update). */
enum dbq repo_users_create(struct db_conn *conn, const json_t *doc, json_t **out);
enum dbq repo_users_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);

#endif
