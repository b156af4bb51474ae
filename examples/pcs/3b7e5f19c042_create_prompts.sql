-- schemamig:revision 3b7e5f19c042
-- schemamig:down_revision 2c81d4e0a9f3
-- schemamig:message Create prompts
-- schemamig:upgrade
CREATE TABLE prompts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX prompts_conversation_id_created_at_idx
    ON prompts (conversation_id, created_at);

-- A first conversation, so later revisions have rows to migrate.
INSERT INTO conversations (context_id, title)
SELECT id, 'Welcome' FROM contexts WHERE name = 'default';

INSERT INTO prompts (conversation_id, role, body)
SELECT c.id, p.role, p.body
  FROM conversations c,
       (VALUES ('system', 'You are a helpful assistant.'),
               ('user', 'What does schemamig do?'),
               ('assistant', 'It runs Alembic-style migrations inside PostgreSQL.'))
           AS p (role, body)
 WHERE c.title = 'Welcome';
-- schemamig:downgrade
DROP TABLE prompts;
DELETE FROM conversations WHERE title = 'Welcome';
