#!/usr/bin/env python3
"""Print bench/run.sh's tables and the issue's targets from its raw results.

    report.py DIR      DIR holds results.tsv, checks.tsv and meta.tsv

results.tsv: tool, N, metric, run, value (microseconds; kB for mem_*)
checks.tsv:  tool, N, run, phase (up|down), digest, columns, indexes, backfilled
Python standard library only.
"""
import collections
import os
import statistics
import sys

NAMES = collections.OrderedDict([
    ("psql", "raw psql"),
    ("schemamig", "schemamig"),
    ("schemamig_lt0", "schemamig lt=0"),
    ("alembic", "Alembic"),
    ("sqitch", "Sqitch"),
    ("dbmate", "dbmate"),
])


def load(d):
    res = collections.defaultdict(list)        # (tool, n, metric) -> values
    byrun = collections.defaultdict(lambda: collections.defaultdict(list))
    runs = collections.defaultdict(set)        # (tool, n) -> runs
    failed = {}
    with open(os.path.join(d, "results.tsv")) as f:
        for line in f:
            tool, n, metric, run, value = line.rstrip("\n").split("\t")
            n = int(n)
            if metric == "failed":
                failed[(tool, n)] = value
                continue
            if metric != "script_kb":
                runs[(tool, n)].add(run)
            if value != "NA":
                res[(tool, n, metric)].append(float(value))
                byrun[(tool, n, metric)][run].append(float(value))
    checks = collections.defaultdict(list)
    with open(os.path.join(d, "checks.tsv")) as f:
        for line in f:
            tool, n, run, phase, digest, cols, idx, backfilled = \
                line.rstrip("\n").split("\t")
            checks[(tool, int(n), phase)].append(
                (digest, int(cols), int(idx), backfilled or "0"))
    meta = collections.OrderedDict()
    with open(os.path.join(d, "meta.tsv")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    res["_byrun"] = byrun
    return res, runs, failed, checks, meta


def med(res, tool, n, metric):
    v = res.get((tool, n, metric))
    return statistics.median(v) if v else None


def ms(us):
    if us is None:
        return "-"
    v = us / 1000.0
    if v < 10:
        return "%.2f" % v
    return "%.1f" % v if v < 100 else "%.0f" % v


def select1(res, n):
    """psql -c 'SELECT 1' at N: raw psql's no-op and status commands and the
    SELECT 1 that schemamig's runs time next to their own calls"""
    v = []
    for key in (("psql", n, "noop"), ("psql", n, "status"),
                ("schemamig", n, "select1"), ("schemamig_lt0", n, "select1")):
        v += res.get(key, [])
    return statistics.median(v) if v else None


def run_ratio(res, tool, n, metric, base_key):
    """The median over runs of tool's figure divided by the baseline's
    figure in the same run (each the median of that run's calls).  The
    baseline of no-op and status figures is SELECT 1: schemamig's own
    select1 calls when it has them (timed between its calls), else raw
    psql's.  Pairing by run cancels the drift of a busy machine."""
    byrun = res["_byrun"]
    mine = byrun.get((tool, n, metric), {})
    if base_key == "select1":
        keys = [(tool, n, "select1"), ("psql", n, "noop"), ("psql", n, "status")]
    else:
        keys = [("psql", n, base_key)]
    ratios = []
    for run, vals in mine.items():
        for k in keys:
            b = byrun.get(k, {}).get(run)
            if b:
                ratios.append(statistics.median(vals) / statistics.median(b))
                break
    return statistics.median(ratios) if ratios else None


def cell(us, ratio):
    if us is None:
        return "-"
    if ratio:
        return "%s (%.2f)" % (ms(us), ratio)
    return ms(us)


def mb(kb):
    return "-" if kb is None else "%.1f" % (kb / 1024.0)


def schema_verdict(checks, tool, n, ref):
    up = checks.get((tool, n, "up"), [])
    down = checks.get((tool, n, "down"), [])
    if not up:
        return "not checked"
    bad = [u for u in up if ref is not None and u[0] != ref[0]]
    notempty = [x for x in down if x[1] or x[2]]
    words = []
    if bad:
        b = bad[0]
        words.append("DIFFERENT after upgrade (%d columns, %d indexes, %s backfilled)"
                     % (b[1], b[2], b[3]))
    else:
        words.append("same")
    if len(down) < len(up):
        words.append("downgrade not checked")
    elif notempty:
        words.append("NOT EMPTY after downgrade (%d columns, %d indexes)"
                     % (notempty[0][1], notempty[0][2]))
    else:
        words.append("empty")
    return " / ".join(words)


def main(d):
    res, runs, failed, checks, meta = load(d)
    ns = sorted({n for (_, n) in runs} | {n for (_, n) in failed})
    tools = [t for t in NAMES if any((t, n) in runs for n in ns)]
    out = []
    p = out.append

    p("schemamig benchmark, %s" % meta.get("date", "?"))
    p("machine: %s; load average %s at start, %s at end; %s in all"
      % (meta.get("machine", "?"), meta.get("load_start", "?"),
         meta.get("load_end", "?"), meta.get("elapsed", "?")))
    versions = ["PostgreSQL %s" % meta.get("postgresql", "?")]
    for k, label in (("schemamig", "schemamig"), ("alembic", None),
                     ("sqitch", "Sqitch"), ("dbmate", "dbmate")):
        if k in meta:
            versions.append(meta[k] if label is None
                            else "%s %s" % (label, meta[k]))
    p("versions: " + "; ".join(versions))
    p("settings: %s" % meta.get("settings", "?"))
    if "skipped" in meta:
        p("skipped: %s" % meta["skipped"])
    if "warning" in meta:
        p("WARNING: %s" % meta["warning"])
    p("")
    p("Wall time of the whole client command (process start to end), ms, median over runs,")
    p("each run in a fresh database. (x.xx) = the median over runs of the ratio to raw psql in")
    p("the same run: upgrade and downgrade to `psql -1 -f` of the same SQL; no-op and status to")
    p("`psql -c 'SELECT 1'` (for schemamig: the SELECT 1 timed between its own calls).")
    p("")
    hdr = ("tool", "N", "runs", "upgrade", "downgrade", "no-op upgrade",
           "status", "schema after up / down")
    rows = []
    for n in ns:
        ref = checks.get(("psql", n, "up"), [None])[0]
        if ref is None:
            for t in tools:
                if checks.get((t, n, "up")):
                    ref = checks[(t, n, "up")][0]
                    break
        for t in tools:
            if (t, n) not in runs and (t, n) not in failed:
                continue
            if (t, n) in failed:
                rows.append((NAMES[t], str(n), str(len(runs[(t, n)])),
                             "FAILED: " + failed[(t, n)], "", "", "", ""))
                continue
            rows.append((
                NAMES[t], str(n), str(len(runs[(t, n)])),
                cell(med(res, t, n, "upgrade"), run_ratio(res, t, n, "upgrade", "upgrade")),
                cell(med(res, t, n, "downgrade"), run_ratio(res, t, n, "downgrade", "downgrade")),
                cell(med(res, t, n, "noop"), run_ratio(res, t, n, "noop", "select1")),
                cell(med(res, t, n, "status"), run_ratio(res, t, n, "status", "select1")),
                schema_verdict(checks, t, n, ref)))
        if ref is not None:
            rows.append(("", "", "", "", "", "", "",
                         "(reference: %d columns, %d indexes, %s rows backfilled)"
                         % (ref[1], ref[2], ref[3])))
    widths = [max(len(r[i]) for r in rows + [hdr]) for i in range(len(hdr))]
    fmt = "  ".join("%%-%ds" % w if i in (0, 7) else "%%%ds" % w
                    for i, w in enumerate(widths))
    p((fmt % hdr).rstrip())
    for r in rows:
        p((fmt % r).rstrip())
    p("")
    p("no-op upgrade: raw psql `SELECT 1`; schemamig `SELECT count(*) FROM schemamig.upgrade('head')`;")
    p("Alembic `upgrade head`; Sqitch `deploy`; dbmate `migrate`. status: schemamig")
    p("`SELECT * FROM schemamig.status()` (every revision); Alembic `current`; Sqitch `status`;")
    p("dbmate `status`. dbmate downgrade = N calls of `dbmate rollback` (one revision each).")

    sm = [n for n in ns if ("schemamig", n) in runs]
    if sm:
        p("")
        p("schemamig in detail (ms)")
        hdr2 = ("N", "register", "redeploy", "current()", "status() srv",
                "current() srv", "status() srv pending")
        rows2 = []
        for n in sm:
            rows2.append((
                str(n), ms(med(res, "schemamig", n, "register")),
                cell(med(res, "schemamig", n, "redeploy"), run_ratio(res, "schemamig", n, "redeploy", "select1")),
                cell(med(res, "schemamig", n, "current"), run_ratio(res, "schemamig", n, "current", "select1")),
                ms(med(res, "schemamig", n, "srv_status")),
                ms(med(res, "schemamig", n, "srv_current")),
                ms(med(res, "schemamig", n, "srv_status_pending"))))
        widths = [max(len(r[i]) for r in rows2 + [hdr2]) for i in range(len(hdr2))]
        fmt = "  ".join("%%%ds" % w for w in widths)
        p(fmt % hdr2)
        for r in rows2:
            p(fmt % r)
        p("")
        p("register: `psql -f` of `SELECT count(*) FROM schemamig.register($$<script>$$)`.")
        p("redeploy: the same with apply() at head (every revision `unchanged`), ratio to SELECT 1.")
        p("srv: inside the server, median of 21 calls (clock_timestamp in a DO block), at head;")
        p("pending: after register, before upgrade.")
        p("")
        p("Peak private memory of the migrating backend (MiB, median): its peak RSS minus its")
        p("shared-memory and file pages (VmHWM - RssShmem - RssFile from /proc), peak reset at the")
        p("start of the command. Raw psql's backend grows too (relcache and catcache of the new")
        p("tables): compare schemamig with it at the same N.")
        hdr4 = ("N", "raw psql up", "schemamig up", "lt=0 up", "raw psql down",
                "schemamig down", "lt=0 down", "schemamig register", "script KiB")
        rows4 = []
        for n in sm:
            sk = med(res, "schemamig", n, "script_kb")
            rows4.append((str(n), mb(med(res, "psql", n, "mem_upgrade")),
                          mb(med(res, "schemamig", n, "mem_upgrade")),
                          mb(med(res, "schemamig_lt0", n, "mem_upgrade")),
                          mb(med(res, "psql", n, "mem_downgrade")),
                          mb(med(res, "schemamig", n, "mem_downgrade")),
                          mb(med(res, "schemamig_lt0", n, "mem_downgrade")),
                          mb(med(res, "schemamig", n, "mem_register")),
                          "%d" % sk if sk else "-"))
        widths = [max(len(r[i]) for r in rows4 + [hdr4]) for i in range(len(hdr4))]
        fmt = "  ".join("%%%ds" % w for w in widths)
        p(fmt % hdr4)
        for r in rows4:
            p(fmt % r)
        p("")
        p("Backend CPU time of the migrating backend (ms, /proc/self/schedstat, median): waiting")
        p("for a CPU or the disk is not in it, so other load on the machine hardly moves it.")
        p("(x.xx) = median over runs of the ratio to raw psql's backend in the same run.")
        hdr3 = ("N", "raw psql up", "schemamig up", "lt=0 up", "raw psql down",
                "schemamig down", "lt=0 down", "schemamig register")
        rows3 = []
        for n in sm:
            bu, bd = med(res, "psql", n, "cpu_upgrade"), med(res, "psql", n, "cpu_downgrade")
            rows3.append((str(n), ms(bu),
                          cell(med(res, "schemamig", n, "cpu_upgrade"),
                               run_ratio(res, "schemamig", n, "cpu_upgrade", "cpu_upgrade")),
                          cell(med(res, "schemamig_lt0", n, "cpu_upgrade"),
                               run_ratio(res, "schemamig_lt0", n, "cpu_upgrade", "cpu_upgrade")),
                          ms(bd),
                          cell(med(res, "schemamig", n, "cpu_downgrade"),
                               run_ratio(res, "schemamig", n, "cpu_downgrade", "cpu_downgrade")),
                          cell(med(res, "schemamig_lt0", n, "cpu_downgrade"),
                               run_ratio(res, "schemamig_lt0", n, "cpu_downgrade", "cpu_downgrade")),
                          ms(med(res, "schemamig", n, "cpu_register"))))
        widths = [max(len(r[i]) for r in rows3 + [hdr3]) for i in range(len(hdr3))]
        fmt = "  ".join("%%%ds" % w for w in widths)
        p(fmt % hdr3)
        for r in rows3:
            p(fmt % r)
        p("")
        lt = [n for n in ns if ("schemamig_lt0", n) in runs]
        for n in lt:
            a, b = med(res, "schemamig", n, "upgrade"), med(res, "schemamig_lt0", n, "upgrade")
            c, e = med(res, "schemamig", n, "downgrade"), med(res, "schemamig_lt0", n, "downgrade")
            if a and b and c and e:
                p("schemamig.lock_timeout = 0 at N=%d: upgrade %s -> %s ms (%+.0f%%), downgrade %s -> %s ms (%+.0f%%)"
                  % (n, ms(a), ms(b), 100.0 * (b - a) / a, ms(c), ms(e), 100.0 * (e - c) / c))

    # the targets
    p("")
    p("Targets (issue 5)")

    def target(label, value, limit, shown, ok=None):
        if value is None:
            p("  %-62s not measured" % label)
            return
        if ok is None:
            ok = value <= limit
        p("  %-62s %-24s %s" % (label, shown, "MET" if ok else "MISSED"))

    def ratio(t, n, metric, base_metric):
        return run_ratio(res, t, n, metric, base_metric)

    r = ratio("schemamig", 1000, "upgrade", "upgrade")
    target("upgrade, 1,000 revisions <= 1.05x raw psql", r, 1.05,
           "%.2fx" % r if r else "")
    c = ratio("schemamig", 1000, "cpu_upgrade", "cpu_upgrade")
    if c:
        p("    (backend CPU time: %.2fx raw psql's backend)" % c)
    r = ratio("schemamig", 1000, "downgrade", "downgrade")
    target("downgrade, 1,000 revisions <= 1.1x raw psql", r, 1.10,
           "%.2fx" % r if r else "")
    c = ratio("schemamig", 1000, "cpu_downgrade", "cpu_downgrade")
    if c:
        p("    (backend CPU time: %.2fx raw psql's backend)" % c)
    r = ratio("schemamig", 1000, "noop", "select1")
    target("no-op upgrade at 1,000 <= 1.5x psql -c 'SELECT 1'", r, 1.5,
           "%.2fx" % r if r else "")
    r = ratio("schemamig", 1000, "status", "select1")
    target("status() at 1,000 <= 1.5x psql -c 'SELECT 1'", r, 1.5,
           "%.2fx" % r if r else "")
    r = ratio("schemamig", 1000, "current", "select1")
    target("  (current() at 1,000 <= 1.5x psql -c 'SELECT 1')", r, 1.5,
           "%.2fx" % r if r else "")
    v = med(res, "schemamig", 10000, "srv_status")
    target("status() over 10,000 revisions < 20 ms in the server",
           v, 19999.999, "%s ms" % ms(v) if v else "")
    v = med(res, "schemamig", 1000, "register")
    target("registering 1,000 revisions < 0.3 s (client command)",
           v, 299999.999, "%s ms" % ms(v) if v else "")
    # memory: schemamig's peak above raw psql's (the DDL's own relcache and
    # catcache growth is the same for both), smallest N against largest
    mem = []
    for n in sm:
        for metric in ("mem_upgrade", "mem_downgrade"):
            a, b = med(res, "schemamig", n, metric), med(res, "psql", n, metric)
            if a is not None and b is not None:
                mem.append((n, metric, a - b))
    if len(sm) >= 2 and mem:
        lo, hi = min(sm), max(sm)
        growth = []
        for metric in ("mem_upgrade", "mem_downgrade"):
            x = [e for (n, m, e) in mem if m == metric and n == lo]
            y = [e for (n, m, e) in mem if m == metric and n == hi]
            if x and y:
                growth.append((metric[4:], x[0], y[0]))
        shown = ", ".join("%s %+.1f -> %+.1f MiB" % (m, x / 1024, y / 1024)
                          for m, x, y in growth)
        worst = max(y - x for _, x, y in growth) if growth else None
        p("  %-62s" % ("backend memory flat in N (above raw psql, N=%d -> %d):" % (lo, hi)))
        target("    growth <= 4 MiB", worst, 4096, "", None)
        p("      %s" % shown)
    else:
        target("backend memory flat in N", None, 0, "")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
