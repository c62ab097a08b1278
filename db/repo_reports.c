/* Reports. Each reads the rollups (report_facts: per year, indicator and
 * pesantren; report_program_facts: the same per programme) and combines them
 * with the SQL functions of 0005_reports.sql, so the arithmetic lives in one
 * place: report_actual, report_pct, report_num.
 *
 * Every statement takes $1 = include_unverified and $2 = year. A rollup row
 * counts when it holds at least one counted value (COUNTED > 0); it then adds
 * its total, its count and its latest value, and one pesantren reporting. */
#include "repo_reports.h"

#include "sql.h"

#define COUNTED "(CASE WHEN $1::boolean THEN f.all_n ELSE f.ver_n END)"
#define TOTALS                                                             \
  "sum(CASE WHEN $1::boolean THEN f.all_sum ELSE f.ver_sum END) AS total," \
  " sum(" COUNTED ")::numeric AS n,"                                       \
  " sum(CASE WHEN $1::boolean THEN f.all_last ELSE f.ver_last END) AS last_total," \
  " count(*) AS reporting"
#define ACTUAL "report_actual(ind.aggregation, agg.total, agg.n, agg.last_total)"

static const char *flag(int b) { return b ? "true" : "false"; }

/* ---- achievement ---- */

/* $3 pillar, $4 region_code, $5 program_id (each may be NULL); facts, join and
 * cond pick the rollup and its filters, the target is always the one of the
 * same scope. */
#define ACHIEVEMENT_SQL(facts, join, cond)                                                                   \
  "WITH ind AS (SELECT i.id, i.code, i.name, i.unit, i.pillar, i.aggregation, i.higher_is_better"          \
  "   FROM indicators i WHERE $3::text IS NULL OR i.pillar IS NULL OR i.pillar = $3::text),"               \
  " agg AS (SELECT f.indicator_id, " TOTALS " FROM " facts " f " join                                      \
  "   WHERE f.year = $2::integer AND " COUNTED " > 0 " cond " GROUP BY f.indicator_id),"                   \
  " r AS (SELECT ind.*, t.value AS target, " ACTUAL " AS actual, coalesce(agg.reporting, 0) AS reporting"  \
  "   FROM ind LEFT JOIN agg ON agg.indicator_id = ind.id"                                                  \
  "   LEFT JOIN targets t ON t.indicator_id = ind.id AND t.period = $2::integer::text"                     \
  "    AND t.pesantren_id IS NULL AND t.region_code IS NOT DISTINCT FROM $4::text"                         \
  "    AND t.program_id IS NOT DISTINCT FROM $5::uuid)"                                                     \
  " SELECT coalesce(json_agg(json_build_object("                                                           \
  "   'indicator_code', code, 'indicator_name', name, 'unit', unit, 'pillar', pillar,"                     \
  "   'aggregation', aggregation, 'higher_is_better', higher_is_better, 'target', report_num(target),"     \
  "   'actual', report_num(actual), 'achievement_pct', report_num(report_pct(actual, target, higher_is_better)),"\
  "   'pesantren_reporting', reporting) ORDER BY code), '[]') FROM r"

#define BY_REGION "JOIN pesantren p ON p.id = f.pesantren_id"

static const struct db_stmt achievement[4] = {
  {"repo_report_achievement", ACHIEVEMENT_SQL("report_facts", "", ""), 5},
  {"repo_report_achievement_region", ACHIEVEMENT_SQL("report_facts", BY_REGION, "AND p.region_code = $4::text"), 5},
  {"repo_report_achievement_program",
   ACHIEVEMENT_SQL("report_program_facts", "", "AND f.program_id = $5::uuid"), 5},
  {"repo_report_achievement_program_region",
   ACHIEVEMENT_SQL("report_program_facts", BY_REGION, "AND f.program_id = $5::uuid AND p.region_code = $4::text"),
   5},
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
  " agg AS (SELECT p.region_code, " TOTALS " FROM report_facts f " BY_REGION
  "   WHERE f.year = $2::integer AND f.indicator_id = $3::uuid AND " COUNTED " > 0 GROUP BY p.region_code),"
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
#define COHORTS_SQL(cond)                                                                                   \
  "WITH ind AS (SELECT i.id, i.code, i.aggregation FROM indicators i WHERE i.id = $3::uuid),"               \
  " cohort AS (SELECT cohort_year, count(*) AS pesantren FROM pesantren WHERE cohort_year IS NOT NULL"      \
  "   GROUP BY cohort_year),"                                                                               \
  " agg AS (SELECT p.cohort_year, f.year, " TOTALS " FROM report_facts f " BY_REGION                        \
  "   WHERE f.indicator_id = $3::uuid AND p.cohort_year IS NOT NULL AND " COUNTED " > 0 " cond             \
  "   GROUP BY p.cohort_year, f.year),"                                                                     \
  " years AS (SELECT year FROM agg UNION SELECT $2::integer WHERE $2::integer IS NOT NULL),"                \
  " r AS (SELECT c.cohort_year, y.year, c.pesantren, ind.code, " ACTUAL " AS actual,"                       \
  "   coalesce(agg.reporting, 0) AS reporting"                                                              \
  "   FROM cohort c CROSS JOIN years y CROSS JOIN ind"                                                      \
  "   LEFT JOIN agg ON agg.cohort_year = c.cohort_year AND agg.year = y.year)"                              \
  " SELECT coalesce(json_agg(json_build_object("                                                            \
  "   'cohort_year', cohort_year, 'year', year, 'indicator_code', code, 'pesantren', pesantren,"            \
  "   'pesantren_reporting', reporting, 'actual', report_num(actual)) ORDER BY cohort_year, year), '[]')"   \
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

/* The pesantren of a pillar in a year are those with an enrolment other than
 * rejected in a programme of that pillar and year. */
static const struct db_stmt pillars = {
  "repo_report_pillars",
  "WITH pil AS (SELECT unnest(ARRAY['pesantrenpreneur', 'santripreneur', 'sosiopreneur']) AS pillar),"
  " prog AS (SELECT id, pillar FROM programs WHERE year = $2::integer),"
  " enr AS (SELECT prog.pillar, e.pesantren_id, bool_or(e.status = 'graduated') AS graduated"
  "   FROM enrolments e JOIN prog ON prog.id = e.program_id WHERE e.status <> 'rejected'"
  "   GROUP BY prog.pillar, e.pesantren_id),"
  " prod AS (SELECT enr.pillar, count(*) AS products,"
  "   count(*) FILTER (WHERE report_certified(pr.certifications)) AS certified"
  "   FROM enr JOIN products pr ON pr.pesantren_id = enr.pesantren_id GROUP BY enr.pillar),"
  " ind AS (SELECT i.id, i.aggregation FROM indicators i WHERE i.code = 'SANTRI_TRAINED'),"
  " agg AS (SELECT enr.pillar, " TOTALS " FROM enr JOIN report_facts f ON f.pesantren_id = enr.pesantren_id"
  "   WHERE f.year = $2::integer AND f.indicator_id = (SELECT id FROM ind) AND " COUNTED " > 0"
  "   GROUP BY enr.pillar)"
  " SELECT json_agg(json_build_object("
  "   'pillar', pil.pillar,"
  "   'programs', (SELECT count(*) FROM prog WHERE prog.pillar = pil.pillar),"
  "   'enrolled_pesantren', (SELECT count(*) FROM enr WHERE enr.pillar = pil.pillar),"
  "   'graduated_pesantren', (SELECT count(*) FROM enr WHERE enr.pillar = pil.pillar AND enr.graduated),"
  "   'products', coalesce(prod.products, 0), 'certified_products', coalesce(prod.certified, 0),"
  "   'santri_trained', report_num(report_actual((SELECT aggregation FROM ind), agg.total, agg.n, agg.last_total)))"
  "   ORDER BY pil.pillar)"
  " FROM pil LEFT JOIN prod ON prod.pillar = pil.pillar LEFT JOIN agg ON agg.pillar = pil.pillar",
  2,
};

enum dbq repo_report_pillars(struct db_conn *conn, const struct report_query *rq, json_t **items) {
  const char *vals[2] = {flag(rq->include_unverified), rq->year};
  return db_json_one(conn, &pillars, vals, items);
}
