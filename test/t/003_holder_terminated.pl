# Holder of the migration lock terminated while others wait (TESTPLAN C9).
#
# A session runs upgrade() and pauses inside the second of three revisions
# (it waits on an advisory lock the test holds; only that session pauses,
# because the pause depends on a setting of its own).  Three more sessions
# call upgrade() and wait for the migration lock.  pg_terminate_backend() on
# the holder must hand the lock to one waiter at once (within 1 s it has
# applied everything); the other two then find everything applied and apply
# nothing (which waiter wins is up to the lock manager: the test finds the
# winner by its result, not by which result it reads first); every revision
# ran exactly once; the terminated session's work (including an object only
# it creates) is gone.  Three rounds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

# the migration lock: pg_advisory_xact_lock(1936549735, 1)
my $SMIG_LOCK = q{locktype = 'advisory' AND classid = 1936549735
	AND objid = 1 AND objsubid = 2};
my $ROUNDS = 3;
my $WAITERS = 3;

# poll $sql on a control session until it returns $want; 30 s at most
sub poll_until
{
	my ($ctl, $sql, $want) = @_;
	my $deadline = time + 30;
	my $got = '';
	while (time < $deadline)
	{
		$got = $ctl->query_safe($sql);
		return $got if $got eq $want;
		usleep(10_000);
	}
	return $got;
}

# end a background psql whose server connection may be gone
sub reap
{
	my ($bg) = @_;
	eval { $bg->{run}->kill_kill(grace => 5); 1 }
	  or note "reaping psql: $@";
	return;
}

my $node = PostgreSQL::Test::Cluster->new('c9');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION schemamig;
	CREATE TABLE c9_log (rev text, pid int);
});

my $script = <<'EOS';
-- schemamig:revision c9a
-- schemamig:upgrade
CREATE TABLE c9_a (id int);
INSERT INTO c9_log VALUES ('c9a', pg_backend_pid());
-- schemamig:downgrade
DROP TABLE c9_a;
-- schemamig:revision c9b
-- schemamig:down_revision c9a
-- schemamig:message pauses in sessions that SET c9.pause = on
-- schemamig:upgrade
CREATE TABLE c9_b (id int);
INSERT INTO c9_log VALUES ('c9b', pg_backend_pid());
DO $$
BEGIN
	IF current_setting('c9.pause', true) = 'on' THEN
		CREATE TABLE c9_holder_only (id int);
		PERFORM pg_advisory_xact_lock(777);
	END IF;
END
$$;
-- schemamig:downgrade
DROP TABLE c9_b;
-- schemamig:revision c9c
-- schemamig:down_revision c9b
-- schemamig:upgrade
CREATE TABLE c9_c (id int);
INSERT INTO c9_log VALUES ('c9c', pg_backend_pid());
-- schemamig:downgrade
DROP TABLE c9_c;
EOS
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(revision || ':' || action, ',') FROM schemamig.register(\$s\$$script\$s\$)"
	),
	'c9a:added,c9b:added,c9c:added',
	'three revisions registered');

my $ctl = $node->background_psql('postgres');
my $gate = $node->background_psql('postgres');
$gate->query_safe('SELECT pg_advisory_lock(777)');

my @handover_ms;
my $good_rounds = 0;
for my $round (1 .. $ROUNDS)
{
	my $r = "round $round";
	my $ok = 1;
	my $events_before =
	  $ctl->query_safe('SELECT coalesce(max(id), 0) FROM schemamig.events');

	# the holder: pauses inside c9b, holding the migration lock
	my $holder = $node->background_psql('postgres', on_error_stop => 0);
	my $holder_pid = $holder->query_safe('SELECT pg_backend_pid()');
	$holder->query_safe('SET c9.pause = on');
	$holder->query_until(qr/holder-started/, q{\echo holder-started
SELECT * FROM schemamig.upgrade('head');
});
	$ok &= is(
		poll_until(
			$ctl, qq{SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
			AND pid = $holder_pid AND NOT granted
			AND classid = 0 AND objid = 777 AND objsubid = 1}, '1'),
		'1',
		"$r: the holder is paused inside revision c9b");
	$ok &= is(
		$ctl->query_safe(
			"SELECT count(*) FROM pg_locks WHERE $SMIG_LOCK AND granted AND pid = $holder_pid"
		),
		'1',
		"$r: the holder holds the migration lock");

	# three waiters
	my (@waiters, @wpids);
	for my $i (1 .. $WAITERS)
	{
		my $w = $node->background_psql('postgres', on_error_stop => 0);
		push @wpids, $w->query_safe('SELECT pg_backend_pid()');
		$w->query_until(qr/waiter-started/, q{\echo waiter-started
SELECT 'result:' || count(*) FROM schemamig.upgrade('head');
});
		push @waiters, $w;
	}
	my $wpid_list = join(',', sort { $a <=> $b } @wpids);
	$ok &= is(
		poll_until(
			$ctl, qq{SELECT string_agg(pid::text, ',' ORDER BY pid)
			FROM pg_locks WHERE $SMIG_LOCK AND NOT granted}, $wpid_list),
		$wpid_list,
		"$r: the $WAITERS waiters wait for the migration lock");

	# terminate the holder; watch the waiters' results arrive
	my $log_offset = -s $node->logfile;
	my $t0 = time;
	$ok &= is($ctl->query_safe("SELECT pg_terminate_backend($holder_pid)"),
		't', "$r: pg_terminate_backend(holder)");
	my %result;
	my %at;
	my $deadline = time + 30;
	while (keys %result < $WAITERS && time < $deadline)
	{
		for my $i (0 .. $#waiters)
		{
			next if exists $result{$i};
			$waiters[$i]->{run}->pump_nb;
			if ($waiters[$i]->{stdout} =~ /result:(\d+)/)
			{
				$result{$i} = $1;
				$at{$i} = time - $t0;
			}
		}
		usleep(2_000);
	}
	# Which waiter won is decided by the lock manager, not by the order in
	# which this loop happens to read the waiters' output: the losers return
	# right after the winner commits, often within one pass of the loop.  So
	# the winner is the waiter that applied something, and the invariant is:
	# exactly one waiter applied all 3 revisions, the others applied none.
	my @winners = grep { $result{$_} ne '0' } sort keys %result;
	my $winner = @winners == 1 ? $winners[0] : undef;
	my $first_ms = defined $winner ? 1000 * $at{$winner} : -1;
	push @handover_ms, $first_ms;

	$ok &= is(scalar keys %result, $WAITERS, "$r: every waiter returned");
	$ok &= is(join(',', sort { $b <=> $a } values %result), '3,0,0',
		"$r: one waiter applied 3 revisions, the others 0");
	# the time is when this loop saw the result: an upper bound
	$ok &= ok(defined $winner && $at{$winner} < 1.0,
		sprintf("$r: the winning waiter finished %.0f ms after the termination",
			$first_ms));
	my $winner_pid = defined $winner ? $wpids[$winner] : 0;

	# history and side effects
	$ok &= is(
		$ctl->query_safe(
			qq{SELECT string_agg(rev || ':' || (pid = $winner_pid), ',' ORDER BY rev)
			FROM c9_log}),
		'c9a:true,c9b:true,c9c:true',
		"$r: each revision ran exactly once, in the winning waiter's session");
	$ok &= is(
		$ctl->query_safe(
			qq{SELECT (SELECT string_agg(revision, ',' ORDER BY revision) FROM schemamig.applied)
			|| '/' || (SELECT string_agg(operation || ':' || revision, ',' ORDER BY id)
			           FROM schemamig.events WHERE id > $events_before)}),
		'c9a,c9b,c9c/upgrade:c9a,upgrade:c9b,upgrade:c9c',
		"$r: 3 applied rows and 3 upgrade events");
	$ok &= is(
		$ctl->query_safe(
			qq{SELECT count(*) FROM c9_log WHERE pid = $holder_pid}),
		'0', "$r: no log row of the terminated session");
	$ok &= is(
		$ctl->query_safe(
			q{SELECT to_regclass('c9_holder_only') IS NULL}),
		't', "$r: the terminated session's own object is absent");
	$ok &= is(
		$ctl->query_safe(
			q{SELECT string_agg(tablename, ',' ORDER BY tablename)
			FROM pg_tables WHERE tablename LIKE 'c9\_%'}),
		'c9_a,c9_b,c9_c,c9_log',
		"$r: the revisions' objects exist");
	$ok &= ok(
		$node->log_contains(
			qr/\[$holder_pid\] .*FATAL:  terminating connection due to administrator command/,
			$log_offset),
		"$r: the holder was terminated");

	reap($holder);
	$_->quit for @waiters;
	$ok &= is(
		poll_until($ctl,
			"SELECT count(*) FROM pg_locks WHERE $SMIG_LOCK", '0'),
		'0', "$r: nobody holds the migration lock");
	$good_rounds++ if $ok;

	# back to base for the next round
	$ctl->query_safe(q{SET client_min_messages = warning});
	$ctl->query_safe(
		q{SELECT count(*) FROM schemamig.downgrade('base')});
	$ctl->query_safe(q{TRUNCATE c9_log});
}

$gate->quit;
$ctl->quit;
diag sprintf(
	'C9: %d/%d rounds: the winning waiter finished the upgrade %s ms after pg_terminate_backend(holder), the others applied 0, each revision once',
	$good_rounds, $ROUNDS, join('/', map { sprintf('%.0f', $_) } @handover_ms));
is($good_rounds, $ROUNDS, 'C9 held in every round');

$node->stop;
done_testing();
