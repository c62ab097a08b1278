#ifndef OPOP_REPO_REPORTS_H
#define OPOP_REPO_REPORTS_H

/* The four reports, read from the rollups of 0005_reports.sql. Every function
 * answers *items, an array of row objects in report order (caller decrefs). */

#include "db.h"

struct report_query {
  int include_unverified;   /* 1: submitted values count too */
  const char *year;         /* decimal text; NULL = every year (cohorts only) */
  const char *pillar;       /* achievement: NULL = every indicator */
  const char *region_code;  /* achievement: NULL = the whole province */
  const char *program_id;   /* achievement: NULL = every programme and none */
  const char *indicator_id; /* regions and cohorts: the indicator */
};

/* One row per indicator (of the pillar, and those of every pillar). */
enum dbq repo_report_achievement(struct db_conn *conn, const struct report_query *rq, json_t **items);
/* One row per region, all 38, for rq->indicator_id in rq->year. */
enum dbq repo_report_regions(struct db_conn *conn, const struct report_query *rq, json_t **items);
/* One row per (cohort year, year with counted values), or per cohort for rq->year. */
enum dbq repo_report_cohorts(struct db_conn *conn, const struct report_query *rq, json_t **items);
/* One row per pillar for rq->year. */
enum dbq repo_report_pillars(struct db_conn *conn, const struct report_query *rq, json_t **items);

#endif
