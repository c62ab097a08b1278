-- Reports: rollups of the counted measurements, kept exact by triggers, so a
-- report reads a few hundred small rows instead of millions of measurements.
--
-- A measurement counts in a report when it is verified, or also when it is
-- submitted if the caller asks for unverified values; drafts and rejected
-- values never count. Every rollup row therefore carries two sets of figures:
-- ver_* (verified only) and all_* (verified or submitted). A measurement
-- belongs to the year its period starts in.
--
-- report_facts: one row per (year, indicator, pesantren, programme) with at
-- least one verified or submitted value; programme null stands for every
-- programme and none, so each pesantren has that row beside one per programme
-- its measurements name.
--   *_n     how many values
--   *_sum   their total
--   *_last  the value of the latest period: greatest period_end, then the
--           finer period (greatest period_start), then the latest recorded (seq)
-- report_totals: report_facts added up per (programme, year, indicator,
-- region, cohort) of the pesantren, so the province, region, cohort and
-- programme figures read a few hundred rows whatever the number of pesantren:
--   *_n, *_sum  the totals of the facts' *_n and *_sum
--   *_last      the total of the facts' *_last (0 for a fact without one)
--   *_pesantren how many facts have at least one value of that kind
-- report_products: per product, the last day it holds a certification.
-- report_cohorts: how many pesantren each cohort has.
-- report_members, report_pillars, report_pillar_certified: who belongs to
-- each pillar in each year, and what they add up to (see "pillars" below).

CREATE TABLE report_facts (
  year integer NOT NULL,
  indicator_id uuid NOT NULL,
  pesantren_id uuid NOT NULL,
  program_id uuid,
  ver_n integer NOT NULL,
  ver_sum numeric NOT NULL,
  ver_last numeric,
  all_n integer NOT NULL,
  all_sum numeric NOT NULL,
  all_last numeric,
  CONSTRAINT report_facts_key UNIQUE NULLS NOT DISTINCT (year, indicator_id, pesantren_id, program_id)
);
CREATE INDEX report_facts_pesantren ON report_facts (pesantren_id);

CREATE TABLE report_totals (
  program_id uuid,
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
  CONSTRAINT report_totals_key UNIQUE NULLS NOT DISTINCT (program_id, year, indicator_id, region_code, cohort_year)
);
CREATE INDEX report_totals_indicator ON report_totals (indicator_id, year) WHERE program_id IS NULL;

-- ---- facts, from the measurements ----

-- Finds the measurements of one fact directly.
CREATE INDEX measurements_report_cell ON measurements (pesantren_id, indicator_id, period_start);

-- The figures of one fact computed from the measurements: of pesantren pes
-- for indicator ind in year yr, of programme prog (of every programme and none
-- when prog is null). No row when nothing counts.
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

-- What a measurement touches: (indicator, pesantren, programme or null, year).
CREATE TYPE report_key AS (indicator_id uuid, pesantren_id uuid, program_id uuid, year integer);

CREATE FUNCTION report_key_of(m measurements) RETURNS report_key
LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(m.indicator_id, m.pesantren_id, m.program_id, extract(year FROM m.period_start)::integer)::report_key
$$;

-- Recomputes the facts of keys from the measurements: the all-programme fact
-- of each (year, indicator, pesantren) and the fact of each named programme.
-- Writers of the same (indicator, pesantren, year) are serialised until commit
-- before they read, and each statement below reads a fresh snapshot, so a
-- value committed by another transaction meanwhile is never lost. A few cells
-- are locked one by one (transaction advisory locks, so writers of other
-- pesantren go on); a bulk change takes the whole table instead, as thousands
-- of cell locks would exhaust the lock table. The table lock comes first in
-- both cases, so the two kinds of writers wait for each other in one order.
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

  WITH k AS (
    SELECT year, indicator_id, pesantren_id, NULL::uuid AS program_id FROM unnest(keys)
    UNION
    SELECT year, indicator_id, pesantren_id, program_id FROM unnest(keys) WHERE program_id IS NOT NULL
  ),
  fresh AS (
    SELECT k.year, k.indicator_id, k.pesantren_id, k.program_id,
           f.ver_n, f.ver_sum, f.ver_last, f.all_n, f.all_sum, f.all_last
      FROM k LEFT JOIN LATERAL report_cell(k.indicator_id, k.pesantren_id, k.program_id, k.year) f ON true
  ),
  gone AS (
    DELETE FROM report_facts r USING fresh
     WHERE fresh.all_n IS NULL AND r.year = fresh.year AND r.indicator_id = fresh.indicator_id
       AND r.pesantren_id = fresh.pesantren_id AND r.program_id IS NOT DISTINCT FROM fresh.program_id
  )
  INSERT INTO report_facts
  SELECT * FROM fresh WHERE all_n IS NOT NULL
  ON CONFLICT ON CONSTRAINT report_facts_key DO UPDATE
     SET ver_n = EXCLUDED.ver_n, ver_sum = EXCLUDED.ver_sum, ver_last = EXCLUDED.ver_last,
         all_n = EXCLUDED.all_n, all_sum = EXCLUDED.all_sum, all_last = EXCLUDED.all_last;
END $$;

-- Statement-level, so a bulk change recomputes each touched fact once. Drafts
-- and rejected values are outside every rollup: writes that neither make nor
-- leave a counted value cost one empty scan of the transition table.
CREATE FUNCTION report_measurements_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_facts_refresh(ARRAY(
    SELECT report_key_of(n) FROM new_rows n WHERE n.status IN ('verified', 'submitted')));
  RETURN NULL;
END $$;

CREATE FUNCTION report_measurements_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_facts_refresh(ARRAY(
    SELECT report_key_of(o) FROM old_rows o WHERE o.status IN ('verified', 'submitted')));
  RETURN NULL;
END $$;

CREATE FUNCTION report_measurements_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_facts_refresh(ARRAY(
    SELECT k FROM old_rows o JOIN new_rows n ON n.id = o.id
           CROSS JOIN LATERAL (VALUES (report_key_of(o)), (report_key_of(n))) AS v(k)
     WHERE (o.status IN ('verified', 'submitted') OR n.status IN ('verified', 'submitted'))
       AND (o.status, o.value, o.period, o.indicator_id, o.pesantren_id, o.program_id)
           IS DISTINCT FROM (n.status, n.value, n.period, n.indicator_id, n.pesantren_id, n.program_id)));
  RETURN NULL;
END $$;

CREATE FUNCTION report_measurements_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE report_facts, report_totals;
  UPDATE report_pillars SET ver_n = 0, ver_sum = 0, ver_last = 0, ver_pesantren = 0,
                            all_n = 0, all_sum = 0, all_last = 0, all_pesantren = 0;
  RETURN NULL;
END $$;

CREATE TRIGGER report_measurements_insert AFTER INSERT ON measurements
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_measurements_inserted();
CREATE TRIGGER report_measurements_update AFTER UPDATE ON measurements
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_measurements_updated();
CREATE TRIGGER report_measurements_delete AFTER DELETE ON measurements
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_measurements_deleted();
CREATE TRIGGER report_measurements_truncate AFTER TRUNCATE ON measurements
  FOR EACH STATEMENT EXECUTE FUNCTION report_measurements_truncated();

-- ---- totals and pillars, from the facts ----

-- Every change of a fact is added to the totals of its (programme, year,
-- indicator, region, cohort) as a difference, old row subtracted, new row
-- added, so concurrent writers add up instead of overwriting each other; a
-- SANTRI_TRAINED fact likewise to the pillars its pesantren belongs to in
-- that year (report_pillars, below).
--
-- Whatever is kept per pesantren (its facts, products, region, cohort and
-- pillar memberships) is changed only by a transaction holding the
-- pesantren's row lock (FOR NO KEY UPDATE, which foreign-key checks do not
-- wait for), so the figures of one pesantren are added up one transaction at
-- a time and each reads what the one before committed.
CREATE FUNCTION report_lock_pesantren(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  SELECT count(*) FROM (SELECT 1 FROM pesantren WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE) AS locked
$$;

CREATE TYPE report_placed AS (fact report_facts, region_code text, cohort_year integer);

CREATE FUNCTION report_totals_add(placed report_placed[], sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_totals AS t
  SELECT (p.fact).program_id, (p.fact).year, (p.fact).indicator_id, p.region_code, p.cohort_year,
         sign * sum((p.fact).ver_n), sign * sum((p.fact).ver_sum), sign * sum(coalesce((p.fact).ver_last, 0)),
         sign * count(*) FILTER (WHERE (p.fact).ver_n > 0),
         sign * sum((p.fact).all_n), sign * sum((p.fact).all_sum), sign * sum(coalesce((p.fact).all_last, 0)),
         sign * count(*) FILTER (WHERE (p.fact).all_n > 0)
    FROM unnest(placed) p
   GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT report_totals_key DO UPDATE
     SET ver_n = t.ver_n + EXCLUDED.ver_n, ver_sum = t.ver_sum + EXCLUDED.ver_sum,
         ver_last = t.ver_last + EXCLUDED.ver_last, ver_pesantren = t.ver_pesantren + EXCLUDED.ver_pesantren,
         all_n = t.all_n + EXCLUDED.all_n, all_sum = t.all_sum + EXCLUDED.all_sum,
         all_last = t.all_last + EXCLUDED.all_last, all_pesantren = t.all_pesantren + EXCLUDED.all_pesantren
$$;

-- The facts placed where their pesantren are now.
CREATE FUNCTION report_place(facts report_facts[]) RETURNS report_placed[]
LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT ROW(f, p.region_code, p.cohort_year)::report_placed
                 FROM unnest(facts) f JOIN pesantren p ON p.id = f.pesantren_id)
$$;

-- Adds sign x the facts to the totals and to the pillars.
CREATE FUNCTION report_facts_add(facts report_facts[], sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_totals_add(report_place(facts), sign);
  PERFORM report_pillars_santri(facts, sign);
END $$;

CREATE FUNCTION report_facts_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_lock_pesantren(ARRAY(SELECT DISTINCT pesantren_id FROM new_facts));
  PERFORM report_facts_add(ARRAY(SELECT n::report_facts FROM new_facts n), 1);
  RETURN NULL;
END $$;

CREATE FUNCTION report_facts_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_lock_pesantren(ARRAY(SELECT DISTINCT pesantren_id FROM old_facts));
  PERFORM report_facts_add(ARRAY(SELECT o::report_facts FROM old_facts o), -1);
  PERFORM report_facts_add(ARRAY(SELECT n::report_facts FROM new_facts n), 1);
  RETURN NULL;
END $$;

CREATE FUNCTION report_facts_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_lock_pesantren(ARRAY(SELECT DISTINCT pesantren_id FROM old_facts));
  PERFORM report_facts_add(ARRAY(SELECT o::report_facts FROM old_facts o), -1);
  RETURN NULL;
END $$;

CREATE TRIGGER report_facts_insert AFTER INSERT ON report_facts
  REFERENCING NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION report_facts_inserted();
CREATE TRIGGER report_facts_update AFTER UPDATE ON report_facts
  REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts FOR EACH STATEMENT EXECUTE FUNCTION report_facts_updated();
CREATE TRIGGER report_facts_delete AFTER DELETE ON report_facts
  REFERENCING OLD TABLE AS old_facts FOR EACH STATEMENT EXECUTE FUNCTION report_facts_deleted();

-- A pesantren that changes region or cohort takes its facts along (the
-- update holds its row lock).
CREATE FUNCTION report_pesantren_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(f, OLD.region_code, OLD.cohort_year)::report_placed FROM report_facts f WHERE f.pesantren_id = OLD.id), -1);
  PERFORM report_totals_add(ARRAY(
    SELECT ROW(f, NEW.region_code, NEW.cohort_year)::report_placed FROM report_facts f WHERE f.pesantren_id = NEW.id), 1);
  RETURN NULL;
END $$;
CREATE TRIGGER report_pesantren_move AFTER UPDATE OF region_code, cohort_year ON pesantren
  FOR EACH ROW WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.cohort_year IS DISTINCT FROM NEW.cohort_year)
  EXECUTE FUNCTION report_pesantren_moved();

-- ---- cohorts ----

-- How many pesantren each cohort has, kept as pesantren come, go and change
-- cohort.
CREATE TABLE report_cohorts (
  cohort_year integer PRIMARY KEY,
  pesantren integer NOT NULL
);

CREATE FUNCTION report_cohorts_count(cohort integer, sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_cohorts AS c SELECT cohort, sign WHERE cohort IS NOT NULL
  ON CONFLICT (cohort_year) DO UPDATE SET pesantren = c.pesantren + EXCLUDED.pesantren
$$;

CREATE FUNCTION report_cohorts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM report_cohorts_count(OLD.cohort_year, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM report_cohorts_count(NEW.cohort_year, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER report_cohorts_change AFTER INSERT OR DELETE OR UPDATE OF cohort_year ON pesantren
  FOR EACH ROW EXECUTE FUNCTION report_cohorts_changed();

-- ---- products ----

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

-- ---- pillars ----

-- The pesantren of a pillar in a year: enrolled, in any status but rejected,
-- in a programme of that pillar and year; graduated when one of those
-- enrolments is.
CREATE TABLE report_members (
  pesantren_id uuid NOT NULL,
  year integer NOT NULL,
  pillar text NOT NULL,
  graduated boolean NOT NULL,
  PRIMARY KEY (pesantren_id, year, pillar)
);

-- Per pillar and year, what its pesantren add up to: how many, how many
-- graduated, their products, and their SANTRI_TRAINED facts of the year
-- (*_n, *_sum, *_last, *_pesantren as in report_totals); certified products
-- are counted per last day in force in report_pillar_certified.
CREATE TABLE report_pillars (
  year integer NOT NULL,
  pillar text NOT NULL,
  enrolled integer NOT NULL,
  graduated integer NOT NULL,
  products integer NOT NULL,
  ver_n bigint NOT NULL,
  ver_sum numeric NOT NULL,
  ver_last numeric NOT NULL,
  ver_pesantren integer NOT NULL,
  all_n bigint NOT NULL,
  all_sum numeric NOT NULL,
  all_last numeric NOT NULL,
  all_pesantren integer NOT NULL,
  PRIMARY KEY (year, pillar)
);

CREATE TABLE report_pillar_certified (
  year integer NOT NULL,
  pillar text NOT NULL,
  certified_until date NOT NULL,
  products integer NOT NULL,
  PRIMARY KEY (year, pillar, certified_until)
);

CREATE FUNCTION report_santri_id() RETURNS uuid
LANGUAGE sql STABLE AS $$ SELECT id FROM indicators WHERE code = 'SANTRI_TRAINED' $$;

-- Adds sign x the SANTRI_TRAINED facts (of every programme) to the pillars
-- their pesantren belong to in the fact's year.
CREATE FUNCTION report_pillars_santri(facts report_facts[], sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_pillars AS t
  SELECT m.year, m.pillar, 0, 0, 0,
         sign * sum(f.ver_n), sign * sum(f.ver_sum), sign * sum(coalesce(f.ver_last, 0)),
         sign * count(*) FILTER (WHERE f.ver_n > 0),
         sign * sum(f.all_n), sign * sum(f.all_sum), sign * sum(coalesce(f.all_last, 0)),
         sign * count(*) FILTER (WHERE f.all_n > 0)
    FROM unnest(facts) f JOIN report_members m ON m.pesantren_id = f.pesantren_id AND m.year = f.year
   WHERE f.program_id IS NULL AND f.indicator_id = report_santri_id()
   GROUP BY m.year, m.pillar
  ON CONFLICT (year, pillar) DO UPDATE
     SET ver_n = t.ver_n + EXCLUDED.ver_n, ver_sum = t.ver_sum + EXCLUDED.ver_sum,
         ver_last = t.ver_last + EXCLUDED.ver_last, ver_pesantren = t.ver_pesantren + EXCLUDED.ver_pesantren,
         all_n = t.all_n + EXCLUDED.all_n, all_sum = t.all_sum + EXCLUDED.all_sum,
         all_last = t.all_last + EXCLUDED.all_last, all_pesantren = t.all_pesantren + EXCLUDED.all_pesantren
$$;

-- Adds sign x one product of pesantren pes to the pillars it belongs to.
CREATE FUNCTION report_pillars_product(pes uuid, certified_until date, sign integer) RETURNS void
LANGUAGE sql AS $$
  UPDATE report_pillars t SET products = t.products + sign
    FROM report_members m WHERE m.pesantren_id = pes AND (t.year, t.pillar) = (m.year, m.pillar);
  INSERT INTO report_pillar_certified AS c
  SELECT m.year, m.pillar, certified_until, sign FROM report_members m
   WHERE m.pesantren_id = pes AND certified_until IS NOT NULL
  ON CONFLICT (year, pillar, certified_until) DO UPDATE SET products = c.products + EXCLUDED.products
$$;

-- Adds sign x everything members bring to their pillar and year: themselves,
-- their products and their SANTRI_TRAINED facts of the year.
CREATE FUNCTION report_pillars_add(members report_members[], sign integer) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO report_pillar_certified AS c
  SELECT m.year, m.pillar, p.certified_until, sign * count(*)
    FROM unnest(members) m JOIN report_products p ON p.pesantren_id = m.pesantren_id
   WHERE p.certified_until IS NOT NULL
   GROUP BY 1, 2, 3
  ON CONFLICT (year, pillar, certified_until) DO UPDATE SET products = c.products + EXCLUDED.products;

  INSERT INTO report_pillars AS t
  SELECT m.year, m.pillar, sign * count(*), sign * count(*) FILTER (WHERE m.graduated),
         sign * coalesce(sum((SELECT count(*) FROM report_products p WHERE p.pesantren_id = m.pesantren_id)), 0),
         sign * coalesce(sum(f.ver_n), 0), sign * coalesce(sum(f.ver_sum), 0), sign * coalesce(sum(f.ver_last), 0),
         sign * count(f.*) FILTER (WHERE f.ver_n > 0),
         sign * coalesce(sum(f.all_n), 0), sign * coalesce(sum(f.all_sum), 0), sign * coalesce(sum(f.all_last), 0),
         sign * count(f.*) FILTER (WHERE f.all_n > 0)
    FROM unnest(members) m
    LEFT JOIN report_facts f ON f.pesantren_id = m.pesantren_id AND f.year = m.year AND f.program_id IS NULL
         AND f.indicator_id = report_santri_id()
   GROUP BY m.year, m.pillar
  ON CONFLICT (year, pillar) DO UPDATE
     SET enrolled = t.enrolled + EXCLUDED.enrolled, graduated = t.graduated + EXCLUDED.graduated,
         products = t.products + EXCLUDED.products,
         ver_n = t.ver_n + EXCLUDED.ver_n, ver_sum = t.ver_sum + EXCLUDED.ver_sum,
         ver_last = t.ver_last + EXCLUDED.ver_last, ver_pesantren = t.ver_pesantren + EXCLUDED.ver_pesantren,
         all_n = t.all_n + EXCLUDED.all_n, all_sum = t.all_sum + EXCLUDED.all_sum,
         all_last = t.all_last + EXCLUDED.all_last, all_pesantren = t.all_pesantren + EXCLUDED.all_pesantren
$$;

-- Takes the memberships of pesantren pes out with what they bring, reads them
-- again from the enrolments, and puts them back in.
CREATE FUNCTION report_members_sync(pes uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_lock_pesantren(ARRAY[pes]);
  PERFORM report_pillars_add(ARRAY(SELECT m FROM report_members m WHERE m.pesantren_id = pes), -1);
  DELETE FROM report_members WHERE pesantren_id = pes;
  INSERT INTO report_members
  SELECT e.pesantren_id, pr.year, pr.pillar, bool_or(e.status = 'graduated')
    FROM enrolments e JOIN programs pr ON pr.id = e.program_id
   WHERE e.pesantren_id = pes AND e.status <> 'rejected'
   GROUP BY e.pesantren_id, pr.year, pr.pillar;
  PERFORM report_pillars_add(ARRAY(SELECT m FROM report_members m WHERE m.pesantren_id = pes), 1);
END $$;

CREATE FUNCTION report_enrolments_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM report_members_sync(OLD.pesantren_id);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.pesantren_id IS DISTINCT FROM OLD.pesantren_id) THEN
    PERFORM report_members_sync(NEW.pesantren_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER report_enrolments_change AFTER INSERT OR DELETE OR UPDATE OF status, program_id, pesantren_id
  ON enrolments FOR EACH ROW EXECUTE FUNCTION report_enrolments_changed();

CREATE FUNCTION report_programs_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_members_sync(e.pesantren_id) FROM enrolments e WHERE e.program_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER report_programs_change AFTER UPDATE OF year, pillar ON programs
  FOR EACH ROW WHEN (OLD.year IS DISTINCT FROM NEW.year OR OLD.pillar IS DISTINCT FROM NEW.pillar)
  EXECUTE FUNCTION report_programs_changed();

CREATE FUNCTION report_products_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  gone report_products;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM report_lock_pesantren(ARRAY[OLD.pesantren_id]);
    DELETE FROM report_products WHERE product_id = OLD.id RETURNING * INTO gone;
    IF FOUND THEN
      PERFORM report_pillars_product(gone.pesantren_id, gone.certified_until, -1);
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM report_lock_pesantren(ARRAY[NEW.pesantren_id]);
    INSERT INTO report_products VALUES (NEW.id, NEW.pesantren_id, report_certified_until(NEW.certifications));
    PERFORM report_pillars_product(NEW.pesantren_id, report_certified_until(NEW.certifications), 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER report_products_change AFTER INSERT OR DELETE OR UPDATE OF pesantren_id, certifications ON products
  FOR EACH ROW EXECUTE FUNCTION report_products_changed();

-- Rebuilds every rollup from scratch (after a bulk load with triggers off):
-- the facts (and their totals) first, then the products, then the members
-- with everything they bring.
CREATE FUNCTION report_rollups_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE measurements, pesantren, products, enrolments, programs IN SHARE MODE;
  TRUNCATE report_facts, report_totals, report_cohorts, report_products, report_members, report_pillars,
           report_pillar_certified;
  INSERT INTO report_cohorts
  SELECT cohort_year, count(*) FROM pesantren WHERE cohort_year IS NOT NULL GROUP BY cohort_year;
  PERFORM report_facts_refresh(ARRAY(
    SELECT DISTINCT report_key_of(m) FROM measurements m WHERE m.status IN ('verified', 'submitted')));
  INSERT INTO report_products SELECT id, pesantren_id, report_certified_until(certifications) FROM products;
  INSERT INTO report_members
  SELECT e.pesantren_id, pr.year, pr.pillar, bool_or(e.status = 'graduated')
    FROM enrolments e JOIN programs pr ON pr.id = e.program_id
   WHERE e.status <> 'rejected'
   GROUP BY e.pesantren_id, pr.year, pr.pillar;
  PERFORM report_pillars_add(ARRAY(SELECT m FROM report_members m), 1);
END $$;

-- ---- what the reports read ----

-- The totals and the pillars with the figures a report counts: verified
-- values only, or also the submitted ones when unverified is true. Plain SQL,
-- so the planner inlines them and the conditions of a report reach the
-- indexes.
CREATE FUNCTION report_totals_counted(unverified boolean)
RETURNS TABLE (program_id uuid, year integer, indicator_id uuid, region_code text, cohort_year integer,
               n bigint, total numeric, last_total numeric, pesantren integer)
LANGUAGE sql STABLE AS $$
  SELECT t.program_id, t.year, t.indicator_id, t.region_code, t.cohort_year,
         CASE WHEN unverified THEN t.all_n ELSE t.ver_n END,
         CASE WHEN unverified THEN t.all_sum ELSE t.ver_sum END,
         CASE WHEN unverified THEN t.all_last ELSE t.ver_last END,
         CASE WHEN unverified THEN t.all_pesantren ELSE t.ver_pesantren END
    FROM report_totals t
$$;

CREATE FUNCTION report_pillars_counted(unverified boolean)
RETURNS TABLE (year integer, pillar text, enrolled integer, graduated integer, products integer,
               n bigint, total numeric, last_total numeric, pesantren integer)
LANGUAGE sql STABLE AS $$
  SELECT p.year, p.pillar, p.enrolled, p.graduated, p.products,
         CASE WHEN unverified THEN p.all_n ELSE p.ver_n END,
         CASE WHEN unverified THEN p.all_sum ELSE p.ver_sum END,
         CASE WHEN unverified THEN p.all_last ELSE p.ver_last END,
         CASE WHEN unverified THEN p.all_pesantren ELSE p.ver_pesantren END
    FROM report_pillars p
$$;

-- ---- the arithmetic of the reports ----
-- In PL/pgSQL: these are called once per row of an answer with computed
-- arguments, which SQL functions would not inline, and a SQL function that is
-- not inlined costs far more per call.

-- An indicator's actual from the totals of the counted values: sum is their
-- total (0 without any), avg is their mean, last is the total over pesantren
-- of each pesantren's latest value; avg and last are null without values.
CREATE FUNCTION report_actual(aggregation text, total numeric, n numeric, last_total numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN CASE aggregation
    WHEN 'sum' THEN coalesce(total, 0)
    WHEN 'avg' THEN total / nullif(n, 0)
    ELSE last_total
  END;
END $$;

-- actual / target x 100 (target / actual x 100 when lower is better), rounded
-- half away from zero to 2 decimals; null without a target, without an actual,
-- or when the divisor is 0.
CREATE FUNCTION report_pct(actual numeric, target numeric, higher_is_better boolean) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN CASE
    WHEN higher_is_better THEN round(actual * 100 / nullif(target, 0), 2)
    ELSE round(target * 100 / nullif(actual, 0), 2)
  END;
END $$;

-- A numeric as a JSON number a client can parse: whole numbers up to 2^63 as
-- integers, anything else as the nearest double.
CREATE FUNCTION report_num(x numeric) RETURNS json
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN CASE
    WHEN x IS NULL THEN NULL
    WHEN x = trunc(x) AND abs(x) < 9000000000000000000 THEN to_json(x::bigint)
    ELSE to_json(x::double precision)
  END;
END $$;
