#include "repo_audit.h"

#include "list.h"

/* Keyset on seq: it is unique and follows insertion, so "newest first" is a
 * plain backward index scan and a page boundary never moves. */
static const struct list_spec audit_spec = {
    "repo_audit_list", "SELECT audit_event_json(a) FROM audit_events a", "a.seq", "bigint", "a.seq", 1};

/* Both bounds count whole seconds, like the "at" every answer shows: an event
 * shown at 09:00:00Z is inside from=09:00:00Z and inside to=09:00:00Z. */
static int filters_for(const struct audit_query *aq, struct list_filter *f) {
  int n = 0;
  if (aq->entity)
    f[n++] = (struct list_filter){"a.entity = $?", aq->entity};
  if (aq->entity_id)
    f[n++] = (struct list_filter){"a.entity_id = $?::uuid", aq->entity_id};
  if (aq->actor_id)
    f[n++] = (struct list_filter){"a.actor_id = $?::uuid", aq->actor_id};
  if (aq->from)
    f[n++] = (struct list_filter){"a.at >= date_trunc('second', $?::timestamptz, 'UTC')", aq->from};
  if (aq->to)
    f[n++] = (struct list_filter){"a.at < date_trunc('second', $?::timestamptz, 'UTC') + interval '1 second'", aq->to};
  return n;
}

static struct list_spec spec_for(const struct audit_query *aq) {
  struct list_spec spec = audit_spec;
  spec.desc = !aq->oldest_first;
  return spec;
}

enum dbq repo_audit_list(struct db_conn *conn, const struct audit_query *aq, json_t **items, char **next_key,
                         char **next_seq) {
  struct list_filter f[5];
  struct list_spec spec = spec_for(aq);
  int n = filters_for(aq, f);
  return db_list(conn, &spec, f, n, aq->after_key, aq->after_seq, aq->limit, items, next_key, next_seq);
}

enum dbq repo_audit_count(struct db_conn *conn, const struct audit_query *aq, long long *total) {
  struct list_filter f[5];
  struct list_spec spec = spec_for(aq);
  int n = filters_for(aq, f);
  return db_list_count(conn, &spec, f, n, total);
}
