-- expect safe: orders already has the validated CHECK (placed_at IS NOT NULL), so PG12+ skips the scan ("proven by constraints"); only a brief ACCESS EXCLUSIVE
ALTER TABLE orders ALTER COLUMN placed_at SET NOT NULL;
