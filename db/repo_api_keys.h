#ifndef OPOP_REPO_API_KEYS_H
#define OPOP_REPO_API_KEYS_H

#include "db.h"

enum dbq repo_api_keys_list(struct db_conn *conn, const char *after_key, const char *after_seq, int limit,
                            json_t **items, char **next_key, char **next_seq);
enum dbq repo_api_keys_get(struct db_conn *conn, const char *id, json_t **out);
/* As get, locking the row for the rest of the transaction. */
enum dbq repo_api_keys_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: {name, role, pesantren_id?, region_codes?, key_hash (hex), key_prefix, created_by}. */
enum dbq repo_api_keys_create(struct db_conn *conn, const json_t *doc, json_t **out);
/* DBQ_NONE when no key has this id; revoking a revoked key changes nothing. */
enum dbq repo_api_keys_revoke(struct db_conn *conn, const char *id);

#endif
