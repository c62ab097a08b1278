-- The rights of the running service, apart from the schema owner's.
--
-- Migrations run as the owner of the schema (OPOP_MIGRATE_DATABASE_URL); the
-- service may run as a login role that is a member of opop_runtime
-- (OPOP_DATABASE_URL). That role reads and writes the data but cannot change
-- the schema (it owns nothing), and it can only add to the audit trail: no
-- UPDATE, DELETE or TRUNCATE on audit_events, so a compromised service cannot
-- rewrite who did what. A single privileged OPOP_DATABASE_URL keeps working.
--
-- The login role's name is the deployment's choice, so this migration grants to
-- a group role, created here when missing; deploy/local.sh and the tests make
-- their login role a member of it.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'opop_runtime') THEN
    CREATE ROLE opop_runtime NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database of the cluster created it at the same moment
END
$$;

GRANT USAGE ON SCHEMA public TO opop_runtime;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO opop_runtime;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO opop_runtime;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO opop_runtime;

-- The audit trail is append-only for the service; the migration history is
-- the owner's alone.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM opop_runtime;
REVOKE ALL ON schema_migrations FROM opop_runtime;

-- Tables, sequences and functions that later migrations create (as the same
-- owner) get the same rights; a later append-only table revokes as above.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO opop_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO opop_runtime;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO opop_runtime;
