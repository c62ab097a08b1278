#!/usr/bin/env bash
# Fills an empty, migrated database with a report-sized data set, in SQL only:
# N_PESANTREN pesantren over the 38 regions, programmes of 2021-2024 with
# enrolments (so pesantren have cohorts), products with certifications,
# targets, and N_MEASUREMENTS measurements of the standard indicators (months
# of 2024 and 2023 first, then quarters of 2022, the year 2021, then earlier
# months), about 88 % verified, 5 % submitted, 4 % draft, 3 % rejected.
#
# usage: tests/bench/gen_reports.sh DBNAME   (PGHOST, PGPORT, PGUSER as for psql;
#        needs a superuser: triggers are off during the load and the report
#        rollups are rebuilt at the end)
# env:   N_PESANTREN (10000), N_MEASUREMENTS (2000000)
set -euo pipefail

db=${1:?usage: gen_reports.sh DBNAME}
np=${N_PESANTREN:-10000}
nm=${N_MEASUREMENTS:-2000000}
max=$((np * 7 * 77))
if [ "$nm" -gt "$max" ]; then
  echo "N_MEASUREMENTS may be at most N_PESANTREN x 539 ($max)" >&2
  exit 2
fi

psql -d "$db" -v ON_ERROR_STOP=1 -q -v np="$np" -v nm="$nm" <<'SQL'
SET session_replication_role = replica;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

\echo pesantren
INSERT INTO pesantren (nspp, name, region_code, santri_count, typology, founded_year, created_at, updated_at)
SELECT '7' || lpad(i::text, 11, '0'), 'Pondok Pesantren Bench ' || i,
       r.codes[1 + i % 38], (i * 37) % 3000, (ARRAY['salafiyah', 'khalafiyah', 'terpadu'])[1 + i % 3],
       1900 + i % 120, now(), now()
  FROM generate_series(0, :np - 1) i,
       (SELECT array_agg(code ORDER BY code) AS codes FROM regions) r;

\echo programmes
INSERT INTO programs (pillar, name, year, status, organizer)
SELECT pillar, format('Program %s %s %s', pillar, y, k), y, 'active', 'Dinas Koperasi dan UKM'
  FROM generate_series(2021, 2024) y,
       unnest(ARRAY['pesantrenpreneur', 'santripreneur', 'sosiopreneur']) pillar,
       generate_series(1, 4) k;

-- Pesantren n joins in year 2021 + n % 4 and again in each of the next
-- n % 3 years; earlier programmes are mostly graduated.
\echo enrolments
WITH p AS (SELECT id, seq - min(seq) OVER () AS n FROM pesantren),
pick AS (
  SELECT p.id AS pesantren_id, p.n, 2021 + p.n % 4 + j AS year,
         (ARRAY['pesantrenpreneur', 'santripreneur', 'sosiopreneur'])[1 + (p.n + j) % 3] AS pillar,
         1 + (p.n / 3) % 4 AS k
    FROM p, generate_series(0, 2) j
   WHERE j <= p.n % 3 AND 2021 + p.n % 4 + j <= 2024
)
INSERT INTO enrolments (program_id, pesantren_id, status)
SELECT pr.id, pick.pesantren_id,
       CASE WHEN pick.n % 17 = 0 THEN 'rejected'
            WHEN pick.n % 19 = 0 THEN 'withdrawn'
            WHEN pick.year < 2024 AND pick.n % 5 <> 0 THEN 'graduated'
            ELSE 'active' END
  FROM pick
  JOIN programs pr ON pr.year = pick.year AND pr.pillar = pick.pillar AND pr.name LIKE '% ' || pick.k;

UPDATE pesantren p SET cohort_year = c.year
  FROM (SELECT e.pesantren_id, min(pr.year) AS year FROM enrolments e JOIN programs pr ON pr.id = e.program_id
         WHERE e.status <> 'rejected' GROUP BY 1) c
 WHERE p.id = c.pesantren_id;

\echo products
INSERT INTO products (pesantren_id, name, category, price_idr, certifications)
SELECT p.id, 'Produk ' || p.seq || '-' || j,
       (ARRAY['food', 'beverage', 'fashion', 'craft', 'services'])[1 + (p.seq + j) % 5], 10000 + j * 500,
       CASE WHEN (p.seq + j) % 2 = 0 THEN
         jsonb_build_array(jsonb_build_object('type', 'halal', 'number', 'ID' || p.seq || j,
           'issued_on', '2022-01-10',
           'expires_on', CASE WHEN (p.seq + j) % 6 = 0 THEN '2023-01-10' ELSE '2030-01-10' END))
       ELSE '[]'::jsonb END
  FROM pesantren p, generate_series(1, 3) j
 WHERE j <= p.seq % 4;

\echo targets
INSERT INTO targets (indicator_id, period, value)
SELECT i.id, y::text, 1000000 * (1 + i.seq) FROM indicators i, generate_series(2021, 2024) y;
INSERT INTO targets (indicator_id, period, value, region_code)
SELECT i.id, y::text, 30000 * (1 + i.seq), r.code
  FROM indicators i, generate_series(2023, 2024) y, regions r;
INSERT INTO targets (indicator_id, period, value, program_id)
SELECT i.id, pr.year::text, 5000 * (1 + i.seq), pr.id FROM indicators i, programs pr;

-- Measurement n is period n % per of indicator (n / per) % 7 of pesantren
-- n / (per * 7), per = ceil(nm / (np * 7)): every pesantren gets about the
-- same number, newest periods first. Lookups are joins on numbered rows.
\echo measurements
CREATE TEMP TABLE gen_pes AS
SELECT (row_number() OVER (ORDER BY p.seq) - 1)::integer AS n, p.id,
       (SELECT e.program_id FROM enrolments e JOIN programs pr ON pr.id = e.program_id
         WHERE e.pesantren_id = p.id ORDER BY pr.year, pr.seq LIMIT 1) AS program_id
  FROM pesantren p;
CREATE TEMP TABLE gen_ind AS
SELECT (row_number() OVER (ORDER BY seq) - 1)::integer AS n, id FROM indicators
 WHERE code IN ('OMZET', 'ASET', 'SANTRI_TRAINED', 'ALUMNI_TRAINED', 'KOPPONTREN_MEMBERS', 'PRODUCTS_HALAL', 'EMPLOYEES');
CREATE TEMP TABLE gen_period AS
SELECT (row_number() OVER () - 1)::integer AS n, period FROM unnest(
  ARRAY(SELECT to_char(d, 'YYYY-MM') FROM generate_series(date '2024-12-01', date '2023-01-01', interval '-1 month') d)
  || ARRAY['2022-Q4', '2022-Q3', '2022-Q2', '2022-Q1', '2021']
  || ARRAY(SELECT to_char(d, 'YYYY-MM') FROM generate_series(date '2022-12-01', date '2019-01-01', interval '-1 month') d))
  WITH ORDINALITY AS u(period, o);
ANALYZE gen_pes, gen_ind, gen_period;

WITH s AS (
  SELECT n AS i, n % c.per AS k, (n / c.per) % 7 AS ind, n / (c.per * 7) AS pes, (n::bigint * 2654435761) % 100 AS h
    FROM (SELECT ceil(:nm::numeric / (:np * 7))::integer AS per) c, generate_series(0, :nm - 1) n
)
INSERT INTO measurements (indicator_id, pesantren_id, program_id, period, value, status, rejection_reason,
                          created_at, updated_at)
SELECT gi.id, gp.id, CASE WHEN s.pes % 2 = 0 THEN gp.program_id END, pe.period,
       CASE WHEN s.ind < 2 THEN 1000000 + (s.i::bigint * 7919) % 90000000 ELSE (s.i::bigint * 7919) % 250 END,
       CASE WHEN s.h < 88 THEN 'verified' WHEN s.h < 93 THEN 'submitted' WHEN s.h < 97 THEN 'draft'
            ELSE 'rejected' END,
       CASE WHEN s.h >= 97 THEN 'Bukti tidak lengkap' END, now(), now()
  FROM s JOIN gen_pes gp ON gp.n = s.pes JOIN gen_ind gi ON gi.n = s.ind JOIN gen_period pe ON pe.n = s.k;

SET session_replication_role = origin;
\echo rollups
DO $$ BEGIN PERFORM report_rollups_rebuild(); END $$;
\echo analyze
VACUUM ANALYZE;
SQL
