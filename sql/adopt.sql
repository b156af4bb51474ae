--
-- adopt(): record as applied, running no SQL, what another migration tool
-- records as applied (issue 17).  The other tool's table is only read.
--
SELECT * FROM schemamig.register($$
-- schemamig:revision ad_a1
-- schemamig:message root
-- schemamig:upgrade
CREATE TABLE public.adopt_t (id int);
-- schemamig:downgrade
DROP TABLE public.adopt_t;
-- schemamig:revision ad_a2
-- schemamig:down_revision ad_a1
-- schemamig:message one branch
-- schemamig:upgrade
ALTER TABLE public.adopt_t ADD COLUMN a int;
-- schemamig:downgrade
ALTER TABLE public.adopt_t DROP COLUMN a;
-- schemamig:revision ad_b1
-- schemamig:down_revision ad_a1
-- schemamig:message the other branch
-- schemamig:upgrade
ALTER TABLE public.adopt_t ADD COLUMN b int;
-- schemamig:downgrade
ALTER TABLE public.adopt_t DROP COLUMN b;
-- schemamig:revision ad_m
-- schemamig:down_revision ad_a2 ad_b1
-- schemamig:message merge
-- schemamig:upgrade
CREATE TABLE public.adopt_m (id int);
-- schemamig:downgrade
DROP TABLE public.adopt_m;
$$) ORDER BY revision;

-- no other tool's table; an unknown source
SELECT * FROM schemamig.adopt();
SELECT * FROM schemamig.adopt('liquibase');
SELECT * FROM schemamig.adopt('flyway');

-- Alembic left the database at two heads (the tables are there already)
CREATE TABLE public.adopt_t (id int, a int, b int);
CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('ad_a2'), ('ad_b1');
SELECT * FROM schemamig.adopt() ORDER BY 1;
SELECT revision, state FROM schemamig.status() ORDER BY revision;
SELECT operation, revision FROM schemamig.events WHERE revision LIKE 'ad\_%' ORDER BY id;
SELECT version_num FROM public.alembic_version ORDER BY 1;
-- again: nothing new
SELECT * FROM schemamig.adopt('alembic') ORDER BY 1;
SELECT count(*) AS events FROM schemamig.events WHERE revision LIKE 'ad\_%';

-- a recorded revision that is not registered: nothing changes
SELECT schemamig.stamp('base');
INSERT INTO public.alembic_version VALUES ('ad_zz');
SELECT * FROM schemamig.adopt();
SELECT count(*) AS applied FROM schemamig.applied;
DELETE FROM public.alembic_version WHERE version_num = 'ad_zz';

-- schemamig ahead of the other tool: refused
SELECT * FROM schemamig.adopt() ORDER BY 1;
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM schemamig.adopt();
SELECT revision, state FROM schemamig.status() ORDER BY revision;
SELECT revision FROM schemamig.downgrade('ad_a2');
SELECT schemamig.stamp('base');

-- two tools' tables: name one.  Flyway: failed rows and undone versions
-- do not count
CREATE TABLE public.flyway_schema_history (installed_rank int PRIMARY KEY,
	version varchar(50), description varchar(200) NOT NULL,
	type varchar(20) NOT NULL, script varchar(1000) NOT NULL,
	success boolean NOT NULL);
INSERT INTO public.flyway_schema_history VALUES
	(1, 'ad_a1', 'root', 'SQL', 'V1.sql', true),
	(2, 'ad_a2', 'one branch', 'SQL', 'V2.sql', true),
	(3, 'ad_a2', 'one branch', 'UNDO_SQL', 'U2.sql', true),
	(4, 'ad_b1', 'the other', 'SQL', 'V3.sql', false);
SELECT * FROM schemamig.adopt();
SELECT * FROM schemamig.adopt('flyway') ORDER BY 1;
SELECT revision, state FROM schemamig.status() ORDER BY revision;
SELECT schemamig.stamp('base');

-- dbmate records every version: one a recorded one needs is missing
DROP TABLE public.flyway_schema_history, public.alembic_version;
CREATE TABLE public.schema_migrations (version varchar(128) PRIMARY KEY);
INSERT INTO public.schema_migrations VALUES ('ad_a2');
SELECT * FROM schemamig.adopt('dbmate');
INSERT INTO public.schema_migrations VALUES ('ad_a1');
SELECT * FROM schemamig.adopt() ORDER BY 1;
SELECT schemamig.stamp('base');

-- golang-migrate: a dirty database is refused
DROP TABLE public.schema_migrations;
CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO public.schema_migrations VALUES (7, true);
SELECT * FROM schemamig.adopt('dbmate');
SELECT * FROM schemamig.adopt('golang-migrate');

DROP TABLE public.schema_migrations;

-- the record is found through the search_path, in any schema
CREATE SCHEMA adopt_s;
CREATE TABLE adopt_s.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO adopt_s.alembic_version VALUES ('ad_a1');
SELECT * FROM schemamig.adopt();
SET search_path = adopt_s, public;
SELECT * FROM schemamig.adopt();
RESET search_path;
SELECT schemamig.stamp('base');
DROP SCHEMA adopt_s CASCADE;

-- clean up
DROP TABLE public.adopt_t;
SELECT schemamig.forget(r) FROM unnest(ARRAY['ad_m', 'ad_a2', 'ad_b1', 'ad_a1']) AS r;
SELECT count(*) AS left_over FROM schemamig.revisions;
