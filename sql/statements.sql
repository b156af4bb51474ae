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

--
-- Lexer settings (issue 12, attack 3): bodies are split with
-- standard_conforming_strings = on and backslash_quote = safe_encoding, the
-- settings they run with, whatever the registering session has set
--
CREATE TABLE victim (i int);
SET schemamig.lint = error;
SET standard_conforming_strings = off;
-- under "off" this would be a SELECT and a DROP; it is split (and later
-- run) as the one SELECT of two strings it is under "on"
SELECT * FROM schemamig.register($s$-- schemamig:revision st_smuggle
-- schemamig:upgrade
SELECT 'x\', $$'; DROP TABLE victim; --$$;
-- schemamig:downgrade
SELECT 1;
$s$);
SELECT line, rule, statement FROM schemamig.lint_revision('st_smuggle');
-- (the runner pins the same settings while it runs revision SQL; here the
-- session is put back so that this test does not depend on that)
RESET standard_conforming_strings;
SELECT revision FROM schemamig.upgrade('st_smuggle');
SELECT to_regclass('victim') AS victim;
SELECT revision FROM schemamig.downgrade('base');
SELECT schemamig.forget('st_smuggle');
-- with the SET in the revision: refused, line named
SET standard_conforming_strings = off;
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SET standard_conforming_strings = off;
SELECT 'x\', $$'; DROP TABLE victim; --$$;
$s$);
RESET standard_conforming_strings;
RESET schemamig.lint;
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SET LOCAL standard_conforming_strings TO false;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
RESET standard_conforming_strings;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SET standard_conforming_strings TO DEFAULT;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
RESET ALL;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SET backslash_quote = on;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SELECT set_config(E'STANDARD\x5fconforming_strings', 'off', true);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SELECT set_config(U&'backslash\005fquote', 'on', true);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
SELECT set_config(U&'backslash!005fquote' UESCAPE '!', 'on', true);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
DO $$BEGIN EXECUTE 'SET standard_conforming_strings = off'; END$$;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
ALTER ROLE CURRENT_USER SET standard_conforming_strings = on;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer
-- schemamig:upgrade
ALTER DATABASE regression RESET backslash_quote;
$s$);
-- setting the pinned values (pg_dump prints the first) and harmless
-- neighbours are fine
SELECT * FROM schemamig.register($s$-- schemamig:revision st_lexer_ok
-- schemamig:upgrade
SET standard_conforming_strings = on;
SET LOCAL standard_conforming_strings TO true;
SET backslash_quote = safe_encoding;
SET escape_string_warning = off;
SELECT pg_catalog.set_config('search_path', '', false);
ALTER ROLE CURRENT_USER RESET ALL;
-- a comment naming standard_conforming_strings is no string
SELECT 1;
$s$);
SELECT schemamig.forget('st_lexer_ok');
-- the linter reports the same refusals
SELECT line, rule, severity, message FROM schemamig.lint($s$-- schemamig:revision st_lint
-- schemamig:upgrade
SET standard_conforming_strings = off;
LISTEN st_channel;
$s$);

--
-- Session hygiene (issue 12, item 7): nothing a revision does may outlive
-- the call in the caller's session
--
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
LISTEN st_channel;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
DEALLOCATE ALL;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
DEALLOCATE PREPARE st_plan;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
PREPARE st_plan AS SELECT 1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
DECLARE st_cur CURSOR WITH HOLD FOR SELECT 1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
SELECT pg_advisory_lock(1936549735, 1);
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
SELECT "pg_try_advisory_lock"(42) FROM pg_class LIMIT 1;
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session
-- schemamig:upgrade
SELECT pg_catalog.pg_advisory_unlock_all();
$s$);
-- what stays allowed: NOTIFY, UNLISTEN, cursors without hold, xact locks
SELECT * FROM schemamig.register($s$-- schemamig:revision st_session_ok
-- schemamig:upgrade
NOTIFY st_channel;
UNLISTEN *;
DECLARE st_cur CURSOR WITHOUT HOLD FOR SELECT 1;
CLOSE st_cur;
SELECT pg_advisory_xact_lock(1936549735, 2);
$s$);
SELECT schemamig.forget('st_session_ok');

--
-- pg_dump's \restrict / \unrestrict lines (PostgreSQL 15.14+, 17.6+) are
-- dropped with a NOTICE; nothing else of psql's is
--
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
--
-- PostgreSQL database dump
--

\restrict aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1p

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;
SET row_security = off;

CREATE TABLE public.st_dumped (
    id integer NOT NULL,
    note text DEFAULT '\restrict x'::text
);

--
-- PostgreSQL database dump complete
--

\unrestrict aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK7lM9nO1p
$s$);
SELECT revision FROM schemamig.upgrade('st_dump');
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
 WHERE adrelid = 'public.st_dumped'::regclass;
DROP TABLE public.st_dumped;
SELECT schemamig.stamp('base');
SELECT schemamig.forget('st_dump');
-- anything else near it stays refused
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
\restrict aB3 extra
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
 \restrict aB3
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
SELECT 1; \unrestrict aB3
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
\restrict aB3
\! touch /tmp/pwned
$s$);
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
\restrict-me aB3
$s$);
DROP TABLE victim;
-- an error after a dropped line still names its own line
SELECT * FROM schemamig.register($s$-- schemamig:revision st_dump
-- schemamig:upgrade
\restrict aB3
SELECT 1;
SELECT 'unterminated;
$s$);
