#include "repo_summary.h"

#include "sql.h"

/* Every indicator with the pesantren's latest verified value: the greatest
 * period end, then the finer period (a month before the quarter and the year
 * that end with it), then the latest verification. One statement, so the parts
 * agree with each other. */
static const struct db_stmt summary_get = {
    "repo_summary_get",
    "SELECT json_build_object("
    " 'pesantren', pesantren_json(p),"
    " 'enrolments', coalesce((SELECT json_agg(json_build_object('program_id', pr.id, 'name', pr.name,"
    "   'pillar', pr.pillar, 'year', pr.year, 'status', e.status) ORDER BY pr.year, pr.name, pr.seq)"
    "   FROM enrolments e JOIN programs pr ON pr.id = e.program_id WHERE e.pesantren_id = p.id), '[]'),"
    " 'product_count', (SELECT count(*) FROM products pd WHERE pd.pesantren_id = p.id),"
    " 'indicators', coalesce((SELECT json_agg(json_build_object('code', i.code, 'name', i.name, 'unit', i.unit,"
    "   'value', l.value, 'period', l.period) ORDER BY i.seq)"
    "   FROM indicators i LEFT JOIN LATERAL (SELECT m.value, m.period FROM measurements m"
    "     WHERE m.pesantren_id = p.id AND m.indicator_id = i.id AND m.status = 'verified'"
    "     ORDER BY m.period_end DESC, m.period_start DESC, m.verified_at DESC, m.seq DESC LIMIT 1) l ON true),"
    "   '[]'))"
    " FROM pesantren p WHERE p.id = $1",
    1,
};

enum dbq repo_summary_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &summary_get, vals, out);
}
