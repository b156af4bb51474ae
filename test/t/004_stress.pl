# C2, exactly-once stress: in every round, register a chain of new revisions
# on top of the head, then start N sessions that all call
# schemamig.upgrade('head') at (nearly) the same moment.  Every revision must
# be applied exactly once: its upgrade inserts one row into stress_log, and
# the round must end with count = count(DISTINCT) = revisions per round, each
# revision once in schemamig.applied and in the event log, the sessions'
# applied counts summing to the same number, and no error at all (waiting for
# the migration lock is not an error).
#
# Negative control: the same loop with every worker running
# SET schemamig.debug_skip_lock = on (a test-only GUC of assert-enabled
# builds: the writing functions skip the migration lock) must see at least
# one bad round, proving the test can fail.
#
# The barrier: a controller session holds pg_advisory_lock(4242); each worker
# takes and drops pg_advisory_lock_shared(4242), then upgrades.  Once pg_locks
# shows every worker waiting for 4242, the controller releases it and all of
# them are granted at once.
#
# Environment: SCHEMAMIG_STRESS_SESSIONS (8), SCHEMAMIG_STRESS_ROUNDS (50),
# SCHEMAMIG_STRESS_REVISIONS (5), SCHEMAMIG_STRESS_CONTROL_ROUNDS (50, rounds
# of the negative control), SCHEMAMIG_STRESS_CONTROL_STOP (set: the negative
# control stops at its first bad round).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $nsessions = $ENV{SCHEMAMIG_STRESS_SESSIONS} || 8;
my $nrounds = $ENV{SCHEMAMIG_STRESS_ROUNDS} || 50;
my $nrevs = $ENV{SCHEMAMIG_STRESS_REVISIONS} || 5;
my $ncontrol = $ENV{SCHEMAMIG_STRESS_CONTROL_ROUNDS} || 50;
my $control_stop = $ENV{SCHEMAMIG_STRESS_CONTROL_STOP};
my $barrier_key = 4242;

my $node = PostgreSQL::Test::Cluster->new('stress');
$node->init;
$node->append_conf('postgresql.conf', 'max_connections = ' . (2 * $nsessions + 10));
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION schemamig;
	CREATE TABLE stress_log (round int, rev text);
});

# --- sessions ------------------------------------------------------------
#
# background_psql sessions, driven without waiting: send() queues SQL and a
# banner, collect() pumps until the banner comes back and returns stdout and
# stderr.  ON_ERROR_STOP is off so that a worker's error is reported on
# stderr and the session lives on.

sub session
{
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	$s->set_query_timer_restart;
	send_sql($s, 'SET client_min_messages = warning');
	my ($out, $err) = collect($s);
	die "session set-up failed: $err" if $err ne '';
	return $s;
}

sub send_sql
{
	my ($s, $sql) = @_;
	my $banner = 'stress_banner_' . $s->{query_cnt}++;
	$s->{pending} = $banner;
	$s->{timeout}->start;
	$s->{stdin} .= "$sql\n;\n\\echo '$banner'\n\\warn '$banner'\n";
	# write all of it now: the worker must reach the barrier without us
	$s->{run}->pump_nb while length $s->{stdin};
	return;
}

sub collect
{
	my ($s) = @_;
	my $match = qr/\n?$s->{pending}\r?\n/;
	$s->{run}->pump
	  until ($s->{stdout} =~ $match && $s->{stderr} =~ $match)
	  || $s->{timeout}->is_expired;
	die "psql timed out waiting for $s->{pending}" if $s->{timeout}->is_expired;
	my ($out, $err) = ($s->{stdout}, $s->{stderr});
	$out =~ s/$match//;
	$err =~ s/$match//;
	$s->{stdout} = '';
	$s->{stderr} = '';
	return ($out, $err);
}

# run on the controller; any error is fatal
sub ctl
{
	my ($s, $sql) = @_;
	send_sql($s, $sql);
	my ($out, $err) = collect($s);
	die "controller query failed: $sql\n$err" if $err ne '';
	return $out;
}

# --- one round -----------------------------------------------------------

my $ctl = session();
ctl($ctl, 'SET application_name = stress_controller');

# register $nrevs revisions "<prefix><round>_<k>", chained to the head
sub register_round
{
	my ($prefix, $round) = @_;
	my @ids = map { "$prefix${round}_$_" } 1 .. $nrevs;
	my $sql = '';
	foreach my $id (@ids)
	{
		$sql .= "SELECT schemamig.revision('stress $id', "
		  . "\$u\$INSERT INTO stress_log VALUES ($round, '$id'); "
		  . "CREATE TABLE stress_$id (id int PRIMARY KEY);\$u\$, "
		  . "\$d\$DROP TABLE stress_$id; DELETE FROM stress_log WHERE rev = '$id';\$d\$, "
		  . "revision => '$id');\n";
	}
	ctl($ctl, $sql);
	return @ids;
}

# barrier-start every worker on upgrade('head'); returns the per-worker
# results: [number of revisions applied (undef on error), stderr]
sub run_round
{
	my ($workers) = @_;
	ctl($ctl, "SELECT pg_advisory_lock($barrier_key)");
	foreach my $w (@$workers)
	{
		send_sql($w, "SELECT pg_advisory_lock_shared($barrier_key);\n"
			  . "SELECT pg_advisory_unlock_shared($barrier_key);\n"
			  . "SELECT 'applied=' || count(*) FROM schemamig.upgrade('head')");
	}
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	while (1)
	{
		my $waiting = ctl($ctl, qq{SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND mode = 'ShareLock'
			  AND classid = 0 AND objid = $barrier_key AND objsubid = 1});
		last if $waiting == scalar @$workers;
		die "barrier: only $waiting of " . scalar(@$workers) . " workers waiting"
		  if time > $deadline;
		select(undef, undef, undef, 0.002);
	}
	ctl($ctl, "SELECT pg_advisory_unlock($barrier_key)");
	my @res;
	foreach my $w (@$workers)
	{
		my ($out, $err) = collect($w);
		my ($n) = $out =~ /^applied=(\d+)$/m;
		push @res, [ $n, $err ];
	}
	return @res;
}

# check a finished round; returns (problems, duplicates, errors, applied)
sub check_round
{
	my ($round, $ids, @res) = @_;
	my @problems;
	my $idlist = join(',', map { "'$_'" } @$ids);

	my @errors = grep { $_ ne '' } map { $_->[1] } @res;
	push @problems, scalar(@errors) . " worker(s) failed: "
	  . join(' | ', map { s/\s+/ /gr } @errors)
	  if @errors;

	my $sum = 0;
	$sum += $_->[0] // 0 foreach @res;
	push @problems, "workers report $sum revisions applied, expected $nrevs"
	  if $sum != $nrevs;

	my ($cnt, $distinct) = split /\|/, ctl($ctl,
		"SELECT count(*), count(DISTINCT rev) FROM stress_log WHERE round = $round");
	push @problems, "stress_log has $cnt rows, $distinct distinct, expected $nrevs"
	  if $cnt != $nrevs || $distinct != $nrevs;

	my ($applied, $events, $tables) = split /\|/, ctl($ctl, qq{SELECT
		(SELECT count(*) FROM schemamig.applied WHERE revision IN ($idlist)),
		(SELECT count(*) FROM schemamig.events
		  WHERE operation = 'upgrade' AND revision IN ($idlist)),
		(SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname IN
		  (SELECT 'stress_' || r FROM unnest(ARRAY[$idlist]) AS r))});
	push @problems, "schemamig.applied has $applied of $nrevs"
	  if $applied != $nrevs;
	push @problems, "schemamig.events has $events upgrade events, expected $nrevs"
	  if $events != $nrevs;
	push @problems, "$tables of $nrevs tables exist"
	  if $tables != $nrevs;

	return (\@problems, $cnt - $distinct, scalar(@errors), $sum);
}

# --- positive run: with the lock -----------------------------------------

my @workers = map { session() } 1 .. $nsessions;
my %fig = (rounds => 0, bad => 0, applied => 0, dups => 0, errors => 0,
	single => 0, idle => 0);
my $t0 = time;
foreach my $round (1 .. $nrounds)
{
	my @ids = register_round('r', $round);
	my @res = run_round(\@workers);
	my ($problems, $dups, $errors, $applied) = check_round($round, \@ids, @res);
	$fig{rounds}++;
	$fig{applied} += $applied;
	$fig{dups} += $dups;
	$fig{errors} += $errors;
	# one worker runs the whole chain; the others wait, then find nothing
	my @busy = grep { ($_->[0] // 0) > 0 } @res;
	$fig{single}++ if @busy == 1;
	$fig{idle} += grep { defined $_->[0] && $_->[0] == 0 } @res;
	if (@$problems)
	{
		$fig{bad}++;
		diag("round $round: $_") foreach @$problems;
	}
}
my $elapsed = time - $t0;
$_->quit foreach @workers;

diag(sprintf(
	"with the lock: %d sessions x %d rounds x %d revisions: %d revisions applied "
	  . "(expected %d), %d duplicates, %d errors, %d bad rounds, %.1f s",
	$nsessions, $fig{rounds}, $nrevs, $fig{applied}, $nrounds * $nrevs,
	$fig{dups}, $fig{errors}, $fig{bad}, $elapsed));
diag(sprintf("with the lock: %d/%d rounds run entirely by one worker; "
	  . "%d of %d worker calls found nothing left to do",
	$fig{single}, $fig{rounds}, $fig{idle}, $fig{rounds} * $nsessions));

is($fig{rounds}, $nrounds, "ran $nrounds rounds of $nsessions sessions");
is($fig{bad}, 0, 'every round applied every revision exactly once');
is($fig{applied}, $nrounds * $nrevs, 'workers applied every revision once in all');
is($fig{dups}, 0, 'no revision ran twice');
is($fig{errors}, 0, 'no worker failed');
is(ctl($ctl, 'SELECT count(*) || \'|\' || count(DISTINCT rev) FROM stress_log'),
	($nrounds * $nrevs) . '|' . ($nrounds * $nrevs), 'stress_log over all rounds');
is(ctl($ctl, "SELECT * FROM schemamig.current()"), "r${nrounds}_$nrevs",
	'current() is the last revision');
is(ctl($ctl, qq{SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND pid <> pg_backend_pid()}),
	'0', 'no advisory lock left behind');

# --- negative control: the same, without the lock -------------------------

SKIP:
{
	# GUC_NO_SHOW_ALL hides it from pg_settings; the library is loaded
	my $has_guc = ctl($ctl,
		q{SELECT current_setting('schemamig.debug_skip_lock', true) IS NOT NULL})
	  eq 't';
	skip 'schemamig.debug_skip_lock exists only in assert-enabled builds '
	  . '(COPT=-DUSE_ASSERT_CHECKING); negative control not run', 2
	  unless $has_guc;

	my @uw = map { session() } 1 .. $nsessions;
	foreach my $w (@uw)
	{
		send_sql($w, 'SET schemamig.debug_skip_lock = on; SHOW schemamig.debug_skip_lock');
		my ($out, $err) = collect($w);
		die "could not turn the lock off: $err" unless $out eq 'on' && $err eq '';
	}

	my %nfig = (rounds => 0, bad => 0, dups => 0, errors => 0);
	my $first_bad;
	$t0 = time;
	foreach my $i (1 .. $ncontrol)
	{
		my $round = 1000 + $i;
		my @ids = register_round('n', $round);
		my @res = run_round(\@uw);
		my ($problems, $dups, $errors) = check_round($round, \@ids, @res);
		$nfig{rounds}++;
		$nfig{dups} += $dups;
		$nfig{errors} += $errors;
		if (@$problems)
		{
			$nfig{bad}++;
			$first_bad //= "round $i: "
			  . join('; ', map { substr($_, 0, 300) } @$problems);
			last if $control_stop;
		}
		# catch up in case every worker failed (the lock is on here)
		ctl($ctl, "SELECT count(*) FROM schemamig.upgrade('head')");
	}
	$_->quit foreach @uw;

	diag(sprintf(
		"without the lock (negative control): %d bad round(s) out of %d, "
		  . "%d duplicates, %d worker errors, %.1f s",
		$nfig{bad}, $nfig{rounds}, $nfig{dups}, $nfig{errors},
		time - $t0));
	diag("first bad round: $first_bad") if defined $first_bad;
	cmp_ok($nfig{bad}, '>=', 1,
		'negative control: without the lock the test sees a bad round');
	ok($nfig{dups} > 0 || $nfig{errors} > 0,
		'negative control: the bad round shows duplicates or errors');
}

$ctl->quit;

# the server survived it all
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|TRAP:|PANIC:/,
	'no crash, no failed assertion in the server log');

$node->stop;
done_testing();
