--
-- drift: schema changes made outside schemamig (issue 15).  In a database
-- of its own.  Times and roles that differ between runs are printed as
-- IS NOT NULL / fixed role names; view bodies (deparser text differs
-- between versions) are left out of the printed script.
--
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
CREATE DATABASE drift_db;
\c drift_db
SET client_min_messages = notice;
CREATE EXTENSION schemamig;
CREATE ROLE drift_reader;
CREATE ROLE drift_dev;
GRANT USAGE ON SCHEMA schemamig TO drift_dev;

-- no record yet: nothing to compare with
SELECT count(*) AS no_record FROM schemamig.drift();

SELECT count(*) AS registered FROM schemamig.register($$
-- schemamig:revision d1
-- schemamig:message base tables
-- schemamig:upgrade
CREATE SCHEMA app;
CREATE TABLE app.orders (id bigint PRIMARY KEY, note text, amount numeric);
CREATE INDEX orders_note_idx ON app.orders (note);
CREATE TABLE app.items (id bigint PRIMARY KEY, sku text);
-- schemamig:downgrade
DROP TABLE app.items;
DROP TABLE app.orders;
DROP SCHEMA app;

-- schemamig:revision d2
-- schemamig:down_revision d1
-- schemamig:message a column
-- schemamig:upgrade
ALTER TABLE app.orders ADD COLUMN placed_at timestamptz;
-- schemamig:downgrade
ALTER TABLE app.orders DROP COLUMN placed_at;
$$);

-- schemamig's own runs are not drift: upgrade, downgrade, stamp
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM schemamig.drift();
SELECT taken_by, heads, pending FROM schemamig.schema_snapshot;
SELECT revision FROM schemamig.downgrade('d1');
SELECT * FROM schemamig.drift();
SELECT * FROM schemamig.stamp('head');
SELECT taken_by, heads FROM schemamig.schema_snapshot;
SELECT * FROM schemamig.drift();
SELECT * FROM schemamig.stamp('d1');
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM schemamig.drift();

-- a temporary table is not drift
CREATE TEMP TABLE scratch (x int);
CREATE INDEX ON scratch (x);
SELECT * FROM schemamig.drift();

-- changes made by hand, each named
ALTER TABLE app.orders ADD COLUMN coupon text;
DROP INDEX app.orders_note_idx;
ALTER TABLE app.orders ALTER COLUMN amount SET DEFAULT 0;
CREATE VIEW app.big_orders AS SELECT id FROM app.orders WHERE amount > 100;
GRANT SELECT ON app.items TO drift_reader;
COMMENT ON TABLE app.items IS 'catalogue';
SELECT object_kind, object_name, change, detail, changed_by, changed_at
FROM schemamig.drift();
SELECT severity, problem, revision, detail FROM schemamig.check();

-- a dropped column is an error in check(); an added table a warning
CREATE TABLE app.doomed (id int);
ALTER TABLE app.items DROP COLUMN sku;
SELECT severity, detail FROM schemamig.check() WHERE severity = 'error';

-- adopt_drift(): a revision whose upgrade is the drift, recorded applied
SELECT schemamig.adopt_drift(NULL);
SET client_min_messages = error;  -- lint warnings name the new revision's random id
SELECT schemamig.adopt_drift('hand-made changes') AS script \gset
SET client_min_messages = notice;
SELECT line FROM regexp_split_to_table(
    regexp_replace(:'script', '[0-9a-f]{12}', 'XXX', 'g'), E'\n') AS line
WHERE line !~ '^\s' AND line <> '';
SELECT * FROM schemamig.drift();
SELECT count(*) AS problems FROM schemamig.check();
SELECT message, state FROM schemamig.status() ORDER BY applied_at NULLS LAST, message;
-- it downgrades cleanly, back to the recorded schema, and upgrades again
SET client_min_messages = warning;  -- the NOTICEs name the random id
SELECT count(*) AS downgraded FROM schemamig.downgrade('d2');
SELECT pg_catalog.to_regclass('app.big_orders') IS NULL AS view_gone,
       pg_catalog.to_regclass('app.orders_note_idx') IS NOT NULL AS index_back,
       pg_catalog.to_regclass('app.doomed') IS NULL AS doomed_gone;
SELECT * FROM schemamig.drift();
SELECT count(*) AS upgraded FROM schemamig.upgrade('head');
SET client_min_messages = notice;
SELECT * FROM schemamig.drift();
SELECT schemamig.adopt_drift('nothing to adopt') IS NULL AS no_drift;

-- migrate() commits per revision: a run that stops half way leaves the
-- record pending, said by drift() and check(), until the next run
SELECT revision AS adopted FROM schemamig.status() WHERE message = 'hand-made changes' \gset
SELECT count(*) AS registered FROM schemamig.register(format($$
-- schemamig:revision m1
-- schemamig:down_revision %s
-- schemamig:message commits
-- schemamig:upgrade
CREATE TABLE app.m1 (id int);
-- schemamig:downgrade
DROP TABLE app.m1;

-- schemamig:revision m2
-- schemamig:down_revision m1
-- schemamig:message fails
-- schemamig:upgrade
SELECT 1 / 0;
-- schemamig:downgrade
SELECT 1;
$$, :'adopted'));
SET client_min_messages = warning;
CALL schemamig.migrate('head');
SET client_min_messages = notice;
SELECT taken_by, pending FROM schemamig.schema_snapshot;
SELECT object_kind, object_name, change FROM schemamig.drift();
SELECT severity, problem, detail FROM schemamig.check() WHERE problem = 'schema_drift';
SELECT schemamig.forget('m2');
CALL schemamig.migrate('head');
SELECT taken_by, pending FROM schemamig.schema_snapshot;
SELECT * FROM schemamig.drift();

-- the DDL audit: superusers only
GRANT EXECUTE ON FUNCTION schemamig.enable_ddl_audit() TO drift_dev;
SET ROLE drift_dev;
SELECT schemamig.enable_ddl_audit();
RESET ROLE;
REVOKE EXECUTE ON FUNCTION schemamig.enable_ddl_audit() FROM drift_dev;
SELECT schemamig.enable_ddl_audit();
SELECT evtname, evtevent, evtenabled FROM pg_event_trigger ORDER BY evtname;

-- who and when; schemamig's own DDL and temp objects are not recorded
ALTER TABLE app.items OWNER TO drift_dev;
GRANT USAGE ON SCHEMA app TO drift_dev;
SET ROLE drift_dev;
ALTER TABLE app.items ADD COLUMN price numeric;
CREATE TEMP TABLE scratch2 (x int);
DROP TABLE scratch2;
RESET ROLE;
SELECT object_kind, object_name, change, detail, changed_by,
       changed_at IS NOT NULL AS changed_at_known
FROM schemamig.drift();
SELECT role, event, command_tag, object_type, object_identity,
       length(statement_md5) AS md5_len, statement_head
FROM schemamig.ddl_audit ORDER BY id;
SELECT count(*) AS audit_rows FROM schemamig.ddl_audit \gset
SELECT count(*) AS registered FROM schemamig.register($$
-- schemamig:revision a1
-- schemamig:down_revision m1
-- schemamig:message with the audit on
-- schemamig:upgrade
CREATE TABLE app.audited (id int);
-- schemamig:downgrade
DROP TABLE app.audited;
$$);
SELECT revision FROM schemamig.upgrade('head');
SELECT revision FROM schemamig.downgrade('-1');
SELECT count(*) = :audit_rows AS own_ddl_not_recorded FROM schemamig.ddl_audit;
-- statement text: an md5 and the first line, literals hidden
CREATE TABLE app.secret (x text DEFAULT 'hunter2'
);
SELECT command_tag, statement_head FROM schemamig.ddl_audit
WHERE object_identity = 'app.secret';
-- nobody writes the audit table by hand
SET ROLE drift_dev;
DELETE FROM schemamig.ddl_audit;
RESET ROLE;

-- the trigger never makes DDL fail: its table made unwritable
ALTER TABLE schemamig.ddl_audit ADD CONSTRAINT audit_broken CHECK (false) NOT VALID;
CREATE TABLE app.after_break (id int);
DROP TABLE app.secret;
SELECT pg_catalog.to_regclass('app.after_break') IS NOT NULL AS created,
       pg_catalog.to_regclass('app.secret') IS NULL AS dropped;
ALTER TABLE schemamig.ddl_audit DROP CONSTRAINT audit_broken;
SELECT schemamig.disable_ddl_audit();
SELECT evtname, evtenabled FROM pg_event_trigger ORDER BY evtname;
SELECT schemamig.enable_ddl_audit();

-- the extension drops cleanly with the audit on, and comes back
DROP EXTENSION schemamig;
SELECT count(*) AS event_triggers_left FROM pg_event_trigger;
CREATE TABLE app.no_audit (id int);
CREATE EXTENSION schemamig;
SELECT evtname, evtenabled FROM pg_event_trigger ORDER BY evtname;

SET client_min_messages = warning;
DROP SCHEMA app CASCADE;
\c :regress_db
SET client_min_messages = warning;
DROP DATABASE drift_db;
DROP ROLE drift_reader;
DROP ROLE drift_dev;
