-- The measurement workflow has one home: this trigger. Until now a move to
-- the status a measurement already had (verify a verified one) passed here as
-- a no-op and only the service refused it; now the trigger refuses it too, so
-- the allowed moves are exactly
--   draft -> submitted; rejected -> submitted; submitted -> verified | rejected
-- for every writer, and the service only turns the refusal into its answer.
-- Only the workflow statement sets status; other updates leave the column out
-- and do not fire this trigger.
CREATE OR REPLACE FUNCTION measurements_check_status() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  actor uuid := nullif(current_setting('opop.actor', true), '')::uuid;
BEGIN
  IF NOT ((OLD.status IN ('draft', 'rejected') AND NEW.status = 'submitted')
       OR (OLD.status = 'submitted' AND NEW.status IN ('verified', 'rejected'))) THEN
    RAISE check_violation USING CONSTRAINT = 'measurements_status_transition',
      MESSAGE = format('a measurement cannot move from %s to %s', OLD.status, NEW.status);
  END IF;
  IF NEW.status = 'submitted' THEN
    NEW.submitted_at := now();
    NEW.submitted_by := actor;
  ELSIF NEW.status = 'verified' THEN
    NEW.verified_at := now();
    NEW.verified_by := actor;
  ELSE
    NEW.rejected_at := now();
    NEW.rejected_by := actor;
  END IF;
  RETURN NEW;
END $$;
