-- expect hazard B001: a rename is catalog-only, but running code that names "note" fails at once (the view follows the rename, clients do not)
ALTER TABLE orders RENAME COLUMN note TO remark;
