-- A small shop database to lint against: tables that already exist, with rows.
CREATE TABLE customers (id bigint PRIMARY KEY, email text);
INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 1000) g;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text,
                     total numeric(10,2), created_at timestamptz DEFAULT now());
INSERT INTO orders SELECT g, g % 1000 + 1, 'new', g, now() FROM generate_series(1, 50000) g;
VACUUM ANALYZE customers, orders;
