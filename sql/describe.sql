--
-- describe: the canonical snapshot.  The same schema built in two
-- databases, in different orders, gives byte-identical jsonb; objects are
-- keyed by name; extension members appear as the extension only.  Only
-- what reads the same on 15, 17 and 18 is printed (names, types, counts,
-- comparisons), not the deparsers' text.
--
SET client_min_messages = warning;
CREATE ROLE describe_reader;
CREATE DATABASE describe_other;

-- build order 1, here
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the application';
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.posint AS integer DEFAULT 1 NOT NULL CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a integer, b text);
CREATE SEQUENCE app.ticket START 100 INCREMENT 5 CACHE 2;
CREATE TABLE app.customer (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text COLLATE "C" NOT NULL UNIQUE,
    mood app.mood DEFAULT 'ok',
    score app.posint,
    name_upper text GENERATED ALWAYS AS (upper(email)) STORED,
    CONSTRAINT email_has_at CHECK (email LIKE '%@%'));
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES app.customer ON DELETE CASCADE,
    amount numeric(10,2) NOT NULL DEFAULT 0,
    ticket integer DEFAULT nextval('app.ticket'),
    placed tstzrange,
    note text);
COMMENT ON COLUMN app.orders.note IS 'free text';
CREATE INDEX orders_amount_idx ON app.orders (amount) WHERE amount > 0;
CREATE INDEX orders_lower_note_idx ON app.orders (lower(note));
CREATE TABLE app.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at_idx ON app.events (at);
CREATE FUNCTION app.order_total(c bigint) RETURNS numeric LANGUAGE sql STABLE
    AS $$ SELECT coalesce(sum(amount), 0) FROM app.orders WHERE customer_id = c $$;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE PROCEDURE app.noop() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.big_orders AS SELECT id, amount FROM app.orders WHERE amount > 100;
CREATE VIEW app.big_order_ids AS SELECT id FROM app.big_orders;
CREATE MATERIALIZED VIEW app.totals AS SELECT customer_id, sum(amount) AS total FROM app.orders GROUP BY customer_id;
CREATE UNIQUE INDEX totals_customer_idx ON app.totals (customer_id);
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_orders ON app.orders FOR SELECT TO describe_reader USING (customer_id > 0);
GRANT SELECT ON app.orders TO describe_reader;
GRANT USAGE ON SCHEMA app TO describe_reader;
REVOKE EXECUTE ON FUNCTION app.order_total(bigint) FROM PUBLIC;
COMMENT ON TABLE app.orders IS 'orders';
CREATE EXTENSION IF NOT EXISTS plpgsql;

SELECT schemamig.describe('{app}') AS here \gset

-- build order 2, in another database
\c describe_other
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'happy');
ALTER TYPE app.mood ADD VALUE 'ok' BEFORE 'happy';
CREATE TYPE app.pair AS (a integer, b text);
CREATE DOMAIN app.posint AS integer DEFAULT 1 NOT NULL CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE SEQUENCE app.ticket START 100 INCREMENT 5 CACHE 2;
CREATE TABLE app.customer (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text COLLATE "C" NOT NULL,
    mood app.mood DEFAULT 'ok',
    score app.posint,
    name_upper text GENERATED ALWAYS AS (upper(email)) STORED);
ALTER TABLE app.customer ADD CONSTRAINT customer_email_key UNIQUE (email);
ALTER TABLE app.customer ADD CONSTRAINT email_has_at CHECK (email LIKE '%@%');
CREATE TABLE app.events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE INDEX events_at_idx ON app.events (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES app.customer ON DELETE CASCADE,
    amount numeric(10,2) NOT NULL DEFAULT 0,
    ticket integer DEFAULT nextval('app.ticket'),
    placed tstzrange,
    note text);
CREATE INDEX orders_lower_note_idx ON app.orders (lower(note));
CREATE INDEX orders_amount_idx ON app.orders (amount) WHERE amount > 0;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE PROCEDURE app.noop() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION app.order_total(c bigint) RETURNS numeric LANGUAGE sql STABLE
    AS $$ SELECT coalesce(sum(amount), 0) FROM app.orders WHERE customer_id = c $$;
REVOKE EXECUTE ON FUNCTION app.order_total(bigint) FROM PUBLIC;
CREATE MATERIALIZED VIEW app.totals AS SELECT customer_id, sum(amount) AS total FROM app.orders GROUP BY customer_id;
CREATE UNIQUE INDEX totals_customer_idx ON app.totals (customer_id);
CREATE VIEW app.big_orders AS SELECT id, amount FROM app.orders WHERE amount > 100;
CREATE VIEW app.big_order_ids AS SELECT id FROM app.big_orders;
CREATE POLICY own_orders ON app.orders FOR SELECT TO describe_reader USING (customer_id > 0);
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
GRANT USAGE ON SCHEMA app TO describe_reader;
GRANT SELECT ON app.orders TO describe_reader;
COMMENT ON TABLE app.orders IS 'orders';
COMMENT ON COLUMN app.orders.note IS 'free text';
COMMENT ON SCHEMA app IS 'the application';
-- objects of the same names and shapes but different OIDs: same snapshot
SELECT schemamig.describe('{app}')::text = :'here' AS byte_identical;
-- by default: every schema but the system ones and schemamig's
SELECT jsonb_object_keys(schemamig.describe()->'schemas') AS all_schemas ORDER BY 1;
SELECT schemamig.describe()->'schemas'->'public'->'acl' AS public_acl;
-- one difference shows
COMMENT ON COLUMN app.orders.note IS 'changed';
SELECT schemamig.describe('{app}')::text = :'here' AS differs;
\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE describe_other;

-- what it holds (from this database)
SELECT d ? 'server_version_num' AS has_version, d->'format' AS format,
       d->'filter' AS filter, schemamig.describe()->'filter' AS no_filter
  FROM schemamig.describe('{app}') d;
SELECT k, jsonb_typeof(v) FROM jsonb_each(schemamig.describe('{app}')) AS e(k, v) ORDER BY k;
SELECT jsonb_object_keys(schemamig.describe('{app}')->'schemas') AS schemas ORDER BY 1;
SELECT schemamig.describe('{app}')->'schemas'->'app' AS app_schema;
SELECT jsonb_object_keys(schemamig.describe('{app}')->'types') AS types ORDER BY 1;
SELECT schemamig.describe('{app}')->'types'->'app.mood'->'values' AS mood_values;
SELECT t->'kind' AS kind, t->'base' AS base, t->'not_null' AS not_null,
       t->'default' AS def, jsonb_object_keys(t->'constraints') AS constraints
  FROM (SELECT schemamig.describe('{app}')->'types'->'app.posint' AS t) s;
SELECT schemamig.describe('{app}')->'types'->'app.pair'->'attributes' AS pair;
SELECT schemamig.describe('{app}')->'sequences' AS sequences;
SELECT jsonb_object_keys(schemamig.describe('{app}')->'tables') AS tables ORDER BY 1;
SELECT c.key AS column, c.value - 'default' - 'generated' AS attrs,
       c.value->'default' IS NOT NULL AND c.value->>'default' IS NOT NULL AS has_default,
       c.value->>'generated' IS NOT NULL AS generated
  FROM jsonb_each(schemamig.describe('{app}')->'tables'->'app.customer'->'columns') c ORDER BY 1;
SELECT schemamig.describe('{app}')->'tables'->'app.customer'->'column_order' AS column_order;
SELECT c.key, c.value->>'type' AS type
  FROM jsonb_each(schemamig.describe('{app}')->'tables'->'app.customer'->'constraints') c ORDER BY 1;
SELECT jsonb_object_keys(schemamig.describe('{app}')->'tables'->'app.orders'->'indexes') AS orders_indexes ORDER BY 1;
SELECT t->'triggers' ? 'orders_touch' AS trigger, t->'rls' AS rls,
       jsonb_object_keys(t->'policies') AS policies, t->'acl' AS acl, t->'comment' AS comment,
       t->'deps' AS deps
  FROM (SELECT schemamig.describe('{app}')->'tables'->'app.orders' AS t) s;
SELECT t->'kind' AS kind, t->'partition_by' AS partition_by, t->'indexes' ? 'events_at_idx' AS idx
  FROM (SELECT schemamig.describe('{app}')->'tables'->'app.events' AS t) s;
SELECT t->'partition_of' AS partition_of, t->'partition_bound' AS bound,
       t->'indexes' AS own_indexes, t->'columns' AS columns
  FROM (SELECT schemamig.describe('{app}')->'tables'->'app.events_2026' AS t) s;
SELECT v.key, v.value->'materialized' AS materialized, v.value->'deps' AS deps,
       v.value->'indexes' ? 'totals_customer_idx' AS has_index
  FROM jsonb_each(schemamig.describe('{app}')->'views') v ORDER BY 1;
SELECT f.key, f.value->'kind' AS kind, f.value->'acl' AS acl, f.value->'deps' AS deps,
       f.value->>'def' LIKE 'CREATE OR REPLACE %' AS def
  FROM jsonb_each(schemamig.describe('{app}')->'functions') f ORDER BY 1;
SELECT schemamig.describe('{app}')->'not_handled' AS not_handled;

-- extension members appear as the extension only; schemamig is left out
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA app;
SELECT schemamig.describe('{app}')->'extensions' ? 'pg_trgm' AS has_trgm,
       schemamig.describe('{app}')->'extensions'->'pg_trgm'->'schema' AS trgm_schema,
       (SELECT count(*) FROM jsonb_object_keys(schemamig.describe('{app}')->'functions') k
         WHERE k LIKE '%trgm%') AS trgm_functions,
       schemamig.describe()->'schemas' ? 'schemamig' AS has_schemamig,
       schemamig.describe(NULL)->'extensions' ? 'schemamig' AS has_schemamig_ext;
DROP EXTENSION pg_trgm;

-- kinds not modelled are named
CREATE AGGREGATE app.my_sum(integer) (sfunc = int4pl, stype = integer);
CREATE RULE no_delete AS ON DELETE TO app.orders DO INSTEAD NOTHING;
SELECT schemamig.describe('{app}')->'not_handled' AS not_handled;
DROP AGGREGATE app.my_sum(integer);
DROP RULE no_delete ON app.orders;

-- a filter: only the schemas named
SELECT jsonb_object_keys(schemamig.describe(ARRAY['app'])->'schemas') AS only_app;
SELECT schemamig.describe(ARRAY['nosuch'])->'tables' AS nothing;

-- read-only: works in a read-only transaction
BEGIN TRANSACTION READ ONLY;
SELECT schemamig.describe('{app}')::text = :'here' AS same_read_only;
ROLLBACK;

-- a reader with only EXECUTE (no rights on the tables) sees the same
GRANT USAGE ON SCHEMA schemamig TO describe_reader;
GRANT EXECUTE ON FUNCTION schemamig.describe(text[]) TO describe_reader;
SET ROLE describe_reader;
SELECT schemamig.describe('{app}')::text = :'here' AS same_for_reader;
RESET ROLE;
-- and nobody else may call it
CREATE ROLE describe_nobody;
GRANT USAGE ON SCHEMA schemamig TO describe_nobody;
SET ROLE describe_nobody;
SELECT schemamig.describe('{app}');
RESET ROLE;
REVOKE USAGE ON SCHEMA schemamig FROM describe_nobody;
DROP ROLE describe_nobody;

-- a search_path that would hide names changes nothing
SET search_path = app, public;
SELECT schemamig.describe('{app}')::text = :'here' AS same_search_path;
RESET search_path;
-- so do the settings that change how constants print
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET TimeZone = 'Asia/Tokyo';
SET extra_float_digits = 0;
SELECT schemamig.describe('{app}')::text = :'here' AS same_settings;
RESET DateStyle;
RESET IntervalStyle;
RESET TimeZone;
RESET extra_float_digits;

-- the look-ups that run only when there is something to find: a column's
-- collation when it differs from its type's (name's is "C", a domain's its
-- own), a default, storage options, triggers, column grants, ACLs
CREATE SCHEMA dsc;
CREATE DOMAIN dsc.ctext AS text COLLATE "C";
CREATE TABLE dsc.t (
    a name,
    b name COLLATE "default",
    c dsc.ctext,
    d text COLLATE "POSIX",
    e integer,
    f integer DEFAULT 7) WITH (fillfactor = 70, autovacuum_enabled = off);
CREATE TABLE dsc.bare (x integer);
GRANT SELECT (e) ON dsc.t TO describe_reader;
CREATE SEQUENCE dsc.s;
GRANT USAGE ON SEQUENCE dsc.s TO describe_reader;
SELECT c.key AS column, c.value->'collation' AS collation, c.value->'default' AS def
  FROM jsonb_each(schemamig.describe('{dsc}')->'tables'->'dsc.t'->'columns') c ORDER BY 1;
SELECT t.key, t.value->'options' AS options, t.value->'triggers' AS triggers,
       t.value->'indexes' AS indexes, t.value->'acl' AS acl
  FROM jsonb_each(schemamig.describe('{dsc}')->'tables') t ORDER BY 1;
SELECT s.key, s.value->'acl' AS acl FROM jsonb_each(schemamig.describe('{dsc}')->'sequences') s;
SELECT schemamig.describe('{dsc}')->'schemas'->'dsc'->'acl' AS schema_acl,
       schemamig.describe('{dsc}')->'not_handled' AS not_handled;
DROP SCHEMA dsc CASCADE;

-- the probe: a part of the document is queried only when the catalogs
-- hold something it could show; in a schema of plain tables each part
-- appears as soon as its first object does, one kind at a time
CREATE SCHEMA prb;
CREATE TABLE prb.t (a integer, b text);
CREATE INDEX t_a ON prb.t (a);
CREATE INDEX t_b_c ON prb.t (b COLLATE "C");
CREATE UNIQUE INDEX t_ab ON prb.t (a, b) NULLS NOT DISTINCT;
CREATE TABLE prb.u (x varchar(5));
CREATE INDEX u_x ON prb.u (x);
CREATE TABLE prb."Odd ""T""" ("a b" integer, "select" text);
CREATE UNIQUE INDEX "i ""q""" ON prb."Odd ""T""" ("select", "a b");
CREATE VIEW prb.parts AS
  SELECT p.key, CASE jsonb_typeof(p.value) WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(p.value))
    WHEN 'array' THEN jsonb_array_length(p.value) END AS n
  FROM jsonb_each(schemamig.describe('{prb}')) p
  WHERE p.key IN ('types', 'sequences', 'views', 'functions', 'not_handled')
  UNION ALL SELECT 'column comments', count(c.value->'comment') FILTER (WHERE c.value->'comment' <> 'null')
  FROM jsonb_each(schemamig.describe('{prb}')->'tables') t, jsonb_each(t.value->'columns') c
  UNION ALL SELECT 'table comments', count(*) FILTER (WHERE t.value->'comment' <> 'null')
  FROM jsonb_each(schemamig.describe('{prb}')->'tables') t
  UNION ALL SELECT 'policies', sum((SELECT count(*) FROM jsonb_object_keys(t.value->'policies')))
  FROM jsonb_each(schemamig.describe('{prb}')->'tables') t;
-- the view itself is a view: counted below from here on
SELECT * FROM prb.parts ORDER BY 1;
-- simple indexes are printed by describe() itself, the others by
-- pg_get_indexdef(): both as pg_get_indexdef() prints them
SELECT i.key, i.value #>> '{}' = pg_get_indexdef(('prb.' || i.key)::regclass) AS same_as_pg
  FROM jsonb_each(schemamig.describe('{prb}')->'tables'->'prb.t'->'indexes') i
  UNION ALL SELECT i.key, i.value #>> '{}' = pg_get_indexdef(('prb.' || i.key)::regclass)
  FROM jsonb_each(schemamig.describe('{prb}')->'tables'->'prb.u'->'indexes') i
  UNION ALL SELECT i.key, i.value #>> '{}' = pg_get_indexdef(('prb.' || quote_ident(i.key))::regclass)
  FROM jsonb_each(schemamig.describe('{prb}')->'tables'->'prb."Odd ""T"""'->'indexes') i ORDER BY 1;
COMMENT ON COLUMN prb.t.a IS 'a column';
SELECT * FROM prb.parts WHERE key = 'column comments';
COMMENT ON TABLE prb.u IS 'a table';
SELECT * FROM prb.parts WHERE key LIKE '%comments' ORDER BY 1;
CREATE POLICY p ON prb.t USING (a > 0);
SELECT * FROM prb.parts WHERE key = 'policies';
CREATE SEQUENCE prb.s;
CREATE TYPE prb.e AS ENUM ('x');
CREATE FUNCTION prb.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
SELECT * FROM prb.parts WHERE key IN ('sequences', 'types', 'functions') ORDER BY 1;
CREATE STATISTICS prb.st ON a, b FROM prb.t;
SELECT * FROM prb.parts WHERE key = 'not_handled';
DROP STATISTICS prb.st;
CREATE TABLE prb.child () INHERITS (prb.u);
SELECT schemamig.describe('{prb}')->'not_handled' AS not_handled;
DROP SCHEMA prb CASCADE;

DROP SCHEMA app CASCADE;
REVOKE ALL ON SCHEMA schemamig FROM describe_reader;
REVOKE ALL ON FUNCTION schemamig.describe(text[]) FROM describe_reader;
DROP ROLE describe_reader;
