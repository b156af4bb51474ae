-- expect safe: since PG11 a constant default (even with NOT NULL) is stored once in pg_attribute (atthasmissing): no rewrite, no scan, a brief ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN is_gift boolean NOT NULL DEFAULT false;
