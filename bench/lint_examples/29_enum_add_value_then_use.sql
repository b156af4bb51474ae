-- expect hazard T007: the new value is used in the transaction that adds it: PG15 fails (ERROR: unsafe use of new value "shipped" of enum type order_status)
ALTER TYPE order_status ADD VALUE 'shipped' AFTER 'paid';
UPDATE orders SET status = 'shipped' WHERE id = 1;
