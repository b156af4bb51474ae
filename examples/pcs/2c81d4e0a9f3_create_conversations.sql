-- schemamig:revision 2c81d4e0a9f3
-- schemamig:down_revision 1f3a9c2e7b10
-- schemamig:message Create conversations
-- schemamig:upgrade
CREATE TABLE conversations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    context_id bigint NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
    title      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX conversations_context_id_idx ON conversations (context_id);
-- schemamig:downgrade
DROP TABLE conversations;
