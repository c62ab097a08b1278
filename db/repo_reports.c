/* Reports. Each reads the rollups of 0005_reports.sql through
 * report_totals_counted (per programme or none, year, indicator, region and
 * cohort) for the province, region, cohort and programme figures, with
 * report_cohorts for the size of each cohort, and through
 * report_pillars_counted with report_pillar_certified for the pesantren of a
 * pillar. The arithmetic lives in the SQL functions report_actual,
 * report_pct and report_num.
 *
 * Every statement takes $1 = include_unverified and $2 = year, and adds up,
 * for each group, the counted values' total, their count, the total of each
 * pesantren's latest value, and the pesantren with a counted value. */
#include "repo_reports.h"

#include "sql.h"

#define COUNTED "report_totals_counted($1::boolean) f"
#define TOTALS                                                                                                         \
  "sum(f.total) AS total, sum(f.n)::numeric AS n,"                                                                     \
  " CASE WHEN sum(f.pesantren) > 0 THEN sum(f.last_total) END AS last_total,"                                          \
  " coalesce(sum(f.pesantren), 0) AS reporting"
#define ACTUAL "report_actual(ind.aggregation, agg.total, agg.n, agg.last_total)"

static const char *flag(int b) {
  return b ? "true" : "false";
}

/* ---- achievement ---- */

/* $3 pillar, $4 region_code, $5 program_id (each may be NULL); agg gives the
 * totals per indicator in that scope, and the target is the one of the scope. */
#define ACHIEVEMENT_SQL(agg)                                                                                           \
  "WITH ind AS (SELECT i.id, i.code, i.name, i.unit, i.pillar, i.aggregation, i.higher_is_better"                      \
  "   FROM indicators i WHERE $3::text IS NULL OR i.pillar IS NULL OR i.pillar = $3::text),"                           \
  " agg AS (" agg "),"                                                                                                 \
  " r AS (SELECT ind.*, t.value AS target, " ACTUAL " AS actual, coalesce(agg.reporting, 0) AS reporting"              \
  "   FROM ind LEFT JOIN agg ON agg.indicator_id = ind.id"                                                             \
  "   LEFT JOIN targets t ON t.indicator_id = ind.id AND t.period = $2::integer::text"                                 \
  "    AND t.pesantren_id IS NULL AND t.region_code IS NOT DISTINCT FROM $4::text"                                     \
  "    AND t.program_id IS NOT DISTINCT FROM $5::uuid)"                                                                \
  " SELECT coalesce(json_agg(json_build_object("                                                                       \
  "   'indicator_code', code, 'indicator_name', name, 'unit', unit, 'pillar', pillar,"                                 \
  "   'aggregation', aggregation, 'higher_is_better', higher_is_better, 'target', report_num(target),"                 \
  "   'actual', report_num(actual),"                                                                                   \
  "   'achievement_pct', report_num(report_pct(actual, target, higher_is_better)),"                                    \
  "   'pesantren_reporting', reporting) ORDER BY code), '[]') FROM r"

#define FROM_TOTALS(cond)                                                                                              \
  "SELECT f.indicator_id, " TOTALS " FROM " COUNTED " WHERE f.year = $2::integer AND " cond " GROUP BY f.indicator_id"

static const struct db_stmt achievement[4] = {
    {"repo_report_achievement", ACHIEVEMENT_SQL(FROM_TOTALS("f.program_id IS NULL")), 5},
    {"repo_report_achievement_region",
     ACHIEVEMENT_SQL(FROM_TOTALS("f.program_id IS NULL AND f.region_code = $4::text")), 5},
    {"repo_report_achievement_program", ACHIEVEMENT_SQL(FROM_TOTALS("f.program_id = $5::uuid")), 5},
    {"repo_report_achievement_program_region",
     ACHIEVEMENT_SQL(FROM_TOTALS("f.program_id = $5::uuid AND f.region_code = $4::text")), 5},
};

enum dbq repo_report_achievement(struct db_conn *conn, const struct report_query *rq, json_t **items) {
  const char *vals[5] = {flag(rq->include_unverified), rq->year, rq->pillar, rq->region_code, rq->program_id};
  int which = (rq->program_id ? 2 : 0) + (rq->region_code ? 1 : 0);
  return db_json_one(conn, &achievement[which], vals, items);
}

/* ---- regions ---- */

/* $3 indicator id. */
static const struct db_stmt regions = {
    "repo_report_regions",
    "WITH ind AS (SELECT i.id, i.code, i.aggregation, i.higher_is_better FROM indicators i WHERE i.id = $3::uuid),"
    " agg AS (SELECT f.region_code, " TOTALS " FROM " COUNTED
    "   WHERE f.program_id IS NULL AND f.year = $2::integer AND f.indicator_id = $3::uuid GROUP BY f.region_code),"
    " r AS (SELECT g.code, g.name, ind.code AS indicator_code, ind.higher_is_better, t.value AS target,"
    "   " ACTUAL " AS actual, coalesce(agg.reporting, 0) AS reporting"
    "   FROM regions g CROSS JOIN ind LEFT JOIN agg ON agg.region_code = g.code"
    "   LEFT JOIN targets t ON t.indicator_id = ind.id AND t.period = $2::integer::text"
    "    AND t.region_code = g.code AND t.program_id IS NULL AND t.pesantren_id IS NULL)"
    " SELECT coalesce(json_agg(json_build_object("
    "   'region_code', code, 'region_name', name, 'indicator_code', indicator_code,"
    "   'target', report_num(target), 'actual', report_num(actual),"
    "   'achievement_pct', report_num(report_pct(actual, target, higher_is_better)),"
    "   'pesantren_reporting', reporting) ORDER BY code), '[]') FROM r",
    3,
};

enum dbq repo_report_regions(struct db_conn *conn, const struct report_query *rq, json_t **items) {
  const char *vals[3] = {flag(rq->include_unverified), rq->year, rq->indicator_id};
  return db_json_one(conn, &regions, vals, items);
}

/* ---- cohorts ---- */

/* $3 indicator id; $2 a year, or NULL for every year with counted values. */
#define COHORTS_SQL(cond)                                                                                              \
  "WITH ind AS (SELECT i.id, i.code, i.aggregation FROM indicators i WHERE i.id = $3::uuid),"                          \
  " cohort AS (SELECT cohort_year, pesantren FROM report_cohorts WHERE pesantren > 0),"                                \
  " agg AS (SELECT f.cohort_year, f.year, " TOTALS " FROM " COUNTED                                                    \
  "   WHERE f.program_id IS NULL AND f.indicator_id = $3::uuid AND f.cohort_year IS NOT NULL " cond                    \
  "   GROUP BY f.cohort_year, f.year HAVING sum(f.pesantren) > 0),"                                                    \
  " years AS (SELECT year FROM agg UNION SELECT $2::integer WHERE $2::integer IS NOT NULL),"                           \
  " r AS (SELECT c.cohort_year, y.year, c.pesantren, ind.code, " ACTUAL " AS actual,"                                  \
  "   coalesce(agg.reporting, 0) AS reporting"                                                                         \
  "   FROM cohort c CROSS JOIN years y CROSS JOIN ind"                                                                 \
  "   LEFT JOIN agg ON agg.cohort_year = c.cohort_year AND agg.year = y.year)"                                         \
  " SELECT coalesce(json_agg(json_build_object("                                                                       \
  "   'cohort_year', cohort_year, 'year', year, 'indicator_code', code, 'pesantren', pesantren,"                       \
  "   'pesantren_reporting', reporting, 'actual', report_num(actual)) ORDER BY cohort_year, year), '[]')"              \
  " FROM r"

static const struct db_stmt cohorts[2] = {
    {"repo_report_cohorts", COHORTS_SQL(""), 3},
    {"repo_report_cohorts_year", COHORTS_SQL("AND f.year = $2::integer"), 3},
};

enum dbq repo_report_cohorts(struct db_conn *conn, const struct report_query *rq, json_t **items) {
  const char *vals[3] = {flag(rq->include_unverified), rq->year, rq->indicator_id};
  return db_json_one(conn, &cohorts[rq->year ? 1 : 0], vals, items);
}

/* ---- pillars ---- */

/* report_pillars holds what the pesantren of each pillar and year add up to;
 * certified products are those whose last day in force is today or later. */
static const struct db_stmt pillars = {
    "repo_report_pillars",
    "WITH pil AS (SELECT unnest(ARRAY['pesantrenpreneur', 'santripreneur', 'sosiopreneur']) AS pillar)"
    " SELECT json_agg(json_build_object("
    "   'pillar', pil.pillar,"
    "   'programs', (SELECT count(*) FROM programs pr WHERE pr.year = $2::integer AND pr.pillar = pil.pillar),"
    "   'enrolled_pesantren', coalesce(f.enrolled, 0), 'graduated_pesantren', coalesce(f.graduated, 0),"
    "   'products', coalesce(f.products, 0),"
    "   'certified_products', (SELECT coalesce(sum(c.products), 0) FROM report_pillar_certified c"
    "     WHERE c.year = $2::integer AND c.pillar = pil.pillar AND c.certified_until >= opop_today_wib()),"
    "   'santri_trained', report_num(report_actual((SELECT aggregation FROM indicators WHERE code = 'SANTRI_TRAINED'),"
    "     f.total, f.n::numeric, CASE WHEN f.pesantren > 0 THEN f.last_total END))"
    "   ) ORDER BY pil.pillar)"
    " FROM pil LEFT JOIN report_pillars_counted($1::boolean) f ON f.year = $2::integer AND f.pillar = pil.pillar",
    2,
};

enum dbq repo_report_pillars(struct db_conn *conn, const struct report_query *rq, json_t **items) {
  const char *vals[2] = {flag(rq->include_unverified), rq->year};
  return db_json_one(conn, &pillars, vals, items);
}
