-- Locked rows (lock_test.go): one table per kind of lock column, a
-- partitioned table and an inheritance parent with a child.
CREATE TABLE contacts (id int PRIMARY KEY, name text, locked boolean NOT NULL DEFAULT false, deleted_at timestamptz);
CREATE TABLE docs (id int PRIMARY KEY, locked_until timestamptz, deleted_at timestamptz);
CREATE TABLE notes (a int, b int, locked_by text, deleted_at timestamptz, PRIMARY KEY (a, b));
CREATE TABLE deals (id int, region text, locked boolean, deleted_at timestamptz) PARTITION BY LIST (region);
CREATE TABLE deals_eu PARTITION OF deals FOR VALUES IN ('eu');
CREATE TABLE deals_us PARTITION OF deals FOR VALUES IN ('us');
CREATE TABLE files (id int, locked boolean, deleted_at timestamptz);
CREATE TABLE files_2026 () INHERITS (files);

INSERT INTO contacts SELECT g, 'c' || g, g % 10 = 0, NULL FROM generate_series(1, 99) g;
INSERT INTO contacts SELECT g, 'c' || g, g % 10 = 0, now() FROM generate_series(100, 199) g;
INSERT INTO docs VALUES (1, now() + interval '1 day', NULL), (2, now() - interval '1 day', NULL), (3, NULL, NULL);
INSERT INTO notes VALUES (1, 1, 'alice', NULL), (1, 2, '', NULL), (1, 3, NULL, NULL);
INSERT INTO deals VALUES (1, 'eu', true, NULL), (2, 'eu', false, NULL), (3, 'us', true, NULL), (4, 'us', NULL, NULL);
INSERT INTO files VALUES (1, false, NULL);
INSERT INTO files_2026 VALUES (2, true, NULL), (3, false, NULL);
