#include "repo_webhooks.h"

#include <stdio.h>
#include <stdlib.h>

#include "list.h"
#include "sql.h"

/* ---- the resource ---- */

static const struct list_spec webhooks_spec = {
    "repo_webhooks_list", "SELECT webhook_json(w) FROM webhooks w", "w.seq", "bigint", "w.seq", 0};

enum dbq repo_webhooks_list(struct db_conn *conn, const char *after_key, const char *after_seq, int limit,
                            json_t **items, char **next_key, char **next_seq) {
  return db_list(conn, &webhooks_spec, NULL, 0, after_key, after_seq, limit, items, next_key, next_seq);
}

static const struct db_stmt webhooks_get = {"repo_webhooks_get",
                                            "SELECT webhook_json(w) FROM webhooks w WHERE w.id = $1", 1};

enum dbq repo_webhooks_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &webhooks_get, vals, out);
}

static const struct db_stmt webhooks_lock = {"repo_webhooks_lock",
                                             "SELECT webhook_json(w) FROM webhooks w WHERE w.id = $1 FOR UPDATE", 1};

enum dbq repo_webhooks_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &webhooks_lock, vals, out);
}

#define WEBHOOK_VALUES                                                                                                 \
  "d->>'url', coalesce((SELECT array_agg(e) FROM jsonb_array_elements_text(d->'entities') e), '{}'),"                  \
  " coalesce((SELECT array_agg(a) FROM jsonb_array_elements_text(d->'actions') a), '{}'), d->>'description'"

/* The endpoint and its deliverer's state in one statement; the feed position
 * starts at the horizon of this very snapshot (see changes_horizon). */
static const struct db_stmt webhooks_create = {
    "repo_webhooks_create",
    "WITH w AS (INSERT INTO webhooks AS w (url, entities, actions, description, created_by)"
    " SELECT " WEBHOOK_VALUES ", (d->>'created_by')::uuid FROM (SELECT $1::jsonb AS d) AS src"
    " RETURNING webhook_json(w) AS doc, w.id),"
    " s AS (INSERT INTO webhook_state (webhook_id, secret, after_xid, after_seq)"
    " SELECT w.id, $2, changes_horizon(), 0 FROM w)"
    " SELECT doc FROM w",
    2,
};

enum dbq repo_webhooks_create(struct db_conn *conn, const json_t *doc, const char *stored_secret, json_t **out) {
  return db_json_doc(conn, &webhooks_create, doc, stored_secret, out);
}

static const struct db_stmt webhooks_update = {
    "repo_webhooks_update",
    "UPDATE webhooks AS w SET (url, entities, actions, description, active) ="
    " (SELECT " WEBHOOK_VALUES ", coalesce((d->>'active')::boolean, w.active) FROM (SELECT $1::jsonb AS d) AS src)"
    " WHERE w.id = $2 RETURNING webhook_json(w)",
    2,
};

enum dbq repo_webhooks_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &webhooks_update, doc, id, out);
}

static const struct db_stmt webhooks_delete = {"repo_webhooks_delete", "DELETE FROM webhooks WHERE id = $1", 1};

enum dbq repo_webhooks_delete(struct db_conn *conn, const char *id) {
  const char *vals[1] = {id};
  return db_command(conn, &webhooks_delete, vals);
}

static const struct list_spec deliveries_spec = {"repo_webhooks_deliveries",
                                                 "SELECT webhook_delivery_json(d) FROM webhook_deliveries d",
                                                 "d.seq",
                                                 "bigint",
                                                 "d.seq",
                                                 1};

enum dbq repo_webhooks_deliveries(struct db_conn *conn, const struct deliveries_query *dq, json_t **items,
                                  char **next_key, char **next_seq) {
  struct list_filter f[1] = {{"d.webhook_id = $?::uuid", dq->webhook_id}};
  return db_list(conn, &deliveries_spec, f, 1, dq->after_key, dq->after_seq, dq->limit, items, next_key, next_seq);
}

/* ---- the deliverer's work ---- */

/* The endpoint due longest ago that no instance holds, leased to owner. */
static const struct db_stmt jobs_claim = {
    "repo_webhook_jobs_claim",
    "UPDATE webhook_state AS s SET lease_until = now() + make_interval(secs => $2::integer), lease_owner = $1::uuid"
    " FROM webhooks AS w"
    " WHERE w.id = s.webhook_id AND s.webhook_id = ("
    " SELECT s2.webhook_id FROM webhook_state s2 JOIN webhooks w2 ON w2.id = s2.webhook_id"
    " WHERE w2.active AND s2.due_at <= now() AND (s2.lease_until IS NULL OR s2.lease_until < now())"
    " ORDER BY s2.due_at LIMIT 1 FOR UPDATE OF s2 SKIP LOCKED)"
    " RETURNING json_build_object('webhook_id', s.webhook_id, 'url', w.url, 'secret', s.secret,"
    " 'attempts', s.attempts)",
    2,
};

enum dbq repo_webhook_jobs_claim(struct db_conn *conn, const char *owner, int lease_s, json_t **job) {
  char lease[16];
  snprintf(lease, sizeof lease, "%d", lease_s);
  const char *vals[2] = {owner, lease};
  return db_json_one(conn, &jobs_claim, vals, job);
}

/* In one snapshot, so the horizon holds for both: the first item after the
 * endpoint's position that its filters take, and the last item ready at all
 * (the position to move to when none is taken). */
static const struct db_stmt jobs_next = {
    "repo_webhook_jobs_next",
    "SELECT json_build_object('body', m.doc, 'xid', m.xid::text, 'seq', m.seq::text,"
    " 'last_xid', l.xid::text, 'last_seq', l.seq::text)"
    " FROM webhook_state s JOIN webhooks w ON w.id = s.webhook_id CROSS JOIN (SELECT changes_horizon() AS x) h"
    " LEFT JOIN LATERAL (SELECT webhook_change_json(c) AS doc, c.xid, c.seq FROM changes c"
    " WHERE (c.xid, c.seq) > (s.after_xid, s.after_seq) AND c.xid < h.x"
    " AND (cardinality(w.entities) = 0 OR c.entity = ANY (w.entities))"
    " AND (cardinality(w.actions) = 0 OR c.action = ANY (w.actions))"
    " ORDER BY c.xid, c.seq LIMIT 1) m ON true"
    " LEFT JOIN LATERAL (SELECT c.xid, c.seq FROM changes c"
    " WHERE (c.xid, c.seq) > (s.after_xid, s.after_seq) AND c.xid < h.x"
    " ORDER BY c.xid DESC, c.seq DESC LIMIT 1) l ON true"
    " WHERE s.webhook_id = $1",
    1,
};

enum dbq repo_webhook_jobs_next(struct db_conn *conn, const char *webhook_id, json_t **next) {
  const char *vals[1] = {webhook_id};
  return db_json_one(conn, &jobs_next, vals, next);
}

/* Moves the position to (xid, seq) when given (NULL keeps it) and lets the
 * endpoint go; success also stops the retry clock. */
static const struct db_stmt jobs_release = {
    "repo_webhook_jobs_release",
    "UPDATE webhook_state SET after_xid = coalesce($3::xid8, after_xid), after_seq = coalesce($4::bigint, after_seq),"
    " attempts = CASE WHEN $5::boolean THEN 0 ELSE attempts END,"
    " failing_since = CASE WHEN $5::boolean THEN NULL ELSE failing_since END,"
    " due_at = now() + make_interval(secs => $6::float8), lease_until = NULL, lease_owner = NULL"
    " WHERE webhook_id = $1 AND lease_owner = $2::uuid",
    6,
};

enum dbq repo_webhook_jobs_release(struct db_conn *conn, const char *webhook_id, const char *owner, const char *xid,
                                   const char *seq, int delivered, double due_in_s) {
  char due[32];
  snprintf(due, sizeof due, "%.3f", due_in_s);
  const char *vals[6] = {webhook_id, owner, xid, seq, delivered ? "true" : "false", due};
  return db_command(conn, &jobs_release, vals);
}

/* One more failed attempt at the head item: its number and for how many
 * seconds the endpoint has been failing. */
static const struct db_stmt jobs_failed = {
    "repo_webhook_jobs_failed",
    "UPDATE webhook_state SET attempts = attempts + 1, failing_since = coalesce(failing_since, now())"
    " WHERE webhook_id = $1 AND lease_owner = $2::uuid"
    " RETURNING json_build_object('attempts', attempts,"
    " 'failing_s', extract(epoch FROM now() - failing_since)::float8)",
    2,
};

enum dbq repo_webhook_jobs_failed(struct db_conn *conn, const char *webhook_id, const char *owner, json_t **clock) {
  const char *vals[2] = {webhook_id, owner};
  return db_json_one(conn, &jobs_failed, vals, clock);
}

static const struct db_stmt jobs_deactivate = {
    "repo_webhook_jobs_deactivate",
    "UPDATE webhooks SET active = false, deactivated_reason = $2 WHERE id = $1 AND active", 2};

enum dbq repo_webhook_jobs_deactivate(struct db_conn *conn, const char *webhook_id, const char *reason) {
  const char *vals[2] = {webhook_id, reason};
  return db_command(conn, &jobs_deactivate, vals);
}

/* Kept only while the endpoint exists (it may be deleted during an attempt). */
static const struct db_stmt jobs_record = {
    "repo_webhook_jobs_record",
    "INSERT INTO webhook_deliveries (webhook_id, change_id, attempt, http_status, error, duration_ms, success,"
    " next_retry_at)"
    " SELECT w.id, d->>'change_id', (d->>'attempt')::integer, (d->>'status')::integer, d->>'error',"
    " (d->>'duration_ms')::integer, (d->>'success')::boolean,"
    " CASE WHEN (d->>'retry')::boolean THEN s.due_at END"
    " FROM (SELECT $1::jsonb AS d) AS src JOIN webhooks w ON w.id = $2"
    " LEFT JOIN webhook_state s ON s.webhook_id = w.id",
    2,
};

enum dbq repo_webhook_jobs_record(struct db_conn *conn, const char *webhook_id, const json_t *attempt) {
  char *text = json_dumps(attempt, JSON_COMPACT);
  if (text == NULL)
    return DBQ_HARD;
  const char *vals[2] = {text, webhook_id};
  enum dbq q = db_command(conn, &jobs_record, vals);
  free(text);
  return q;
}
