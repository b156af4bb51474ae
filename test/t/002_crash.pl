# Crash and fault safety (TESTPLAN F1, F2).
#
# F1: the backend running upgrade() is killed with SIGKILL while it is inside
# the second of three revisions (it waits on an advisory lock the test holds).
# The postmaster reinitializes; afterwards the history and the catalog are as
# before the call, the partial revision's object is absent, no advisory lock
# survives, and the next upgrade() applies all three exactly once.
#
# F2: an immediate shutdown (no checkpoint, crash recovery at start) at six
# points of one upgrade() call: waiting for the migration lock, at the start
# of the first revision, between revisions, in the middle of a revision, at
# the end of the last revision's SQL, and after upgrade() returned but before
# the caller's COMMIT.  Every restart must show the pre-call state; then the
# upgrade succeeds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

# the migration lock: pg_advisory_xact_lock(1936549735, 1)
my $SMIG_LOCK = 'classid = 1936549735 AND objid = 1 AND objsubid = 2';

# an advisory lock taken with a single bigint key
sub key_lock { my ($key) = @_; return "classid = 0 AND objid = $key AND objsubid = 1"; }

# Wait until backend $pid waits (not granted) for the advisory lock $cond.
# Fails fast when the backend went idle instead (its call ended, e.g. with
# an error), and after 60 s at most.
sub wait_for_lock_wait
{
	my ($node, $pid, $cond, $what) = @_;
	my $deadline = time + 60;
	my $seen = '';
	while (time < $deadline)
	{
		$seen = $node->safe_psql(
			'postgres', qq{
			SELECT CASE
			  WHEN EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory'
			               AND pid = $pid AND NOT granted AND $cond)
			    THEN 'waiting'
			  WHEN (SELECT state FROM pg_stat_activity WHERE pid = $pid)
			       IN ('active', 'idle in transaction')
			    THEN 'running'
			  ELSE 'stopped' END});
		last if $seen ne 'running';
		usleep(20_000);
	}
	is($seen, 'waiting', "upgrading backend is paused: $what");
	return;
}

# end a background psql whose server connection is gone
sub reap
{
	my ($bg) = @_;
	eval { $bg->{run}->kill_kill(grace => 5); 1 }
	  or note "reaping psql: $@";
	return;
}

# schemamig's history and catalog, plus the objects the revisions make
sub state_of
{
	my ($node, $prefix) = @_;
	return $node->safe_psql(
		'postgres', qq{
		SELECT 'applied: ' || coalesce(string_agg(revision || '/' || checksum, ',' ORDER BY revision), '')
		  FROM schemamig.applied;
		SELECT 'events: ' || coalesce(string_agg(operation || ':' || revision, ',' ORDER BY id), '')
		  FROM schemamig.events;
		SELECT 'revisions: ' || string_agg(revision || '/' || checksum, ',' ORDER BY seq)
		  FROM schemamig.revisions;
		SELECT 'status: ' || string_agg(revision || '=' || state, ',' ORDER BY revision)
		  FROM schemamig.status();
		SELECT 'tables: ' || coalesce(string_agg(tablename, ',' ORDER BY tablename), '')
		  FROM pg_tables WHERE tablename LIKE '${prefix}\\_%';
		SELECT 'log: ' || coalesce(string_agg(rev, ',' ORDER BY rev), '')
		  FROM ${prefix}_log;});
}

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', qq{
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION schemamig');

########################################################################
# F1: SIGKILL mid-revision
########################################################################

# the log table is outside the migrations: revisions only insert into it
$node->safe_psql('postgres', 'CREATE TABLE f1_log (rev text)');
my $f1_script = <<'EOS';
-- schemamig:revision f1a
-- schemamig:message first
-- schemamig:upgrade
CREATE TABLE f1_a (id int);
INSERT INTO f1_log VALUES ('f1a');
-- schemamig:downgrade
DROP TABLE f1_a;
-- schemamig:revision f1b
-- schemamig:down_revision f1a
-- schemamig:message second, pauses on advisory lock 777
-- schemamig:upgrade
CREATE TABLE f1_partial (id int);
INSERT INTO f1_log VALUES ('f1b');
SELECT pg_advisory_xact_lock(777);
-- schemamig:downgrade
DROP TABLE f1_partial;
-- schemamig:revision f1c
-- schemamig:down_revision f1b
-- schemamig:message third
-- schemamig:upgrade
CREATE TABLE f1_c (id int);
INSERT INTO f1_log VALUES ('f1c');
-- schemamig:downgrade
DROP TABLE f1_c;
EOS
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(revision || ':' || action, ',') FROM schemamig.register(\$s\$$f1_script\$s\$)"
	),
	'f1a:added,f1b:added,f1c:added',
	'F1: three revisions registered');

my $f1_before = state_of($node, 'f1');
like($f1_before, qr/^applied: \nevents: \n/, 'F1: history empty before the call');

# the gate: a session holding advisory lock 777
my $gate = $node->background_psql('postgres', on_error_stop => 0);
$gate->query_safe('SELECT pg_advisory_lock(777)');

my $victim = $node->background_psql('postgres', on_error_stop => 0);
my $victim_pid = $victim->query_safe('SELECT pg_backend_pid()');
$victim->query_until(qr/f1-started/, q{\echo f1-started
SELECT * FROM schemamig.upgrade('head');
});
wait_for_lock_wait($node, $victim_pid, key_lock(777),
	'F1: inside revision f1b, after its CREATE TABLE');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = $victim_pid AND $SMIG_LOCK"
	),
	'1',
	'F1: the victim holds the migration lock');
is( $node->safe_psql(
		'postgres', qq{SELECT count(*) FROM pg_locks
		WHERE pid = $victim_pid AND relation = 'schemamig.applied'::regclass
		AND mode = 'RowExclusiveLock'}),
	'1',
	'F1: the victim has written revision f1a\'s bookkeeping (uncommitted)');

my $log_offset = -s $node->logfile;
my $t_kill = time;
ok(kill('KILL', $victim_pid), "F1: SIGKILL sent to backend $victim_pid");

# wait for the postmaster to notice, reinitialize and finish crash recovery
$node->wait_for_log(qr/all server processes terminated; reinitializing/,
	$log_offset);
$node->wait_for_log(qr/database system is ready to accept connections/,
	$log_offset);
ok($node->poll_query_until('postgres', 'SELECT 1', '1'),
	'F1: server accepts connections again');
my $f1_recovery = time - $t_kill;
reap($victim);
reap($gate);

# the postmaster names the child "server process" up to PostgreSQL 17 and by
# its backend type ("client backend") from 18 on
ok( $node->log_contains(
		qr/(?:server process|client backend) \(PID $victim_pid\) was terminated by signal 9/,
		$log_offset),
	'F1: log: backend terminated by signal 9');
ok( $node->log_contains(
		qr/all server processes terminated; reinitializing/, $log_offset),
	'F1: log: server reinitialized');
ok($node->log_contains(qr/database system was interrupted/, $log_offset),
	'F1: log: crash recovery ran');

is(state_of($node, 'f1'), $f1_before,
	'F1: history, catalog, objects and log identical to before the call');
is( $node->safe_psql(
		'postgres', q{SELECT to_regclass('f1_partial') IS NULL
		AND to_regclass('f1_a') IS NULL}),
	't',
	'F1: neither f1_partial nor f1_a exists');
is( $node->safe_psql(
		'postgres', q{SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'}),
	'0',
	'F1: no advisory lock after the restart');
is($node->safe_psql('postgres', 'SELECT count(*) FROM schemamig.current()'),
	'0', 'F1: current() is base');

# the gate died with the crash: lock 777 is free, the revisions run through
is( $node->safe_psql(
		'postgres',
		q{SET client_min_messages = warning;
		SELECT string_agg(revision, ',') FROM schemamig.upgrade('head')}),
	'f1a,f1b,f1c',
	'F1: the next upgrade() applies the three revisions');
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM schemamig.applied) || '/'
		    || (SELECT count(DISTINCT revision) FROM schemamig.applied) || '/'
		    || (SELECT count(*) FROM schemamig.events WHERE operation = 'upgrade') || '/'
		    || (SELECT string_agg(rev, ',' ORDER BY rev) FROM f1_log)}),
	'3/3/3/f1a,f1b,f1c',
	'F1: 3 applied rows, 3 upgrade events, each revision ran exactly once');
is( $node->safe_psql(
		'postgres', q{SELECT string_agg(tablename, ',' ORDER BY tablename)
		FROM pg_tables WHERE tablename LIKE 'f1\_%'}),
	'f1_a,f1_c,f1_log,f1_partial',
	'F1: every object exists once the upgrade committed');
is($node->safe_psql('postgres', 'SELECT count(*) FROM schemamig.check()'),
	'0', 'F1: check() reports nothing');
diag sprintf(
	'F1: SIGKILL mid-revision: pre-call state after restart, 3/3 revisions applied once afterwards; kill to ready %.2f s',
	$f1_recovery);

########################################################################
# F2: immediate shutdown at six points of one upgrade() call
########################################################################

$node->safe_psql('postgres', 'CREATE TABLE f2_log (rev text)');
# advisory locks 701..705 are gates at the points below; nobody holds them
# except during a test point, so they let the revisions run through otherwise
my $f2_script = <<'EOS';
-- schemamig:revision f2a
-- schemamig:down_revision f1c
-- schemamig:upgrade
SELECT pg_advisory_xact_lock(701);
CREATE TABLE f2_a (id int);
INSERT INTO f2_log VALUES ('f2a');
-- schemamig:downgrade
DROP TABLE f2_a;
-- schemamig:revision f2b
-- schemamig:down_revision f2a
-- schemamig:upgrade
SELECT pg_advisory_xact_lock(702);
CREATE TABLE f2_b (id int);
INSERT INTO f2_log VALUES ('f2b');
SELECT pg_advisory_xact_lock(703);
-- schemamig:downgrade
DROP TABLE f2_b;
-- schemamig:revision f2c
-- schemamig:down_revision f2b
-- schemamig:upgrade
CREATE TABLE f2_c (id int);
INSERT INTO f2_log VALUES ('f2c');
SELECT pg_advisory_xact_lock(704);
-- schemamig:downgrade
DROP TABLE f2_c;
EOS
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(revision || ':' || action, ',') FROM schemamig.register(\$s\$$f2_script\$s\$)"
	),
	'f2a:added,f2b:added,f2c:added',
	'F2: three revisions registered');
my $f2_before = state_of($node, 'f2');

# [ point, what the gate session holds, the lock the caller then waits for,
#   whether the caller has written bookkeeping rows by then ]
my @points = (
	[ 'waiting for the migration lock', 'SELECT pg_advisory_lock(1936549735, 1)', $SMIG_LOCK, 0 ],
	[ 'before the first revision\'s SQL', 'SELECT pg_advisory_lock(701)', key_lock(701), 0 ],
	[ 'between revisions 1 and 2', 'SELECT pg_advisory_lock(702)', key_lock(702), 1 ],
	[ 'inside revision 2, after its DDL', 'SELECT pg_advisory_lock(703)', key_lock(703), 1 ],
	[ 'after the last revision\'s SQL', 'SELECT pg_advisory_lock(704)', key_lock(704), 1 ],
	[ 'after upgrade() returned, before COMMIT', 'SELECT pg_advisory_lock(705)', key_lock(705), 1 ],
);
my $good = 0;
foreach my $p (@points)
{
	my ($what, $hold, $cond, $wrote) = @$p;

	my $gate = $node->background_psql('postgres', on_error_stop => 0);
	$gate->query_safe($hold);

	my $caller = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $caller->query_safe('SELECT pg_backend_pid()');
	$caller->query_until(qr/f2-started/, q{\echo f2-started
BEGIN;
SELECT count(*) FROM schemamig.upgrade('head');
SELECT pg_advisory_xact_lock(705);
COMMIT;
});
	wait_for_lock_wait($node, $pid, $cond, "F2: $what");
	# the uncommitted work is really there: a writer of schemamig.applied
	# holds RowExclusiveLock on it until the end of its transaction
	is( $node->safe_psql(
			'postgres', qq{SELECT count(*) FROM pg_locks
			WHERE pid = $pid AND relation = 'schemamig.applied'::regclass
			AND mode = 'RowExclusiveLock'}),
		$wrote,
		"F2: caller has " . ($wrote ? '' : 'not ') . "written bookkeeping ($what)");

	$node->stop('immediate');
	reap($caller);
	reap($gate);
	$node->start;

	my $after = state_of($node, 'f2');
	my $locks = $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'});
	is($after, $f2_before, "F2: after an immediate stop $what, pre-call state");
	is($locks, '0', "F2: no advisory lock after the restart ($what)");
	$good++ if $after eq $f2_before && $locks eq '0';
}
is($good, scalar @points, 'F2: every restart showed the pre-call state');
diag sprintf('F2: %d/%d restarts showed the pre-call state', $good,
	scalar @points);

is( $node->safe_psql(
		'postgres',
		q{SET client_min_messages = warning;
		SELECT string_agg(revision, ',') FROM schemamig.upgrade('head')}),
	'f2a,f2b,f2c',
	'F2: upgrade() then succeeds');
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM schemamig.applied WHERE revision LIKE 'f2%') || '/'
		    || (SELECT count(*) FROM schemamig.events WHERE operation = 'upgrade' AND revision LIKE 'f2%') || '/'
		    || (SELECT string_agg(rev, ',' ORDER BY rev) FROM f2_log) || '/'
		    || (SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE tablename LIKE 'f2\_%')}),
	'3/3/f2a,f2b,f2c/f2_a,f2_b,f2_c,f2_log',
	'F2: each revision applied and run exactly once');

$node->stop;
done_testing();
