-- expect hazard L006: ADD CHECK without NOT VALID scans every row of orders while holding ACCESS EXCLUSIVE
ALTER TABLE orders ADD CONSTRAINT orders_amount_nonnegative CHECK (amount >= 0);
