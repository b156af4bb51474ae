-- schemamig:revision 6e4f08c2d1a9
-- schemamig:down_revision 5d92b1a7f364
-- schemamig:message Add and backfill conversations.last_prompt_at
-- schemamig:upgrade
ALTER TABLE conversations ADD COLUMN last_prompt_at timestamptz;

-- Backfill from the prompts already stored.
UPDATE conversations c
   SET last_prompt_at = p.last_at
  FROM (SELECT conversation_id, max(created_at) AS last_at
          FROM prompts
         GROUP BY conversation_id) AS p
 WHERE p.conversation_id = c.id;

CREATE INDEX conversations_last_prompt_at_idx
    ON conversations (last_prompt_at DESC NULLS LAST);

-- Keep it current from now on.
CREATE FUNCTION conversations_touch_last_prompt_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations
       SET last_prompt_at = greatest(last_prompt_at, NEW.created_at)
     WHERE id = NEW.conversation_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER prompts_touch_conversation
    AFTER INSERT ON prompts
    FOR EACH ROW EXECUTE FUNCTION conversations_touch_last_prompt_at();
-- schemamig:downgrade
DROP TRIGGER prompts_touch_conversation ON prompts;
DROP FUNCTION conversations_touch_last_prompt_at();
ALTER TABLE conversations DROP COLUMN last_prompt_at;
