-- expect safe: the new enum value is only written as a string into a varchar column (note), which is not the enum type: PG15 runs both in one transaction without error
ALTER TYPE order_status ADD VALUE 'shipped' AFTER 'paid';
UPDATE orders SET note = 'shipped' WHERE id = 1;
