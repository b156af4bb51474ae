--
-- register: added / unchanged / replaced, edits of applied revisions,
-- graph errors (missing parents, cycles, labels), revision(), merge(),
-- forget().  A refused registration leaves the catalog as it was.
--
CREATE SCHEMA reg;
SET search_path = reg, public;

SELECT * FROM schemamig.register('-- schemamig:revision a
-- schemamig:message create t
-- schemamig:upgrade
CREATE TABLE reg.t (id int);
-- schemamig:downgrade
DROP TABLE reg.t;
-- schemamig:revision b
-- schemamig:down_revision a
-- schemamig:upgrade
ALTER TABLE reg.t ADD COLUMN b int;
-- schemamig:downgrade
ALTER TABLE reg.t DROP COLUMN b;');

-- the same again: unchanged
SELECT * FROM schemamig.register('-- schemamig:revision a
-- schemamig:message create t
-- schemamig:upgrade
CREATE TABLE reg.t (id int);
-- schemamig:downgrade
DROP TABLE reg.t;');

-- a pending revision may change: replaced, keeping its place
SELECT * FROM schemamig.register('-- schemamig:revision b
-- schemamig:down_revision a
-- schemamig:message add b
-- schemamig:upgrade
ALTER TABLE reg.t ADD COLUMN b bigint;
-- schemamig:downgrade
ALTER TABLE reg.t DROP COLUMN b;');
SELECT revision, message, upgrade_sql FROM schemamig.revisions ORDER BY seq;

SELECT revision FROM schemamig.upgrade('a');

-- an applied revision may not change: both checksums are shown
SELECT * FROM schemamig.register('-- schemamig:revision a
-- schemamig:message create t
-- schemamig:upgrade
CREATE TABLE reg.t (id bigint);
-- schemamig:downgrade
DROP TABLE reg.t;');
SELECT * FROM schemamig.register('-- schemamig:revision a
-- schemamig:message create table t
-- schemamig:upgrade
CREATE TABLE reg.t (id int);
-- schemamig:downgrade
DROP TABLE reg.t;');

-- parents must exist, here or already
SELECT * FROM schemamig.register('-- schemamig:revision c
-- schemamig:down_revision nope
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision c
-- schemamig:down_revision b
-- schemamig:depends_on nope
-- schemamig:upgrade');
-- a parent defined later in the same script is fine
SELECT * FROM schemamig.register('-- schemamig:revision d
-- schemamig:down_revision c
-- schemamig:upgrade
-- schemamig:revision c
-- schemamig:down_revision b
-- schemamig:upgrade');

-- cycles: 2 and 3 revisions, through a merge point, through depends_on
SELECT * FROM schemamig.register('-- schemamig:revision x1
-- schemamig:down_revision x2
-- schemamig:upgrade
-- schemamig:revision x2
-- schemamig:down_revision x1
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision x1
-- schemamig:down_revision x3
-- schemamig:upgrade
-- schemamig:revision x2
-- schemamig:down_revision x1
-- schemamig:upgrade
-- schemamig:revision x3
-- schemamig:down_revision x2
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision m1
-- schemamig:down_revision d, m2
-- schemamig:upgrade
-- schemamig:revision m2
-- schemamig:down_revision m1
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision y1
-- schemamig:down_revision d
-- schemamig:depends_on y2
-- schemamig:upgrade
-- schemamig:revision y2
-- schemamig:down_revision y1
-- schemamig:upgrade');
-- a pending revision re-registered into a cycle
SELECT * FROM schemamig.register('-- schemamig:revision c
-- schemamig:down_revision d
-- schemamig:upgrade');

-- branch labels: one revision each, never a revision id
SELECT * FROM schemamig.register('-- schemamig:revision l1
-- schemamig:down_revision d
-- schemamig:branch_labels feature
-- schemamig:upgrade
-- schemamig:revision l2
-- schemamig:down_revision d
-- schemamig:branch_labels feature
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision l1
-- schemamig:down_revision d
-- schemamig:branch_labels a
-- schemamig:upgrade');

-- all or nothing: the valid first block of a failing script is not kept
SELECT * FROM schemamig.register('-- schemamig:revision ok1
-- schemamig:down_revision d
-- schemamig:upgrade
-- schemamig:revision bad1
-- schemamig:down_revision missing
-- schemamig:upgrade');
SELECT revision, down_revisions, message FROM schemamig.revisions ORDER BY seq;

--
-- revision(): like "alembic revision -m"
--
SELECT schemamig.revision('add c', 'ALTER TABLE reg.t ADD c int;',
                          'ALTER TABLE reg.t DROP c;', revision => 'e');
SELECT down_revisions, message, upgrade_line FROM schemamig.revisions WHERE revision = 'e';
-- a generated id: 12 hex characters, on top of the head
BEGIN;
SELECT schemamig.revision('generated', '') ~ '^[0-9a-f]{12}$' AS generated;
SELECT down_revisions FROM schemamig.revisions ORDER BY seq DESC LIMIT 1;
ROLLBACK;
SELECT schemamig.revision('no sql', '', revision => 'nosql');
-- a new root, with a label
SELECT schemamig.revision('other root', 'SELECT 1', down_revision => NULL,
                          revision => 'root2', branch_label => 'side');
SELECT down_revisions, branch_labels FROM schemamig.revisions WHERE revision = 'root2';
-- two heads now: "head" refuses and names them
SELECT schemamig.revision('where?', 'SELECT 1');
-- errors
SELECT schemamig.revision('dup', 'SELECT 1', revision => 'e');
SELECT schemamig.revision('bad id', 'SELECT 1', revision => 'no way');
SELECT schemamig.revision('null', NULL, down_revision => 'e');
SELECT schemamig.revision(E'two\nlines', 'SELECT 1', down_revision => 'e');
SELECT schemamig.revision('bad sql', E'SELECT 1;\nSELEC 2', down_revision => 'e', revision => 'badsql');
SELECT schemamig.revision('label taken', 'SELECT 1', down_revision => 'e',
                          revision => 'lt', branch_label => 'side');
SELECT schemamig.revision('unknown parent', 'SELECT 1', down_revision => 'zzz');
SELECT schemamig.revision('dup labels', 'SELECT 1', down_revision => 'e',
                          revision => 'dl', branch_label => 'x, x');

--
-- merge()
--
SELECT revision, message FROM schemamig.heads() ORDER BY revision;
SELECT schemamig.merge(ARRAY['nope', 'root2']);
SELECT schemamig.merge(ARRAY['root2']);
SELECT schemamig.merge(ARRAY['a', 'root2', 'e']);
SELECT schemamig.merge(message => 'join side') ~ '^[0-9a-f]{12}$' AS merged;
SELECT message, array_length(down_revisions, 1) AS parents, upgrade_sql, downgrade_sql
FROM schemamig.revisions ORDER BY seq DESC LIMIT 1;
SELECT count(*) AS heads FROM schemamig.heads();
SELECT schemamig.merge();

--
-- forget()
--
SELECT schemamig.forget('a');
SELECT schemamig.forget('b');
SELECT schemamig.forget('nope');
SELECT schemamig.forget(revision) FROM schemamig.heads();
SELECT count(*) AS heads FROM schemamig.heads();
SELECT revision FROM schemamig.heads() ORDER BY 1;
-- each forget() is in the event log, with the checksum and the caller; the
-- refused ones left nothing
SELECT operation, count(*), bool_and(checksum IS NOT NULL) AS checksums,
       bool_and(by = current_user) AS by_caller, bool_and(elapsed IS NULL) AS no_elapsed
FROM schemamig.events WHERE operation = 'forget' GROUP BY operation;
SELECT count(*) AS forget_b FROM schemamig.events
WHERE operation = 'forget' AND revision = 'b';

-- clean up
SELECT revision FROM schemamig.downgrade('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA reg CASCADE;
RESET search_path;
