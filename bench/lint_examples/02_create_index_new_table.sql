-- expect safe: the table is created in the same transaction, so no other session can see it yet; a plain CREATE INDEX on it blocks nobody
CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint NOT NULL, shipped_at timestamptz);
CREATE INDEX shipments_order_id_idx ON shipments (order_id);
