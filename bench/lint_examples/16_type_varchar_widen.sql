-- expect safe: varchar(20) -> varchar(40) only raises the limit and code has no CHECK to re-verify: PG15 changes the catalog only, no rewrite, no scan, no index rebuild
ALTER TABLE orders ALTER COLUMN code TYPE varchar(40);
