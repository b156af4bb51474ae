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

-- a bare branch label is the revision that carries it (Alembic's "upgrade
-- shoppingcart"); it applies what that revision needs first
SELECT revision, from_revision, message FROM schemamig.upgrade('alpha');
SELECT * FROM schemamig.current();
-- label@head is the head of the branch
SELECT revision FROM schemamig.upgrade('alpha@head');
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
-- -1 would walk back through the merge: ambiguous (Alembic: "Ambiguous
-- walk"), the error names the merge and its down_revisions
SELECT revision, from_revision FROM schemamig.downgrade('-1');
SELECT revision, from_revision FROM schemamig.downgrade('mg1-1');
SELECT * FROM schemamig.current() ORDER BY 1;
SELECT schemamig.merge(ARRAY['gx', 'ffaa'], revision => 'mg1');
SELECT schemamig.merge(ARRAY['g5a', 'g1']);

SELECT schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
TRUNCATE gr.log;

--
-- Targets as Alembic 1.8.1 reads them, each checked on the same graph in
-- Alembic (README "Targets" and "Where schemamig differs from Alembic"):
--
--   ta1 - ta2 - ta3 - ta4 - tx      (ta2 labelled cart; tx depends_on tb1)
--   tb1 - tb2
--   tc1 - tc2a - tcm - tcn          (tcm merges tc2a and tc2b)
--      \- tc2b -/
--
SELECT count(*) FROM schemamig.register(
$s$-- schemamig:revision ta1
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up ta1');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down ta1');
-- schemamig:revision ta2
-- schemamig:down_revision ta1
-- schemamig:branch_labels cart
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up ta2');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down ta2');
-- schemamig:revision ta3
-- schemamig:down_revision ta2
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up ta3');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down ta3');
-- schemamig:revision ta4
-- schemamig:down_revision ta3
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up ta4');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down ta4');
-- schemamig:revision tb1
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up tb1');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down tb1');
-- schemamig:revision tb2
-- schemamig:down_revision tb1
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up tb2');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down tb2');
-- schemamig:revision tx
-- schemamig:down_revision ta4
-- schemamig:depends_on tb1
-- schemamig:upgrade
INSERT INTO gr.log (id) VALUES ('up tx');
-- schemamig:downgrade
INSERT INTO gr.log (id) VALUES ('down tx');
-- schemamig:revision tc1
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision tc2a
-- schemamig:down_revision tc1
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision tc2b
-- schemamig:down_revision tc1
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision tcm
-- schemamig:down_revision tc2a tc2b
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision tcn
-- schemamig:down_revision tcm
-- schemamig:upgrade
-- schemamig:downgrade
$s$);

-- a bare label is the labelled revision everywhere: upgrade, show,
-- relative steps from it; label@head is its branch's head
SELECT revision FROM schemamig.upgrade('cart');
SELECT * FROM schemamig.current();
SELECT revision, branch_labels FROM schemamig.show('cart');
SELECT revision FROM schemamig.show('cart+1');
SELECT revision FROM schemamig.show('cart@head');
SELECT revision FROM schemamig.history('cart');
SELECT revision FROM schemamig.history(':cart');
-- downgrade to a bare label: the labelled revision too
SELECT revision FROM schemamig.upgrade('ta3');
SELECT revision FROM schemamig.downgrade('cart');
SELECT * FROM schemamig.current();

-- upgrade refuses -N (Alembic: "Relative revision -1 didn't produce 1
-- migrations"), as downgrade refuses +N; rev-N is a fixed revision and fine
SELECT revision FROM schemamig.upgrade('-1');
SELECT revision FROM schemamig.upgrade('-0');
SELECT schemamig.upgrade_sql('-2');
CALL schemamig.migrate('-1');
SELECT revision FROM schemamig.downgrade('+1');
SELECT revision FROM schemamig.upgrade('ta3-1');
SELECT * FROM schemamig.current();
-- stamp takes relative targets too (Alembic: "Can't locate revision
-- identified by '-1'")
SELECT * FROM schemamig.stamp('-1');
SELECT * FROM schemamig.stamp('+1');

-- tx depends_on tb1: upgrading to tx applies tb1 first, and then tb1 is
-- not a current head (Alembic's version table holds just tx)
SELECT revision, from_revision FROM schemamig.upgrade('tx');
SELECT * FROM schemamig.current();
SELECT revision, state, is_head, is_current FROM schemamig.status()
WHERE revision IN ('tb1', 'tb2', 'tx') ORDER BY 1;
-- so -1 is relative to tx alone, and goes back along tx's lineage (its
-- down_revision ta4, not tb1): it undoes tx, and tb1 stays
SELECT revision, from_revision FROM schemamig.downgrade('-1');
SELECT * FROM schemamig.current() ORDER BY 1;
SELECT revision FROM schemamig.upgrade('tx');

-- downgrade(tb1) undoes what comes after tb1 on its lineage (tb2), not tx,
-- which merely depends_on tb1 while tb1 stays applied
SELECT revision FROM schemamig.upgrade('tb2');
SELECT * FROM schemamig.current() ORDER BY 1;
SELECT revision FROM schemamig.downgrade('tb1');
SELECT * FROM schemamig.current() ORDER BY 1;
-- nothing after tb1 is applied now: nothing to do (Alembic raises "Nothing
-- to drop" here, taking the applied tb1 for one that is not)
SELECT revision FROM schemamig.downgrade('tb1');
-- stamp leaves the state downgrade or upgrade would: the same rule
SELECT revision FROM schemamig.upgrade('tb2');
SELECT * FROM schemamig.stamp('tb1') ORDER BY 1;
SELECT revision, state FROM schemamig.status()
WHERE revision IN ('tb1', 'tb2', 'tx') ORDER BY 1;
SELECT schemamig.downgrade_sql('tb1') LIKE '%-- 0 revisions to undo%' AS nothing_to_undo;
-- what is on tb1's lineage after it, and everything needing that, goes:
-- downgrade(ta3) undoes ta4 and tx (after ta4), tb1 stays
SELECT revision FROM schemamig.downgrade('ta3');
SELECT * FROM schemamig.current() ORDER BY 1;
SELECT id FROM gr.log ORDER BY n;

-- -N and rev-N through a merge point: ambiguous, the error names the merge
-- (Alembic: "Ambiguous walk"); a step that ends on the merge is fine
SELECT revision FROM schemamig.upgrade('tcn');
SELECT revision FROM schemamig.show('tcn-1');
SELECT revision FROM schemamig.show('tcn-2');
SELECT revision FROM schemamig.downgrade('tcn-2');
SELECT revision FROM schemamig.upgrade('tcm-1');
SELECT * FROM schemamig.stamp('tcm-3');
SELECT revision FROM schemamig.history('tcn-3:');
SELECT revision FROM schemamig.downgrade('tcn-1');
SELECT * FROM schemamig.current() ORDER BY 1;
-- stamp below the merge keeps its other parent applied (Alembic forgets
-- tc2b, and its next upgrade would run tc2b again)
SELECT * FROM schemamig.stamp('tc2a') ORDER BY 1;
SELECT revision, state, is_current FROM schemamig.status()
WHERE revision LIKE 'tc%' ORDER BY 1;
SELECT revision FROM schemamig.upgrade('tcm');

-- an empty label before "@", and the empty string, are unknown targets
-- (not the empty id prefix, which would match every revision)
SELECT * FROM schemamig.stamp('@head');
SELECT * FROM schemamig.stamp('@base');
SELECT revision FROM schemamig.upgrade('@head');
SELECT revision FROM schemamig.downgrade('@base');
SELECT revision FROM schemamig.show('@head');
SELECT revision FROM schemamig.history('@head:');
SELECT * FROM schemamig.stamp('');
SELECT revision FROM schemamig.downgrade('');
SELECT revision FROM schemamig.show('');
-- revision() on a bare label: a new branch from the labelled revision
-- (Alembic's "revision --head cart" asks for --splice first); label@head
-- is the branch head
SELECT schemamig.revision('on the head', '', down_revision => 'cart@head', revision => 'tontop');
SELECT schemamig.revision('from cart', '', down_revision => 'cart', revision => 'tsplice');
SELECT revision, down_revisions FROM schemamig.status()
WHERE revision IN ('tsplice', 'tontop') ORDER BY 1;
-- the SQLSTATE of each refusal above
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['-1', 'tcn-2', '@head', '@base', '', 'cart@top', 'cart@+1']
  LOOP
    BEGIN
      PERFORM * FROM schemamig.upgrade(t);
      RAISE NOTICE 'upgrade(%): no error', t;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'upgrade(%): %', t, SQLSTATE;
    END;
  END LOOP;
END $$;
SELECT * FROM schemamig.current() ORDER BY 1;
SELECT schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
-- ... also with one registered revision, which the empty prefix would name
SELECT count(*) FROM schemamig.register(
$s$-- schemamig:revision solo
-- schemamig:upgrade
-- schemamig:downgrade
$s$);
SELECT * FROM schemamig.stamp('@head');
SELECT revision FROM schemamig.upgrade('@base');
SELECT revision FROM schemamig.show('@head');
SELECT count(*) FROM schemamig.applied;
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;

-- -1 from the current head X undoes X's own lineage back one step: not a
-- sibling branch that X merely depends_on, nor another lineage when the
-- walk reaches base (as Alembic); rev-1 is a revision like any other
--   ts1 - ts2 - ts3
--      \- ts4          (ts4 depends_on ts3)
--   tr                 (a root, depends_on ts1)
SELECT count(*) FROM schemamig.register(
$s$-- schemamig:revision ts1
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision ts2
-- schemamig:down_revision ts1
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision ts3
-- schemamig:down_revision ts2
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision ts4
-- schemamig:down_revision ts1
-- schemamig:depends_on ts3
-- schemamig:upgrade
-- schemamig:downgrade
-- schemamig:revision tr
-- schemamig:depends_on ts1
-- schemamig:upgrade
-- schemamig:downgrade
$s$);
SELECT revision FROM schemamig.upgrade('ts4');
SELECT * FROM schemamig.current();
SELECT schemamig.downgrade_sql('-1') LIKE '%-- 1 revision to undo%' AS one_to_undo;
SELECT revision FROM schemamig.downgrade('-1');
-- (Alembic lists ts1 and ts3 here, and its next "upgrade ts4" fails)
SELECT * FROM schemamig.current();
SELECT revision FROM schemamig.upgrade('ts4');
SELECT revision FROM schemamig.downgrade('ts4-1');
SELECT * FROM schemamig.current();
SELECT revision FROM schemamig.downgrade('base');
SELECT revision FROM schemamig.upgrade('tr');
SELECT * FROM schemamig.current();
SELECT revision FROM schemamig.downgrade('-1');
SELECT * FROM schemamig.current();
SELECT revision FROM schemamig.upgrade('tr');
SELECT * FROM schemamig.stamp('-1');
SELECT revision, state FROM schemamig.status() ORDER BY 1;

-- clean up
SELECT schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA gr CASCADE;
