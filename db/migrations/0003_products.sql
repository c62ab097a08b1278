-- Products of pesantren with their certifications, and mentoring visits.

-- Today in Jawa Timur (WIB, UTC+7 all year): the day a certificate expires or
-- a visit happens is a local day, not a UTC one.
CREATE FUNCTION opop_today_wib() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT ((now() AT TIME ZONE 'UTC') + interval '7 hours')::date $$;

-- A YYYY-MM-DD text that is a real calendar date, or null.
CREATE FUNCTION opop_date_or_null(t text) RETURNS date
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF t IS NULL OR t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
    RETURN NULL;
  END IF;
  RETURN make_date(substr(t, 1, 4)::integer, substr(t, 6, 2)::integer, substr(t, 9, 2)::integer);
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
  RETURN NULL;
END $$;

-- The shape every stored certification list keeps, whoever writes it: at most
-- 50 objects {type, number, issued_on?, expires_on?} of a known type, with
-- real dates and expires_on after issued_on.
CREATE FUNCTION products_certifications_valid(certs jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  c jsonb;
BEGIN
  IF jsonb_typeof(certs) IS DISTINCT FROM 'array' OR jsonb_array_length(certs) > 50 THEN
    RETURN false;
  END IF;
  FOR c IN SELECT jsonb_array_elements(certs) LOOP
    IF jsonb_typeof(c) <> 'object'
       OR EXISTS (SELECT 1 FROM jsonb_object_keys(c) k WHERE k NOT IN ('type', 'number', 'issued_on', 'expires_on'))
       OR c->>'type' IS NULL
       OR c->>'type' NOT IN ('halal', 'pirt', 'bpom', 'merek', 'sni', 'haccp', 'nib')
       OR jsonb_typeof(c->'number') IS DISTINCT FROM 'string'
       OR char_length(btrim(c->>'number')) NOT BETWEEN 1 AND 100
       OR (c ? 'issued_on' AND opop_date_or_null(c->>'issued_on') IS NULL)
       OR (c ? 'expires_on' AND opop_date_or_null(c->>'expires_on') IS NULL)
       OR opop_date_or_null(c->>'expires_on') <= opop_date_or_null(c->>'issued_on') THEN
      RETURN false;
    END IF;
  END LOOP;
  RETURN true;
END $$;

CREATE TABLE products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  pesantren_id uuid NOT NULL CONSTRAINT products_pesantren_id_fkey REFERENCES pesantren (id) ON DELETE CASCADE,
  name text NOT NULL CONSTRAINT products_name_check CHECK (name = btrim(name) AND char_length(name) BETWEEN 1 AND 200),
  category text CONSTRAINT products_category_check
    CHECK (category IN ('food', 'beverage', 'fashion', 'craft', 'agriculture', 'livestock', 'fishery', 'services', 'other')),
  description text CONSTRAINT products_description_check CHECK (char_length(description) <= 5000),
  price_idr bigint CONSTRAINT products_price_idr_check CHECK (price_idr >= 0),
  unit text CONSTRAINT products_unit_check CHECK (char_length(unit) <= 50),
  monthly_capacity bigint CONSTRAINT products_monthly_capacity_check CHECK (monthly_capacity >= 0),
  -- [{"type", "number", "issued_on", "expires_on"}]; whether one has expired
  -- depends on the day it is read, so it is computed by product_json.
  certifications jsonb NOT NULL DEFAULT '[]' CONSTRAINT products_certifications_check
    CHECK (products_certifications_valid(certifications)),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_pesantren ON products (pesantren_id, seq);
CREATE INDEX products_category ON products (category, seq);
CREATE INDEX products_certifications ON products USING gin (certifications jsonb_path_ops);
SELECT opop_track_table('products', 'product', true);

-- A product belongs to the pesantren it was created under, for good.
CREATE FUNCTION products_keep_pesantren() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.pesantren_id IS DISTINCT FROM OLD.pesantren_id THEN
    RAISE check_violation USING CONSTRAINT = 'products_pesantren_immutable',
      MESSAGE = 'a product stays with its pesantren';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER products_keep_pesantren BEFORE UPDATE OF pesantren_id ON products
  FOR EACH ROW EXECUTE FUNCTION products_keep_pesantren();

-- The one external representation of a product. Every certification reads
-- with all four fields and "expired" (its expiry day has passed in WIB).
CREATE FUNCTION product_json(p products) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', p.id, 'pesantren_id', p.pesantren_id,
    'region_code', (SELECT s.region_code FROM pesantren s WHERE s.id = p.pesantren_id),
    'name', p.name, 'category', p.category, 'description', p.description,
    'price_idr', p.price_idr, 'unit', p.unit, 'monthly_capacity', p.monthly_capacity,
    'certifications', (
      SELECT coalesce(json_agg(json_build_object(
               'type', c->>'type', 'number', c->>'number',
               'issued_on', c->>'issued_on', 'expires_on', c->>'expires_on',
               'expired', coalesce((c->>'expires_on')::date < opop_today_wib(), false)) ORDER BY n), '[]')
        FROM jsonb_array_elements(p.certifications) WITH ORDINALITY AS x(c, n)),
    'version', p.version,
    'created_at', opop_ts(p.created_at), 'updated_at', opop_ts(p.updated_at))
$$;

CREATE FUNCTION opop_text_array_distinct(a text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT cardinality(a) = (SELECT count(DISTINCT x) FROM unnest(a) AS x) $$;

CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  pesantren_id uuid NOT NULL CONSTRAINT visits_pesantren_id_fkey REFERENCES pesantren (id) ON DELETE CASCADE,
  -- The user or API key that recorded the visit (either may act as mentor),
  -- so no foreign key; the name is looked up in users when there is one.
  mentor_id uuid NOT NULL,
  visited_on date NOT NULL,
  aspects text[] NOT NULL CONSTRAINT visits_aspects_check
    CHECK (cardinality(aspects) >= 1 AND aspects <@ ARRAY['kelembagaan', 'sdm', 'produk', 'pemasaran', 'pembiayaan']
           AND opop_text_array_distinct(aspects)),
  notes text NOT NULL CONSTRAINT visits_notes_check
    CHECK (notes = btrim(notes) AND char_length(notes) BETWEEN 1 AND 5000),
  follow_up text CONSTRAINT visits_follow_up_check CHECK (char_length(follow_up) <= 5000),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visits_pesantren ON visits (pesantren_id, seq);
CREATE INDEX visits_mentor ON visits (mentor_id, seq);
SELECT opop_track_table('visits', 'visit', true);

-- A visit is a record of something that happened: never dated in the future.
-- A trigger rather than a CHECK because "today" moves.
CREATE FUNCTION visits_check_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.visited_on > opop_today_wib() THEN
    RAISE check_violation USING CONSTRAINT = 'visits_visited_on_check',
      MESSAGE = 'a visit cannot be dated in the future';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER visits_check_date BEFORE INSERT OR UPDATE OF visited_on ON visits
  FOR EACH ROW EXECUTE FUNCTION visits_check_date();

CREATE FUNCTION visit_json(v visits) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', v.id, 'pesantren_id', v.pesantren_id, 'mentor_id', v.mentor_id,
    'mentor_name', (SELECT u.name FROM users u WHERE u.id = v.mentor_id),
    'visited_on', to_char(v.visited_on, 'YYYY-MM-DD'), 'aspects', to_json(v.aspects),
    'notes', v.notes, 'follow_up', v.follow_up, 'version', v.version,
    'created_at', opop_ts(v.created_at), 'updated_at', opop_ts(v.updated_at))
$$;
