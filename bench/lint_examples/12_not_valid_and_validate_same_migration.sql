-- expect hazard L021: both steps in one transaction: the ACCESS EXCLUSIVE taken by ADD ... NOT VALID is still held while VALIDATE scans orders, so nothing was gained
ALTER TABLE orders ADD CONSTRAINT orders_amount_nonnegative CHECK (amount >= 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_nonnegative;
