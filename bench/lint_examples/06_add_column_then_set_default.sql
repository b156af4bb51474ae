-- expect safe: the rewrite of 04 split in two: a nullable column without default is catalog-only, and SET DEFAULT only applies to rows inserted later (old rows stay NULL until a batched backfill)
ALTER TABLE orders ADD COLUMN token uuid;
ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();
