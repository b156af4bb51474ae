# Fuzz: the linter (schemamig.lint(), lint_revision(), and the lint that
# register() runs), as a bounded, deterministic TAP run.
#
# Fixture  a database with real objects for the rules' catalog lookups:
#          tables with rows ("big", made to look like five million rows)
#          and without, a view, a materialized view, an enum, domains
#          (with and without a CHECK), a composite type, a sequence, a
#          partitioned table with partitions and a table to attach, FKs
#          with and without an index, a validated NOT NULL proof, an
#          invalid index (a failed CREATE UNIQUE INDEX CONCURRENTLY), a
#          second schema, quoted and very long names, a CHECK constraint
#          calling a SQL function that reads another table, and two
#          registered revisions for lint_revision() (one with an allow line
#          naming an unknown rule, registered with schemamig.lint = off).
# Inputs   a corpus of statements of every kind the grammar knows (ALTER
#          TABLE with each subcommand, DROP and RENAME of each object kind,
#          CREATE TABLE variants, ALTER TYPE / ENUM / DOMAIN, LOCK, CLUSTER,
#          REINDEX, REFRESH, COPY, SET / RESET, DO, BEGIN ATOMIC bodies,
#          transaction control, ...), over fixture names, missing names,
#          cross-database, quoted, odd and over-long identifiers, plus the
#          statements of sql/*.sql; put together as plain SQL or as scripts
#          (revisions, header and body "schemamig:allow" lines in odd
#          places, downgrade sections), then mutated: truncation at random
#          character and byte offsets, token swaps and shuffles, deleted and
#          duplicated tokens, inserted quotes, comments, dollar quotes,
#          semicolons and random characters.  Some cases run with
#          schemamig.lint_ignore set, with standard_conforming_strings off,
#          through register() with schemamig.lint = error (or warn, with
#          the WARNINGs sent to the client), or through lint_revision().
#
# Every case runs inside BEGIN ... ROLLBACK; the text reaches the server
# byte for byte through pg_read_file(path, offset, length) on one data file
# (as 006_fuzz.pl does); many cases per psql -f batch.
#
# Asserts: the server never crashes (no lost connection, no "terminated by
# signal", PANIC or TRAP in its log, SELECT 1 answers after each batch);
# every error has a SQLSTATE of an SQL error class (not XX, 58, 08, 53,
# 57P); every finding has a known rule, a severity, a message and a line
# inside the input; after lint() the transaction holds no lock on a
# relation of the fixture and no relation lock stronger than ACCESS SHARE;
# no case takes longer than SCHEMAMIG_LINT_FUZZ_SLOW (5) seconds.  Then:
# 150 statements over the fixture's tables are linted again while another
# session holds ACCESS EXCLUSIVE on them, with lock_timeout = 3s: lint()
# must not wait (each under 1 s) and must find the same (rule, line) pairs
# (a lock timeout swallowed by the per-statement subtransaction would lose
# findings silently); and a statement_timeout during a long lint() (many
# statements; one CREATE TABLE of 60000 columns) ends it with 57014.
#
# Knobs: SCHEMAMIG_LINT_FUZZ_SEED (default 8008, always printed),
# SCHEMAMIG_LINT_FUZZ_CASES (4000), SCHEMAMIG_LINT_FUZZ_SLOW (5),
# SCHEMAMIG_LINT_FUZZ_BATCH (500 cases per psql).  A failing case gets a
# stand-alone reproduction, tmp_check/008_lint_fuzz_case_<n>.sql.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Encode qw(encode decode);
use File::Basename qw(dirname basename);
use Time::HiRes qw(time);
use Cwd ();

my $seed = $ENV{SCHEMAMIG_LINT_FUZZ_SEED} // 8008;
my $n_cases = $ENV{SCHEMAMIG_LINT_FUZZ_CASES} // 4000;
my $slow_secs = $ENV{SCHEMAMIG_LINT_FUZZ_SLOW} // 5;
my $batch_size = $ENV{SCHEMAMIG_LINT_FUZZ_BATCH} || 500;
my $t_start = time;
diag("lint fuzz seed $seed (set SCHEMAMIG_LINT_FUZZ_SEED=$seed to repeat), $n_cases cases");
srand($seed);

sub rint { return int(rand($_[0])) }
sub pick { return $_[ rint(scalar @_) ] }
sub chance { return rand() < $_[0] }

my $repo = dirname(dirname(dirname(Cwd::abs_path(__FILE__))));

my $node = PostgreSQL::Test::Cluster->new('lint_fuzz');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', "log_min_messages = warning\n");
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir();
my $outdir = $PostgreSQL::Test::Utils::tmp_check;

# --------------------------------------------------------------------------
# the fixture

my $long = 'l' x 70;    # longer than NAMEDATALEN: truncated with a NOTICE
$node->safe_psql('postgres', <<"EOF");
SET client_min_messages = warning;
CREATE EXTENSION schemamig;
CREATE SCHEMA other;
CREATE TABLE big (id bigint PRIMARY KEY, a int, b text, c varchar(10),
	d numeric(10,2), e timestamp, f json, g int);
INSERT INTO big SELECT i, i, 'b' || i, 'c', i, now(), '{}', i
	FROM generate_series(1, 2000) i;
CREATE TABLE empty (id int, v text);
CREATE TABLE small (id int PRIMARY KEY, big_id bigint REFERENCES big (id), note text);
INSERT INTO small SELECT i, i, 'n' FROM generate_series(1, 50) i;
CREATE TABLE noidx (id int, small_id int REFERENCES small (id));
CREATE TABLE proven (a int, b int, CONSTRAINT proven_a_nn CHECK (a IS NOT NULL));
INSERT INTO proven VALUES (1, 1);
CREATE TABLE dup (x int);
INSERT INTO dup VALUES (1), (1);
CREATE VIEW v AS SELECT id, a FROM big;
CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM big;
CREATE UNIQUE INDEX mv_id ON mv (id);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TYPE comp AS (a int, b text);
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN plain AS int;
CREATE SEQUENCE seq;
CREATE TABLE parted (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (10) TO (20);
INSERT INTO parted SELECT i, i % 20 FROM generate_series(1, 200) i;
CREATE TABLE loose (id int, k int);
INSERT INTO loose SELECT i, 25 FROM generate_series(1, 20) i;
CREATE TABLE other.t (id int PRIMARY KEY, v text);
CREATE TABLE "Odd Name" ("Weird ""col""" int, "ünï" text);
CREATE TABLE "$long" (id int);
CREATE TABLE uses_domain (p posint, q plain);
INSERT INTO uses_domain VALUES (1, 1);
CREATE FUNCTION f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT \$1';
-- a CHECK calling a SQL function that reads another table: lint() must
-- not inline it (parsing the body would lock "empty", and wait for it)
CREATE FUNCTION pos_ok(int) RETURNS boolean LANGUAGE sql IMMUTABLE
	AS 'SELECT \$1 > coalesce((SELECT min(id) FROM empty), 0)';
CREATE TABLE chk (a int, b int, CONSTRAINT chk_a CHECK (pos_ok(a)));
INSERT INTO chk VALUES (1, 1);
CREATE INDEX big_a_b ON big (a, b);
VACUUM ANALYZE;
UPDATE pg_class SET reltuples = 5000000 WHERE oid = 'big'::regclass;
EOF
# an invalid index: CREATE UNIQUE INDEX CONCURRENTLY over duplicates
$node->psql('postgres', 'CREATE UNIQUE INDEX CONCURRENTLY dup_x_idx ON dup (x)');
is($node->safe_psql('postgres',
		"SELECT NOT indisvalid FROM pg_index WHERE indexrelid = 'dup_x_idx'::regclass"),
	't', 'fixture: an invalid index');
$node->safe_psql('postgres', <<'EOF');
SET schemamig.lint = off;
SELECT count(*) FROM schemamig.register($s$
-- schemamig:revision r1
-- schemamig:allow D001 the table is a scratch table
-- schemamig:upgrade
ALTER TABLE big ADD COLUMN z int NOT NULL;
-- schemamig:allow L011 small
CREATE INDEX ON big (b);
DROP TABLE empty;
-- schemamig:downgrade
ALTER TABLE big DROP COLUMN z;
-- schemamig:revision r2
-- schemamig:down_revision r1
-- schemamig:allow X999 unknown rule
-- schemamig:upgrade
ALTER TYPE mood ADD VALUE 'new';
UPDATE big SET a = 1;
SELECT 'new'::mood;
$s$);
EOF

my %fixture_oids = map { $_ => 1 } split /\n/,
  $node->safe_psql('postgres',
	"SELECT oid FROM pg_class WHERE relnamespace IN ('public'::regnamespace, 'other'::regnamespace)");

# --------------------------------------------------------------------------
# the corpus

my @rel = ('big', 'empty', 'small', 'parted', 'parted_1', 'mv', 'v', 'nosuch',
	'public.big', 'other.t', 'other_db.public.big', 'a.b.c.d', '"Odd Name"',
	"\"$long\"", $long, 'dup', 'proven', 'loose', 'seq', 'big_pkey', 'dup_x_idx',
	'"BIG"', 'U&"b\0069g"', 'pg_catalog.pg_class', 'pg_temp.tmp', '"x""y"',
	'"日本"', 'élan', '"' . ('q' x 300) . '"', 'chk');
my @col = ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'id', 'nosuch', '"Weird ""col"""',
	'"ünï"', 'ctid', 'xmin', $long, '"A"');
my @typ = ('int', 'bigint', 'smallint', 'int4', 'int8', 'text', 'varchar(5)',
	'varchar(20)', 'varchar', 'char(3)', 'numeric(12,2)', 'numeric(8,1)',
	'numeric', 'timestamp', 'timestamptz', 'date', 'json', 'jsonb', 'mood',
	'posint', 'plain', 'comp', 'int[]', 'text[][]', 'serial', 'bigserial',
	'smallserial', 'nosuchtype', 'other_db.public.t', 'big', 'big.a%TYPE',
	'anyelement', 'anyarray', 'record', 'void', 'cstring', '"any"', 'internal',
	'bit(3)', 'interval(2)', 'float4', 'float8', 'bytea', 'uuid', 'pg_catalog.int4',
	'double precision', 'character varying(3)', 'time with time zone',
	'mood[]', 'tsvector', 'regclass', 'oid', 'xml', 'int4range');
my @expr = ('1', 'NULL', 'now()', 'random()', "'x'", "'sad'", 'nextval(\'seq\')',
	'gen_random_uuid()', 'clock_timestamp()', '(SELECT 1)', 'a', '$1', 'f(1)',
	"'{}'", 'ROW(1, 2)', 'ARRAY[1]', 'count(*)', 'generate_series(1, 2)',
	'1::posint', "'2020-01-01'::timestamp", "current_setting('x')",
	"'nosuch'::regclass", 'DEFAULT', 'CURRENT_USER', "E'\\\\x'", '$$d$$',
	'1 + ' x 50 . '1', 'txid_current()', 'a IS NOT NULL', 'VALUE > 0',
	# expression kinds for the raw-tree walkers (a DEFAULT is a b_expr)
	'CASE WHEN random() > 0.5 THEN 1 ELSE 2 END', 'CASE a WHEN 1 THEN nextval(\'seq\') END',
	'(WITH d AS (DELETE FROM big RETURNING 1) SELECT 1)', '(SELECT 1 FROM big TABLESAMPLE SYSTEM (1) LIMIT 1)',
	'EXISTS (SELECT random())', 'ARRAY(SELECT clock_timestamp())', 'COLLATION FOR (\'x\')',
	'XMLSERIALIZE(CONTENT \'<a/>\'::xml AS text)', "(SELECT x FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int PATH '.'))",
	'count(*) OVER ()', 'count(*) FILTER (WHERE random() > 0)', 'GROUPING(a)', 'f(VARIADIC ARRAY[1])',
	'f(a => 1)', 'pg_catalog.random()', '"random"()', 'random.x', '($1)[1]', '(ROW(1, 2)).f1',
	'CURRENT_DATE', 'CURRENT_TIMESTAMP(2)', 'LOCALTIMESTAMP', '1 BETWEEN 0 AND random()',
	'\'a\' LIKE \'b\' ESCAPE \'!\'', 'ROW(1, 2) IS NULL', 'true IS UNKNOWN', 'a IS DOCUMENT',
	'NULLIF(1, 2)', 'COALESCE(NULL, random())', 'GREATEST(1, random())', 'EXTRACT(epoch FROM now())',
	'SUBSTRING(\'x\' FROM 1 FOR 1)', 'TRIM(BOTH FROM \' x \')', 'OVERLAY(\'x\' PLACING \'y\' FROM 1)',
	'POSITION(\'a\' IN \'b\')', 'XMLELEMENT(NAME a, random())', 'XMLFOREST(1 AS a)', 'XMLPI(NAME x)',
	'1 = ANY (ARRAY[random()])', '1 = ALL (SELECT 1)', '(SELECT 1 UNION SELECT 2)', 'setseed(0.5)',
	'mood \'sad\'', 'interval \'1 day\'', 'B\'101\'', 'X\'1F\'', 'U&\'\\0041\'', '1::int::text::int',
	'a COLLATE "C"', '- 1', 'NOT true', '1 OPERATOR(pg_catalog.+) 1', '(1, 2) OVERLAPS (3, 4)',
	# string constants where T007 looks for enum values in the parse tree
	"'x'::mood", "ARRAY['x']::mood[]", "CAST('x' AS public.mood)",
	"(SELECT 'x'::mood WHERE 'x' = 'x')");

# ALTER TABLE subcommands; %c %t %e %r filled in at random
my @subcmds = (
	'ADD COLUMN x %t', 'ADD COLUMN IF NOT EXISTS x %t DEFAULT %e', 'ADD x %t NOT NULL',
	'ADD COLUMN x %t NOT NULL DEFAULT %e', 'ADD COLUMN x %t GENERATED ALWAYS AS IDENTITY',
	'ADD COLUMN x %t GENERATED BY DEFAULT AS IDENTITY (START 5)',
	'ADD COLUMN x int GENERATED ALWAYS AS (%c * 2) STORED', 'ADD COLUMN x %t UNIQUE',
	'ADD COLUMN x %t PRIMARY KEY', 'ADD COLUMN x %t REFERENCES %r', 'ADD COLUMN x %t REFERENCES %r (%c) ON DELETE CASCADE',
	'ADD COLUMN x %t CHECK (x > 0)', 'ADD COLUMN x %t COLLATE "C"', 'ADD COLUMN x %t CONSTRAINT n NOT NULL DEFERRABLE',
	'ALTER COLUMN %c TYPE %t', 'ALTER COLUMN %c SET DATA TYPE %t USING %e',
	'ALTER %c TYPE %t USING %c', 'ALTER COLUMN %c TYPE %t COLLATE "C"',
	'ALTER COLUMN %c SET NOT NULL', 'ALTER COLUMN %c DROP NOT NULL',
	'ALTER COLUMN %c SET DEFAULT %e', 'ALTER COLUMN %c DROP DEFAULT',
	'ALTER COLUMN %c DROP EXPRESSION', 'ALTER COLUMN %c DROP EXPRESSION IF EXISTS',
	'ALTER COLUMN %c SET STATISTICS 100', 'ALTER COLUMN 2 SET STATISTICS 10',
	'ALTER COLUMN %c SET (n_distinct = 1)', 'ALTER COLUMN %c RESET (n_distinct)',
	'ALTER COLUMN %c SET STORAGE EXTERNAL', 'ALTER COLUMN %c SET COMPRESSION pglz',
	'ALTER COLUMN %c ADD GENERATED ALWAYS AS IDENTITY', 'ALTER COLUMN %c SET GENERATED BY DEFAULT',
	'ALTER COLUMN %c RESTART WITH 10', 'ALTER COLUMN %c DROP IDENTITY IF EXISTS',
	'ALTER COLUMN %c OPTIONS (ADD a \'b\')',
	'DROP COLUMN %c', 'DROP COLUMN IF EXISTS %c CASCADE', 'DROP %c RESTRICT',
	'ADD CONSTRAINT k CHECK (%c > 0)', 'ADD CONSTRAINT k CHECK (%c IS NOT NULL) NOT VALID',
	'ADD CHECK (%e) NOT VALID', 'ADD CONSTRAINT k CHECK ((%c, %c) IS NOT NULL) NOT VALID',
	'ADD CONSTRAINT k FOREIGN KEY (%c) REFERENCES %r', 'ADD FOREIGN KEY (%c, %c) REFERENCES %r (%c, %c) NOT VALID',
	'ADD CONSTRAINT k UNIQUE (%c)', 'ADD UNIQUE NULLS NOT DISTINCT (%c) INCLUDE (%c)',
	'ADD CONSTRAINT k UNIQUE USING INDEX dup_x_idx', 'ADD PRIMARY KEY (%c)',
	'ADD CONSTRAINT k PRIMARY KEY USING INDEX %r', 'ADD PRIMARY KEY USING INDEX dup_x_idx',
	'ADD EXCLUDE USING gist (%c WITH =)', 'ADD CONSTRAINT k EXCLUDE (%c WITH =) WHERE (%c > 0)',
	'ALTER CONSTRAINT k DEFERRABLE INITIALLY DEFERRED', 'VALIDATE CONSTRAINT k',
	# NOT NULL as a table constraint, NOT VALID: PostgreSQL 18 (a syntax
	# error before)
	'ADD CONSTRAINT k NOT NULL %c NOT VALID', 'ADD CONSTRAINT k NOT NULL %c',
	'VALIDATE CONSTRAINT proven_a_nn', 'DROP CONSTRAINT k', 'DROP CONSTRAINT IF EXISTS small_big_id_fkey CASCADE',
	'DROP CONSTRAINT small_big_id_fkey', 'CLUSTER ON big_pkey', 'SET WITHOUT CLUSTER',
	'SET WITHOUT OIDS', 'SET ACCESS METHOD heap', 'SET TABLESPACE pg_default', 'SET LOGGED',
	'SET UNLOGGED', 'SET (fillfactor = 50)', 'RESET (fillfactor)',
	'SET (toast.autovacuum_enabled = false)', 'SET (autovacuum_enabled)', 'ENABLE TRIGGER ALL',
	'DISABLE TRIGGER t', 'ENABLE REPLICA TRIGGER t', 'ENABLE ALWAYS TRIGGER t',
	'DISABLE TRIGGER USER', 'ENABLE RULE r', 'DISABLE RULE r', 'ENABLE REPLICA RULE r',
	'INHERIT %r', 'NO INHERIT %r', 'OF comp', 'NOT OF', 'OWNER TO CURRENT_USER',
	'OWNER TO nosuchrole', 'REPLICA IDENTITY FULL', 'REPLICA IDENTITY USING INDEX big_pkey',
	'REPLICA IDENTITY DEFAULT', 'ENABLE ROW LEVEL SECURITY', 'FORCE ROW LEVEL SECURITY',
	'NO FORCE ROW LEVEL SECURITY', 'DISABLE ROW LEVEL SECURITY', 'OPTIONS (ADD a \'b\')',
	'ATTACH PARTITION %r FOR VALUES FROM (20) TO (30)', 'ATTACH PARTITION %r DEFAULT',
	'ATTACH PARTITION %r FOR VALUES IN (1, 2)', 'DETACH PARTITION %r',
	'DETACH PARTITION %r CONCURRENTLY', 'DETACH PARTITION %r FINALIZE');
my @alter_heads = ('ALTER TABLE', 'ALTER TABLE IF EXISTS', 'ALTER TABLE ONLY',
	'ALTER MATERIALIZED VIEW', 'ALTER FOREIGN TABLE', 'ALTER VIEW', 'ALTER INDEX',
	'ALTER TABLE IF EXISTS ONLY', 'alter table');
my @alter_other = (
	'ALTER TABLE %r RENAME TO x', 'ALTER TABLE %r RENAME COLUMN %c TO x',
	'ALTER TABLE %r RENAME %c TO %c', 'ALTER TABLE %r RENAME CONSTRAINT k TO j',
	'ALTER TABLE IF EXISTS %r RENAME TO x', 'ALTER TABLE %r SET SCHEMA other',
	'ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE pg_default',
	'ALTER INDEX %r RENAME TO x', 'ALTER INDEX %r ATTACH PARTITION %r',
	'ALTER INDEX %r SET TABLESPACE pg_default', 'ALTER INDEX %r ALTER COLUMN 1 SET STATISTICS 5',
	'ALTER VIEW %r RENAME TO x', 'ALTER VIEW %r RENAME COLUMN %c TO x',
	'ALTER VIEW %r ALTER COLUMN %c SET DEFAULT 1', 'ALTER MATERIALIZED VIEW %r RENAME TO x',
	'ALTER MATERIALIZED VIEW %r RENAME COLUMN %c TO x', 'ALTER MATERIALIZED VIEW %r SET ACCESS METHOD heap',
	'ALTER SEQUENCE %r RENAME TO x', 'ALTER SEQUENCE seq RESTART', 'ALTER SEQUENCE seq OWNED BY %r.%c',
	'ALTER SCHEMA other RENAME TO o2', 'ALTER SCHEMA nosuch RENAME TO o2', 'ALTER SCHEMA public OWNER TO CURRENT_USER',
	'ALTER TYPE mood RENAME TO m2', 'ALTER TYPE comp RENAME ATTRIBUTE a TO z',
	'ALTER TYPE mood RENAME VALUE \'sad\' TO \'blue\'', 'ALTER TYPE nosuch RENAME VALUE \'a\' TO \'b\'',
	'ALTER TYPE mood ADD VALUE \'x\'', 'ALTER TYPE mood ADD VALUE IF NOT EXISTS \'x\' BEFORE \'sad\'',
	'ALTER TYPE mood ADD VALUE \'y\' AFTER \'ok\'', 'ALTER TYPE public.mood ADD VALUE \'z\'',
	'ALTER TYPE other_db.public.mood ADD VALUE \'z\'', 'ALTER TYPE a.b.c.d ADD VALUE \'z\'',
	'ALTER TYPE comp ADD ATTRIBUTE c int', 'ALTER TYPE comp DROP ATTRIBUTE a',
	'ALTER TYPE comp ALTER ATTRIBUTE a TYPE bigint CASCADE', 'ALTER TYPE mood OWNER TO CURRENT_USER',
	'ALTER TYPE mood SET SCHEMA other', 'ALTER TYPE comp SET (RECEIVE = NONE)',
	'ALTER DOMAIN posint ADD CONSTRAINT k CHECK (VALUE < 100)', 'ALTER DOMAIN posint ADD CHECK (VALUE < 100) NOT VALID',
	'ALTER DOMAIN plain ADD CONSTRAINT k UNIQUE (x)', 'ALTER DOMAIN plain ADD CONSTRAINT k NOT NULL',
	'ALTER DOMAIN plain ADD FOREIGN KEY (a) REFERENCES big', 'ALTER DOMAIN posint DROP CONSTRAINT k',
	'ALTER DOMAIN posint DROP CONSTRAINT IF EXISTS k CASCADE', 'ALTER DOMAIN posint VALIDATE CONSTRAINT posint_check',
	'ALTER DOMAIN posint SET DEFAULT 1', 'ALTER DOMAIN posint DROP DEFAULT', 'ALTER DOMAIN posint SET NOT NULL',
	'ALTER DOMAIN posint DROP NOT NULL', 'ALTER DOMAIN posint RENAME TO p2', 'ALTER DOMAIN posint RENAME CONSTRAINT k TO j',
	'ALTER DOMAIN other_db.public.d ADD CHECK (VALUE > 1)', 'ALTER DOMAIN posint OWNER TO CURRENT_USER',
	'ALTER FUNCTION f(int) RENAME TO g', 'ALTER FUNCTION f RENAME TO g', 'ALTER PROCEDURE p() RENAME TO q',
	'ALTER ROUTINE f(int) RENAME TO g', 'ALTER AGGREGATE agg(int) RENAME TO b', 'ALTER AGGREGATE agg(*) RENAME TO b',
	'ALTER TRIGGER t ON %r RENAME TO u', 'ALTER POLICY p ON %r RENAME TO q', 'ALTER RULE r ON %r RENAME TO s',
	'ALTER DATABASE d RENAME TO e', 'ALTER ROLE r RENAME TO s', 'ALTER USER r RENAME TO s', 'ALTER GROUP g RENAME TO h',
	'ALTER FOREIGN TABLE %r RENAME TO x', 'ALTER FOREIGN TABLE %r RENAME COLUMN %c TO x',
	'ALTER TEXT SEARCH CONFIGURATION c RENAME TO d', 'ALTER TEXT SEARCH DICTIONARY c RENAME TO d',
	'ALTER TEXT SEARCH PARSER c RENAME TO d', 'ALTER TEXT SEARCH TEMPLATE c RENAME TO d',
	'ALTER COLLATION c RENAME TO d', 'ALTER CONVERSION c RENAME TO d', 'ALTER LANGUAGE l RENAME TO m',
	'ALTER PUBLICATION p RENAME TO q', 'ALTER SUBSCRIPTION s RENAME TO t', 'ALTER SERVER s RENAME TO t',
	'ALTER FOREIGN DATA WRAPPER w RENAME TO x', 'ALTER STATISTICS s RENAME TO t', 'ALTER TABLESPACE t RENAME TO u',
	'ALTER EVENT TRIGGER e RENAME TO f', 'ALTER OPERATOR CLASS c USING btree RENAME TO d',
	'ALTER OPERATOR FAMILY c USING btree RENAME TO d', 'ALTER OPERATOR + (int, int) OWNER TO CURRENT_USER',
	'ALTER OPERATOR + (int, int) SET (RESTRICT = NONE)', 'ALTER EXTENSION schemamig UPDATE',
	'ALTER DATABASE postgres SET TABLESPACE pg_default', 'ALTER DATABASE postgres SET work_mem = 1',
	'ALTER DATABASE postgres WITH ALLOW_CONNECTIONS true', 'ALTER ROLE CURRENT_USER SET work_mem = 1',
	'ALTER SYSTEM SET work_mem = 1', 'ALTER SYSTEM RESET ALL', 'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC',
	'ALTER SUBSCRIPTION s REFRESH PUBLICATION', 'ALTER SUBSCRIPTION s SET PUBLICATION p',
	'ALTER SUBSCRIPTION s ADD PUBLICATION p WITH (refresh = false)', 'ALTER SUBSCRIPTION s DROP PUBLICATION p',
	'ALTER SUBSCRIPTION s ENABLE', 'ALTER LARGE OBJECT 1 OWNER TO CURRENT_USER',
	'ALTER TABLE %r ALTER COLUMN %c TYPE %t, ALTER COLUMN %c TYPE %t');
my @drops = (
	'DROP TABLE %r', 'DROP TABLE %r, %r CASCADE', 'DROP TABLE IF EXISTS %r', 'DROP TABLE IF EXISTS %r RESTRICT',
	'DROP INDEX %r', 'DROP INDEX CONCURRENTLY %r', 'DROP INDEX IF EXISTS %r, %r', 'DROP INDEX CONCURRENTLY IF EXISTS %r',
	'DROP VIEW %r', 'DROP VIEW IF EXISTS %r CASCADE', 'DROP MATERIALIZED VIEW %r', 'DROP MATERIALIZED VIEW IF EXISTS %r',
	'DROP SCHEMA other', 'DROP SCHEMA other CASCADE', 'DROP SCHEMA IF EXISTS nosuch, public', 'DROP SCHEMA "日本"',
	'DROP SCHEMA a.b', 'DROP FUNCTION f(int)', 'DROP FUNCTION f', 'DROP FUNCTION IF EXISTS f(int, text), g()',
	'DROP FUNCTION f(VARIADIC int[])', 'DROP PROCEDURE p', 'DROP ROUTINE f(int)', 'DROP AGGREGATE agg(int)',
	'DROP AGGREGATE agg(*)', 'DROP AGGREGATE agg(ORDER BY int)', 'DROP TYPE mood', 'DROP TYPE IF EXISTS mood, comp CASCADE',
	'DROP TYPE other_db.public.t', 'DROP DOMAIN posint', 'DROP DOMAIN IF EXISTS plain CASCADE', 'DROP SEQUENCE seq',
	'DROP SEQUENCE IF EXISTS %r', 'DROP OPERATOR + (int, int)', 'DROP OPERATOR IF EXISTS - (NONE, int)',
	'DROP OPERATOR CLASS c USING btree', 'DROP OPERATOR FAMILY c USING btree', 'DROP CAST (int AS text)',
	'DROP CAST IF EXISTS (mood AS text)', 'DROP TRIGGER t ON %r', 'DROP RULE r ON %r', 'DROP POLICY p ON %r',
	'DROP POLICY IF EXISTS p ON %r', 'DROP EXTENSION schemamig', 'DROP EXTENSION IF EXISTS x CASCADE',
	'DROP LANGUAGE l', 'DROP PROCEDURAL LANGUAGE l', 'DROP COLLATION c', 'DROP CONVERSION c',
	'DROP TEXT SEARCH PARSER p', 'DROP TEXT SEARCH DICTIONARY d', 'DROP TEXT SEARCH TEMPLATE t',
	'DROP TEXT SEARCH CONFIGURATION c', 'DROP FOREIGN TABLE %r', 'DROP FOREIGN DATA WRAPPER w', 'DROP SERVER s',
	'DROP USER MAPPING FOR CURRENT_USER SERVER s', 'DROP PUBLICATION p', 'DROP SUBSCRIPTION s', 'DROP STATISTICS s',
	'DROP TRANSFORM FOR int LANGUAGE sql', 'DROP ACCESS METHOD am', 'DROP EVENT TRIGGER e', 'DROP OWNED BY CURRENT_USER',
	'DROP ROLE r', 'DROP USER IF EXISTS r', 'DROP GROUP g', 'DROP DATABASE d', 'DROP DATABASE IF EXISTS d WITH (FORCE)',
	'DROP TABLESPACE t');
my @creates = (
	'CREATE TABLE n (id %t PRIMARY KEY, a %t REFERENCES %r, b serial, c varchar(3), d timestamp, e json, f char(2), g smallint, id int)',
	'CREATE TABLE n (LIKE %r INCLUDING ALL)', 'CREATE TABLE n (LIKE %r EXCLUDING DEFAULTS, x int)',
	'CREATE TABLE n PARTITION OF %r FOR VALUES FROM (20) TO (30)',
	'CREATE TABLE n PARTITION OF %r (k WITH OPTIONS NOT NULL, id DEFAULT 1, CONSTRAINT x CHECK (k > 0)) FOR VALUES FROM (30) TO (40)',
	'CREATE TABLE n PARTITION OF %r DEFAULT', 'CREATE TABLE n PARTITION OF %r FOR VALUES IN (1) PARTITION BY LIST (id)',
	'CREATE TABLE n OF comp (a WITH OPTIONS DEFAULT 1, PRIMARY KEY (a))', 'CREATE TABLE n OF nosuch',
	'CREATE TABLE n AS SELECT * FROM %r', 'CREATE TABLE n AS SELECT 1 WITH NO DATA', 'CREATE TABLE n AS EXECUTE p',
	'CREATE TABLE IF NOT EXISTS n AS TABLE %r', 'CREATE UNLOGGED TABLE n (id int)', 'CREATE TEMP TABLE tmp (id int)',
	'CREATE TEMP TABLE other.tmp (id int)', 'CREATE TABLE pg_temp.tmp (id int)', 'CREATE TABLE IF NOT EXISTS %r (id int)',
	'CREATE TABLE n (a int, FOREIGN KEY (a) REFERENCES %r, UNIQUE (a), PRIMARY KEY (a), EXCLUDE (a WITH =), CHECK (a > 0))',
	'CREATE TABLE n (a int, b int, FOREIGN KEY (a, b) REFERENCES %r (%c, %c) MATCH FULL ON DELETE SET NULL (a))',
	'CREATE TABLE other_db.public.n (id int)', 'CREATE TABLE a.b.c.d (id int)', 'CREATE TABLE n () INHERITS (%r)',
	'CREATE TABLE n (a int) PARTITION BY LIST (a)', 'CREATE TABLE n (a int) PARTITION BY HASH ((a + 1))',
	'CREATE TABLE n (a int GENERATED ALWAYS AS IDENTITY, b int GENERATED ALWAYS AS (a) STORED)',
	'CREATE TABLE n (a %t DEFAULT %e COLLATE "C" NOT NULL CHECK (a IS NOT NULL) UNIQUE)',
	'CREATE TABLE n (a int REFERENCES n, b int REFERENCES n (a))', 'CREATE TABLE "Odd Name" ()',
	'CREATE TABLE n (a int) USING heap WITH (fillfactor = 70) TABLESPACE pg_default',
	'CREATE TABLE n (a int) ON COMMIT DROP', 'CREATE FOREIGN TABLE ft (a int) SERVER s',
	'CREATE FOREIGN TABLE ft PARTITION OF %r FOR VALUES FROM (40) TO (50) SERVER s',
	'SELECT * INTO n FROM %r', 'SELECT 1 AS a INTO TEMP n UNION SELECT 2', 'SELECT * INTO other_db.public.n FROM %r',
	'CREATE MATERIALIZED VIEW n AS SELECT 1 WITH NO DATA', 'CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1',
	'CREATE VIEW n AS SELECT * FROM %r', 'CREATE OR REPLACE VIEW v AS SELECT id, a, 1 AS z FROM big',
	'CREATE RECURSIVE VIEW n (x) AS SELECT 1 UNION ALL SELECT x + 1 FROM n', 'CREATE VIEW other_db.public.n AS SELECT 1',
	'CREATE INDEX ON %r (%c)', 'CREATE INDEX i ON %r (%c, %c, %c, %c)', 'CREATE UNIQUE INDEX i ON %r (%c)',
	'CREATE INDEX CONCURRENTLY i ON %r (%c)', 'CREATE INDEX IF NOT EXISTS dup_x_idx ON dup (x)',
	'CREATE UNIQUE INDEX IF NOT EXISTS dup_x_idx ON dup (x)', 'CREATE INDEX IF NOT EXISTS big_pkey ON big (id)',
	'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON %r (%c)', 'CREATE INDEX ON %r ((%c + 1))',
	'CREATE INDEX ON %r USING gin (%c)', 'CREATE INDEX i ON ONLY %r (%c)', 'CREATE INDEX "index" ON %r (%c)',
	'create /* index */ index /* x */ ii on %r (%c) where %c > 0', 'CREATE INDEX ON %r (%c) INCLUDE (%c) WITH (fillfactor = 50)',
	'CREATE INDEX ON %r (%c COLLATE "C" DESC NULLS LAST)', "CREATE INDEX \"\x{00e9}index\" ON %r (%c)",
	'CREATE SEQUENCE s2 OWNED BY %r.%c', 'CREATE TYPE t2 AS ENUM ()', "CREATE TYPE t2 AS ENUM ('a')",
	'CREATE TYPE t3 AS (a int)', 'CREATE TYPE t4 AS RANGE (subtype = int)', 'CREATE TYPE t5',
	'CREATE DOMAIN d2 AS int CHECK (VALUE > 0)', 'CREATE DOMAIN other_db.public.d AS int',
	'CREATE SCHEMA s CREATE TABLE t (id int) CREATE INDEX ON t (id) CREATE VIEW vv AS SELECT 1',
	'CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION CURRENT_USER', 'CREATE STATISTICS st ON a, b FROM %r',
	'CREATE RULE r AS ON INSERT TO %r DO INSTEAD (INSERT INTO empty VALUES (1); DELETE FROM empty)',
	'CREATE TRIGGER t BEFORE UPDATE ON %r FOR EACH ROW EXECUTE FUNCTION f()', 'CREATE POLICY p ON %r USING (true)',
	'CREATE CAST (mood AS text) WITH INOUT', 'CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int4eq)',
	'CREATE EXTENSION IF NOT EXISTS plpgsql', 'CREATE DATABASE d', 'CREATE TABLESPACE t LOCATION \'/tmp\'',
	"CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p", "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false)",
	"CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = maybe)",
	'CREATE PUBLICATION p FOR TABLE %r', 'CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f()',
	'CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END',
	"CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; SELECT 'sad'::mood; DROP TABLE big; END",
	'CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO empty VALUES (1); DELETE FROM empty; END',
	'CREATE OR REPLACE FUNCTION h() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql',
	'CREATE FUNCTION h() RETURNS trigger AS $fn$ BEGIN RETURN NEW; END $fn$ LANGUAGE plpgsql',
	'CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int)', 'CREATE COLLATION c (provider = icu, locale = \'und\')',
	'CREATE TEXT SEARCH CONFIGURATION c (COPY = simple)', 'CREATE ACCESS METHOD am TYPE TABLE HANDLER heap_tableam_handler',
	'CREATE SERVER s FOREIGN DATA WRAPPER w', 'CREATE USER MAPPING FOR CURRENT_USER SERVER s',
	'IMPORT FOREIGN SCHEMA x FROM SERVER s INTO other', 'CREATE CONVERSION c FOR \'LATIN1\' TO \'UTF8\' FROM iso8859_1_to_utf8',
	'CREATE ROLE r', 'CREATE TRANSFORM FOR int LANGUAGE sql (FROM SQL WITH FUNCTION f(internal))');
my @misc = (
	'LOCK %r', 'LOCK TABLE %r IN SHARE MODE', 'LOCK %r, %r, nosuch IN ACCESS EXCLUSIVE MODE NOWAIT',
	'LOCK ONLY %r IN ROW EXCLUSIVE MODE', 'LOCK TABLE %r IN EXCLUSIVE MODE', 'LOCK %r IN ACCESS SHARE MODE',
	'LOCK TABLE %r IN SHARE ROW EXCLUSIVE MODE', 'LOCK %r IN SHARE UPDATE EXCLUSIVE MODE',
	'CLUSTER %r USING big_pkey', 'CLUSTER %r', 'CLUSTER', 'CLUSTER VERBOSE %r', 'CLUSTER (VERBOSE) %r USING %r',
	'CLUSTER big_pkey ON big', 'REINDEX TABLE %r', 'REINDEX INDEX %r', 'REINDEX TABLE CONCURRENTLY %r',
	'REINDEX (VERBOSE, CONCURRENTLY) TABLE %r', 'REINDEX (CONCURRENTLY false) INDEX %r', 'REINDEX SCHEMA public',
	'REINDEX SCHEMA CONCURRENTLY other', 'REINDEX DATABASE postgres', 'REINDEX SYSTEM postgres', 'REINDEX DATABASE',
	'REINDEX (CONCURRENTLY maybe) TABLE %r', 'REINDEX (TABLESPACE pg_default) TABLE %r', 'REINDEX (nosuch) TABLE %r',
	'REFRESH MATERIALIZED VIEW %r', 'REFRESH MATERIALIZED VIEW CONCURRENTLY %r', 'REFRESH MATERIALIZED VIEW %r WITH NO DATA',
	"COPY %r FROM '/tmp/x'", 'COPY %r TO STDOUT', 'COPY %r FROM STDIN', "COPY (SELECT 1) TO '/tmp/x'",
	"COPY %r FROM PROGRAM 'true'", "COPY %r (%c, %c) FROM '/x' WITH (FORMAT csv, HEADER)", 'COPY %r TO STDOUT (FORMAT binary)',
	"COPY (SELECT 'to stdout') TO '/tmp/y'", 'COPY %r FROM stdin WITH (FORMAT text)',
	'SET lock_timeout = 0', "SET LOCAL lock_timeout TO '1s'", 'SET statement_timeout = 0', 'RESET lock_timeout',
	'RESET statement_timeout', 'RESET ALL', 'SET SESSION AUTHORIZATION DEFAULT', 'SET ROLE NONE',
	"SET TIME ZONE 'UTC'", 'SET TIME ZONE LOCAL', 'SET search_path = other', 'SET search_path TO DEFAULT',
	'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
	'SET CONSTRAINTS ALL DEFERRED', 'SET schemamig.lint = off', 'SET "lock_timeout" = 5', 'SET "Lock_Timeout" = 5',
	'SET LOCAL statement_timeout = DEFAULT', "SET x.y = 'z'", 'SET NAMES \'UTF8\'', 'SET XML OPTION DOCUMENT',
	"SELECT set_config('lock_timeout', '0', true)", 'SHOW lock_timeout', 'SHOW ALL',
	'DO $$BEGIN PERFORM 1; END$$', 'DO LANGUAGE plpgsql $x$ BEGIN EXECUTE \'DROP TABLE big\'; END $x$',
	"DO \$\$\n-- schemamig:allow L011 inside a DO body\nBEGIN\n  CREATE INDEX ON big (a);\nEND \$\$",
	"DO \$\$ BEGIN RAISE NOTICE 'sad'; END \$\$", 'DO $$ $$', 'DO LANGUAGE sql $$SELECT 1$$',
	'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT s', 'RELEASE s', 'RELEASE SAVEPOINT s', 'ROLLBACK TO s',
	"PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'", "ROLLBACK PREPARED 'x'", 'END', 'ABORT',
	'START TRANSACTION READ ONLY', 'BEGIN ISOLATION LEVEL SERIALIZABLE', 'COMMIT AND CHAIN',
	'VACUUM', 'VACUUM FULL %r', 'VACUUM (ANALYZE) %r', 'ANALYZE %r', 'ANALYZE', 'ANALYZE %r (%c)',
	'TRUNCATE %r', 'TRUNCATE %r, %r CASCADE', 'TRUNCATE ONLY %r RESTART IDENTITY', 'TRUNCATE TABLE %r CONTINUE IDENTITY RESTRICT',
	'UPDATE %r SET %c = 1', 'UPDATE %r SET %c = 1, %c = 2', 'UPDATE %r SET (%c, %c) = (1, 2)',
	'UPDATE %r SET (%c, %c) = (SELECT 1, 2)', 'UPDATE %r SET %c[1] = 1, %c[2] = 2', 'UPDATE %r SET %c.x = 1, %c.x = 2',
	'UPDATE %r b SET %c = s.id FROM small s WHERE s.id = b.id', 'UPDATE ONLY %r SET %c = 1 WHERE CURRENT OF c',
	"UPDATE %r SET %c = 'new'", 'UPDATE %r SET %c = DEFAULT, %c = DEFAULT',
	'DELETE FROM %r', 'DELETE FROM %r WHERE id = 1', 'DELETE FROM ONLY %r USING big', 'DELETE FROM %r WHERE CURRENT OF c',
	'WITH x AS (DELETE FROM %r RETURNING *) SELECT * FROM x', 'WITH x AS (UPDATE %r SET %c = 1 RETURNING 1) SELECT 1',
	'MERGE INTO %r t USING small s ON t.id = s.id WHEN MATCHED THEN DELETE',
	'MERGE INTO %r t USING small s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)',
	'INSERT INTO %r VALUES (1)', 'INSERT INTO %r SELECT * FROM %r ON CONFLICT DO NOTHING',
	"INSERT INTO %r (%c) VALUES ('sad'), ('new') ON CONFLICT (%c) DO UPDATE SET %c = excluded.%c",
	"SELECT 'sad'::mood", "SELECT 'new', E'new', U&'new', \$\$new\$\$, \$q\$x\$q\$", 'SELECT $1', 'SELECT 1',
	'VALUES (1), (2)', 'TABLE %r', 'SELECT * FROM %r FOR UPDATE', 'GRANT SELECT ON %r TO PUBLIC',
	'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC', 'GRANT r TO CURRENT_USER', "COMMENT ON TABLE %r IS 'x'",
	"COMMENT ON COLUMN %r.%c IS NULL", "SECURITY LABEL ON TABLE %r IS 'x'", 'DISCARD ALL', 'DISCARD PLANS', 'DISCARD TEMP',
	'LISTEN x', "NOTIFY x, 'y'", 'UNLISTEN *', 'PREPARE p AS SELECT 1', 'EXECUTE p', 'DEALLOCATE ALL',
	'DECLARE c CURSOR FOR SELECT 1', 'FETCH c', 'MOVE c', 'CLOSE c', 'CLOSE ALL', 'EXPLAIN ANALYZE DELETE FROM %r',
	'EXPLAIN CREATE TABLE n AS SELECT 1', 'EXPLAIN (COSTS off) UPDATE %r SET %c = 1', 'CHECKPOINT', "LOAD 'x'",
	'CALL p()', 'CALL other_db.public.p(1)', 'REASSIGN OWNED BY r TO CURRENT_USER', 'CREATE TABLE n (id int); DROP TABLE n',
	"CREATE TABLE n (id int); ALTER TABLE n RENAME TO m; CREATE INDEX ON m (id); DROP TABLE m",
	"ALTER TYPE mood ADD VALUE 'x'; SELECT 'x'::mood; INSERT INTO empty VALUES (1, 'x')",
	'ALTER TABLE big ADD CONSTRAINT k CHECK (a > 0) NOT VALID; ALTER TABLE big VALIDATE CONSTRAINT k',
	'ALTER TABLE proven ADD CONSTRAINT k CHECK (b IS NOT NULL) NOT VALID; ALTER TABLE proven VALIDATE CONSTRAINT k; ALTER TABLE proven ALTER COLUMN b SET NOT NULL',
	'ALTER TABLE proven ALTER COLUMN a SET NOT NULL', 'LOCK big IN ACCESS EXCLUSIVE MODE; CREATE INDEX ON small (note)',
	'ALTER TABLE big ADD COLUMN q int; ALTER TABLE big ALTER COLUMN q TYPE bigint; ALTER TABLE big ADD CONSTRAINT q CHECK (q > 0)',
	'CREATE TABLE n (id int, small_id int REFERENCES small); CREATE INDEX ON n (small_id)',
	'ALTER TABLE noidx ADD FOREIGN KEY (id) REFERENCES small', 'ALTER TABLE big ALTER COLUMN e TYPE timestamptz',
	'ALTER TABLE big ALTER COLUMN c TYPE varchar(20)', 'ALTER TABLE big ALTER COLUMN c TYPE varchar(3)',
	'ALTER TABLE big ALTER COLUMN d TYPE numeric(12,2)', 'ALTER TABLE big ALTER COLUMN d TYPE numeric(9,3)',
	'ALTER TABLE uses_domain ALTER COLUMN q TYPE posint', 'ALTER TABLE uses_domain ALTER COLUMN p TYPE int',
	'ALTER TABLE big ALTER COLUMN a TYPE text USING a', 'ALTER TABLE big ALTER COLUMN a TYPE int USING a',
	"ALTER TABLE big ALTER COLUMN b TYPE mood USING 'sad'", 'ALTER TABLE big ALTER COLUMN f TYPE jsonb',
	'ALTER TABLE big ADD COLUMN z posint DEFAULT 1', 'ALTER TABLE big ADD COLUMN z plain DEFAULT 1',
	"ALTER TABLE big ADD COLUMN z mood DEFAULT 'sad'", 'ALTER TABLE big ADD COLUMN z int DEFAULT f(1)',
	'', ';', ';;;', '-- just a comment', '/* c */', '/* nested /* c */ */ SELECT 1', "SELECT 1 -- trailing\n",
	'SELECT $a$ ; $a$', "SELECT ';' AS \";\"", 'SELECT 1 /* ; */ ; SELECT 2');

# statements of the regress tests (the linter's own, and the others)
my @regress_stmts;
foreach my $f (sort glob("$repo/sql/*.sql"))
{
	next if basename($f) =~ /^schemamig--/;
	open(my $fh, '<:raw', $f) or die "$f: $!";
	local $/;
	my $src = decode('UTF-8', <$fh>);
	close $fh;
	push @regress_stmts, $1 while $src =~ /\$\$\n(.*?)\n\$\$/gs;
	push @regress_stmts, $1 while $src =~ /\$s\$(.*?)\$s\$/gs;
	push @regress_stmts, grep { /\S/ && length $_ < 2000 } split /;\n/, $src
	  if basename($f) eq 'lint.sql';
}

sub fill
{
	my ($t) = @_;
	$t =~ s/%r/pick(@rel)/ge;
	$t =~ s/%c/pick(@col)/ge;
	$t =~ s/%t/pick(@typ)/ge;
	$t =~ s/%e/pick(@expr)/ge;
	return $t;
}

sub gen_alter
{
	my $n = 1 + (chance(0.7) ? 0 : rint(4));
	return pick(@alter_heads) . ' ' . pick(@rel) . ' '
	  . join(', ', map { fill(pick(@subcmds)) } 1 .. $n);
}

sub gen_statement
{
	my $r = rand();
	return gen_alter() if $r < 0.30;
	return fill(pick(@alter_other)) if $r < 0.42;
	return fill(pick(@drops)) if $r < 0.52;
	return fill(pick(@creates)) if $r < 0.66;
	return fill(pick(@misc)) if $r < 0.92;
	return pick(@regress_stmts) if @regress_stmts;
	return fill(pick(@misc));
}

my @rules = split /\n/, $node->safe_psql('postgres', 'SELECT rule FROM schemamig.lint_rules() ORDER BY 1');
ok(@rules > 50, sprintf('%d lint rules', scalar @rules));

sub allow_line
{
	my $r = rand();
	my @ids = map { pick(@rules) } 1 .. 1 + rint(3);
	return '-- schemamig:allow ' . join(pick(' ', ', ', ','), @ids) . ' ' . pick('a reason', 'ok', 'x' x 300, "\x{65e5}")
	  if $r < 0.8;
	return pick('-- schemamig:allow', '-- schemamig:allow L011', '-- schemamig:allow X999 no such rule',
		'-- schemamig:allow l011 lower case', '--schemamig:allow L011 no space', "-- schemamig:allow\tL011\treason",
		'-- schemamig:allow L011,,D001 commas', '-- schemamig:allowL011 x', '  -- schemamig:allow L011 indented',
		"-- schemamig:allow L011 reason\r", '-- schemamig:allow ' . join(' ', @rules) . ' all of them',
		'-- schemamig:allow L0111 long', '-- schemamig:allow A000 unknown', '-- schemamig:allow ,');
}

# a body: statements, allow lines in odd places, comments, blank lines
sub gen_body
{
	my $n = 1 + rint(chance(0.8) ? 5 : 25);
	my $out = '';
	for (1 .. $n)
	{
		$out .= allow_line() . "\n" if chance(0.25);
		$out .= pick("\n", "-- c\n", "/* c */ ", "\n\n") if chance(0.2);
		my $s = gen_statement();
		# an allow line inside a statement that spans lines
		if (chance(0.05) && $s =~ / /)
		{
			my $i = index($s, ' ', rint(length $s));
			substr($s, $i, 1) = "\n" . allow_line() . "\n" if $i >= 0;
		}
		$out .= $s . pick(";\n", ";\n", ";\n", "; ", ";", "\n;\n", ";;\n");
	}
	$out .= allow_line() . "\n" if chance(0.1);
	return $out;
}

my $rev_no = 0;

sub gen_script
{
	my $out = chance(0.1) ? "-- preamble\n" : '';
	my $prev;
	for (1 .. 1 + rint(3))
	{
		my $id = 'f' . $rev_no++;
		$out .= "-- schemamig:revision $id\n";
		$out .= "-- schemamig:down_revision $prev\n" if defined $prev && chance(0.9);
		$out .= allow_line() . "\n" if chance(0.3);
		$out .= "-- schemamig:message m $id\n" if chance(0.3);
		$out .= allow_line() . "\n" if chance(0.1);
		$out .= "-- schemamig:upgrade\n" . gen_body();
		$out .= "-- schemamig:downgrade\n" . (chance(0.9) ? gen_body() : '') if chance(0.6);
		$prev = $id;
	}
	return $out;
}

# --------------------------------------------------------------------------
# mutations

my @inserts = ("'", '"', '$$', '$q$', '/*', '*/', '--', ';', '(', ')', ',', '.', "\n", "\r", "\t",
	'\\', 'E\'', 'U&"', 'U&\'', ' UESCAPE \'!\'', '%', '::', '[', ']', '=', "\x{e9}", "\x{65e5}",
	"\x{1F600}", '0x', '1e999', '$1', 'CASCADE', 'NOT VALID', 'CONCURRENTLY', 'IF EXISTS', 'ONLY',
	' other_db.public.', "\n-- schemamig:allow L011 x\n", "\n-- schemamig:revision zz\n", '\\.', 'COPY ',
	' FROM STDIN', '+' x 5000, '/**/' x 50, '(' x 200, ')' x 200, 'x' x 64, '"' . ('y' x 100) . '"');

sub tokens
{
	my ($s) = @_;
	return grep { length } split /(\s+|[;,()'"])/, $s;
}

sub mutate
{
	my ($s) = @_;
	my $len = length $s;
	my $r = rint(10);
	if ($r == 0 && $len) { return substr($s, 0, rint($len)) }    # truncate
	if ($r == 1 && $len) { substr($s, rint($len), 0) = pick(@inserts); return $s }
	if ($r == 2 && $len) { substr($s, rint($len), 1 + rint(5)) = ''; return $s }
	if ($r == 3)
	{
		my @t = tokens($s);
		return $s if @t < 2;
		my ($i, $j) = (rint(scalar @t), rint(scalar @t));
		@t[ $i, $j ] = @t[ $j, $i ];
		return join('', @t);
	}
	if ($r == 4)
	{
		# shuffle a window of tokens
		my @t = tokens($s);
		return $s if @t < 3;
		my $i = rint(scalar @t);
		my $j = $i + rint(8);
		$j = $#t if $j > $#t;
		my @w = @t[ $i .. $j ];
		for (my $k = $#w; $k > 0; $k--)
		{
			my $m = rint($k + 1);
			@w[ $k, $m ] = @w[ $m, $k ];
		}
		splice(@t, $i, $j - $i + 1, @w);
		return join('', @t);
	}
	if ($r == 5)
	{
		my @t = tokens($s);
		return $s if !@t;
		my $i = rint(scalar @t);
		if (chance(0.5)) { splice(@t, $i, 1) }
		else { splice(@t, $i, 0, $t[$i]) }
		return join('', @t);
	}
	if ($r == 6)
	{
		# random characters
		my $n = 1 + rint(8);
		my $junk = join('', map { chr(pick(1 .. 126, 0xe9, 0x3b1, 0x65e5, 0x1F600, 0xfeff)) } 1 .. $n);
		substr($s, rint($len + 1), 0) = $junk;
		return $s;
	}
	if ($r == 7 && $len)
	{
		# a piece duplicated elsewhere
		my $i = rint($len);
		my $piece = substr($s, $i, 1 + rint(40));
		substr($s, rint($len + 1), 0) = $piece;
		return $s;
	}
	if ($r == 8)
	{
		# identifiers replaced
		my $to = pick(@rel, @col);
		$s =~ s/\b(big|small|empty|a|id|mood|parted)\b/chance(0.5) ? $to : $1/ge;
		return $s;
	}
	return $s . pick(@inserts);
}

# --------------------------------------------------------------------------
# the cases: [kind, text, setting]

my @cases;
for (1 .. $n_cases)
{
	my $r = rand();
	my ($kind, $text);
	if ($r < 0.30)
	{
		$kind = 'lint/statement';
		$text = gen_statement();
	}
	elsif ($r < 0.50)
	{
		$kind = 'lint/body';
		$text = gen_body();
	}
	elsif ($r < 0.62)
	{
		$kind = 'lint/script';
		$text = gen_script();
	}
	elsif ($r < 0.88)
	{
		$kind = 'lint/mutated';
		$text = chance(0.5) ? gen_body() : chance(0.5) ? gen_statement() : gen_script();
		$text = mutate($text) for 1 .. 1 + rint(chance(0.8) ? 2 : 10);
	}
	elsif ($r < 0.97)
	{
		$kind = 'register';
		$text = gen_script();
		$text = mutate($text) if chance(0.3);
	}
	else
	{
		$kind = 'lint_revision';
		$text = pick('r1', 'r2', 'nosuch', 'head', 'r', '');
	}
	my $setting;
	my $s = rand();
	if ($kind eq 'register')
	{
		$setting = chance(0.7) ? "SET LOCAL schemamig.lint = error"
		  : "SET LOCAL schemamig.lint = warn;\nSET LOCAL client_min_messages = warning";
	}
	elsif ($s < 0.05) { $setting = 'SET LOCAL standard_conforming_strings = off' }
	elsif ($s < 0.10)
	{
		$setting = "SET LOCAL schemamig.lint_ignore = '" . pick('L', 'p,d', 'L011', 'M001, T010', join(',', @rules)) . "'";
	}
	push @cases, [ $kind, $text, $setting ];
}

# byte-level damage for a few: a multi-byte character cut in two reaches
# the server as invalid UTF-8 (a clean 22021 from pg_read_file, checked too)
my %raw_cut;
foreach my $k (map { rint(scalar @cases) } 1 .. 20)
{
	$raw_cut{$k} = 1 if $cases[$k][0] =~ /^lint\//;
}

my $datafile = "$tmp/lint_fuzz.data";
open(my $data, '>:raw', $datafile) or die $!;
my $data_off = 0;
my @case_sql;
my @case_lines;

sub encode_case_text
{
	my ($k, $s) = @_;
	my $b = encode('UTF-8', $s);
	$b =~ s/\0/\x01/g;
	$b = substr($b, 0, rint(length($b) + 1)) if $raw_cut{$k};
	return $b;
}

foreach my $k (0 .. $#cases)
{
	my ($kind, $text) = @{ $cases[$k] };
	my $b = encode_case_text($k, $text);
	print $data $b;
	my $arg = "pg_read_file('$datafile', $data_off, " . length($b) . ')';
	$data_off += length $b;
	$case_lines[$k] = ($b =~ tr/\n//) + 1;
	my $bad = "count(*) FILTER (WHERE NOT (rule IN (SELECT r.rule FROM schemamig.lint_rules() r)"
	  . " AND severity IN ('error', 'warning', 'info') AND message IS NOT NULL AND line >= 1))";
	if ($kind =~ /^lint\//)
	{
		$case_sql[$k] = "SELECT count(*) AS n, $bad AS bad, coalesce(max(line), 0) AS maxline"
		  . " FROM schemamig.lint($arg)";
	}
	elsif ($kind eq 'lint_revision')
	{
		$case_sql[$k] = "SELECT count(*) AS n, $bad AS bad, 0 AS maxline"
		  . " FROM schemamig.lint_revision($arg)";
	}
	else
	{
		$case_sql[$k] = "SELECT count(*) AS n, 0 AS bad, 0 AS maxline FROM schemamig.register($arg)";
	}
}
close $data;
diag(sprintf('cases generated in %.1f s: %d (%.1f MB of text)',
		time - $t_start, scalar @cases, $data_off / 1048576));

# --------------------------------------------------------------------------
# run

# relation locks the transaction holds after lint(): on the fixture's
# relations (lint() must leave none), and any stronger than ACCESS SHARE
my $lock_sql = q{SELECT count(*) FILTER (WHERE c.relnamespace IN ('public'::regnamespace, 'other'::regnamespace)) AS user_locks,
	count(*) FILTER (WHERE l.mode <> 'AccessShareLock') AS strong_locks
	FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
	WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation'
	AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
	AND l.relation <> 'pg_catalog.pg_locks'::pg_catalog.regclass};

my (%by_state, %state_msg, %by_kind, @bad, @crashes, @wrong, @locked, %tmax);
my ($ran, $findings) = (0, 0);
my $i = 0;
my $batchno = 0;
while ($i < @cases)
{
	my $last = $i + $batch_size - 1;
	$last = $#cases if $last > $#cases;
	my $bf = "$tmp/batch.sql";
	open(my $fh, '>:raw', $bf) or die $!;
	print $fh "\\set ON_ERROR_STOP 0\n\\set VERBOSITY terse\n\\timing on\n\\o /dev/null\n"
	  . "SET statement_timeout = '20s';\nSET client_min_messages = error;\n";
	foreach my $k ($i .. $last)
	{
		my $lintcase = $cases[$k][0] =~ /^lint/;
		print $fh "\\echo '\@\@C $k'\nBEGIN;\n"
		  . ($cases[$k][2] ? "$cases[$k][2];\n" : '')
		  . "\\unset n\n$case_sql[$k] \\gset\n"
		  . "\\echo '\@\@R $k' :SQLSTATE :LAST_ERROR_MESSAGE\n"
		  . "\\if :ERROR\n\\else\n\\echo '\@\@N $k' :n :bad :maxline\n";
		print $fh "$lock_sql \\gset\n\\echo '\@\@L $k' :user_locks :strong_locks\n" if $lintcase;
		print $fh "\\endif\nROLLBACK;\n";
	}
	print $fh "\\echo '\@\@END'\nSELECT 1;\n";
	close $fh;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ $node->installed_command('psql'), '-X', '-q', '-d', $node->connstr('postgres'), '-f', $bf ],
		'<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my $rc = $? >> 8;
	$batchno++;
	my $cur;
	foreach my $line (split /\n/, $out)
	{
		if ($line =~ /^\@\@C (\d+)$/) { $cur = $1; $tmax{$cur} = 0 }
		elsif ($line =~ /^Time: ([\d.]+) ms/ && defined $cur)
		{
			$tmax{$cur} = $1 / 1000 if $1 / 1000 > $tmax{$cur};
		}
		elsif ($line =~ /^\@\@R (\d+) (\S+) ?(.*)$/ && defined $cur && $1 == $cur)
		{
			my ($k, $state, $msg) = ($1, $2, $3);
			$ran++;
			my $kind = $cases[$k][0];
			if ($state eq '00000') { $by_kind{$kind}{ok}++; next }
			$by_kind{$kind}{err}++;
			$by_state{$state}++;
			$state_msg{$state} //= $msg;
			push @bad, [ $k, $state, $msg ]
			  if $state !~ /^[0-9A-Z]{5}$/ || $state =~ /^(?:XX|58|08|53|57P)/;
			push @bad, [ $k, $state, "$msg (statement timeout)" ] if $state eq '57014';
		}
		elsif ($line =~ /^\@\@N (\d+) (\d+) (\d+) (\d+)$/)
		{
			my ($k, $n, $nbad, $maxline) = ($1, $2, $3, $4);
			$findings += $n if $cases[$k][0] =~ /^lint/;
			push @wrong, [ $k, "$nbad malformed finding(s)" ] if $nbad > 0;
			push @wrong, [ $k, "finding at line $maxline of a $case_lines[$k]-line input" ]
			  if $cases[$k][0] =~ /^lint\// && $maxline > $case_lines[$k];
		}
		elsif ($line =~ /^\@\@L (\d+) (\d+) (\d+)$/)
		{
			push @locked, [ $1, "$2 lock(s) on fixture relations, $3 stronger than ACCESS SHARE" ]
			  if $2 > 0 || $3 > 0;
		}
	}
	if ($rc != 0
		|| $out !~ /^\@\@END$/m
		|| $err =~ /(?:FATAL|PANIC):|server closed the connection unexpectedly|connection to server was lost/m)
	{
		my $k = $cur // $i;
		push @crashes, [ $k, $rc, join(' / ', grep { /FATAL|PANIC|server closed|connection to server|terminated/ } split /\n/, $err) || substr($err, -300) ];
		diag("batch $batchno: psql exit $rc in case $k ($cases[$k][0])");
		$node->poll_query_until('postgres', 'SELECT true') or die 'server does not come back';
		$i = $k + 1;
		last if @crashes >= 10;
	}
	else
	{
		$i = $last + 1;
	}
	# the backend of the next batch answers
	$node->safe_psql('postgres', 'SELECT 1');
}
my $elapsed_run = time - $t_start;

# --------------------------------------------------------------------------
# lint() never waits for a lock, and a lock it cannot get is no silent loss
# of findings: statements over the fixture's tables are linted once freely,
# then again while another session holds ACCESS EXCLUSIVE on those tables
# (and on the table a CHECK constraint's function reads), with
# lock_timeout = 3s: each must come back at once, with the same findings.

my @lock_cases = ('ALTER TABLE chk ALTER COLUMN b SET NOT NULL',
	'ALTER TABLE chk ALTER COLUMN a TYPE bigint', 'UPDATE chk SET b = 1');
{
	my @saved = @rel;
	@rel = ('big', 'empty', 'chk', 'small', 'big', 'chk');
	push @lock_cases, map { chance(0.7) ? gen_statement() : gen_body() } 1 .. 150;
	@rel = @saved;
}

sub lint_summaries
{
	my ($setting) = @_;
	my $bf = "$tmp/locks.sql";
	open(my $fh, '>:encoding(UTF-8)', $bf) or die $!;
	print $fh "\\set ON_ERROR_STOP 0\n\\set VERBOSITY terse\n\\timing on\n\\o /dev/null\n"
	  . "SET client_min_messages = error;\n$setting;\n";
	foreach my $k (0 .. $#lock_cases)
	{
		my $tag = 'lq';
		$tag .= 'z' while index($lock_cases[$k], "\$$tag\$") >= 0;
		print $fh "\\echo '\@\@C $k'\n\\set s none\n"
		  . "SELECT coalesce(string_agg(rule || ':' || line, ',' ORDER BY line, rule), '-') AS s"
		  . " FROM schemamig.lint(\$$tag\$$lock_cases[$k]\$$tag\$) \\gset\n"
		  . "\\echo '\@\@F $k' :SQLSTATE :s\n";
	}
	print $fh "\\echo '\@\@END'\n";
	close $fh;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[ $node->installed_command('psql'), '-X', '-q', '-d', $node->connstr('postgres'), '-f', $bf ],
		'<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my (%res, %t, $cur);
	foreach my $line (split /\n/, $out)
	{
		if ($line =~ /^\@\@C (\d+)$/) { $cur = $1; $t{$cur} = 0 }
		elsif ($line =~ /^Time: ([\d.]+) ms/ && defined $cur)
		{
			$t{$cur} = $1 / 1000 if $1 / 1000 > $t{$cur};
		}
		elsif ($line =~ /^\@\@F (\d+) (\S+) (\S+)$/) { $res{$1} = "$2 $3" }
	}
	return (\%res, \%t, $out =~ /^\@\@END$/m);
}

my ($free, undef, $free_done) = lint_summaries('SELECT 1');
my $holder = $node->background_psql('postgres');
$holder->query_safe('BEGIN; LOCK big, empty, chk, small IN ACCESS EXCLUSIVE MODE;');
my ($held, $held_t, $held_done) = lint_summaries("SET lock_timeout = '3s'");
$holder->query_safe('ROLLBACK');
$holder->quit;
ok($free_done && $held_done, 'lock cases: both runs completed');
my @waited = grep { ($held_t->{$_} // 0) > 1 } 0 .. $#lock_cases;
is(scalar @waited, 0, 'lint() never waits for a lock another session holds');
diag(sprintf('WAITED %.1f s: <<%s>>', $held_t->{$_}, $lock_cases[$_])) foreach @waited[ 0 .. ($#waited < 4 ? $#waited : 4) ];
my @differ = grep { ($free->{$_} // 'none') ne ($held->{$_} // 'none') } 0 .. $#lock_cases;
is(scalar @differ, 0, 'lint() finds the same with the tables locked by another session');
diag("DIFFERS: <<$lock_cases[$_]>>\n  free: " . ($free->{$_} // 'none') . "\n  held: " . ($held->{$_} // 'none'))
  foreach @differ[ 0 .. ($#differ < 4 ? $#differ : 4) ];

# a statement_timeout (a cancel) is not swallowed by the per-statement
# subtransactions: long inputs (many statements; one statement of many
# columns) end with 57014, promptly
foreach my $long (
	[ 'many statements', q{(SELECT string_agg(E'-- schemamig:allow L011 x\nALTER TABLE big ADD COLUMN x int DEFAULT random();', E'\n') FROM generate_series(1, 40000))} ],
	[ 'many columns', q{'CREATE TABLE n (' || (SELECT string_agg('c' || g || ' int', ', ') FROM generate_series(1, 60000) g) || ')'} ])
{
	my $t0 = time;
	my ($rc, $o, $e) = $node->psql('postgres',
		"SET statement_timeout = '300ms'; SELECT count(*) FROM schemamig.lint($long->[1])");
	my $dt = time - $t0;
	like($e, qr/canceling statement due to statement timeout/, "statement_timeout cancels lint() of $long->[0]");
	cmp_ok($dt, '<', 5, "... within 5 s ($long->[0]: " . sprintf('%.1f s', $dt) . ')');
}

# --------------------------------------------------------------------------
# figures and reproductions

sub show_case
{
	my ($k) = @_;
	my $s = $cases[$k][1];
	my $n = length $s;
	$s = substr($s, 0, 400) . "...($n chars)" if $n > 400;
	$s =~ s/([^\x20-\x7e\n])/sprintf('\\x{%x}', ord $1)/ge;
	return "case $k ($cases[$k][0]" . ($cases[$k][2] ? "; $cases[$k][2]" : '') . "): <<$s>>";
}

sub write_repro
{
	my ($k, $why) = @_;
	my $s = $cases[$k][1];
	my $tag = 'q';
	$tag .= 'z' while index($s, "\$$tag\$") >= 0;
	my $f = "$outdir/008_lint_fuzz_case_$k.sql";
	my $fn = $cases[$k][0] =~ /^lint\// ? 'lint' : $cases[$k][0];
	open(my $fh, '>:encoding(UTF-8)', $f) or die $!;
	print $fh "-- seed $seed, case $k: $why\nBEGIN;\n"
	  . ($cases[$k][2] ? "$cases[$k][2];\n" : '')
	  . "SELECT * FROM schemamig.$fn(\$$tag\$$s\$$tag\$);\nROLLBACK;\n";
	close $fh;
	return $f;
}

diag(sprintf('ran %d of %d cases in %d psql batches, %d findings, %.1f s',
		$ran, scalar @cases, $batchno, $findings, $elapsed_run));
foreach my $kind (sort keys %by_kind)
{
	diag(sprintf('  %-15s %6d ok %6d refused', $kind, $by_kind{$kind}{ok} // 0, $by_kind{$kind}{err} // 0));
}
diag('SQLSTATE histogram (count, first message):');
foreach my $s (sort { $by_state{$b} <=> $by_state{$a} || $a cmp $b } keys %by_state)
{
	my $m = $state_msg{$s};
	$m = substr($m, 0, 100) . '...' if length $m > 100;
	$m =~ s/([^\x20-\x7e])/sprintf('\\x{%x}', ord $1)/ge;
	diag(sprintf('  %s %6d  %s', $s, $by_state{$s}, $m));
}
my @sorted = sort { $tmax{$b} <=> $tmax{$a} || $a <=> $b } keys %tmax;
diag(sprintf('slowest cases: %s',
		join(', ', map { sprintf('%.3f s (#%d %s)', $tmax{$_}, $_, $cases[$_][0]) }
			  @sorted[ 0 .. ($#sorted < 4 ? $#sorted : 4) ])))
  if @sorted;

# --------------------------------------------------------------------------
# assertions

is(scalar @crashes, 0, 'no case lost the connection');
diag("LOST CONNECTION: " . show_case($_->[0]) . "\n  psql: $_->[2]\n  repro: " . write_repro($_->[0], 'lost connection'))
  foreach @crashes;
is($ran + scalar(@crashes), scalar @cases, 'every case ran');
is(scalar @bad, 0, 'every error has a SQLSTATE of an SQL error class');
diag("NON-SQL ERROR $_->[1] $_->[2]\n  " . show_case($_->[0]) . "\n  repro: " . write_repro($_->[0], "$_->[1] $_->[2]"))
  foreach @bad[ 0 .. ($#bad < 9 ? $#bad : 9) ];
is(scalar @wrong, 0, 'every finding has a known rule, a severity, a message and a line in the input');
diag("WRONG: $_->[1]\n  " . show_case($_->[0]) . "\n  repro: " . write_repro($_->[0], $_->[1]))
  foreach @wrong[ 0 .. ($#wrong < 9 ? $#wrong : 9) ];
is(scalar @locked, 0, 'lint() leaves no lock on a fixture relation and none stronger than ACCESS SHARE');
diag("LOCKED: $_->[1]\n  " . show_case($_->[0]) . "\n  repro: " . write_repro($_->[0], $_->[1]))
  foreach @locked[ 0 .. ($#locked < 9 ? $#locked : 9) ];
my @slow = grep { $tmax{$_} > $slow_secs } sort { $a <=> $b } keys %tmax;
is(scalar @slow, 0, "no case took more than $slow_secs s");
diag(sprintf('SLOW %.1f s ', $tmax{$_}) . show_case($_) . "\n  repro: " . write_repro($_, 'slow'))
  foreach @slow[ 0 .. ($#slow < 4 ? $#slow : 4) ];

# nothing registered, nothing changed: every case rolled back
is($node->safe_psql('postgres', 'SELECT string_agg(revision, \',\' ORDER BY revision) FROM schemamig.revisions'),
	'r1,r2', 'only the fixture revisions are registered');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relnamespace IN ('public'::regnamespace, 'other'::regnamespace)"),
	scalar(keys %fixture_oids), 'the fixture relations are all there');

open(my $lf, '<', $node->logfile) or die $!;
my @logbad = grep { /terminated by signal|PANIC|TRAP|server process .* was terminated|leak/ } <$lf>;
close $lf;
is(scalar @logbad, 0, 'server log: no crash, PANIC, TRAP or leak');
diag($_) foreach @logbad[ 0 .. ($#logbad < 9 ? $#logbad : 9) ];

$node->stop;
diag(sprintf('008_lint_fuzz total %.1f s', time - $t_start));
done_testing();
