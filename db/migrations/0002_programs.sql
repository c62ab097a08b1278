-- Programmes of the three pillars, and the enrolment of pesantren in them.

CREATE TABLE programs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  pillar text NOT NULL CONSTRAINT programs_pillar_check
    CHECK (pillar IN ('pesantrenpreneur', 'santripreneur', 'sosiopreneur')),
  name text NOT NULL CONSTRAINT programs_name_check CHECK (name = btrim(name) AND char_length(name) BETWEEN 3 AND 200),
  description text CONSTRAINT programs_description_check CHECK (char_length(description) <= 5000),
  year integer NOT NULL CONSTRAINT programs_year_check CHECK (year BETWEEN 2019 AND 2100),
  start_date date,
  end_date date,
  quota integer CONSTRAINT programs_quota_check CHECK (quota >= 1),
  organizer text CONSTRAINT programs_organizer_check CHECK (char_length(organizer) <= 200),
  status text NOT NULL DEFAULT 'planned' CONSTRAINT programs_status_check
    CHECK (status IN ('planned', 'active', 'completed', 'cancelled')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT programs_dates_check CHECK (end_date >= start_date)
);
CREATE INDEX programs_pillar_year ON programs (pillar, year, seq);
CREATE INDEX programs_year ON programs (year, seq);
CREATE INDEX programs_name_order ON programs (name, seq);
CREATE INDEX programs_created_order ON programs (created_at, seq);
SELECT opop_track_table('programs', 'program', true);

-- The one external representation of a programme.
CREATE FUNCTION program_json(p programs) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', p.id, 'pillar', p.pillar, 'name', p.name, 'description', p.description, 'year', p.year,
    'start_date', p.start_date, 'end_date', p.end_date, 'quota', p.quota, 'organizer', p.organizer,
    'status', p.status, 'version', p.version,
    'created_at', opop_ts(p.created_at), 'updated_at', opop_ts(p.updated_at))
$$;

-- planned -> active -> completed; planned or active -> cancelled. Nothing else.
CREATE FUNCTION programs_check_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'planned' AND NEW.status IN ('active', 'cancelled'))
    OR (OLD.status = 'active' AND NEW.status IN ('completed', 'cancelled'))) THEN
    RAISE check_violation USING CONSTRAINT = 'programs_status_transition',
      MESSAGE = format('a programme cannot move from %s to %s', OLD.status, NEW.status);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER programs_check_status BEFORE UPDATE OF status ON programs
  FOR EACH ROW EXECUTE FUNCTION programs_check_status();

-- A quota cannot shrink below the seats already taken. The programme row is
-- locked by the update, and enrolling locks it too, so the count is exact.
CREATE FUNCTION programs_check_quota() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  taken integer;
BEGIN
  IF NEW.quota IS NOT NULL AND NEW.quota IS DISTINCT FROM OLD.quota THEN
    SELECT count(*) INTO taken FROM enrolments
     WHERE program_id = NEW.id AND status NOT IN ('rejected', 'withdrawn');
    IF taken > NEW.quota THEN
      RAISE check_violation USING CONSTRAINT = 'programs_quota_below_enrolled',
        MESSAGE = format('%s pesantren are already enrolled', taken);
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER programs_check_quota BEFORE UPDATE OF quota ON programs
  FOR EACH ROW EXECUTE FUNCTION programs_check_quota();

CREATE TABLE enrolments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  program_id uuid NOT NULL CONSTRAINT enrolments_program_id_fkey REFERENCES programs (id),
  pesantren_id uuid NOT NULL CONSTRAINT enrolments_pesantren_id_fkey REFERENCES pesantren (id),
  status text NOT NULL DEFAULT 'registered' CONSTRAINT enrolments_status_check
    CHECK (status IN ('registered', 'selected', 'active', 'graduated', 'rejected', 'withdrawn')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT enrolments_program_pesantren_key UNIQUE (program_id, pesantren_id)
);
CREATE INDEX enrolments_pesantren ON enrolments (pesantren_id);
CREATE INDEX enrolments_program_status ON enrolments (program_id, status, seq);
CREATE INDEX enrolments_program_order ON enrolments (program_id, seq);
SELECT opop_track_table('enrolments', 'enrolment', true);

-- Every status an enrolment took, with when and who.
CREATE TABLE enrolment_history (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  enrolment_id uuid NOT NULL REFERENCES enrolments (id) ON DELETE CASCADE,
  from_status text,
  to_status text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid
);
CREATE INDEX enrolment_history_enrolment ON enrolment_history (enrolment_id, seq);

-- The one external representation of an enrolment, with its history.
CREATE FUNCTION enrolment_json(e enrolments) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', e.id, 'program_id', e.program_id, 'pesantren_id', e.pesantren_id,
    'pesantren_name', (SELECT p.name FROM pesantren p WHERE p.id = e.pesantren_id),
    'status', e.status,
    'history', (SELECT coalesce(json_agg(json_build_object(
                          'from_status', h.from_status, 'to_status', h.to_status,
                          'at', opop_ts(h.at), 'actor_id', h.actor_id) ORDER BY h.seq), '[]'::json)
                  FROM enrolment_history h WHERE h.enrolment_id = e.id),
    'version', e.version,
    'created_at', opop_ts(e.created_at), 'updated_at', opop_ts(e.updated_at))
$$;

-- Enrolment opens only while the programme is planned or active, and never
-- beyond its quota (rejected and withdrawn enrolments free their seat). The
-- programme row is locked, so two admins enrolling the last seat at the same
-- moment are served one after the other. A second enrolment of the same
-- pesantren is told as such before the state of the programme is.
CREATE FUNCTION enrolments_check_open() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  prog programs%ROWTYPE;
  taken integer;
BEGIN
  SELECT * INTO prog FROM programs WHERE id = NEW.program_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NEW; -- the foreign key reports it
  END IF;
  IF EXISTS (SELECT 1 FROM enrolments WHERE program_id = NEW.program_id AND pesantren_id = NEW.pesantren_id) THEN
    RAISE unique_violation USING CONSTRAINT = 'enrolments_program_pesantren_key',
      MESSAGE = 'the pesantren is already enrolled in the programme';
  END IF;
  IF prog.status NOT IN ('planned', 'active') THEN
    RAISE check_violation USING CONSTRAINT = 'enrolments_program_closed',
      MESSAGE = format('the programme is %s', prog.status);
  END IF;
  IF prog.quota IS NOT NULL THEN
    SELECT count(*) INTO taken FROM enrolments
     WHERE program_id = NEW.program_id AND status NOT IN ('rejected', 'withdrawn');
    IF taken >= prog.quota THEN
      RAISE check_violation USING CONSTRAINT = 'enrolments_quota_full',
        MESSAGE = format('the quota of %s is full', prog.quota);
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER enrolments_check_open BEFORE INSERT ON enrolments
  FOR EACH ROW EXECUTE FUNCTION enrolments_check_open();

-- registered -> selected -> active -> graduated; any of the first three ->
-- rejected or withdrawn. Nothing else.
CREATE FUNCTION enrolments_check_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'registered' AND NEW.status = 'selected')
    OR (OLD.status = 'selected' AND NEW.status = 'active')
    OR (OLD.status = 'active' AND NEW.status = 'graduated')
    OR (OLD.status IN ('registered', 'selected', 'active') AND NEW.status IN ('rejected', 'withdrawn'))) THEN
    RAISE check_violation USING CONSTRAINT = 'enrolments_status_transition',
      MESSAGE = format('an enrolment cannot move from %s to %s', OLD.status, NEW.status);
  END IF;
  IF NEW.program_id IS DISTINCT FROM OLD.program_id OR NEW.pesantren_id IS DISTINCT FROM OLD.pesantren_id THEN
    RAISE check_violation USING CONSTRAINT = 'enrolments_immutable',
      MESSAGE = 'an enrolment keeps its programme and pesantren';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER enrolments_check_status BEFORE UPDATE ON enrolments
  FOR EACH ROW EXECUTE FUNCTION enrolments_check_status();

CREATE FUNCTION enrolments_record_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
    INSERT INTO enrolment_history (enrolment_id, from_status, to_status, actor_id)
    VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
            nullif(current_setting('opop.actor', true), '')::uuid);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolments_record_history AFTER INSERT OR UPDATE ON enrolments
  FOR EACH ROW EXECUTE FUNCTION enrolments_record_history();

-- A pesantren's cohort (angkatan) is the year of the earliest programme it is
-- enrolled in; a rejected application does not make a cohort.
CREATE FUNCTION pesantren_refresh_cohort(pid uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE pesantren p SET cohort_year = c.year
    FROM (SELECT (SELECT min(pr.year) FROM enrolments e JOIN programs pr ON pr.id = e.program_id
                   WHERE e.pesantren_id = pid AND e.status <> 'rejected') AS year) c
   WHERE p.id = pid AND p.cohort_year IS DISTINCT FROM c.year
$$;

CREATE FUNCTION enrolments_refresh_cohort() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pesantren_refresh_cohort(OLD.pesantren_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pesantren_refresh_cohort(NEW.pesantren_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER enrolments_refresh_cohort AFTER INSERT OR DELETE OR UPDATE OF status ON enrolments
  FOR EACH ROW EXECUTE FUNCTION enrolments_refresh_cohort();

CREATE FUNCTION programs_refresh_cohort() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pesantren_refresh_cohort(e.pesantren_id) FROM enrolments e WHERE e.program_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER programs_refresh_cohort AFTER UPDATE OF year ON programs
  FOR EACH ROW WHEN (NEW.year IS DISTINCT FROM OLD.year) EXECUTE FUNCTION programs_refresh_cohort();
