--
-- upgrade: users upgrade, they don't reinstall.  Install 0.1, build
-- history (applied revisions, a pending one, events), ALTER EXTENSION
-- schemamig UPDATE, and show the history intact and usable.
--
DROP EXTENSION schemamig;
CREATE EXTENSION schemamig VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'schemamig';

SELECT * FROM schemamig.register('-- schemamig:revision u1
-- schemamig:message first
-- schemamig:upgrade
CREATE TABLE public.upg_t (id int);
-- schemamig:downgrade
DROP TABLE public.upg_t;
-- schemamig:revision u2
-- schemamig:down_revision u1
-- schemamig:message second
-- schemamig:upgrade
ALTER TABLE public.upg_t ADD COLUMN b int;
-- schemamig:downgrade
ALTER TABLE public.upg_t DROP COLUMN b;
-- schemamig:revision u3
-- schemamig:down_revision u2
-- schemamig:message pending
-- schemamig:upgrade
ALTER TABLE public.upg_t ADD COLUMN c int;
-- schemamig:downgrade
ALTER TABLE public.upg_t DROP COLUMN c;');
SELECT revision FROM schemamig.upgrade('u2');

-- authorship (0.2 keeps it by role OID): a migration role with the grants
-- the 0.1 README gave, and a role dropped before the update, register too
CREATE ROLE regress_upg_mig;
CREATE ROLE regress_upg_gone;
GRANT USAGE ON SCHEMA schemamig TO regress_upg_mig, regress_upg_gone;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA schemamig TO regress_upg_mig, regress_upg_gone;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA schemamig TO regress_upg_mig, regress_upg_gone;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA schemamig TO regress_upg_mig, regress_upg_gone;
SET ROLE regress_upg_mig;
SELECT * FROM schemamig.register('-- schemamig:revision u4
-- schemamig:down_revision u3
-- schemamig:upgrade
SELECT 4;');
RESET ROLE;
SET ROLE regress_upg_gone;
SELECT * FROM schemamig.register('-- schemamig:revision u5
-- schemamig:down_revision u4
-- schemamig:upgrade
SELECT 5;');
RESET ROLE;
DROP OWNED BY regress_upg_gone;
DROP ROLE regress_upg_gone;

CREATE TEMP TABLE before_update AS
SELECT 'revisions' AS t, pg_catalog.string_agg(pg_catalog.concat_ws('|', revision, checksum, upgrade_sql, downgrade_sql, seq), ',' ORDER BY seq) AS v FROM schemamig.revisions
UNION ALL
SELECT 'applied', pg_catalog.string_agg(pg_catalog.concat_ws('|', revision, checksum, applied_at), ',' ORDER BY revision) FROM schemamig.applied
UNION ALL
SELECT 'events', pg_catalog.string_agg(pg_catalog.concat_ws('|', id, operation, revision, checksum), ',' ORDER BY id) FROM schemamig.events;

ALTER EXTENSION schemamig UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'schemamig';
-- 0.2 adds adopt() (issue 17), not executable by PUBLIC
SELECT pg_catalog.to_regprocedure('schemamig.adopt(text)') IS NOT NULL AS has_adopt,
       pg_catalog.has_function_privilege('public', 'schemamig.adopt(text)', 'EXECUTE') AS public_may_adopt;

-- the history is the same, row for row
SELECT b.t, b.v = a.v AS intact
FROM before_update b
JOIN (
SELECT 'revisions' AS t, pg_catalog.string_agg(pg_catalog.concat_ws('|', revision, checksum, upgrade_sql, downgrade_sql, seq), ',' ORDER BY seq) AS v FROM schemamig.revisions
UNION ALL
SELECT 'applied', pg_catalog.string_agg(pg_catalog.concat_ws('|', revision, checksum, applied_at), ',' ORDER BY revision) FROM schemamig.applied
UNION ALL
SELECT 'events', pg_catalog.string_agg(pg_catalog.concat_ws('|', id, operation, revision, checksum), ',' ORDER BY id) FROM schemamig.events
) a USING (t)
ORDER BY b.t;

-- the authors, by OID: those of 0.1's names that still exist
SELECT revision, registered_by,
       registered_by_oid IS NOT DISTINCT FROM pg_catalog.to_regrole(registered_by::text)::oid AS backfilled,
       registered_by_oid IS NULL AS unknown
FROM schemamig.revisions ORDER BY seq;
-- the guard trigger on each table
SELECT tgrelid::regclass AS "table", tgname, tgenabled
FROM pg_trigger WHERE tgfoid = 'schemamig.catalog_guard'::regproc ORDER BY 1;
-- offline scripts' procedure, not for PUBLIC
SELECT p.oid::regprocedure AS offline_step, p.prokind,
       pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE') AS public_may,
       pg_catalog.obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_proc p WHERE p.proname = 'offline_step'
 AND p.pronamespace = 'schemamig'::regnamespace;
-- grants as README "Privileges" documents them: SELECT, no writes
SELECT c.relname, c.relkind,
       pg_catalog.has_table_privilege('regress_upg_mig', c.oid, 'SELECT') AS can_select,
       CASE c.relkind WHEN 'S'
            THEN pg_catalog.has_sequence_privilege('regress_upg_mig', c.oid, 'USAGE, UPDATE')
            ELSE pg_catalog.has_table_privilege('regress_upg_mig', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
       END AS can_write
FROM pg_class c WHERE c.relnamespace = 'schemamig'::regnamespace AND c.relkind IN ('r', 'S')
ORDER BY 1;
-- which the migration role's work does not need; a write of its own is
-- refused; forget() is logged now
SET ROLE regress_upg_mig;
UPDATE schemamig.revisions SET registered_by = 'postgres' WHERE revision = 'u4';
SELECT schemamig.forget('u5');
SELECT schemamig.forget('u4');
RESET ROLE;
SELECT operation, revision, by FROM schemamig.events WHERE operation = 'forget' ORDER BY id;

-- and usable: status, check, the pending revision runs, downgrade works
SELECT revision, state FROM schemamig.status() ORDER BY revision;
SELECT severity, problem, revision FROM schemamig.check() ORDER BY revision;
SELECT revision FROM schemamig.upgrade('head');
SELECT revision FROM schemamig.downgrade('base');
SELECT pg_catalog.to_regclass('public.upg_t') IS NULL AS dropped;

-- 0.2 adds describe() and diff() (autogenerate), not granted to PUBLIC
SELECT p.proname, pg_catalog.pg_get_function_arguments(p.oid) AS args,
       NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) e WHERE e.grantee = 0) AS not_public
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'schemamig'::pg_catalog.regnamespace AND p.proname IN ('describe', 'diff')
ORDER BY 1;
SELECT schemamig.describe(ARRAY['nosuch'])->'tables' AS describe_works;

-- 0.2 adds drift detection (issue 15): the record, drift(), adopt_drift()
-- and the DDL audit, whose event triggers come disabled
SELECT p.proname,
       NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) e WHERE e.grantee = 0) AS not_public
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'schemamig'::pg_catalog.regnamespace
  AND p.proname IN ('drift', 'adopt_drift', 'ddl_audit_trigger', 'enable_ddl_audit', 'disable_ddl_audit')
ORDER BY 1;
SELECT c.relname FROM pg_catalog.pg_class c
WHERE c.relnamespace = 'schemamig'::pg_catalog.regnamespace
  AND c.relname IN ('schema_snapshot', 'ddl_audit') ORDER BY 1;
SELECT evtname, evtevent, evtenabled FROM pg_catalog.pg_event_trigger
WHERE evtname LIKE 'schemamig%' ORDER BY 1;
SELECT count(*) AS drift_rows FROM schemamig.drift();

-- no update path leads anywhere but forward
SELECT source, target, path FROM pg_catalog.pg_extension_update_paths('schemamig')
WHERE path IS NOT NULL ORDER BY source, target;

-- a fresh install at the default version matches the updated one
DROP EXTENSION schemamig;
CREATE EXTENSION schemamig;
SELECT extversion FROM pg_extension WHERE extname = 'schemamig';
SELECT count(*) AS guard_triggers FROM pg_trigger
WHERE tgfoid = 'schemamig.catalog_guard'::regproc;
DROP OWNED BY regress_upg_mig;
DROP ROLE regress_upg_mig;
