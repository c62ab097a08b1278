#ifndef OPOP_REPO_WEBHOOKS_H
#define OPOP_REPO_WEBHOOKS_H

/* Webhook endpoints, their delivery log, and the deliverer's work on them. */

#include "db.h"

enum dbq repo_webhooks_list(struct db_conn *conn, const char *after_key, const char *after_seq, int limit,
                            json_t **items, char **next_key, char **next_seq);
enum dbq repo_webhooks_get(struct db_conn *conn, const char *id, json_t **out);
/* As get, locking the row for the rest of the transaction. */
enum dbq repo_webhooks_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: {url, entities?, actions?, description?, created_by}; stored_secret is
 * kept beside it for the deliverer, never in the document or the audit trail. */
enum dbq repo_webhooks_create(struct db_conn *conn, const json_t *doc, const char *stored_secret, json_t **out);
/* doc: the whole merged document (url, entities, actions, description, active). */
enum dbq repo_webhooks_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);
enum dbq repo_webhooks_delete(struct db_conn *conn, const char *id);
struct deliveries_query {
  const char *webhook_id;            /* required */
  const char *after_key, *after_seq; /* the cursor; NULL on the first page */
  int limit;
};
/* One page of an endpoint's attempts, newest first: *items array (caller
 * decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_webhooks_deliveries(struct db_conn *conn, const struct deliveries_query *dq, json_t **items,
                                  char **next_key, char **next_seq);

/* The deliverer. owner is the claiming instance's id (a UUID). */

/* Leases the endpoint due longest ago that no instance holds: *job is
 * {webhook_id, url, secret, attempts} (caller decrefs), or DBQ_NONE. */
enum dbq repo_webhook_jobs_claim(struct db_conn *conn, const char *owner, int lease_s, json_t **job);
/* *next (caller decrefs): {body, xid, seq} of the next item for the endpoint
 * (null when none is ready), and {last_xid, last_seq} of the last item ready. */
enum dbq repo_webhook_jobs_next(struct db_conn *conn, const char *webhook_id, json_t **next);
/* Ends the lease, moving the position to (xid, seq) when not NULL, due again
 * in due_in_s; delivered also stops the retry clock. DBQ_NONE when the lease
 * was lost. */
enum dbq repo_webhook_jobs_release(struct db_conn *conn, const char *webhook_id, const char *owner, const char *xid,
                                   const char *seq, int delivered, double due_in_s);
/* Counts a failed attempt: *clock {attempts, failing_s} (caller decrefs). */
enum dbq repo_webhook_jobs_failed(struct db_conn *conn, const char *webhook_id, const char *owner, json_t **clock);
enum dbq repo_webhook_jobs_deactivate(struct db_conn *conn, const char *webhook_id, const char *reason);
/* attempt: {change_id, attempt, status?, error?, duration_ms, success, retry}; next_retry_at is the
 * endpoint's due time when retry is true. */
enum dbq repo_webhook_jobs_record(struct db_conn *conn, const char *webhook_id, const json_t *attempt);

#endif
