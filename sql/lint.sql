--
-- lint: every rule flagged once and clean once, the claims checked against
-- what PostgreSQL 15 does (locks, rewrites, scans), allow directives, the
-- warnings at registration and the GUCs.
--
CREATE SCHEMA li;
SET search_path = li, public;

-- pre-existing tables: "orders" with rows, "empty" without, "big" large
CREATE TABLE customers (id bigint PRIMARY KEY, name text);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint,
	note varchar(20), amount numeric(10,2), qty integer, body text);
INSERT INTO orders SELECT g, g % 100 + 1, 'n' || g, g, g, 'x'
	FROM generate_series(1, 20000) g;
CREATE TABLE empty (id bigint PRIMARY KEY, v text);
CREATE TABLE big (id bigint PRIMARY KEY, v text);
INSERT INTO big SELECT g, 'v' FROM generate_series(1, 1000) g;
CREATE TABLE refs (id bigint PRIMARY KEY,
	order_id bigint REFERENCES orders (id));
CREATE INDEX refs_order_id_idx ON refs (order_id);
CREATE VIEW order_notes AS SELECT id, note FROM orders;
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE moods (m mood);
CREATE DOMAIN posint AS integer;
CREATE TABLE uses_domain (v posint);
INSERT INTO uses_domain VALUES (1);
CREATE TABLE parted (id bigint, k int) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TABLE loose (id bigint, k int);
INSERT INTO loose SELECT g, g % 10 + 10 FROM generate_series(1, 100) g;
CREATE MATERIALIZED VIEW order_totals AS SELECT customer_id, count(*) FROM orders GROUP BY 1;
-- sizes are part of the findings: the test sets every figure the linter
-- reads (VACUUM ANALYZE, then pg_class for "big") and keeps autovacuum
-- from changing them behind its back, however slow the run (valgrind)
ALTER TABLE customers SET (autovacuum_enabled = off);
ALTER TABLE orders SET (autovacuum_enabled = off);
ALTER TABLE empty SET (autovacuum_enabled = off);
ALTER TABLE big SET (autovacuum_enabled = off);
ALTER TABLE refs SET (autovacuum_enabled = off);
ALTER TABLE moods SET (autovacuum_enabled = off);
ALTER TABLE uses_domain SET (autovacuum_enabled = off);
ALTER TABLE parted_1 SET (autovacuum_enabled = off);
ALTER TABLE loose SET (autovacuum_enabled = off);
ALTER MATERIALIZED VIEW order_totals SET (autovacuum_enabled = off);
VACUUM ANALYZE customers, orders, empty, big, refs, moods, uses_domain,
	parted_1, loose, order_totals;
-- "big": the planner's figures say five million rows
UPDATE pg_class SET reltuples = 5000000 WHERE oid = 'big'::regclass;

-- probe: run a statement, report whether the table was rewritten (new
-- relfilenode) or scanned (sequential scans counted in this transaction)
-- and which locks this backend holds on it; then roll it back
CREATE FUNCTION probe(stmt text, rel regclass) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	before oid;
	scans bigint;
	res text;
BEGIN
	SELECT relfilenode INTO before FROM pg_class WHERE oid = rel;
	scans := pg_stat_get_xact_numscans(rel);
	BEGIN
		EXECUTE stmt;
		SELECT format('rewrite=%s scan=%s lock=%s',
				(SELECT relfilenode FROM pg_class WHERE oid = rel) IS DISTINCT FROM before,
				pg_stat_get_xact_numscans(rel) > scans,
				(SELECT string_agg(mode, ',' ORDER BY mode) FROM pg_locks
				  WHERE locktype = 'relation' AND relation = rel
				    AND pid = pg_backend_pid() AND granted))
		  INTO res;
		RAISE EXCEPTION USING ERRCODE = 'SMPRB';
	EXCEPTION
		WHEN SQLSTATE 'SMPRB' THEN
			NULL;
		WHEN OTHERS THEN
			res := 'refused: ' || SQLERRM;
	END;
	RETURN res;
END $$;

-- one line per finding, without the long hints
CREATE FUNCTION findings(sql text)
RETURNS TABLE (line int, rule text, severity text, message text)
LANGUAGE sql AS $$
	SELECT line, rule, severity, message FROM schemamig.lint(sql)
$$;

--
-- D: data loss
--
SELECT * FROM findings($$
DROP TABLE customers;
CREATE TABLE scratch (id bigint);
DROP TABLE scratch;
$$);
SELECT * FROM findings($$
ALTER TABLE orders DROP COLUMN body;
ALTER TABLE empty DROP COLUMN v;
CREATE TABLE fresh (id bigint, x text);
ALTER TABLE fresh DROP COLUMN x;
$$);
CREATE SCHEMA doomed;
CREATE TABLE doomed.t (id int);
SELECT * FROM findings($$
DROP SCHEMA doomed CASCADE;
DROP SCHEMA IF EXISTS never_was;
$$);
SELECT * FROM findings($$
TRUNCATE orders CASCADE;
TRUNCATE empty;
$$);
SELECT * FROM findings($$
DROP VIEW order_notes;
DROP TABLE orders CASCADE;
DROP TABLE empty CASCADE;
$$);
SELECT * FROM findings($$
DELETE FROM orders;
UPDATE orders SET qty = 0;
DELETE FROM orders WHERE id < 10;
UPDATE orders SET qty = 0 WHERE id < 10;
$$);
SELECT * FROM findings($$
ALTER TABLE orders ALTER COLUMN note TYPE varchar(10);
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10,1);
ALTER TABLE orders ALTER COLUMN qty TYPE smallint;
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2);
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
$$);
SELECT * FROM findings($$
ALTER TABLE refs DROP CONSTRAINT refs_order_id_fkey;
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
$$);
-- D012 is about a revision: a script without a downgrade section
SELECT * FROM findings($$
-- schemamig:revision d12a
-- schemamig:upgrade
CREATE TABLE d12 (id bigint);
-- schemamig:revision d12b
-- schemamig:down_revision d12a
-- schemamig:upgrade
CREATE TABLE d12b (id bigint);
-- schemamig:downgrade
DROP TABLE d12b;
$$);

--
-- B: breaking changes
--
SELECT * FROM findings($$
ALTER TABLE orders RENAME COLUMN note TO remark;
ALTER TABLE orders RENAME TO purchases;
CREATE TABLE staging (id bigint, a text);
ALTER TABLE staging RENAME COLUMN a TO b;
ALTER TABLE staging RENAME TO staged;
DROP TABLE staged;
$$);
SELECT * FROM findings($$
ALTER SCHEMA li RENAME TO li2;
ALTER SCHEMA never_was RENAME TO whatever;
$$);
SELECT * FROM findings($$
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
ALTER TYPE mood ADD VALUE 'calm';
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'happy';
CREATE TYPE color AS ENUM ('red');
ALTER TYPE color RENAME VALUE 'red' TO 'crimson';
ALTER TYPE color ADD VALUE 'blue';
$$);
SELECT * FROM findings($$
ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE orders ADD COLUMN must bigint NOT NULL;
ALTER TABLE empty ADD COLUMN must bigint NOT NULL;
ALTER TABLE orders ADD COLUMN fine bigint NOT NULL DEFAULT 0;
$$);
-- B009: the view uses "note"; nothing uses "qty"
SELECT * FROM findings($$
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ALTER COLUMN note TYPE varchar(40);
ALTER TABLE orders DROP COLUMN note CASCADE;
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
$$);
-- the table's own CHECK and FKs from other tables do not block a type
-- change (they are rebuilt), nor its own CHECK a DROP COLUMN
ALTER TABLE orders ADD CONSTRAINT qty_not_zero CHECK (qty <> 0);
CREATE TABLE parent2 (id int PRIMARY KEY);
CREATE TABLE child2 (pid int REFERENCES parent2 (id));
SELECT * FROM findings($$
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
ALTER TABLE parent2 ALTER COLUMN id TYPE bigint;
ALTER TABLE orders DROP COLUMN qty;
$$);
SELECT probe('ALTER TABLE orders ALTER COLUMN qty TYPE bigint', 'orders');
SELECT probe('ALTER TABLE parent2 ALTER COLUMN id TYPE bigint', 'parent2');
SELECT probe('ALTER TABLE orders DROP COLUMN qty', 'orders');
ALTER TABLE orders DROP CONSTRAINT qty_not_zero;
DROP TABLE child2, parent2;
-- what PostgreSQL says: both refused
SELECT probe('ALTER TABLE orders DROP COLUMN note', 'orders');
SELECT probe('ALTER TABLE orders ALTER COLUMN note TYPE varchar(40)', 'orders');
SELECT probe('ALTER TABLE orders ADD COLUMN must bigint NOT NULL', 'orders');

--
-- L: locks, rewrites and scans, each claim checked with probe()
--
-- L001: a volatile default rewrites, a constant or stable one does not
SELECT * FROM findings($$
CREATE SEQUENCE order_seq;
ALTER TABLE orders ADD COLUMN seq bigint DEFAULT nextval('order_seq');
ALTER TABLE orders ADD COLUMN token double precision DEFAULT random();
ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false;
ALTER TABLE orders ADD COLUMN seen timestamptz DEFAULT now();
$$);
SELECT probe('ALTER TABLE orders ADD COLUMN token double precision DEFAULT random()', 'orders');
SELECT probe('ALTER TABLE orders ADD COLUMN flag boolean DEFAULT false', 'orders');
SELECT probe('ALTER TABLE orders ADD COLUMN seen timestamptz DEFAULT now()', 'orders');
-- L002, L003
SELECT * FROM findings($$
ALTER TABLE orders ADD COLUMN twice bigint GENERATED ALWAYS AS (qty * 2) STORED;
ALTER TABLE orders ADD COLUMN n bigserial;
ALTER TABLE orders ADD COLUMN m bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE orders ADD COLUMN plain bigint;
$$);
SELECT probe('ALTER TABLE orders ADD COLUMN twice bigint GENERATED ALWAYS AS (qty * 2) STORED', 'orders');
SELECT probe('ALTER TABLE orders ADD COLUMN n bigserial', 'orders');
SELECT probe('ALTER TABLE orders ADD COLUMN plain bigint', 'orders');
-- L004: int to bigint rewrites; a longer varchar, a wider numeric do not
SELECT * FROM findings($$
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
ALTER TABLE refs ALTER COLUMN id TYPE text;
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2);
ALTER TABLE orders ALTER COLUMN body TYPE varchar(100);
$$);
SELECT probe('ALTER TABLE orders ALTER COLUMN qty TYPE bigint', 'orders');
SELECT probe('ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2)', 'orders');
SELECT probe('ALTER TABLE orders ALTER COLUMN body TYPE varchar(100)', 'orders');
-- no rewrite, but a CHECK on the column is verified again
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount >= 0);
SELECT * FROM findings('ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2);');
SELECT probe('ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2)', 'orders');
ALTER TABLE orders DROP CONSTRAINT amount_positive;
-- L005: SET NOT NULL scans, unless a validated CHECK proves it
SELECT * FROM findings('ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;');
SELECT probe('ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL', 'orders');
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL);
SELECT * FROM findings('ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;');
SELECT probe('ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL', 'orders');
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;
-- the same proof made earlier in the script (validated in the revision: L021)
SELECT * FROM findings($$
ALTER TABLE orders ADD CONSTRAINT c_nn CHECK (customer_id IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT c_nn;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
$$);
-- L006, L007: CHECK and FK without NOT VALID scan; FK locks the referenced table
SELECT * FROM findings($$
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0);
ALTER TABLE orders ADD CONSTRAINT qty_positive2 CHECK (qty > 0) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
$$);
SELECT probe('ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0)', 'orders');
SELECT probe('ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID', 'orders');
SELECT probe('ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID', 'customers');
-- L008, L009, L010
ALTER TABLE orders ALTER COLUMN qty SET NOT NULL;
CREATE UNIQUE INDEX orders_qty_idx ON orders (qty);
CREATE UNIQUE INDEX orders_note_idx ON orders (note);
SELECT * FROM findings($$
ALTER TABLE orders ADD CONSTRAINT orders_qty_key UNIQUE (qty);
ALTER TABLE orders ADD CONSTRAINT orders_qty_key2 UNIQUE USING INDEX orders_qty_idx;
$$);
SELECT probe('ALTER TABLE orders ADD CONSTRAINT orders_qty_key UNIQUE (qty)', 'orders');
SELECT * FROM findings($$
ALTER TABLE loose ADD PRIMARY KEY (id);
ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY USING INDEX orders_note_idx;
ALTER TABLE orders DROP CONSTRAINT orders_pkey, ADD PRIMARY KEY USING INDEX orders_qty_idx;
$$);
SELECT probe('ALTER TABLE loose ADD PRIMARY KEY (id)', 'loose');
SELECT * FROM findings($$
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE loose ADD CONSTRAINT no_overlap EXCLUDE USING btree (k WITH =);
CREATE TABLE slots (k int);
ALTER TABLE slots ADD CONSTRAINT no_overlap EXCLUDE USING btree (k WITH =);
$$);
-- L011: SHARE lock on the table; severity by size; new tables are free
SELECT * FROM findings($$
CREATE INDEX orders_amount_idx ON orders (amount);
CREATE INDEX ON empty (v);
CREATE INDEX big_v_idx ON big (v);
CREATE INDEX ON not_here (x);
CREATE TABLE fresh (id bigint, x text);
CREATE INDEX fresh_x_idx ON fresh (x);
$$);
SELECT probe('CREATE INDEX orders_amount_idx ON orders (amount)', 'orders');
SELECT hint FROM schemamig.lint('CREATE INDEX orders_amount_idx ON orders (amount);');
-- L012, L013, L015, L019, L024
SELECT * FROM findings($$
DROP INDEX refs_order_id_idx;
REINDEX TABLE orders;
CLUSTER orders USING orders_pkey;
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
LOCK TABLE customers IN SHARE MODE;
REFRESH MATERIALIZED VIEW order_totals;
REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;
CREATE TABLE fresh (id bigint);
CREATE INDEX fresh_id_idx ON fresh (id);
DROP INDEX fresh_id_idx;
REINDEX TABLE fresh;
LOCK TABLE fresh IN ACCESS EXCLUSIVE MODE;
$$);
SELECT probe('DROP INDEX refs_order_id_idx', 'refs');
-- L024's claim is the ACCESS EXCLUSIVE lock on the view (and the rewrite).
-- Which weaker locks come along depends on the major version: before 16,
-- planning the view's query also took ACCESS SHARE on the view itself
-- through the OLD/NEW entries of its rule, which 16 removed.
SELECT split_part(p, ' lock=', 1) AS probe,
	'AccessExclusiveLock' = ANY (string_to_array(split_part(p, ' lock=', 2), ',')) AS access_exclusive
FROM probe('REFRESH MATERIALIZED VIEW order_totals', 'order_totals') p;
-- L014, L016, L020
SELECT * FROM findings($$
ALTER TABLE parted DETACH PARTITION parted_1;
ALTER TABLE customers SET UNLOGGED;
ALTER TABLE parted ATTACH PARTITION loose FOR VALUES FROM (10) TO (20);
CREATE TABLE parted_3 (id bigint, k int);
ALTER TABLE parted ATTACH PARTITION parted_3 FOR VALUES FROM (20) TO (30);
$$);
SELECT probe('ALTER TABLE customers SET UNLOGGED', 'customers');
SELECT probe('ALTER TABLE parted ATTACH PARTITION loose FOR VALUES FROM (10) TO (20)', 'loose');
-- L017
SELECT * FROM findings($$
ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE > 0);
ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;
$$);
-- L018: a slow statement after an ACCESS EXCLUSIVE lock, once per section;
-- the same statements in the other order are clean
SELECT * FROM findings($$
ALTER TABLE customers ADD COLUMN note text;
CREATE INDEX orders_amount_idx ON orders (amount);
UPDATE orders SET qty = qty WHERE id < 100;
$$);
SELECT * FROM findings($$
CREATE INDEX orders_amount_idx ON orders (amount);
ALTER TABLE customers ADD COLUMN note text;
$$);
-- L021: NOT VALID then VALIDATE in one revision; in the next revision, clean
SELECT * FROM findings($$
-- schemamig:revision l21a
-- schemamig:upgrade
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
-- schemamig:downgrade
ALTER TABLE orders DROP CONSTRAINT qty_positive;
-- schemamig:revision l21b
-- schemamig:down_revision l21a
-- schemamig:upgrade
ALTER TABLE orders ADD CONSTRAINT qty_small CHECK (qty < 1000000) NOT VALID;
-- schemamig:downgrade
ALTER TABLE orders DROP CONSTRAINT qty_small;
-- schemamig:revision l21c
-- schemamig:down_revision l21b
-- schemamig:upgrade
ALTER TABLE orders VALIDATE CONSTRAINT qty_small;
-- schemamig:downgrade
SELECT 1;
$$);
-- L022: an FK without an index; the index may come later in the section
SELECT * FROM findings($$
CREATE TABLE lines (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE TABLE notes (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
CREATE INDEX notes_order_id_idx ON notes (order_id);
ALTER TABLE refs ADD CONSTRAINT refs_order_fk2 FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;
$$);
-- L023: two slow ALTERs of one table; one ALTER with both is clean
SELECT * FROM findings($$
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0);
$$);
SELECT * FROM findings($$
ALTER TABLE orders ALTER COLUMN qty TYPE bigint, ADD CONSTRAINT qty_positive CHECK (qty > 0);
$$);

--
-- T: what the runner cannot do, and transaction hazards
--
SELECT * FROM findings($$
CREATE INDEX CONCURRENTLY orders_amount_idx ON orders (amount);
VACUUM orders;
COMMIT;
SET lock_timeout = 0;
SET statement_timeout = '1h';
SET work_mem = '64MB';
$$);
-- T007: a new enum value used in the revision that adds it fails
SELECT * FROM findings($$
-- schemamig:revision t7a
-- schemamig:upgrade
ALTER TYPE mood ADD VALUE 'calm' AFTER 'happy';
UPDATE moods SET m = 'calm' WHERE m = 'sad';
UPDATE orders SET note = 'calm' WHERE id = 1;
-- schemamig:downgrade
SELECT 1;
-- schemamig:revision t7b
-- schemamig:down_revision t7a
-- schemamig:upgrade
CREATE TABLE feelings (m mood DEFAULT 'calm');
-- schemamig:downgrade
DROP TABLE feelings;
$$);
SELECT * FROM findings($$
CREATE TYPE shade AS ENUM ('light');
ALTER TYPE shade ADD VALUE 'dark' AFTER 'light';
CREATE TABLE paint (s shade DEFAULT 'dark');
$$);
-- T007 reads the parse tree: string constants in casts, VALUES, column
-- defaults of ALTER TABLE and CTEs count when the statement names the type
-- or writes a column of it; a string that is no value (a comment) does not
SELECT * FROM findings($$
ALTER TYPE mood ADD VALUE 'calm';
SELECT 'calm'::mood;
INSERT INTO moods VALUES ('calm');
ALTER TABLE moods ADD COLUMN m2 mood DEFAULT 'calm';
WITH x AS (SELECT 'calm'::li.mood AS m) SELECT m FROM x;
SELECT ARRAY['calm']::mood[];
COMMENT ON TYPE mood IS 'calm';
SELECT 'calm';
UPDATE orders SET note = 'calm' WHERE id = 1;
$$);
-- T008: an index left invalid by a failed CREATE INDEX CONCURRENTLY
INSERT INTO empty VALUES (1, 'same'), (2, 'same');
CREATE UNIQUE INDEX CONCURRENTLY empty_v_key ON empty (v);
SELECT * FROM findings($$
CREATE UNIQUE INDEX IF NOT EXISTS empty_v_key ON empty (v);
CREATE INDEX IF NOT EXISTS orders_pkey ON orders (id);
$$);
DROP INDEX empty_v_key;
DELETE FROM empty;
-- T010: the server's own parser, with the line
SELECT * FROM findings($$
CREATE TABLE ok (id bigint);
CREATE TABEL broken (id bigint);
$$);

--
-- P: design practices (info)
--
SELECT * FROM findings($$
CREATE TABLE styles (
	a integer, b smallint, c serial, d varchar(10), e timestamp,
	f char(2), g json,
	h bigint GENERATED ALWAYS AS IDENTITY, i text, j timestamptz, k jsonb,
	a text);
CREATE INDEX styles_wide ON styles (a, b, c, d);
CREATE UNIQUE INDEX styles_wide_u ON styles (a, b, c, d);
UPDATE styles SET i = 'x', i = 'y';
$$);

--
-- schemamig:allow
--
-- per statement (the line above), per revision (the header), unused ones
SELECT * FROM findings($$
-- schemamig:revision al1
-- schemamig:allow D002 the column was unused since release 12
-- schemamig:upgrade
ALTER TABLE orders DROP COLUMN body;
-- schemamig:allow L011 built by hand with CONCURRENTLY before the deploy
CREATE INDEX IF NOT EXISTS orders_amount_idx ON orders (amount);
CREATE INDEX orders_qty2_idx ON orders (qty);
-- schemamig:allow L005 nothing to silence here
SELECT 1;
-- schemamig:downgrade
SELECT 1;
$$);
-- in plain SQL too
SELECT * FROM findings($$
-- schemamig:allow L011 small table, checked
CREATE INDEX orders_amount_idx ON orders (amount);
$$);
-- errors: unknown rule, no reason, no rule
SELECT * FROM findings($$
-- schemamig:allow L999 typo
CREATE INDEX orders_amount_idx ON orders (amount);
$$);
SELECT * FROM findings($$
-- schemamig:allow L011
CREATE INDEX orders_amount_idx ON orders (amount);
$$);
SELECT * FROM findings($$
-- schemamig:allow because I say so
CREATE INDEX orders_amount_idx ON orders (amount);
$$);

--
-- at registration: WARNINGs by default, an ERROR with schemamig.lint = error
--
SELECT * FROM schemamig.register($$
-- schemamig:revision reg1
-- schemamig:message index on amount
-- schemamig:upgrade
CREATE INDEX orders_amount_idx ON orders (amount);
-- schemamig:downgrade
DROP INDEX orders_amount_idx;
$$);
-- registered again unchanged: quiet
SELECT * FROM schemamig.register($$
-- schemamig:revision reg1
-- schemamig:message index on amount
-- schemamig:upgrade
CREATE INDEX orders_amount_idx ON orders (amount);
-- schemamig:downgrade
DROP INDEX orders_amount_idx;
$$);
SELECT * FROM findings('') ;
SELECT line, rule, severity FROM schemamig.lint_revision('reg1');
SET schemamig.lint = error;
SELECT * FROM schemamig.register($$
-- schemamig:revision reg2
-- schemamig:down_revision reg1
-- schemamig:upgrade
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- schemamig:downgrade
ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;
$$);
SELECT revision FROM schemamig.status() ORDER BY revision;
-- an allow line lets it through, and is kept with the revision
SELECT * FROM schemamig.register($$
-- schemamig:revision reg2
-- schemamig:down_revision reg1
-- schemamig:allow L005 orders is small in every environment
-- schemamig:upgrade
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- schemamig:downgrade
ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;
$$);
SELECT lint_allow FROM schemamig.revisions WHERE revision = 'reg2';
SELECT count(*) FROM schemamig.lint_revision('reg2');
-- revision() lints too
SELECT schemamig.revision('drop it', 'DROP TABLE big;', NULL, 'head', 'reg3');
SET schemamig.lint = off;
SELECT schemamig.revision('drop it', 'DROP TABLE big;', NULL, 'head', 'reg3');
RESET schemamig.lint;
SELECT schemamig.forget('reg3');
-- changing an applied revision's allow lines is an edit like any other
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM schemamig.register($$
-- schemamig:revision reg2
-- schemamig:down_revision reg1
-- schemamig:allow L005 orders is small everywhere
-- schemamig:upgrade
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- schemamig:downgrade
ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;
$$);
SELECT revision FROM schemamig.downgrade('base');
SELECT schemamig.forget('reg2');
SELECT schemamig.forget('reg1');

-- an applied revision's tables are in the catalog, not "new": pushing the
-- whole chain again with one more revision still flags the index build
\set chain '-- schemamig:revision ap1\n-- schemamig:upgrade\nCREATE TABLE ap (id bigint, v text) WITH (autovacuum_enabled = off);\nINSERT INTO ap SELECT g, $$x$$ FROM generate_series(1, 100) g;\n-- schemamig:downgrade\nDROP TABLE ap;\n'
SELECT revision FROM schemamig.apply(E:'chain');
SELECT line, rule, severity FROM schemamig.lint(E:'chain' || E'-- schemamig:revision ap2\n-- schemamig:down_revision ap1\n-- schemamig:upgrade\nCREATE INDEX ap_v_idx ON ap (v);\n-- schemamig:downgrade\nDROP INDEX ap_v_idx;\n');
SELECT * FROM schemamig.register(E:'chain' || E'-- schemamig:revision ap2\n-- schemamig:down_revision ap1\n-- schemamig:upgrade\nCREATE INDEX ap_v_idx ON ap (v);\n-- schemamig:downgrade\nDROP INDEX ap_v_idx;\n');
SELECT revision FROM schemamig.downgrade('base');
SELECT schemamig.forget('ap2');
SELECT schemamig.forget('ap1');

--
-- schemamig.lint_ignore
--
SET schemamig.lint_ignore = 'P, L023';
SELECT rule FROM schemamig.lint('CREATE TABLE s2 (a integer, b json);');
SELECT count(*) FILTER (WHERE enabled) AS enabled, count(*) AS rules
FROM schemamig.lint_rules();
SET schemamig.lint_ignore = 'L999';
SET schemamig.lint_ignore = 'X';
RESET schemamig.lint_ignore;

-- a downgrade section drops what its upgrade made: no D findings there
SELECT * FROM findings($$
-- schemamig:revision dg1
-- schemamig:upgrade
ALTER TABLE orders ADD COLUMN extra text;
-- schemamig:downgrade
ALTER TABLE orders DROP COLUMN extra;
$$);

-- lint takes no lock that outlives it, and changes nothing
BEGIN;
SELECT count(*) > 0 AS found FROM schemamig.lint($$
CREATE INDEX orders_amount_idx ON orders (amount);
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
DROP TABLE customers;
$$);
SELECT mode FROM pg_locks
WHERE locktype = 'relation' AND pid = pg_backend_pid()
  AND relation IN ('orders'::regclass, 'customers'::regclass);
COMMIT;
SELECT count(*) AS orders, pg_typeof(qty) FROM orders GROUP BY 2;

DROP SCHEMA li CASCADE;
DROP SCHEMA doomed CASCADE;
