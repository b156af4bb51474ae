--
-- stamp: record a state without running SQL, e.g. after a change made by
-- hand; other branches keep their state; base clears.
--
CREATE SCHEMA stp;
CREATE TABLE stp.users (id int);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision s1
-- schemamig:message users
-- schemamig:upgrade
CREATE TABLE stp.users (id int);
-- schemamig:downgrade
DROP TABLE stp.users;
-- schemamig:revision s2
-- schemamig:down_revision s1
-- schemamig:message add email
-- schemamig:upgrade
ALTER TABLE stp.users ADD COLUMN email text;
-- schemamig:downgrade
ALTER TABLE stp.users DROP COLUMN email;
-- schemamig:revision s3
-- schemamig:down_revision s2
-- schemamig:message add name
-- schemamig:upgrade
ALTER TABLE stp.users ADD COLUMN name text;
-- schemamig:downgrade
ALTER TABLE stp.users DROP COLUMN name;
-- schemamig:revision t1
-- schemamig:branch_labels tools
-- schemamig:upgrade
CREATE TABLE stp.tools (id int);
-- schemamig:downgrade
DROP TABLE stp.tools;
$s$);

-- the table exists already; a column was added by hand, too
ALTER TABLE stp.users ADD COLUMN email text;
SELECT * FROM schemamig.stamp('s2');
SELECT revision, state FROM schemamig.status();
SELECT operation, revision FROM schemamig.events ORDER BY id;
-- upgrade runs only what is left
SELECT revision FROM schemamig.upgrade('s3');

-- the other branch is untouched by stamps on this one
SELECT revision FROM schemamig.upgrade('tools');
SELECT * FROM schemamig.stamp('s1') ORDER BY 1;
SELECT revision, state FROM schemamig.status();
SELECT * FROM schemamig.stamp('heads') ORDER BY 1;
SELECT * FROM schemamig.stamp('tools@base');
SELECT * FROM schemamig.stamp('head');
SELECT * FROM schemamig.stamp('base');
SELECT count(*) AS applied FROM schemamig.applied;
-- any target that means base also clears applied rows nobody registers
INSERT INTO schemamig.applied (revision, checksum) VALUES ('gone', 'v1-sha256:x');
SELECT * FROM schemamig.stamp('s1');
SELECT * FROM schemamig.stamp('s1-1');
SELECT count(*) AS applied FROM schemamig.applied;
SELECT * FROM schemamig.stamp('nope');
-- NULL is an error naming the argument, as for every running function
SELECT * FROM schemamig.stamp(NULL);
-- stamp writes the same bookkeeping as a step: applied row and event
SELECT operation, revision, elapsed IS NULL AS untimed FROM schemamig.events
WHERE operation IN ('stamp', 'unstamp') ORDER BY id DESC LIMIT 3;

-- clean up
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA stp CASCADE;
