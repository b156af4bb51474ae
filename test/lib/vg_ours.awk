# test/lib/vg_ours.awk: counts the valgrind error reports in a log that are
# schemamig's own (used by test/valgrind.sh; -v re=REGEX names our frames).
#
# A report is a block of lines starting at its kind ("Invalid read",
# "Conditional jump", "Syscall param", ...) and ending at a bare "==PID==".
# It is ours when:
#  - our code is among the first eight frames of the error's own stack
#    (deeper, ours only means PostgreSQL was called from our code: a
#    background worker's every frame sits on smig_worker_main); a write(2)
#    of uninitialised bytes is not judged by its own stack at all, since
#    PostgreSQL writes struct padding into WAL and pg_internal.init;
#  - or the memory it names was allocated by our code: the first frame of
#    the allocating stack that is not the allocator itself (malloc, palloc,
#    the memory-context and StringInfo routines, unnamed static frames) is
#    ours.  A memory context's first block is never evidence: the packaged
#    server has no USE_VALGRIND, so that block's origin names only who
#    created the context, not who palloc'd the bytes inside it.
function flush() { if (inblk && ours) c++; inblk = 0 }
/^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)/ {
	flush(); inblk = 1; ours = 0; origin = 0; depth = 0; decided = 0
	sys = ($0 ~ /Syscall param/); next
}
inblk && /^==[0-9]+== *$/ { flush(); next }
inblk && /(Uninitialised value was created|alloc'd|free'd)/ { origin = 1; decided = 0; next }
inblk && origin && /(at|by) 0x/ {
	if (decided) next
	if ($0 ~ /AllocSetContextCreate|GenerationContextCreate|SlabContextCreate|BumpContextCreate/) { decided = 1; next }
	if ($0 ~ /: (malloc|calloc|realloc|operator new)|vg_replace_malloc|: \?\?\? |AllocSet|Generation|Slab|Bump|MemoryContext|palloc|repalloc|pstrdup|pnstrdup|psprintf|pvsnprintf|StringInfo/) next
	decided = 1
	if ($0 ~ re) ours = 1
	next
}
inblk && !origin && /(at|by) 0x/ { depth++; if (!sys && depth <= 8 && $0 ~ re) ours = 1; next }
END { flush(); print c + 0 }
