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
#     The C files are read after the preprocessor (gcc -E, PostgreSQL's
#     server headers): SQL built with macros (EQ, QN(), ...) is read whole,
#     as the server gets it.
# Prints each finding with file and line; exits 1 when there is one.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# each C file preprocessed, its own lines kept at their own line numbers
# (a macro's expansion stays on the line that uses it)
PPD=$(mktemp -d)
trap 'rm -rf "$PPD"' EXIT
INC=$(pg_config --includedir-server) || { echo "FAIL: sql_lint: pg_config is needed"; exit 1; }
for f in src/*.c src/*/*.c; do
	mkdir -p "$PPD/$(dirname "$f")"
	gcc -E -I"$INC" -Isrc -I. "$f" >"$PPD/$f.i" ||
		{ echo "FAIL: sql_lint: gcc -E $f"; exit 1; }
	awk -v F="\"$f\"" '
		/^# [0-9]+ "/ { keep = ($3 == F); n = $2; next }
		keep { while (out < n - 1) { print ""; out++ } print; out++; n++ }' "$PPD/$f.i" >"$PPD/$f"
done
export PPD

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
	open(my $fh, "<", "$ENV{PPD}/$f") or die "$f: $!";
	my @lines = <$fh>;
	my $text = join("", @lines);
	# the CTE names the file defines: a statement may be built from pieces
	# (describe.c), whose sub-queries read CTEs another piece defines
	my %cte;
	while ($text =~ /((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
		my $sql = join("", $1 =~ /"((?:[^"\\\n]|\\.)*)"/g);
		$cte{$_} = 1 for $sql =~ /(?:\bWITH\s+(?:RECURSIVE\s+)?|,\s*)([A-Za-z_]\w*)\s+AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(/gi;
	}
	# runs of adjacent string literals, with the line they start on
	while ($text =~ /((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
		my ($run, $pos) = ($1, $-[1]);
		my $line = 1 + (() = substr($text, 0, $pos) =~ /\n/g);
		my $sql = join("", $run =~ /"((?:[^"\\\n]|\\.)*)"/g);
		# a statement: " WITH (" (a reloption searched for in a definition)
		# is not one; a CTE names itself first.  Pieces of a statement that
		# C code joins (describe.c) count too: a sub-query, further CTEs,
		# json members ("'name', ..."), a WHERE clause
		next unless $sql =~ /^\s*(?:(?:SELECT|INSERT|UPDATE|DELETE)\b|WITH\s+(?:RECURSIVE\s+)?[A-Za-z_"])/
			|| $sql =~ /^\s*(?:\(\s*SELECT\b|,\s*[A-Za-z_]\w*\s+AS\s+\(|,?\s*\x27\w+\x27,|WHERE\b)/;
		(my $s = $sql) =~ s/\x27(?:[^\x27]|\x27\x27)*\x27/\x27\x27/g;	# string contents
		while ($s =~ /\b(FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_"][\w."]*)/g) {
			my $name = $2;
			next if $1 eq "UPDATE" && $name eq "SET";	# ON CONFLICT ... DO UPDATE SET
			next if $cte{$name} || $name eq "LATERAL";
			finding("$f:$line", "unqualified table $name") unless $name =~ /\./;
		}
		while ($s =~ /(?<![\w.\\])([A-Za-z_]\w*)\s*\(/g) {
			my $fn = $1;
			next if $fn =~ /^(ANY|ALL|IN|VALUES|OPERATOR|EXISTS|ARRAY|FROM|JOIN|LATERAL|FILTER|AND|OR|NOT|WHERE|ON|AS|BY|SELECT|THEN|ELSE|WHEN|CAST|CONFLICT|count_star)$/i;
			# an alias with its column names: "... ) s(k)", "AS k(a, b)"
			next if substr($s, 0, $-[1]) =~ /(?:\)|\bAS)\s*$/i;
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
			if $o =~ /(\s(?:=|<>|!=|<|>|\|\||-|\+)\s)/;
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
