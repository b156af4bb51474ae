-- expect hazard T001: a migration runs in a transaction, and PostgreSQL refuses CREATE INDEX CONCURRENTLY there (ERROR: cannot run inside a transaction block)
CREATE INDEX CONCURRENTLY orders_amount_idx ON orders (amount);
