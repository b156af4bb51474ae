--
-- format: the script format and every error it can raise, each naming its
-- line.  A refused script registers nothing.
--

-- the smallest script
SELECT * FROM schemamig.register('-- schemamig:revision f1
-- schemamig:upgrade
SELECT 1;');

-- blank lines and comments before the first block are fine; so is a
-- directive written "--schemamig:" without the space
SELECT * FROM schemamig.register('

-- my project''s migrations
/* a block comment
   over two lines */
--schemamig:revision f2
-- schemamig:down_revision f1
-- schemamig:message  second one
-- a comment between header directives
-- schemamig:upgrade
SELECT 2;
-- schemamig:downgrade
SELECT -2;');

SELECT revision, down_revisions, message, upgrade_sql, downgrade_sql,
       upgrade_line, downgrade_line
FROM schemamig.revisions ORDER BY seq;

-- empty, whitespace-only and comment-only scripts
SELECT * FROM schemamig.register('');
SELECT * FROM schemamig.register('   

   ');
SELECT * FROM schemamig.register('-- nothing here
/* or here */');

-- text before the first block
SELECT * FROM schemamig.register('CREATE TABLE t();
-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;');

-- a directive before the first block
SELECT * FROM schemamig.register('-- schemamig:message hello
-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;');

-- unknown directive
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:down_revison f2
-- schemamig:upgrade
SELECT 3;');

-- a block without upgrade section
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:down_revision f2

-- schemamig:revision f4
-- schemamig:upgrade
SELECT 4;');

-- SQL before the upgrade directive
SELECT * FROM schemamig.register('-- schemamig:revision f3
CREATE TABLE t();
-- schemamig:upgrade
SELECT 3;');

-- header directive after the upgrade section
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;
-- schemamig:message too late');

-- repeated directive, second upgrade, downgrade first, argument to upgrade
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:message one
-- schemamig:message two
-- schemamig:upgrade
SELECT 3;');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;
-- schemamig:upgrade
SELECT 3;');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:downgrade
SELECT 3;');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:upgrade SELECT 3;');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;
-- schemamig:downgrade
SELECT 3;
-- schemamig:downgrade
SELECT 3;');

-- revision ids: missing, illegal characters, too long, reserved words
SELECT * FROM schemamig.register('-- schemamig:revision
-- schemamig:upgrade
SELECT 3;');
SELECT * FROM schemamig.register('-- schemamig:revision a@b
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision a+b
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision a:b
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision ' || repeat('x', 65) || '
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision head
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:down_revision f2 base
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:branch_labels my@label
-- schemamig:upgrade');

-- lists: duplicates, self-reference
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:down_revision f1, f1
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:down_revision f3
-- schemamig:upgrade');
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:depends_on f3
-- schemamig:upgrade');

-- the same id twice in one script
SELECT * FROM schemamig.register('-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;
-- schemamig:revision f3
-- schemamig:upgrade
SELECT 3;');

-- comments outside bodies: nested ones are fine, unterminated ones are not
SELECT * FROM schemamig.register(E'/* never closed\n-- schemamig:revision f3\n-- schemamig:upgrade\nSELECT 3;\n');
SELECT * FROM schemamig.register(E'-- schemamig:revision f3\n/* never closed\n-- schemamig:upgrade\nSELECT 3;\n');
SELECT * FROM schemamig.register(E'-- schemamig:revision f3\n/* never closed\n');
-- a carriage return would end the directive's comment for the server
SELECT * FROM schemamig.register(E'-- schemamig:revision f3\n-- schemamig:message m\rDROP TABLE t; --\n-- schemamig:upgrade\n');

-- none of the refused scripts registered anything
SELECT revision FROM schemamig.revisions ORDER BY seq;

-- down_revision "base" or empty is a root; lists take spaces and commas
SELECT * FROM schemamig.register('-- schemamig:revision r1
-- schemamig:down_revision base
-- schemamig:upgrade
-- schemamig:revision r2
-- schemamig:down_revision
-- schemamig:upgrade
-- schemamig:revision r3
-- schemamig:down_revision r1,r2 f2
-- schemamig:branch_labels lab1, lab2
-- schemamig:upgrade');
SELECT revision, down_revisions, branch_labels FROM schemamig.revisions
WHERE revision LIKE 'r_' ORDER BY seq;

-- checksums: CRLF and LF copies are the same content; trailing blank and
-- comment lines (as between blocks) are not part of a body
SELECT * FROM schemamig.register(E'-- schemamig:revision f2\r\n-- schemamig:down_revision f1\r\n-- schemamig:message second one\r\n-- schemamig:upgrade\r\nSELECT 2;\r\n-- schemamig:downgrade\r\nSELECT -2;\r\n\r\n-- next: f3\r\n');
SELECT * FROM schemamig.register('-- schemamig:revision c1
-- schemamig:upgrade
SELECT 1;
-- schemamig:downgrade
SELECT 1;');
SELECT checksum ~ '^v1-sha256:[0-9a-f]{64}$' AS versioned,
       checksum <> (SELECT checksum FROM schemamig.revisions WHERE revision = 'f1') AS differs
FROM schemamig.revisions WHERE revision = 'c1';
-- an irreversible revision and one with an empty downgrade differ
SELECT * FROM schemamig.register('-- schemamig:revision c2
-- schemamig:upgrade
SELECT 1;');
SELECT * FROM schemamig.register('-- schemamig:revision c3
-- schemamig:upgrade
SELECT 1;
-- schemamig:downgrade');
SELECT a.checksum <> b.checksum AS differ, a.downgrade_sql IS NULL AS a_irreversible,
       b.downgrade_sql AS b_downgrade
FROM schemamig.revisions a, schemamig.revisions b
WHERE a.revision = 'c2' AND b.revision = 'c3';

-- a nested comment before the first block; a statement after a bare CR in
-- a trailing "--" line is kept, since the server would run it
SELECT * FROM schemamig.register(E'/* a /* nested */ comment */\n-- schemamig:revision cr1\n-- schemamig:upgrade\nSELECT 1;\n-- c\rSELECT 2;');
SELECT upgrade_sql FROM schemamig.revisions WHERE revision = 'cr1';

-- the same content with a longer header is unchanged, and its line numbers
-- follow the new script; the order of a list does not matter
SELECT * FROM schemamig.register('-- schemamig:revision f2
-- schemamig:down_revision f1
-- a new comment in the header
-- schemamig:message second one
-- schemamig:upgrade
SELECT 2;
-- schemamig:downgrade
SELECT -2;');
SELECT upgrade_line, downgrade_line FROM schemamig.revisions WHERE revision = 'f2';
SELECT * FROM schemamig.register('-- schemamig:revision r3
-- schemamig:down_revision f2 r2 r1
-- schemamig:branch_labels lab2 lab1
-- schemamig:upgrade');

-- clean up
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
