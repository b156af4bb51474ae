-- expect hazard L008: ADD UNIQUE builds its index while holding ACCESS EXCLUSIVE on orders: reads and writes wait for the whole build
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);
