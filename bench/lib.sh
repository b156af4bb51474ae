# shellcheck shell=bash
# bench/lib.sh -- shared by bench/run.sh and bench/profile.sh: a throwaway
# PostgreSQL 15 cluster on loopback, in a scratch directory.  Source it with
# PG_BIN, PORT_FIRST, PORT_LAST and KEEP set; it defines note, die and
# start_server.

note() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Where the cluster lives.  tmpfs (the default): /dev/shm, so that figures
# show the tools' own work and not the host filesystem's state -- on the
# reference VM's ext4, creating files slowed down up to 8x after many
# databases had been dropped (ext4's inode allocator scanning recently
# deleted inodes), whoever dropped them.  fsync stays on, but costs little
# on tmpfs, which flatters tools that commit once per revision (Sqitch,
# dbmate).  disk: under /tmp, as a real server would.
STORAGE=${STORAGE:-tmpfs}

# start_server: make scratch directory $W, start a cluster on the first free
# port of PORT_FIRST..PORT_LAST, export PGHOST/PGPORT/PGUSER for it and stop
# and remove it all on exit (unless KEEP=1).  Sets W, PORT, AS_PG.
start_server() {
	local base=/tmp
	if [ "$STORAGE" = tmpfs ]; then
		if [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')" -gt 4194304 ]; then
			base=/dev/shm
		else
			note "/dev/shm is missing or has less than 4 GiB free: the cluster goes to /tmp"
			STORAGE=disk
		fi
	fi
	W=$(mktemp -d "$base/schemamig-bench.XXXXXX")
	chmod 755 "$W"
	mkdir -p "$W/pg" "$W/log"
	AS_PG=()
	if [ "$(id -u)" = 0 ]; then
		# initdb refuses root: the cluster belongs to postgres
		chown postgres "$W/pg"
		AS_PG=(runuser -u postgres --)
	fi
	PORT=""
	local p
	for p in $(seq "$PORT_FIRST" "$PORT_LAST"); do
		if ! port_busy "$p"; then PORT=$p; break; fi
	done
	[ -n "$PORT" ] || die "ports $PORT_FIRST-$PORT_LAST are all in use"
	trap stop_server EXIT
	trap 'exit 130' INT TERM

	"${AS_PG[@]}" "$PG_BIN/initdb" -D "$W/pg/data" -A trust -U postgres -E UTF8 \
		--locale=C.UTF-8 >"$W/log/initdb.log" 2>&1 ||
		die "initdb failed: $(tail -3 "$W/log/initdb.log")"
	# defaults, except: loopback only; enough lock slots for one
	# transaction creating 10,000 tables (5 relations each; the default
	# 64 x 100 slots are too few, for raw psql as for any tool); and no
	# autovacuum, whose workers (analyzing the catalogs of the database
	# a run just filled) would take one of the 2 cores from whichever
	# tool runs next
	"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/server.log" -w -t 60 \
		-o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$W/pg -c max_locks_per_transaction=1024 -c autovacuum=off" \
		start >/dev/null || die "server did not start: $(tail -5 "$W/pg/server.log")"
	export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
	unset PGDATABASE PGOPTIONS PGSERVICE PGPASSWORD
}

stop_server() {
	"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$W/pg/data" -m immediate stop >/dev/null 2>&1 || true
	if [ "${KEEP:-0}" = 1 ]; then note "kept $W"; else rm -rf "$W"; fi
}
