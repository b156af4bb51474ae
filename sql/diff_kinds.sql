--
-- diff_kinds: what sql/diff.sql leaves out.  EXCLUDE constraints (gist on
-- core range and box types), an extension updated and moved out of a
-- schema that is dropped, the downgrade of an extension with no path back,
-- and diff() on a database with two heads: its first revision merges them.
-- In databases of their own, so that describe() of every schema sees only
-- these objects.
--
SET client_min_messages = warning;
CREATE DATABASE dk_want;
CREATE DATABASE dk_live;
\c dk_want
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE SCHEMA kinds;
CREATE SCHEMA ext;
CREATE EXTENSION hstore WITH SCHEMA ext;
CREATE TABLE kinds.booking (id int PRIMARY KEY, during tsrange,
    CONSTRAINT booking_no_overlap EXCLUDE USING gist (during WITH &&));
CREATE TABLE kinds.shape (id int, b box,
    CONSTRAINT shape_apart EXCLUDE USING gist (b WITH &&) WHERE (id > 0));
CREATE TABLE kinds.left_side (id int);
CREATE TABLE kinds.right_side (id int);
SELECT schemamig.describe() AS want \gset
SELECT jsonb_pretty(:'want'::jsonb -> 'extensions') AS extensions;

\c dk_live
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
-- the lines of a script that say what it does, revision ids masked
CREATE FUNCTION pg_temp.show(script text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT regexp_replace(line, '^(-- schemamig:(down_)?revision) .*', '\1 ID')
    FROM regexp_split_to_table(script, E'\n') WITH ORDINALITY AS l(line, n)
   WHERE line ~ '^(--|ALTER|DROP|CREATE|SET)'
   ORDER BY n $$;
SELECT revision FROM schemamig.apply('-- schemamig:revision k0
-- schemamig:message before
-- schemamig:upgrade
CREATE SCHEMA kinds;
CREATE SCHEMA old_ext;
CREATE EXTENSION hstore WITH SCHEMA old_ext VERSION ''1.7'';
CREATE TABLE kinds.booking (id int PRIMARY KEY, during tsrange);
CREATE TABLE kinds.shape (id int, b box);
-- schemamig:downgrade
DROP SCHEMA kinds CASCADE;
DROP EXTENSION hstore;
DROP SCHEMA old_ext;');
INSERT INTO kinds.booking VALUES (1, '[2026-01-01,2026-01-02)'), (2, '[2026-01-02,2026-01-03)');
INSERT INTO kinds.shape VALUES (1, '((0,0),(1,1))'), (-1, '((0,0),(1,1))');

-- two heads: the script's first revision merges them
SELECT revision, action FROM schemamig.register('-- schemamig:revision k1a
-- schemamig:down_revision k0
-- schemamig:upgrade
CREATE TABLE kinds.left_side (id int);
-- schemamig:downgrade
DROP TABLE kinds.left_side;

-- schemamig:revision k1b
-- schemamig:down_revision k0
-- schemamig:upgrade
CREATE TABLE kinds.right_side (id int);
-- schemamig:downgrade
DROP TABLE kinds.right_side;');
SELECT revision FROM schemamig.upgrade('heads');
SELECT c FROM schemamig.current() AS c ORDER BY 1;

SELECT schemamig.diff(:'want') AS script \gset
SELECT * FROM pg_temp.show(:'script');
SELECT substring(:'script' from E'-- schemamig:down_revision ([^\n]*)') AS first_parents;

SET client_min_messages = error;
SELECT message FROM schemamig.apply(:'script');
SET client_min_messages = warning;
SELECT schemamig.diff(:'want') IS NULL AS converged;
SELECT count(*) AS heads FROM schemamig.current();
SELECT extversion, extnamespace::regnamespace AS schema FROM pg_extension WHERE extname = 'hstore';
SELECT nspname FROM pg_namespace WHERE nspname IN ('ext', 'old_ext') ORDER BY 1;
SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN ('kinds.booking'::regclass, 'kinds.shape'::regclass)
   AND contype = 'x' ORDER BY 1;
-- the constraints hold
INSERT INTO kinds.booking VALUES (3, '[2026-01-01 12:00,2026-01-01 13:00)');
INSERT INTO kinds.shape VALUES (2, '((0.5,0.5),(2,2))');
INSERT INTO kinds.shape VALUES (-2, '((0.5,0.5),(2,2))');
SELECT count(*) AS rows_kept FROM kinds.booking;

-- objects diff() has no model for are named, never dropped unseen
CREATE TEXT SEARCH CONFIGURATION kinds.english_copy (COPY = pg_catalog.english);
CREATE TYPE kinds.level AS ENUM ('low', 'high');
REVOKE USAGE ON TYPE kinds.level FROM PUBLIC;
SELECT line FROM pg_temp.show(schemamig.diff(:'want')) AS line WHERE line LIKE '-- not handled%';
DROP TEXT SEARCH CONFIGURATION kinds.english_copy;
DROP TYPE kinds.level;

-- back to the two heads (undoing the merge): EXCLUDE constraints gone, hstore back in old_ext,
-- at 1.8 (no path back to 1.7: said in the script, not run)
SET client_min_messages = error;
SELECT message FROM schemamig.downgrade('k1a');
SET client_min_messages = warning;
SELECT c FROM schemamig.current() AS c ORDER BY 1;
SELECT extversion, extnamespace::regnamespace AS schema FROM pg_extension WHERE extname = 'hstore';
SELECT count(*) AS exclude_constraints FROM pg_constraint WHERE contype = 'x';
SELECT count(*) AS rows_kept FROM kinds.booking;

\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE dk_want;
DROP DATABASE dk_live;
