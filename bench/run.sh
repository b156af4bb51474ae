#!/usr/bin/env bash
# bench/run.sh -- schemamig side by side with raw psql, Alembic, Sqitch and
# dbmate, on a throwaway PostgreSQL 15 server on loopback.
#
#   bash bench/run.sh              N = 10 100 1000 10000, about 10 minutes
#   bash bench/run.sh --quick      N = 10 100, 3 runs: a smoke test, ~1 minute
#   bash bench/run.sh --help       every option
#
# Every tool gets the same chain of N revisions (bench/gen.py): revision i
# creates table t<i> (bigint primary key, text column) and an index; every
# 10th also adds a column to t<i-9>, inserts 100 rows and backfills them.
# Each run of each tool starts from a fresh database.  A figure is the wall
# time of the whole client command, process start to end, taken the same way
# for every tool (bash's $EPOCHREALTIME around it); the report gives the
# median over the runs and the ratio to raw psql measured in the same
# invocation.  See bench/README.md.
#
# The extension benchmarked is the one installed for PostgreSQL 15
# (make install); this script builds and installs nothing of schemamig.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# npm's dbmate and anything else this script installs outside Debian
TOOLS_DIR=${SCHEMAMIG_BENCH_TOOLS:-/var/tmp/schemamig-bench-tools}
PY=/usr/bin/python3             # Debian's python3: python3-alembic lives there

NS="10 100 1000 10000"
RUNS=5          # runs per figure
SLOW_RUNS=1     # Sqitch and dbmate at N >= 1000 (a process per revision)
BIG_RUNS=1      # N >= BIG: raw psql and schemamig only
BIG=10000
REPS=3          # no-op and status commands per run
TOOLS="psql schemamig schemamig_lt0 alembic sqitch dbmate"
PORT_FIRST=5530
PORT_LAST=5539
INSTALL=1
KEEP=0
STORAGE=tmpfs
OUT=""

usage() {
	cat <<EOF
usage: bash bench/run.sh [options]
  --quick          N = "10 100", 3 runs: smoke test
  --n "LIST"       chain lengths (default "$NS"); N >= $BIG runs raw psql
                   and schemamig only
  --runs R         runs per figure (default $RUNS)
  --slow-runs R    runs of Sqitch and dbmate at N >= 1000 (default $SLOW_RUNS)
  --big-runs R     runs at N >= $BIG (default $BIG_RUNS)
  --reps K         no-op/status commands per run (default $REPS)
  --tools "LIST"   subset of: $TOOLS
                   (schemamig_lt0 = schemamig with schemamig.lock_timeout = 0)
  --port P         first port to try, $PORT_FIRST-$PORT_LAST
  --no-install     skip missing tools instead of installing them
  --keep           keep the scratch directory (server, chains, raw results)
  --disk           cluster on disk under /tmp instead of tmpfs (/dev/shm);
                   see bench/lib.sh
  --out DIR        also write results.tsv, checks.tsv and report.txt to DIR
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
		--quick) NS="10 100"; RUNS=3; SLOW_RUNS=3 ;;
		--n) NS=$2; shift ;;
		--runs) RUNS=$2; shift ;;
		--slow-runs) SLOW_RUNS=$2; shift ;;
		--big-runs) BIG_RUNS=$2; shift ;;
		--reps) REPS=$2; shift ;;
		--tools) TOOLS=$2; shift ;;
		--port) PORT_FIRST=$2; shift ;;
		--no-install) INSTALL=0 ;;
		--keep) KEEP=1 ;;
		--disk) STORAGE=disk ;;
		--out) OUT=$2; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
[ -x "$PG_BIN/postgres" ] || die "no PostgreSQL 15 server in $PG_BIN (apt-get install postgresql-15)"
# the real psql, not Debian's Perl wrapper /usr/bin/psql, which adds ~15-40
# ms of Perl start-up to every call; Sqitch finds this one on PATH too
export PATH="$PG_BIN:$PATH"

### tools: install what is missing, or skip it with a note ###################

APT_UPDATED=0
apt_install() {
	[ "$INSTALL" = 1 ] || return 1
	[ "$(id -u)" = 0 ] || return 1
	command -v apt-get >/dev/null || return 1
	if [ "$APT_UPDATED" = 0 ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		APT_UPDATED=1
	fi
	note "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

DBMATE=""
find_dbmate() {
	local arch
	case $(uname -m) in
		x86_64) arch=x64 ;; aarch64) arch=arm64 ;; armv7l) arch=arm ;;
		i?86) arch=ia32 ;; *) arch=unknown ;;
	esac
	# npm's dbmate is a node wrapper (dist/cli.js) that spawns the Go binary
	# of the optional dependency @dbmate/linux-<arch>; we call the binary
	# itself so that node's start-up (~40 ms) is not counted as dbmate's
	local bin="$TOOLS_DIR/node_modules/@dbmate/linux-$arch/bin/dbmate"
	if [ -n "${DBMATE_BIN:-}" ]; then bin=$DBMATE_BIN; fi
	if [ ! -x "$bin" ] && [ "$INSTALL" = 1 ] && command -v npm >/dev/null; then
		note "installing dbmate (npm) into $TOOLS_DIR"
		mkdir -p "$TOOLS_DIR"
		npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error \
			'dbmate@^2' >/dev/null 2>&1 || true
	fi
	[ -x "$bin" ] && DBMATE=$bin
}

ACTIVE=""
SKIPPED=""
skip() { SKIPPED+="$1: $2"$'\n'; note "skipping $1: $2"; }

EXT_DIR=$("$PG_BIN/pg_config" --sharedir)/extension
PKGLIB=$("$PG_BIN/pg_config" --pkglibdir)
for tool in $TOOLS; do
	case $tool in
		psql) ACTIVE+=" psql" ;;
		schemamig|schemamig_lt0)
			if [ -f "$EXT_DIR/schemamig.control" ]; then ACTIVE+=" $tool"
			else skip "$tool" "extension not installed (run make install)"; fi ;;
		alembic)
			if ! $PY -c 'import alembic, psycopg2' 2>/dev/null; then
				apt_install python3-alembic python3-psycopg2 python3-sqlalchemy || true
			fi
			if $PY -c 'import alembic, psycopg2' 2>/dev/null; then ACTIVE+=" alembic"
			else skip alembic "python3-alembic/python3-psycopg2 not installed"; fi ;;
		sqitch)
			if ! command -v sqitch >/dev/null || ! perl -MDBD::Pg -e1 2>/dev/null; then
				apt_install sqitch libdbd-pg-perl || true
			fi
			if command -v sqitch >/dev/null && perl -MDBD::Pg -e1 2>/dev/null; then
				ACTIVE+=" sqitch"
			else skip sqitch "sqitch/libdbd-pg-perl not installed"; fi ;;
		dbmate)
			find_dbmate || true
			if [ -n "$DBMATE" ]; then ACTIVE+=" dbmate"
			else skip dbmate "no dbmate binary (npm install dbmate failed or npm missing)"; fi ;;
		*) die "unknown tool $tool" ;;
	esac
done
[ -n "$ACTIVE" ] || die "no tool to run"

### the throwaway server #####################################################

start_server
mkdir -p "$W/gen" "$W/schema"
RESULTS=$W/results.tsv
CHECKS=$W/checks.tsv
META=$W/meta.tsv
: >"$RESULTS"; : >"$CHECKS"; : >"$META"
PSQL=(psql -X -At -v ON_ERROR_STOP=1)

### versions and machine #####################################################

meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }
so_state() { md5sum "$PKGLIB/schemamig.so" 2>/dev/null | cut -c1-12; }
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta machine "nproc $(nproc), $(uname -r), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
meta postgresql "$("${PSQL[@]}" -d postgres -c 'SHOW server_version')"
meta load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
case " $ACTIVE " in *" schemamig"*)
	meta schemamig "$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$EXT_DIR/schemamig.control") (schemamig.so md5 $(so_state))" ;;
esac
SO_AT_START=$(so_state)
case " $ACTIVE " in *" alembic "*)
	meta alembic "$($PY -c 'import alembic, sqlalchemy, psycopg2; print("Alembic %s, SQLAlchemy %s, psycopg2 %s" % (alembic.__version__, sqlalchemy.__version__, psycopg2.__version__.split()[0]))')" ;;
esac
case " $ACTIVE " in *" sqitch "*) meta sqitch "$(sqitch --version | sed 's/.* //')" ;; esac
case " $ACTIVE " in *" dbmate "*) meta dbmate "$("$DBMATE" --version | sed 's/.* //')" ;; esac
meta settings "cluster on $STORAGE, runs $RUNS, slow-runs $SLOW_RUNS, big-runs $BIG_RUNS, reps $REPS, N = $NS"
[ -z "$SKIPPED" ] || meta skipped "$(printf '%s' "$SKIPPED" | tr '\n' ';')"

### measuring ################################################################

record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }
CUR=""   # "tool N metric run" of the command being timed, for errors

# timed TOOL N METRIC RUN CMD...: run CMD, record its wall time in microseconds
timed() {
	local tool=$1 n=$2 metric=$3 run=$4 t0 t1
	shift 4
	CUR="$tool N=$n $metric run $run"
	t0=$EPOCHREALTIME
	if ! "$@" >"$W/cmd.out" 2>"$W/cmd.err"; then
		note "$CUR failed: $*"
		tail -5 "$W/cmd.err" >&2
		return 1
	fi
	t1=$EPOCHREALTIME
	record "$tool" "$n" "$metric" "$run" $(( ${t1/./} - ${t0/./} ))
}

# The migrating backend's peak private memory and CPU time.  The command
# starts with the $MEM_RESET statements (the backend resets its own peak RSS,
# VmHWM, and prints its CPU time so far) and ends with the $MEM_READ ones (it
# prints its /proc status and CPU time again).  Private memory = peak RSS
# minus the shared-memory and file-backed pages mapped at the end.  CPU time
# (/proc/self/schedstat: time on a CPU, in ns) does not count waiting for a
# CPU or for the disk, so it is a figure that other load on the machine
# hardly moves.  The extra statements cost well under a millisecond; they
# are in every command that measures memory (raw psql and schemamig).
MEM_RESET=(-c "COPY (SELECT 5) TO '/proc/self/clear_refs'"
	-c "SELECT 'cpu_start ' || pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)")
MEM_READ=(-c "SELECT pg_catalog.pg_read_file('/proc/self/status')"
	-c "SELECT 'cpu_end ' || pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)")
record_mem() {
	local tool=$1 n=$2 phase=$3 run=$4 kb cpu
	kb=$(awk '/^VmHWM:/ {h=$2} /^RssFile:/ {f=$2} /^RssShmem:/ {s=$2}
		END {if (h == "") print "NA"; else print h - f - s}' "$W/cmd.out")
	cpu=$(awk '$1 == "cpu_start" {a=$2} $1 == "cpu_end" {b=$2}
		END {if (a == "" || b == "") print "NA"; else printf "%d", (b - a) / 1000}' "$W/cmd.out")
	record "$tool" "$n" "mem_$phase" "$run" "$kb"
	record "$tool" "$n" "cpu_$phase" "$run" "$cpu"
}

QUIET="SET client_min_messages = warning"
fresh_db() {
	"${PSQL[@]}" -d postgres -c "$QUIET" -c "DROP DATABASE IF EXISTS $1" \
		-c "CREATE DATABASE $1" >/dev/null
}
drop_db() { "${PSQL[@]}" -d postgres -c "$QUIET" -c "DROP DATABASE IF EXISTS $1" >/dev/null; }

# check_schema TOOL N RUN PHASE DB: what the tool left, for the report
check_schema() {
	local f="$W/schema/$1-$2-$3-$4.txt" sum
	"${PSQL[@]}" -d "$5" -f "$BENCH_DIR/schema.sql" >"$f" || return 1
	sum=$(md5sum <"$f" | cut -c1-12)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$sum" \
		"$(grep -c '^column' "$f" || true)" "$(grep -c '^index' "$f" || true)" \
		"$(sed -n 's/^backfilled //p' "$f")" >>"$CHECKS"
}

# medians, inside the server, of status() and current() over 21 calls each
server_timing() {
	local tool=$1 n=$2 run=$3 db=$4 suffix=$5 fn
	for fn in status current; do
		"${PSQL[@]}" -d "$db" -c "DO \$\$
			DECLARE t0 timestamptz; ms float8[] := '{}';
			BEGIN
				FOR i IN 1..21 LOOP
					t0 := pg_catalog.clock_timestamp();
					PERFORM pg_catalog.count(*) FROM schemamig.$fn();
					ms := ms || (EXTRACT(epoch FROM pg_catalog.clock_timestamp() - t0) * 1000)::float8;
				END LOOP;
				PERFORM pg_catalog.set_config('bench.ms', (SELECT pg_catalog.percentile_cont(0.5)
					WITHIN GROUP (ORDER BY x) FROM pg_catalog.unnest(ms) x)::text, false);
			END \$\$" -c "SELECT pg_catalog.current_setting('bench.ms')" >"$W/cmd.out" || return 1
		# stored in microseconds like the rest
		record "$tool" "$n" "srv_$fn$suffix" "$run" \
			"$(awk 'NF {v=$1} END {printf "%d", v * 1000}' "$W/cmd.out")"
	done
}

bench_psql() {
	local n=$1 run=$2 db=b_psql_$1_$2 d=$W/gen/$1/psql
	fresh_db "$db" || return 1
	# BEGIN/COMMIT around the file is what psql -1 does; spelled out so that
	# the memory is read after the commit, as for schemamig (whose commit,
	# like this one, briefly needs memory for the new relations)
	timed psql "$n" upgrade "$run" "${PSQL[@]}" -d "$db" "${MEM_RESET[@]}" \
		-c BEGIN -f "$d/up.sql" -c COMMIT "${MEM_READ[@]}" || return 1
	record_mem psql "$n" upgrade "$run"
	# the baseline of no-op and status: a client that connects and runs SELECT 1
	for _ in $(seq "$REPS"); do
		timed psql "$n" noop "$run" "${PSQL[@]}" -d "$db" -c 'SELECT 1' || return 1
		timed psql "$n" status "$run" "${PSQL[@]}" -d "$db" -c 'SELECT 1' || return 1
	done
	check_schema psql "$n" "$run" up "$db" || return 1
	timed psql "$n" downgrade "$run" "${PSQL[@]}" -d "$db" "${MEM_RESET[@]}" \
		-c BEGIN -f "$d/down.sql" -c COMMIT "${MEM_READ[@]}" || return 1
	record_mem psql "$n" downgrade "$run"
	check_schema psql "$n" "$run" down "$db" || return 1
	drop_db "$db" || return 1
}

# schemamig, and schemamig_lt0: the same with schemamig.lock_timeout = 0
# (no subtransaction per revision)
bench_schemamig() {
	local tool=$1 n=$2 run=$3 last=$4 db=b_$1_$2_$3 d=$W/gen/$2/schemamig
	local up="SELECT pg_catalog.count(*) FROM schemamig.upgrade('head')"
	fresh_db "$db" || return 1
	"${PSQL[@]}" -d "$db" -c 'CREATE EXTENSION schemamig' >/dev/null || return 1
	if [ "$tool" = schemamig_lt0 ]; then
		export PGOPTIONS='-c schemamig.lock_timeout=0'
	fi
	timed "$tool" "$n" register "$run" "${PSQL[@]}" -d "$db" "${MEM_RESET[@]}" \
		-f "$d/register.sql" "${MEM_READ[@]}" || return 1
	record_mem "$tool" "$n" register "$run"
	if [ "$last" = 1 ] && [ "$tool" = schemamig ]; then
		server_timing "$tool" "$n" "$run" "$db" _pending || return 1
	fi
	timed "$tool" "$n" upgrade "$run" "${PSQL[@]}" -d "$db" "${MEM_RESET[@]}" \
		-c "$up" "${MEM_READ[@]}" || return 1
	record_mem "$tool" "$n" upgrade "$run"
	for _ in $(seq "$REPS"); do
		# the SELECT 1 baseline again, next to schemamig's own calls
		timed "$tool" "$n" select1 "$run" "${PSQL[@]}" -d "$db" -c 'SELECT 1' || return 1
		timed "$tool" "$n" noop "$run" "${PSQL[@]}" -d "$db" -c "$up" || return 1
		timed "$tool" "$n" status "$run" "${PSQL[@]}" -d "$db" \
			-c 'SELECT * FROM schemamig.status()' || return 1
		if [ "$tool" = schemamig ]; then
			timed "$tool" "$n" current "$run" "${PSQL[@]}" -d "$db" \
				-c 'SELECT * FROM schemamig.current()' || return 1
			# the deploy that pushes every file again: apply() at head
			timed "$tool" "$n" redeploy "$run" "${PSQL[@]}" -d "$db" \
				-f "$d/apply.sql" || return 1
		fi
	done
	check_schema "$tool" "$n" "$run" up "$db" || return 1
	if [ "$last" = 1 ] && [ "$tool" = schemamig ]; then
		server_timing "$tool" "$n" "$run" "$db" "" || return 1
	fi
	timed "$tool" "$n" downgrade "$run" "${PSQL[@]}" -d "$db" "${MEM_RESET[@]}" \
		-c "SELECT pg_catalog.count(*) FROM schemamig.downgrade('base')" \
		"${MEM_READ[@]}" || return 1
	record_mem "$tool" "$n" downgrade "$run"
	check_schema "$tool" "$n" "$run" down "$db" || return 1
	unset PGOPTIONS
	drop_db "$db" || return 1
}

bench_alembic() {
	local n=$1 run=$2 db=b_alembic_$1_$2
	local al=("$PY" -m alembic -c "$W/gen/$n/alembic/alembic.ini")
	fresh_db "$db" || return 1
	export BENCH_DB_URL="postgresql://postgres@127.0.0.1:$PORT/$db"
	timed alembic "$n" upgrade "$run" "${al[@]}" upgrade head || return 1
	for _ in $(seq "$REPS"); do
		timed alembic "$n" noop "$run" "${al[@]}" upgrade head || return 1
		timed alembic "$n" status "$run" "${al[@]}" current || return 1
	done
	check_schema alembic "$n" "$run" up "$db" || return 1
	timed alembic "$n" downgrade "$run" "${al[@]}" downgrade base || return 1
	check_schema alembic "$n" "$run" down "$db" || return 1
	drop_db "$db" || return 1
}

sqitch_in() { (cd "$W/gen/$1/sqitch" && shift && sqitch "$@"); }
bench_sqitch() {
	local n=$1 run=$2 db=b_sqitch_$1_$2
	local uri="db:pg://postgres@127.0.0.1:$PORT/$db"
	fresh_db "$db" || return 1
	# the first deploy also creates Sqitch's registry (schema sqitch)
	timed sqitch "$n" upgrade "$run" sqitch_in "$n" deploy "$uri" || return 1
	for _ in $(seq "$REPS"); do
		timed sqitch "$n" noop "$run" sqitch_in "$n" deploy "$uri" || return 1
		timed sqitch "$n" status "$run" sqitch_in "$n" status "$uri" || return 1
	done
	check_schema sqitch "$n" "$run" up "$db" || return 1
	timed sqitch "$n" downgrade "$run" sqitch_in "$n" revert -y "$uri" || return 1
	check_schema sqitch "$n" "$run" down "$db" || return 1
	drop_db "$db" || return 1
}

# dbmate rolls back one migration per call: base is N calls
dbmate_rollback_all() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		"$DBMATE" --no-dump-schema -d "$W/gen/$n/dbmate/migrations" rollback || return 1
	done
}
bench_dbmate() {
	local n=$1 run=$2 db=b_dbmate_$1_$2
	local dm=("$DBMATE" --no-dump-schema -d "$W/gen/$n/dbmate/migrations")
	fresh_db "$db" || return 1
	export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/$db?sslmode=disable"
	timed dbmate "$n" upgrade "$run" "${dm[@]}" migrate || return 1
	for _ in $(seq "$REPS"); do
		timed dbmate "$n" noop "$run" "${dm[@]}" migrate || return 1
		timed dbmate "$n" status "$run" "${dm[@]}" status || return 1
	done
	check_schema dbmate "$n" "$run" up "$db" || return 1
	timed dbmate "$n" downgrade "$run" dbmate_rollback_all "$n" || return 1
	check_schema dbmate "$n" "$run" down "$db" || return 1
	drop_db "$db" || return 1
}

# how many runs TOOL gets at N
runs_for() {
	local tool=$1 n=$2
	if [ "$n" -ge "$BIG" ]; then
		case $tool in psql|schemamig|schemamig_lt0) echo "$BIG_RUNS" ;; *) echo 0 ;; esac
	elif [ "$n" -ge 1000 ] && { [ "$tool" = sqitch ] || [ "$tool" = dbmate ]; }; then
		echo "$SLOW_RUNS"
	else
		echo "$RUNS"
	fi
}

FAILED=""
T_START=$EPOCHREALTIME
for n in $NS; do
	tools=() maxruns=0
	for tool in $ACTIVE; do
		r=$(runs_for "$tool" "$n")
		if [ "$r" -gt 0 ]; then
			tools+=("$tool")
			[ "$r" -gt "$maxruns" ] && maxruns=$r
		fi
	done
	[ "${#tools[@]}" -gt 0 ] || continue
	gen_tools=$(printf '%s\n' "${tools[@]}" | sed 's/schemamig_lt0/schemamig/' | sort -u | tr '\n' ' ')
	# shellcheck disable=SC2086
	$PY "$BENCH_DIR/gen.py" "$W/gen/$n" "$n" $gen_tools
	if [ -f "$W/gen/$n/schemamig/script.sql" ]; then
		record schemamig "$n" script_kb 0 $(( $(stat -c %s "$W/gen/$n/schemamig/script.sql") / 1024 ))
	fi
	# warm-up, untimed: Alembic compiles its revision modules once
	case " ${tools[*]} " in *" alembic "*)
		BENCH_DB_URL="postgresql://postgres@127.0.0.1:$PORT/postgres" \
			$PY -m alembic -c "$W/gen/$n/alembic/alembic.ini" heads >/dev/null 2>&1 || true ;;
	esac
	note "N=$n: ${tools[*]} (up to $maxruns runs)"
	for ((run = 1; run <= maxruns; run++)); do
		# rotate the order so that no tool always runs first or last
		count=${#tools[@]}
		for ((j = 0; j < count; j++)); do
			tool=${tools[$(( (j + run - 1) % count ))]}
			r=$(runs_for "$tool" "$n")
			[ "$run" -le "$r" ] || continue
			case " $FAILED " in *" $tool/$n "*) continue ;; esac
			last=0; [ "$run" = "$r" ] && last=1
			printf '  run %d %-14s ' "$run" "$tool" >&2
			t0=$EPOCHREALTIME
			case $tool in
				schemamig|schemamig_lt0) bench_schemamig "$tool" "$n" "$run" "$last" && ok=1 || ok=0 ;;
				*) "bench_$tool" "$n" "$run" && ok=1 || ok=0 ;;
			esac
			unset PGOPTIONS
			t1=$EPOCHREALTIME
			if [ "$ok" = 1 ]; then
				printf '%6.1f s\n' "$(( ${t1/./} - ${t0/./} ))e-6" >&2
			else
				printf 'FAILED\n' >&2
				FAILED+=" $tool/$n"
				record "$tool" "$n" failed "$run" "$CUR"
			fi
		done
	done
done
meta elapsed "$(( (${EPOCHREALTIME/./} - ${T_START/./}) / 1000000 )) s"
meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$(so_state)" != "$SO_AT_START" ]; then
	meta warning "schemamig.so changed during the run (reinstalled): rerun"
fi

$PY "$BENCH_DIR/report.py" "$W" | tee "$W/report.txt"
if [ -n "$OUT" ]; then
	mkdir -p "$OUT"
	cp "$RESULTS" "$CHECKS" "$META" "$W/report.txt" "$OUT"/
	note "results in $OUT"
fi
[ -z "$FAILED" ] || exit 1
