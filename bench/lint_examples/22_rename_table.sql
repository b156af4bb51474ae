-- expect hazard B002: running code that names customers fails at once after the rename
ALTER TABLE customers RENAME TO clients;
