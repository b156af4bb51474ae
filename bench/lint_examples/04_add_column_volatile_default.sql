-- expect hazard L001: gen_random_uuid() is volatile, so PG15 cannot use the fast default: it rewrites orders under ACCESS EXCLUSIVE to store a value per row
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();
