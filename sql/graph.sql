--
-- graph: branches, merges, depends_on, the target grammar and history
-- ranges.  Every revision logs itself into gr.log when it runs, so the
-- order of execution is visible.
--
CREATE SCHEMA gr;
CREATE TABLE gr.log (n serial, id text);

-- nothing registered yet: there is nowhere to go
SELECT revision FROM schemamig.upgrade('+1');

--        g1 - g2 - g3 - g4a - g5a        (g4a labelled alpha)
--                    \- g4b - g5b        (g4b labelled beta)
--   d1 (root, labelled other);  gx on g5a depends_on d1
--   ffee01, ffee02, ffaa on gx-free root chain for prefixes
SELECT count(*) FROM schemamig.register(
$s$-- schemamig:revision g1
-- schemamig:message first
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g1');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g1');
-- schemamig:revision g2
-- schemamig:down_revision g1
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g2');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g2');
-- schemamig:revision g3
-- schemamig:down_revision g2
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g3');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g3');
-- schemamig:revision g4a
-- schemamig:down_revision g3
-- schemamig:branch_labels alpha
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g4a');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g4a');
-- schemamig:revision g5a
-- schemamig:down_revision g4a
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g5a');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g5a');
-- schemamig:revision g4b
-- schemamig:down_revision g3
-- schemamig:branch_labels beta
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g4b');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g4b');
-- schemamig:revision g5b
-- schemamig:down_revision g4b
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up g5b');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down g5b');
$s$);

-- two heads: "head" refuses and names them
SELECT revision, message, branch_labels FROM schemamig.heads();
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM schemamig.upgrade_sql('head');

-- a branch label means its head; it applies what the branch needs first
SELECT revision, from_revision, message FROM schemamig.upgrade('alpha');
SELECT * FROM schemamig.current();
-- label@head is the same; nothing left to do
SELECT revision FROM schemamig.upgrade('alpha@head');
-- label@base as an upgrade target: the first revision of the branch
SELECT revision, from_revision FROM schemamig.upgrade('beta@base');
SELECT * FROM schemamig.current() ORDER BY 1;
-- relative to "current" needs a single current head
SELECT revision FROM schemamig.upgrade('+1');
SELECT revision FROM schemamig.upgrade('heads+1');
SELECT revision FROM schemamig.upgrade('heads');
SELECT id FROM gr.log ORDER BY n;
TRUNCATE gr.log;

-- status and history of a branched graph
SELECT revision, down_revisions, state, is_head, is_current FROM schemamig.status();
SELECT revision, branch_labels, is_head, is_branchpoint, is_mergepoint
FROM schemamig.history();

-- downgrade a whole branch, then to a revision below the branch point
SELECT revision, from_revision FROM schemamig.downgrade('alpha@base');
SELECT revision, from_revision FROM schemamig.downgrade('g2');
SELECT * FROM schemamig.current();

-- relative targets
SELECT revision FROM schemamig.upgrade('+1');
SELECT revision FROM schemamig.upgrade('+1');
SELECT revision FROM schemamig.upgrade('g4b+1');
SELECT revision FROM schemamig.downgrade('-2');
SELECT * FROM schemamig.current();
SELECT revision FROM schemamig.upgrade('g5b+1');
SELECT revision FROM schemamig.upgrade('+9');
SELECT revision FROM schemamig.downgrade('g1-1');
SELECT revision FROM schemamig.downgrade('-1');
SELECT revision FROM schemamig.downgrade('g1-2');
SELECT revision FROM schemamig.upgrade('base+2');
SELECT revision FROM schemamig.upgrade('g1+2');
SELECT revision FROM schemamig.upgrade('g3');
SELECT revision FROM schemamig.upgrade('g3-1');
SELECT id FROM gr.log ORDER BY n;
TRUNCATE gr.log;

-- prefixes: unique ones resolve, ambiguous ones list the candidates
SELECT count(*) FROM schemamig.register(
$s$-- schemamig:revision ffee01
-- schemamig:down_revision g5b
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision ffee02
-- schemamig:down_revision ffee01
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision ffaa
-- schemamig:down_revision ffee02
-- schemamig:upgrade
-- schemamig:downgrade
$s$);
SELECT revision FROM schemamig.upgrade('ffa');
SELECT revision FROM schemamig.upgrade('ffee');
SELECT revision FROM schemamig.upgrade('f');
SELECT revision FROM schemamig.downgrade('ffee01');
SELECT * FROM schemamig.current() ORDER BY 1;

-- unknown, empty and malformed targets
SELECT revision FROM schemamig.upgrade('nope');
SELECT revision FROM schemamig.upgrade('');
SELECT revision FROM schemamig.upgrade('alpha@top');
SELECT revision FROM schemamig.upgrade('nope@head');
SELECT revision FROM schemamig.downgrade('g5b');
SELECT revision FROM schemamig.upgrade('g1+99999999999');
-- a relative target on an ambiguous prefix lists the candidates
SELECT revision FROM schemamig.upgrade('ffee+1');
-- deeply nested "@" and relative forms are plain errors, never a crash
DO $$
BEGIN
  PERFORM * FROM schemamig.history(repeat('@', 45000) || 'head');
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'history: %', SQLSTATE;
END $$;
DO $$
BEGIN
  PERFORM * FROM schemamig.upgrade(repeat('a@', 60000) || 'head');
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'upgrade: %', SQLSTATE;
END $$;
DO $$
BEGIN
  PERFORM * FROM schemamig.upgrade('g1' || repeat('+1', 50000));
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'relative: %', SQLSTATE;
END $$;

-- depends_on: d1 is another root; gx needs it and comes after g5a
SELECT count(*) FROM schemamig.register(
$s$-- schemamig:revision d1
-- schemamig:branch_labels other
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up d1');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down d1');
-- schemamig:revision gx
-- schemamig:down_revision g5a
-- schemamig:depends_on d1
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up gx');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down gx');
$s$);
-- two roots now: base+1 is ambiguous; a branch point's head too
SELECT revision FROM schemamig.upgrade('base+1');
SELECT revision FROM schemamig.upgrade('g3@head');
-- forget, revision() and offline scripts take targets naming one revision
SELECT schemamig.forget('d1');
SELECT schemamig.forget('heads');
SELECT schemamig.forget('base');
SELECT schemamig.revision('x', '', down_revision => 'other@base');
SELECT schemamig.upgrade_sql('head', 'other@base');
-- depends_on does not make d1 a non-head... it has no children
SELECT revision FROM schemamig.heads() ORDER BY 1;
SELECT revision FROM schemamig.upgrade('gx');
-- taking d1 away takes gx with it, newest first
SELECT revision FROM schemamig.downgrade('other@base');
SELECT id FROM gr.log ORDER BY n;
SELECT * FROM schemamig.current() ORDER BY 1;

-- history ranges
SELECT revision FROM schemamig.history('g2:g4a');
SELECT revision FROM schemamig.history('g4a:');
SELECT revision FROM schemamig.history(':g2');
SELECT revision FROM schemamig.history('current:');
SELECT revision FROM schemamig.history('base:g1');
SELECT revision FROM schemamig.history('g3');
SELECT count(*) FROM schemamig.history('base:heads');
SELECT * FROM schemamig.history('base:head');
SELECT * FROM schemamig.history('a:b:c');

-- merge every head (d1 is one: depends_on makes no branch): "head" works
-- again and brings every branch in
SELECT schemamig.merge(message => 'join all', revision => 'mg1');
SELECT revision, down_revisions, is_mergepoint FROM schemamig.history('mg1');
SELECT revision, from_revision, message FROM schemamig.upgrade('head');
SELECT * FROM schemamig.current();
SELECT revision, from_revision FROM schemamig.downgrade('-1');
SELECT * FROM schemamig.current() ORDER BY 1;
SELECT schemamig.merge(ARRAY['gx', 'ffaa'], revision => 'mg1');
SELECT schemamig.merge(ARRAY['g5a', 'g1']);

-- clean up
SELECT schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA gr CASCADE;
