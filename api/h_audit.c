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
#include "validate.h"

/* A parsed RFC 3339 timestamp: text PostgreSQL reads, and whole seconds since
 * the epoch to compare two of them. */
struct stamp {
  char text[48];
  long long epoch;
};

static int digits(const char *s, int n, int *value) {
  *value = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    *value = *value * 10 + (s[i] - '0');
  }
  return 0;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The zone of a timestamp: Z, or +HH:MM / -HH:MM. A '+' in a query string
 * arrives as a space when the client did not escape it, so a space reads as
 * '+'. Its offset east of UTC in seconds; -1 when malformed. */
static int parse_zone(const char *z, long long *offset) {
  int hh, mm;
  if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0') {
    *offset = 0;
    return 0;
  }
  if ((z[0] != '+' && z[0] != '-' && z[0] != ' ') || strlen(z) != 6 || z[3] != ':' || digits(z + 1, 2, &hh) ||
      digits(z + 4, 2, &mm) || hh > 23 || mm > 59)
    return -1;
  *offset = (z[0] == '-' ? -1 : 1) * (hh * 3600LL + mm * 60LL);
  return 0;
}

/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM): 0, or -1 when malformed. */
static int parse_stamp(const char *s, struct stamp *st) {
  int y, mo, d, h, mi, sec;
  long long offset;
  size_t len = strlen(s), frac = 0;
  if (len < 20 || len >= sizeof st->text || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
      digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) || s[13] != ':' ||
      digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
    return -1;
  if (s[19] == '.') {
    frac = strspn(s + 20, "0123456789");
    if (frac == 0 || frac > 9)
      return -1;
    frac++;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 ||
      parse_zone(s + 19 + frac, &offset) != 0)
    return -1;
  snprintf(st->text, sizeof st->text, "%s", s);
  if (st->text[19 + frac] == ' ')
    st->text[19 + frac] = '+';
  st->epoch = days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL + sec - offset;
  return 0;
}

static int query_stamp(struct req *r, const char *name, struct stamp *st, const char **out) {
  const char *v = req_query(r, name);
  *out = NULL;
  if (v == NULL)
    return 0;
  if (parse_stamp(v, st) != 0) {
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
