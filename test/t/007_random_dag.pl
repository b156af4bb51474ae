# Random revision graphs: TESTPLAN.md case R8, with a Perl oracle.
#
# With a fixed, printed seed, generate random revision graphs (up to
# SCHEMAMIG_DAG_MAX_NODES = 200 revisions): roots, chains, branches, merges
# (several down_revisions), depends_on across branches, branch labels,
# a few irreversible revisions, and the directive spellings the README
# allows (space or comma lists, "base" or an empty down_revision for a
# root, "--schemamig:" without the space, blocks in any order).  Faults are
# injected into some: self-loops, 2- and 3-cycles, cycles through a merge
# or through depends_on, back edges over a path, missing parents and
# depends_on, duplicate ids (renamed leaf or whole block twice), invalid ids
# (bad character, reserved word, 65 characters) in a revision, a reference
# or a label, clashing branch labels, and format errors.
#
# The oracle (this file) decides valid/invalid from the script as written,
# independently of which fault was injected, and for each graph, in a fresh
# state (the catalog tables and the log tables truncated):
#
#   register(script)   accepts exactly the valid graphs, every row "added";
#                      an invalid one fails with a SQLSTATE among those of
#                      the faults present (42P19 cycle or self-reference,
#                      42704 missing revision, 42710 duplicate id or label,
#                      42602 invalid name, 42601 format) and leaves
#                      schemamig.revisions empty.
#   status()           after register: every revision pending; is_head as
#                      the oracle's (no revision names it as down_revision;
#                      depends_on does not count); is_current as the
#                      oracle's (applied, and no applied revision names it
#                      as down_revision or depends_on: as in Alembic, a
#                      revision applied because another depends_on it is no
#                      current head once that one is applied); rows in a
#                      topological order.  Checked after every step below.
#   upgrade('heads')   applies every revision exactly once (each upgrade
#                      inserts its id into dag.log with a sequence number)
#                      in a topological order of down_revision + depends_on;
#                      its rows are that order; status() then says applied.
#   upgrade('head')    one head: no rows afterwards; several: an error that
#                      applies nothing.
#   downgrade(R)       R a random applied revision whose downgrade removes
#                      only reversible ones.  The documented rule (and
#                      Alembic 1.8's): what comes after R on its lineage is
#                      removed, i.e. R's children (through down_revision)
#                      and everything that needs them, through children and
#                      dependents; a revision that merely depends_on R
#                      stays, and so does every other revision, including
#                      sibling branches.  SCHEMAMIG_DAG_DOWNGRADE=closure
#                      checks the stricter "only R's ancestors stay"
#                      instead, which schemamig does not promise (it fails
#                      on sibling branches and dependents).  Removal
#                      order (each downgrade logs into dag.unlog) must be a
#                      reverse topological order; status() agrees.
#   upgrade('heads')   again: back to everything applied, applying exactly
#                      what the downgrade removed, in a topological order.
#   downgrade('S-1')   S a random revision, everything applied: S's one
#                      down_revision P is the target, and what comes after
#                      P on its lineage is removed (as for downgrade(R));
#                      S a root: base, everything removed; S a merge point:
#                      22023 (ambiguous), nothing changes; an irreversible
#                      revision to remove: 55000, nothing changes.  Then
#                      upgrade('heads') puts everything back.
#   downgrade('-1')    everything applied: with several current heads, or
#                      one that is a merge point, 22023 and nothing
#                      changes; with one current head X, exactly X is
#                      undone (-1 walks X's own lineage, as Alembic's).
#                      Then upgrade('heads') again.
#   downgrade('base')  empties everything in a reverse topological order, or,
#                      with an irreversible revision, fails with 55000 and
#                      changes nothing.
#
# Knobs: SCHEMAMIG_DAG_SEED (default 8008, always printed),
# SCHEMAMIG_DAG_GRAPHS (300), SCHEMAMIG_DAG_MAX_NODES (200),
# SCHEMAMIG_DAG_DOWNGRADE (closure | descendants).  Each graph is one
# psql -f run; failing graphs are written to tmp_check/dag_fail_<n>.sql.
# Figures printed with diag: graphs, valid/invalid, faults, checks,
# elapsed time.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $seed = $ENV{SCHEMAMIG_DAG_SEED} // 8008;
my $n_graphs = $ENV{SCHEMAMIG_DAG_GRAPHS} // 300;
my $max_nodes = $ENV{SCHEMAMIG_DAG_MAX_NODES} // 200;
my $down_mode = $ENV{SCHEMAMIG_DAG_DOWNGRADE} // 'descendants';
die "SCHEMAMIG_DAG_DOWNGRADE must be closure or descendants\n"
  unless $down_mode eq 'closure' || $down_mode eq 'descendants';
my $t_start = time;
diag("random DAG seed $seed (set SCHEMAMIG_DAG_SEED=$seed to repeat), "
	  . "$n_graphs graphs of up to $max_nodes revisions, downgrade oracle "
	  . "\"$down_mode\"");
srand($seed);

my $node = PostgreSQL::Test::Cluster->new('dag');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION schemamig;
	CREATE SCHEMA dag;
	CREATE SEQUENCE dag.seq;
	CREATE TABLE dag.log (n bigint DEFAULT nextval('dag.seq'), id text);
	CREATE TABLE dag.unlog (n bigint DEFAULT nextval('dag.seq'), id text);
});

#
# Small helpers.  Nothing below iterates over a hash where the order
# matters, so a seed gives the same graphs on every run.
#
sub rand_int { my ($lo, $hi) = @_; return $lo + int(rand($hi - $lo + 1)); }
sub pick { return $_[ int(rand(scalar @_)) ]; }

sub shuffled
{
	my @a = @_;
	for (my $i = $#a; $i > 0; $i--)
	{
		my $j = int(rand($i + 1));
		@a[ $i, $j ] = @a[ $j, $i ];
	}
	return @a;
}

sub uniq { my %s; return grep { !$s{$_}++ } @_; }

my @id_chars = ('a' .. 'z', 'A' .. 'Z', '0' .. '9', '_', '.', '-');
my %reserved = map { $_ => 1 } qw(base head heads current);

sub valid_id
{
	my ($id) = @_;
	return $id =~ /\A[A-Za-z0-9_.-]{1,64}\z/ && !$reserved{$id};
}

# a fresh valid id, of one of several shapes (hex like Alembic, short,
# random up to 64 characters with "-" and ".", dotted, numbered)
sub gen_id
{
	my ($used) = @_;
	for (;;)
	{
		my $style = int(rand(6));
		my $id;
		if ($style <= 1)
		{
			$id = join '', map { sprintf '%x', int(rand(16)) } 1 .. 12;
		}
		elsif ($style == 2) { $id = 'r' . rand_int(0, 99999); }
		elsif ($style == 3)
		{
			my $len = pick(1, 2, 3, rand_int(1, 20), rand_int(1, 64));
			$id = join '', map { $id_chars[ int(rand(@id_chars)) ] } 1 .. $len;
		}
		elsif ($style == 4)
		{
			$id = sprintf('%s.%d-%d', pick('v', 'rel', 'M'),
				rand_int(0, 99), rand_int(0, 99));
		}
		else
		{
			$id = sprintf('%04d_%s', rand_int(0, 9999),
				pick('add', 'drop', 'fix', 'Merge'));
		}
		next if !valid_id($id) || $used->{$id};
		$used->{$id} = 1;
		return $id;
	}
}

#
# Graph generation.  A graph is a list of revisions (creation order, so
# parents come first before faults are injected):
#   { id, parents => [ids], deps => [ids], labels => [labels],
#     rev => reversible?, syntax => format fault or undef, n => index }
#
sub gen_graph
{
	my %used;
	my $size_class = rand();
	my $n =
		$size_class < 0.3 ? rand_int(1, 10)
	  : $size_class < 0.75 ? rand_int(11, 60)
	  :                      rand_int(61, $max_nodes);
	$n = $max_nodes if $n > $max_nodes;
	my $p_root = pick(0, 0.02, 0.05, 0.15, 0.4);
	my $p_merge = pick(0, 0.05, 0.15, 0.3);
	my $p_dep = pick(0, 0, 0.05, 0.15);
	my $p_chain = pick(0.2, 0.6, 0.9);
	my $p_label = rand() < 0.35 ? pick(0.05, 0.15) : 0;
	my @g;
	for my $i (0 .. $n - 1)
	{
		my $r = { id => gen_id(\%used), parents => [], deps => [],
			labels => [], rev => 1, n => $i };
		my $choose = sub {
			my $x = rand();
			return $i - 1 if $x < $p_chain;
			return $i - 1 - int(rand(($i < 5 ? $i : 5))) if $x < 0.5 + $p_chain / 2;
			return int(rand($i));
		};
		if ($i > 0 && rand() >= $p_root)
		{
			my $np = ($i >= 2 && rand() < $p_merge) ? rand_int(2, ($i < 4 ? $i : 4)) : 1;
			my @p;
			while (@p < $np)
			{
				my $c = $choose->();
				push @p, $c unless grep { $_ == $c } @p;
			}
			$r->{parents} = [ map { $g[$_]{id} } @p ];
		}
		if ($i > 0 && rand() < $p_dep)
		{
			my $nd = rand_int(1, ($i < 2 ? $i : 2));
			my @d;
			while (@d < $nd)
			{
				my $c = int(rand($i));
				push @d, $c unless grep { $_ == $c } @d;
			}
			$r->{deps} = [ map { $g[$_]{id} } @d ];
		}
		if ($p_label && rand() < $p_label)
		{
			for (1 .. (rand() < 0.1 ? 2 : 1))
			{
				my $l;
				do { $l = pick('lb_', 'branch.', 'L-') . rand_int(0, 9999) }
				  while $used{$l};
				$used{$l} = 1;
				push @{ $r->{labels} }, $l;
			}
		}
		push @g, $r;
	}
	# a third of the graphs end in a merge of all their heads: one head
	if ($n > 1 && rand() < 0.35)
	{
		my %named;
		$named{$_} = 1 for map { @{ $_->{parents} } } @g;
		my @h = map { $_->{id} } grep { !$named{ $_->{id} } } @g;
		if (@h > 1)
		{
			push @g, { id => gen_id(\%used), parents => [ shuffled(@h) ],
				deps => [], labels => [], rev => 1, n => $n };
			$n++;
		}
	}
	if (rand() < 0.15)
	{
		$g[ int(rand($n)) ]{rev} = 0 for 1 .. rand_int(1, 3);
	}
	return { nodes => \@g, used => \%used };
}

# index of the revisions by id (the first one with that id)
sub by_id
{
	my ($g) = @_;
	my %h;
	for my $r (@{ $g->{nodes} }) { $h{ $r->{id} } //= $r; }
	return \%h;
}

# ancestors (inclusive) through parents + deps, by id, over existing ids
sub closure
{
	my ($byid, $start, $dir) = @_;    # dir: 'up' (parents+deps) or 'down'
	my %seen = ($start => 1);
	my @stack = ($start);
	while (@stack)
	{
		my $cur = pop @stack;
		my @next;
		if ($dir eq 'up')
		{
			my $r = $byid->{$cur} or next;
			@next = (@{ $r->{parents} }, @{ $r->{deps} });
		}
		else { @next = @{ $byid->{' children'}{$cur} // [] }; }
		for my $x (@next)
		{
			next if $seen{$x} || !$byid->{$x};
			$seen{$x} = 1;
			push @stack, $x;
		}
	}
	return \%seen;
}

# what comes after start on its lineage: its children through down_revision
# (' kids') and everything that needs them (closure 'down'); a revision
# that merely depends_on start is not in it
sub after_lineage
{
	my ($byid, $start) = @_;
	my %seen;
	for my $k (@{ $byid->{' kids'}{$start} // [] })
	{
		next if $seen{$k};
		my $c = closure($byid, $k, 'down');
		$seen{$_} = 1 for keys %$c;
	}
	return \%seen;
}

# add "v" to u's down_revisions (kind down) or depends_on (kind dep)
sub add_edge
{
	my ($u, $v, $kind) = @_;
	my $list = $kind eq 'down' ? $u->{parents} : $u->{deps};
	return if grep { $_ eq $v->{id} } @$list;
	push @$list, $v->{id};
}

my @fault_kinds = qw(self cycle2 cycle3 cycle_merge cycle_dep cycle_path
  missing_parent missing_dep dup_leaf dup_block bad_id reserved_id long_id
  bad_ref bad_label label_clash label_is_id syntax);

# inject one fault; returns its name
sub inject
{
	my ($g, $kind) = @_;
	my $nodes = $g->{nodes};
	my $n = @$nodes;
	my $used = $g->{used};
	my $rnd = sub { $nodes->[ int(rand($n)) ] };
	my $two = sub {
		my @i = (shuffled(0 .. $n - 1))[ 0 .. $_[0] - 1 ];
		return map { $nodes->[$_] } @i;
	};
	my $kd = sub { rand() < 0.7 ? 'down' : 'dep' };

	$kind = 'self' if $n < 2 && $kind =~ /^(cycle|dup_leaf|label_)/;
	$kind = 'cycle2' if $n < 3 && $kind eq 'cycle3';

	if ($kind eq 'self')
	{
		my $r = $rnd->();
		add_edge($r, $r, $kd->());
	}
	elsif ($kind eq 'cycle2')
	{
		my ($a, $b) = $two->(2);
		add_edge($a, $b, $kd->());
		add_edge($b, $a, $kd->());
	}
	elsif ($kind eq 'cycle3')
	{
		my ($a, $b, $c) = $two->(3);
		add_edge($a, $b, $kd->());
		add_edge($b, $c, $kd->());
		add_edge($c, $a, $kd->());
	}
	elsif ($kind eq 'cycle_merge' || $kind eq 'cycle_dep'
		|| $kind eq 'cycle_path')
	{
		# a back edge from an ancestor u of v to v: the cycle runs over the
		# path u .. v, through a merge (v one) or a depends_on edge
		my $v;
		if ($kind eq 'cycle_merge')
		{
			my @m = grep { @{ $_->{parents} } >= 2 } @$nodes;
			if (@m) { $v = pick(@m); }
			else
			{
				my ($a, $b) = $two->(2);
				($a, $b) = ($b, $a) if $a->{n} < $b->{n};
				add_edge($a, $b, 'down');
				push @{ $a->{parents} }, $nodes->[ $a->{n} - 1 ]{id}
				  if @{ $a->{parents} } < 2 && $a->{n} > 0
				  && !grep { $_ eq $nodes->[ $a->{n} - 1 ]{id} } @{ $a->{parents} };
				$v = $a;
			}
		}
		elsif ($kind eq 'cycle_dep')
		{
			my @d = grep { @{ $_->{deps} } } @$nodes;
			if (@d) { $v = pick(@d); }
			else
			{
				my ($a, $b) = $two->(2);
				($a, $b) = ($b, $a) if $a->{n} < $b->{n};
				add_edge($a, $b, 'dep');
				$v = $a;
			}
		}
		else
		{
			my @nr = grep { @{ $_->{parents} } } @$nodes;
			$v = @nr ? pick(@nr) : $rnd->();
		}
		my $byid = by_id($g);
		my @anc;
		if ($kind eq 'cycle_dep')
		{
			# start from a depends_on edge of v so that it is on the cycle
			my $d = pick(@{ $v->{deps} });
			my $c = closure($byid, $d, 'up');
			@anc = grep { $c->{$_} } map { $_->{id} } @$nodes;
		}
		elsif ($kind eq 'cycle_merge')
		{
			my $p = pick(@{ $v->{parents} });
			my $c = closure($byid, $p, 'up');
			@anc = grep { $c->{$_} } map { $_->{id} } @$nodes;
		}
		else
		{
			my $c = closure($byid, $v->{id}, 'up');
			@anc = grep { $c->{$_} && $_ ne $v->{id} } map { $_->{id} } @$nodes;
		}
		@anc = ($v->{id}) unless @anc;    # a self-loop at worst
		my $u = $byid->{ pick(@anc) };
		add_edge($u, $v, $kind eq 'cycle_dep' ? 'down' : $kd->());
	}
	elsif ($kind eq 'missing_parent' || $kind eq 'missing_dep')
	{
		my $m;
		do { $m = gen_id({}) } while $used->{$m};
		my $r = $rnd->();
		push @{ $kind eq 'missing_parent' ? $r->{parents} : $r->{deps} }, $m;
	}
	elsif ($kind eq 'dup_leaf')
	{
		# a revision nobody names takes the id of another one
		my %named;
		$named{$_} = 1 for map { (@{ $_->{parents} }, @{ $_->{deps} }) } @$nodes;
		my @leaves = grep { !$named{ $_->{id} } } @$nodes;
		@leaves = ($nodes->[-1]) unless @leaves;
		my $y = pick(@leaves);
		my @others = grep { $_ != $y } @$nodes;
		$y->{id} = pick(@others)->{id};
	}
	elsif ($kind eq 'dup_block')
	{
		my $r = $rnd->();
		push @$nodes, { %$r, n => scalar @$nodes, clone => 1 };
	}
	elsif ($kind eq 'bad_id' || $kind eq 'reserved_id' || $kind eq 'long_id')
	{
		my $r = $rnd->();
		my $old = $r->{id};
		my $new;
		if ($kind eq 'bad_id')
		{
			my $c = pick('@', '+', ':', '/', '!', '#', '*', '%', '(', '~', '^',
				'=', '?', '&', '<', "\xc3\xa9", ';', '[');
			my $pos = int(rand(length($old) + 1));
			$new = substr($old, 0, $pos) . $c . substr($old, $pos);
		}
		elsif ($kind eq 'reserved_id') { $new = pick('head', 'heads', 'current'); }
		else { $new = $old . ('x' x (65 - length($old))); }
		$r->{id} = $new;
		for my $o (@$nodes)
		{
			$_ eq $old and $_ = $new for @{ $o->{parents} }, @{ $o->{deps} };
		}
	}
	elsif ($kind eq 'bad_ref')
	{
		my $r = $rnd->();
		push @{ rand() < 0.5 ? $r->{parents} : $r->{deps} },
		  pick('a@b', 'x+1', 'p:q', 'heads', ('y' x 65));
	}
	elsif ($kind eq 'bad_label')
	{
		push @{ $rnd->()->{labels} }, pick('lab@el', 'l+1', 'head', 'l:x', ('z' x 65));
	}
	elsif ($kind eq 'label_clash')
	{
		my ($a, $b) = $two->(2);
		my $l;
		do { $l = 'lc' . rand_int(0, 9999) } while $used->{$l};
		$used->{$l} = 1;
		push @{ $a->{labels} }, $l;
		push @{ $b->{labels} }, $l;
	}
	elsif ($kind eq 'label_is_id')
	{
		my ($a, $b) = $two->(2);
		push @{ $a->{labels} }, $b->{id};
	}
	elsif ($kind eq 'syntax')
	{
		$rnd->()->{syntax} = pick('no_upgrade', 'unknown_directive',
			'bad_sql', 'repeated_directive', 'text_before');
	}
	else { die "unknown fault $kind"; }
	return $kind;
}

#
# The script text of a graph: blocks in creation order or shuffled.
#
sub render
{
	my ($g) = @_;
	my @order = @{ $g->{nodes} };
	@order = shuffled(@order) if rand() < 0.5;
	my $sep = rand() < 0.7 ? ' ' : ', ';
	my $tag = rand() < 0.8 ? '-- schemamig:' : '--schemamig:';
	my $root = pick('none', 'none', 'base', 'empty');
	my $s = rand() < 0.3 ? "-- random graph\n\n" : '';
	$s .= "SELECT 1;\n"
	  if grep { ($_->{syntax} // '') eq 'text_before' } @order;
	for my $r (@order)
	{
		my $id = $r->{id};
		my $syn = $r->{syntax} // '';
		$s .= "${tag}revision $id\n";
		if (@{ $r->{parents} }) { $s .= "${tag}down_revision " . join($sep, @{ $r->{parents} }) . "\n"; }
		elsif ($root eq 'base') { $s .= "${tag}down_revision base\n"; }
		elsif ($root eq 'empty') { $s .= "${tag}down_revision\n"; }
		$s .= "${tag}message revision $r->{n}\n"
		  if rand() < 0.5 || $syn eq 'repeated_directive';
		$s .= "${tag}message again\n" if $syn eq 'repeated_directive';
		$s .= "${tag}branch_labels " . join($sep, @{ $r->{labels} }) . "\n"
		  if @{ $r->{labels} };
		$s .= "${tag}depends_on " . join($sep, @{ $r->{deps} }) . "\n"
		  if @{ $r->{deps} };
		$s .= "${tag}requires nothing\n" if $syn eq 'unknown_directive';
		$s .= "${tag}upgrade\n" unless $syn eq 'no_upgrade';
		$s .= "INSERT INTO dag.log (id) VALUES ('$id');\n";
		$s .= "INSERT INTO dag.log (id VALUES ('$id');\n" if $syn eq 'bad_sql';
		if ($r->{rev})
		{
			$s .= "${tag}downgrade\n";
			$s .= "DELETE FROM dag.log WHERE id = '$id';\n";
			$s .= "INSERT INTO dag.unlog (id) VALUES ('$id');\n";
		}
		$s .= "\n" if rand() < 0.3;
	}
	return $s;
}

#
# The oracle: the SQLSTATEs the faults present in the script call for
# (empty: valid), from the script's structure only.
#
sub oracle_codes
{
	my ($g) = @_;
	my $nodes = $g->{nodes};
	my %c;
	my %count;
	$count{ $_->{id} }++ for @$nodes;
	for my $r (@$nodes)
	{
		$c{'42601'} = 1 if $r->{syntax};
		for my $x ($r->{id}, @{ $r->{parents} }, @{ $r->{deps} }, @{ $r->{labels} })
		{
			$c{'42602'} = 1 unless valid_id($x);
		}
		for my $l ($r->{parents}, $r->{deps}, $r->{labels})
		{
			$c{'42710'} = 1 if scalar(uniq(@$l)) != scalar(@$l);
		}
		$c{'42P19'} = 1 if grep { $_ eq $r->{id} } @{ $r->{parents} }, @{ $r->{deps} };
		for my $x (@{ $r->{parents} }, @{ $r->{deps} })
		{
			$c{'42704'} = 1 unless $count{$x};
		}
	}
	$c{'42710'} = 1 if grep { $count{$_} > 1 } keys %count;
	my %label_of;
	for my $r (@$nodes)
	{
		for my $l (uniq(@{ $r->{labels} }))
		{
			$c{'42710'} = 1 if $count{$l};
			$c{'42710'} = 1 if defined $label_of{$l} && $label_of{$l} ne $r->{id};
			$label_of{$l} = $r->{id};
		}
	}
	# cycles (Kahn) over the ids that exist, duplicates merged
	my (%indeg, %succ);
	$indeg{ $_->{id} } //= 0 for @$nodes;
	for my $r (@$nodes)
	{
		for my $x (uniq(@{ $r->{parents} }, @{ $r->{deps} }))
		{
			next unless $count{$x};
			$indeg{ $r->{id} }++;
			push @{ $succ{$x} }, $r->{id};
		}
	}
	my @ready = grep { !$indeg{$_} } keys %indeg;
	my $placed = 0;
	while (@ready)
	{
		my $x = pop @ready;
		$placed++;
		for my $y (@{ $succ{$x} // [] }) { push @ready, $y unless --$indeg{$y}; }
	}
	$c{'42P19'} = 1 if $placed < keys %indeg;
	return \%c;
}

#
# Running a graph: one psql -f, sections marked with \echo @@name; psql's
# SQLSTATE variable after each call.
#
my $dq = '$smigdag$';

sub status_sql
{
	return "SELECT revision, state, is_head, is_current FROM schemamig.status();\n";
}

sub run_psql
{
	my ($sql) = @_;
	my ($stdout, $stderr) = ('', '');
	$node->psql('postgres', $sql, stdout => \$stdout, stderr => \$stderr,
		on_error_stop => 0);
	my %sec;
	my $cur = '_';
	for my $line (split /\n/, $stdout)
	{
		if ($line =~ /^@@(\S+)(?: (.*))?$/)
		{
			$cur = $1;
			$sec{$cur} = [];
			$sec{"$cur:state"} = $2 if defined $2;
			next;
		}
		push @{ $sec{$cur} }, $line;
	}
	return (\%sec, $stderr);
}

#
# Checks: counted per category; the first failures of each are kept.
#
my (%total, %failed, %examples, @cat_order);
my $graph_failed;

sub check
{
	my ($cat, $ok, $detail) = @_;
	push @cat_order, $cat unless exists $total{$cat};
	$total{$cat}++;
	return 1 if $ok;
	$failed{$cat}++;
	$graph_failed = 1;
	push @{ $examples{$cat} }, $detail if @{ $examples{$cat} // [] } < 3;
	return 0;
}

sub same_set
{
	my ($got, $want) = @_;    # arrayrefs of ids; got must have no repeats
	my %w = map { $_ => 1 } @$want;
	my %seen;
	for my $x (@$got) { return 0 if !$w{$x} || $seen{$x}++; }
	return scalar(keys %seen) == scalar(keys %w);
}

# is @$order a topological order of the edges among its members?
# (reverse: children before parents)
sub topo_violation
{
	my ($byid, $order, $reverse) = @_;
	my %pos;
	@pos{@$order} = (0 .. $#$order);
	for my $v (@$order)
	{
		my $r = $byid->{$v} or next;
		for my $u (@{ $r->{parents} }, @{ $r->{deps} })
		{
			next unless defined $pos{$u};
			my $bad = $reverse ? $pos{$v} > $pos{$u} : $pos{$u} > $pos{$v};
			return "$u must come " . ($reverse ? 'after' : 'before') . " $v"
			  if $bad;
		}
	}
	return '';
}

sub short { my $l = shift; my @l = @$l; return scalar(@l) . ' [' . join(' ', @l > 8 ? (@l[0 .. 7], '...') : @l) . ']'; }

my %faults;
my (%refusals, %single);
my ($n_valid, $n_invalid, $n_nodes, $n_down_skipped, $n_irrev_graphs) = (0, 0, 0, 0, 0);
my @failing_graphs;
my (%n_rel, %n_minus1);
my ($n_dep_kept, $n_dep_current) = (0, 0);
my $fail_dir = $PostgreSQL::Test::Utils::tmp_check;

for my $gi (1 .. $n_graphs)
{
	my $g = gen_graph();
	my @injected;
	if (rand() < 0.4)
	{
		push @injected, inject($g, pick(@fault_kinds)) for 1 .. (rand() < 0.1 ? 2 : 1);
	}
	$faults{$_}++ for @injected;
	my $script = render($g);
	my $codes = oracle_codes($g);
	my $valid = !%$codes;
	my $nodes = $g->{nodes};
	my $n = @$nodes;
	$n_nodes += $n;
	$graph_failed = 0;
	my $what = "graph $gi ($n revisions"
	  . (@injected ? ', faults ' . join('+', @injected) : '') . ')';

	my $byid = by_id($g);
	my @ids = map { $_->{id} } @$nodes;
	my (%children, %kids, %is_parent);
	for my $r (@$nodes)
	{
		push @{ $children{$_} }, $r->{id} for uniq(@{ $r->{parents} }, @{ $r->{deps} });
		push @{ $kids{$_} }, $r->{id} for uniq(@{ $r->{parents} });
		$is_parent{$_} = 1 for @{ $r->{parents} };
	}
	$byid->{' children'} = \%children;
	$byid->{' kids'} = \%kids;
	my @heads = grep { !$is_parent{$_} } @ids;

	my $sql = "SET client_min_messages = warning;\n"
	  . "TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events, dag.log, dag.unlog;\n"
	  . "\\echo \@\@REG\n"
	  . "SELECT count(*), count(*) FILTER (WHERE action = 'added') FROM schemamig.register($dq$script$dq);\n"
	  . "\\echo \@\@REGE :SQLSTATE\n"
	  . "SELECT count(*) FROM schemamig.revisions;\n";

	my ($R, @kept, @removed);
	my ($S, $e5_want, @removed5);
	my ($e7_want, @removed7);
	my $irrev = grep { !$_->{rev} } @$nodes;
	if ($valid)
	{
		$n_irrev_graphs++ if $irrev;
		$sql .= "\\echo \@\@ST0\n" . status_sql()
		  . "\\echo \@\@UP1\nSELECT revision FROM schemamig.upgrade('heads');\n"
		  . "\\echo \@\@E1 :SQLSTATE\n"
		  . "\\echo \@\@LOG1\nSELECT id FROM dag.log ORDER BY n;\n"
		  . "\\echo \@\@ST1\n" . status_sql()
		  . "\\echo \@\@HEAD\nSELECT count(*) FROM schemamig.upgrade('head');\n"
		  . "\\echo \@\@EH :SQLSTATE\n"
		  . "SELECT count(*) FROM dag.log;\n";

		# R: a revision whose downgrade removes reversible ones only
		my %rev = map { $_->{id} => $_->{rev} } @$nodes;
		my @cands;
		for my $c (shuffled(@ids))
		{
			my $keep;
			if ($down_mode eq 'closure') { $keep = closure($byid, $c, 'up'); }
			else
			{
				my $d = after_lineage($byid, $c);
				$keep = { map { $_ => 1 } grep { !$d->{$_} } @ids };
			}
			my @rm = grep { !$keep->{$_} } @ids;
			next if grep { !$rev{$_} } @rm;
			$R = $c;
			@kept = grep { $keep->{$_} } @ids;
			# kept although it needs R: the lineage rule at work
			my $old = closure($byid, $c, 'down');
			$n_dep_kept++ if grep { $old->{$_} && $_ ne $c } @kept;
			@removed = @rm;
			last;
		}
		if (defined $R)
		{
			$sql .= "TRUNCATE dag.unlog;\n"
			  . "\\echo \@\@DOWN\nSELECT revision FROM schemamig.downgrade('$R');\n"
			  . "\\echo \@\@E2 :SQLSTATE\n"
			  . "\\echo \@\@UNLOG2\nSELECT id FROM dag.unlog ORDER BY n;\n"
			  . "\\echo \@\@LOG2\nSELECT id FROM dag.log ORDER BY n;\n"
			  . "\\echo \@\@ST2\n" . status_sql()
			  . "\\echo \@\@UP3\nSELECT revision FROM schemamig.upgrade('heads');\n"
			  . "\\echo \@\@E3 :SQLSTATE\n"
			  . "\\echo \@\@LOG3\nSELECT id FROM dag.log ORDER BY n;\n"
			  . "\\echo \@\@ST3\n" . status_sql();
		}
		else { $n_down_skipped++; }

		# S-1, everything applied; S such that "S-1" is no id or label itself
		my %taken = map { $_ => 1 } @ids, map { @{ $_->{labels} } } @$nodes;
		my @scands = grep { !$taken{"$_-1"} } @ids;
		if (@scands)
		{
			$S = pick(@scands);
			my @sp = uniq(@{ $byid->{$S}{parents} });
			if (@sp > 1) { $e5_want = '22023'; }
			else
			{
				my $rm = @sp ? after_lineage($byid, $sp[0]) : { map { $_ => 1 } @ids };
				@removed5 = grep { $rm->{$_} } @ids;
				if (grep { !$rev{$_} } @removed5) { $e5_want = '55000'; @removed5 = (); }
				else { $e5_want = '00000'; }
			}
			$n_rel{$e5_want}++;
			$sql .= "TRUNCATE dag.unlog;\n"
			  . "\\echo \@\@REL\nSELECT revision FROM schemamig.downgrade('$S-1');\n"
			  . "\\echo \@\@E5 :SQLSTATE\n"
			  . "\\echo \@\@UNLOG5\nSELECT id FROM dag.unlog ORDER BY n;\n"
			  . "\\echo \@\@ST5\n" . status_sql()
			  . "\\echo \@\@UP6\nSELECT revision FROM schemamig.upgrade('heads');\n"
			  . "\\echo \@\@E6 :SQLSTATE\n"
			  . "\\echo \@\@ST6\n" . status_sql();
		}
		# -1 from the current heads, everything applied
		{
			my @cur = grep { !@{ $children{$_} // [] } } @ids;
			if (@cur == 1 && uniq(@{ $byid->{ $cur[0] }{parents} }) <= 1)
			{
				$e7_want = '00000';
				@removed7 = @cur;
			}
			else { $e7_want = '22023'; }
			$n_minus1{$e7_want}++;
			$sql .= "TRUNCATE dag.unlog;\n"
			  . "\\echo \@\@MINUS1\nSELECT revision FROM schemamig.downgrade('-1');\n"
			  . "\\echo \@\@E7 :SQLSTATE\n"
			  . "\\echo \@\@UNLOG7\nSELECT id FROM dag.unlog ORDER BY n;\n"
			  . "\\echo \@\@ST7\n" . status_sql()
			  . "\\echo \@\@UP8\nSELECT revision FROM schemamig.upgrade('heads');\n"
			  . "\\echo \@\@E8 :SQLSTATE\n";
		}
		$sql .= "TRUNCATE dag.unlog;\n"
		  . "\\echo \@\@BASE\nSELECT revision FROM schemamig.downgrade('base');\n"
		  . "\\echo \@\@E4 :SQLSTATE\n"
		  . "\\echo \@\@UNLOG4\nSELECT id FROM dag.unlog ORDER BY n;\n"
		  . "\\echo \@\@LOG4\nSELECT count(*) FROM dag.log;\n"
		  . "\\echo \@\@APP4\nSELECT count(*) FROM schemamig.applied;\n";
	}

	my ($sec, $stderr) = run_psql($sql);
	my $regstate = $sec->{'REGE:state'} // '?';
	my ($reg_rows) = @{ $sec->{REG} // [] };
	my ($nrev) = @{ $sec->{REGE} // [] };
	$reg_rows //= '';
	$nrev //= '?';

	if (!$valid)
	{
		$n_invalid++;
		my @want = sort keys %$codes;
		$refusals{$regstate}++;
		$single{ $injected[0] }{$regstate}++ if @injected == 1;
		check('register refuses invalid graphs', $regstate ne '00000',
			"$what: oracle wants [@want], register() accepted it");
		check('refusal SQLSTATE matches the faults',
			$regstate eq '00000' || $codes->{$regstate},
			"$what: oracle wants [@want], got $regstate: "
			  . join(' ', grep { /ERROR/ } split /\n/, $stderr));
		check('refused registration leaves revisions empty', $nrev eq '0',
			"$what: $nrev rows in schemamig.revisions after a refusal");
	}
	else
	{
		$n_valid++;
		my $ok = check('register accepts valid graphs',
			$regstate eq '00000' && $reg_rows eq "$n|$n",
			"$what: register() gave $regstate ($reg_rows): "
			  . join(' ', grep { /ERROR/ } split /\n/, $stderr));
		check('register stores every revision', $nrev eq $n,
			"$what: $nrev rows in schemamig.revisions, want $n");

		my $check_status = sub {
			my ($label, $rows, $applied) = @_;
			my (%st, %hd, %cu, @order);
			for (@{ $rows // [] })
			{
				my ($id, $state, $head, $cur) = split /\|/;
				push @order, $id;
				$st{$id} = $state;
				$hd{$id} = $head;
				$cu{$id} = $cur;
			}
			check('status() lists every revision once', same_set(\@order, \@ids),
				"$what $label: status() has " . scalar(@order) . " rows, want $n");
			my @bad_head = grep { ($hd{$_} // '') ne ($is_parent{$_} ? 'f' : 't') } @ids;
			check('status() is_head agrees with the oracle', !@bad_head,
				"$what $label: is_head differs for " . short(\@bad_head));
			my @bad_state = grep { ($st{$_} // '') ne ($applied->{$_} ? 'applied' : 'pending') } @ids;
			check('status() state agrees with the oracle', !@bad_state,
				"$what $label: state differs for " . short(\@bad_state)
				  . ' e.g. ' . join(', ', map { "$_ is " . ($st{$_} // 'absent') } @bad_state[0 .. ($#bad_state < 2 ? $#bad_state : 2)]));
			my @bad_cur = grep {
				my $x = $_;
				my $want = $applied->{$x}
				  && !grep { $applied->{$_} } @{ $children{$x} // [] };
				($cu{$x} // '') ne ($want ? 't' : 'f')
			} @ids;
			check('status() is_current agrees with the oracle', !@bad_cur,
				"$what $label: is_current differs for " . short(\@bad_cur));
			my $v = topo_violation($byid, \@order, 0);
			check('status() rows in a topological order', !$v,
				"$what $label: $v");
		};
		my %none;
		my %all = map { $_ => 1 } @ids;
		# a revision hidden from current() only by a dependent
		$n_dep_current++ if grep {
			!@{ $kids{$_} // [] } && @{ $children{$_} // [] }
		} @ids;
		$check_status->('after register', $sec->{ST0}, \%none);

		# upgrade('heads')
		my $log1 = $sec->{LOG1} // [];
		check('upgrade(heads) succeeds', ($sec->{'E1:state'} // '') eq '00000',
			"$what: upgrade('heads') gave " . ($sec->{'E1:state'} // '?'));
		check('upgrade(heads) applies each revision exactly once',
			same_set($log1, \@ids),
			"$what: the log has " . short($log1) . ", want $n distinct");
		my $v = topo_violation($byid, $log1, 0);
		check('upgrade(heads) order is topological', !$v, "$what: $v");
		check('upgrade(heads) rows are the run order',
			join(',', @{ $sec->{UP1} // [] }) eq join(',', @$log1),
			"$what: rows " . short($sec->{UP1} // []) . ' vs log ' . short($log1));
		$check_status->('after upgrade(heads)', $sec->{ST1}, \%all);

		my ($head_rows) = @{ $sec->{HEAD} // [] };
		my ($log_after_head) = @{ $sec->{EH} // [] };
		if (@heads == 1)
		{
			check('upgrade(head) with one head: no rows afterwards',
				($sec->{'EH:state'} // '') eq '00000' && ($head_rows // '') eq '0',
				"$what: upgrade('head') gave " . ($sec->{'EH:state'} // '?')
				  . ' with ' . ($head_rows // '?') . ' rows');
		}
		else
		{
			# psql prints no count when the call fails; the log line comes first
			check('upgrade(head) with several heads: an error',
				($sec->{'EH:state'} // '00000') ne '00000'
				  && !defined $head_rows && ($log_after_head // '') eq $n,
				"$what: " . scalar(@heads) . " heads, upgrade('head') gave "
				  . ($sec->{'EH:state'} // '?'));
		}

		if (defined $R)
		{
			my $unlog = $sec->{UNLOG2} // [];
			my $log2 = $sec->{LOG2} // [];
			my $desc = "$what: downgrade('$R') [$down_mode oracle]";
			check('downgrade(R) succeeds', ($sec->{'E2:state'} // '') eq '00000',
				"$desc gave " . ($sec->{'E2:state'} // '?') . ': '
				  . join(' ', grep { /ERROR/ } split /\n/, $stderr));
			my %k = map { $_ => 1 } @kept;
			my @extra_kept = grep { !$k{$_} } @$log2;
			my %l2 = map { $_ => 1 } @$log2;
			my @lost = grep { !$l2{$_} } @kept;
			check("downgrade(R) keeps exactly the oracle's set",
				!@extra_kept && !@lost && same_set($log2, \@kept),
				"$desc: still applied but oracle removes " . short(\@extra_kept)
				  . '; removed but oracle keeps ' . short(\@lost));
			check("downgrade(R) removes exactly the oracle's set, once each",
				same_set($unlog, \@removed),
				"$desc removed " . short($unlog) . ', oracle ' . short(\@removed));
			my $rv = topo_violation($byid, $unlog, 1);
			check('downgrade(R) order is reverse topological', !$rv, "$desc: $rv");
			check('downgrade(R) rows are the run order',
				join(',', @{ $sec->{DOWN} // [] }) eq join(',', @$unlog),
				"$desc: rows " . short($sec->{DOWN} // []) . ' vs ' . short($unlog));
			$check_status->("after downgrade('$R')", $sec->{ST2}, \%k);

			my $up3 = $sec->{UP3} // [];
			check('upgrade(heads) again succeeds',
				($sec->{'E3:state'} // '') eq '00000',
				"$what: second upgrade('heads') gave " . ($sec->{'E3:state'} // '?'));
			check('upgrade(heads) again applies what was removed',
				same_set($up3, [ grep { !$l2{$_} } @ids ]),
				"$what: second upgrade applied " . short($up3));
			my $v3 = topo_violation($byid, $up3, 0);
			check('upgrade(heads) again in topological order', !$v3, "$what: $v3");
			check('upgrade(heads) again returns to the full state',
				same_set($sec->{LOG3} // [], \@ids),
				"$what: log after second upgrade " . short($sec->{LOG3} // []));
			$check_status->('after the second upgrade', $sec->{ST3}, \%all);
		}

		if (defined $S)
		{
			my $unlog5 = $sec->{UNLOG5} // [];
			my $e5 = $sec->{'E5:state'} // '?';
			my $desc = "$what: downgrade('$S-1') with everything applied";
			check("downgrade('S-1') SQLSTATE as the oracle's", $e5 eq $e5_want,
				"$desc gave $e5, oracle $e5_want: "
				  . join(' ', grep { /ERROR/ } split /\n/, $stderr));
			check("downgrade('S-1') removes exactly the oracle's set",
				same_set($unlog5, \@removed5),
				"$desc removed " . short($unlog5) . ', oracle ' . short(\@removed5));
			my $rv = topo_violation($byid, $unlog5, 1);
			check("downgrade('S-1') order is reverse topological", !$rv, "$desc: $rv");
			my %r5 = map { $_ => 1 } @removed5;
			$check_status->("after downgrade('$S-1')", $sec->{ST5},
				{ map { $_ => 1 } grep { !$r5{$_} } @ids });
			check("upgrade('heads') after downgrade('S-1') succeeds",
				($sec->{'E6:state'} // '') eq '00000',
				"$what: upgrade('heads') gave " . ($sec->{'E6:state'} // '?'));
			$check_status->("after downgrade('$S-1') and upgrade('heads')",
				$sec->{ST6}, \%all);
		}

		{
			my $unlog7 = $sec->{UNLOG7} // [];
			my $e7 = $sec->{'E7:state'} // '?';
			my $irrev7 = grep { !$byid->{$_}{rev} } @removed7;
			my $want = $irrev7 ? '55000' : $e7_want;
			my @rm = $irrev7 ? () : @removed7;
			check("downgrade('-1') SQLSTATE as the oracle's", $e7 eq $want,
				"$what: downgrade('-1') gave $e7, oracle $want");
			check("downgrade('-1') removes exactly the current head",
				same_set($unlog7, \@rm),
				"$what: downgrade('-1') removed " . short($unlog7) . ', oracle ' . short(\@rm));
			my %r7 = map { $_ => 1 } @rm;
			$check_status->("after downgrade('-1')", $sec->{ST7},
				{ map { $_ => 1 } grep { !$r7{$_} } @ids });
			check("upgrade('heads') after downgrade('-1') succeeds",
				($sec->{'E8:state'} // '') eq '00000',
				"$what: upgrade('heads') gave " . ($sec->{'E8:state'} // '?'));
		}

		my $unlog4 = $sec->{UNLOG4} // [];
		my $e4 = $sec->{'E4:state'} // '?';
		my ($log4) = @{ $sec->{LOG4} // [] };
		my ($app4) = @{ $sec->{APP4} // [] };
		if ($irrev)
		{
			check("downgrade('base') over an irreversible revision: 55000, nothing changes",
				$e4 eq '55000' && !@$unlog4 && ($log4 // '') eq $n && ($app4 // '') eq $n,
				"$what: downgrade('base') gave $e4, undid " . scalar(@$unlog4)
				  . ', log ' . ($log4 // '?') . ', applied ' . ($app4 // '?'));
		}
		else
		{
			check("downgrade('base') succeeds", $e4 eq '00000',
				"$what: downgrade('base') gave $e4");
			check("downgrade('base') undoes each revision once",
				same_set($unlog4, \@ids),
				"$what: downgrade('base') undid " . short($unlog4));
			my $rv = topo_violation($byid, $unlog4, 1);
			check("downgrade('base') order is reverse topological", !$rv, "$what: $rv");
			check("downgrade('base') empties",
				($log4 // '') eq '0' && ($app4 // '') eq '0',
				"$what: after downgrade('base') log " . ($log4 // '?')
				  . ', applied ' . ($app4 // '?'));
		}
	}

	if ($graph_failed)
	{
		push @failing_graphs, $gi;
		if (@failing_graphs <= 20)
		{
			open my $fh, '>', "$fail_dir/dag_fail_$gi.sql" or die $!;
			print $fh $sql;
			close $fh;
		}
	}
}

my $elapsed = time - $t_start;
my ($checks, $fails) = (0, 0);
$checks += $total{$_} for @cat_order;
$fails += ($failed{$_} // 0) for @cat_order;
for my $cat (@cat_order)
{
	my $f = $failed{$cat} // 0;
	is($f, 0, sprintf('%s: %d/%d', $cat, $total{$cat} - $f, $total{$cat}));
	diag("  $_") for @{ $examples{$cat} // [] };
}
diag(sprintf('%d graphs (%d revisions, %.0f per graph): %d valid, %d invalid; '
	  . '%d valid graphs with an irreversible revision; downgrade(R) skipped in %d',
	$n_graphs, $n_nodes, $n_nodes / ($n_graphs || 1), $n_valid, $n_invalid,
	$n_irrev_graphs, $n_down_skipped));
diag(sprintf('lineage rule: %d downgrade(R) kept a revision that needs R '
	  . 'through depends_on only; %d graphs with a leaf that only a dependent '
	  . 'hides from current(); downgrade(S-1): %s; downgrade(-1): %s',
	$n_dep_kept, $n_dep_current,
	join(', ', map { "$_ x$n_rel{$_}" } sort keys %n_rel),
	join(', ', map { "$_ x$n_minus1{$_}" } sort keys %n_minus1)));
diag('faults injected: '
	  . join(', ', map { "$_ $faults{$_}" } grep { $faults{$_} } @fault_kinds));
diag('refusals by SQLSTATE: '
	  . join(', ', map { "$_ $refusals{$_}" } sort keys %refusals));
diag('single faults -> SQLSTATE: '
	  . join('; ', map { my $f = $_; "$f " . join('/', map { "$_ x$single{$f}{$_}" } sort keys %{ $single{$f} }) } grep { $single{$_} } @fault_kinds));
diag(sprintf('%d checks, %d passed, %d failed; failing graphs: %s',
	$checks, $checks - $fails, $fails,
	@failing_graphs ? join(' ', @failing_graphs[ 0 .. ($#failing_graphs < 19 ? $#failing_graphs : 19) ])
	  . (@failing_graphs > 20 ? ' ...' : '') . " (scripts in $fail_dir)" : 'none'));
diag(sprintf('seed %d, elapsed %.1f s', $seed, $elapsed));

$node->stop;
done_testing();
