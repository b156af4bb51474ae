#!/usr/bin/env bash
# test/sql_lint.sh: search-path safety of schemamig's own SQL (TESTPLAN S7, S8).
#
# S7, the install scripts sql/schemamig--*.sql and sql/schemamig-prelude.sql
#     (the start of the built 0.2 script): no CREATE OR REPLACE, no
#     IF NOT EXISTS, no @extschema@ inside quotes, built-in functions called
#     as pg_catalog.f().  The extension owner's name (@extowner@, a role name
#     that may hold quotes, dollar signs, comment ends and newlines) only as
#     the grantee of a GRANT or REVOKE: never in a comment, a string, a
#     dollar-quoted body or anywhere else.
# S8, the C code: every SQL text in src/*.c (adjacent string literals joined,
#     as the compiler does) names tables schema-qualified, calls functions
#     qualified, and uses operators only as OPERATOR(pg_catalog.op); values
#     go in as $n parameters, so no literal is built with %s around a quote;
#     casts name their type qualified (pg_catalog.text): a type in pg_temp
#     comes first for an unqualified type name whatever search_path says.
# Prints each finding with file and line; exits 1 when there is one.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

perl -e '
use strict; use warnings;
my $bad = 0;
sub finding { my ($where, $what) = @_; print "FINDING $where: $what\n"; $bad++; }

# ---- S7: install scripts
for my $f (glob("sql/schemamig--*.sql"), "sql/schemamig-prelude.sql") {
	open(my $fh, "<", $f) or die "$f: $!";
	my $n = 0;
	my $dollar = 0;		# inside a $$ body
	while (my $l = <$fh>) {
		$n++;
		my $owner_ok = !$dollar && $l =~ /^\s*(GRANT|REVOKE)\b[^\x27\$"]*\b(TO|FROM)\s+\@extowner\@(\s+WITH\s+GRANT\s+OPTION)?\s*;\s*$/i;
		finding("$f:$n", "\@extowner\@ outside the grantee of a GRANT/REVOKE")
			if $l =~ /\@extowner\@/ && !$owner_ok;
		finding("$f:$n", "\@extschema\@ inside a dollar-quoted body")
			if $dollar && $l =~ /\@extschema\@/;
		$dollar = !$dollar for ($l =~ /\$\$/g);
		next if $l =~ /^\s*--/;
		finding("$f:$n", "CREATE OR REPLACE") if $l =~ /CREATE\s+OR\s+REPLACE/i;
		finding("$f:$n", "IF NOT EXISTS") if $l =~ /IF\s+NOT\s+EXISTS/i;
		finding("$f:$n", "\@extschema\@ inside quotes") if $l =~ /\x27[^\x27]*\@extschema\@/;
		while ($l =~ /(?<![\w.])(nextval|now|count|pg_extension_config_dump|current_setting|concat|md5|age|format|set_config)\s*\(/g) {
			finding("$f:$n", "unqualified call of $1()");
		}
	}
}

# ---- S8: SQL texts in the C code
for my $f (glob("src/*.c"), glob("src/*/*.c")) {
	open(my $fh, "<", $f) or die "$f: $!";
	my @lines = <$fh>;
	my $text = join("", @lines);
	# runs of adjacent string literals, with the line they start on
	while ($text =~ /((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
		my ($run, $pos) = ($1, $-[1]);
		my $line = 1 + (() = substr($text, 0, $pos) =~ /\n/g);
		my $sql = join("", $run =~ /"((?:[^"\\\n]|\\.)*)"/g);
		# a statement: " WITH (" (a reloption searched for in a definition)
		# is not one; a CTE names itself first
		next unless $sql =~ /^\s*(?:(?:SELECT|INSERT|UPDATE|DELETE)\b|WITH\s+(?:RECURSIVE\s+)?[A-Za-z_"])/;
		(my $s = $sql) =~ s/\x27(?:[^\x27]|\x27\x27)*\x27/\x27\x27/g;	# string contents
		# CTEs of the statement itself ("WITH a AS (", ", b AS MATERIALIZED (")
		my %cte = map { $_ => 1 }
			$s =~ /(?:\bWITH\s+(?:RECURSIVE\s+)?|,\s*)([A-Za-z_]\w*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(/gi;
		while ($s =~ /\b(FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_"][\w."]*)/g) {
			my $name = $2;
			next if $1 eq "UPDATE" && $name eq "SET";	# ON CONFLICT ... DO UPDATE SET
			next if $cte{$name};
			finding("$f:$line", "unqualified table $name") unless $name =~ /\./;
		}
		while ($s =~ /(?<![\w.\\])([A-Za-z_]\w*)\s*\(/g) {
			my $fn = $1;
			next if $fn =~ /^(ANY|IN|VALUES|OPERATOR|EXISTS|ARRAY|FROM|AND|OR|NOT|WHERE|ON|AS|BY|SELECT|THEN|ELSE|WHEN|CAST|CONFLICT|count_star)$/i;
			# grammar constructs, not function look-ups: no search_path can change them
			next if $fn =~ /^(COALESCE|NULLIF|GREATEST|LEAST)$/i;
			next if $fn =~ /^(revision|applied|events|revisions)$/;	# column lists
			finding("$f:$line", "unqualified call of $fn()");
		}
		(my $o = $s) =~ s/OPERATOR\(pg_catalog\.[^)]*\)//g;
		# assignments, not operators: SET up to WHERE (or to the end, as in
		# ON CONFLICT ... DO UPDATE SET)
		$o =~ s/\bSET\b.*?(?:\bWHERE\b|$)/SET WHERE/s;
		finding("$f:$line", "operator outside OPERATOR(pg_catalog.op): $1")
			if $o =~ /(\s(?:=|<>|!=|<|>|\|\|)\s)/;
		finding("$f:$line", "a value spliced into quotes") if $s =~ /\x27%s\x27/;
		finding("$f:$line", "LIKE/ILIKE/SIMILAR TO outside OPERATOR(pg_catalog.op)")
			if $s =~ /\b(LIKE|ILIKE|SIMILAR\s+TO)\b/i;
		# a type in pg_temp comes first for an unqualified type name,
		# whatever search_path says: casts name pg_catalog types
		while ($s =~ /(?:::\s*|\bAS\s+)([A-Za-z_][\w.]*)(\[\])?\s*(?=[)\s,]|$)/g) {
			my $ty = $1;
			next if $ty =~ /\./ || $ty =~ /^(SELECT|VALUES|WITH|NOT|MATERIALIZED)$/i;
			next unless $& =~ /^::/ || $s =~ /CAST\s*\([^()]*\bAS\s+\Q$ty\E/i;
			finding("$f:$line", "cast to unqualified type $ty");
		}
	}
}
print $bad ? "FAIL: sql_lint: $bad findings\n" : "PASS: sql_lint\n";
exit($bad ? 1 : 0);
'
