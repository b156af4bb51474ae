--
-- diff_online: on a table with rows, the index forms that do not block
-- writes.  A (the desired schema) is described in another database; here
-- B has rows.  diff(A) builds and drops indexes CONCURRENTLY in a revision
-- without a transaction, makes UNIQUE and PRIMARY KEY constraints of
-- indexes built that way (USING INDEX, in the next revision), swaps a
-- redefined index; a table without rows keeps the plain forms.  Applied by
-- CALL schemamig.migrate('head'); diff(A) is then NULL; migrate_down goes
-- back, no row lost.
--
SET client_min_messages = warning;
CREATE DATABASE online_a;
\c online_a
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE SCHEMA ol;
CREATE TABLE ol.item (id int NOT NULL, sku text, name text, price int,
    CONSTRAINT item_pkey PRIMARY KEY (id),
    CONSTRAINT item_sku_key UNIQUE (sku));
CREATE INDEX item_name_idx ON ol.item (name);
CREATE INDEX item_price_idx ON ol.item (price DESC) WHERE price > 0;
CREATE TABLE ol.empty (id int, v text);
CREATE INDEX empty_v_idx ON ol.empty (v);
SELECT schemamig.describe('{ol}') AS a \gset
-- B, in a database of its own
\c contrib_regression
SET client_min_messages = warning;
CREATE DATABASE online_b;
\c online_b
SET client_min_messages = warning;
CREATE EXTENSION schemamig;

SELECT revision FROM schemamig.apply('-- schemamig:revision o0
-- schemamig:message B
-- schemamig:upgrade
CREATE SCHEMA ol;
CREATE TABLE ol.item (id int NOT NULL, sku text, name text, price int);
CREATE INDEX item_price_idx ON ol.item (price);
CREATE INDEX item_old_idx ON ol.item (sku, name);
CREATE TABLE ol.empty (id int, v text);
-- schemamig:downgrade
DROP SCHEMA ol CASCADE;');
INSERT INTO ol.item SELECT g, 'sku' || g, 'n' || g, g FROM generate_series(1, 50) g;
SELECT schemamig.describe('{ol}') AS b \gset

SELECT schemamig.diff(:'a') AS script \gset
SELECT regexp_replace(line, 'revision \S+', 'revision ID') AS line
  FROM regexp_split_to_table(:'script', E'\n') line;

-- the script registers; upgrade() refuses it (a revision without a transaction)
SELECT count(*) AS registered FROM schemamig.register(:'script');
\set VERBOSITY sqlstate
SELECT schemamig.upgrade();
\set VERBOSITY default
CALL schemamig.migrate('head');
SELECT count(*) FILTER (WHERE state = 'applied') AS applied, count(*) AS revisions
  FROM schemamig.status();

-- the fixed point; the indexes are valid; no row lost
SELECT schemamig.diff(:'a') IS NULL AS converged;
SELECT c.relname, i.indisvalid, i.indisunique, i.indisprimary
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('ol.item'::regclass, 'ol.empty'::regclass) ORDER BY 1;
SELECT conname, contype FROM pg_constraint
 WHERE conrelid = 'ol.item'::regclass AND contype <> 'n' ORDER BY 1;
SELECT count(*), sum(id) FROM ol.item;

-- lint: no T001 (statements refused in a transaction) in those revisions
SELECT s.message, count(l.rule) FILTER (WHERE l.rule = 'T001') AS t001
  FROM schemamig.status() WITH ORDINALITY s
  LEFT JOIN LATERAL schemamig.lint_revision(s.revision) l ON true
 GROUP BY s.message, s.ordinality ORDER BY s.ordinality;

-- back to B
CALL schemamig.migrate_down('o0');
SELECT schemamig.describe('{ol}') = :'b' AS back_to_b;
SELECT count(*), sum(id) FROM ol.item;
-- and forward again
CALL schemamig.migrate('head');
SELECT schemamig.diff(:'a') IS NULL AS converged_again;
CALL schemamig.migrate_down('o0');
SELECT schemamig.describe('{ol}') = :'b' AS back_to_b_again;


\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE online_a;
DROP DATABASE online_b;
