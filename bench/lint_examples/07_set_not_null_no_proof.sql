-- expect hazard L005: nothing proves customer_id is never NULL, so SET NOT NULL scans all of orders under ACCESS EXCLUSIVE (reads and writes wait)
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
