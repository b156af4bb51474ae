-- schemamig:revision c3f07a2b9e15
-- schemamig:down_revision b28d5f1e6a94
-- schemamig:message Add tasks.due_at and tasks.priority
-- schemamig:upgrade
ALTER TABLE tasks
    ADD COLUMN due_at timestamptz,
    ADD COLUMN priority smallint NOT NULL DEFAULT 0
        CONSTRAINT tasks_priority_check CHECK (priority BETWEEN 0 AND 3);

-- Open tasks, soonest first: what a to-do list asks for.
CREATE INDEX tasks_open_due_idx ON tasks (user_id, due_at) WHERE NOT done;
-- schemamig:downgrade
DROP INDEX tasks_open_due_idx;
ALTER TABLE tasks DROP COLUMN priority, DROP COLUMN due_at;
