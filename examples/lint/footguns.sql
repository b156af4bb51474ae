-- schemamig:revision 1a2b3c4d5e6f
-- schemamig:message orders: customer link, status, amounts
-- schemamig:upgrade
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
    FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
ALTER TABLE orders ALTER COLUMN id TYPE integer;
ALTER TABLE orders RENAME COLUMN status TO state;
-- schemamig:downgrade
ALTER TABLE orders RENAME COLUMN state TO status;
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(10,2);
ALTER TABLE orders DROP COLUMN public_id;
ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;
ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;
DROP INDEX orders_customer_id_idx;
