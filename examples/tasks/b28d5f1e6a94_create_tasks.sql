-- schemamig:revision b28d5f1e6a94
-- schemamig:down_revision a1c4e9b2d703
-- schemamig:message Create tasks
-- schemamig:upgrade
CREATE TABLE tasks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text NOT NULL,
    done       boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tasks_user_id_idx ON tasks (user_id);

INSERT INTO tasks (user_id, title)
SELECT id, 'Write the first migration' FROM users WHERE email = 'ada@example.com';
-- schemamig:downgrade
DROP TABLE tasks;
