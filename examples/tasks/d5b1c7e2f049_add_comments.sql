-- schemamig:revision d5b1c7e2f049
-- schemamig:down_revision c3f07a2b9e15
-- schemamig:branch_labels comments
-- schemamig:message Add task comments and users.display_name (comments branch)
-- schemamig:upgrade
ALTER TABLE users ADD COLUMN display_name text;

-- Backfill: the part of the address before the @.
UPDATE users SET display_name = split_part(email, '@', 1);

ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;

CREATE TABLE task_comments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id    bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX task_comments_task_id_idx ON task_comments (task_id, created_at);
-- schemamig:downgrade
DROP TABLE task_comments;
ALTER TABLE users DROP COLUMN display_name;
