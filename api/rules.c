#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "reply.h"
#include "repo_pesantren.h"
#include "validate.h"

#define PERIOD_MIN_YEAR 2000
#define PERIOD_MAX_YEAR 2100
#define PERIOD_RULE "must be a period YYYY, YYYY-Qn or YYYY-MM with a year from 2000 to 2100"
#define REGION_RULE "is not one of the 38 region codes of Jawa Timur"
#define REGION_COUNT 38
/* 10^15 keeps every whole value exact in a JSON number (a double). */
#define AMOUNT_MAX 1e15

/* Kabupaten are 35.01-35.29, kota 35.71-35.79. This is the one home of which
 * codes exist: the edge checks every body and query against it without a
 * database round trip, and the regions table (its names, seeded by an applied
 * migration that cannot change) is held to it at every start by
 * rules_regions_agree, so the two cannot drift apart unnoticed. */
int region_code_valid(const char *s) {
  if (s == NULL || strlen(s) != 5 || strncmp(s, "35.", 3) != 0 || s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
    return 0;
  int n = (s[3] - '0') * 10 + (s[4] - '0');
  return (n >= 1 && n <= 29) || (n >= 71 && n <= 79);
}

const char *check_region_code(const json_t *v) {
  return region_code_valid(json_string_value(v)) ? NULL : REGION_RULE;
}

const char *check_region_codes(const json_t *v) {
  size_t i, j;
  json_t *code, *other;
  json_array_foreach(v, i, code) {
    if (!region_code_valid(json_string_value(code)))
      return "must list region codes of Jawa Timur, such as \"35.78\"";
    json_array_foreach(v, j, other) {
      if (j < i && json_equal(code, other))
        return "must not repeat a region code";
    }
  }
  return NULL;
}

int indicator_code_form(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n < 2 || n > 40 || s[0] < 'A' || s[0] > 'Z')
    return 0;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

const char *check_indicator_code(const json_t *v) {
  return indicator_code_form(json_string_value(v)) ? NULL
                                                   : "must be 2 to 40 capital letters, digits or '_', starting "
                                                     "with a letter";
}

const char *check_measure_period(const json_t *v) {
  struct period p;
  return period_parse(json_string_value(v), PERIOD_MIN_YEAR, PERIOD_MAX_YEAR, &p) == 0 ? NULL : PERIOD_RULE;
}

const char *check_measure_value(const json_t *v) {
  double d = json_number_value(v);
  return d >= 0 && d <= AMOUNT_MAX ? NULL : "must be a number from 0 to 1000000000000000";
}

/* A value goes to the database as the decimal the client meant: 0.1, not the
 * 0.10000000000000001 a 17-digit rendering of the double would give. */
int measure_value_to_text(json_t *doc) {
  json_t *v = json_object_get(doc, "value");
  char text[40];
  if (json_is_integer(v))
    snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
  else if (json_is_real(v))
    snprintf(text, sizeof text, "%.15g", json_real_value(v));
  else
    return 0;
  return json_object_set_new(doc, "value", json_string(text));
}

/* The parameter's value when present and ok(value), else NULL after a 400 naming it. */
static int query_checked(struct req *r, const char *name, const char **out, int ok, const char *rule) {
  *out = NULL;
  const char *v = req_query(r, name);
  if (v && !ok) {
    reply_field(r, 400, name, rule);
    return -1;
  }
  *out = v;
  return 0;
}

int rules_query_uuid(struct req *r, const char *name, const char **out) {
  const char *v = req_query(r, name);
  return query_checked(r, name, out, v == NULL || valid_uuid(v), "must be a UUID");
}

int rules_query_period(struct req *r, const char *name, const char **out, struct period *p) {
  const char *v = req_query(r, name);
  struct period ignored;
  int ok = v == NULL || period_parse(v, PERIOD_MIN_YEAR, PERIOD_MAX_YEAR, p ? p : &ignored) == 0;
  return query_checked(r, name, out, ok, PERIOD_RULE);
}

int rules_query_region(struct req *r, const char *name, const char **out) {
  const char *v = req_query(r, name);
  return query_checked(r, name, out, v == NULL || region_code_valid(v), REGION_RULE);
}

int rules_pesantren_found(struct req *r, const char *id) {
  char *region = NULL;
  struct db_conn *db = req_db(r);
  if (db == NULL)
    return -1;
  enum dbq q = repo_pesantren_region(db, id, &region);
  free(region);
  if (q < 0)
    reply_db(r, q);
  else if (q == DBQ_NONE)
    reply_problem(r, 404, "No pesantren has this id.");
  return q == DBQ_ONE ? 0 : -1;
}

int rules_regions_agree(const json_t *regions, char *why, size_t len) {
  size_t i, valid = 0;
  json_t *region;
  json_array_foreach(regions, i, region) {
    const char *code = json_string_value(json_object_get(region, "code"));
    if (!region_code_valid(code)) {
      snprintf(why, len, "the regions table holds %s, which is not a region code of Jawa Timur", code ? code : "null");
      return -1;
    }
    valid++;
  }
  if (valid != REGION_COUNT) {
    snprintf(why, len, "the regions table holds %zu of the %d region codes", valid, REGION_COUNT);
    return -1;
  }
  return 0;
}
