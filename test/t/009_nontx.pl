# Revisions without a transaction (issue 18): CREATE INDEX CONCURRENTLY run
# by CALL schemamig.migrate() in a background worker.
#
#  1. a build on a 200k-row table while another session inserts: the
#     longest insert latency is printed (not asserted: timing);
#  2. while a build waits for a long reader's snapshot (the progress view
#     names the reader): upgrade() fails at
#     once (lease), a second migrate() waits and applies nothing twice;
#     a cancel of the caller stops the worker (no orphan) and the invalid
#     index is dropped;
#  3. pg_terminate_backend() of the caller mid-build: no orphan worker, and
#     the next run drops the invalid index and builds it;
#  4. a crash of the server mid-build, then a rerun: applied exactly once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('nontx');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION schemamig;
	CREATE TABLE big (id bigserial PRIMARY KEY, v int);
	INSERT INTO big (v) SELECT g % 1000 FROM generate_series(1, 200000) g;
	CREATE TABLE t (id int, v int);
	INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 5000) g;
	CREATE TABLE other (id int);
});

# one revision per scenario, each a CIC after the one before
my $script = '';
my $parent = '';
for my $r (['x1', 'big_v', 'big'], ['x2', 't_v2', 't'], ['x3', 't_v3', 't'],
	['x4', 't_v4', 't'])
{
	my ($id, $ix, $tab) = @$r;
	$script .= "-- schemamig:revision $id\n";
	$script .= "-- schemamig:down_revision $parent\n" if $parent;
	$script .= "-- schemamig:transaction off\n-- schemamig:upgrade\n";
	$script .= "CREATE INDEX CONCURRENTLY $ix ON $tab (v);\n";
	$script .= "-- schemamig:downgrade\nDROP INDEX CONCURRENTLY $ix;\n";
	$parent = $id;
}
$node->safe_psql('postgres',
	"SELECT count(*) FROM schemamig.register(\$s\$\n$script\$s\$)");

# CALL schemamig.migrate(target) in a psql of its own, in the background
sub start_migrate
{
	my ($target) = @_;
	my %h = (out => '', err => '');
	$h{run} = IPC::Run::start(
		[ 'psql', '-X', '-q', '-d', $node->connstr('postgres'),
		  '-c', "CALL schemamig.migrate('$target')" ],
		'>', \$h{out}, '2>', \$h{err});
	return \%h;
}

sub poll_until
{
	my ($sql, $want) = @_;
	my $deadline = time + 60;
	my $got = '';
	while (time < $deadline)
	{
		$got = $node->safe_psql('postgres', $sql);
		return $got if $got eq $want;
		usleep(50_000);
	}
	return $got;
}

my $workers = q{SELECT count(*) FROM pg_stat_activity
	WHERE backend_type = 'schemamig worker'};
my $waiting = q{SELECT count(*) FROM pg_stat_progress_create_index
	WHERE phase = 'waiting for old snapshots'};
my $caller = q{SELECT pid FROM pg_stat_activity
	WHERE query LIKE 'schemamig: upgrade %, in background worker pid %'};
my $invalid = q{SELECT count(*) FROM pg_index i JOIN pg_class c
	ON c.oid = i.indexrelid WHERE NOT i.indisvalid AND c.relname LIKE 't_v%'};

# 1. a build while another session inserts
{
	my $ins = $node->background_psql('postgres');
	my $m = start_migrate('x1');
	my ($n, $max) = (0, 0);
	while ($m->{run}->pumpable)
	{
		my $t0 = time;
		$ins->query_safe('INSERT INTO big (v) VALUES (1)');
		my $dt = time - $t0;
		$max = $dt if $dt > $max;
		$n++;
		# the CALL may end between pumpable and pump_nb: IPC::Run then
		# dies with "process ended prematurely", which only means done
		last unless eval { $m->{run}->pump_nb; 1 };
	}
	$m->{run}->finish;
	$ins->quit;
	note sprintf('CIC on 200k rows: %d inserts during the build, longest %.1f ms',
		$n, $max * 1000);
	diag sprintf('longest insert latency during the build: %.1f ms (%d inserts)',
		$max * 1000, $n);
	is($node->safe_psql('postgres',
			q{SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_v'::regclass}),
		't', 'build under inserts: the index is valid');
	is($node->safe_psql('postgres',
			q{SELECT count(*) FROM schemamig.applied WHERE revision = 'x1'}),
		'1', 'build under inserts: recorded');
}

# a reader whose snapshot the next builds wait for (it reads another table,
# so that dropping an invalid index on t does not wait for it)
sub start_reader
{
	my $r = $node->background_psql('postgres');
	$r->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
	$r->query_safe('SELECT count(*) FROM other');
	return $r;
}

# 2. lease, second migrate, cancel
{
	note 'scenario 2';
	my $reader = start_reader();
	my $m1 = start_migrate('x2');
	is(poll_until($waiting, '1'), '1', 'the build waits for the reader');
	# the index build's own progress view names the session it waits for
	my $reader_pid = $reader->query_safe('SELECT pg_backend_pid()');
	$reader_pid =~ s/\s+//g;
	is($node->safe_psql('postgres', q{SELECT current_locker_pid FROM pg_stat_progress_create_index}),
		$reader_pid, 'the progress view names the blocking reader');
	my $pid = $node->safe_psql('postgres', $caller);
	ok($pid =~ /^\d+$/, "the caller's activity names the step and the worker");
	my $worker = $node->safe_psql('postgres', q{
		SELECT substring(query FROM 'background worker pid (\d+)') FROM pg_stat_activity
		WHERE query LIKE 'schemamig: upgrade %, in background worker pid %'});
	is($node->safe_psql('postgres', qq{
		SELECT backend_type || ' ' || (usename = current_user)
		FROM pg_stat_activity WHERE pid = $worker}),
		'schemamig worker true', 'the worker is its own backend type, as the caller');

	my ($ret, $out, $err) = $node->psql('postgres',
		'SELECT revision FROM schemamig.upgrade()');
	like($err, qr/revision "x2" is running its statement 1 in a background worker/,
		'upgrade() during the build fails at once');

	note 'second migrate';
	my $m2 = start_migrate('x2');
	usleep(500_000);
	ok($m2->{run}->pumpable, 'a second migrate() waits for the lease');

	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	note 'cancelled';
	$m1->{run}->finish;
	note "m1: $m1->{err}";
	like($m1->{err}, qr/canceling statement due to user request/,
		'cancel of the caller: its error');
	is(poll_until("SELECT count(*) FROM pg_stat_activity WHERE pid = $worker", '0'),
		'0', 'cancel of the caller: its worker is gone');
	like($m1->{err}, qr/schemamig dropped the invalid index "t_v2"/,
		'cancel of the caller: the invalid index was dropped, and it says so');
	$reader->query_safe('COMMIT');
	$m2->{run}->finish;
	unlike($m2->{err}, qr/ERROR/, 'the second migrate() took over after the cancel');
	is(poll_until($workers, '0'), '0', 'no worker left');
	is($node->safe_psql('postgres',
			q{SELECT count(*) FROM schemamig.events WHERE revision = 'x2'}),
		'1', 'the second migrate() applied it once');
	is($node->safe_psql('postgres',
			q{SELECT indisvalid FROM pg_index WHERE indexrelid = 't_v2'::regclass}),
		't', 'and the index is valid');
	$reader->quit;
}

# 3. terminate the caller mid-build
{
	note 'scenario 3';
	my $reader = start_reader();
	my $m = start_migrate('x3');
	is(poll_until($waiting, '1'), '1', 'terminate: the build waits');
	my $pid = $node->safe_psql('postgres', $caller);
	$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
	$m->{run}->finish;
	is(poll_until($workers, '0'), '0', 'terminate of the caller: no orphan worker');
	$reader->query_safe('COMMIT');
	$reader->quit;
	my ($ret, $out, $err) = $node->psql('postgres', "CALL schemamig.migrate('x3')");
	is($ret, 0, 'terminate: the rerun succeeds');
	like($err, qr/dropping the invalid index "t_v3"/,
		'terminate: the rerun drops the invalid index first');
	is($node->safe_psql('postgres', $invalid), '0', 'terminate: no invalid index');
	is($node->safe_psql('postgres',
			q{SELECT count(*) FROM schemamig.events WHERE revision = 'x3'}),
		'1', 'terminate: recorded once');
}

# 4. crash mid-build, then rerun
{
	note 'scenario 4';
	my $reader = start_reader();
	my $m = start_migrate('x4');
	is(poll_until($waiting, '1'), '1', 'crash: the build waits');
	$node->stop('immediate');
	$m->{run}->finish;
	eval { $reader->quit; 1 };
	$node->start;
	my ($ret, $out, $err) = $node->psql('postgres', "CALL schemamig.migrate('x4')");
	is($ret, 0, 'crash: the rerun succeeds');
	is($node->safe_psql('postgres', $invalid), '0', 'crash: no invalid index');
	is($node->safe_psql('postgres',
			q{SELECT count(*) FROM schemamig.events WHERE revision = 'x4'}),
		'1', 'crash: applied exactly once');
	is($node->safe_psql('postgres', 'SELECT count(*) FROM schemamig.partial'),
		'0', 'crash: nothing partly run is left');
}

$node->stop;
done_testing();
