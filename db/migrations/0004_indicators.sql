-- Indicators, targets and measurements: what the governor's reports are made of.

-- Periods: "2024" (year), "2024-Q2" (quarter), "2024-04" (month).
CREATE FUNCTION opop_period_valid(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$' $$;

CREATE FUNCTION opop_period_start(p text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN length(p) = 4 THEN make_date(p::integer, 1, 1)
    WHEN substr(p, 6, 1) = 'Q' THEN make_date(substr(p, 1, 4)::integer, substr(p, 7, 1)::integer * 3 - 2, 1)
    ELSE make_date(substr(p, 1, 4)::integer, substr(p, 6, 2)::integer, 1)
  END
$$;

CREATE FUNCTION opop_period_end(p text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (opop_period_start(p) + CASE
    WHEN length(p) = 4 THEN interval '1 year'
    WHEN substr(p, 6, 1) = 'Q' THEN interval '3 months'
    ELSE interval '1 month'
  END - interval '1 day')::date
$$;

CREATE TABLE indicators (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  code text NOT NULL CONSTRAINT indicators_code_key UNIQUE
    CONSTRAINT indicators_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  name text NOT NULL CONSTRAINT indicators_name_check CHECK (name = btrim(name) AND char_length(name) BETWEEN 1 AND 200),
  unit text NOT NULL CONSTRAINT indicators_unit_check CHECK (unit IN ('idr', 'people', 'count', 'percent')),
  pillar text CONSTRAINT indicators_pillar_check
    CHECK (pillar IN ('pesantrenpreneur', 'santripreneur', 'sosiopreneur')),
  aggregation text NOT NULL CONSTRAINT indicators_aggregation_check CHECK (aggregation IN ('sum', 'avg', 'last')),
  higher_is_better boolean NOT NULL DEFAULT true,
  description text CONSTRAINT indicators_description_check CHECK (char_length(description) <= 5000),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT opop_track_table('indicators', 'indicator', true);

CREATE FUNCTION indicators_keep_code() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.code IS DISTINCT FROM OLD.code THEN
    RAISE check_violation USING CONSTRAINT = 'indicators_code_immutable', MESSAGE = 'an indicator code never changes';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER indicators_keep_code BEFORE UPDATE ON indicators
  FOR EACH ROW EXECUTE FUNCTION indicators_keep_code();

INSERT INTO indicators (code, name, unit, pillar, aggregation, higher_is_better, description) VALUES
  ('OMZET', 'Omzet bulanan', 'idr', 'pesantrenpreneur', 'sum', true,
   'Monthly turnover of the pesantren''s business units (Koppontren and flagship product), in rupiah.'),
  ('ASET', 'Aset usaha', 'idr', 'pesantrenpreneur', 'last', true,
   'Assets of the pesantren''s business units at the end of the period, in rupiah.'),
  ('SANTRI_TRAINED', 'Santri terlatih', 'people', 'santripreneur', 'sum', true,
   'Santri who completed entrepreneurship training in the period.'),
  ('ALUMNI_TRAINED', 'Alumni terlatih', 'people', 'sosiopreneur', 'sum', true,
   'Alumni and community members trained as social entrepreneurs in the period.'),
  ('KOPPONTREN_MEMBERS', 'Anggota Koppontren', 'people', 'pesantrenpreneur', 'last', true,
   'Members of the pesantren cooperative (Koperasi Pondok Pesantren) at the end of the period.'),
  ('PRODUCTS_HALAL', 'Produk bersertifikat halal', 'count', 'pesantrenpreneur', 'last', true,
   'Products of the pesantren holding a valid halal certificate at the end of the period.'),
  ('EMPLOYEES', 'Tenaga kerja', 'people', NULL, 'last', true,
   'People employed by the pesantren''s business units at the end of the period.');

CREATE TABLE targets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  indicator_id uuid NOT NULL CONSTRAINT targets_indicator_id_fkey REFERENCES indicators (id),
  period text NOT NULL CONSTRAINT targets_period_check CHECK (opop_period_valid(period)),
  period_start date GENERATED ALWAYS AS (opop_period_start(period)) STORED,
  period_end date GENERATED ALWAYS AS (opop_period_end(period)) STORED,
  value numeric NOT NULL CONSTRAINT targets_value_check CHECK (value >= 0),
  program_id uuid CONSTRAINT targets_program_id_fkey REFERENCES programs (id),
  region_code text CONSTRAINT targets_region_code_fkey REFERENCES regions (code),
  pesantren_id uuid CONSTRAINT targets_pesantren_id_fkey REFERENCES pesantren (id),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT targets_scope_key UNIQUE NULLS NOT DISTINCT (indicator_id, period, program_id, region_code, pesantren_id)
);
SELECT opop_track_table('targets', 'target', true);

CREATE TABLE measurements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  indicator_id uuid NOT NULL CONSTRAINT measurements_indicator_id_fkey REFERENCES indicators (id),
  pesantren_id uuid NOT NULL CONSTRAINT measurements_pesantren_id_fkey REFERENCES pesantren (id),
  program_id uuid CONSTRAINT measurements_program_id_fkey REFERENCES programs (id),
  period text NOT NULL CONSTRAINT measurements_period_check CHECK (opop_period_valid(period)),
  period_start date GENERATED ALWAYS AS (opop_period_start(period)) STORED,
  period_end date GENERATED ALWAYS AS (opop_period_end(period)) STORED,
  value numeric NOT NULL CONSTRAINT measurements_value_check CHECK (value >= 0),
  note text CONSTRAINT measurements_note_check CHECK (char_length(note) <= 2000),
  evidence_url text CONSTRAINT measurements_evidence_url_check CHECK (char_length(evidence_url) <= 2000),
  status text NOT NULL DEFAULT 'draft' CONSTRAINT measurements_status_check
    CHECK (status IN ('draft', 'submitted', 'verified', 'rejected')),
  rejection_reason text CONSTRAINT measurements_rejection_reason_check
    CHECK (char_length(rejection_reason) BETWEEN 1 AND 2000),
  submitted_at timestamptz,
  submitted_by uuid,
  verified_at timestamptz,
  verified_by uuid,
  rejected_at timestamptz,
  rejected_by uuid,
  created_by uuid,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT measurements_key UNIQUE NULLS NOT DISTINCT (indicator_id, pesantren_id, program_id, period),
  CONSTRAINT measurements_rejected_reason_check CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL)
);
CREATE INDEX measurements_pesantren ON measurements (pesantren_id, seq);
CREATE INDEX measurements_status ON measurements (status, seq);
CREATE INDEX measurements_indicator_period ON measurements (indicator_id, period_start, seq);
SELECT opop_track_table('measurements', 'measurement', true);

-- draft -> submitted; rejected -> submitted; submitted -> verified | rejected.
-- Each step is stamped with its time and actor here, so no writer can skip it.
CREATE FUNCTION measurements_check_status() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor uuid := nullif(current_setting('opop.actor', true), '')::uuid;
BEGIN
  IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NEW;
  END IF;
  IF NOT ((OLD.status IN ('draft', 'rejected') AND NEW.status = 'submitted')
       OR (OLD.status = 'submitted' AND NEW.status IN ('verified', 'rejected'))) THEN
    RAISE check_violation USING CONSTRAINT = 'measurements_status_transition',
      MESSAGE = format('a measurement cannot move from %s to %s', OLD.status, NEW.status);
  END IF;
  IF NEW.status = 'submitted' THEN
    NEW.submitted_at := now();
    NEW.submitted_by := actor;
  ELSIF NEW.status = 'verified' THEN
    NEW.verified_at := now();
    NEW.verified_by := actor;
  ELSE
    NEW.rejected_at := now();
    NEW.rejected_by := actor;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER measurements_check_status BEFORE UPDATE OF status ON measurements
  FOR EACH ROW EXECUTE FUNCTION measurements_check_status();

-- A measurement stays with its indicator and pesantren: a correction of either
-- is a new measurement, so the audit trail of each stays whole.
CREATE FUNCTION measurements_keep_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.indicator_id IS DISTINCT FROM OLD.indicator_id THEN
    RAISE check_violation USING CONSTRAINT = 'measurements_indicator_immutable',
      MESSAGE = 'a measurement keeps its indicator';
  END IF;
  IF NEW.pesantren_id IS DISTINCT FROM OLD.pesantren_id THEN
    RAISE check_violation USING CONSTRAINT = 'measurements_pesantren_immutable',
      MESSAGE = 'a measurement keeps its pesantren';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER measurements_keep_subject BEFORE UPDATE OF indicator_id, pesantren_id ON measurements
  FOR EACH ROW EXECUTE FUNCTION measurements_keep_subject();

-- Money and head counts are whole numbers; only percentages have fractions.
CREATE FUNCTION measurements_check_value() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.value <> trunc(NEW.value) AND
     (SELECT unit FROM indicators WHERE id = NEW.indicator_id) <> 'percent' THEN
    RAISE check_violation USING CONSTRAINT = 'measurements_value_whole', MESSAGE = 'value must be a whole number';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER measurements_check_value BEFORE INSERT OR UPDATE OF value ON measurements
  FOR EACH ROW EXECUTE FUNCTION measurements_check_value();

-- Targets follow the same rule as what they are measured against.
CREATE FUNCTION targets_check_value() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.value <> trunc(NEW.value) AND
     (SELECT unit FROM indicators WHERE id = NEW.indicator_id) <> 'percent' THEN
    RAISE check_violation USING CONSTRAINT = 'targets_value_whole', MESSAGE = 'value must be a whole number';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER targets_check_value BEFORE INSERT OR UPDATE OF value ON targets
  FOR EACH ROW EXECUTE FUNCTION targets_check_value();

CREATE FUNCTION targets_keep_indicator() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.indicator_id IS DISTINCT FROM OLD.indicator_id THEN
    RAISE check_violation USING CONSTRAINT = 'targets_indicator_immutable', MESSAGE = 'a target keeps its indicator';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER targets_keep_indicator BEFORE UPDATE OF indicator_id ON targets
  FOR EACH ROW EXECUTE FUNCTION targets_keep_indicator();

CREATE INDEX targets_indicator ON targets (indicator_id, seq);
CREATE INDEX measurements_program ON measurements (program_id, seq) WHERE program_id IS NOT NULL;

-- The external representations.
CREATE FUNCTION indicator_json(i indicators) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', i.id, 'code', i.code, 'name', i.name, 'unit', i.unit, 'pillar', i.pillar,
    'aggregation', i.aggregation, 'higher_is_better', i.higher_is_better, 'description', i.description,
    'version', i.version, 'created_at', opop_ts(i.created_at), 'updated_at', opop_ts(i.updated_at))
$$;

CREATE FUNCTION target_json(t targets) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', t.id, 'indicator_code', (SELECT code FROM indicators WHERE id = t.indicator_id),
    'period', t.period, 'period_start', t.period_start, 'period_end', t.period_end, 'value', t.value,
    'program_id', t.program_id, 'region_code', t.region_code, 'pesantren_id', t.pesantren_id,
    'version', t.version, 'created_at', opop_ts(t.created_at), 'updated_at', opop_ts(t.updated_at))
$$;

CREATE FUNCTION measurement_json(m measurements) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', m.id, 'indicator_code', (SELECT code FROM indicators WHERE id = m.indicator_id),
    'pesantren_id', m.pesantren_id, 'program_id', m.program_id,
    'period', m.period, 'period_start', m.period_start, 'period_end', m.period_end,
    'value', m.value, 'note', m.note, 'evidence_url', m.evidence_url, 'status', m.status,
    'submitted_at', opop_ts(m.submitted_at), 'submitted_by', m.submitted_by,
    'verified_at', opop_ts(m.verified_at), 'verified_by', m.verified_by,
    'rejected_at', opop_ts(m.rejected_at), 'rejected_by', m.rejected_by, 'rejection_reason', m.rejection_reason,
    'created_by', m.created_by,
    'version', m.version, 'created_at', opop_ts(m.created_at), 'updated_at', opop_ts(m.updated_at))
$$;
