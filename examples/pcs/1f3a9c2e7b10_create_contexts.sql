-- schemamig:revision 1f3a9c2e7b10
-- schemamig:down_revision base
-- schemamig:message Create contexts
-- schemamig:upgrade
-- A context groups conversations (a project, a customer, a workspace).
CREATE TABLE contexts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contexts_name_key UNIQUE (name)
);

INSERT INTO contexts (name, description)
VALUES ('default', 'Conversations that belong to no other context');
-- schemamig:downgrade
DROP TABLE contexts;
