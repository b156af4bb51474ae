-- expect hazard D001: customers has 100 rows: DROP TABLE loses them, and running code that uses the table fails
DROP TABLE customers;
