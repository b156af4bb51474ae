#!/usr/bin/env bash
# test/setup.sh: the part test/run.sh and examples/demo.sh share.
#
#   1. install the Debian packages a fresh Debian 12 machine lacks (only the
#      missing ones; `apt-get update` only when something must be installed);
#   2. build schemamig with the project's strict flags and install it into
#      the PostgreSQL that $PG_CONFIG names.
#
# Source it and call smig_install_deps / smig_build (each returns non-zero on
# failure), or run it (`bash test/setup.sh`) to do both.
#
# Settings (environment):
#   SMIG_PG_MAJOR   PostgreSQL major version to build and test against (15)
#   SMIG_COPT       extra compiler flags, passed as PGXS's COPT
#                   (default -DUSE_ASSERT_CHECKING, as STYLE.md asks of CI)
#   SMIG_QUIET_BUILD  set: show make's output only when the build fails

SMIG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMIG_PG_MAJOR=${SMIG_PG_MAJOR:-15}
SMIG_COPT=${SMIG_COPT-"-DUSE_ASSERT_CHECKING"}
# test/lib/pg_chroot.sh puts the same list into the 17 and 18 chroots.
SMIG_PACKAGES=(
	"postgresql-$SMIG_PG_MAJOR"            # server, pg_virtualenv (postgresql-common)
	"postgresql-server-dev-$SMIG_PG_MAJOR" # PGXS, headers, pg_regress, isolation tester
	libipc-run-perl                        # TAP tests (PostgreSQL::Test::Cluster)
	libpq-dev                              # the schemamig command-line client (cli/)
	valgrind                               # test/valgrind.sh: the memory-checker lane
	alembic                                # test/import.sh: import alembic, adopt
	python3-alembic
	python3-sqlalchemy
	python3-psycopg2
	sqitch                                 # test/import.sh: a real Sqitch deploy to adopt
	libdbd-pg-perl                         # Sqitch's PostgreSQL engine
	make
	gcc
)
# Pin the server version: /usr/bin/pg_config would pick the newest
# server-dev package installed, which need not be the one we test against.
export PG_CONFIG="/usr/lib/postgresql/$SMIG_PG_MAJOR/bin/pg_config"
export DEBIAN_FRONTEND=noninteractive

# Run a command as root (sudo when we are not root, for a developer's box).
smig_as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		sudo -n env DEBIAN_FRONTEND="$DEBIAN_FRONTEND" "$@"
	fi
}

smig_install_deps() {
	local missing=() p
	for p in "${SMIG_PACKAGES[@]}"; do
		if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "setup: required packages already installed"
		return 0
	fi
	echo "setup: installing ${missing[*]}"
	if ! smig_as_root apt-get -q update ||
		! smig_as_root apt-get -q -y -o Dpkg::Lock::Timeout=300 \
			-o Acquire::Retries=3 --no-install-recommends install "${missing[@]}"; then
		echo "setup: FAILED to install ${missing[*]}" >&2
		return 1
	fi
}

# With SMIG_QUIET_BUILD set, make's output is shown only when it fails.
smig_build() {
	local out
	echo "setup: building schemamig (COPT=$SMIG_COPT)"
	out=$(mktemp)
	if (
		cd "$SMIG_ROOT" &&
			make clean >/dev/null &&
			make -j"$(nproc)" COPT="$SMIG_COPT" &&
			smig_as_root env PG_CONFIG="$PG_CONFIG" make install COPT="$SMIG_COPT"
	) >"$out" 2>&1; then
		[ -n "${SMIG_QUIET_BUILD:-}" ] || cat "$out"
		rm -f "$out"
		echo "setup: schemamig built and installed"
		return 0
	fi
	cat "$out"
	rm -f "$out"
	echo "setup: FAILED to build or install schemamig" >&2
	return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	smig_install_deps && smig_build
fi
