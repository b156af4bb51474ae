-- schemamig:revision a1c4e9b2d703
-- schemamig:down_revision base
-- schemamig:message Create users
-- schemamig:upgrade
CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

INSERT INTO users (email) VALUES ('ada@example.com'), ('grace@example.com');
-- schemamig:downgrade
DROP TABLE users;
