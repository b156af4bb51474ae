-- expect hazard T002: the runner owns the transaction: BEGIN only warns ("already a transaction in progress") and COMMIT ends the runner's transaction half-way (schemamig refuses the script up front)
BEGIN;
ALTER TABLE customers ADD COLUMN email text;
COMMIT;
