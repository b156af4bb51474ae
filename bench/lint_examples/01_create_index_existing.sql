-- expect hazard L011: CREATE INDEX without CONCURRENTLY holds a SHARE lock on orders (20,000 rows) for the whole build, so every INSERT/UPDATE/DELETE waits
CREATE INDEX orders_amount_idx ON orders (amount);
