-- The same change, written so that no statement blocks the table for long.
-- Before the deploy, outside schemamig (CONCURRENTLY cannot run in a
-- transaction block):
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
-- schemamig:revision 2b3c4d5e6f70
-- schemamig:message orders: constraints added NOT VALID, new column
-- schemamig:upgrade
CREATE INDEX IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null
    CHECK (customer_id IS NOT NULL) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders ADD COLUMN public_id uuid;
ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
-- schemamig:downgrade
ALTER TABLE orders ALTER COLUMN total TYPE numeric(10,2);
ALTER TABLE orders DROP COLUMN public_id;
ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;
-- schemamig:revision 3c4d5e6f7081
-- schemamig:down_revision 2b3c4d5e6f70
-- schemamig:message orders: validate, then NOT NULL without a scan
-- schemamig:upgrade
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
-- schemamig:downgrade
ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;
