-- expect safe: step 1 of the FK rewrite: NOT VALID skips the scan; the SHARE ROW EXCLUSIVE locks on orders and customers last only for the catalog update (VALIDATE later)
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
