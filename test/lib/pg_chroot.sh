#!/usr/bin/env bash
# test/lib/pg_chroot.sh: one PostgreSQL version lane of test/run.sh, run in a
# minimal Debian chroot so the host (Debian 12, PostgreSQL 15) stays as it is.
# Not a test itself (test/run.sh runs test/*.sh, not test/lib/*).
#
#   bash test/lib/pg_chroot.sh MAJOR [prepare]
#                          as root; MAJOR 17 (trixie) or 18 (sid); with
#                          "prepare": make (or check) the chroot, run nothing
#
# 1. the chroot: $SMIG_CHROOT_CACHE/<suite>-<MAJOR> (default
#    /var/cache/schemamig-chroots), made by `mmdebstrap --variant=apt` with
#    Debian's postgresql-MAJOR, postgresql-server-dev-MAJOR and the packages
#    test/setup.sh lists, and no default cluster.  Reused while it is younger
#    than SMIG_CHROOT_MAX_AGE days (7) and was made for the same package list;
#    otherwise (or when it is incomplete) made again.  mmdebstrap (and mount)
#    are installed on the host from Debian 12 when missing; nothing of the newer
#    suites is installed on the host.
# 2. the tree (without .git and build products) is copied to /src inside it;
# 3. in a private mount namespace (/proc, /dev, a private /dev/shm) the
#    chroot runs test/run.sh there with SMIG_PG_MAJOR=MAJOR: the whole suite
#    (build with -Werror, pg_regress, isolation, shell tests, TAP tests), or
#    only the shell / TAP tests named in SMIG_LANE_SHELL_TESTS /
#    SMIG_LANE_TAP_TESTS when set (as SMIG_SHELL_TESTS / SMIG_TAP_TESTS of
#    test/run.sh; empty: none).
#
# Output: the inner run's log.  With SMIG_LANE_RESULTS set, the inner run's
# results ("pass NAME" / "fail NAME", one a line; see test/run.sh) are copied
# there, for test/run.sh to count as "pgMAJOR: NAME"; the file is absent when
# the inner run never started.  When the chroot cannot be made, prints
# "FAIL: chroot: ..." and exits 1.
# Exit status: the inner run's.

set -uo pipefail

V=${1:?usage: pg_chroot.sh MAJOR}
case $V in
17) SUITE=trixie ;;
18) SUITE=sid ;;
*)
	echo "FAIL: chroot: no Debian suite is known to carry PostgreSQL $V (17: trixie, 18: sid)"
	exit 1
	;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${SMIG_CHROOT_CACHE:-/var/cache/schemamig-chroots}
CH=$CACHE/$SUITE-$V
MIRROR=${SMIG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
MAX_AGE=${SMIG_CHROOT_MAX_AGE:-7}
# a narrower lane, when asked for (default: every test, as on the host)
subset=()
if [ -n "${SMIG_LANE_SHELL_TESTS+set}" ]; then
	subset+=("SMIG_SHELL_TESTS=$SMIG_LANE_SHELL_TESTS")
fi
if [ -n "${SMIG_LANE_TAP_TESTS+set}" ]; then
	subset+=("SMIG_TAP_TESTS=$SMIG_LANE_TAP_TESTS")
fi
if [ -n "${SMIG_VALGRIND_VERSIONS+set}" ]; then
	subset+=("SMIG_VALGRIND_VERSIONS=$SMIG_VALGRIND_VERSIONS")
fi
export DEBIAN_FRONTEND=noninteractive

# root for mmdebstrap, chroot and mount: through sudo on a developer's box
if [ "$(id -u)" -ne 0 ]; then
	vars=()
	for n in SMIG_CHROOT_CACHE SMIG_DEBIAN_MIRROR SMIG_CHROOT_MAX_AGE SMIG_COPT \
		SMIG_STEP_TIMEOUT SMIG_LANE_SHELL_TESTS SMIG_LANE_TAP_TESTS SMIG_LANE_RESULTS \
		SMIG_VALGRIND_VERSIONS; do
		if [ -n "${!n+set}" ]; then
			vars+=("$n=${!n}")
		fi
	done
	if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
		echo "FAIL: chroot: the PostgreSQL $V lane needs root (or sudo without a password)"
		exit 1
	fi
	exec sudo -n env "${vars[@]}" bash "$0" "$@"
fi

# The packages: test/setup.sh's list for this version (one list to keep),
# plus what a bare --variant=apt system lacks for the tests.
# shellcheck source=test/setup.sh
packages=$(SMIG_PG_MAJOR=$V bash -c '. "$1" && echo "${SMIG_PACKAGES[*]}"' sh "$ROOT/test/setup.sh")
packages="$packages libc6-dev perl util-linux"
stamp="$SUITE postgresql-$V: $packages"

now() { date +%s; }

# made completely, for this package list
chroot_usable() {
	[ -x "$CH/usr/lib/postgresql/$V/bin/pg_config" ] &&
		[ -f "$CH/.schemamig-chroot" ] &&
		[ "$(head -n 1 "$CH/.schemamig-chroot")" = "$stamp" ]
}

# ... and recent enough
chroot_ok() {
	chroot_usable &&
		[ -z "$(find "$CH/.schemamig-chroot" -mtime "+$MAX_AGE")" ]
}

make_chroot() {
	local t0 rc
	local tools=()
	# mmdebstrap needs mount(8) to set up /dev and /proc in the chroot it
	# makes; a minimal Debian 12 (a container, a chroot) may lack it
	command -v mmdebstrap >/dev/null || tools+=(mmdebstrap)
	command -v mount >/dev/null || tools+=(mount)
	if [ ${#tools[@]} -gt 0 ]; then
		echo "chroot: installing ${tools[*]} on the host (Debian 12 packages)"
		apt-get -q update >/dev/null &&
			apt-get -q -y -o Dpkg::Lock::Timeout=300 --no-install-recommends \
				install "${tools[@]}" || return 1
	fi
	mkdir -p "$CACHE" || return 1
	rm -rf "$CH.new"
	t0=$(now)
	echo "chroot: making $CH ($SUITE, postgresql-$V) with mmdebstrap"
	# - Check-Valid-Until: sid's Release file is now and then past its
	#   Valid-Until date on the mirrors;
	# - createcluster.d before postgresql-common is configured: no main
	#   cluster (the tests make their own; a main one would hold port 5432);
	# - policy-rc.d stays: later apt runs inside must not start services.
	# shellcheck disable=SC2016 # "$1" is mmdebstrap's, for the hooks
	mmdebstrap --variant=apt --mode=root \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--aptopt='Acquire::Retries "3"' \
		--include="${packages// /,}" \
		--essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.d/schemamig.conf"' \
		--customize-hook='printf "#!/bin/sh\nexit 101\n" >"$1/usr/sbin/policy-rc.d" && chmod 755 "$1/usr/sbin/policy-rc.d"' \
		--customize-hook='chroot "$1" apt-get clean' \
		"$SUITE" "$CH.new" "deb $MIRROR $SUITE main"
	rc=$?
	if [ "$rc" -ne 0 ] || [ ! -x "$CH.new/usr/lib/postgresql/$V/bin/pg_config" ]; then
		echo "chroot: mmdebstrap failed (status $rc)"
		rm -rf "$CH.new"
		return 1
	fi
	rm -rf "$CH" && mv "$CH.new" "$CH" || return 1
	{
		echo "$stamp"
		# shellcheck disable=SC2016 # dpkg-query's format
		chroot "$CH" dpkg-query -W -f='${Package} ${Version}\n' "postgresql-$V" gcc
	} >"$CH/.schemamig-chroot"
	echo "chroot: made in $(($(now) - t0)) s, $(du -sh "$CH" | cut -f1)"
}

if chroot_ok; then
	echo "chroot: reusing $CH ($(tail -n +2 "$CH/.schemamig-chroot" | tr '\n' ' '))"
elif ! make_chroot; then
	if ! chroot_usable; then
		echo "FAIL: chroot: could not make the $SUITE chroot for PostgreSQL $V"
		exit 1
	fi
	# a developer offline: the older chroot still tests, say so
	echo "chroot: could not refresh it; using the one made $(date -r "$CH/.schemamig-chroot" +%F)"
fi

[ "${2:-}" = prepare ] && exit 0

# the tree, fresh: no .git, no build products of another version; and no
# logs of earlier runs (the inner run keeps its logs in /tmp when it fails)
rm -rf "$CH/src" "$CH"/tmp/schemamig-* && mkdir "$CH/src" || exit 1
tar -C "$ROOT" --exclude=./.git --exclude='*.o' --exclude='*.so' \
	--exclude='*.bc' --exclude=./cli/schemamig --exclude=./results \
	--exclude=./output_iso --exclude=./tmp_check -cf - . |
	tar -C "$CH/src" -xf - || exit 1

# The inner run: test/run.sh for this version.  env -i: nothing of the
# host's environment (PATH, PG*, TMPDIR) leaks in.  The mounts are made in a
# private mount namespace, so they vanish with it; when / is not a mount
# point (this script itself runs in a chroot) unshare cannot make it
# private, and the mounts then follow the enclosing mount's propagation.
prop=private
mountpoint -q / || prop=unchanged
t0=$(now)
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --propagation "$prop" sh -c '
	ch=$1; shift
	mount -t proc proc "$ch/proc" &&
	mount --rbind /dev "$ch/dev" &&
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$ch/dev/shm" &&
	exec chroot "$ch" "$@"' sh "$CH" \
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 TERM=dumb \
	SMIG_PG_MAJOR="$V" SMIG_PG_VERSIONS="$V" SMIG_QUIET_BUILD=1 \
	SMIG_COPT="${SMIG_COPT-"-DUSE_ASSERT_CHECKING"}" \
	SMIG_STEP_TIMEOUT="${SMIG_STEP_TIMEOUT:-1200}" \
	"${subset[@]}" \
	SMIG_RESULTS_FILE=/src/.lane-results \
	bash /src/test/run.sh
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "lane pg$V: paths above are inside the chroot; on this machine: $CH/..."
fi
if [ -n "${SMIG_LANE_RESULTS:-}" ] && [ -f "$CH/src/.lane-results" ]; then
	cp "$CH/src/.lane-results" "$SMIG_LANE_RESULTS"
fi
echo "lane pg$V: inner run took $(($(now) - t0)) s (status $rc)"
exit "$rc"
