--
-- lint_nontx: the linter and revisions that say "-- schemamig:transaction
-- off" (issue 18).  Their CONCURRENTLY statements are no T001; the hints
-- that used to send a statement "outside schemamig" show the revision that
-- runs it inside; rules that know each statement commits on its own
-- (T011, T012, T013; no L018, L021, T007 there); T008 still catches
-- IF NOT EXISTS over an index a failed build left invalid.
--
CREATE SCHEMA ln;
SET search_path = ln, public;
CREATE TABLE accounts (id bigint PRIMARY KEY, email text, v int);
INSERT INTO accounts SELECT g, 'a' || g, g % 10 FROM generate_series(1, 20000) g;
CREATE INDEX accounts_v_idx ON accounts (v);
CREATE TABLE parts (id bigint, k int) PARTITION BY RANGE (k);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (10);
INSERT INTO parts SELECT g, g % 10 FROM generate_series(1, 20000) g;
CREATE TYPE state AS ENUM ('new', 'done');
CREATE TABLE jobs (s state);
ALTER TABLE accounts SET (autovacuum_enabled = off);
ALTER TABLE parts_1 SET (autovacuum_enabled = off);
VACUUM ANALYZE accounts, parts_1;
-- an index a failed CREATE UNIQUE INDEX CONCURRENTLY left invalid
INSERT INTO accounts VALUES (0, 'a1', 0);
CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON accounts (email);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email_key'::regclass;

CREATE FUNCTION findings(sql text)
RETURNS TABLE (line int, rule text, severity text, message text)
LANGUAGE sql AS $$
	SELECT line, rule, severity, message FROM schemamig.lint(sql)
$$;

-- the new rules are in the catalogue
SELECT * FROM schemamig.lint_rules() WHERE rule IN ('T011', 'T012', 'T013') ORDER BY 1;

-- plain SQL and a revision with a transaction: CONCURRENTLY is T001, and
-- its hint shows the directive
SELECT rule, severity, hint FROM schemamig.lint('CREATE INDEX CONCURRENTLY accounts_id_v ON accounts (id, v);');
SELECT line, rule, hint FROM schemamig.lint($s$
-- schemamig:revision t1
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY accounts_id_v ON accounts (id, v);
$s$);

-- the same statement in a revision without a transaction: no finding
SELECT * FROM findings($s$
-- schemamig:revision n1
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY accounts_id_v ON accounts (id, v);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY accounts_id_v;
$s$);

-- an unnamed one stays refused there (T001)
SELECT line, rule, message, hint FROM schemamig.lint($s$
-- schemamig:revision n1
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY ON accounts (id, v);
$s$);

-- the hints that moved a statement "outside schemamig" now show the
-- revision that runs it inside: L011, L012, L013, L014, L008, L009
SELECT rule, hint FROM schemamig.lint($s$
CREATE INDEX accounts_email_idx ON accounts (email);
CREATE INDEX ON accounts (email);
DROP INDEX accounts_v_idx;
REINDEX TABLE accounts;
ALTER TABLE parts DETACH PARTITION parts_1;
ALTER TABLE accounts ADD CONSTRAINT accounts_email_uq UNIQUE (email);
ALTER TABLE accounts ADD COLUMN code text UNIQUE;
$s$) WHERE rule IN ('L011', 'L012', 'L013', 'L014', 'L008') ORDER BY line;
CREATE TABLE nokey (a bigint NOT NULL, b bigint NOT NULL);
INSERT INTO nokey SELECT g, g FROM generate_series(1, 20000) g;
ANALYZE nokey;
SELECT rule, hint FROM schemamig.lint('ALTER TABLE nokey ADD PRIMARY KEY (a, b);') WHERE rule = 'L009';

-- inside a revision without a transaction, the hint says to write the
-- safe form right there
SELECT line, rule, hint FROM schemamig.lint($s$
-- schemamig:revision n2
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX accounts_email_idx ON accounts (email);
REINDEX INDEX accounts_v_idx;
$s$) WHERE rule IN ('L011', 'L013') ORDER BY line;

-- T011: a revision without a transaction that mixes plain DDL with a
-- CONCURRENTLY statement (once per section, at the first plain one); a
-- revision of CONCURRENTLY statements only, or of VACUUM and CALL, has none
SELECT * FROM findings($s$
-- schemamig:revision n3
-- schemamig:transaction off
-- schemamig:upgrade
ALTER TABLE accounts ADD COLUMN note text;
CREATE UNIQUE INDEX CONCURRENTLY accounts_id_email ON accounts (id, email);
ALTER TABLE accounts ADD CONSTRAINT accounts_id_email UNIQUE USING INDEX accounts_id_email;
-- schemamig:downgrade
ALTER TABLE accounts DROP CONSTRAINT accounts_id_email;
ALTER TABLE accounts DROP COLUMN note;
$s$);
SELECT * FROM findings($s$
-- schemamig:revision n4
-- schemamig:transaction off
-- schemamig:upgrade
VACUUM (ANALYZE) accounts;
DROP INDEX CONCURRENTLY IF EXISTS accounts_v_idx;
-- schemamig:downgrade
CREATE INDEX CONCURRENTLY accounts_v_idx ON accounts (v);
$s$);

-- T012: the directive with nothing that needs it
SELECT * FROM findings($s$
-- schemamig:revision n5
-- schemamig:transaction off
-- schemamig:upgrade
CREATE TABLE fresh (id bigint PRIMARY KEY);
-- schemamig:downgrade
DROP TABLE fresh;
$s$);

-- T013: LOCK TABLE, SET LOCAL and SET last only for their own step (no
-- L019, no L018 after them: the lock is gone at the step's commit)
SELECT * FROM findings($s$
-- schemamig:revision n6
-- schemamig:transaction off
-- schemamig:upgrade
SET LOCAL lock_timeout = '1s';
SET maintenance_work_mem = '1GB';
LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;
CREATE INDEX CONCURRENTLY accounts_id_v ON accounts (id, v);
$s$);
-- the same statements with a transaction: L019 and L018 as before
SELECT rule FROM schemamig.lint($s$
-- schemamig:revision t6
-- schemamig:upgrade
LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;
ALTER TABLE accounts ALTER COLUMN v TYPE bigint;
$s$) WHERE rule IN ('L018', 'L019') ORDER BY 1;

-- no T007 and no L021 inside a revision without a transaction: the enum
-- value and the NOT VALID constraint are committed before the next step
SELECT rule FROM schemamig.lint($s$
-- schemamig:revision n7
-- schemamig:transaction off
-- schemamig:upgrade
ALTER TYPE state ADD VALUE 'failed' AFTER 'new';
UPDATE jobs SET s = 'failed' WHERE s = 'new';
ALTER TABLE accounts ADD CONSTRAINT accounts_v_check CHECK (v >= 0) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_v_check;
VACUUM accounts;
$s$) WHERE rule IN ('T007', 'L021') ORDER BY 1;
-- the same with a transaction: both
SELECT rule FROM schemamig.lint($s$
-- schemamig:revision t7
-- schemamig:upgrade
ALTER TYPE state ADD VALUE 'failed' AFTER 'new';
UPDATE jobs SET s = 'failed' WHERE s = 'new';
ALTER TABLE accounts ADD CONSTRAINT accounts_v_check CHECK (v >= 0) NOT VALID;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_v_check;
$s$) WHERE rule IN ('T007', 'L021') ORDER BY 1;

-- T008 still catches IF NOT EXISTS over the invalid index, with or without
-- the directive
SELECT line, rule, severity, hint FROM schemamig.lint($s$
-- schemamig:revision n8
-- schemamig:transaction off
-- schemamig:upgrade
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS accounts_email_key ON accounts (email);
$s$);
SELECT rule, severity FROM schemamig.lint('CREATE UNIQUE INDEX IF NOT EXISTS accounts_email_key ON accounts (email);') WHERE rule = 'T008';

-- allow lines silence the new rules as any other
SELECT * FROM findings($s$
-- schemamig:revision n9
-- schemamig:transaction off
-- schemamig:allow T012 kept apart on purpose
-- schemamig:upgrade
CREATE TABLE fresh2 (id bigint PRIMARY KEY);
$s$);

-- registration: a revision without a transaction is linted as the runner
-- splits it (no T001); its warnings are raised; lint_revision() agrees
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision ln1
-- schemamig:transaction off
-- schemamig:upgrade
LOCK TABLE accounts IN SHARE MODE;
CREATE INDEX CONCURRENTLY accounts_id_v ON accounts (id, v);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS accounts_id_v;
$s$);
SELECT line, rule, severity FROM schemamig.lint_revision('ln1');
SET schemamig.lint = error;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision ln2
-- schemamig:down_revision ln1
-- schemamig:transaction off
-- schemamig:upgrade
SET LOCAL statement_timeout = '1min';
VACUUM accounts;
$s$);
RESET schemamig.lint;
SELECT count(*) FROM schemamig.revisions WHERE revision = 'ln2';

-- clean up
SELECT schemamig.forget('ln1');
RESET search_path;
DROP SCHEMA ln CASCADE;
