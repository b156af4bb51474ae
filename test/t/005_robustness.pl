# Robustness: TESTPLAN.md cases B5 (malformed text), R3 (deep and wide
# graphs) and R4 (memory).
#
# B5  Empty, blank and comment-only scripts; unterminated /* , $$ and quotes
#     in a body; invalid UTF-8 and NUL bytes (refused by the server when the
#     text is made, before schemamig is called: 22021 and friends; only a
#     SQL_ASCII database lets such bytes through, and that must be clean
#     too); a script of SCHEMAMIG_BIG_MB (100) MB and one body of
#     SCHEMAMIG_BIG_STATEMENTS (1,000,000) statements: success or a clean
#     error, with time and memory printed; with statement_timeout = 1s,
#     pathological calls end in < 3 s.
# R3  A linear chain of SCHEMAMIG_CHAIN (100,000) revisions: register,
#     upgrade('head'), status(), history(), downgrade('base'); a merge of
#     SCHEMAMIG_WIDE (10,000) roots, from a script and with merge().  Each
#     step succeeds or fails with a 54xxx error; timings printed.
# R4  10,000 status() calls in one session: memory context total grows
#     < 1 MB between call 1,000 and call 10,000 (and likewise for the other
#     reading functions and for calls that fail); one upgrade() over 1,000
#     revisions of ~10 KB SQL: the backend's private memory (RssAnon, sampled
#     from /proc/<pid>/status while it runs) grows < 64 MB.  VmHWM is printed
#     too; it also counts the shared buffers the backend touched.
#
# Every figure is printed with diag.  No crash: psql never loses the server,
# and the log has no "terminated by signal" line.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);

my $chain_n = $ENV{SCHEMAMIG_CHAIN} || 100000;
my $wide_n = $ENV{SCHEMAMIG_WIDE} || 10000;
my $big_mb = $ENV{SCHEMAMIG_BIG_MB} || 100;
my $big_stmts = $ENV{SCHEMAMIG_BIG_STATEMENTS} || 1000000;
my $cancel_ids = $ENV{SCHEMAMIG_CANCEL_IDS} || 100000;
my $file_start = time;

my $node = PostgreSQL::Test::Cluster->new('robust');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
# 1,000 revisions creating a table each run in one transaction
$node->append_conf('postgresql.conf', 'max_locks_per_transaction = 4096');
$node->start;
my $tmp = PostgreSQL::Test::Utils::tempdir();

foreach my $db (qw(b5 chain wide r4 r4big crlf))
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION schemamig');
}
$node->safe_psql('postgres',
	q{CREATE DATABASE ascii TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'});
$node->safe_psql('ascii', 'CREATE EXTENSION schemamig');

# --------------------------------------------------------------------------
# helpers

# run SQL through psql; ret is psql's exit code (0 ok, 3 SQL error, 2 lost
# connection), state the SQLSTATE of the first error
sub run_sql
{
	my ($db, $sql) = @_;
	my $t0 = time;
	my ($ret, $out, $err) =
	  $node->psql($db, "\\set VERBOSITY verbose\n$sql", on_error_stop => 1);
	my ($state) = $err =~ /ERROR:  ([0-9A-Z]{5}):/;
	return {
		ret => $ret,
		out => $out,
		err => $err,
		state => $state // '',
		secs => time - $t0
	};
}

# memory figures of a process, in kB
sub proc_status
{
	my ($pid) = @_;
	my %s;
	open(my $fh, '<', "/proc/$pid/status") or return ();
	while (<$fh>)
	{
		$s{$1} = $2 if /^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):\s+(\d+) kB/;
	}
	close $fh;
	return %s;
}

# Run $sql (one statement) in a fresh session after $setup, sampling the
# backend's /proc/<pid>/status every few milliseconds.  Output lines of
# $sql that start with "R=" are returned in {rows}.  {secs} is the
# statement's time on the server clock; memory growths are in MB.
sub measure
{
	my ($db, $sql, $setup) = @_;
	my $input = "\\set VERBOSITY verbose\nSET client_min_messages = warning;\n"
	  . ($setup // '')
	  . "\nSELECT 'PID=' || pg_backend_pid();\nSELECT pg_sleep(0.2);\n"
	  . "SELECT 'T0=' || extract(epoch FROM clock_timestamp());\n"
	  . "$sql;\n"
	  . "SELECT 'T1=' || extract(epoch FROM clock_timestamp());\n"
	  . "SELECT 'DONE';\nSELECT pg_sleep(0.3);\n\\q\n";
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			$node->installed_command('psql'), '-XAtq',
			'-v', 'ON_ERROR_STOP=0',
			'-d', $node->connstr($db),
			'-f', '-'
		],
		'<', \$input, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my ($pid, %base, %peak, %final);
	while ($h->pumpable)
	{
		# psql may end between pumpable and pump_nb: IPC::Run then dies
		# with "process ended prematurely", which only means done
		last unless eval { $h->pump_nb; 1 };
		if (!$pid && $out =~ /^PID=(\d+)$/m)
		{
			$pid = $1;
			%base = proc_status($pid);
		}
		if ($pid)
		{
			my %s = proc_status($pid);
			foreach my $k (keys %s)
			{
				$peak{$k} = $s{$k} if !defined $peak{$k} || $s{$k} > $peak{$k};
			}
			%final = %s if !%final && %s && $out =~ /^DONE$/m;
		}
		usleep(3000);
	}
	$h->finish;
	my ($t0) = $out =~ /^T0=([\d.]+)$/m;
	my ($t1) = $out =~ /^T1=([\d.]+)$/m;
	my ($state) = $err =~ /ERROR:  ([0-9A-Z]{5}):/;
	my @rows = map { /^R=(.*)$/ ? $1 : () } split /\n/, $out;
	return {
		rows => \@rows,
		err => $err,
		state => $state // '',
		ok => ($err !~ /ERROR:/),
		crashed => ($err =~ /server closed the connection|terminated abnormally/)
		  || !defined $t1,
		secs => (defined $t0 && defined $t1) ? $t1 - $t0 : -1,
		anon_mb => (($peak{RssAnon} // 0) - ($base{RssAnon} // 0)) / 1024,
		hwm_mb => (($final{VmHWM} // $peak{VmHWM} // 0) - ($base{VmHWM} // 0)) / 1024,
		shmem_mb => (($peak{RssShmem} // 0) - ($base{RssShmem} // 0)) / 1024,
	};
}

sub report
{
	my ($label, $r) = @_;
	diag(
		sprintf(
			"%-46s %7.2f s  %s  private peak +%.1f MB, VmHWM +%.1f MB (shared buffers +%.1f MB)",
			$label, $r->{secs},
			$r->{ok} ? 'ok' : "ERROR $r->{state}",
			$r->{anon_mb}, $r->{hwm_mb}, $r->{shmem_mb}));
}

# a step that must succeed or fail with a 54xxx error, without a crash
sub ok_or_54
{
	my ($label, $r) = @_;
	report($label, $r);
	ok(!$r->{crashed}, "$label: no crash");
	ok($r->{ok} || $r->{state} =~ /^54/,
		"$label: succeeds or fails with a 54xxx error")
	  or diag($r->{err});
	return $r->{ok};
}

sub revision_count
{
	my ($db) = @_;
	return $node->safe_psql($db, 'SELECT count(*) FROM schemamig.revisions');
}

my $schemamig_source = qr/\b(?:script|statements|register|runner|graph|catalog|reading|offline)\.c:/;

# --------------------------------------------------------------------------
# B5: malformed text

my $up = q{-- schemamig:revision r1\n-- schemamig:upgrade\n};
my @syntax_cases = (
	[ 'empty script', q{schemamig.register('')}, qr/script contains no revision/ ],
	[
		'whitespace-only script',
		q{schemamig.register(E'  \n\t\r\n\f\n   ')},
		qr/script contains no revision/
	],
	[
		'comment-only script',
		q{schemamig.register(E'-- one\n/* two\n three */\n  -- schemamig is not a directive\n')},
		qr/script contains no revision/
	],
	[
		'unterminated /* in an upgrade body',
		qq{schemamig.register(E'${up}CREATE TABLE b5a (a int);\n/* never closed\n')},
		qr/unterminated \/\* comment/
	],
	[
		'unterminated $$ in an upgrade body',
		qq{schemamig.register(E'${up}DO \$\$ BEGIN PERFORM 1;\n')},
		qr/unterminated dollar-quoted string/
	],
	[
		'unterminated $tag$ in an upgrade body',
		qq{schemamig.register(E'${up}SELECT \$f\$ abc \$g\$;\n-- schemamig:downgrade\nSELECT 1;\n')},
		qr/unterminated dollar-quoted string/
	],
	[
		"unterminated ' in an upgrade body",
		qq{schemamig.register(E'${up}SELECT \\'abc;\n-- schemamig:downgrade\nSELECT \\'def\\';\n')},
		qr/unterminated quoted string/
	],
	[
		'unterminated " in an upgrade body',
		qq{schemamig.register(E'${up}SELECT "abc;\n')},
		qr/unterminated quoted identifier/
	],
	[
		'unterminated /* in a downgrade body',
		qq{schemamig.register(E'${up}SELECT 1;\n-- schemamig:downgrade\nSELECT 2; /* x\n')},
		qr/unterminated \/\* comment/
	],
	[
		'unterminated /* through revision()',
		q{schemamig.revision('m', 'SELECT 1; /* x')},
		qr/unterminated \/\* comment/
	],
	[
		'unterminated $$ through revision() downgrade',
		q{schemamig.revision('m', 'SELECT 1', 'DO $$ BEGIN')},
		qr/unterminated dollar-quoted string/
	],
	[
		'psql meta-command of multibyte characters cut at 32 bytes',
		qq{schemamig.register(E'${up}SELECT 1;\n\\\\} . ("\xc3\xa9" x 20) . q{ x\n')},
		qr/psql meta-command "\\(?:\xc3\xa9){15}"/
	],
	[
		'nesting too deep for the grammar',
		q{schemamig.register(E'-- schemamig:revision r1\n-- schemamig:upgrade\nSELECT '
		  || repeat('(', 100000) || '1' || repeat(')', 100000) || ';')},
		qr/memory exhausted/
	],
);
foreach my $case (@syntax_cases)
{
	my ($name, $call, $re) = @$case;
	my $r = run_sql('b5', "SELECT * FROM $call");
	is($r->{ret}, 3, "B5 $name: an error, not a crash");
	is($r->{state}, '42601', "B5 $name: SQLSTATE 42601");
	like($r->{err}, $re, "B5 $name: message") or diag($r->{err});
}
is(revision_count('b5'), '0', 'B5: no malformed script registered anything');

# Bytes the server refuses while making the text: schemamig is never called.
# The same script with valid bytes would register revision "enc".
my $valid_hex = unpack('H*',
	"-- schemamig:revision enc\n-- schemamig:upgrade\nSELECT 1; -- X\n");
my @input_cases = (
	[
		'invalid UTF-8 via convert_from(bytea)',
		"SELECT * FROM schemamig.register(convert_from('\\x"
		  . ($valid_hex =~ s/58(0a)$/ff$1/r) . "'::bytea, 'UTF8'))",
		'22021', qr/invalid byte sequence for encoding "UTF8": 0xff/
	],
	[
		'NUL byte via convert_from(bytea)',
		"SELECT * FROM schemamig.register(convert_from('\\x"
		  . ($valid_hex =~ s/58(0a)$/00$1/r) . "'::bytea, 'UTF8'))",
		'22021', qr/invalid byte sequence for encoding "UTF8": 0x00/
	],
	[
		'truncated UTF-8 sequence via convert_from(bytea)',
		"SELECT * FROM schemamig.register(convert_from('\\x"
		  . ($valid_hex =~ s/58(0a)$/e282$1/r) . "'::bytea, 'UTF8'))",
		'22021', qr/invalid byte sequence for encoding "UTF8": 0xe2 0x82/
	],
	[
		'NUL byte via an E\'\\000\' escape',
		q{SELECT * FROM schemamig.register(E'-- schemamig:revision enc\n-- schemamig:upgrade\nSELECT 1; -- \000\n')},
		'22021', qr/invalid byte sequence for encoding "UTF8": 0x00/
	],
	[
		'NUL byte via a U&\'\\0000\' escape',
		q{SELECT * FROM schemamig.register(E'-- schemamig:revision enc\n' || U&'\0000')},
		'42601', qr/invalid Unicode escape value/
	],
	[
		'NUL byte via chr(0)',
		q{SELECT * FROM schemamig.register(E'-- schemamig:revision enc\n-- schemamig:upgrade\nSELECT 1; -- ' || chr(0))},
		'54000', qr/null character not permitted/
	],
	[
		'raw 0xff byte sent by the client',
		q{SELECT * FROM schemamig.register(E'-- schemamig:revision enc\n-- schemamig:upgrade\nSELECT 1; -- }
		  . "\xff" . q{\n')},
		'22021', qr/invalid byte sequence for encoding "UTF8": 0xff/
	],
);
foreach my $case (@input_cases)
{
	my ($name, $sql, $state, $re) = @$case;
	my $r = run_sql('b5', $sql);
	is($r->{ret}, 3, "B5 $name: an error, not a crash");
	is($r->{state}, $state, "B5 $name: SQLSTATE $state");
	like($r->{err}, $re, "B5 $name: message") or diag($r->{err});
	unlike($r->{err}, $schemamig_source,
		"B5 $name: raised outside schemamig's code");
	unlike($r->{err}, qr/CONTEXT:.*revision/, "B5 $name: no schemamig context");
}
is(revision_count('b5'), '0', 'B5: no refused input registered anything');

# the control: the same bytes as valid UTF-8 reach schemamig and register
my $r = run_sql('b5',
	"BEGIN; SELECT * FROM schemamig.register(convert_from('\\x$valid_hex'::bytea, 'UTF8')); ROLLBACK;");
is($r->{out}, "enc|added", 'B5 control: the valid bytes register revision "enc"');

# bytes that do become text reach schemamig and get its clean errors
$r = run_sql('b5', q{SELECT * FROM schemamig.register('\xff'::bytea::text)});
is($r->{state}, '42601', 'B5 bytea cast to text (hex form) is text before the first revision: 42601');
like($r->{err}, $schemamig_source, 'B5 bytea cast to text reaches schemamig');
$r = run_sql('b5',
	q{SELECT * FROM schemamig.register(convert_from('\x2d2d20736368656d616d69673a7265766973696f6e2061ff0a'::bytea, 'LATIN1'))});
is($r->{state}, '42602', 'B5 LATIN1 0xff decoded to U+00FF in a revision id: 42602');

# In a SQL_ASCII database any byte but NUL reaches schemamig.
$r = run_sql('ascii',
	"SET client_min_messages = warning;\n"
	  . "SELECT * FROM schemamig.register(E'-- schemamig:revision hi\\n-- schemamig:message m\xff\xfe\\n"
	  . "-- schemamig:upgrade\\nCREATE TABLE \"t\xff\x80\" (\"c\xe2\x82\" text DEFAULT \\'\xc3\x28\\');\\n/* \xff */\\n"
	  . "-- schemamig:downgrade\\nDROP TABLE \"t\xff\x80\";\\n');\n"
	  . "SELECT count(*) FROM schemamig.upgrade('head');\n"
	  . "SELECT count(*) FROM schemamig.downgrade('base');\n");
is($r->{ret}, 0, 'B5 SQL_ASCII: high bytes in message, identifiers, literals and comments register and run')
  or diag($r->{err});
$r = run_sql('ascii',
	"SELECT * FROM schemamig.register(E'-- schemamig:revision hm\\n-- schemamig:upgrade\\n\\\\\xff\xfe\xfd\xfc" . ("\xe2" x 40) . "\\n')");
is($r->{state}, '42601', 'B5 SQL_ASCII: meta-command made of high bytes: 42601');
like($r->{err}, qr/psql meta-command/, 'B5 SQL_ASCII: named as a psql meta-command');
$r = run_sql('ascii',
	"SELECT * FROM schemamig.register(E'-- schemamig:revision h\xff\\n-- schemamig:upgrade\\n')");
is($r->{state}, '42602', 'B5 SQL_ASCII: high byte in a revision id: 42602');

# Comments outside bodies: unterminated ones are refused, nested ones work.
$r = run_sql('b5',
	q{BEGIN; SELECT * FROM schemamig.register(E'/* never closed\n-- schemamig:revision p1\n-- schemamig:upgrade\nSELECT 1;\n'); ROLLBACK;});
is($r->{state}, '42601', 'B5 unterminated /* before the first block: 42601');
$r = run_sql('b5',
	q{BEGIN; SELECT * FROM schemamig.register(E'-- schemamig:revision p2\n/* never closed\n-- schemamig:upgrade\nSELECT 1;\n'); ROLLBACK;});
is($r->{state}, '42601', 'B5 unterminated /* in a block header: 42601');
$r = run_sql('b5',
	q{BEGIN; SELECT * FROM schemamig.register(E'/* a /* nested */ comment */\n-- schemamig:revision p3\n-- schemamig:upgrade\nSELECT 1;\n'); ROLLBACK;});
is($r->{ret}, 0, 'B5 nested block comment before the first block is accepted');

# A bare CR ends a -- comment for the server and psql: a directive holding
# one is refused, the offline script never lets one escape its comment, and
# a statement after a CR in a trailing "--" line is kept.
$node->safe_psql('crlf', 'CREATE TABLE victim (a int)');
$r = run_sql('crlf',
	q{SELECT * FROM schemamig.register(E'-- schemamig:revision cr1\n-- schemamig:message m\rDROP TABLE victim; --\n-- schemamig:upgrade\nCREATE TABLE cr1 ();\n-- schemamig:downgrade\nDROP TABLE cr1;\n')});
is($r->{state}, '42601', 'B5 a carriage return inside a directive: 42601');
$node->safe_psql('crlf',
	q{SELECT * FROM schemamig.register(E'-- schemamig:revision cr1\n-- schemamig:message m\n-- schemamig:upgrade\nCREATE TABLE cr1 ();\n-- schemamig:downgrade\nDROP TABLE cr1;\n')});
# a message edited in the table by hand still cannot escape the comment
$node->safe_psql('crlf',
	q{UPDATE schemamig.revisions SET message = E'm\rDROP TABLE victim; --' WHERE revision = 'cr1'});
my $offline = $node->safe_psql('crlf', q{SELECT schemamig.upgrade_sql('cr1')});
$node->psql('crlf', $offline);
is($node->safe_psql('crlf', q{SELECT to_regclass('victim') IS NOT NULL}),
	't', 'B5 the offline script runs no SQL hidden after a CR in a message');
$node->safe_psql('crlf',
	q{SELECT * FROM schemamig.register(E'-- schemamig:revision cr2\n-- schemamig:down_revision cr1\n-- schemamig:upgrade\nSELECT 1;\n-- c\rCREATE TABLE cr2_mid ();\nSELECT 2;\n-- c\rCREATE TABLE cr2_end ();\n')});
like($node->safe_psql('crlf', q{SELECT upgrade_sql FROM schemamig.show('cr2')}),
	qr/cr2_end/, 'B5 the stored body keeps a statement after a CR in its last line');

# A 100 MB script: one revision whose upgrade is a 100 MB comment.
my $big_file = "$tmp/big.sql";
{
	open(my $fh, '>', $big_file) or die "$big_file: $!";
	print $fh "-- schemamig:revision big\n-- schemamig:message $big_mb MB\n"
	  . "-- schemamig:upgrade\nCREATE TABLE big_t (a int);\n/*";
	my $mb = 'x' x (1024 * 1024);
	print $fh $mb for 1 .. $big_mb;
	print $fh "*/\n-- schemamig:downgrade\nDROP TABLE big_t;\n";
	close $fh;
}
my $big_bytes = -s $big_file;
$r = measure('b5',
	"SELECT 'R=' || count(*) FROM schemamig.register(pg_read_file('$big_file'))");
if (ok_or_54("B5 register a $big_mb MB script", $r))
{
	$r = measure('b5', q{SELECT 'R=' || count(*) FROM schemamig.upgrade('big')});
	ok_or_54("B5 upgrade the $big_mb MB revision", $r);
	$r = measure('b5', q{SELECT 'R=' || count(*) FROM schemamig.downgrade('base')});
	ok_or_54("B5 downgrade it", $r);
	$node->safe_psql('b5', q{SELECT schemamig.forget('big')});
}
# the same with a 1 s statement_timeout
$r = measure('b5',
	"SELECT 'R=' || count(*) FROM schemamig.register(pg_read_file('$big_file'))",
	"SET statement_timeout = '1s';");
report("B5 register $big_mb MB, statement_timeout 1s", $r);
ok(!$r->{crashed}, "B5 $big_mb MB with a timeout: no crash");
ok($r->{ok} || $r->{state} eq '57014', "B5 $big_mb MB with a timeout: done or 57014")
  or diag($r->{err});
cmp_ok($r->{secs}, '<', 3, "B5 $big_mb MB with a timeout: ended within 3 s");
is(revision_count('b5'), $r->{ok} ? '1' : '0', "B5 $big_mb MB with a timeout: all or nothing");
$node->safe_psql('b5', q{SELECT schemamig.forget('big')}) if $r->{ok};
unlink $big_file;

# One body of 1,000,000 small statements (~15 MB).
my $many_file = "$tmp/many.sql";
{
	open(my $fh, '>', $many_file) or die "$many_file: $!";
	print $fh "-- schemamig:revision many\n-- schemamig:upgrade\n";
	print $fh "SELECT $_;\n" for 1 .. $big_stmts;
	print $fh "-- schemamig:downgrade\n";
	close $fh;
}
diag(sprintf("B5 script sizes: %.1f MB (comment), %.1f MB (%d statements)",
		$big_bytes / 1048576, (-s $many_file) / 1048576, $big_stmts));
$r = measure('b5',
	"SELECT 'R=' || count(*) FROM schemamig.register(pg_read_file('$many_file'))");
if (ok_or_54("B5 register $big_stmts statements", $r))
{
	$r = measure('b5', q{SELECT 'R=' || count(*) FROM schemamig.upgrade('many')});
	ok_or_54("B5 upgrade $big_stmts statements", $r);
	is($r->{rows}[0], '1', "B5 $big_stmts statements: one revision applied") if $r->{ok};
	$node->safe_psql('b5',
		q{SET client_min_messages = warning; SELECT count(*) FROM schemamig.downgrade('base'); SELECT schemamig.forget('many')});
}
unlink $many_file;

# Cancellation: $cancel_ids roots and a merge whose down_revision line lists
# them all (~0.6 MB on one line), with statement_timeout = 1s.
my $wide_script_sql = sub {
	my ($n, $prefix) = @_;
	return "(SELECT string_agg(format(E'-- schemamig:revision ${prefix}%s\\n-- schemamig:upgrade\\nSELECT %s;\\n-- schemamig:downgrade\\n', i, i), '' ORDER BY i) FROM generate_series(1, $n) i)"
	  . " || E'-- schemamig:revision ${prefix}m\\n-- schemamig:down_revision '"
	  . " || (SELECT string_agg('${prefix}' || i, ' ') FROM generate_series(1, $n) i)"
	  . " || E'\\n-- schemamig:upgrade\\n-- schemamig:downgrade\\n'";
};
$r = measure('b5',
	"SELECT 'R=' || count(*) FROM schemamig.register(" . $wide_script_sql->($cancel_ids, 'k') . ')',
	"SET statement_timeout = '1s';");
report("B5 register $cancel_ids roots + merge, timeout 1s", $r);
ok(!$r->{crashed}, 'B5 huge down_revision list with a timeout: no crash');
is($r->{state}, '57014', 'B5 huge down_revision list with a timeout: cancelled (57014)')
  or diag($r->{err});
cmp_ok($r->{secs}, '<', 3, 'B5 huge down_revision list: cancelled within 3 s');
is(revision_count('b5'), '0', 'B5 huge down_revision list: nothing registered');

# --------------------------------------------------------------------------
# R3: a linear chain

my $chain_sql = "(SELECT string_agg(format(E'-- schemamig:revision c%s\\n-- schemamig:down_revision %s\\n-- schemamig:upgrade\\nSELECT %s;\\n-- schemamig:downgrade\\nSELECT %s;\\n', i, CASE WHEN i = 1 THEN 'base' ELSE 'c' || (i - 1) END, i, i), '' ORDER BY i) FROM generate_series(1, $chain_n) i)";
$r = measure('chain', "SELECT 'R=' || count(*) FROM schemamig.register($chain_sql)");
if (ok_or_54("R3 register a chain of $chain_n", $r))
{
	is($r->{rows}[0], $chain_n, "R3 chain: $chain_n rows from register()");

	$r = measure('chain', q{SELECT 'R=' || count(*) FROM schemamig.upgrade('head')},
		"SET statement_timeout = '1s';");
	report("R3 chain upgrade('head'), timeout 1s", $r);
	ok(!$r->{crashed}, 'R3 chain upgrade with a timeout: no crash');
	ok($r->{ok} || $r->{state} eq '57014', 'R3 chain upgrade with a timeout: done or 57014');
	cmp_ok($r->{secs}, '<', 3, 'R3 chain upgrade with a timeout: ended within 3 s');
	$node->safe_psql('chain', q{SET client_min_messages = warning; SELECT count(*) FROM schemamig.downgrade('base')})
	  if $r->{ok};

	$r = measure('chain', q{SELECT 'R=' || count(*) FROM schemamig.upgrade('head')});
	ok_or_54("R3 chain upgrade('head')", $r)
	  and is($r->{rows}[0], $chain_n, "R3 chain: $chain_n revisions applied");
	$r = measure('chain', q{SELECT 'R=' || count(*) FROM schemamig.status()});
	ok_or_54('R3 chain status()', $r)
	  and is($r->{rows}[0], $chain_n, "R3 chain: status() has $chain_n rows");
	$r = measure('chain', q{SELECT 'R=' || count(*) FROM schemamig.history()});
	ok_or_54('R3 chain history()', $r)
	  and is($r->{rows}[0], $chain_n, "R3 chain: history() has $chain_n rows");
	$r = measure('chain', q{SELECT 'R=' || string_agg(c, ',') FROM schemamig.current() c});
	ok_or_54('R3 chain current()', $r)
	  and is($r->{rows}[0], "c$chain_n", 'R3 chain: current() is the last revision');
	$r = measure('chain', q{SELECT 'R=' || count(*) FROM schemamig.downgrade('base')});
	ok_or_54("R3 chain downgrade('base')", $r)
	  and is($r->{rows}[0], $chain_n, "R3 chain: $chain_n revisions undone");
	is($node->safe_psql('chain', 'SELECT count(*) FROM schemamig.applied'),
		'0', 'R3 chain: nothing applied after downgrade to base');
}

# R3: a wide merge

$r = measure('wide',
	"SELECT 'R=' || count(*) FROM schemamig.register(" . $wide_script_sql->($wide_n, 'w') . ')');
if (ok_or_54("R3 register $wide_n roots + a merge of all", $r))
{
	$r = measure('wide', q{SELECT 'R=' || count(*) FROM schemamig.upgrade('head')});
	ok_or_54("R3 wide upgrade('head')", $r)
	  and is($r->{rows}[0], $wide_n + 1, 'R3 wide: every root and the merge applied');
	$r = measure('wide', q{SELECT 'R=' || count(*) FILTER (WHERE is_current) || '/' || count(*) FROM schemamig.status()});
	ok_or_54('R3 wide status()', $r)
	  and is($r->{rows}[0], '1/' . ($wide_n + 1), 'R3 wide: status() rows, one current');
	$r = measure('wide', q{SELECT 'R=' || count(*) FROM schemamig.history() WHERE is_mergepoint});
	ok_or_54('R3 wide history()', $r)
	  and is($r->{rows}[0], '1', 'R3 wide: one merge point');
	# -1 through the merge is ambiguous (as in Alembic); downgrading to one
	# of its parents undoes just the merge
	$r = measure('wide', q{SELECT 'R=' || count(*) FROM schemamig.downgrade('w1')});
	ok_or_54("R3 wide downgrade('w1')", $r)
	  and is($r->{rows}[0], '1', 'R3 wide: downgrade to a parent undoes the merge');
	is($node->safe_psql('wide', 'SELECT count(*) FROM schemamig.current()'),
		$wide_n, "R3 wide: $wide_n current heads after undoing the merge");
	$r = measure('wide', q{SELECT 'R=' || count(*) FROM schemamig.downgrade('base')});
	ok_or_54("R3 wide downgrade('base')", $r)
	  and is($r->{rows}[0], $wide_n, 'R3 wide: every root undone');
	$node->safe_psql('wide', q{SELECT schemamig.forget('wm')});
	$r = measure('wide', q{SELECT 'R=' || schemamig.merge(NULL, NULL, 'wm2')});
	ok_or_54("R3 wide merge() of $wide_n heads", $r)
	  and is($node->safe_psql('wide', q{SELECT cardinality(down_revisions) FROM schemamig.show('wm2')}),
		$wide_n, "R3 wide: merge() names $wide_n parents");
}

# --------------------------------------------------------------------------
# R4: memory of repeated calls in one session

$node->safe_psql('r4',
	q{SET client_min_messages = warning;
	SELECT count(*) FROM schemamig.register((SELECT string_agg(format(E'-- schemamig:revision s%s\n-- schemamig:down_revision %s\n-- schemamig:message step %s\n-- schemamig:upgrade\nCREATE TABLE s%s (id int);\n-- schemamig:downgrade\nDROP TABLE s%s;\n', i, CASE WHEN i = 1 THEN 'base' ELSE 's' || (i - 1) END, i, i, i), '' ORDER BY i) FROM generate_series(1, 50) i));
	SELECT count(*) FROM schemamig.upgrade('s25');});

my $bg = $node->background_psql('r4', on_error_stop => 0);
my $bgpid = $bg->query_safe('SELECT pg_backend_pid()');
my $memq = 'SELECT sum(total_bytes) FROM pg_backend_memory_contexts';
my $batch = "SELECT count(*) FROM schemamig.status();\n" x 1000;
my ($mem1, $mem10, %st1, %st10);
my $t0 = time;
foreach my $b (1 .. 10)
{
	my $out = $bg->query_safe($batch);
	is($out, join("\n", ('50') x 1000), "R4 status() batch $b: 1,000 calls, 50 rows each")
	  if $b == 1 || $b == 10;
	if ($b == 1)
	{
		$mem1 = $bg->query_safe($memq);
		%st1 = proc_status($bgpid);
	}
}
$mem10 = $bg->query_safe($memq);
%st10 = proc_status($bgpid);
diag(sprintf(
		"R4 10,000 status() calls: %.2f s; memory contexts %d -> %d bytes (%+d), RssAnon %d -> %d kB",
		time - $t0, $mem1, $mem10, $mem10 - $mem1, $st1{RssAnon} // -1, $st10{RssAnon} // -1));
cmp_ok($mem10 - $mem1, '<', 1024 * 1024,
	'R4 memory contexts grow < 1 MB from status() call 1,000 to call 10,000');

# the other reading functions, and calls that fail, likewise
my $mixed = join('',
	map {
		"SELECT count(*) FROM schemamig.history();\n"
		  . "SELECT count(*) FROM schemamig.history('s3:s20');\n"
		  . "SELECT count(*) FROM schemamig.check();\n"
		  . "SELECT count(*) FROM schemamig.current();\n"
		  . "SELECT count(*) FROM schemamig.heads();\n"
		  . "SELECT length(upgrade_sql) FROM schemamig.show('s7');\n"
		  . "SELECT length(schemamig.upgrade_sql('head'));\n"
		  . "SELECT length(schemamig.downgrade_sql('base'));\n"
		  . "SELECT * FROM schemamig.show('nope');\n"
		  . "SELECT * FROM schemamig.upgrade('s5-99');\n"
		  . "SELECT * FROM schemamig.register('-- schemamig:revision x\n-- schemamig:upgrade\nSELECT (');\n"
	} 1 .. 100);
my ($mmem1, $mmem5);
$t0 = time;
foreach my $b (1 .. 5)
{
	$bg->query($mixed);
	($mmem1) = $bg->query($memq) if $b == 1;
}
($mmem5) = $bg->query($memq);
diag(sprintf(
		"R4 5 x 100 rounds of 8 reading calls + 3 failing calls: %.2f s; memory contexts %d -> %d bytes (%+d)",
		time - $t0, $mmem1, $mmem5, $mmem5 - $mmem1));
cmp_ok($mmem5 - $mmem1, '<', 1024 * 1024,
	'R4 memory contexts grow < 1 MB over 400 more rounds of reading and failing calls');
$bg->quit;

# R4: peak memory of one upgrade() over 1,000 revisions of ~10 KB each
my $r4_file = "$tmp/r4big.sql";
{
	open(my $fh, '>', $r4_file) or die "$r4_file: $!";
	my $pad = 'x' x 60;
	foreach my $i (1 .. 1000)
	{
		print $fh "-- schemamig:revision m$i\n-- schemamig:down_revision "
		  . ($i == 1 ? 'base' : 'm' . ($i - 1))
		  . "\n-- schemamig:upgrade\nCREATE TABLE m_$i (id int, note text);\n";
		print $fh "INSERT INTO m_$i (id, note) VALUES ($_, '$pad');\n" for 1 .. 100;
		print $fh "-- schemamig:downgrade\nDROP TABLE m_$i;\n";
	}
	close $fh;
}
diag(sprintf('R4 script: 1,000 revisions, %.1f MB', (-s $r4_file) / 1048576));
$r = measure('r4big',
	"SELECT 'R=' || count(*) FROM schemamig.register(pg_read_file('$r4_file'))");
ok_or_54('R4 register 1,000 x 10 KB', $r);
$r = measure('r4big', q{SELECT 'R=' || count(*) FROM schemamig.upgrade('head')});
ok_or_54('R4 upgrade 1,000 x 10 KB', $r)
  and is($r->{rows}[0], '1000', 'R4: 1,000 revisions applied');
cmp_ok($r->{anon_mb}, '<', 64,
	'R4 private memory (RssAnon) of the backend grows < 64 MB during the upgrade');
diag(sprintf('R4 upgrade figures: RssAnon peak +%.1f MB; VmHWM +%.1f MB of which shared buffers +%.1f MB',
		$r->{anon_mb}, $r->{hwm_mb}, $r->{shmem_mb}));
is($node->safe_psql('r4big', q{SELECT count(*) FROM pg_class WHERE relname ~ '^m_\d+$'}),
	'1000', 'R4: the 1,000 tables exist');
unlink $r4_file;

# --------------------------------------------------------------------------
# the server never crashed

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is up');
my $log = slurp_file($node->logfile);
my @signals = $log =~ /(.*terminated by signal.*)/g;
is(scalar(@signals), 0, 'no "terminated by signal" in the server log')
  or diag(join("\n", @signals));
unlike($log, qr/TRAP:|PANIC:/, 'no assertion failure or PANIC in the server log');

diag(sprintf('005_robustness: %.1f s in all (chain %d, wide %d, %d MB, %d statements)',
		time - $file_start, $chain_n, $wide_n, $big_mb, $big_stmts));
$node->stop;
done_testing();
