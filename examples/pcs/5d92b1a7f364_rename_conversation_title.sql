-- schemamig:revision 5d92b1a7f364
-- schemamig:down_revision 4a06c3d8e2b5
-- schemamig:message Rename conversations.title to subject
-- schemamig:upgrade
ALTER TABLE conversations RENAME COLUMN title TO subject;
ALTER INDEX conversations_context_id_idx RENAME TO conversations_context_idx;
-- schemamig:downgrade
ALTER INDEX conversations_context_idx RENAME TO conversations_context_id_idx;
ALTER TABLE conversations RENAME COLUMN subject TO title;
