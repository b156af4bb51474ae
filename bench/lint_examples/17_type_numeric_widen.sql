-- expect safe: numeric(10,2) -> numeric(12,2) keeps the scale and raises the precision: the numeric length coercion is a no-op, no rewrite
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,2);
