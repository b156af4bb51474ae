-- expect safe: step 2, in its own migration: VALIDATE CONSTRAINT scans under SHARE UPDATE EXCLUSIVE, so reads and writes go on during the scan
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_positive;
