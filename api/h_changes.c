/* The change feed: every created, updated and deleted domain entity in one
 * order that never changes, so a system that keeps a copy (an OPD system) can
 * sync incrementally. An item names the entity, its id, version, time and the
 * path to read it at; the client reads the entity there (or drops it on
 * "deleted").
 *
 * next_cursor is always given: it is the position after the last item, or the
 * position the client asked from when nothing new is ready, so a client keeps
 * polling with the cursor of its last answer and never misses or repeats a
 * change. has_more says whether more changes are ready at once. */
#include "handlers.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "http.h"
#include "list_etag.h"
#include "reply.h"
#include "repo_changes.h"

#define CURSOR_TAG "changes"

/* Only entities every role may read go into the feed (users and API keys do not). */
const char *const feed_entities[] = {"pesantren", "program", "enrolment",   "product", "visit",
                                     "indicator", "target",  "measurement", NULL};

static int is_unsigned(const char *s, int max_digits, unsigned long long max) {
  char *end = NULL;
  size_t n = strlen(s);
  if (n == 0 || n > (size_t)max_digits || strspn(s, "0123456789") != n)
    return 0;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  return errno == 0 && *end == '\0' && v <= max;
}

/* The position in ?since (caller frees both), "0", "0" without one: 0, or -1
 * after answering 400. */
static int parse_since(struct req *r, char **xid, char **seq) {
  const char *since = req_query(r, "since");
  *xid = *seq = NULL;
  if (since == NULL) {
    *xid = strdup("0");
    *seq = strdup("0");
    return 0;
  }
  if (cursor_position(since, CURSOR_TAG, xid, seq) != 0 || !is_unsigned(*xid, 20, UINT64_MAX) ||
      !is_unsigned(*seq, 19, INT64_MAX)) {
    free(*xid);
    free(*seq);
    *xid = *seq = NULL;
    reply_field(r, 400, "since", cursor_refused);
    return -1;
  }
  return 0;
}

/* 0 when the feed after the cursor is complete, else -1 after answering
 * (410 when retention removed changes the client has not read). */
static int check_retention(struct req *r, struct db_conn *db, const char *xid, const char *seq) {
  if (req_query(r, "since") == NULL)
    return 0;
  enum dbq q = repo_changes_expired(db, xid, seq);
  if (q == DBQ_NONE)
    return 0;
  if (q < 0)
    reply_db(r, q);
  else
    reply_problem(r, 410,
                  "Changes after this cursor are past the feed's retention and were removed: read the whole "
                  "feed again from its start (without since) and replace the copy kept from it.");
  return -1;
}

static void reply_feed(struct req *r, json_t *items, const char *xid, const char *seq, int more) {
  const char *parts[3] = {CURSOR_TAG, xid, seq};
  char *cursor = cursor_encode(parts, 3);
  json_t *page = json_pack("{s:O, s:s?, s:b}", "items", items, "next_cursor", cursor, "has_more", more);
  reply_list_json(r, page);
  json_decref(page);
  free(cursor);
}

void h_changes_list(struct req *r) {
  static const char *const allowed[] = {"since", "limit", "entity", NULL};
  struct changes_query cq = {0};
  char *xid = NULL, *seq = NULL, *last_xid = NULL, *last_seq = NULL;
  json_t *items = NULL;
  int more = 0;
  struct db_conn *db;
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &cq.limit) != 0 ||
      req_query_enum(r, "entity", feed_entities, &cq.entity) != 0 || parse_since(r, &xid, &seq) != 0 ||
      (db = req_db(r)) == NULL || check_retention(r, db, xid, seq) != 0)
    goto out;
  cq.after_xid = xid;
  cq.after_seq = seq;
  enum dbq q = repo_changes_read(db, &cq, &items, &last_xid, &last_seq, &more);
  if (q < 0)
    reply_db(r, q);
  else
    reply_feed(r, items, last_xid ? last_xid : xid, last_seq ? last_seq : seq, more);
out:
  free(xid);
  free(seq);
  free(last_xid);
  free(last_seq);
  json_decref(items);
}
