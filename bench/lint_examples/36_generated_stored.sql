-- expect hazard L002: a STORED generated column is computed for every existing row: PG15 rewrites orders under ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (amount * qty) STORED;
