# Hot standby: revisions applied on the primary reach the standby (history
# rows and the objects they created); the reading functions work there and
# agree with the primary; every writing function refuses with a clear error
# before taking any lock.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION schemamig');

my $script = <<'EOS';
-- schemamig:revision sb1
-- schemamig:message first table
-- schemamig:upgrade
CREATE TABLE sb_one (id int PRIMARY KEY);
-- schemamig:downgrade
DROP TABLE sb_one;
-- schemamig:revision sb2
-- schemamig:down_revision sb1
-- schemamig:upgrade
CREATE TABLE sb_two (id int REFERENCES sb_one);
-- schemamig:downgrade
DROP TABLE sb_two;
EOS
$primary->safe_psql('postgres',
	"SELECT count(*) FROM schemamig.apply(\$s\$$script\$s\$)");

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

# a third revision after the standby started: it arrives by streaming
$primary->safe_psql('postgres', q{
	SELECT schemamig.revision('third', 'CREATE TABLE sb_three (id int);',
		'DROP TABLE sb_three;', revision => 'sb3');
	SELECT count(*) FROM schemamig.upgrade();
});
$primary->wait_for_catchup($standby);

my $status_sql = q{SELECT revision, down_revisions, message, state,
	applied_at, applied_by, is_head, is_current FROM schemamig.status()};
my $tables_sql = q{SELECT string_agg(tablename, ',' ORDER BY tablename)
	FROM pg_tables WHERE tablename LIKE 'sb\_%'};

is($standby->safe_psql('postgres', $status_sql),
	$primary->safe_psql('postgres', $status_sql),
	'status() on the standby equals status() on the primary');
is($standby->safe_psql('postgres', 'SELECT * FROM schemamig.current()'),
	'sb3', 'current() on the standby');
is($standby->safe_psql('postgres', $tables_sql),
	'sb_one,sb_three,sb_two', 'the objects the revisions made are on the standby');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM schemamig.check()'),
	'0', 'check() works on the standby');
like($standby->safe_psql('postgres', 'SELECT schemamig.downgrade_sql(\'base\')'),
	qr/Running downgrade sb3 -> sb2/, 'offline scripts work on the standby');

# reading takes no transaction id
is($standby->safe_psql('postgres', q{
	BEGIN;
	SELECT count(*) FROM schemamig.status();
	SELECT count(*) FROM schemamig.history();
	SELECT pg_current_xact_id_if_assigned() IS NULL;
	COMMIT;}), "3\n3\nt", 'reading functions need no transaction id');

foreach my $call (
	q{SELECT * FROM schemamig.upgrade()},
	q{SELECT * FROM schemamig.downgrade('base')},
	q{SELECT * FROM schemamig.stamp('base')},
	q{SELECT * FROM schemamig.register('-- schemamig:revision x
-- schemamig:upgrade')},
	q{SELECT schemamig.revision('x', '')},
	q{SELECT schemamig.forget('sb3')})
{
	my ($fname) = $call =~ /schemamig\.(\w+)\(/;
	my ($ret, $stdout, $stderr) = $standby->psql('postgres', $call);
	isnt($ret, 0, "$fname() fails on the standby");
	like($stderr,
		qr/cannot run schemamig\.$fname\(\) on a hot standby/,
		"$fname() names the reason");
}
is($standby->safe_psql('postgres',
		q{SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'}),
	'0', 'no advisory lock was taken on the standby');

$standby->stop;
$primary->stop;
done_testing();
