-- expect safe: the unique index orders_ref_idx already exists (built CONCURRENTLY earlier): UNIQUE USING INDEX only attaches (and renames) it, no build, brief ACCESS EXCLUSIVE
ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;
