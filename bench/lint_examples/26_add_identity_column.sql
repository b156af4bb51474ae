-- expect hazard L003: an identity column also fills every existing row from its sequence: PG15 rewrites orders under ACCESS EXCLUSIVE
ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;
