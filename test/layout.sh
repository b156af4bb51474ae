#!/usr/bin/env bash
# test/layout.sh: the house rules of src/, checked (no server needed).
#   - every file sits in an area folder (or is src/schemamig.c, schemamig.h,
#     compat.h) and starts with a banner comment saying what it owns;
#   - no file is over 1,200 lines;
#   - areas include only themselves and lower areas:
#       base < model < exec < lint < register < api   (schemamig.c: all)
#     so there is no include cycle between areas;
#   - no backend-private header (the parser's gramparse.h / gram.h).
# Prints each violation; exits non-zero when there is one.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
rank() {
	case "$1" in
	base) echo 0 ;; model) echo 1 ;; exec) echo 2 ;; lint) echo 3 ;;
	register) echo 4 ;; api) echo 5 ;; *) echo -1 ;;
	esac
}
bad=0
say() { echo "layout: $*"; bad=$((bad + 1)); }
nfiles=0
for f in src/*.[ch] src/*/*.[ch]; do
	[ -e "$f" ] || continue
	nfiles=$((nfiles + 1))
	rel=${f#src/}
	case "$rel" in
	*/*) area=${rel%%/*}
		[ "$(rank "$area")" -ge 0 ] || say "$f: unknown area \"$area\"" ;;
	schemamig.c | schemamig.h | compat.h) area=top ;;
	*) say "$f: belongs in an area folder (src/<area>/)"; area=top ;;
	esac
	n=$(wc -l <"$f")
	[ "$n" -le 1200 ] || say "$f: $n lines (limit 1,200)"
	head -n 1 "$f" | grep -q '^/\*' || say "$f: no banner comment on line 1"
	grep -nE '#include *[<"]parser/(gramparse|gram)\.h' "$f" | while read -r l; do
		echo "layout: $f:${l%%:*}: backend-private parser header"
	done | grep . && bad=$((bad + 1))
	[ "$area" = top ] && continue
	me=$(rank "$area")
	while IFS= read -r inc; do
		other=${inc%%/*}
		r=$(rank "$other")
		[ "$r" -ge 0 ] || continue
		if [ "$r" -gt "$me" ]; then
			say "$f includes \"$inc\": $area/ may not depend on the higher area $other/"
		fi
	done < <(sed -n 's/^#include "\([a-z]*\/[^"]*\)".*/\1/p' "$f")
done
[ "$nfiles" -gt 10 ] || say "found only $nfiles source files: wrong directory?"
echo "layout: $nfiles files checked, $bad problem(s)"
[ "$bad" -eq 0 ]
