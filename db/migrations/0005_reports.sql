-- Reports: rollups of the counted measurements, kept exact by triggers, so a
-- report reads tens of thousands of small rows instead of millions.
--
-- A measurement counts in a report when it is verified, or also when it is
-- submitted if the caller asks for unverified values; drafts and rejected
-- values never count. Each rollup row therefore carries two sets of figures:
-- ver_* (verified only) and all_* (verified or submitted). A measurement
-- belongs to the year its period starts in.
--
-- report_facts: one row per (year, indicator, pesantren) with at least one
-- verified or submitted value, across every programme (and none).
-- report_program_facts: the same per programme, for measurements made for one.
--   *_n     how many values
--   *_sum   their total
--   *_last  the value of the latest period: greatest period_end, then the
--           finer period (greatest period_start), then the latest recorded (seq)
-- report_totals: report_facts added up per (year, indicator, region, cohort)
-- of the pesantren, so the province, region and cohort reports read a few
-- hundred rows whatever the number of pesantren:
--   *_n, *_sum  the totals of the facts' *_n and *_sum
--   *_last      the total of the facts' *_last (0 for a fact without one)
--   *_pesantren how many facts have at least one value of that kind

CREATE TABLE report_facts (
  year integer NOT NULL,
  indicator_id uuid NOT NULL,
  pesantren_id uuid NOT NULL,
  ver_n integer NOT NULL,
  ver_sum numeric NOT NULL,
  ver_last numeric,
  all_n integer NOT NULL,
  all_sum numeric NOT NULL,
  all_last numeric,
  PRIMARY KEY (year, indicator_id, pesantren_id)
);
CREATE INDEX report_facts_pesantren ON report_facts (pesantren_id);

CREATE TABLE report_program_facts (
  program_id uuid NOT NULL,
  year integer NOT NULL,
  indicator_id uuid NOT NULL,
  pesantren_id uuid NOT NULL,
  ver_n integer NOT NULL,
  ver_sum numeric NOT NULL,
  ver_last numeric,
  all_n integer NOT NULL,
  all_sum numeric NOT NULL,
  all_last numeric,
  PRIMARY KEY (program_id, year, indicator_id, pesantren_id)
);

CREATE TABLE report_totals (
  year integer NOT NULL,
  indicator_id uuid NOT NULL,
  region_code text NOT NULL,
  cohort_year integer,
  ver_n bigint NOT NULL,
  ver_sum numeric NOT NULL,
  ver_last numeric NOT NULL,
  ver_pesantren integer NOT NULL,
  all_n bigint NOT NULL,
  all_sum numeric NOT NULL,
  all_last numeric NOT NULL,
  all_pesantren integer NOT NULL,
  CONSTRAINT report_totals_key UNIQUE NULLS NOT DISTINCT (year, indicator_id, region_code, cohort_year)
);
CREATE INDEX report_totals_indicator ON report_totals (indicator_id, year);

-- Finds the measurements of one rollup cell directly.
CREATE INDEX measurements_report_cell ON measurements (pesantren_id, indicator_id, period_start);

-- The figures of one rollup cell computed from the measurements: of pesantren
-- pes for indicator ind in year yr, of programme prog (or every programme and
-- none when prog is null). No row when nothing counts.
CREATE FUNCTION report_cell(ind uuid, pes uuid, prog uuid, yr integer)
RETURNS TABLE (ver_n integer, ver_sum numeric, ver_last numeric, all_n integer, all_sum numeric, all_last numeric)
LANGUAGE sql STABLE AS $$
  SELECT (count(*) FILTER (WHERE m.status = 'verified'))::integer,
         coalesce(sum(m.value) FILTER (WHERE m.status = 'verified'), 0),
         (array_agg(m.value ORDER BY m.period_end DESC, m.period_start DESC, m.seq DESC)
            FILTER (WHERE m.status = 'verified'))[1],
         count(*)::integer,
         sum(m.value),
         (array_agg(m.value ORDER BY m.period_end DESC, m.period_start DESC, m.seq DESC))[1]
    FROM measurements m
   WHERE m.indicator_id = ind AND m.pesantren_id = pes AND (prog IS NULL OR m.program_id = prog)
     AND m.period_start >= make_date(yr, 1, 1) AND m.period_start < make_date(yr + 1, 1, 1)
     AND m.status IN ('verified', 'submitted')
  HAVING count(*) > 0
$$;

-- A rollup cell touched by a write: (indicator, pesantren, programme or null, year).
CREATE TYPE report_key AS (indicator_id uuid, pesantren_id uuid, program_id uuid, year integer);

-- Recomputes the rollup rows of keys from the measurements. Writers of the
-- same (indicator, pesantren, year) are serialised until commit before they
-- read, and each statement below reads a fresh snapshot, so a value committed
-- by another transaction meanwhile is never lost. A few cells are locked one
-- by one (transaction advisory locks, so writers of other pesantren go on);
-- a bulk change takes the whole rollup instead, as thousands of cell locks
-- would exhaust the lock table. The table lock is taken first in both cases,
-- so the two kinds of writers wait for each other and never deadlock.
CREATE FUNCTION report_facts_refresh(keys report_key[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  cells integer;
BEGIN
  SELECT count(*) INTO cells FROM (SELECT DISTINCT indicator_id, pesantren_id, year FROM unnest(keys)) k;
  IF cells = 0 THEN
    RETURN;
  ELSIF cells > 100 THEN
    LOCK TABLE report_facts IN SHARE ROW EXCLUSIVE MODE;
  ELSE
    LOCK TABLE report_facts IN ROW EXCLUSIVE MODE;
    PERFORM pg_advisory_xact_lock(hashtext('report_facts'),
                                  hashtext(k.indicator_id::text || k.pesantren_id::text || k.year::text))
       FROM (SELECT DISTINCT indicator_id, pesantren_id, year FROM unnest(keys)
              ORDER BY indicator_id, pesantren_id, year) k;
  END IF;

  WITH k AS (SELECT DISTINCT year, indicator_id, pesantren_id FROM unnest(keys)),
  fresh AS (
    SELECT k.year, k.indicator_id, k.pesantren_id, f.ver_n, f.ver_sum, f.ver_last, f.all_n, f.all_sum, f.all_last
      FROM k LEFT JOIN LATERAL report_cell(k.indicator_id, k.pesantren_id, NULL, k.year) f ON true
  ),
  gone AS (
    DELETE FROM report_facts r USING fresh
     WHERE fresh.all_n IS NULL
       AND (r.year, r.indicator_id, r.pesantren_id) = (fresh.year, fresh.indicator_id, fresh.pesantren_id)
  )
  INSERT INTO report_facts
  SELECT * FROM fresh WHERE all_n IS NOT NULL
  ON CONFLICT (year, indicator_id, pesantren_id) DO UPDATE
     SET ver_n = EXCLUDED.ver_n, ver_sum = EXCLUDED.ver_sum, ver_last = EXCLUDED.ver_last,
         all_n = EXCLUDED.all_n, all_sum = EXCLUDED.all_sum, all_last = EXCLUDED.all_last;

  WITH k AS (SELECT DISTINCT program_id, year, indicator_id, pesantren_id FROM unnest(keys)
              WHERE program_id IS NOT NULL),
  fresh AS (
    SELECT k.program_id, k.year, k.indicator_id, k.pesantren_id,
           f.ver_n, f.ver_sum, f.ver_last, f.all_n, f.all_sum, f.all_last
      FROM k LEFT JOIN LATERAL report_cell(k.indicator_id, k.pesantren_id, k.program_id, k.year) f ON true
  ),
  gone AS (
    DELETE FROM report_program_facts r USING fresh
     WHERE fresh.all_n IS NULL
       AND (r.program_id, r.year, r.indicator_id, r.pesantren_id)
         = (fresh.program_id, fresh.year, fresh.indicator_id, fresh.pesantren_id)
  )
  INSERT INTO report_program_facts
  SELECT * FROM fresh WHERE all_n IS NOT NULL
  ON CONFLICT (program_id, year, indicator_id, pesantren_id) DO UPDATE
     SET ver_n = EXCLUDED.ver_n, ver_sum = EXCLUDED.ver_sum, ver_last = EXCLUDED.ver_last,
         all_n = EXCLUDED.all_n, all_sum = EXCLUDED.all_sum, all_last = EXCLUDED.all_last;
END $$;

-- Statement-level, so a bulk update recomputes each touched cell once. Drafts
-- and rejected values are outside every rollup: writes that neither make nor
-- leave a counted value cost one empty scan of the transition table.
CREATE FUNCTION report_facts_key(m measurements) RETURNS report_key
LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(m.indicator_id, m.pesantren_id, m.program_id, extract(year FROM m.period_start)::integer)::report_key
$$;

CREATE FUNCTION report_facts_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_facts_refresh(ARRAY(
    SELECT report_facts_key(n) FROM new_rows n WHERE n.status IN ('verified', 'submitted')));
  RETURN NULL;
END $$;

CREATE FUNCTION report_facts_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_facts_refresh(ARRAY(
    SELECT report_facts_key(o) FROM old_rows o WHERE o.status IN ('verified', 'submitted')));
  RETURN NULL;
END $$;

CREATE FUNCTION report_facts_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_facts_refresh(ARRAY(
    SELECT k FROM old_rows o JOIN new_rows n ON n.id = o.id
           CROSS JOIN LATERAL (VALUES (report_facts_key(o)), (report_facts_key(n))) AS v(k)
     WHERE (o.status IN ('verified', 'submitted') OR n.status IN ('verified', 'submitted'))
       AND (o.status, o.value, o.period, o.indicator_id, o.pesantren_id, o.program_id)
           IS DISTINCT FROM (n.status, n.value, n.period, n.indicator_id, n.pesantren_id, n.program_id)));
  RETURN NULL;
END $$;

CREATE FUNCTION report_facts_after_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE report_facts, report_program_facts, report_totals;
  RETURN NULL;
END $$;

CREATE TRIGGER report_facts_insert AFTER INSERT ON measurements
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_facts_after_insert();
CREATE TRIGGER report_facts_update AFTER UPDATE ON measurements
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_facts_after_update();
CREATE TRIGGER report_facts_delete AFTER DELETE ON measurements
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_facts_after_delete();
CREATE TRIGGER report_facts_truncate AFTER TRUNCATE ON measurements
  FOR EACH STATEMENT EXECUTE FUNCTION report_facts_after_truncate();


-- report_totals follows report_facts: every change of a fact is added to the
-- totals of its (year, indicator, region, cohort) as a difference, old row
-- subtracted, new row added, so concurrent writers add up instead of
-- overwriting each other. The pesantren rows are share-locked while their
-- region and cohort are read, so a pesantren that moves (below) is moved with
-- every fact committed before, and a fact committed after lands where it went.
CREATE TYPE report_placed AS (fact report_facts, region_code text, cohort_year integer);

CREATE FUNCTION report_totals_add(placed report_placed[], sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_totals AS t
  SELECT (p.fact).year, (p.fact).indicator_id, p.region_code, p.cohort_year,
         sign * sum((p.fact).ver_n), sign * sum((p.fact).ver_sum), sign * sum(coalesce((p.fact).ver_last, 0)),
         sign * count(*) FILTER (WHERE (p.fact).ver_n > 0),
         sign * sum((p.fact).all_n), sign * sum((p.fact).all_sum), sign * sum(coalesce((p.fact).all_last, 0)),
         sign * count(*) FILTER (WHERE (p.fact).all_n > 0)
    FROM unnest(placed) p
   GROUP BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT report_totals_key DO UPDATE
     SET ver_n = t.ver_n + EXCLUDED.ver_n, ver_sum = t.ver_sum + EXCLUDED.ver_sum,
         ver_last = t.ver_last + EXCLUDED.ver_last, ver_pesantren = t.ver_pesantren + EXCLUDED.ver_pesantren,
         all_n = t.all_n + EXCLUDED.all_n, all_sum = t.all_sum + EXCLUDED.all_sum,
         all_last = t.all_last + EXCLUDED.all_last, all_pesantren = t.all_pesantren + EXCLUDED.all_pesantren
$$;

CREATE FUNCTION report_totals_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(n, p.region_code, p.cohort_year)::report_placed
      FROM new_facts n JOIN pesantren p ON p.id = n.pesantren_id FOR SHARE OF p), 1);
  RETURN NULL;
END $$;

CREATE FUNCTION report_totals_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(o, p.region_code, p.cohort_year)::report_placed
      FROM old_facts o JOIN pesantren p ON p.id = o.pesantren_id FOR SHARE OF p), -1);
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(n, p.region_code, p.cohort_year)::report_placed
      FROM new_facts n JOIN pesantren p ON p.id = n.pesantren_id), 1);
  RETURN NULL;
END $$;

CREATE FUNCTION report_totals_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(o, p.region_code, p.cohort_year)::report_placed
      FROM old_facts o JOIN pesantren p ON p.id = o.pesantren_id FOR SHARE OF p), -1);
  RETURN NULL;
END $$;

CREATE TRIGGER report_totals_insert AFTER INSERT ON report_facts
  REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION report_totals_after_insert();
CREATE TRIGGER report_totals_update AFTER UPDATE ON report_facts
  REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION report_totals_after_update();
CREATE TRIGGER report_totals_delete AFTER DELETE ON report_facts
  REFERENCING OLD TABLE AS old_facts FOR EACH STATEMENT EXECUTE FUNCTION report_totals_after_delete();

-- A pesantren that changes region or cohort takes its facts along.
CREATE FUNCTION report_totals_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(f, OLD.region_code, OLD.cohort_year)::report_placed FROM report_facts f WHERE f.pesantren_id = OLD.id), -1);
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(f, NEW.region_code, NEW.cohort_year)::report_placed FROM report_facts f WHERE f.pesantren_id = NEW.id), 1);
  RETURN NULL;
END $$;
CREATE TRIGGER report_totals_move AFTER UPDATE OF region_code, cohort_year ON pesantren
  FOR EACH ROW WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.cohort_year IS DISTINCT FROM NEW.cohort_year)
  EXECUTE FUNCTION report_totals_move();

-- A numeric as a JSON number a client can parse: whole numbers up to 2^63 as
-- integers, anything else as the nearest double.
CREATE FUNCTION report_num(x numeric) RETURNS json
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN x IS NULL THEN NULL
    WHEN x = trunc(x) AND abs(x) < 9000000000000000000 THEN to_json(x::bigint)
    ELSE to_json(x::double precision)
  END
$$;

-- An indicator's actual from the totals of the counted values: sum is their
-- total (0 without any), avg is their mean, last is the total over pesantren
-- of each pesantren's latest value; avg and last are null without values.
CREATE FUNCTION report_actual(aggregation text, total numeric, n numeric, last_total numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE aggregation
    WHEN 'sum' THEN coalesce(total, 0)
    WHEN 'avg' THEN total / nullif(n, 0)
    ELSE last_total
  END
$$;

-- actual / target x 100 (target / actual x 100 when lower is better), rounded
-- half away from zero to 2 decimals; null without a target, without an actual,
-- or when the divisor is 0.
CREATE FUNCTION report_pct(actual numeric, target numeric, higher_is_better boolean) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN higher_is_better THEN round(actual * 100 / nullif(target, 0), 2)
    ELSE round(target * 100 / nullif(actual, 0), 2)
  END
$$;

-- Products as the pillars report counts them: the last day a product holds a
-- certification in force ('infinity' when one never expires, null without
-- any). A certification is in force until its expiry day has passed in WIB,
-- as product_json says, so a product is certified today when
-- certified_until >= opop_today_wib(); reading the certifications of every
-- product at each report would cost more than the rest of the report.
CREATE TABLE report_products (
  product_id uuid PRIMARY KEY,
  pesantren_id uuid NOT NULL,
  certified_until date
);
CREATE INDEX report_products_pesantren ON report_products (pesantren_id);

CREATE FUNCTION report_certified_until(certifications jsonb) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT max(coalesce((c->>'expires_on')::date, 'infinity'::date)) FROM jsonb_array_elements(certifications) c
$$;

CREATE FUNCTION report_products_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM report_products WHERE product_id = OLD.id;
  ELSE
    INSERT INTO report_products VALUES (NEW.id, NEW.pesantren_id, report_certified_until(NEW.certifications))
    ON CONFLICT (product_id) DO UPDATE SET pesantren_id = EXCLUDED.pesantren_id, certified_until = EXCLUDED.certified_until;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER report_products_sync AFTER INSERT OR DELETE OR UPDATE OF pesantren_id, certifications ON products
  FOR EACH ROW EXECUTE FUNCTION report_products_sync();

-- Rebuilds every rollup from scratch (after a bulk load with triggers off).
CREATE FUNCTION report_rollups_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE measurements, pesantren, products IN SHARE MODE;
  TRUNCATE report_facts, report_program_facts, report_totals, report_products;
  PERFORM report_facts_refresh(ARRAY(
    SELECT DISTINCT report_facts_key(m) FROM measurements m WHERE m.status IN ('verified', 'submitted')));
  INSERT INTO report_products SELECT id, pesantren_id, report_certified_until(certifications) FROM products;
END $$;
