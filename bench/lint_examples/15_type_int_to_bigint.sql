-- expect hazard L004: int4 -> int8 is not binary-coercible: PG15 rewrites orders and rebuilds its indexes under ACCESS EXCLUSIVE
ALTER TABLE orders ALTER COLUMN qty TYPE bigint;
