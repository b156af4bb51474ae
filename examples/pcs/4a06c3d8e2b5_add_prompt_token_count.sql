-- schemamig:revision 4a06c3d8e2b5
-- schemamig:down_revision 3b7e5f19c042
-- schemamig:message Add prompts.token_count
-- schemamig:upgrade
-- Added nullable, filled from the text (about one token per four characters),
-- then made NOT NULL: existing rows are never left without a value.
ALTER TABLE prompts ADD COLUMN token_count integer;

UPDATE prompts SET token_count = greatest(1, ceil(length(body) / 4.0)::integer);

ALTER TABLE prompts
    ALTER COLUMN token_count SET DEFAULT 0,
    ALTER COLUMN token_count SET NOT NULL,
    ADD CONSTRAINT prompts_token_count_check CHECK (token_count >= 0);
-- schemamig:downgrade
ALTER TABLE prompts DROP COLUMN token_count;
