/* Reports: achievement per indicator, per region, per cohort, and the pillars,
 * each as JSON {"year", "filters", "items"} or as a CSV or XLSX file with the
 * same rows (export.h). The arithmetic is the database's (repo_reports). */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "http.h"
#include "replica.h"
#include "reply.h"
#include "repo_indicators.h"
#include "repo_programs.h"
#include "repo_reports.h"
#include "rules.h"
#include "validate.h"

#define YEAR_MIN 2000
#define YEAR_MAX 2100

struct report_args {
  struct report_query q;
  enum export_format format;
  const char *name; /* of the report: file and sheet name */
  const char *title;
  char year[8];
  char indicator_id[37];
  const char *indicator_code;
  const char *bad_field, *bad_detail; /* a name that a lookup did not find */
};

typedef enum dbq (*report_fn)(struct db_conn *conn, const struct report_query *rq, json_t **items);
/* What a report reads before its rows (the programme or indicator it names):
 * DBQ_NONE when the name is unknown, with a->bad_field and a->bad_detail set. */
typedef enum dbq (*lookup_fn)(struct db_conn *conn, struct report_args *a);

static enum dbq fetch(struct db_conn *db, struct report_args *a, lookup_fn lookup, report_fn report, json_t **items) {
  enum dbq q = lookup ? lookup(db, a) : DBQ_ONE;
  return q == DBQ_ONE ? report(db, &a->q, items) : q;
}

/* Reports only read the rollups that the primary's triggers keep, so they
 * read from the replica while it is usable; a replica that fails the read
 * hands it to the primary. *answered when no connection could be had. */
static enum dbq read_report(struct req *r, struct report_args *a, lookup_fn lookup, report_fn report, json_t **items,
                            int *answered) {
  struct db_conn *db = db_replica_acquire(r->app->replica, 5000);
  if (db) {
    enum dbq q = fetch(db, a, lookup, report, items);
    db_replica_release(r->app->replica, db, q == DBQ_UNAVAILABLE);
    if (q != DBQ_UNAVAILABLE)
      return q;
    json_decref(*items);
    *items = NULL;
  }
  if ((db = req_db(r)) == NULL) {
    *answered = 1;
    return DBQ_UNAVAILABLE;
  }
  return fetch(db, a, lookup, report, items);
}

/* Runs report and answers head (stolen) with its items, or a CSV or XLSX file of the
 * items with columns (NULL-terminated) in that order. */
static void run_report(struct req *r, struct report_args *a, lookup_fn lookup, report_fn report, json_t *head,
                       const char *const *columns) {
  json_t *items = NULL;
  int answered = 0;
  enum dbq q = read_report(r, a, lookup, report, &items, &answered);
  if (answered)
    ;
  else if (q == DBQ_NONE && a->bad_field)
    reply_field(r, 400, a->bad_field, a->bad_detail);
  else if (q < 0)
    reply_db(r, q);
  else if (a->format != EXPORT_JSON) {
    struct export_sheet s = {a->name, a->title, a->q.year, json_object_get(head, "filters"), columns};
    export_items(r, &s, a->format, items);
  } else {
    json_object_set(head, "items", items);
    reply_json(r, 200, head);
  }
  json_decref(items);
  json_decref(head);
}

static json_t *head_new(const struct report_args *a, json_t *filters) {
  json_object_set_new(filters, "include_unverified", json_boolean(a->q.include_unverified));
  return json_pack("{s:o, s:o}", "year", a->q.year ? json_integer(atoi(a->q.year)) : json_null(), "filters", filters);
}

/* ---- parameters ---- */

static int parse_year(struct req *r, struct report_args *a, int required) {
  long year = 0;
  int present = 0;
  if (req_query_int(r, "year", YEAR_MIN, YEAR_MAX, &year, &present) != 0)
    return -1;
  if (!present && required) {
    reply_field(r, 400, "year", "is required: a year from 2000 to 2100");
    return -1;
  }
  if (present) {
    snprintf(a->year, sizeof a->year, "%ld", year);
    a->q.year = a->year;
  }
  return 0;
}

/* year, include_unverified, and the Accept header, which every report takes. */
static int parse_common(struct req *r, struct report_args *a, const char *const *allowed, int year_required) {
  int unverified = -1;
  if (req_query_allowed(r, allowed) != 0 || parse_year(r, a, year_required) != 0 ||
      req_query_bool(r, "include_unverified", &unverified) != 0)
    return -1;
  a->q.include_unverified = unverified == 1;
  /* Values not yet verified are the reviewers' (admins and mentors), not the public's. */
  if (a->q.include_unverified && !(r->caller.role & (ROLE_ADMIN | ROLE_MENTOR))) {
    reply_field(r, 403, "include_unverified", "is for admins and mentors");
    return -1;
  }
  return export_negotiate(r, 1, &a->format);
}

static int parse_region(struct req *r, struct report_args *a) {
  return rules_query_region(r, "region_code", &a->q.region_code);
}

/* The programme must exist. */
static enum dbq lookup_program(struct db_conn *db, struct report_args *a) {
  json_t *doc = NULL;
  enum dbq q = repo_programs_get(db, a->q.program_id, &doc);
  json_decref(doc);
  if (q == DBQ_NONE) {
    a->bad_field = "program_id";
    a->bad_detail = "does not name a programme";
  }
  return q;
}

/* ?indicator= names an indicator by code: its id. */
static enum dbq lookup_indicator(struct db_conn *db, struct report_args *a) {
  json_t *doc = NULL;
  enum dbq q = repo_indicators_get_by_code(db, a->indicator_code, &doc);
  if (q == DBQ_NONE) {
    a->bad_field = "indicator";
    a->bad_detail = "does not name an indicator";
  } else if (q == DBQ_ONE) {
    snprintf(a->indicator_id, sizeof a->indicator_id, "%s", json_string_value(json_object_get(doc, "id")));
    a->q.indicator_id = a->indicator_id;
  }
  json_decref(doc);
  return q;
}

static int parse_indicator(struct req *r, struct report_args *a) {
  a->indicator_code = req_query(r, "indicator");
  if (a->indicator_code == NULL) {
    reply_field(r, 400, "indicator", "is required: an indicator code such as OMZET");
    return -1;
  }
  return 0;
}

/* ---- the reports ---- */

void h_reports_achievement(struct req *r) {
  static const char *const allowed[] = {"year",   "pillar", "region_code", "program_id", "include_unverified",
                                        "format", NULL};
  static const char *const pillars[] = {"pesantrenpreneur", "santripreneur", "sosiopreneur", NULL};
  static const char *const columns[] = {"indicator_code",  "indicator_name",      "unit",   "pillar",
                                        "aggregation",     "higher_is_better",    "target", "actual",
                                        "achievement_pct", "pesantren_reporting", NULL};
  struct report_args a = {.name = "achievement", .title = "Achievement"};
  if (parse_common(r, &a, allowed, 1) != 0 || req_query_enum(r, "pillar", pillars, &a.q.pillar) != 0 ||
      parse_region(r, &a) != 0)
    return;
  a.q.program_id = req_query(r, "program_id");
  if (a.q.program_id && !valid_uuid(a.q.program_id)) {
    reply_field(r, 400, "program_id", "must be a UUID");
    return;
  }
  json_t *filters = json_pack("{s:s?, s:s?, s:s?}", "pillar", a.q.pillar, "region_code", a.q.region_code, "program_id",
                              a.q.program_id);
  run_report(r, &a, a.q.program_id ? lookup_program : NULL, repo_report_achievement, head_new(&a, filters), columns);
}

void h_reports_regions(struct req *r) {
  static const char *const allowed[] = {"indicator", "year", "include_unverified", "format", NULL};
  static const char *const columns[] = {"region_code", "region_name",     "indicator_code",      "target",
                                        "actual",      "achievement_pct", "pesantren_reporting", NULL};
  struct report_args a = {.name = "regions", .title = "Achievement by region"};
  if (parse_common(r, &a, allowed, 1) != 0 || parse_indicator(r, &a) != 0)
    return;
  run_report(r, &a, lookup_indicator, repo_report_regions,
             head_new(&a, json_pack("{s:s}", "indicator", a.indicator_code)), columns);
}

void h_reports_cohorts(struct req *r) {
  static const char *const allowed[] = {"indicator", "year", "include_unverified", "format", NULL};
  static const char *const columns[] = {"cohort_year", "year", "indicator_code", "pesantren", "pesantren_reporting",
                                        "actual",      NULL};
  struct report_args a = {.name = "cohorts", .title = "Cohorts"};
  if (parse_common(r, &a, allowed, 0) != 0 || parse_indicator(r, &a) != 0)
    return;
  run_report(r, &a, lookup_indicator, repo_report_cohorts,
             head_new(&a, json_pack("{s:s}", "indicator", a.indicator_code)), columns);
}

void h_reports_pillars(struct req *r) {
  static const char *const allowed[] = {"year", "include_unverified", "format", NULL};
  static const char *const columns[] = {"pillar",   "programs",           "enrolled_pesantren", "graduated_pesantren",
                                        "products", "certified_products", "santri_trained",     NULL};
  struct report_args a = {.name = "pillars", .title = "Pillars"};
  if (parse_common(r, &a, allowed, 1) != 0)
    return;
  run_report(r, &a, NULL, repo_report_pillars, head_new(&a, json_object()), columns);
}
