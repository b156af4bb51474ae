-- schemamig:revision d4a9e6c1b832
-- schemamig:down_revision c3f07a2b9e15
-- schemamig:branch_labels tags
-- schemamig:message Add tags (tags branch)
-- schemamig:upgrade
CREATE TABLE tags (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE
);

CREATE TABLE task_tags (
    task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    tag_id  bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, tag_id)
);

CREATE INDEX task_tags_tag_id_idx ON task_tags (tag_id);
-- schemamig:downgrade
DROP TABLE task_tags;
DROP TABLE tags;
