-- expect hazard L004: varchar(20) -> varchar(40) needs no rewrite, but sku has CHECK orders_sku_not_blank, which PG15 rebuilds and re-checks: a full scan of orders ("verifying table") under ACCESS EXCLUSIVE
ALTER TABLE orders ALTER COLUMN sku TYPE varchar(40);
