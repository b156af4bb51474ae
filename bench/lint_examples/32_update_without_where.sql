-- expect hazard D008: one UPDATE of all 20,000 rows of orders in the migration transaction: every row stays locked until commit and the table doubles until vacuum
UPDATE orders SET qty = 1;
