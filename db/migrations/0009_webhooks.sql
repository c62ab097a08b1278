-- Webhooks: OPD systems are called with each change-feed item instead of
-- polling the feed. The feed stays the one record of what changed: an
-- endpoint keeps only its place in it, so nothing is queued twice.
--
-- The endpoint itself (webhooks) is tracked like every resource: versioned,
-- audited. What the deliverer keeps (the signing secret, the place in the
-- feed, its lease and retry clock) lives in webhook_state, which no trigger
-- tracks: the secret never reaches an audit row, and delivering never moves
-- the endpoint's version.

CREATE TABLE webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  url text NOT NULL CONSTRAINT webhooks_url_check CHECK (char_length(url) BETWEEN 1 AND 2000),
  entities text[] NOT NULL DEFAULT '{}', -- empty: every entity
  actions text[] NOT NULL DEFAULT '{}',  -- empty: every action
  description text CONSTRAINT webhooks_description_check CHECK (char_length(description) <= 500),
  active boolean NOT NULL DEFAULT true,
  deactivated_reason text,
  created_by uuid,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT opop_track_table('webhooks', 'webhook', false);

CREATE FUNCTION webhook_json(w webhooks) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', w.id, 'url', w.url, 'entities', to_json(w.entities), 'actions', to_json(w.actions),
    'description', w.description, 'active', w.active, 'deactivated_reason', w.deactivated_reason,
    'created_by', w.created_by, 'version', w.version, 'created_at', opop_ts(w.created_at),
    'updated_at', opop_ts(w.updated_at))
$$;

-- after_xid/after_seq: the feed position of the last item handled (delivered
-- or not matching the filters), starting at the feed's horizon when the
-- endpoint was made, so only changes committed after it are delivered.
-- due_at: when the next attempt may start; lease_*: the instance delivering
-- now (claimed with FOR UPDATE SKIP LOCKED, so each item goes out once across
-- instances; a lease outlives the longest attempt, and a crashed instance's
-- lease expires so another takes over). failing_since/attempts: the retry
-- clock of the item at the head.
CREATE TABLE webhook_state (
  webhook_id uuid PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
  secret text NOT NULL, -- "plain:" or "sealed:" + base64, see api/webhook_sign.c
  after_xid xid8 NOT NULL,
  after_seq bigint NOT NULL,
  due_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  lease_owner uuid,
  failing_since timestamptz,
  attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX webhook_state_due ON webhook_state (due_at);

-- Turning an endpoint back on clears why it was turned off and starts the
-- retry clock again (from the item it stopped at: nothing is skipped).
CREATE FUNCTION webhooks_reactivate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.active AND NOT OLD.active THEN
    NEW.deactivated_reason := NULL;
    UPDATE webhook_state SET failing_since = NULL, attempts = 0, due_at = now() WHERE webhook_id = NEW.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER webhooks_reactivate BEFORE UPDATE OF active ON webhooks
  FOR EACH ROW EXECUTE FUNCTION webhooks_reactivate();

-- Every attempt, kept with its endpoint.
CREATE TABLE webhook_deliveries (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  change_id text NOT NULL,
  attempt integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  http_status integer,
  error text,
  duration_ms integer NOT NULL,
  success boolean NOT NULL,
  next_retry_at timestamptz
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, seq);

CREATE FUNCTION webhook_delivery_json(d webhook_deliveries) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', d.id, 'change_id', d.change_id, 'attempt', d.attempt, 'at', opop_ts(d.at), 'status', d.http_status,
    'error', d.error, 'duration_ms', d.duration_ms, 'success', d.success, 'next_retry_at', opop_ts(d.next_retry_at))
$$;

-- The body of a delivery: the change-feed item with its id.
CREATE FUNCTION webhook_change_json(c changes) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('change_id', c.seq::text, 'type', c.entity, 'entity', c.entity, 'id', c.entity_id,
                           'version', c.version, 'action', c.action, 'time', opop_ts(c.at),
                           'path', change_path(c.entity, c.entity_id))
$$;
