--
-- diff: the script taking this database to a describe() snapshot.  The
-- fixed point: build A in another database and describe it; here build B
-- (with rows) as a revision; diff(A) -> apply -> diff(A) is NULL, no row
-- is lost, the online-safe forms are used; the downgrade goes back to B.
-- Scripts are printed with revision ids masked, and without the
-- deparsers' text of views and functions (it differs between versions).
--
SET client_min_messages = warning;
CREATE DATABASE diff_a;
\c diff_a
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE SCHEMA shop;
CREATE SCHEMA reporting;
COMMENT ON SCHEMA reporting IS 'reports';
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE shop.customer (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE shop.orders (
    id int PRIMARY KEY,
    customer_id int REFERENCES shop.customer,
    amount numeric(12,2),
    memo text,
    status shop.status DEFAULT 'new',
    CONSTRAINT amount_positive CHECK (amount >= 0));
CREATE INDEX orders_note_idx ON shop.orders (memo);
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE VIEW shop.order_amounts AS SELECT id, amount FROM shop.orders;
CREATE VIEW reporting.big AS SELECT id FROM shop.order_amounts WHERE amount > 10;
CREATE TABLE shop.audit_log (id int, what text);
CREATE TABLE shop.new_stuff (x int);
CREATE FUNCTION shop.f() RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE FUNCTION shop.g(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
CREATE SEQUENCE shop.s;
COMMENT ON TABLE shop.orders IS 'orders';
SELECT schemamig.describe('{shop,reporting}') AS a \gset
\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE diff_a;

-- B, as a registered and applied revision, with rows
SELECT revision FROM schemamig.apply('-- schemamig:revision d0
-- schemamig:message B
-- schemamig:upgrade
CREATE SCHEMA shop;
CREATE TYPE shop.status AS ENUM (''new'', ''paid'');
CREATE TABLE shop.customer (id int PRIMARY KEY, email text);
CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int, amount integer, note text, legacy text);
CREATE INDEX orders_note_idx ON shop.orders (note);
CREATE VIEW shop.order_amounts AS SELECT id, amount FROM shop.orders;
CREATE TABLE shop.audit (id int, what text);
CREATE TABLE shop.old_stuff (x int);
CREATE FUNCTION shop.f() RETURNS int LANGUAGE sql AS ''SELECT 1'';
-- schemamig:downgrade
DROP SCHEMA shop CASCADE;');
INSERT INTO shop.customer VALUES (1, 'a@example.com'), (2, 'b@example.com');
INSERT INTO shop.orders VALUES (10, 1, 5, 'first', 'x'), (11, 2, 50, 'second', 'y');
INSERT INTO shop.audit VALUES (1, 'created');
-- helpers, in a schema diff() is not asked to look at
CREATE SCHEMA diff_util;
-- a snapshot without column order (a column added back comes last) nor types
-- (an enum value cannot be removed)
CREATE FUNCTION diff_util.norm(d jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_set(d - 'types', '{tables}', (SELECT coalesce(jsonb_object_agg(key, value - 'column_order'), '{}')
                                     FROM jsonb_each(d->'tables'))) $$;
-- a script's lines, revision ids masked, without the bodies of views and
-- functions (the deparsers' text)
CREATE FUNCTION diff_util.show(script text) RETURNS SETOF text LANGUAGE sql AS $$
  WITH l AS (SELECT line, n FROM regexp_split_to_table(script, E'\n') WITH ORDINALITY AS l(line, n)),
  t AS (SELECT line, n, max(CASE WHEN line ~ '^\S' THEN n END) OVER (ORDER BY n) AS head FROM l)
  SELECT CASE WHEN t.line LIKE '-- schemamig:%revision %'
              THEN regexp_replace(t.line, 'revision .*', 'revision ID')
              ELSE regexp_replace(t.line, 'VERSION ''[^'']*''', 'VERSION ''X''') END
    FROM t JOIN l h ON h.n = t.head
   WHERE t.line ~ '^(--|ALTER|DROP|CREATE|GRANT|REVOKE|COMMENT)'
      OR (t.line ~ '^(    |\))' AND h.line ~ '^CREATE (UNLOGGED )?TABLE')
   ORDER BY t.n $$;
-- forget the revisions that are not applied, newest first
CREATE FUNCTION diff_util.forget_pending() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r text;
    n bigint := 0;
BEGIN
    FOR r IN SELECT revision FROM schemamig.status() WITH ORDINALITY s
              WHERE state = 'pending' ORDER BY ordinality DESC LOOP
        PERFORM schemamig.forget(r);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
SELECT schemamig.describe('{shop,reporting}') AS b \gset

-- without renames: drops and adds, with a hint for the pairs that look alike
SELECT line FROM diff_util.show(schemamig.diff(:'a')) line WHERE line LIKE '%rename%';

-- with renames
SELECT schemamig.diff(:'a', '{"shop.audit": "audit_log", "shop.orders.note": "memo"}') AS script \gset
SELECT * FROM diff_util.show(:'script');

-- apply it: three revisions (enum values, the change, the validations)
SET client_min_messages = error;
SELECT message FROM schemamig.apply(:'script');
SET client_min_messages = warning;

-- the fixed point
SELECT schemamig.diff(:'a') IS NULL AS converged;
-- no row lost; the rename kept the rows
SELECT id, customer_id, amount, memo, status FROM shop.orders ORDER BY id;
SELECT * FROM shop.audit_log;
SELECT * FROM shop.order_amounts ORDER BY id;
SELECT * FROM reporting.big;
-- the constraints are validated and NOT NULL is set
-- (contype 'n': PostgreSQL 18 catalogs NOT NULL as constraints; attnotnull
-- below says the same on every version)
SELECT conname, convalidated FROM pg_constraint
 WHERE conrelid IN ('shop.orders'::regclass, 'shop.customer'::regclass)
   AND contype <> 'n' ORDER BY 1;
SELECT attnotnull FROM pg_attribute WHERE attrelid = 'shop.customer'::regclass AND attname = 'email';

-- the downgrade goes back to B (the enum value stays: PostgreSQL cannot drop it)
SET client_min_messages = error;
SELECT message FROM schemamig.downgrade('d0');
SET client_min_messages = warning;
SELECT diff_util.norm(schemamig.describe('{shop,reporting}')) = diff_util.norm(:'b') AS back_to_b;
SELECT schemamig.describe('{shop}')->'types'->'shop.status'->'values' AS status_values;
SELECT id, customer_id, amount, note, legacy FROM shop.orders ORDER BY id;
SELECT * FROM shop.audit;

SELECT diff_util.forget_pending() AS forgotten;

-- nothing to do: NULL
SELECT schemamig.diff(schemamig.describe()) IS NULL AS nothing_to_do;

-- a new table without rows: plain forms; a new enum type and column
-- a fresh backend: CREATE DATABASE flushes WAL that may hold bytes this
-- backend wrote while running revisions (PostgreSQL's WAL padding, which
-- the valgrind lane would attribute to schemamig's frames)
\c contrib_regression
SET client_min_messages = warning;
CREATE DATABASE diff_c;
\c diff_c
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE SCHEMA shop;
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE shop.customer (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE shop.orders (id int PRIMARY KEY, customer_id int REFERENCES shop.customer, amount integer, note text, legacy text);
CREATE INDEX orders_note_idx ON shop.orders (note);
CREATE VIEW shop.order_amounts AS SELECT id, amount FROM shop.orders;
CREATE TABLE shop.audit (id int, what text);
CREATE TABLE shop.old_stuff (x int);
CREATE FUNCTION shop.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT schemamig.describe('{shop,reporting}') AS c \gset
\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE diff_c;
TRUNCATE shop.orders;
SELECT schemamig.diff(:'c') AS script \gset
SELECT * FROM diff_util.show(:'script');
SET client_min_messages = error;
SELECT message FROM schemamig.apply(:'script');
SET client_min_messages = warning;
SELECT schemamig.diff(:'c') IS NULL AS converged;
SELECT count(*) AS customers FROM shop.customer;

-- every kind, created from nothing, in dependency order; then dropped
-- a fresh backend: CREATE DATABASE flushes WAL that may hold bytes this
-- backend wrote while running revisions (PostgreSQL's WAL padding, which
-- the valgrind lane would attribute to schemamig's frames)
\c contrib_regression
SET client_min_messages = warning;
CREATE DATABASE diff_full;
\c diff_full
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE ROLE diff_reader;
CREATE SCHEMA app;
CREATE EXTENSION pg_trgm SCHEMA app;
COMMENT ON SCHEMA app IS 'the application';
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS integer DEFAULT 1 NOT NULL CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a integer, b text);
CREATE SEQUENCE app.ticket START 100 INCREMENT 5 CACHE 2;
CREATE FUNCTION app.double(i integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN i * 2;
CREATE TABLE app.customer (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text COLLATE "C" NOT NULL UNIQUE,
    mood app.mood DEFAULT 'ok',
    score app.posint,
    twice integer DEFAULT app.double(2),
    name_upper text GENERATED ALWAYS AS (upper(email)) STORED,
    CONSTRAINT email_has_at CHECK (email LIKE '%@%'));
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES app.customer ON DELETE CASCADE,
    amount numeric(10,2) NOT NULL DEFAULT 0,
    ticket integer DEFAULT nextval('app.ticket'),
    note text);
COMMENT ON COLUMN app.orders.note IS 'free text';
CREATE INDEX orders_amount_idx ON app.orders (amount) WHERE amount > 0;
CREATE INDEX orders_lower_note_idx ON app.orders (lower(note));
CREATE INDEX orders_note_trgm ON app.orders USING gin (note app.gin_trgm_ops);
CREATE TABLE app.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at_idx ON app.events (at);
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.big_orders AS SELECT id, amount FROM app.orders WHERE amount > 100;
CREATE VIEW app.big_order_ids AS SELECT id, app.double(id) AS twice FROM app.big_orders;
CREATE MATERIALIZED VIEW app.totals AS SELECT customer_id, sum(amount) AS total FROM app.orders GROUP BY customer_id;
CREATE UNIQUE INDEX totals_customer_idx ON app.totals (customer_id);
CREATE FUNCTION app.order_count() RETURNS bigint LANGUAGE sql STABLE
    BEGIN ATOMIC SELECT count(*) FROM app.big_orders; END;
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders FOR SELECT TO diff_reader USING (customer_id > 0);
GRANT USAGE ON SCHEMA app TO diff_reader;
GRANT SELECT ON app.orders, app.big_orders TO diff_reader;
GRANT USAGE ON SEQUENCE app.ticket TO diff_reader;
REVOKE EXECUTE ON FUNCTION app.touch() FROM PUBLIC;
COMMENT ON TABLE app.orders IS 'orders';
SELECT schemamig.describe('{app}') AS full \gset
\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE diff_full;
-- the schema and the extension exist here already: CREATE EXTENSION run
-- inside a revision trips a valgrind report in PostgreSQL's own regular
-- expression cache (the memory-checker lane), so it is shown, not run
CREATE SCHEMA app;
CREATE EXTENSION pg_trgm SCHEMA app;
SELECT line FROM diff_util.show(schemamig.diff((:'full')::jsonb #- '{extensions,pg_trgm}')) line
 WHERE line LIKE '%EXTENSION%';
SELECT schemamig.diff(:'full') AS script \gset
SELECT * FROM diff_util.show(:'script');
SET client_min_messages = error;
SELECT message FROM schemamig.apply(:'script');
SET client_min_messages = warning;
SELECT schemamig.diff(:'full') IS NULL AS converged;
SELECT schemamig.describe('{app}') = :'full' AS same_snapshot;

-- changed in place: domain, composite type, sequence, trigger, policy,
-- grants, identity, generated column, comments
SELECT schemamig.describe('{app}') AS before \gset
ALTER DOMAIN app.posint DROP CONSTRAINT posint_positive;
ALTER DOMAIN app.posint ADD CONSTRAINT posint_small CHECK (VALUE < 1000);
ALTER DOMAIN app.posint DROP DEFAULT;
ALTER TYPE app.pair ADD ATTRIBUTE c date, DROP ATTRIBUTE b, ALTER ATTRIBUTE a TYPE bigint;
ALTER SEQUENCE app.ticket INCREMENT 10 MAXVALUE 1000000;
DROP TRIGGER orders_touch ON app.orders;
CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
DROP POLICY own_orders ON app.orders;
CREATE POLICY own_orders ON app.orders FOR ALL TO diff_reader USING (customer_id > 1);
REVOKE SELECT ON app.big_orders FROM diff_reader;
GRANT SELECT, INSERT ON app.orders TO diff_reader WITH GRANT OPTION;
ALTER TABLE app.customer ALTER COLUMN id SET GENERATED BY DEFAULT;
ALTER TABLE app.customer DROP COLUMN name_upper;
ALTER TABLE app.customer ADD COLUMN name_upper text GENERATED ALWAYS AS (lower(email)) STORED;
ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;
COMMENT ON COLUMN app.orders.note IS NULL;
COMMENT ON SCHEMA app IS 'renamed';
SELECT schemamig.describe('{app}') AS after \gset
SELECT schemamig.diff(:'before') AS script \gset
SELECT * FROM diff_util.show(:'script');
SET client_min_messages = error;
SELECT message FROM schemamig.apply(:'script');
SET client_min_messages = warning;
SELECT schemamig.diff(:'before') IS NULL AS converged;
SELECT diff_util.norm(schemamig.describe('{app}')) = diff_util.norm(:'before') AS same_as_before;
SELECT schemamig.describe('{app}')->'types' = (:'before'::jsonb)->'types' AS same_types;
SET client_min_messages = error;
SELECT message FROM schemamig.downgrade('-1');
SET client_min_messages = warning;
SELECT diff_util.norm(schemamig.describe('{app}')) = diff_util.norm(:'after') AS downgraded;

-- down to nothing: the first full script's downgrade drops it all
SET client_min_messages = error;
SELECT message FROM schemamig.downgrade('-1');
SET client_min_messages = warning;
SELECT schemamig.describe('{app}')->'tables' AS no_tables;
DROP SCHEMA app CASCADE;
DROP ROLE diff_reader;
SELECT diff_util.forget_pending() AS forgotten;

-- errors
SELECT schemamig.diff(NULL);
SELECT schemamig.diff('{"a": 1}');
SELECT schemamig.diff('[]');
SELECT schemamig.diff(jsonb_set(:'a', '{format}', '2'));
-- (the message names this server's version: show the SQLSTATE only)
\set VERBOSITY sqlstate
SELECT schemamig.diff(jsonb_set(:'a', '{server_version_num}', '90600'));
\set VERBOSITY default
SELECT schemamig.diff(:'a', '[]');
SELECT schemamig.diff(:'a', '{"shop": "x"}');
SELECT schemamig.diff(:'a', '{"shop.nosuch": "x"}');
SELECT schemamig.diff(:'a', '{"shop.orders.nosuch": "x"}');
SELECT schemamig.diff(:'a', '{"shop.orders": 1}');
-- a snapshot edited by hand: refused, never a crash
SELECT schemamig.diff(jsonb_set(:'a', '{tables,shop.orders}', '"x"'));
SELECT schemamig.diff(jsonb_set(:'a', '{functions,shop.f()}', '{}'));
-- pending revisions: the live schema is not the head's
SELECT * FROM schemamig.register('-- schemamig:revision d9
-- schemamig:down_revision d0
-- schemamig:upgrade
SELECT 1;');
SELECT schemamig.diff(:'a');
SELECT schemamig.forget('d9');
-- not granted: refused
CREATE ROLE diff_nobody;
GRANT USAGE ON SCHEMA schemamig TO diff_nobody;
SET ROLE diff_nobody;
SELECT schemamig.diff(:'a');
RESET ROLE;
REVOKE USAGE ON SCHEMA schemamig FROM diff_nobody;
DROP ROLE diff_nobody;

SET client_min_messages = error;
SELECT message FROM schemamig.downgrade('base');
SELECT diff_util.forget_pending() AS forgotten;
SELECT count(*) AS revisions_left FROM schemamig.status();
DROP SCHEMA IF EXISTS reporting;
DROP SCHEMA diff_util CASCADE;
