-- Every shape of key on managed tables (keys.yaml): what a trashed row
-- holds, and what migrate makes of it (docs/keys.md).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- a primary key and a unique constraint, both referenced by foreign keys
CREATE TABLE parent (
    id int PRIMARY KEY,
    code text CONSTRAINT parent_code_key UNIQUE,
    email text,
    deleted_at timestamptz
);
CREATE UNIQUE INDEX parent_email_idx ON parent (lower(email));         -- expression: becomes partial
CREATE TABLE child (
    id int PRIMARY KEY,
    parent_code text REFERENCES parent (code),                           -- ON UPDATE NO ACTION
    parent_id int REFERENCES parent ON DELETE CASCADE,
    deleted_at timestamptz
);
CREATE TABLE grand (id int PRIMARY KEY, child_id int REFERENCES child ON DELETE CASCADE, deleted_at timestamptz);
-- no key at all: two of its rows can be identical
CREATE TABLE twin (parent_id int REFERENCES parent, deleted_at timestamptz);
-- a table outside the policy that references a managed one
CREATE TABLE outsider (id int PRIMARY KEY, parent_id int REFERENCES parent);

-- a composite unique index nothing references, and a self-reference
CREATE TABLE node (
    id int PRIMARY KEY,
    up int REFERENCES node,
    a int, b int,
    deleted_at timestamptz
);
CREATE UNIQUE INDEX node_a_b_idx ON node (a, b);

-- an exclusion constraint, deferrable
CREATE TABLE booking (
    id serial PRIMARY KEY,
    room int,
    during tstzrange,
    deleted_at timestamptz,
    CONSTRAINT booking_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&) DEFERRABLE
);

-- NULLS NOT DISTINCT, deferred
CREATE TABLE slot (
    a int, b int, deleted_at timestamptz,
    CONSTRAINT slot_a_b_key UNIQUE NULLS NOT DISTINCT (a, b) DEFERRABLE INITIALLY DEFERRED
);

-- partitioned
CREATE TABLE event (id int, region text, deleted_at timestamptz, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE event_eu PARTITION OF event FOR VALUES IN ('eu');
CREATE TABLE event_us PARTITION OF event FOR VALUES IN ('us');

-- on_key_conflict: refuse
CREATE TABLE account (id int PRIMARY KEY, login text UNIQUE, deleted_at timestamptz);
CREATE UNIQUE INDEX account_login_lower_idx ON account (lower(login));   -- left as it is under refuse

-- a serial key whose sequence an ORM resets from max(id) of the rows it sees
CREATE TABLE tag (id serial PRIMARY KEY, name text, deleted_at timestamptz);
