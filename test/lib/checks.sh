# test/lib/checks.sh: the checks of the shell tests (sourced).  The sourcing
# test sets WORK (a scratch directory) and SM (the client), and counts with
# the variables checks and failures that these functions update; it prints
# its own closing line ("PASS: NAME (N checks)" or "FAIL: ...").
#
#   step TEXT                     a heading in the log
#   fail TEXT                     count a failure
#   expect WHAT GOT WANT          GOT equals WANT (a diff when not)
#   expect_match WHAT GOT ERE     some line of GOT matches the regex
#   expect_no_match WHAT GOT ERE  no line of GOT matches it
#   expect_contains WHAT GOT STR  some line of GOT holds the fixed string
#   expect_rc WHAT WANT           the exit status of the last sm call
#   sm ARG...                     run the client: sets OUT, ERR (trailing
#                                 newlines dropped) and RC; stdin from the
#                                 caller, or /dev/null with SM_STDIN_NULL=1
#   need_client                   exit 1 when $SM is not built
#   fill FILE UP DOWN             put SQL into the sections of a file that
#                                 "schemamig new" wrote
#
# SMIG_CLI_VALGRIND=1 runs every sm call under valgrind memcheck: a memory
# error or a definite or indirect leak counts as a failed check.

checks=${checks:-0}
failures=${failures:-0}

step() { echo "---- $*"; }

fail() {
	failures=$((failures + 1))
	echo "FAIL: $*"
}

expect() {
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		fail "$1"
		diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2") | tail -n +3 | sed 's/^/    /'
	fi
}

expect_match() {
	checks=$((checks + 1))
	if ! grep -Eq -- "$3" <<<"$2"; then
		fail "$1: no line matches /$3/ in:"
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

expect_no_match() {
	checks=$((checks + 1))
	if grep -Eq -- "$3" <<<"$2"; then
		fail "$1: a line matches /$3/ in:"
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

expect_contains() {
	checks=$((checks + 1))
	if ! grep -Fq -- "$3" <<<"$2"; then
		fail "$1: no line holds \"$3\" in:"
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

expect_rc() {
	checks=$((checks + 1))
	if [ "$RC" != "$2" ]; then
		fail "$1: exit status $RC, expected $2"
		printf '%s\n' "$OUT" | sed 's/^/    stdout: /'
		printf '%s\n' "$ERR" | sed 's/^/    stderr: /'
	fi
}

VG=()
if [ "${SMIG_CLI_VALGRIND:-0}" != 0 ]; then
	command -v valgrind >/dev/null || { echo "SMIG_CLI_VALGRIND is set but valgrind is missing"; exit 1; }
	# shellcheck disable=SC2054 # the commas belong to valgrind's options
	VG=(valgrind -q --error-exitcode=99 --leak-check=full
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
		--log-file="$WORK/valgrind.log")
fi

sm() {
	if [ "${SM_STDIN_NULL:-0}" != 0 ]; then
		"${VG[@]}" "$SM" "$@" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null
	else
		"${VG[@]}" "$SM" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
	fi
	RC=$?
	OUT=$(cat "$WORK/stdout")
	ERR=$(cat "$WORK/stderr")
	if [ ${#VG[@]} -gt 0 ] && [ -s "$WORK/valgrind.log" ]; then
		checks=$((checks + 1))
		fail "valgrind reports errors for: schemamig $*"
		sed 's/^/    /' "$WORK/valgrind.log"
		: >"$WORK/valgrind.log"
	fi
}

need_client() {
	if [ ! -x "$SM" ]; then
		echo "$SM is missing: build it with make (or make -C cli)"
		exit 1
	fi
}

fill() {
	sed -i -e "/^-- schemamig:upgrade\$/a $2" -e "/^-- schemamig:downgrade\$/a $3" "$1"
}
