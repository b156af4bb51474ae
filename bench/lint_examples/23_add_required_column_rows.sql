-- expect hazard B006: orders has 20,000 rows and the new column has no default: PG15 fails (ERROR: column "region" contains null values)
ALTER TABLE orders ADD COLUMN region text NOT NULL;
