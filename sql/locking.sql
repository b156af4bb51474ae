--
-- locking: schemamig.lock_timeout, lock_retries, retry_delay and
-- statement_timeout apply while revision SQL runs.  A second session (dblink)
-- holds locks.  Volatile parts (pids, times, random back-off) are masked.
--
CREATE EXTENSION dblink;
CREATE SCHEMA lk;
CREATE TABLE lk.busy (id int);
INSERT INTO lk.busy VALUES (1);

SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision lk1
-- schemamig:message add a column to busy
-- schemamig:upgrade
CREATE TABLE lk.other (id int);
ALTER TABLE lk.busy ADD COLUMN note text;
-- schemamig:downgrade
ALTER TABLE lk.busy DROP COLUMN note;
DROP TABLE lk.other;
$s$);

-- the settings and their defaults
SELECT name, setting, unit FROM pg_settings
WHERE name LIKE 'schemamig.%' ORDER BY name;

-- print an error with pids and times masked
CREATE FUNCTION lk.try(sql text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  st text; msg text; det text;
BEGIN
  EXECUTE sql;
  RAISE NOTICE 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
  RAISE NOTICE '% %', st, msg;
  RAISE NOTICE 'detail: %', regexp_replace(regexp_replace(det,
      'pid \d+', 'pid N', 'g'), 'since [0-9: -]+', 'since T', 'g');
END $$;

-- a reader in another session holds ACCESS SHARE on lk.busy
SELECT dblink_connect('blocker', format('dbname=%s port=%s host=%s',
    current_database(), current_setting('port'),
    split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', 'SELECT count(*) FROM lk.busy') AS t(n bigint);

-- no retries: a clear error naming revision, statement, lock and blocker
SET schemamig.lock_timeout = '100ms';
SET schemamig.lock_retries = 0;
SELECT lk.try('SELECT * FROM schemamig.upgrade()');
-- retries that run out: the revision is rolled back each time, and a
-- NOTICE says so (no delay, and terse output, keep it deterministic)
SET schemamig.lock_retries = 2;
SET schemamig.retry_delay = 0;
\set VERBOSITY terse
SELECT lk.try('SELECT * FROM schemamig.upgrade()');
\set VERBOSITY default
-- nothing happened, no lock is left behind
SELECT count(*) AS applied FROM schemamig.applied;
SELECT to_regclass('lk.other') AS other;
SELECT count(*) AS advisory FROM pg_locks WHERE locktype = 'advisory';

-- the blocker ends while the migration waits between retries: it succeeds
SET schemamig.lock_retries = 50;
SET schemamig.retry_delay = '20ms';
SELECT dblink_send_query('blocker', 'SELECT pg_sleep(0.5); COMMIT');
SET client_min_messages = warning;
SELECT revision FROM schemamig.upgrade();
RESET client_min_messages;
SELECT * FROM dblink_get_result('blocker') AS t(x text);
SELECT * FROM dblink_get_result('blocker') AS t(x text);
SELECT * FROM dblink_get_result('blocker') AS t(x text);
SELECT column_name FROM information_schema.columns
WHERE table_schema = 'lk' AND table_name = 'busy' ORDER BY ordinal_position;

-- the settings only apply to revision SQL: the caller's are unchanged
SHOW lock_timeout;
SHOW statement_timeout;

-- schemamig.statement_timeout: a slow statement is cancelled (57014, never
-- swallowed by the retry logic) and the whole call rolls back
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision lk2
-- schemamig:down_revision lk1
-- schemamig:upgrade
CREATE TABLE lk.slow (id int);
SELECT pg_sleep(2);
-- schemamig:downgrade
DROP TABLE lk.slow;
$s$);
SET schemamig.statement_timeout = '100ms';
SELECT revision FROM schemamig.upgrade();
SELECT to_regclass('lk.slow') AS slow;
-- the same with lock retries off: same error
SET schemamig.lock_timeout = 0;
SELECT revision FROM schemamig.upgrade();
RESET schemamig.statement_timeout;
RESET schemamig.lock_timeout;

-- progress: another session sees which revision and statement run
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision lk2
-- schemamig:down_revision lk1
-- schemamig:upgrade
CREATE TABLE lk.slow (id int);
SELECT pg_sleep(1);
-- schemamig:downgrade
DROP TABLE lk.slow;
$s$);
SELECT dblink_send_query('blocker', 'SELECT count(*) FROM schemamig.upgrade()');
DO $$
DECLARE
  seen text;
BEGIN
  FOR i IN 1 .. 200 LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT query INTO seen FROM pg_stat_activity
    WHERE query LIKE 'schemamig: upgrade % statement 2/2';
    EXIT WHEN seen IS NOT NULL;
    PERFORM pg_sleep(0.02);
  END LOOP;
  RAISE NOTICE 'pg_stat_activity: %', seen;
END $$;
SELECT * FROM dblink_get_result('blocker') AS t(n bigint);
SELECT * FROM dblink_get_result('blocker') AS t(n bigint);
SELECT dblink_disconnect('blocker');
SELECT * FROM schemamig.current();

-- several revisions in one subtransaction (schemamig.subtransaction_time):
-- lb2 waits for the lock, so lb1, run in the same subtransaction, is rolled
-- back with it and run again first; "Running upgrade" is said once per
-- revision, and each is recorded and returned once
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision lb1
-- schemamig:down_revision lk2
-- schemamig:upgrade
CREATE TABLE lk.b1 (id int);
-- schemamig:downgrade
DROP TABLE lk.b1;

-- schemamig:revision lb2
-- schemamig:down_revision lb1
-- schemamig:upgrade
ALTER TABLE lk.busy ADD COLUMN b2 int;
-- schemamig:downgrade
ALTER TABLE lk.busy DROP COLUMN b2;

-- schemamig:revision lb3
-- schemamig:down_revision lb2
-- schemamig:upgrade
CREATE TABLE lk.b3 (id int);
-- schemamig:downgrade
DROP TABLE lk.b3;
$s$);
SELECT dblink_connect('blocker', format('dbname=%s port=%s host=%s',
    current_database(), current_setting('port'),
    split_part(current_setting('unix_socket_directories'), ',', 1)));
SELECT dblink_exec('blocker', 'BEGIN');
SELECT * FROM dblink('blocker', 'SELECT count(*) FROM lk.busy') AS t(n bigint);
SET schemamig.lock_timeout = '100ms';
SET schemamig.lock_retries = 1;
SET schemamig.retry_delay = 0;
SET schemamig.subtransaction_time = '1h';
\set VERBOSITY terse
SELECT lk.try('SELECT * FROM schemamig.upgrade()');
-- 0: each revision in its own subtransaction, only lb2 is rolled back
SET schemamig.subtransaction_time = 0;
SELECT lk.try('SELECT * FROM schemamig.upgrade()');
\set VERBOSITY default
SELECT to_regclass('lk.b1') AS b1, count(*) AS applied
FROM schemamig.applied WHERE revision LIKE 'lb%';
-- the blocker ends while the migration retries
SET schemamig.subtransaction_time = '1h';
SET schemamig.lock_retries = 50;
SET schemamig.retry_delay = '20ms';
SELECT dblink_send_query('blocker', 'SELECT pg_sleep(0.5); COMMIT');
SET client_min_messages = warning;
SELECT revision, from_revision FROM schemamig.upgrade();
RESET client_min_messages;
SELECT * FROM dblink_get_result('blocker') AS t(x text);
SELECT * FROM dblink_get_result('blocker') AS t(x text);
SELECT * FROM dblink_get_result('blocker') AS t(x text);
SELECT dblink_disconnect('blocker');
SELECT e.revision, count(*) AS events, bool_and(a.revision IS NOT NULL) AS applied
FROM schemamig.events e LEFT JOIN schemamig.applied a USING (revision)
WHERE e.revision LIKE 'lb%' GROUP BY 1 ORDER BY 1;
SELECT to_regclass('lk.b1') AS b1, to_regclass('lk.b3') AS b3;
RESET schemamig.subtransaction_time;
RESET schemamig.lock_retries;
RESET schemamig.retry_delay;
RESET schemamig.lock_timeout;

-- clean up
SELECT count(*) FROM schemamig.downgrade('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA lk CASCADE;
DROP EXTENSION dblink;
