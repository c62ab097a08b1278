-- Core: shared functions, the audit trail and change feed, regions, pesantren,
-- users, login tokens, API keys and idempotency keys.

-- RFC 3339 in UTC, second precision: the one timestamp format of every answer.
-- STABLE, as to_char is: an IMMUTABLE wrapper of a STABLE call is never
-- inlined, and every *_json function would plan it again per row.
CREATE FUNCTION opop_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- Every tracked row carries version and updated_at; no writer can forget them.
CREATE FUNCTION opop_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
  ELSE
    NEW.version := OLD.version;
    NEW.updated_at := OLD.updated_at;
  END IF;
  NEW.created_at := OLD.created_at;
  RETURN NEW;
END $$;

-- The audit trail: one row per written row (and per sign-in, sign-out and
-- failed sign-in, written by the auth repository), in the same transaction as
-- the write. before/after hold only the fields that changed (the whole row on
-- create and delete), with secrets replaced by a marker.
CREATE TABLE audit_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  actor_kind text NOT NULL DEFAULT 'system',
  request_id text,
  entity text NOT NULL,
  entity_id uuid,
  action text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_events_entity ON audit_events (entity, seq);
CREATE INDEX audit_events_entity_id ON audit_events (entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE FUNCTION audit_event_json(a audit_events) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', a.id, 'at', opop_ts(a.at), 'actor_id', a.actor_id, 'actor_kind', a.actor_kind,
    'request_id', a.request_id, 'entity', a.entity, 'entity_id', a.entity_id, 'action', a.action,
    'before', a.before, 'after', a.after)
$$;

-- The change feed: one row per created, updated or deleted row of a domain
-- entity, stamped with the id of the writing (top-level) transaction.
--
-- Why readers order by (xid, seq) and stop at changes_horizon():
-- seq is drawn when a row is inserted, but the row becomes visible only when
-- its transaction commits, so a reader paging by seq alone could hand out a
-- cursor past seq 12 while the transaction holding seq 11 is still running,
-- and never see 11. A reader instead returns only rows whose xid is below a
-- horizon taken from the very snapshot its statement reads with, such that
-- every transaction with a smaller xid either has finished (committed rows are
-- visible in that snapshot, aborted ones never will be) or cannot write here,
-- while every transaction that can still commit here, running or not yet
-- begun, has or will get an xid at or above the horizon (xids are handed out
-- in increasing order and xid8 never wraps). So whatever commits later sorts
-- after every (xid, seq) already handed out, and a cursor never has to move
-- back. A long transaction in this database delays the feed while it runs;
-- one in another database of the cluster does not. Order within an entity
-- follows xids, not commit times, so a client reads the current state of what
-- a change names rather than relying on the order of versions.
CREATE TABLE changes (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at timestamptz NOT NULL DEFAULT now(),
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  version integer,
  action text NOT NULL
);
CREATE INDEX changes_order ON changes (xid, seq);

-- The horizon of the calling statement's snapshot: its xmax (the first xid
-- not yet handed out), lowered to the oldest xid it saw running, except xids
-- that pg_stat_activity shows held by a backend of another database (a backend
-- never changes database, so such a transaction can never write a change
-- here; when in doubt, say a prepared transaction, the xid still counts).
-- STABLE, so it runs with the caller's snapshot and pg_current_snapshot() is
-- the snapshot the caller's rows are read with.
CREATE FUNCTION changes_horizon() RETURNS xid8
LANGUAGE sql STABLE AS $$
  SELECT least(pg_snapshot_xmax(s.snap),
               (SELECT min(x) FROM pg_snapshot_xip(s.snap) AS x
                 WHERE NOT EXISTS (
                   SELECT 1 FROM pg_stat_activity a
                    WHERE a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                      AND a.backend_xid::text::bigint = (x::text::numeric % 4294967296)::bigint)))
    FROM (SELECT pg_current_snapshot() AS snap) AS s
$$;

-- Where a client reads the entity a change names. An enrolment is addressed
-- by its programme and pesantren, read from the row (enrolments are never
-- deleted). PL/pgSQL, so the body may name tables of later migrations.
CREATE FUNCTION change_path(entity text, id uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN CASE entity
    WHEN 'pesantren' THEN '/v1/pesantren/' || id
    WHEN 'program' THEN '/v1/programs/' || id
    WHEN 'enrolment' THEN (SELECT '/v1/programs/' || e.program_id || '/participants/' || e.pesantren_id
                             FROM enrolments e WHERE e.id = change_path.id)
    WHEN 'product' THEN '/v1/products/' || id
    WHEN 'visit' THEN '/v1/visits/' || id
    WHEN 'indicator' THEN '/v1/indicators/' || id
    WHEN 'target' THEN '/v1/targets/' || id
    WHEN 'measurement' THEN '/v1/measurements/' || id
  END;
END $$;

-- The contract names a change's fields type and time; entity and at say the
-- same and match the audit trail's names, so both are given.
CREATE FUNCTION change_json(c changes) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('type', c.entity, 'entity', c.entity, 'id', c.entity_id, 'version', c.version,
                           'action', c.action, 'time', opop_ts(c.at), 'at', opop_ts(c.at),
                           'path', change_path(c.entity, c.entity_id))
$$;

-- What a row looks like in the audit trail: secret columns keep their name
-- (so a changed password shows as changed) but never their value, and the
-- internal sequence is left out.
CREATE FUNCTION opop_audit_redact(doc jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(e.key, CASE WHEN e.key IN ('password_hash', 'token_hash', 'key_hash')
                                               THEN '"[redacted]"'::jsonb ELSE e.value END), '{}')
    FROM jsonb_each(doc - 'seq') AS e
$$;

-- AFTER trigger of every tracked table: TG_ARGV[0] names the entity, TG_ARGV[1]
-- is 'feed' when the entity also goes into the change feed. The actor and
-- request id come from the transaction-local settings db_tx makes.
CREATE FUNCTION opop_track() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  before_doc jsonb;
  after_doc jsonb;
  changed text[];
  row_id uuid;
  row_version integer;
  actor text := nullif(current_setting('opop.actor', true), '');
BEGIN
  IF TG_OP = 'DELETE' THEN
    before_doc := opop_audit_redact(to_jsonb(OLD));
    row_id := OLD.id;
    row_version := OLD.version;
  ELSIF TG_OP = 'INSERT' THEN
    after_doc := opop_audit_redact(to_jsonb(NEW));
    row_id := NEW.id;
    row_version := NEW.version;
  ELSE
    IF NEW IS NOT DISTINCT FROM OLD THEN
      RETURN NULL;
    END IF;
    -- Changed fields are found on the raw rows, so a new secret is noticed
    -- even though both of its values read "[redacted]".
    before_doc := to_jsonb(OLD);
    after_doc := to_jsonb(NEW);
    SELECT coalesce(array_agg(n.key), '{}') INTO changed
      FROM jsonb_each(after_doc) AS n
     WHERE n.key NOT IN ('version', 'updated_at', 'seq') AND (before_doc -> n.key) IS DISTINCT FROM n.value;
    before_doc := opop_audit_redact(before_doc);
    after_doc := opop_audit_redact(after_doc);
    SELECT coalesce(jsonb_object_agg(k, before_doc -> k), '{}'), coalesce(jsonb_object_agg(k, after_doc -> k), '{}')
      INTO before_doc, after_doc FROM unnest(changed) AS k;
    row_id := NEW.id;
    row_version := NEW.version;
  END IF;
  INSERT INTO audit_events (actor_id, actor_kind, request_id, entity, entity_id, action, before, after)
  VALUES (actor::uuid, coalesce(nullif(current_setting('opop.actor_kind', true), ''), 'system'),
          nullif(current_setting('opop.request_id', true), ''), TG_ARGV[0], row_id,
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          before_doc, after_doc);
  IF TG_ARGV[1] = 'feed' THEN
    INSERT INTO changes (entity, entity_id, version, action)
    VALUES (TG_ARGV[0], row_id, row_version,
            CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END);
  END IF;
  RETURN NULL;
END $$;

-- Attaches version bumping and tracking to a table in one call, so every later
-- migration covers its tables the same way.
CREATE FUNCTION opop_track_table(tbl regclass, entity text, feed boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION opop_touch()',
                 entity || '_touch', tbl);
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
                 'EXECUTE FUNCTION opop_track(%L, %L)',
                 entity || '_track', tbl, entity, CASE WHEN feed THEN 'feed' ELSE 'nofeed' END);
END $$;

CREATE TABLE regions (
  code text PRIMARY KEY CHECK (code ~ '^35\.[0-9]{2}$'),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('kabupaten', 'kota')),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO regions (code, name, kind) VALUES
  ('35.01', 'Kabupaten Pacitan', 'kabupaten'),
  ('35.02', 'Kabupaten Ponorogo', 'kabupaten'),
  ('35.03', 'Kabupaten Trenggalek', 'kabupaten'),
  ('35.04', 'Kabupaten Tulungagung', 'kabupaten'),
  ('35.05', 'Kabupaten Blitar', 'kabupaten'),
  ('35.06', 'Kabupaten Kediri', 'kabupaten'),
  ('35.07', 'Kabupaten Malang', 'kabupaten'),
  ('35.08', 'Kabupaten Lumajang', 'kabupaten'),
  ('35.09', 'Kabupaten Jember', 'kabupaten'),
  ('35.10', 'Kabupaten Banyuwangi', 'kabupaten'),
  ('35.11', 'Kabupaten Bondowoso', 'kabupaten'),
  ('35.12', 'Kabupaten Situbondo', 'kabupaten'),
  ('35.13', 'Kabupaten Probolinggo', 'kabupaten'),
  ('35.14', 'Kabupaten Pasuruan', 'kabupaten'),
  ('35.15', 'Kabupaten Sidoarjo', 'kabupaten'),
  ('35.16', 'Kabupaten Mojokerto', 'kabupaten'),
  ('35.17', 'Kabupaten Jombang', 'kabupaten'),
  ('35.18', 'Kabupaten Nganjuk', 'kabupaten'),
  ('35.19', 'Kabupaten Madiun', 'kabupaten'),
  ('35.20', 'Kabupaten Magetan', 'kabupaten'),
  ('35.21', 'Kabupaten Ngawi', 'kabupaten'),
  ('35.22', 'Kabupaten Bojonegoro', 'kabupaten'),
  ('35.23', 'Kabupaten Tuban', 'kabupaten'),
  ('35.24', 'Kabupaten Lamongan', 'kabupaten'),
  ('35.25', 'Kabupaten Gresik', 'kabupaten'),
  ('35.26', 'Kabupaten Bangkalan', 'kabupaten'),
  ('35.27', 'Kabupaten Sampang', 'kabupaten'),
  ('35.28', 'Kabupaten Pamekasan', 'kabupaten'),
  ('35.29', 'Kabupaten Sumenep', 'kabupaten'),
  ('35.71', 'Kota Kediri', 'kota'),
  ('35.72', 'Kota Blitar', 'kota'),
  ('35.73', 'Kota Malang', 'kota'),
  ('35.74', 'Kota Probolinggo', 'kota'),
  ('35.75', 'Kota Pasuruan', 'kota'),
  ('35.76', 'Kota Mojokerto', 'kota'),
  ('35.77', 'Kota Madiun', 'kota'),
  ('35.78', 'Kota Surabaya', 'kota'),
  ('35.79', 'Kota Batu', 'kota');

-- The code is a region's identity; the rows never change after loading.
CREATE FUNCTION region_json(r regions) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('code', r.code, 'name', r.name, 'kind', r.kind, 'version', r.version,
                           'created_at', opop_ts(r.created_at), 'updated_at', opop_ts(r.updated_at))
$$;

CREATE TABLE pesantren (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  nspp text NOT NULL CONSTRAINT pesantren_nspp_key UNIQUE
    CONSTRAINT pesantren_nspp_check CHECK (nspp ~ '^[0-9]{12}$'),
  name text NOT NULL CONSTRAINT pesantren_name_check
    CHECK (name = btrim(name) AND char_length(name) BETWEEN 3 AND 200),
  region_code text NOT NULL CONSTRAINT pesantren_region_code_fkey REFERENCES regions (code),
  address text CONSTRAINT pesantren_address_check CHECK (char_length(address) <= 300),
  district text CONSTRAINT pesantren_district_check CHECK (char_length(district) <= 100),
  village text CONSTRAINT pesantren_village_check CHECK (char_length(village) <= 100),
  leader_name text CONSTRAINT pesantren_leader_name_check CHECK (char_length(leader_name) <= 200),
  phone text CONSTRAINT pesantren_phone_check CHECK (phone ~ '^[0-9 +-]{6,20}$'),
  email text CONSTRAINT pesantren_email_check CHECK (char_length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  founded_year integer CONSTRAINT pesantren_founded_year_check CHECK (founded_year >= 1700),
  santri_count integer CONSTRAINT pesantren_santri_count_check CHECK (santri_count BETWEEN 0 AND 100000),
  typology text CONSTRAINT pesantren_typology_check CHECK (typology IN ('salafiyah', 'khalafiyah', 'terpadu')),
  latitude double precision CONSTRAINT pesantren_latitude_check CHECK (latitude BETWEEN -9.0 AND -5.0),
  longitude double precision CONSTRAINT pesantren_longitude_check CHECK (longitude BETWEEN 110.5 AND 116.5),
  active boolean NOT NULL DEFAULT true,
  cohort_year integer,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pesantren_coordinates_check CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX pesantren_region ON pesantren (region_code, seq);
CREATE INDEX pesantren_cohort ON pesantren (cohort_year, seq);
CREATE INDEX pesantren_name_order ON pesantren (name, seq);
CREATE INDEX pesantren_created_order ON pesantren (created_at, seq);
CREATE INDEX pesantren_santri_order ON pesantren ((coalesce(santri_count, -1)), seq);
SELECT opop_track_table('pesantren', 'pesantren', true);

-- The one external representation of a pesantren.
CREATE FUNCTION pesantren_json(p pesantren) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', p.id, 'nspp', p.nspp, 'name', p.name, 'region_code', p.region_code,
    'address', p.address, 'district', p.district, 'village', p.village,
    'leader_name', p.leader_name, 'phone', p.phone, 'email', p.email,
    'founded_year', p.founded_year, 'santri_count', p.santri_count, 'typology', p.typology,
    'latitude', p.latitude, 'longitude', p.longitude, 'active', p.active,
    'cohort_year', p.cohort_year, 'version', p.version,
    'created_at', opop_ts(p.created_at), 'updated_at', opop_ts(p.updated_at))
$$;

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  email text NOT NULL CONSTRAINT users_email_check
    CHECK (char_length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  name text NOT NULL CONSTRAINT users_name_check CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
  role text NOT NULL CONSTRAINT users_role_check CHECK (role IN ('admin', 'mentor', 'operator', 'viewer')),
  password_hash text NOT NULL,
  pesantren_id uuid CONSTRAINT users_pesantren_id_fkey REFERENCES pesantren (id),
  region_codes text[] NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_pesantren_id_check CHECK ((role = 'operator') = (pesantren_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
SELECT opop_track_table('users', 'user', false);

-- Every region code a mentor is given must exist.
CREATE FUNCTION users_check_regions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(NEW.region_codes) c WHERE c NOT IN (SELECT code FROM regions)) THEN
    RAISE foreign_key_violation USING MESSAGE = 'unknown region code',
      CONSTRAINT = 'users_region_codes_fkey';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_check_regions BEFORE INSERT OR UPDATE OF region_codes ON users
  FOR EACH ROW EXECUTE FUNCTION users_check_regions();

CREATE FUNCTION user_json(u users) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
    'pesantren_id', u.pesantren_id, 'region_codes', to_json(u.region_codes), 'active', u.active,
    'version', u.version,
    'created_at', opop_ts(u.created_at), 'updated_at', opop_ts(u.updated_at))
$$;

-- Failed sign-ins per email (known or not, so the answer never tells which
-- emails exist); kept apart from users so throttling does not bump versions.
CREATE TABLE login_throttle (
  email text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_failure_at timestamptz NOT NULL DEFAULT now()
);

-- Login tokens: only the SHA-256 of the token is stored.
CREATE TABLE tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  name text NOT NULL CONSTRAINT api_keys_name_check CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
  role text NOT NULL CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'mentor', 'operator', 'viewer')),
  pesantren_id uuid CONSTRAINT api_keys_pesantren_id_fkey REFERENCES pesantren (id),
  region_codes text[] NOT NULL DEFAULT '{}',
  key_hash bytea NOT NULL UNIQUE,
  key_prefix text NOT NULL,
  created_by uuid,
  revoked_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_pesantren_id_check CHECK ((role = 'operator') = (pesantren_id IS NOT NULL))
);
SELECT opop_track_table('api_keys', 'api_key', false);

CREATE FUNCTION api_key_json(k api_keys) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', k.id, 'name', k.name, 'role', k.role, 'pesantren_id', k.pesantren_id,
    'region_codes', to_json(k.region_codes), 'prefix', k.key_prefix, 'created_by', k.created_by,
    'revoked', k.revoked_at IS NOT NULL, 'revoked_at', opop_ts(k.revoked_at), 'version', k.version,
    'created_at', opop_ts(k.created_at), 'updated_at', opop_ts(k.updated_at))
$$;

-- Answers of creating POSTs, replayed for the same caller and key within 24 hours.
CREATE TABLE idempotency_keys (
  caller_id uuid NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  location text,
  body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
