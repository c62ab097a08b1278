-- The audit trail and the change feed grow with every write for as long as
-- the system lives; both become tables partitioned by calendar month (UTC) of
-- their row's time, so an old month is one table to detach, archive and drop
-- rather than millions of rows to delete, and reads of recent rows touch
-- recent months only.
--
-- Months are created ahead by opop_partitions_ensure and expired feed rows
-- removed by opop_changes_expire. Both run as the owner of these tables
-- (SECURITY DEFINER), so the service may call them through a role that owns
-- nothing and may not delete audit rows; each takes a transaction-level
-- advisory lock, so instances calling together do the work once.
--
-- Columns, names and the JSON functions stay as they were: a binary of the
-- previous release reads and writes the new tables unchanged.

-- The partitions of parent with their bounds, oldest first.
CREATE FUNCTION opop_partitions(parent regclass)
RETURNS TABLE (partition regclass, lower_bound timestamptz, upper_bound timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT c.oid::regclass,
         substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \(''([^'']+)''\)')::timestamptz,
         substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)')::timestamptz
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = parent
   ORDER BY 2
$$;

-- The partition of parent for the UTC month holding t, created when missing
-- (named parent_YYYY_MM). true when it was created.
CREATE FUNCTION opop_partition_create(parent regclass, t timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  month timestamp := date_trunc('month', t AT TIME ZONE 'UTC');
  name text := (SELECT c.relname FROM pg_class c WHERE c.oid = parent) || '_' || to_char(month, 'YYYY_MM');
BEGIN
  IF EXISTS (SELECT 1 FROM opop_partitions(parent) p
              WHERE p.lower_bound <= month AT TIME ZONE 'UTC' AND p.upper_bound > month AT TIME ZONE 'UTC') THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', name, parent,
                 to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00',
                 to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
  RETURN true;
END $$;

-- This month and the next months_ahead months of both tables. A write whose
-- month has no partition fails, so the service calls this at start and every
-- hour, and creates three months ahead: months of outage to spare. Returns
-- the number of partitions created.
CREATE FUNCTION opop_partitions_ensure(months_ahead integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  created integer := 0;
  tbl regclass;
BEGIN
  IF months_ahead < 0 OR months_ahead > 120 THEN
    RAISE invalid_parameter_value USING MESSAGE = 'months_ahead must be from 0 to 120';
  END IF;
  IF NOT pg_try_advisory_xact_lock(7326102) THEN
    RETURN 0;
  END IF;
  -- Creating a partition locks its parent briefly; never queue behind a long reader.
  PERFORM set_config('lock_timeout', '5s', true);
  FOREACH tbl IN ARRAY ARRAY['audit_events'::regclass, 'changes'::regclass] LOOP
    FOR m IN 0..months_ahead LOOP
      IF opop_partition_create(tbl, now() + make_interval(months => m)) THEN
        created := created + 1;
      END IF;
    END LOOP;
  END LOOP;
  RETURN created;
END $$;

-- The newest feed position removed by retention. A cursor below it may have
-- missed removed changes: the feed answers 410 and the client starts again.
CREATE TABLE changes_expired (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  xid xid8 NOT NULL,
  seq bigint NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

-- 1 when a client's cursor (xid, seq) lies before removed changes.
CREATE FUNCTION changes_cursor_expired(cursor_xid xid8, cursor_seq bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM changes_expired e WHERE (cursor_xid, cursor_seq) < (e.xid, e.seq))
$$;

-- Removes feed rows older than retention_days: whole months by dropping their
-- partition, the rest of the boundary month by deleting. First records the
-- newest position removed, so no cursor that missed a row goes unnoticed.
-- Returns the number of rows removed.
CREATE FUNCTION opop_changes_expire(retention_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  cutoff timestamptz := now() - make_interval(days => retention_days);
  last_xid xid8;
  last_seq bigint;
  part regclass;
  n bigint;
  removed bigint := 0;
BEGIN
  IF retention_days < 1 THEN
    RAISE invalid_parameter_value USING MESSAGE = 'retention_days must be at least 1';
  END IF;
  IF NOT pg_try_advisory_xact_lock(7326103) THEN
    RETURN 0;
  END IF;
  SELECT c.xid, c.seq INTO last_xid, last_seq FROM changes c WHERE c.at < cutoff
   ORDER BY c.xid DESC, c.seq DESC LIMIT 1;
  IF last_xid IS NULL THEN
    RETURN 0;
  END IF;
  INSERT INTO changes_expired AS e (xid, seq) VALUES (last_xid, last_seq)
  ON CONFLICT (one) DO UPDATE SET xid = excluded.xid, seq = excluded.seq, at = now()
   WHERE (e.xid, e.seq) < (excluded.xid, excluded.seq);
  PERFORM set_config('lock_timeout', '5s', true);
  FOR part IN SELECT p.partition FROM opop_partitions('changes') p WHERE p.upper_bound <= cutoff LOOP
    EXECUTE format('SELECT count(*) FROM %s', part) INTO n;
    EXECUTE format('DROP TABLE %s', part);
    removed := removed + n;
  END LOOP;
  DELETE FROM changes WHERE at < cutoff;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN removed + n;
END $$;

-- Grants and triggers another migration put on a table go with it to its
-- partitioned successor.
CREATE FUNCTION pg_temp.opop_carry_over(old regclass, new regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT a.privilege_type, a.grantee FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = old AND a.grantee <> c.relowner LOOP
    EXECUTE format('GRANT %s ON %s TO %s', g.privilege_type, new,
                   CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END);
  END LOOP;
  FOR g IN SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t WHERE t.tgrelid = old AND NOT t.tgisinternal LOOP
    EXECUTE regexp_replace(g.def, ' ON \S+ ', ' ON ' || new::text || ' ');
  END LOOP;
END $$;

-- Functions taking a row of these tables (audit_event_json, change_json)
-- depend on the table: they are dropped and made again, unchanged, for the
-- new table.
CREATE TEMPORARY TABLE opop_row_functions ON COMMIT DROP AS
SELECT p.oid::regprocedure AS fn, pg_get_functiondef(p.oid) AS def
  FROM pg_proc p
 WHERE p.proargtypes::oid[] && ARRAY['audit_events'::regtype::oid, 'changes'::regtype::oid];

CREATE FUNCTION pg_temp.opop_row_functions_restore() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT def FROM opop_row_functions LOOP
    EXECUTE f.def;
  END LOOP;
END $$;

-- The tables are rebuilt under a lock that keeps every writer waiting until
-- this migration commits.
LOCK TABLE audit_events, changes IN ACCESS EXCLUSIVE MODE;

DO $$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT fn FROM opop_row_functions LOOP
    EXECUTE format('DROP FUNCTION %s', f.fn);
  END LOOP;
END $$;

ALTER TABLE audit_events RENAME TO audit_events_unpartitioned;
ALTER TABLE audit_events_unpartitioned DROP CONSTRAINT audit_events_pkey, DROP CONSTRAINT audit_events_id_key;
DROP INDEX audit_events_entity, audit_events_entity_id, audit_events_actor, audit_events_at;
ALTER SEQUENCE audit_events_seq_seq RENAME TO audit_events_unpartitioned_seq_seq;

-- A unique key of a partitioned table must hold the partition key, so the
-- key is (seq, at) and id is unique with at (ids are random uuids). The
-- columns are the old table's, so columns added by earlier migrations stay.
CREATE TABLE audit_events (
  LIKE audit_events_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS,
  PRIMARY KEY (seq, at),
  UNIQUE (id, at)
) PARTITION BY RANGE (at);

ALTER TABLE changes RENAME TO changes_unpartitioned;
ALTER TABLE changes_unpartitioned DROP CONSTRAINT changes_pkey;
DROP INDEX changes_order;
ALTER SEQUENCE changes_seq_seq RENAME TO changes_unpartitioned_seq_seq;

CREATE TABLE changes (
  LIKE changes_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS,
  PRIMARY KEY (seq, at)
) PARTITION BY RANGE (at);

-- Every month that holds rows, up to three months ahead.
SELECT opop_partition_create('audit_events', m)
  FROM generate_series(date_trunc('month', coalesce((SELECT min(at) FROM audit_events_unpartitioned), now())),
                       now() + interval '3 months', interval '1 month') AS m;
SELECT opop_partition_create('changes', m)
  FROM generate_series(date_trunc('month', coalesce((SELECT min(at) FROM changes_unpartitioned), now())),
                       now() + interval '3 months', interval '1 month') AS m;

-- Same columns in the same order (LIKE), whatever earlier migrations added.
INSERT INTO audit_events OVERRIDING SYSTEM VALUE SELECT * FROM audit_events_unpartitioned;
INSERT INTO changes OVERRIDING SYSTEM VALUE SELECT * FROM changes_unpartitioned;

-- Numbering goes on where it stopped (seq is half of a feed cursor).
SELECT setval(pg_get_serial_sequence('audit_events', 'seq'), last_value, is_called)
  FROM audit_events_unpartitioned_seq_seq;
SELECT setval(pg_get_serial_sequence('changes', 'seq'), last_value, is_called) FROM changes_unpartitioned_seq_seq;

SELECT pg_temp.opop_carry_over('audit_events_unpartitioned', 'audit_events');
SELECT pg_temp.opop_carry_over('changes_unpartitioned', 'changes');
DROP TABLE audit_events_unpartitioned, changes_unpartitioned;

CREATE INDEX audit_events_entity ON audit_events (entity, seq);
CREATE INDEX audit_events_entity_id ON audit_events (entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX changes_order ON changes (xid, seq);
CREATE INDEX changes_at ON changes (at);

SELECT pg_temp.opop_row_functions_restore();
