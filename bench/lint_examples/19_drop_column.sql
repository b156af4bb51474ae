-- expect hazard D002: the column's data is gone for good, and running code that still selects or inserts body fails
ALTER TABLE orders DROP COLUMN body;
