-- expect hazard L006: a validated FK scans all of orders (and probes customers) while holding SHARE ROW EXCLUSIVE on both tables: writes to both wait
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
