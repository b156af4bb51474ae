# Fuzz: TESTPLAN.md case R6, as a bounded, deterministic TAP run over the
# two parsers that take user text.
#
# Scripts  register(text) and revision(message, upgrade, downgrade,
#          down_revision, revision, branch_label): the directive parser and
#          the statement splitter.  Inputs are the scripts embedded in
#          sql/*.sql and examples/*/*.sql, mutated (bit flips, byte
#          insertions and deletions, duplicated, deleted, swapped and
#          spliced lines, crossovers, directive fragments, quotes, $$, /*,
#          */, \, CR, long tokens, unicode), well-formed scripts whose SQL
#          bodies only are mutated, and scripts from a small grammar that
#          names the registered graph's ids and labels.  5% run with
#          standard_conforming_strings = off.  When one is accepted, a
#          follow-up in the same transaction reads the new graph back:
#          upgrade_sql('heads', 'base'), history(), status(), check() and
#          show() of every revision.
# Targets  upgrade_sql(t [, from]), downgrade_sql(t [, from]), history(t),
#          show(t), stamp(t): targets built from head, heads, base,
#          current, ids, id prefixes, labels, @, +, -, digits and :,
#          repeated and nested, then mutated, against a registered graph of
#          34 revisions (branches, labels, a merge, depends_on, an
#          irreversible revision, ids that look like relative targets or
#          numbers), partly applied (three current heads).
#
# Every case runs inside BEGIN ... ROLLBACK, so the graph stays fixed; the
# text reaches the server byte for byte through pg_read_file(path, offset,
# length) on one data file (checked by md5 on a sample), many cases per
# psql -f batch; the SQLSTATE of each case is echoed from psql's :SQLSTATE.
#
# Asserts: the server never crashes (psql never loses the connection; no
# "terminated by signal", "PANIC", "TRAP" or reference-leak line in the
# server log); every error has a SQLSTATE of an SQL error class (not XX,
# 58, 08, 53 or 57P); no case takes longer than SCHEMAMIG_FUZZ_SLOW (3)
# seconds (statement_timeout = 20s is only a safety net; a 57014 counts as
# slow); status(), check() and the events log are the same before and after.
#
# Knobs: SCHEMAMIG_FUZZ_SEED (default 6006, always printed),
# SCHEMAMIG_FUZZ_SCRIPTS (10000), SCHEMAMIG_FUZZ_TARGETS (10000),
# SCHEMAMIG_FUZZ_SLOW (3), SCHEMAMIG_FUZZ_BATCH (1000 cases per psql).
# Figures printed with diag: cases, accepted/refused per function, the
# SQLSTATE histogram with one message each, the most frequent messages,
# the slowest cases, elapsed time.  Every case's outcome is written to
# tmp_check/006_fuzz_results.tsv; a failing case gets a stand-alone
# reproduction, tmp_check/006_fuzz_case_<n>.sql, named in the output.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Encode qw(encode decode);
use Digest::SHA qw(sha1_hex);
use Digest::MD5 qw(md5_hex);
use File::Basename qw(dirname basename);
use Time::HiRes qw(time);
use Cwd ();

my $seed = $ENV{SCHEMAMIG_FUZZ_SEED} // 6006;
my $n_scripts = $ENV{SCHEMAMIG_FUZZ_SCRIPTS} // 10000;
my $n_targets = $ENV{SCHEMAMIG_FUZZ_TARGETS} // 10000;
my $slow_secs = $ENV{SCHEMAMIG_FUZZ_SLOW} // 3;
my $batch_size = $ENV{SCHEMAMIG_FUZZ_BATCH} || 1000;
my $t_start = time;
diag("fuzz seed $seed (set SCHEMAMIG_FUZZ_SEED=$seed to repeat), "
	  . "$n_scripts script cases, $n_targets target cases");
srand($seed);

# the repository: this file is test/t/006_fuzz.pl
my $repo = dirname(dirname(dirname(Cwd::abs_path(__FILE__))));

my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', "log_min_messages = warning\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION schemamig');
my $tmp = PostgreSQL::Test::Utils::tempdir();
my $outdir = $PostgreSQL::Test::Utils::tmp_check;

# --------------------------------------------------------------------------
# corpus

sub slurp
{
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "$f: $!";
	local $/;
	my $s = <$fh>;
	close $fh;
	return decode('UTF-8', $s);
}

sub unescape_e
{
	my ($s) = @_;
	my %map = (n => "\n", r => "\r", t => "\t", f => "\f", b => "\b");
	$s =~ s/\\([nrtfb\\'])/exists $map{$1} ? $map{$1} : $1/ge;
	return $s;
}

my @corpus;
foreach my $f (sort glob("$repo/sql/*.sql"))
{
	next if basename($f) =~ /^schemamig--/;
	my $src = slurp($f);
	push @corpus, $1 while $src =~ /\$s\$(.*?)\$s\$/gs;
	while ($src =~ /\b(?:register|apply)\(\s*(E?)'((?:[^']|'')*)'/gs)
	{
		my ($e, $lit) = ($1, $2);
		$lit =~ s/''/'/g;
		push @corpus, $e ? unescape_e($lit) : $lit;
	}
}
my $n_sql_corpus = scalar @corpus;
foreach my $dir (sort glob("$repo/examples/*"))
{
	my @files = sort glob("$dir/*.sql");
	next unless @files;
	my $all = '';
	foreach my $f (@files)
	{
		my $s = slurp($f);
		push @corpus, $s;
		$all .= $s . "\n";
	}
	push @corpus, $all;
}
ok(@corpus > 50,
	sprintf('corpus: %d scripts (%d from sql/*.sql, %d from examples)',
		scalar @corpus, $n_sql_corpus, @corpus - $n_sql_corpus));

# SQL bodies (text between directives) for revision()
my @bodies;
foreach my $s (@corpus)
{
	foreach my $part (split /^--\s*schemamig:.*$/m, $s)
	{
		push @bodies, $part if $part =~ /\S/;
	}
}

# --------------------------------------------------------------------------
# the graph the targets run against

sub hexid { return substr(sha1_hex("fuzz-graph-$_[0]"), 0, 12) }

my (%id, @graph);
$id{"M$_"} = hexid("M$_") foreach 1 .. 10;
$id{"B$_"} = hexid("B$_") foreach 1 .. 5;
$id{"U$_"} = hexid("U$_") foreach 1 .. 5;
$id{"X$_"} = hexid("X$_") foreach 1 .. 3;
$id{"D$_"} = hexid("D$_") foreach 1 .. 4;
$id{"R$_"} = hexid("R$_") foreach 1 .. 4;
$id{"C$_"} = hexid("C$_") foreach 1 .. 2;
$id{G} = hexid('G');
# ids that look like relative targets, numbers, prefixes of each other
$id{M3} = 'a1-b2';
$id{M5} = '7';
$id{B3} = 'rel-1';
$id{U2} = 'v1.2';
$id{U4} = 'ab';
$id{U5} = 'abc';
$id{X1} = '12';
$id{R1} = 'x_y';
$id{D2} = 'head1';

# [name, parents, labels, depends_on, irreversible]
my @shape = (
	[ 'M1', [] ],
	(map { [ "M$_", ["M" . ($_ - 1)] ] } 2 .. 10),
	[ 'B1', ['M4'], 'billing' ],
	(map { [ "B$_", ["B" . ($_ - 1)] ] } 2 .. 5),
	[ 'U1', ['M6'], 'users' ],
	(map { [ "U$_", ["U" . ($_ - 1)] ] } 2 .. 5),
	[ 'G', [ 'M10', 'B5' ] ],
	[ 'X1', ['G'] ],
	[ 'X2', ['X1'] ],
	[ 'X3', ['X2'] ],
	[ 'D1', ['X1'], 'L7 dbranch' ],
	(map { [ "D$_", ["D" . ($_ - 1)] ] } 2 .. 4),
	[ 'R1', [], 'other' ],
	[ 'R2', ['R1'], undef, ['U3'] ],
	[ 'R3', ['R2'], 'feat-2' ],
	[ 'R4', ['R3'] ],
	[ 'C1', ['M2'], 'cbranch' ],
	[ 'C2', ['C1'], undef, ['M8'], 1 ],);

my $graph_script = '';
foreach my $s (@shape)
{
	my ($name, $parents, $labels, $deps, $irrev) = @$s;
	$graph_script .= "-- schemamig:revision $id{$name}\n";
	$graph_script .= "-- schemamig:down_revision "
	  . join(' ', map { $id{$_} } @$parents) . "\n"
	  if @$parents;
	$graph_script .= "-- schemamig:message fuzz graph $name\n";
	$graph_script .= "-- schemamig:branch_labels $labels\n" if $labels;
	$graph_script .= "-- schemamig:depends_on "
	  . join(', ', map { $id{$_} } @$deps) . "\n"
	  if $deps;
	$graph_script .= "-- schemamig:upgrade\nSELECT 'up $name';\n";
	$graph_script .= "-- schemamig:downgrade\nSELECT 'down $name';\n"
	  unless $irrev;
}
push @corpus, $graph_script;
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM schemamig.register(\$g\$$graph_script\$g\$)"),
	scalar @shape,
	'graph of ' . scalar(@shape) . ' revisions registered');
$node->safe_psql('postgres', qq{
	SELECT count(*) FROM schemamig.upgrade('$id{M8}');
	SELECT count(*) FROM schemamig.upgrade('$id{U2}');
	SELECT count(*) FROM schemamig.upgrade('$id{R1}');});
is( $node->safe_psql('postgres',
		'SELECT string_agg(c, \' \' ORDER BY c) FROM schemamig.current() c'),
	join(' ', sort($id{M8}, $id{U2}, $id{R1})),
	'graph partly applied: three current heads');

my $state_sql = q{SELECT (SELECT string_agg(concat_ws('|', revision, state,
	is_head, is_current), ',' ORDER BY revision) FROM schemamig.status()),
	(SELECT count(*) FROM schemamig.check()),
	(SELECT count(*) FROM schemamig.events)};
my $state_before = $node->safe_psql('postgres', $state_sql);

my @ids = sort values %id;
my @labels = qw(billing users L7 dbranch other feat-2 cbranch);

# --------------------------------------------------------------------------
# random helpers (all from the seeded rand)

sub rint { return int(rand($_[0])) }
sub pick { return $_[ rint(scalar @_) ] }

sub chance { return rand() < $_[0] }

my @unicode = (
	"\x{e9}", "\x{fc}ber", "\x{feff}", "\x{2028}", "\x{2029}", "\x{a0}",
	"\x{1f600}", "e\x{301}", "\x{ff0d}\x{ff0d}", "\x{202e}", "\x{fffd}",
	"\x{10ffff}", "\x{3b1}\x{3b2}", "\x{5d0}", "\x{200b}", "\x{85}",
	"\x{7f}", "\x{1}", "\x{1b}[0m", "\x{d7ff}", "\x{e000}");

my @fragments = (
	'-- schemamig:', '--schemamig:', '-- schemamig: ', '-- schemamig:revision ',
	'-- schemamig:upgrade', '-- schemamig:downgrade',
	'-- schemamig:down_revision ', '-- schemamig:depends_on ',
	'-- schemamig:branch_labels ', '-- schemamig:message ',
	'-- SCHEMAMIG:REVISION ', '--  schemamig:upgrade', '-- schemamig :upgrade',
	'revision', 'upgrade', 'downgrade', 'down_revision', 'depends_on',
	'branch_labels', 'message', 'schemamig:', "'", '"', "''", '$$', '$a$',
	'$s$', '$1', '$', '/*', '*/', '/* /*', '--', '-', '\\', '\\\\', "\r",
	"\r\n", "\n", "\t", "\f", "\x0b", ';', ';;', 'E\'', 'U&\'', 'U&"',
	'\\connect x', '\\.', '\\set a 1', '\\i f', '\\gexec', '\\g',
	'COPY t FROM STDIN;', 'COPY t TO STDOUT;', 'BEGIN;', 'COMMIT;',
	'ROLLBACK;', 'SAVEPOINT s;', 'BEGIN ATOMIC', 'END;', 'END', 'CASE',
	'CREATE INDEX CONCURRENTLY i ON t (a);', 'VACUUM;', 'DO $$ BEGIN END $$;',
	'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;',
	'SELECT 1', 'SELECT', '(', ')', '[', ',', ' ', 'base', 'head', 'heads',
	'current', '@', '+', ':', ':=', '::', '%', 'x' x 65, 'NULL', '0x', '1e',
	'$x$', '$x', 'x$', '$_$', '\\$', '--\\', "--\r", "*/\n", '/*/', '/**/');

my @sql_fragments = grep { !/schemamig/i } @fragments;

sub random_id
{
	my $r = rint(12);
	return pick(@ids) if $r < 4;
	return substr(pick(@ids), 0, 1 + rint(4)) if $r == 4;
	return pick(@labels) if $r == 5;
	return pick(qw(base head heads current)) if $r == 6;
	return 'z' x (60 + rint(10)) if $r == 7;
	return pick(@unicode) if $r == 8;
	return join('', map { pick('a' .. 'f', 0 .. 9, '-', '_', '.', '@', '+', ':') }
		  1 .. 1 + rint(14));
}

sub long_token
{
	my $len = pick(65, 100, 1000, 10000, 100000, 1 + rint(5000));
	my $c = pick('x', 'a', '9', '-', '$', "'", '/', '*', ' ', "\n", "\x{e9}", '(', '[', '/*', 'ab ',
		'-- schemamig:upgrade', 'ab');
	my $s = $c x (1 + int($len / length($c)));
	return substr($s, 0, $len);
}

sub random_bytes_char
{
	return chr(rint(32)) if chance(0.3);
	return chr(32 + rint(95)) if chance(0.7);
	return pick(@unicode);
}

# ---------- script mutations

sub split_lines { return split /(?<=\n)/, $_[0] }

sub mutate_script
{
	my ($s, $sql_only) = @_;
	my $op = rint(16);
	my $len = length $s;
	if ($op == 0)
	{
		# bit flips on the UTF-8 bytes, repaired into valid UTF-8
		my $b = encode('UTF-8', $s);
		return $s if length $b == 0;
		for (1 .. 1 + rint(4))
		{
			my $p = rint(length $b);
			substr($b, $p, 1) = chr(ord(substr($b, $p, 1)) ^ (1 << rint(8)));
		}
		$s = decode('UTF-8', $b, Encode::FB_DEFAULT);
		$s =~ s/\0/\x{1}/g;
		return $s;
	}
	if ($op == 1)
	{
		substr($s, rint($len + 1), 0) = join('', map { random_bytes_char() } 1 .. 1 + rint(4));
		return $s;
	}
	if ($op == 2)
	{
		return $s if !$len;
		my $p = rint($len);
		substr($s, $p, 1 + rint(chance(0.8) ? 4 : 200)) = '';
		return $s;
	}
	if ($op == 3 || $op == 4 || $op == 5)
	{
		# a fragment at a random place or at the start of a line
		my $frag = $sql_only ? pick(@sql_fragments) : pick(@fragments);
		$frag .= random_id() if $frag =~ / $/ && chance(0.7);
		my @l = split_lines($s);
		if ($op == 3 || !@l)
		{
			substr($s, rint($len + 1), 0) = $frag;
			return $s;
		}
		my $i = rint(scalar @l + 1);
		splice(@l, $i, 0, $frag . (chance(0.8) ? "\n" : ''));
		return join('', @l);
	}
	if ($op == 6)
	{
		# duplicate a line or a run of lines
		my @l = split_lines($s);
		return $s if !@l;
		my $i = rint(scalar @l);
		my $n = 1 + rint(3);
		$n = @l - $i if $i + $n > @l;
		splice(@l, rint(scalar @l + 1), 0, @l[ $i .. $i + $n - 1 ]);
		return join('', @l);
	}
	if ($op == 7)
	{
		my @l = split_lines($s);
		return $s if !@l;
		splice(@l, rint(scalar @l), 1 + rint(2));
		return join('', @l);
	}
	if ($op == 8)
	{
		# splice lines of another script in
		my @l = split_lines($s);
		my @o = split_lines($sql_only ? pick(@bodies) : pick(@corpus));
		return $s if !@o;
		my $i = rint(scalar @o);
		my $n = 1 + rint(6);
		$n = @o - $i if $i + $n > @o;
		splice(@l, rint(scalar @l + 1), 0, @o[ $i .. $i + $n - 1 ]);
		return join('', @l);
	}
	if ($op == 9)
	{
		# crossover: head of this one, tail of another
		my $o = $sql_only ? pick(@bodies) : pick(@corpus);
		return substr($s, 0, rint($len + 1)) . substr($o, rint(length($o) + 1));
	}
	if ($op == 10)
	{
		substr($s, rint($len + 1), 0) = long_token();
		return $s;
	}
	if ($op == 11)
	{
		substr($s, rint($len + 1), 0) = pick(@unicode);
		return $s;
	}
	if ($op == 12)
	{
		# line ends: LF -> CRLF or CR, or strip the last newline
		my $r = rint(3);
		if ($r == 0) { $s =~ s/\n/\r\n/g }
		elsif ($r == 1) { my $p = rint($len + 1); my $t = substr($s, $p); $t =~ s/\n/\r/; substr($s, $p) = $t }
		else { $s =~ s/\n+\z// }
		return $s;
	}
	if ($op == 13)
	{
		# a directive's case or spacing
		my @l = split_lines($s);
		my @d = grep { $l[$_] =~ /schemamig:/ } 0 .. $#l;
		return $s if !@d;
		my $i = pick(@d);
		my $r = rint(4);
		if ($r == 0) { $l[$i] = uc $l[$i] }
		elsif ($r == 1) { $l[$i] =~ s/ /pick('  ', "\t", '', "\x{a0}")/e }
		elsif ($r == 2) { $l[$i] = ' ' . $l[$i] }
		else { $l[$i] =~ s/(\r?\n)?\z/pick(' ', ' x y', ' ,', ',,', ' base', ' ' . random_id()) . ($1 \/\/ '')/e }
		return join('', @l);
	}
	if ($op == 14)
	{
		# swap two lines
		my @l = split_lines($s);
		return $s if @l < 2;
		my ($i, $j) = (rint(scalar @l), rint(scalar @l));
		@l[ $i, $j ] = @l[ $j, $i ];
		return join('', @l);
	}
	# truncate
	return substr($s, 0, rint($len + 1));
}

# ---------- a script from a small grammar, naming the graph

sub gen_script
{
	my $out = '';
	$out .= pick("/* head */\n", "-- c\n", "\n", '') if chance(0.3);
	my @mine;
	for (1 .. 1 + rint(chance(0.9) ? 4 : 40))
	{
		my $rid = chance(0.15) ? random_id() : 'f' . rint(1000000);
		push @mine, $rid;
		$out .= "-- schemamig:revision $rid\n";
		my @hdr;
		push @hdr, '-- schemamig:down_revision '
		  . join(pick(' ', ', ', ','),
			map { chance(0.5) && @mine > 1 ? pick(@mine) : random_id() }
			  1 .. rint(4))
		  if chance(0.7);
		push @hdr, '-- schemamig:message ' . pick('m', '', random_id(), pick(@unicode))
		  if chance(0.4);
		push @hdr, '-- schemamig:branch_labels '
		  . join(' ', map { chance(0.5) ? pick(@labels) : random_id() } 1 .. rint(3))
		  if chance(0.2);
		push @hdr, '-- schemamig:depends_on '
		  . join(' ', map { random_id() } 1 .. rint(3))
		  if chance(0.2);
		push @hdr, pick('-- plain comment', '/* c */', '', '-- schemamig:' . pick(qw(revison foo upgrade downgrade)))
		  if chance(0.1);
		@hdr = reverse @hdr if chance(0.1);
		$out .= "$_\n" foreach @hdr;
		$out .= "-- schemamig:upgrade\n" if chance(0.95);
		$out .= pick(@bodies) if chance(0.7);
		$out .= pick(@fragments) . "\n" if chance(0.2);
		if (chance(0.6))
		{
			$out .= "-- schemamig:downgrade\n";
			$out .= pick(@bodies) if chance(0.6);
		}
	}
	return $out;
}

# ---------- a well-formed script whose SQL bodies only are mutated, so
# that the statement splitter gets most of the damage

my $valid_no = 0;

sub gen_valid_script
{
	my $out = '';
	my $prev = chance(0.5) ? pick(@ids) : undef;
	for (1 .. 1 + rint(4))
	{
		my $rid = 'v' . $valid_no++;
		$out .= "-- schemamig:revision $rid\n";
		$out .= "-- schemamig:down_revision $prev\n" if defined $prev;
		$out .= "-- schemamig:message valid $rid\n" if chance(0.5);
		$out .= "-- schemamig:upgrade\n" . pick(@bodies);
		$out .= "\n" if $out !~ /\n\z/;
		if (chance(0.7))
		{
			$out .= "-- schemamig:downgrade\n" . pick(@bodies);
			$out .= "\n" if $out !~ /\n\z/;
		}
		$prev = $rid;
	}
	return $out;
}

sub mutate_bodies
{
	my ($s) = @_;
	my @l = split_lines($s);
	my @body = grep { $l[$_] !~ /^--\s*schemamig:/ } 0 .. $#l;
	return mutate_script($s) if !@body;
	my $i = pick(@body);
	my $j = $i;
	$j++ while $j < $#l && $j - $i < rint(6) && $l[ $j + 1 ] !~ /^--\s*schemamig:/;
	my $seg = join('', @l[ $i .. $j ]);
	my $nl = $seg =~ s/\n\z// ? "\n" : '';
	$seg = mutate_script($seg, 1) for 1 .. 1 + rint(3);
	splice(@l, $i, $j - $i + 1, $seg . $nl);
	return join('', @l);
}

# ---------- targets

sub gen_number
{
	return rint(6) if chance(0.7);
	return pick(0, 10, 33, 99, '00001', '0', '007', 999999999, 1000000000,
		2147483647, 2147483648, 4294967296, '9' x 30, rint(50),
		'1' . ('0' x rint(12)));
}

sub target_atom
{
	my $r = rint(20);
	return pick(qw(head heads base current)) if $r < 4;
	return pick(@ids) if $r < 9;
	return substr(pick(@ids), 0, 1 + rint(6)) if $r < 12;
	return pick(@labels) if $r < 15;
	return gen_number() if $r == 15;
	return pick('', ' ', 'HEAD', 'Head', ' head', 'head ', 'none', 'x', '-', '+',
		'@', ':', '@head', '@base', pick(@unicode), "\n", "head\n", '%', '_', '.',
		'*', "'", '$$', '\\', '-0', '+0') if $r == 16;
	return long_token() if $r == 17;
	return random_id();
}

sub gen_target
{
	my ($depth) = @_;
	$depth //= 0;
	my $r = rint(20);
	return target_atom() if $r < 5 || $depth > 3;
	if ($r < 7)
	{
		return target_atom() . '@'
		  . pick('head', 'base', 'head', 'base', 'heads', '', 'HEAD', 'x', 'head@base', gen_target($depth + 1));
	}
	if ($r < 11)
	{
		return (chance(0.6) ? target_atom() : '') . pick('+', '-', '+', '-', '+-', '--', '++', '-+')
		  . gen_number();
	}
	if ($r < 13)
	{
		return gen_target($depth + 1) . pick('+', '-', '@', ':', '@head', '@base') . gen_target($depth + 1);
	}
	if ($r < 15)
	{
		# ranges
		return (chance(0.8) ? gen_target($depth + 1) : '') . ':' . (chance(0.8) ? gen_target($depth + 1) : '');
	}
	if ($r == 15)
	{
		# repetition
		my $t = pick('+1', '-1', '@head', ':', 'head', '@', '+', '-', '1', 'a', pick(@ids), '@base');
		return (chance(0.5) ? target_atom() : '') . ($t x (1 + rint(chance(0.9) ? 10 : 3000)));
	}
	if ($r == 16)
	{
		return mutate_target(gen_target($depth + 1));
	}
	if ($r == 17)
	{
		return join('', map { pick('h', 'e', 'a', 'd', 's', 'b', '@', '+', '-', ':', '1', '2', '0', 'c', 'u', 'r', 'n', 't', '7', 'x', '_', '.') } 1 .. 1 + rint(12));
	}
	return pick(@ids, @labels) . pick('+', '-') . gen_number();
}

sub mutate_target
{
	my ($t) = @_;
	my $len = length $t;
	my $r = rint(5);
	if ($r == 0 && $len) { substr($t, rint($len), 1) = '' }
	elsif ($r == 1) { substr($t, rint($len + 1), 0) = random_bytes_char() }
	elsif ($r == 2 && $len) { substr($t, rint($len), 1) = pick('@', '+', '-', ':', '1', ' ', 'a', "\x{e9}") }
	elsif ($r == 3) { $t = uc $t }
	else { substr($t, rint($len + 1), 0) = pick(@fragments) }
	return $t;
}

# --------------------------------------------------------------------------
# the cases: every text goes into one data file, read back by offset

my $datafile = "$tmp/fuzz.data";
my ($data, $data_off);

sub text_arg
{
	my ($s) = @_;
	return 'NULL' if !defined $s;
	my $b = encode_case_text($s);
	print $data $b;
	my $arg = "pg_read_file('$datafile', $data_off, " . length($b) . ")";
	$data_off += length $b;
	return $arg;
}

# each case: [kind, sql, [texts...]]
my @cases;
for (1 .. $n_scripts)
{
	my $r = rand();
	if ($r < 0.45)
	{
		my $s = pick(@corpus);
		$s = mutate_script($s) for 1 .. 1 + rint(chance(0.8) ? 3 : 12);
		push @cases, [ 'register/corpus', 'count(*) FROM schemamig.register(%s)', [$s] ];
	}
	elsif ($r < 0.65)
	{
		my $s = chance(0.5) ? gen_valid_script() : pick(@corpus);
		$s = mutate_bodies($s) for 1 .. 1 + rint(3);
		push @cases, [ 'register/bodies', 'count(*) FROM schemamig.register(%s)', [$s] ];
	}
	elsif ($r < 0.85)
	{
		my $s = gen_script();
		$s = mutate_script($s) for 1 .. rint(3);
		push @cases, [ 'register/grammar', 'count(*) FROM schemamig.register(%s)', [$s] ];
	}
	else
	{
		my $up = chance(0.8) ? pick(@bodies) : pick(@fragments);
		$up = mutate_script($up) for 1 .. rint(3);
		my $down = chance(0.3) ? undef : pick(@bodies, '', ';', '-- nothing');
		$down = mutate_script($down) if defined $down && chance(0.4);
		push @cases,
		  [
			'revision',
			'length(schemamig.revision(%s, %s, %s, %s, %s, %s))',
			[
				chance(0.7) ? 'm' : pick('', "two\nlines", "cr\rhere", pick(@unicode), long_token(), '*/ -- x'),
				$up, $down,
				chance(0.3) ? undef : gen_target(),
				chance(0.5) ? undef : random_id(),
				chance(0.7) ? undef : random_id()
			]
		  ];
	}
	# the scanner's other mode: backslashes escape in '' strings
	$cases[-1][3] = 'SET LOCAL standard_conforming_strings = off' if chance(0.05);
}
for (1 .. $n_targets)
{
	my $t = gen_target();
	$t = mutate_target($t) if chance(0.15);
	my $f = rint(8);
	my ($kind, $sql, @args) =
	    $f == 0 ? ('upgrade_sql', 'length(schemamig.upgrade_sql(%s))', $t)
	  : $f == 1 ? ('upgrade_sql', 'length(schemamig.upgrade_sql(%s, %s))', $t, gen_target())
	  : $f == 2 ? ('downgrade_sql', 'length(schemamig.downgrade_sql(%s))', $t)
	  : $f == 3 ? ('downgrade_sql', 'length(schemamig.downgrade_sql(%s, %s))', $t, gen_target())
	  : $f == 4 ? ('history', 'count(*) FROM schemamig.history(%s)', $t)
	  : $f == 5 ? ('show', 'count(*) FROM schemamig.show(%s)', $t)
	  :           ('stamp', 'count(*) FROM schemamig.stamp(%s)', $t);
	push @cases, [ $kind, $sql, \@args ];
}

# the data file is written in case order once the case list is made
my @case_sql;
open($data, '>:raw', $datafile) or die $!;
$data_off = 0;
my %first_arg;
sub text_arg_at { return $first_arg{ $_[0] } }

sub encode_case_text
{
	my $b = encode('UTF-8', $_[0]);
	$b =~ s/\0/\x01/g;
	return $b;
}
foreach my $k (0 .. $#cases)
{
	my ($kind, $fmt, $args) = @{ $cases[$k] };
	my @a = map { text_arg($_) } @$args;
	($first_arg{$k}) = grep { $_ ne 'NULL' } @a;
	push @case_sql, 'SELECT ' . sprintf($fmt, @a);
}
close $data;

# the texts reach the server byte for byte
{
	my @sample = map { rint(scalar @cases) } 1 .. 20;
	my $q = join("\nUNION ALL ", map {
		my $k = $_;
		"SELECT $k, md5(" . (text_arg_at($k) // "''") . ')';
	} @sample);
	my %want = map {
		my $k = $_;
		my ($a) = grep { defined } @{ $cases[$k][2] };
		($k => md5_hex(encode_case_text($a // '')));
	} @sample;
	my %got = map { split /\|/ } split /\n/, $node->safe_psql('postgres', $q);
	is_deeply(\%got, \%want, 'texts read back byte for byte (md5 of 20 cases)');
}

diag(sprintf('cases generated in %.1f s: %d (%.1f MB of text)',
		time - $t_start, scalar @cases, $data_off / 1048576));

# --------------------------------------------------------------------------
# run: many cases per psql -f batch; a lost connection ends a batch, the
# case that was running is recorded and the run resumes after it.
#
# When a register() or revision() case is accepted, a follow-up in the
# same transaction reads the new graph through the other code that takes
# what the parser produced: the offline script of everything
# (upgrade_sql('heads', 'base'), which prints ids, messages and bodies),
# history(), status(), check() and show() of every revision.
my $followup = q{SELECT length(schemamig.upgrade_sql('heads', 'base'))
	+ (SELECT count(*) FROM schemamig.history())
	+ (SELECT count(*) FROM schemamig.status())
	+ (SELECT count(*) FROM schemamig.check())
	+ (SELECT count(*) FROM schemamig.revisions r, LATERAL schemamig.show(r.revision) s)};

my (%by_state, %state_msg, %by_kind, %by_shape, %timed_out, @bad, @crashes);
my ($ran, $accepted, $refused) = (0, 0, 0);
my %tmax;
my $i = 0;
my $batchno = 0;
# one line per case (and follow-up), for a look after the run
open(my $results, '>:raw', "$outdir/006_fuzz_results.tsv") or die $!;

sub record
{
	my ($k, $kind, $state, $msg) = @_;
	print $results "$k\t$kind\t$state\t" . ($tmax{$k} // '') . "\t$msg\n";
	if ($state eq '00000')
	{
		$accepted++ if $kind ne 'follow-up';
		$by_kind{$kind}{ok}++;
		return;
	}
	$refused++ if $kind ne 'follow-up';
	$by_kind{$kind}{err}++;
	$by_state{$state}++;
	$state_msg{$state} //= $msg;
	(my $shape = $msg) =~ s/"[^"]*"/"_"/g;
	$shape =~ s/\d+/N/g;
	$by_shape{"$state $shape"}++;
	# statement_timeout: a slow case, not a wrong error
	$timed_out{$k} = 1 if $state eq '57014';
	push @bad, [ $k, $state, $msg, $kind ]
	  if $state !~ /^[0-9A-Z]{5}$/
	  || $state =~ /^(?:XX|58|08|53|57P)/;
}

while ($i < @cases)
{
	my $last = $i + $batch_size - 1;
	$last = $#cases if $last > $#cases;
	my $bf = "$tmp/batch.sql";
	open(my $fh, '>:raw', $bf) or die $!;
	print $fh "\\set ON_ERROR_STOP 0\n\\set VERBOSITY verbose\n\\timing on\n\\o /dev/null\n"
	  . "SET statement_timeout = '20s';\nSET client_min_messages = warning;\n";
	foreach my $k ($i .. $last)
	{
		print $fh "\\echo '\@\@C $k'\nBEGIN;\n"
		  . ($cases[$k][3] ? "$cases[$k][3];\n" : '')
		  . "$case_sql[$k];\n"
		  . "\\echo '\@\@R $k' :SQLSTATE :LAST_ERROR_MESSAGE\n";
		print $fh "\\if :ERROR\n\\else\n$followup;\n"
		  . "\\echo '\@\@S $k' :SQLSTATE :LAST_ERROR_MESSAGE\n\\endif\n"
		  if $cases[$k][0] =~ /^(?:register|revision)/;
		print $fh "ROLLBACK;\n";
	}
	print $fh "\\echo '\@\@END'\n";
	close $fh;
	my ($out, $err) = ('', '');
	IPC::Run::run(
		[
			$node->installed_command('psql'), '-X', '-q',
			'-d', $node->connstr('postgres'), '-f', $bf
		],
		'<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	my $rc = $? >> 8;
	$batchno++;

	my $cur;
	foreach my $line (split /\n/, $out)
	{
		if ($line =~ /^\@\@C (\d+)$/)
		{
			$cur = $1;
			$tmax{$cur} = 0;
		}
		elsif ($line =~ /^Time: ([\d.]+) ms/ && defined $cur)
		{
			$tmax{$cur} = $1 / 1000 if $1 / 1000 > $tmax{$cur};
		}
		elsif ($line =~ /^\@\@R (\d+) (\S+) ?(.*)$/ && defined $cur && $1 == $cur)
		{
			$ran++;
			record($1, $cases[$1][0], $2, $3);
		}
		elsif ($line =~ /^\@\@S (\d+) (\S+) ?(.*)$/ && defined $cur && $1 == $cur)
		{
			record($1, 'follow-up', $2, $3);
		}
	}
	if ($rc != 0
		|| $out !~ /^\@\@END$/m
		|| $err =~ /^(?:psql:\S+ )?(?:FATAL|PANIC):|server closed the connection unexpectedly|connection to server was lost/m)
	{
		# the case that was running: the last one started
		my $k = $cur // $i;
		push @crashes,
		  [
			$k, $rc,
			join(' / ', map { length > 200 ? substr($_, 0, 200) . '...' : $_ }
				  grep { /FATAL|PANIC|server closed|connection to server|terminated abnormally/ } split /\n/, $err)
			  || substr($err, -300)
		  ];
		diag("batch $batchno: psql exit $rc in case $k ($cases[$k][0])");
		$node->poll_query_until('postgres', 'SELECT true')
		  or die 'server does not come back';
		$i = $k + 1;
		last if @crashes >= 10;
	}
	else
	{
		$i = $last + 1;
	}
}
close $results;
my @slow = grep { $tmax{$_} > $slow_secs || $timed_out{$_} } sort { $a <=> $b } keys %tmax;
my $elapsed_run = time - $t_start;

# --------------------------------------------------------------------------
# figures

sub show_case
{
	my ($k) = @_;
	my ($kind, $fmt, $args) = @{ $cases[$k] };
	my @a = map {
		my $s = defined $_ ? $_ : 'NULL';
		my $n = length $s;
		# runs of a unit of 1 to 3 characters, shortened
		$s =~ s/((.{1,3}?)\2{9,})/sprintf('{%s x%d}', $2, length($1) \/ length($2))/gse;
		$s = substr($s, 0, 300) . '...' if length $s > 300;
		$s .= "($n chars)" if $n > 300;
		$s =~ s/([^\x20-\x7e\n])/sprintf('\\x{%x}', ord $1)/ge;
		$s;
	} @$args;
	return "case $k: " . ($cases[$k][3] ? "$cases[$k][3]; " : '')
	  . "$kind(" . join(', ', map { "<<$_>>" } @a) . ')';
}

# a reproduction file per bad case: the text in a dollar quote
sub write_repro
{
	my ($k, $why, $with_followup) = @_;
	my ($kind, $fmt, $args) = @{ $cases[$k] };
	my @lits = map {
		my $s = $_;
		if (!defined $s) { 'NULL' }
		else
		{
			my $tag = 'q';
			$tag .= 'z' while index($s, "\$$tag\$") >= 0;
			"\$$tag\$$s\$$tag\$";
		}
	} @$args;
	my $f = "$outdir/006_fuzz_case_$k.sql";
	open(my $fh, '>:encoding(UTF-8)', $f) or die $!;
	print $fh "-- seed $seed, case $k ($kind): $why\nBEGIN;\n"
	  . ($cases[$k][3] ? "$cases[$k][3];\n" : '')
	  . "SELECT "
	  . sprintf($fmt, @lits) . ";\n"
	  . ($with_followup ? "$followup;\n" : '')
	  . "ROLLBACK;\n";
	close $fh;
	return $f;
}

diag(sprintf('ran %d of %d cases in %d psql batches: %d accepted, %d refused, %.1f s',
		$ran, scalar @cases, $batchno, $accepted, $refused, $elapsed_run));
foreach my $kind (sort keys %by_kind)
{
	diag(sprintf('  %-17s %6d accepted %6d refused', $kind,
			$by_kind{$kind}{ok} // 0, $by_kind{$kind}{err} // 0));
}
diag('SQLSTATE histogram (count, first message):');
foreach my $s (sort { $by_state{$b} <=> $by_state{$a} || $a cmp $b } keys %by_state)
{
	my $m = $state_msg{$s};
	$m = substr($m, 0, 90) . '...' if length $m > 90;
	$m =~ s/([^\x20-\x7e])/sprintf('\\x{%x}', ord $1)/ge;
	diag(sprintf('  %s %6d  %s', $s, $by_state{$s}, $m));
}
diag(sprintf('%d distinct error messages (quoted parts and numbers masked); most frequent:',
		scalar keys %by_shape));
foreach my $m ((sort { $by_shape{$b} <=> $by_shape{$a} || $a cmp $b } keys %by_shape)[ 0 .. 14 ])
{
	last if !defined $m;
	my $t = length $m > 100 ? substr($m, 0, 100) . '...' : $m;
	$t =~ s/([^\x20-\x7e])/sprintf('\\x{%x}', ord $1)/ge;
	diag(sprintf('  %6d  %s', $by_shape{$m}, $t));
}
my @sorted = sort { $tmax{$b} <=> $tmax{$a} || $a <=> $b } keys %tmax;
diag(sprintf('slowest cases: %s',
		join(', ', map { sprintf('%.3f s (#%d %s)', $tmax{$_}, $_, $cases[$_][0]) }
			  @sorted[ 0 .. ($#sorted < 4 ? $#sorted : 4) ])))
  if @sorted;

# --------------------------------------------------------------------------
# assertions

is(scalar @crashes, 0, 'no case lost the connection');
foreach my $c (@crashes)
{
	diag("LOST CONNECTION: " . show_case($c->[0]) . "\n  psql: $c->[2]\n  repro: "
		  . write_repro($c->[0], 'lost connection', 1));
}
is($ran + scalar(@crashes), scalar @cases, 'every case ran');
is(scalar @bad, 0, 'every error has a SQLSTATE of an SQL error class');
foreach my $b (@bad[ 0 .. ($#bad < 9 ? $#bad : 9) ])
{
	diag("NON-SQL ERROR $b->[1] $b->[2]" . ($b->[3] eq 'follow-up' ? ' (in the follow-up)' : '')
		  . "\n  " . show_case($b->[0]) . "\n  repro: "
		  . write_repro($b->[0], "$b->[1] $b->[2]", $b->[3] eq 'follow-up'));
}
is(scalar @slow, 0, "no case took more than $slow_secs s");
diag(sprintf('SLOW %.1f s ', $tmax{$_}) . show_case($_) . "\n  repro: " . write_repro($_, 'slow'))
  foreach @slow[ 0 .. ($#slow < 4 ? $#slow : 4) ];

my $log = slurp($node->logfile);
my @logbad = grep { /terminated by signal|PANIC|TRAP|server process .* was terminated|leak/ }
  split /\n/, $log;
is(scalar @logbad, 0, 'server log: no crash, PANIC, TRAP or leak');
diag($_) foreach @logbad[ 0 .. ($#logbad < 9 ? $#logbad : 9) ];

is($node->safe_psql('postgres', $state_sql), $state_before,
	'status(), check() and events unchanged: every case rolled back');

$node->stop;
diag(sprintf('006_fuzz total %.1f s', time - $t_start));
done_testing();
