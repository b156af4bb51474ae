-- expect hazard B009: the view order_notes selects orders.note: PG15 refuses (ERROR: cannot alter type of a column used by a view or rule), even for a free widening
ALTER TABLE orders ALTER COLUMN note TYPE varchar(40);
