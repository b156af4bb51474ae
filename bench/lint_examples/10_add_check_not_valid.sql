-- expect safe: step 1 of the safe rewrite: NOT VALID skips the scan of existing rows (only new writes are checked); the ACCESS EXCLUSIVE is brief
ALTER TABLE orders ADD CONSTRAINT orders_amount_nonnegative CHECK (amount >= 0) NOT VALID;
