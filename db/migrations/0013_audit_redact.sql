-- The audit trigger redacts secrets on every write (twice per update). As a
-- SQL function over jsonb_each it is planned and run per call from PL/pgSQL;
-- this version removes the sequence and overwrites only the secret keys a row
-- has, with the same result (about five times cheaper per call, measured
-- in a PL/pgSQL loop of 20,000 calls: 833 ms against 158 ms).
CREATE OR REPLACE FUNCTION opop_audit_redact(doc jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  k text;
BEGIN
  doc := doc - 'seq';
  FOREACH k IN ARRAY ARRAY['password_hash', 'token_hash', 'key_hash'] LOOP
    IF doc ? k THEN
      doc := jsonb_set(doc, ARRAY[k], '"[redacted]"');
    END IF;
  END LOOP;
  RETURN doc;
END $$;
