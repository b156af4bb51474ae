#!/usr/bin/env bash
# bench/lint_vs_squawk.sh: schemamig.lint() and squawk side by side.
#
# Every file in bench/lint_examples/ holds one hazard or one safe rewrite, and
# its first line says what to expect, grounded in what PostgreSQL 15 does:
#     -- expect hazard L011: <why>        (the ids are schemamig's, LINT-RULES.md)
#     -- expect safe: <why>
#
# What the script does:
#   1. finds squawk, or installs squawk-cli from npm into bench/.cache/npm (the
#      npm package ships the native binary in an optional dependency,
#      @squawk-cli/<platform>; js/bin/squawk only starts it);
#   2. lints every example with squawk as a migration that runs in one
#      transaction (--assume-in-transaction, as schemamig's runner does), and
#      once more without that setting, to show what it changes;
#   3. starts a throwaway PostgreSQL 15 (pg_virtualenv), creates schemamig and
#      a small fixture schema (orders 20,000 rows, customers 100, an empty
#      table, a view over a column, an enum, CHECK constraints), lints every
#      example with schemamig.lint(), and then runs each example for real, in
#      one transaction, in a fresh copy of the fixture database with DEBUG1
#      messages on, to record what the server did (error, rewrite, scan, index
#      build, locks held);
#   4. prints that record, the comparison table, totals and what each linter
#      misses.
# It is a comparison to read, not a gate: it exits 0 unless the script itself
# breaks (no PostgreSQL 15, no schemamig extension installed, ...). Without
# squawk (npm failing) it prints a note and still prints schemamig's side.
#
# Environment: SQUAWK=/path/to/squawk (use that binary), SQUAWK_VERSION
# (default 2.66.0, what gets installed), LVS_PORT (5540-5549; default: the
# first free one from 5541),
# LVS_KEEP=1 (keep the work directory).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXAMPLES=$HERE/lint_examples
CACHE=$HERE/.cache
SQUAWK_VERSION=${SQUAWK_VERSION:-2.66.0}
PORT=${LVS_PORT:-}

# The fixture: what the catalog-aware rules get to see. Example files name
# these objects; change both together.
FIXTURE_SQL=$(cat <<'SQL'
CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 100) g;
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint,              -- nullable, nothing proves otherwise
    note varchar(20),                -- used by the view order_notes
    code varchar(20),                -- no constraint, no view
    sku varchar(20) CONSTRAINT orders_sku_not_blank CHECK (sku <> ''),
    ref text,                        -- has a unique index, no constraint
    amount numeric(10,2),
    qty integer,
    body text,
    status order_status NOT NULL DEFAULT 'new',
    placed_at timestamptz,           -- nullable, but a validated CHECK proves it
    CONSTRAINT orders_placed_at_not_null CHECK (placed_at IS NOT NULL)
);
INSERT INTO orders
SELECT g, g % 100 + 1, 'note ' || g, 'c' || g, 's' || g, 'r' || g, g / 100.0,
       g % 50 + 1, repeat('x', 40), 'new', now() - g * interval '1 minute'
FROM generate_series(1, 20000) g;
-- added NOT VALID earlier, to be validated by an example
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_positive CHECK (customer_id > 0) NOT VALID;
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
-- as if built with CREATE UNIQUE INDEX CONCURRENTLY by an earlier step
CREATE UNIQUE INDEX orders_ref_idx ON orders (ref);
CREATE TABLE archive (id bigint PRIMARY KEY, payload text);   -- no rows
CREATE VIEW order_notes AS SELECT id, note FROM orders;
SQL
)
FIXTURE_TABLES="'customers', 'orders', 'archive'"

die() { echo "lint_vs_squawk: $*" >&2; exit 1; }

# --- the PostgreSQL side, run inside pg_virtualenv ---------------------------
# $1: the work directory. Writes sm/<name>.json (schemamig's findings),
# pg/<name>.out (what the server said running the example), tables.tsv,
# versions.txt.
pg_side() {
	local work=$1 f n oids
	local -a psql=(psql -X -q -v ON_ERROR_STOP=1)
	mkdir -p "$work/sm" "$work/pg"
	"${psql[@]}" -d postgres -c "CREATE DATABASE lvs_fixture"
	"${psql[@]}" -d lvs_fixture -c "CREATE EXTENSION schemamig" \
		|| die "CREATE EXTENSION schemamig failed: is the extension installed (make install)?"
	printf '%s\n' "$FIXTURE_SQL" >"$work/fixture.sql"
	"${psql[@]}" -d lvs_fixture -f "$work/fixture.sql"
	"${psql[@]}" -d lvs_fixture -c "VACUUM ANALYZE customers, orders, archive"
	"${psql[@]}" -d lvs_fixture -At -F $'\t' >"$work/tables.tsv" -c "
		SELECT 'customers'::regclass::oid, 'customers', (SELECT count(*) FROM customers)
		UNION ALL SELECT 'orders'::regclass::oid, 'orders', (SELECT count(*) FROM orders)
		UNION ALL SELECT 'archive'::regclass::oid, 'archive', (SELECT count(*) FROM archive)"
	"${psql[@]}" -d lvs_fixture -At >"$work/versions.txt" -c "
		SELECT 'server ' || current_setting('server_version')
		UNION ALL SELECT 'schemamig ' || extversion FROM pg_extension WHERE extname = 'schemamig'"
	oids=$("${psql[@]}" -d lvs_fixture -At -c \
		"SELECT string_agg(oid::text, ',') FROM pg_class WHERE relname IN ($FIXTURE_TABLES) AND relkind = 'r'")

	# schemamig.lint() over each example, as JSON (messages and hints may hold
	# any character)
	for f in "$EXAMPLES"/*.sql; do
		n=$(basename "$f" .sql)
		[[ $f != *"'"* ]] || die "a quote in the path $f"
		if ! printf '%s\n' "\\set content \`cat '$f'\`" \
			"SELECT coalesce(json_agg(json_build_object('line', line, 'rule', rule,
				'severity', severity, 'message', message, 'hint', hint)
				ORDER BY line, rule), '[]') FROM schemamig.lint(:'content');" \
			| "${psql[@]}" -d lvs_fixture -At >"$work/sm/$n.json" 2>"$work/sm/$n.err"; then
			echo "schemamig.lint() failed on $n: $(head -c 300 "$work/sm/$n.err")" >&2
			rm -f "$work/sm/$n.json"
		fi
	done

	# each example for real: one transaction (psql -1), a fresh copy of the
	# fixture, DEBUG1 so the server says when it rewrites, verifies (scans) or
	# builds an index; then the locks this backend holds on the fixture tables
	for f in "$EXAMPLES"/*.sql; do
		n=$(basename "$f" .sql)
		"${psql[@]}" -d postgres -c "CREATE DATABASE lvs_run TEMPLATE lvs_fixture"
		PGOPTIONS='-c client_min_messages=debug1' psql -X -q -d lvs_run -1 -At \
			-f "$f" \
			-c "SELECT 'LVS-LOCKS ' || coalesce(string_agg(relation::text || '=' || mode, ' '), '')
				FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
				AND relation IN ($oids)" \
			>"$work/pg/$n.out" 2>&1 || true
		"${psql[@]}" -d postgres -c "DROP DATABASE lvs_run"
	done
}

if [[ ${1:-} == --pg-side ]]; then
	pg_side "$2"
	exit 0
fi

# --- main --------------------------------------------------------------------
# a port of 5540-5549 that no server uses (TCP or the default socket directory)
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && [[ ! -e /var/run/postgresql/.s.PGSQL.$1 ]]
}
if [[ -z $PORT ]]; then
	for p in 5541 5542 5543 5544 5545 5546 5547 5548 5549 5540; do
		if port_free "$p"; then PORT=$p; break; fi
	done
	[[ -n $PORT ]] || die "ports 5540-5549 are all in use; set LVS_PORT"
fi
[[ $PORT =~ ^554[0-9]$ ]] || die "LVS_PORT must be within 5540-5549"
command -v python3 >/dev/null || die "python3 is needed for the report"
command -v pg_virtualenv >/dev/null || die "pg_virtualenv is missing (Debian package postgresql-common)"
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || die "PostgreSQL 15 server is missing"
compgen -G "$EXAMPLES/*.sql" >/dev/null || die "no examples in $EXAMPLES"

mkdir -p "$CACHE"
printf '*\n' >"$CACHE/.gitignore"     # nothing in the cache belongs in git
WORK=$(mktemp -d /tmp/lint_vs_squawk.XXXXXX)
if [[ -z ${LVS_KEEP:-} ]]; then
	trap 'rm -rf "$WORK"' EXIT
else
	echo "work directory kept: $WORK" >&2
fi
mkdir -p "$WORK/squawk"

# 1. squawk: $SQUAWK, else on PATH, else in the cache, else install it there
SQUAWK_BIN=""
SQUAWK_NOTE=""
find_squawk() {
	local cached=$CACHE/npm/node_modules/.bin/squawk
	if [[ -n ${SQUAWK:-} ]]; then
		SQUAWK_BIN=$SQUAWK
	elif command -v squawk >/dev/null 2>&1; then
		SQUAWK_BIN=$(command -v squawk)
	elif [[ -x $cached ]] && "$cached" --version >/dev/null 2>&1; then
		SQUAWK_BIN=$cached
	elif ! command -v npm >/dev/null 2>&1; then
		SQUAWK_NOTE="npm is not installed, so squawk could not be installed"
		return 0
	else
		echo "installing squawk-cli@$SQUAWK_VERSION from npm into $CACHE/npm ..." >&2
		if npm install --prefix "$CACHE/npm" --no-audit --no-fund --no-save \
			"squawk-cli@$SQUAWK_VERSION" >"$WORK/npm.log" 2>&1 \
			&& [[ -x $cached ]] && "$cached" --version >/dev/null 2>&1; then
			SQUAWK_BIN=$cached
		else
			SQUAWK_NOTE="npm install squawk-cli@$SQUAWK_VERSION failed: $(tail -n 3 "$WORK/npm.log" | tr '\n' ' ')"
			return 0
		fi
	fi
	if ! "$SQUAWK_BIN" --version >"$WORK/squawk_version.txt" 2>&1; then
		SQUAWK_NOTE="$SQUAWK_BIN does not run: $(head -c 200 "$WORK/squawk_version.txt")"
		SQUAWK_BIN=""
		: >"$WORK/squawk_version.txt"
	fi
}
find_squawk
if [[ -n $SQUAWK_BIN ]]; then
	# an empty config, so that a .squawk.toml found elsewhere changes nothing
	: >"$WORK/squawk.toml"
	for f in "$EXAMPLES"/*.sql; do
		n=$(basename "$f" .sql)
		# squawk exits 1 when it reports anything: the JSON on stdout decides
		(cd "$EXAMPLES" && "$SQUAWK_BIN" -c "$WORK/squawk.toml" --pg-version 15 \
			--assume-in-transaction --reporter json "$n.sql" \
			>"$WORK/squawk/$n.txn.json" 2>"$WORK/squawk/$n.txn.err") || true
		(cd "$EXAMPLES" && "$SQUAWK_BIN" -c "$WORK/squawk.toml" --pg-version 15 \
			--reporter json "$n.sql" \
			>"$WORK/squawk/$n.plain.json" 2>"$WORK/squawk/$n.plain.err") || true
	done
else
	echo "NOTE: no squawk ($SQUAWK_NOTE); printing schemamig's side only" >&2
fi
printf '%s\n' "$SQUAWK_NOTE" >"$WORK/squawk_note.txt"

# 2. schemamig and the server, in a throwaway cluster
echo "starting a throwaway PostgreSQL 15 on port $PORT ..." >&2
if ! pg_virtualenv -v 15 -c "-p $PORT" -t \
	bash "$HERE/lint_vs_squawk.sh" --pg-side "$WORK" >"$WORK/pg_virtualenv.log" 2>&1; then
	tail -n 30 "$WORK/pg_virtualenv.log" >&2
	die "the PostgreSQL side failed (log above)"
fi

# 3. the report
DETAILS=$CACHE/lint_vs_squawk.details.txt
python3 - "$WORK" "$EXAMPLES" "$DETAILS" <<'PY'
import json
import os
import re
import sys

work, examples, details_path = sys.argv[1:4]

# squawk's rules -> schemamig ids, from the "Anchors" column of LINT-RULES.md
# ("sq ..."). adding-field-with-default covers volatile defaults, generated
# and identity columns; constraint-missing-not-valid also fires for VALIDATE
# in the transaction that added the constraint.
SQUAWK_MAP = {
    "adding-field-with-default": "L001 L002 L003",
    "adding-foreign-key-constraint": "L007",
    "adding-not-nullable-field": "L005",
    "adding-required-field": "B006",
    "adding-serial-primary-key-field": "L009",
    "adding-primary-key-constraint": "L009",
    "ban-alter-domain-with-add-constraint": "L017",
    "ban-char-field": "P006",
    "ban-concurrent-index-creation-in-transaction": "T001",
    "ban-create-domain-with-constraint": "L017",
    "ban-drop-column": "D002",
    "ban-drop-database": "D004",
    "ban-drop-not-null": "B005",
    "ban-drop-table": "D001",
    "ban-duplicate-column-assignments": "P012",
    "ban-truncate-cascade": "D006",
    "ban-uncommitted-transaction": "T003",
    "changing-column-type": "L004",
    "constraint-missing-not-valid": "L006 L021",
    "disallowed-unique-constraint": "L008",
    "identifier-too-long": "P010",
    "prefer-bigint-over-int": "P001",
    "prefer-bigint-over-smallint": "P002",
    "prefer-identity": "P003",
    "prefer-repack": "L015",
    "prefer-robust-stmts": "T006",
    "prefer-text-field": "P004",
    "prefer-timestamptz": "P005",
    "prefer-timestamp-tz": "P005",
    "renaming-column": "B001",
    "renaming-table": "B002",
    "require-concurrent-index-creation": "L011",
    "require-concurrent-index-deletion": "L012",
    "require-concurrent-partition-detach": "L014",
    "require-concurrent-reindex": "L013",
    "require-enum-value-ordering": "B007",
    "require-lock-timeout": "T004",
    "require-statement-timeout": "T005",
    "require-timeout-settings": "T004 T005",
    "require-table-schema": "P011",
    "syntax-error": "T010",
    "transaction-nesting": "T002",
}
# squawk reports everything as a warning; a rule counts as a hazard verdict
# when its schemamig counterpart is a hazard (D, B, L, T), not a design
# practice (P) or what schemamig's defaults make info (B007) or the runner
# handles itself (T004/T005 timeouts: schemamig sets lock_timeout; T006
# IF NOT EXISTS: a transactional migration re-runs whole).
INFO_IDS = {"B007", "T004", "T005", "T006"}
TIMEOUT_RULES = {"require-lock-timeout", "require-statement-timeout",
                 "require-timeout-settings"}

# Why a linter cannot get an example right, printed only where it did not.
SQUAWK_WHY = {
    "02_create_index_new_table": "waives tables created in the file only with --assume-in-transaction or an explicit BEGIN",
    "03_create_index_concurrently": "exempts a file whose only statement is CREATE INDEX CONCURRENTLY (assumes the tool then runs it outside a transaction); schemamig's runner never does",
    "08_set_not_null_with_check_proof": "no catalog: cannot see the validated CHECK (placed_at IS NOT NULL) that lets PG skip the scan",
    "16_type_varchar_widen": "no catalog, no old type: flags every ALTER COLUMN TYPE, cannot tell a free varchar widening from a rewrite",
    "17_type_numeric_widen": "no catalog, no old type: flags every ALTER COLUMN TYPE, cannot tell a free numeric widening from a rewrite",
    "18_type_column_used_by_view": "no catalog: calls it a rewrite, cannot know the view makes PG refuse the statement",
    "24_add_required_column_empty": "assumes every table exists with rows: cannot see that archive is empty",
    "25_add_serial_column": "does not treat serial as a nextval() default (only prefer-identity, a style rule)",
    "29_enum_add_value_then_use": "no rule for using a new enum value in the transaction that added it",
    "32_update_without_where": "no rule for DML without WHERE",
    "34_vacuum": "no rule for VACUUM inside a transaction (prefer-repack is about VACUUM FULL)",
    "37_type_widen_column_with_check": "flags every type change, so right here by accident: cannot know the CHECK on sku forces a re-verification scan",
}
SCHEMAMIG_WHY = {
    "24_add_required_column_empty": "B006 warns on an empty table because old INSERTs would fail, not because PG would",
    "37_type_widen_column_with_check": "B009 says a CHECK on the column blocks ALTER TYPE; PG rebuilds the CHECK instead, and re-verifies it with a full scan, which no rule reports",
    "38_enum_value_as_plain_text": "T007 matches the string 'shipped', not a value of the enum type",
}

LOCK_ORDER = ["AccessShareLock", "RowShareLock", "RowExclusiveLock",
              "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock",
              "ExclusiveLock", "AccessExclusiveLock"]


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return default


HEADER = re.compile(r"^--\s*expect\s+(hazard|safe)\b\s*([A-Z][0-9]{3}(?:[ ,]+[A-Z][0-9]{3})*)?\s*:\s*(.*)$")


def statement_starts(text):
    """1-based lines where a statement starts (enough for these examples:
    no semicolons inside strings or dollar quotes)."""
    starts, in_stmt, in_block = set(), False, False
    for no, line in enumerate(text.splitlines(), 1):
        s = line
        if in_block:
            if "*/" not in s:
                continue
            s, in_block = s.split("*/", 1)[1], False
        s = s.split("--", 1)[0].strip()
        if s.startswith("/*"):
            in_block = "*/" not in s
            continue
        if not s:
            continue
        if not in_stmt:
            starts.add(no)
            in_stmt = True
        if s.rstrip().endswith(";"):
            in_stmt = False
    return starts


# --- examples ---
files = sorted(f[:-4] for f in os.listdir(examples) if f.endswith(".sql"))
ex = {}
for n in files:
    text = read(os.path.join(examples, n + ".sql"))
    m = HEADER.match(text.splitlines()[0] if text else "")
    if not m:
        sys.exit(f"lint_vs_squawk: {n}.sql: the first line must be "
                 "'-- expect hazard IDS: reason' or '-- expect safe: reason'")
    ids = set(re.findall(r"[A-Z][0-9]{3}", m.group(2) or ""))
    if m.group(1) == "hazard" and not ids:
        sys.exit(f"lint_vs_squawk: {n}.sql: a hazard names its schemamig ids")
    ex[n] = {"verdict": m.group(1), "ids": ids, "why": m.group(3),
             "starts": statement_starts(text)}

# --- squawk ---
squawk_note = read(os.path.join(work, "squawk_note.txt")).strip()
squawk_version = read(os.path.join(work, "squawk_version.txt")).strip()
have_squawk = not squawk_note
unmapped = set()


def squawk_findings(n, mode):
    raw = read(os.path.join(work, "squawk", f"{n}.{mode}.json"))
    try:
        items = json.loads(raw)
    except ValueError:
        err = read(os.path.join(work, "squawk", f"{n}.{mode}.err")).strip()
        return None, (err or raw or "no output")[:200]
    out = []
    for it in items:
        rule = it.get("rule_name") or "?"
        ids = set(SQUAWK_MAP.get(rule, "").split())
        if not ids:
            unmapped.add(rule)
        hazard = (not ids) or any(i[0] in "DBLT" and i not in INFO_IDS for i in ids)
        out.append({"rule": rule, "ids": ids, "hazard": hazard,
                    "line": int(it.get("line", -1)) + 1,   # squawk counts from 0
                    "message": it.get("message") or "", "help": it.get("help") or ""})
    return out, None


# --- schemamig ---
def schemamig_findings(n):
    raw = read(os.path.join(work, "sm", n + ".json"))
    try:
        items = json.loads(raw)
    except ValueError:
        err = read(os.path.join(work, "sm", n + ".err")).strip()
        return None, (err or "no output")[:200]
    for it in items:
        it["ids"] = {it["rule"]}
        it["hazard"] = it["severity"] in ("error", "warning")
    return items, None


# --- what the server did ---
tables = {}
for row in read(os.path.join(work, "tables.tsv")).splitlines():
    oid, name, rows = row.split("\t")
    tables[oid] = (name, int(rows))
names = {name: rows for name, rows in tables.values()}


def server_record(n):
    out = read(os.path.join(work, "pg", n + ".out"))
    msgs = []
    for line in out.splitlines():
        m = re.search(r"\b(ERROR|WARNING):\s+(.*)", line)
        if m:
            if "current transaction is aborted" in m.group(2):
                continue
            if m.group(1) == "WARNING" and "there is no transaction in progress" in m.group(2):
                continue   # psql -1's own COMMIT after the example's COMMIT
            msgs.append(f"{m.group(1)}: {m.group(2)}")
    errors = [m for m in msgs if m.startswith("ERROR")]
    if errors:
        return errors[0]
    events = []
    rewritten = set(re.findall(r'rewriting table "([^"]+)"', out))
    for t in sorted(rewritten & set(names)):
        events.append(f"rewrite {t}")
    for t in sorted(set(re.findall(r'verifying table "([^"]+)"', out)) & set(names)):
        events.append(f"scan {t}" + (" (empty)" if names[t] == 0 else ""))
    for c in re.findall(r'validating foreign key constraint "([^"]+)"', out):
        events.append(f"FK check scan ({c})")
    for col in re.findall(r'existing constraints on column "([^"]+)" are sufficient', out):
        events.append(f"NOT NULL proven by a CHECK on {col}, no scan")
    for t in sorted(set(re.findall(r'building index "[^"]+" on table "([^"]+)"', out))
                    & set(names) - rewritten):
        events.append(f"index build on {t}")
    locks = {}
    m = re.search(r"^LVS-LOCKS ?(.*)$", out, re.M)
    for item in (m.group(1).split() if m else []):
        oid, mode = item.split("=")
        t = tables.get(oid, (oid, 0))[0]
        if t not in locks or LOCK_ORDER.index(mode) > LOCK_ORDER.index(locks[t]):
            locks[t] = mode
    lock_txt = ", ".join(f"{v[:-4]} on {t}" for t, v in sorted(locks.items())
                         if v != "AccessShareLock")
    parts = ([lock_txt] if lock_txt else []) + events + msgs
    return "; ".join(parts) or "ok, no lock held on a fixture table"


# --- judging ---
def judge(verdict, want, found):
    """ok / ok~ (hazard seen, but another one than expected) / FP / FN / -"""
    hz = [f for f in found if f["hazard"]]
    if verdict == "hazard":
        if not hz:
            return "FN"
        return "ok" if any(f["ids"] & want for f in hz) else "ok~"
    return "FP" if hz else "ok"


def fmt(fs, squawk=False):
    seen, out = set(), []
    for f in fs:
        if squawk:
            s = f"{f['rule']}@{f['line']}"
            ids = " ".join(sorted(f["ids"])) or "?"
            s += f"={ids}"
        else:
            s = f"{f['rule']}@{f['line']}" + ("" if f["severity"] == "info" else f" {f['severity'][0]}")
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


rows, details, line_issues = [], [], []
tot = {t: {"hazard": 0, "safe": 0, "TP": 0, "TP~": 0, "FP": 0, "FN": 0, "TN": 0}
       for t in ("squawk", "schemamig")}
misses = {"squawk": [], "schemamig": []}
plain_diff, timeout_files = [], 0
for n in files:
    e = ex[n]
    rec = server_record(n)
    label = " ".join([e["verdict"]] + sorted(e["ids"]))
    cells = {"file": [n], "expect": [label]}
    details.append(f"== {n}.sql  expect {label}: {e['why']}")
    details.append(f"   PostgreSQL 15: {rec}")
    for tool in ("squawk", "schemamig"):
        if tool == "squawk" and not have_squawk:
            cells["sq_h"], cells["sq_i"], cells["sq"] = ["(no squawk)"], [], ["-"]
            continue
        fs, err = squawk_findings(n, "txn") if tool == "squawk" else schemamig_findings(n)
        key = "sq" if tool == "squawk" else "sm"
        if fs is None:
            cells[key + "_h"], cells[key + "_i"], cells[key] = [f"FAILED: {err[:40]}"], [], ["-"]
            details.append(f"   {tool}: FAILED: {err}")
            continue
        shown = [f for f in fs if not (tool == "squawk" and f["rule"] in TIMEOUT_RULES)]
        if tool == "squawk" and len(shown) < len(fs):
            timeout_files += 1
        cells[key + "_h"] = fmt([f for f in shown if f["hazard"]], tool == "squawk") or ["-"]
        cells[key + "_i"] = fmt([f for f in shown if not f["hazard"]], tool == "squawk") or ["-"]
        v = judge(e["verdict"], e["ids"], fs)
        cells[key] = [v]
        t = tot[tool]
        t[e["verdict"]] += 1
        if v == "ok":
            t["TP" if e["verdict"] == "hazard" else "TN"] += 1
        elif v == "ok~":
            t["TP"] += 1
            t["TP~"] += 1
        else:
            t[v] += 1
        if v != "ok":
            why = (SQUAWK_WHY if tool == "squawk" else SCHEMAMIG_WHY).get(n)
            got = ", ".join(fmt([f for f in fs if f["hazard"]], tool == "squawk")) or "nothing"
            kind = {"FN": "missed", "FP": "false alarm", "ok~": "other reason"}[v]
            want = " ".join(sorted(e["ids"])) if e["ids"] else "nothing (safe)"
            misses[tool].append(f"{kind:12} {n}: expected {want}, got {got}" +
                                (f"\n{'':15}{why}" if why else ""))
        for f in fs:
            if f["line"] not in e["starts"] and not (f["rule"] in ("T010", "syntax-error")):
                line_issues.append(f"{tool} {n}: {f['rule']} at line {f['line']}, "
                                   f"statements start at {sorted(e['starts'])}")
            if tool == "squawk":
                details.append(f"   squawk {f['rule']}@{f['line']}: {f['message']}"
                               + (f"  [help: {f['help']}]" if f["help"] else ""))
            else:
                details.append(f"   schemamig {f['rule']}@{f['line']} {f['severity']}: {f['message']}")
                details.append(f"      hint: {f['hint']}")
    if have_squawk:
        p, _ = squawk_findings(n, "plain")
        t_, _ = squawk_findings(n, "txn")
        if p is not None and t_ is not None:
            a = judge(e["verdict"], e["ids"], t_)
            b = judge(e["verdict"], e["ids"], p)
            ph = sorted({f["rule"] for f in p if f["hazard"]})
            th = sorted({f["rule"] for f in t_ if f["hazard"]})
            if ph != th:
                plain_diff.append(f"{n}: {', '.join(th) or 'nothing'} -> {', '.join(ph) or 'nothing'}"
                                  + (f"  ({a} -> {b})" if a != b else ""))
    rows.append(cells)

# --- print ---
versions = dict(l.split(" ", 1) for l in read(os.path.join(work, "versions.txt")).splitlines() if " " in l)
print(f"schemamig.lint() (schemamig {versions.get('schemamig', '?')}) vs "
      f"{squawk_version or 'squawk: not available'} on PostgreSQL {versions.get('server', '?')}: "
      f"{len(files)} examples in bench/lint_examples/")
if not have_squawk:
    print(f"NOTE: squawk is missing ({squawk_note}); only schemamig's side is shown.")
print("fixture: " + ", ".join(f"{t} ({r} rows)" for t, r in names.items())
      + ", view order_notes over orders.note, enum order_status")
print()
print("What PostgreSQL 15 did with each example (run for real in one transaction, in a copy of")
print("the fixture, with DEBUG1 on; strongest lock held on each fixture table at the end):")
w = max(len(n) for n in files)
for n in files:
    print(f"  {n:{w}}  {server_record(n)}")
print()
print("squawk runs as: squawk --pg-version 15 --assume-in-transaction --reporter json FILE")
print("  (a migration is one transaction, as in schemamig's runner). Its rules are shown as")
print("  rule@line=<schemamig id> (LINT-RULES.md anchors); they count as a hazard verdict when that")
print("  id is a hazard (D/B/L/T), as info when it is a design practice (P), B007, or a timeout /")
print("  IF NOT EXISTS rule (T004-T006). require-lock-timeout / require-statement-timeout are left out.")
print("schemamig: error/warning (e/w) counts as a hazard verdict, info does not.")
print("verdict: ok = agrees with the expectation; ok~ = says hazard, but another than expected;")
print("  FP = flags a safe example; FN = misses the hazard.")
print()

cols = [("file", "file"), ("expect", "expect"), ("sq_h", "squawk: hazard"), ("sq_i", "squawk: info"),
        ("sq", "sq"), ("sm_h", "schemamig: error/warning"), ("sm_i", "schemamig: info"), ("sm", "sm")]
widths = {k: max([len(h)] + [len(s) for r in rows for s in r.get(k, [])]) for k, h in cols}
sep = "-+-".join("-" * widths[k] for k, _ in cols)
print(" | ".join(f"{h:{widths[k]}}" for k, h in cols))
print(sep)
for r in rows:
    height = max(len(r.get(k, [])) for k, _ in cols)
    for i in range(height):
        print(" | ".join(f"{(r.get(k, [])[i] if i < len(r.get(k, [])) else ''):{widths[k]}}"
                         for k, _ in cols).rstrip())
print(sep)
print()

hz, sf = tot["schemamig"]["hazard"], tot["schemamig"]["safe"]
print(f"Totals over {hz} hazard and {sf} safe examples:")
print(f"  {'':34} {'squawk':>8} {'schemamig':>10}")
for key, label in (("TP", "true positives (hazard flagged)"),
                   ("TP~", "  of which for another hazard"),
                   ("FN", "false negatives (hazard missed)"),
                   ("FP", "false positives (safe flagged)"),
                   ("TN", "true negatives (safe, quiet)")):
    sq = tot["squawk"][key] if have_squawk else "-"
    print(f"  {label:34} {sq:>8} {tot['schemamig'][key]:>10}")
print()
for tool in ("squawk", "schemamig"):
    if tool == "squawk" and not have_squawk:
        continue
    print(f"What {tool} misses or gets wrong:")
    for m in misses[tool] or ["nothing"]:
        print(f"  {m}")
    print()
if have_squawk:
    print("squawk without --assume-in-transaction (hazard rules, txn -> plain):")
    for d in plain_diff or ["no difference"]:
        print(f"  {d}")
    print(f"squawk's require-lock-timeout / require-statement-timeout fired on {timeout_files} of "
          f"{len(files)} files (not counted: schemamig's runner sets lock_timeout itself).")
    if unmapped:
        print(f"squawk rules with no schemamig anchor (counted as hazards): {', '.join(sorted(unmapped))}")
if line_issues:
    print("Findings not on the first line of a statement:")
    for l in line_issues:
        print(f"  {l}")
else:
    print("Every finding of both linters points at the first line of a statement.")

with open(details_path, "w", encoding="utf-8") as fh:
    fh.write("\n".join(details) + "\n")
print(f"Messages and hints of both linters, per example: {os.path.relpath(details_path)}")
PY
