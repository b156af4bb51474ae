-- expect safe: archive has no rows, so NOT NULL without a default succeeds at once (nothing to fill, nothing to scan); only INSERTs that omit the column would fail
ALTER TABLE archive ADD COLUMN region text NOT NULL;
