--
-- statements: revision bodies are split with the server's parser, and what
-- cannot run inside a migration is refused at registration, line named.
--
\set VERBOSITY default

--
-- Accepted bodies
--

-- several statements, comments and blank lines before them
SELECT * FROM schemamig.register($s$-- schemamig:revision st_multi
-- schemamig:upgrade
CREATE TABLE st_a (i int);

-- a comment line
/* a block
   comment */
  INSERT INTO st_a VALUES (1);   SELECT 1
-- schemamig:downgrade
DROP TABLE st_a;
$s$);

-- dollar-quoted body with ';' and lines starting with a backslash
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dollar
-- schemamig:upgrade
CREATE FUNCTION st_f() RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
  RETURN E'a\\b';
\connect this is only text
END;
$fn$;
DO $$BEGIN PERFORM 1; END$$;
-- schemamig:downgrade
DROP FUNCTION st_f();
$s$);

-- BEGIN ATOMIC body with ';' inside
SELECT * FROM schemamig.register($s$-- schemamig:revision st_atomic
-- schemamig:upgrade
CREATE TABLE st_t (i int);
CREATE FUNCTION st_g() RETURNS int LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO st_t VALUES (1);
  SELECT 1;
END;
$s$);

-- statements that look close to refused ones but run in a transaction
SELECT * FROM schemamig.register($s$-- schemamig:revision st_allowed
-- schemamig:upgrade
SET search_path = public;
ANALYZE st_t;
ALTER TYPE st_e ADD VALUE 'x';
COPY st_t FROM '/tmp/st_t.data';
COPY (SELECT 1 FROM stdin) TO '/tmp/st_t.out';
CLUSTER st_t USING st_t_i;
REINDEX TABLE st_t;
REINDEX (CONCURRENTLY false) TABLE st_t;
CREATE INDEX st_t_i ON st_t (i);
DROP INDEX st_t_i;
ALTER TABLE st_p DETACH PARTITION st_c;
DISCARD PLANS;
ALTER DATABASE st_db SET work_mem = '8MB';
CREATE SUBSCRIPTION st_s CONNECTION 'dbname=x' PUBLICATION p WITH (connect = false);
ALTER SUBSCRIPTION st_s SET PUBLICATION p WITH (refresh = false);
$s$);

-- a body of comments only
SELECT * FROM schemamig.register($s$-- schemamig:revision st_comments
-- schemamig:upgrade
-- nothing to do
/* really nothing */
-- schemamig:downgrade
$s$);

SELECT schemamig.forget('st_multi');
SELECT schemamig.forget('st_dollar');
SELECT schemamig.forget('st_atomic');
SELECT schemamig.forget('st_allowed');
SELECT schemamig.forget('st_comments');

--
-- Transaction control
--
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int);

BEGIN;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int);
-- schemamig:downgrade
DROP TABLE st_x;
COMMIT;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
START TRANSACTION;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ROLLBACK;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SAVEPOINT s1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
RELEASE SAVEPOINT s1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ROLLBACK TO SAVEPOINT s1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
PREPARE TRANSACTION 'x';
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
COMMIT PREPARED 'x';
$s$);

--
-- Statements that cannot run inside a transaction block
--
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int);
CREATE INDEX CONCURRENTLY st_x_i ON st_x (i);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
DROP INDEX CONCURRENTLY st_x_i;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
REINDEX TABLE CONCURRENTLY st_x;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
REINDEX (CONCURRENTLY) INDEX st_x_i;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
REINDEX DATABASE st_db;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
REINDEX SYSTEM st_db;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
REINDEX SCHEMA public;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ALTER TABLE st_p DETACH PARTITION st_c CONCURRENTLY;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
VACUUM;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
VACUUM (ANALYZE) st_x;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CLUSTER;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ALTER SYSTEM SET work_mem = '8MB';
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE DATABASE st_db;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
DROP DATABASE st_db;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ALTER DATABASE st_db SET TABLESPACE st_ts;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLESPACE st_ts LOCATION '/tmp/st_ts';
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
DROP TABLESPACE st_ts;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE SUBSCRIPTION st_s CONNECTION 'dbname=x' PUBLICATION p;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
DROP SUBSCRIPTION st_s;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ALTER SUBSCRIPTION st_s REFRESH PUBLICATION;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
ALTER SUBSCRIPTION st_s ADD PUBLICATION p2;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
DISCARD ALL;
$s$);

--
-- psql input: meta-commands and COPY from/to the client
--
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int);
\connect foo
CREATE TABLE st_y (i int);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SELECT 'CREATE TABLE st_z (i int)' \gexec
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int, t text);
COPY st_x (i, t) FROM stdin;
1	O'Brien
2	it's
\.
SELECT 1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
COPY (SELECT 1) TO STDOUT;
$s$);

--
-- SQL that does not scan or parse: the server's error, the line named
--
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int);

CREAT TABLE st_y (i int);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
CREATE TABLE st_x (i int);
-- schemamig:downgrade
DROP TABLE st_x;
SELECT (1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SELECT 1;
SELECT 1 +
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SELECT 1;
SELECT 'unterminated
;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SELECT 1;
/* unterminated
comment
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SELECT 1;
CREATE FUNCTION st_h() RETURNS int LANGUAGE sql AS $fn$
SELECT 1;
$s$);
-- multibyte characters before the error: the line is still right
SELECT * FROM schemamig.register($s$-- schemamig:revision st_bad
-- schemamig:upgrade
SELECT '日本語日本語日本語日本語日本語日本語日本語';
-- ünïcödé 日本語
SELECT 'ß' FRM st_x;
$s$);

-- nothing was registered by the refused scripts
SELECT count(*) AS registered FROM schemamig.status()
 WHERE revision LIKE 'st\_%';

-- a huge run of operator characters would make the server's scanner take
-- quadratic, uncancellable time: refused at once; a long banner is fine
SELECT * FROM schemamig.register(E'-- schemamig:revision st_ops\n-- schemamig:upgrade\nDROP TABLE ' || repeat('/*', 5000));
SELECT * FROM schemamig.register(E'-- schemamig:revision st_ops\n-- schemamig:upgrade\nSELECT 1; /*' || repeat('*', 4000) || '*/');
SELECT schemamig.forget('st_ops');
