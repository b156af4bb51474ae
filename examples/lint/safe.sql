-- The same change, written so that no statement blocks the table for long.
-- schemamig:revision 1a2b3c4d5e6f
-- schemamig:message orders: index on customer_id, built without blocking writes
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS orders_customer_id_idx;
-- schemamig:revision 2b3c4d5e6f70
-- schemamig:down_revision 1a2b3c4d5e6f
-- schemamig:message orders: constraints added NOT VALID, new column
-- schemamig:upgrade
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
