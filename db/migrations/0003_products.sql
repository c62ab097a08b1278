-- Products of pesantren with their certifications, and mentoring visits.

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
  -- [{"type", "number", "issued_on", "expires_on"}]; validated at the edge, types checked here
  certifications jsonb NOT NULL DEFAULT '[]' CONSTRAINT products_certifications_check
    CHECK (jsonb_typeof(certifications) = 'array'),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_pesantren ON products (pesantren_id, seq);
CREATE INDEX products_category ON products (category, seq);
CREATE INDEX products_certifications ON products USING gin (certifications jsonb_path_ops);
SELECT opop_track_table('products', 'product', true);

CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  pesantren_id uuid NOT NULL CONSTRAINT visits_pesantren_id_fkey REFERENCES pesantren (id) ON DELETE CASCADE,
  mentor_id uuid NOT NULL,
  visited_on date NOT NULL,
  aspects text[] NOT NULL CONSTRAINT visits_aspects_check
    CHECK (cardinality(aspects) >= 1 AND aspects <@ ARRAY['kelembagaan', 'sdm', 'produk', 'pemasaran', 'pembiayaan']),
  notes text NOT NULL CONSTRAINT visits_notes_check CHECK (char_length(notes) BETWEEN 1 AND 5000),
  follow_up text CONSTRAINT visits_follow_up_check CHECK (char_length(follow_up) <= 5000),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visits_pesantren ON visits (pesantren_id, seq);
CREATE INDEX visits_mentor ON visits (mentor_id, seq);
SELECT opop_track_table('visits', 'visit', true);
