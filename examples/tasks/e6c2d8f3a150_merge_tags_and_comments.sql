-- schemamig:revision e6c2d8f3a150
-- schemamig:down_revision d4a9e6c1b832 d5b1c7e2f049
-- schemamig:message Merge tags and comments: task overview view
-- schemamig:upgrade
-- Needs both branches: the reason this merge revision carries SQL.
CREATE VIEW task_overview AS
SELECT t.id,
       t.title,
       u.display_name AS owner,
       t.done,
       t.priority,
       t.due_at,
       coalesce((SELECT array_agg(g.name ORDER BY g.name)
                   FROM task_tags tt
                   JOIN tags g ON g.id = tt.tag_id
                  WHERE tt.task_id = t.id), '{}') AS tags,
       (SELECT count(*) FROM task_comments c WHERE c.task_id = t.id) AS comments
  FROM tasks t
  JOIN users u ON u.id = t.user_id;
-- schemamig:downgrade
DROP VIEW task_overview;
