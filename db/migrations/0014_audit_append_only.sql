-- audit_events stays append-only for the runtime role once it is partitioned:
-- the partitioned table and every partition made from it get the default
-- privileges of new tables (all of them for opop_runtime), so UPDATE, DELETE
-- and TRUNCATE are taken back from the table and from each partition, and the
-- partition maker takes them back from every partition it makes later.
DO $$
DECLARE
  part regclass;
BEGIN
  REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM opop_runtime;
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_events'::regclass LOOP
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM opop_runtime', part);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION opop_partition_create(parent regclass, t timestamptz) RETURNS boolean
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
  IF parent = 'audit_events'::regclass THEN
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM opop_runtime', name);
  END IF;
  RETURN true;
END $$;
