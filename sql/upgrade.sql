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

CREATE TEMP TABLE before_update AS
SELECT 'revisions' AS t, pg_catalog.string_agg(pg_catalog.concat_ws('|', revision, checksum, upgrade_sql, downgrade_sql, seq), ',' ORDER BY seq) AS v FROM schemamig.revisions
UNION ALL
SELECT 'applied', pg_catalog.string_agg(pg_catalog.concat_ws('|', revision, checksum, applied_at), ',' ORDER BY revision) FROM schemamig.applied
UNION ALL
SELECT 'events', pg_catalog.string_agg(pg_catalog.concat_ws('|', id, operation, revision, checksum), ',' ORDER BY id) FROM schemamig.events;

ALTER EXTENSION schemamig UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'schemamig';

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

-- no update path leads anywhere but forward
SELECT source, target, path FROM pg_catalog.pg_extension_update_paths('schemamig')
WHERE path IS NOT NULL ORDER BY source, target;

-- a fresh install at the default version matches the updated one
DROP EXTENSION schemamig;
CREATE EXTENSION schemamig;
SELECT extversion FROM pg_extension WHERE extname = 'schemamig';
