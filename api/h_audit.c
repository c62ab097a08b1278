/* The audit trail (admin only): who changed what, when, from which value to
 * which, for every write. Newest first by default (sort=at for oldest first);
 * pages are keyed on the trail's own sequence, so they never shift. */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "reply.h"
#include "repo_audit.h"
#include "resource.h"
#include "stamp.h"
#include "validate.h"

static int query_stamp(struct req *r, const char *name, struct stamp *st, const char **out) {
  const char *v = req_query(r, name);
  *out = NULL;
  if (v == NULL)
    return 0;
  if (stamp_parse(v, st) != 0) {
    reply_field(r, 400, name, "must be an RFC 3339 timestamp such as 2024-04-25T09:00:00Z");
    return -1;
  }
  *out = st->text;
  return 0;
}

static int query_uuid(struct req *r, const char *name, const char **out) {
  *out = req_query(r, name);
  if (*out && !valid_uuid(*out)) {
    reply_field(r, 400, name, "must be a UUID");
    return -1;
  }
  return 0;
}

/* Entity names are lower-case words (pesantren, user, api_key, ...); an
 * unknown one simply matches nothing. */
static int query_entity(struct req *r, const char **out) {
  *out = req_query(r, "entity");
  size_t n = *out ? strlen(*out) : 1;
  if (*out && (n == 0 || n > 40 || strspn(*out, "abcdefghijklmnopqrstuvwxyz_") != n)) {
    reply_field(r, 400, "entity", "must be an entity name such as pesantren, measurement or user");
    return -1;
  }
  return 0;
}

static int query_sort(struct req *r, struct audit_query *aq, const char **sort) {
  static const char *const sorts[] = {"-at", "at", NULL};
  if (req_query_enum(r, "sort", sorts, sort) != 0)
    return -1;
  if (*sort == NULL)
    *sort = sorts[0];
  aq->oldest_first = strcmp(*sort, "at") == 0;
  return 0;
}

static int parse_audit_query(struct req *r, struct audit_query *aq, struct stamp *from, struct stamp *to,
                             const char **sort, int *with_total) {
  static const char *const allowed[] = {"limit", "cursor", "include_total", "entity", "entity_id", "actor_id",
                                        "from",  "to",     "sort",          NULL};
  if (req_query_allowed(r, allowed) != 0 || req_limit(r, &aq->limit) != 0 ||
      req_query_bool(r, "include_total", with_total) != 0 || query_entity(r, &aq->entity) != 0 ||
      query_uuid(r, "entity_id", &aq->entity_id) != 0 || query_uuid(r, "actor_id", &aq->actor_id) != 0 ||
      query_stamp(r, "from", from, &aq->from) != 0 || query_stamp(r, "to", to, &aq->to) != 0 ||
      query_sort(r, aq, sort) != 0)
    return -1;
  if (aq->from && aq->to && to->epoch < from->epoch) {
    reply_field(r, 400, "to", "must not be before from");
    return -1;
  }
  return 0;
}

API_LIST_CALL(audit_list, repo_audit_list, repo_audit_count);

void h_audit_list(struct req *r) {
  struct audit_query aq = {0};
  struct stamp from, to;
  struct list_args a = {&aq, &aq.after_key, &aq.after_seq, NULL, 0};
  if (parse_audit_query(r, &aq, &from, &to, &a.sort, &a.with_total) == 0)
    api_list(r, &audit_list, &a);
}
