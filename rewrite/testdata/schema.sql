-- Schema and data for TestGoldenOnPostgres: every table and column the
-- golden cases use. Managed tables hold live and trashed rows.
CREATE SCHEMA crm;
CREATE TABLE users (id int PRIMARY KEY, name text, username text, active bool DEFAULT true,
  is_active bool DEFAULT true, n int, a int, b int, team text, team_id int, last_seen timestamptz,
  owner_id int, contacts int);
CREATE TABLE contacts (id serial PRIMARY KEY, email text, owner_id int, name text,
  first_name text, last_name text, active bool DEFAULT true, vip bool DEFAULT false,
  a int, b int, x int, y int, n int, score int DEFAULT 0, tags text[],
  created_at timestamptz DEFAULT '2024-06-01', updated_at timestamptz, touched timestamptz,
  deleted_at timestamptz);
CREATE UNIQUE INDEX contacts_email_live ON contacts (email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX contacts_lower_email_live ON contacts (lower(email)) WHERE email <> '' AND deleted_at IS NULL;
CREATE TABLE deals (id int PRIMARY KEY, contact_id int, company_id int, owner_id int,
  email text, amount numeric DEFAULT 0, stage text, closed_at timestamptz,
  created_at timestamptz DEFAULT '2024-06-01',
  deleted_at timestamptz, deleted_by text, deleted_reason text);
CREATE TABLE items (id int PRIMARY KEY, deal_id int, position int, deleted_at timestamptz);
CREATE TABLE orders (id int PRIMARY KEY, status text, created_at timestamptz, deleted_at timestamptz);
CREATE TABLE crm.notes (id int PRIMARY KEY, parent_id int, body text, removed_at timestamptz);
CREATE TABLE notes (id int PRIMARY KEY, parent_id int, body text);
CREATE TABLE "Mixed Case" (id int PRIMARY KEY, "Gone At" timestamptz);
CREATE TABLE mixed_case (id int PRIMARY KEY);
CREATE TABLE "CONTACTS" (id int PRIMARY KEY);
CREATE TABLE archive (LIKE contacts);
CREATE TABLE staging (id int, email text, gone bool, stale bool);
CREATE TABLE audit_log (id int);

INSERT INTO users (id, name, active, n) VALUES (1, 'ann', true, 0), (2, 'bob', true, 0),
  (3, 'cid', false, 0), (4, 'dee', true, 0);
INSERT INTO contacts (id, email, owner_id, name, active, vip, a, b, x, y, n, deleted_at) VALUES
  (1, 'a@x.org', 1, 'a', true, true, 1, 2, 1, 1, 1, NULL),
  (2, 'b@x.org', 1, 'b', true, false, 1, 3, 1, 2, 2, '2024-07-01'),
  (3, 'c@x.org', 2, 'c', false, false, 2, 2, NULL, NULL, 3, '2024-07-02'),
  (4, 'd@x.org', 3, 'd', true, true, 5, 2, 3, 3, 4, NULL),
  (5, 'e@x.org', 2, 'e', true, false, 1, 1, 4, 5, 5, NULL),
  (6, 'f@x.org', 4, 'f', true, true, 2, 1, 5, 5, 6, '2024-07-03');
SELECT setval('contacts_id_seq', 100);
INSERT INTO deals (id, contact_id, owner_id, email, amount, stage, deleted_at) VALUES
  (1, 1, 1, 'a@x.org', 10, 'won', NULL), (2, 1, 1, 'a2@x.org', 200, 'open', '2024-07-01'),
  (3, 2, 1, 'b@x.org', 0, 'lost', NULL), (4, 4, 3, 'd@x.org', 50, 'won', NULL),
  (5, 6, 4, 'f@x.org', 0, 'open', NULL), (6, 9, 2, 'z@x.org', 5, 'won', '2024-07-05');
INSERT INTO items (id, deal_id, position, deleted_at) VALUES (1, 1, 1, NULL), (2, 1, 2, '2024-07-01'),
  (3, 4, 1, NULL), (4, 2, 1, NULL);
INSERT INTO crm.notes (id, parent_id, removed_at) VALUES (1, NULL, NULL), (2, 1, NULL),
  (3, 1, '2024-07-01'), (4, 3, NULL), (5, NULL, '2024-07-02');
INSERT INTO notes (id) VALUES (1);
INSERT INTO "Mixed Case" VALUES (1, NULL), (2, '2024-07-01');
INSERT INTO staging VALUES (1, 'a@x.org', true, false), (4, 'd@x.org', false, false),
  (7, 'new@x.org', false, false);
CREATE TABLE docs (id int PRIMARY KEY, created_at timestamptz, deleted_at timestamptz);
INSERT INTO docs VALUES (1, '2024-01-01', NULL), (2, '2024-01-01', '2024-07-01'), (3, NULL, NULL);
