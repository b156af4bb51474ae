#!/usr/bin/env bash
# test/run.sh: the one test command (README; .ci/run runs it).
#
#   bash test/run.sh            from any directory; root on Debian 12
#
# Lanes: one per PostgreSQL major version in SMIG_PG_VERSIONS (default
# "15 17 18"), one after another.  The version the host has (SMIG_PG_MAJOR,
# 15 on Debian 12) runs the whole suite here, steps 1-5 below; its results
# are named as they always were.  Every other version runs in a Debian chroot
# made by test/lib/pg_chroot.sh (17: trixie, 18: sid; cached under
# /var/cache/schemamig-chroots), the same suite again (narrower with
# SMIG_LANE_SHELL_TESTS / SMIG_LANE_TAP_TESTS, see that script); its results
# are prefixed "pg17: ", "pg18: ".  A lane that cannot be set up (no chroot:
# archive unreachable, ...) counts as failed.
#
# Steps of the host suite, in order:
#   1. test/setup.sh: install the Debian packages that are missing, then
#      `make clean && make` (strict flags, COPT=-DUSE_ASSERT_CHECKING) and
#      `make install`;
#   2. pg_regress: the Makefile's REGRESS, via `pg_virtualenv -t make
#      installcheck` (a throwaway cluster; regression.diffs printed on failure);
#   3. isolation specs: the Makefile's ISOLATION (PGXS; its ISOLATION_OPTS),
#      in a second throwaway cluster (output_iso/regression.diffs on failure);
#   4. shell tests: every test/*.sh but run.sh and setup.sh, each in its own
#      throwaway cluster (pg_virtualenv exports PGHOST, PGPORT, PGUSER, ...);
#      test/valgrind.sh (the suite under valgrind, the longest test by far)
#      only in the lanes of SMIG_VALGRIND_VERSIONS;
#   5. TAP tests: test/t/*.pl (or the Makefile's PROVE_TESTS), through PGXS's
#      `make installcheck` (prove), as the postgres user from a copy of the
#      tree owned by postgres: initdb refuses to run as root, and chowning the
#      checkout itself would make git refuse it.  Skipped when there are none.
#
# Counting: each pg_regress test = 1, each isolation spec = 1, each shell test
# script = 1, each TAP test *script* = 1 (not each assertion: a script's
# assertions build on each other, and prove's verdict is per script).
# A test is passed only when its own "ok" line is seen, so one that never ran
# (crash, time-out) counts as failed.  A failed setup step (package install,
# build), or a runner that exits non-zero while every test it ran passed,
# counts as 1 failed test.
# The last line printed is exactly "N passed, M failed"; exit status is 0 only
# when M is 0.
#
# Settings (environment):
#   SMIG_PG_VERSIONS   the lanes, e.g. "17" to run only PostgreSQL 17 (in its
#                      chroot), "15" for the host suite only ("15 17 18")
#   SMIG_PG_MAJOR      the version installed on the host (15)
#   SMIG_COPT          see test/setup.sh
#   SMIG_STEP_TIMEOUT  seconds per runner invocation (1200)
#   SMIG_LANE_TIMEOUT  seconds per chroot lane, chroot making included (3600)
#   SMIG_SHELL_TESTS   restrict the shell tests to these (paths such as
#                      test/cli.sh; empty: none); default all of test/*.sh
#   SMIG_VALGRIND_VERSIONS  the lanes whose default shell tests include
#                      test/valgrind.sh ("15": our C is the same on every
#                      version, and the lane costs about 12 minutes)
#   SMIG_TAP_TESTS     restrict the TAP tests to these (glob patterns);
#                      default the Makefile's PROVE_TESTS or test/t/*.pl
#   SMIG_RESULTS_FILE  also write one "pass NAME" / "fail NAME" line per
#                      result there (the chroot lanes use it)

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=test/setup.sh
. "$ROOT/test/setup.sh"

STEP_TIMEOUT=${SMIG_STEP_TIMEOUT:-1200}
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/schemamig-test.XXXXXX")
TAP_SCRATCH=
passed=0
failed=0
failures=()

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$TAP_SCRATCH" ]; then
		rm -rf "$TAP_SCRATCH"
	fi
}
trap cleanup EXIT

RESULTS_FILE=${SMIG_RESULTS_FILE:-}
if [ -n "$RESULTS_FILE" ]; then
	: >"$RESULTS_FILE"
fi

pass() {
	passed=$((passed + 1))
	echo "PASS: $1"
	if [ -n "$RESULTS_FILE" ]; then
		echo "pass $1" >>"$RESULTS_FILE"
	fi
}

fail() {
	failed=$((failed + 1))
	failures+=("$1")
	echo "FAIL: $1"
	if [ -n "$RESULTS_FILE" ]; then
		echo "fail $1" >>"$RESULTS_FILE"
	fi
}

finish() {
	echo
	echo "================ schemamig test summary ================"
	if [ "$failed" -gt 0 ]; then
		echo "Failed:"
		printf '  %s\n' "${failures[@]}"
		echo "Logs kept in $LOG_DIR"
	else
		rm -rf "$LOG_DIR"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# The value of a variable of the project's Makefile (PGXS included).
make_var() {
	make -s --no-print-directory -C "$ROOT" -f Makefile -f "$LOG_DIR/print.mk" \
		"smig-print-$1"
}

# Print a diffs file, capped so a runaway diff cannot drown the log.
show_diffs() {
	local f=$1 max=3000
	[ -s "$f" ] || return 0
	echo "---------------- ${f#"$ROOT"/} ----------------"
	head -n "$max" "$f"
	if [ "$(wc -l <"$f")" -gt "$max" ]; then
		echo "... (cut at $max lines; whole file in $LOG_DIR)"
	fi
	cp "$f" "$LOG_DIR/" 2>/dev/null
	echo "----------------------------------------------------"
}

# "NAME STATUS" (STATUS ok or fail) for each test result line in a
# pg_regress / pg_isolation_regress log: PostgreSQL <= 15 prints
# "test NAME ... ok" (or "     NAME ... FAILED" inside a parallel group),
# PostgreSQL >= 16 prints "ok 1 - NAME" / "not ok 1 - NAME".
pg_regress_results() {
	awk '
		{ sub(/^[ \t]+/, "") }
		/^(not )?ok [0-9]+ +[-+] / {
			if ($1 == "not") print $5, "fail"; else print $4, "ok"
			next
		}
		{ if ($1 == "test") { $1 = ""; sub(/^ /, "") } }
		$2 == "..." {
			if ($3 == "ok" || ($3 == "failed" && $4 == "(ignored)"))
				print $1, "ok"
			else
				print $1, "fail"
		}
	' "$1"
}

# tally_pg_regress KIND LOG RC NAME...: one PASS or FAIL per NAME.
tally_pg_regress() {
	local kind=$1 log=$2 rc=$3 name status any_failed=0
	shift 3
	for name in "$@"; do
		status=$(pg_regress_results "$log" | awk -v n="$name" '$1 == n { s = $2 } END { print s }')
		case "$status" in
		ok) pass "$kind: $name" ;;
		fail)
			fail "$kind: $name"
			any_failed=1
			;;
		*)
			fail "$kind: $name (no result: did not run)"
			any_failed=1
			;;
		esac
	done
	if [ "$rc" -ne 0 ] && [ "$any_failed" -eq 0 ]; then
		fail "$kind: runner exited with status $rc"
		any_failed=1
	fi
	return "$any_failed"
}

# Warn about inputs that exist but are not listed, so nothing is silently
# left out (the lead decides what is listed; this runner does not add them).
note_unlisted() {
	local kind=$1 listed=" $2 " f name
	shift 2
	for f in "$@"; do
		name=$(basename "$f")
		name=${name%.*}
		case "$listed" in
		*" $name "*) ;;
		*) echo "note: ${f#"$ROOT"/} exists but is not in $kind (not run)" ;;
		esac
	done
}

# run_logged LOG CMD...: run CMD with a time limit, output to terminal and LOG.
run_logged() {
	local log=$1
	shift
	timeout -k 30 "$STEP_TIMEOUT" "$@" </dev/null 2>&1 | tee "$log"
	return "${PIPESTATUS[0]}"
}

# venv LOG CMD...: run_logged CMD inside a throwaway cluster (pg_virtualenv -t,
# which exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).  Right after
# the previous throwaway cluster was dropped, pg_virtualenv now and then fails
# to start its own ("Port conflict" while the old postmaster is still going
# away); CMD then never ran, so wait and try again, up to 3 times.
venv() {
	local log=$1 try marker rc=1
	shift
	for try in 1 2 3; do
		marker="$LOG_DIR/started.$try.$(basename "$log")"
		rm -f "$marker"
		# shellcheck disable=SC2016 # $0 and $@ belong to the inner sh
		run_logged "$log" pg_virtualenv -t -v "$SMIG_PG_MAJOR" \
			sh -c 'touch "$0" && exec "$@"' "$marker" "$@"
		rc=$?
		[ -e "$marker" ] && return "$rc"
		echo "pg_virtualenv did not start a cluster (try $try of 3)"
		sleep 5
	done
	return "$rc"
}

shopt -s nullglob

# took LABEL START: how long a part of the run took (where CI's time goes)
took() {
	echo "took: $1: $(($(date +%s) - $2)) s"
}

# The whole suite against the PostgreSQL installed here (SMIG_PG_MAJOR).
host_suite() {
	# ---------------------------------------------------------------- 1. setup
	echo "================ setup ================"
	if ! smig_install_deps; then
		fail "setup: install packages"
		return 1
	fi
	if ! smig_build; then
		fail "setup: build and install schemamig"
		return 1
	fi
	# shellcheck disable=SC2016 # $(info ...) is for make, not the shell
	printf 'smig-print-%%: ; @:$(info $($*))\n' >"$LOG_DIR/print.mk"

	# ------------------------------------------------------------- 2. pg_regress
	echo "================ pg_regress ================"
	read -r -a regress <<<"$(make_var REGRESS)"
	sql_inputs=()
	for f in "$ROOT"/sql/*.sql; do
		case "$(basename "$f")" in *--*) ;; *) sql_inputs+=("$f") ;; esac
	done
	note_unlisted REGRESS "${regress[*]}" "${sql_inputs[@]}"
	if [ ${#regress[@]} -eq 0 ]; then
		echo "REGRESS is empty: no pg_regress tests"
	else
		t0=$(date +%s)
		(cd "$ROOT" && venv "$LOG_DIR/regress.log" make installcheck ISOLATION= TAP_TESTS=)
		rc=$?
		took regress "$t0"
		tally_pg_regress regress "$LOG_DIR/regress.log" "$rc" "${regress[@]}" ||
			show_diffs "$ROOT/regression.diffs"
	fi

	# ------------------------------------------------------- 3. isolation specs
	echo "================ isolation ================"
	read -r -a isolation <<<"$(make_var ISOLATION)"
	note_unlisted ISOLATION "${isolation[*]}" "$ROOT"/test/specs/*.spec
	if [ ${#isolation[@]} -eq 0 ]; then
		echo "ISOLATION is empty: no isolation specs"
	else
		t0=$(date +%s)
		(cd "$ROOT" && venv "$LOG_DIR/isolation.log" make installcheck REGRESS= TAP_TESTS=)
		rc=$?
		took isolation "$t0"
		tally_pg_regress isolation "$LOG_DIR/isolation.log" "$rc" "${isolation[@]}" ||
			show_diffs "$ROOT/output_iso/regression.diffs"
	fi

	# ------------------------------------------------------------ 4. shell tests
	echo "================ shell tests ================"
	shell_tests=()
	if [ -n "${SMIG_SHELL_TESTS+set}" ]; then
		for f in $SMIG_SHELL_TESTS; do
			if [ -f "$ROOT/$f" ]; then
				shell_tests+=("$ROOT/$f")
			else
				fail "shell: $f (no such test)"
			fi
		done
	else
		for f in "$ROOT"/test/*.sh; do
			case "$(basename "$f")" in
			run.sh | setup.sh) ;;
			valgrind.sh)
				case " ${SMIG_VALGRIND_VERSIONS:-15} " in
				*" $SMIG_PG_MAJOR "*) shell_tests+=("$f") ;;
				*) echo "test/valgrind.sh: not in this lane (SMIG_VALGRIND_VERSIONS=${SMIG_VALGRIND_VERSIONS:-15})" ;;
				esac
				;;
			*) shell_tests+=("$f") ;;
			esac
		done
	fi
	if [ ${#shell_tests[@]} -eq 0 ]; then
		echo "no shell tests"
	fi
	for f in "${shell_tests[@]}"; do
		name=${f#"$ROOT"/}
		echo "---- $name"
		t0=$(date +%s)
		if (cd "$ROOT" && venv "$LOG_DIR/$(basename "$f").log" bash "$f"); then
			pass "shell: $name"
		else
			fail "shell: $name"
		fi
		took "$name" "$t0"
	done

	# ------------------------------------------------------------- 5. TAP tests
	echo "================ TAP ================"
	if [ -n "${SMIG_TAP_TESTS+set}" ]; then
		prove_pattern=$SMIG_TAP_TESTS
	else
		prove_pattern=$(make_var PROVE_TESTS)
		prove_pattern=${prove_pattern:-test/t/*.pl}
	fi
	read -r -a prove_words <<<"$prove_pattern"
	tap_tests=()
	for f in "${prove_words[@]}"; do
		# the words are glob patterns, relative to ROOT
		mapfile -t -O "${#tap_tests[@]}" tap_tests < <(cd "$ROOT" && compgen -G "$f" | sort)
	done
	if [ ${#tap_tests[@]} -eq 0 ]; then
		echo "no TAP tests (${prove_pattern:-none selected}): skipped"
	else
		TAP_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/schemamig-tap.XXXXXX")
		tar -C "$ROOT" --exclude=./.git -cf - . | tar -C "$TAP_SCRATCH" -xf -
		as_user=(env)
		if [ "$(id -u)" -eq 0 ]; then
			chown -R postgres:postgres "$TAP_SCRATCH"
			as_user=(runuser -u postgres -- env HOME="$(getent passwd postgres | cut -d: -f6)")
		fi
		t0=$(date +%s)
		(cd "$TAP_SCRATCH" && run_logged "$LOG_DIR/tap.log" "${as_user[@]}" \
			PATH="$PATH" PG_CONFIG="$PG_CONFIG" \
			make installcheck REGRESS= ISOLATION= TAP_TESTS=1 PROVE_TESTS="${tap_tests[*]}" PROVE_FLAGS="--timer")
		rc=$?
		took tap "$t0"
		any_failed=0
		for t in "${tap_tests[@]}"; do
			# prove prints "[time] test/t/001_x.pl .. ok N ms" (or ".. skipped: why") per script
			if awk -v t="$t" '{ sub(/^\[[0-9:]+\] /, "") } $1 == t && $2 ~ /^\.+$/ && ($3 == "ok" || $3 == "skipped:") { f = 1 }
				END { exit !f }' "$LOG_DIR/tap.log"; then
				pass "tap: $t"
			else
				fail "tap: $t"
				any_failed=1
				log=$TAP_SCRATCH/tmp_check/log/regress_log_$(basename "$t" .pl)
				if [ -f "$log" ]; then
					echo "---------------- tail of ${log#"$TAP_SCRATCH"/} ----------------"
					tail -n 80 "$log"
				fi
			fi
		done
		if [ "$rc" -ne 0 ] && [ "$any_failed" -eq 0 ]; then
			fail "tap: runner exited with status $rc"
		fi
		if [ "$any_failed" -ne 0 ] && [ -d "$TAP_SCRATCH/tmp_check/log" ]; then
			cp -r "$TAP_SCRATCH/tmp_check/log" "$LOG_DIR/tap_logs"
		fi
	fi
}

# chroot_lane MAJOR: test/lib/pg_chroot.sh MAJOR; its results, counted here
# as "pgMAJOR: NAME".  The inner run's results file comes back as
# $SMIG_LANE_RESULTS; the lane is failed when that file is missing or empty,
# or disagrees with the inner run's exit status.
chroot_lane() {
	local v=$1 log=$LOG_DIR/pg$1.log res=$LOG_DIR/pg$1.results rc word name
	local n=0 nfail=0 started
	rm -f "$res"
	echo "================ PostgreSQL $v (chroot) ================"
	started=$(date +%s)
	timeout -k 60 "${SMIG_LANE_TIMEOUT:-3600}" \
		env SMIG_LANE_RESULTS="$res" \
		bash "$ROOT/test/lib/pg_chroot.sh" "$v" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "lane pg$v: $(($(date +%s) - started)) s in all"
	if [ -f "$res" ]; then
		while read -r word name; do
			n=$((n + 1))
			case $word in
			pass) pass "pg$v: $name" ;;
			*)
				fail "pg$v: $name"
				nfail=$((nfail + 1))
				;;
			esac
		done <"$res"
	fi
	if [ "$n" -eq 0 ]; then
		# the inner run never started: say why (pg_chroot.sh's FAIL line)
		name=$(sed -n 's/^FAIL: chroot: //p' "$log" | tail -n 1)
		fail "pg$v: lane did not run (status $rc${name:+: $name})"
	elif [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then
		fail "pg$v: lane exited with status $rc"
	fi
}

read -r -a versions <<<"${SMIG_PG_VERSIONS:-15 17 18}"
for v in "${versions[@]}"; do
	if [ "$v" = "$SMIG_PG_MAJOR" ]; then
		echo "================ PostgreSQL $v (installed here) ================"
		started=$(date +%s)
		host_suite
		echo "lane pg$v (installed here): $(($(date +%s) - started)) s"
	else
		chroot_lane "$v"
	fi
done

finish
