#ifndef OPOP_REPO_IDEM_H
#define OPOP_REPO_IDEM_H

#include "db.h"

/* The stored answer for (caller, key) younger than 24 hours: *out gets
 * {request_hash, status, location, body} (caller decrefs). */
enum dbq repo_idem_find(struct db_conn *conn, const char *caller_id, const char *key, json_t **out);
/* Claims the key inside the creating transaction: DBQ_ONE, or DBQ_NONE when
 * another request holds it (a concurrent one is waited for first). */
enum dbq repo_idem_claim(struct db_conn *conn, const char *caller_id, const char *key, const char *hash);
enum dbq repo_idem_store(struct db_conn *conn, const char *caller_id, const char *key, int status, const char *location,
                         const char *body);
/* Deletes the records older than 24 hours: they are never replayed again. */
enum dbq repo_idem_prune(struct db_conn *conn);
/* The installation's key for request fingerprints: *out gets {key} (hex). */
enum dbq repo_idem_secret(struct db_conn *conn, json_t **out);

#endif
