-- Sign-in throttling per client address, sessions that end when a user's
-- credentials or scope change, and API keys that expire and tell when they
-- were last used.

-- Failed sign-ins, counted per (account, client address) and per client
-- address, so that whoever knows an email cannot lock its owner out from
-- elsewhere. Kept in the database so every instance counts the same; rows are
-- pruned once their window has passed.
DROP TABLE login_throttle;
CREATE TABLE login_failures (
  scope text NOT NULL CHECK (scope IN ('account', 'address')),
  key text NOT NULL,
  failures integer NOT NULL DEFAULT 1,
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  blocked_until timestamptz,
  PRIMARY KEY (scope, key)
);
CREATE INDEX login_failures_last ON login_failures (last_failure_at);

-- A change to a user's password, role, pesantren, regions or active flag ends
-- that user's sessions in the same transaction, whoever writes it. The token
-- named by the transaction-local setting opop.keep_token (a user changing
-- their own password) is kept.
CREATE FUNCTION users_end_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.password_hash, NEW.role, NEW.pesantren_id, NEW.region_codes, NEW.active)
     IS DISTINCT FROM (OLD.password_hash, OLD.role, OLD.pesantren_id, OLD.region_codes, OLD.active) THEN
    UPDATE tokens SET revoked_at = now()
     WHERE user_id = NEW.id AND revoked_at IS NULL
       AND id IS DISTINCT FROM nullif(current_setting('opop.keep_token', true), '')::uuid;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER users_end_sessions AFTER UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_end_sessions();

ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;

-- When a key was last used, at most once a minute. A table of its own: the
-- version and audit triggers of api_keys never see these writes.
CREATE TABLE api_key_usage (
  key_id uuid PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
  last_used_at timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION api_key_json(k api_keys) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'id', k.id, 'name', k.name, 'role', k.role, 'pesantren_id', k.pesantren_id,
    'region_codes', to_json(k.region_codes), 'prefix', left(k.key_prefix, 8), 'created_by', k.created_by,
    'revoked', k.revoked_at IS NOT NULL, 'revoked_at', opop_ts(k.revoked_at),
    'expires_at', opop_ts(k.expires_at),
    'last_used_at', (SELECT opop_ts(u.last_used_at) FROM api_key_usage u WHERE u.key_id = k.id),
    'version', k.version, 'created_at', opop_ts(k.created_at), 'updated_at', opop_ts(k.updated_at))
$$;

-- Counts one failed sign-in under (scope, key) and returns the count. A
-- failure after twice max_s without one starts a new count. From the
-- threshold-th failure on, the key waits 30 s (at most max_s) before it may
-- try again, twice as long after every further failure, up to max_s.
CREATE FUNCTION login_failure_record(p_scope text, p_key text, threshold integer, max_s integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  n integer;
BEGIN
  INSERT INTO login_failures AS f (scope, key) VALUES (p_scope, p_key)
  ON CONFLICT (scope, key) DO UPDATE
    SET failures = CASE WHEN f.last_failure_at < now() - make_interval(secs => 2 * max_s) THEN 1
                        ELSE f.failures + 1 END,
        last_failure_at = now()
  RETURNING failures INTO n;
  IF n >= threshold THEN
    UPDATE login_failures
       SET blocked_until = now() + make_interval(secs => least(max_s::float8, 30 * 2.0 ^ least(n - threshold, 20)))
     WHERE scope = p_scope AND key = p_key;
  END IF;
  RETURN n;
END $$;

-- Secrets of this installation, made once by this migration and shared by
-- every instance: 'idempotency' keys the HMAC that fingerprints requests for
-- Idempotency-Key, so no password is ever kept under a fast, unkeyed hash.
CREATE TABLE installation_secrets (
  name text PRIMARY KEY,
  value bytea NOT NULL CHECK (length(value) >= 32)
);
-- Two random UUIDs: 244 bits from PostgreSQL's strong random source.
INSERT INTO installation_secrets (name, value)
VALUES ('idempotency', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
