-- Foreign keys of every shape (fk_test.go). Managed (fk.yaml): every table
-- but notes, contact_refs (children outside the policy) and teams (a parent
-- outside it).
CREATE TABLE contacts (id int PRIMARY KEY, name text, deleted_at timestamptz, deleted_by text);
-- CASCADE, two levels
CREATE TABLE deals (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE CASCADE, deleted_at timestamptz, deleted_by text);
CREATE TABLE deal_notes (id int PRIMARY KEY, deal_id int REFERENCES deals ON DELETE CASCADE, deleted_at timestamptz);
-- every other action
CREATE TABLE tasks (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE SET NULL, deleted_at timestamptz);
CREATE TABLE tags (id int PRIMARY KEY, contact_id int DEFAULT 0 REFERENCES contacts ON DELETE SET DEFAULT, deleted_at timestamptz);
CREATE TABLE calls (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE RESTRICT, deleted_at timestamptz);
CREATE TABLE emails (id int PRIMARY KEY, contact_id int REFERENCES contacts, deleted_at timestamptz);
CREATE TABLE meetings (id int PRIMARY KEY, contact_id int REFERENCES contacts DEFERRABLE INITIALLY DEFERRED, deleted_at timestamptz);
-- composite keys: SET NULL of one column (PostgreSQL 15), MATCH FULL
CREATE TABLE orgs (region text, id int, deleted_at timestamptz, PRIMARY KEY (region, id));
CREATE TABLE members (id int PRIMARY KEY, region text, org_id int, deleted_at timestamptz,
    FOREIGN KEY (region, org_id) REFERENCES orgs ON DELETE SET NULL (org_id));
CREATE TABLE badges (id int PRIMARY KEY, region text, org_id int, deleted_at timestamptz,
    FOREIGN KEY (region, org_id) REFERENCES orgs MATCH FULL ON DELETE CASCADE);
-- self-reference and a cycle
CREATE TABLE folders (id int PRIMARY KEY, parent_id int REFERENCES folders ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE ping (id int PRIMARY KEY, pong_id int, deleted_at timestamptz);
CREATE TABLE pong (id int PRIMARY KEY, ping_id int REFERENCES ping ON DELETE CASCADE, deleted_at timestamptz);
ALTER TABLE ping ADD FOREIGN KEY (pong_id) REFERENCES pong ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
-- keys into a partitioned table
CREATE TABLE accounts (id int, region text, deleted_at timestamptz, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE accounts_eu PARTITION OF accounts FOR VALUES IN ('eu');
CREATE TABLE accounts_us PARTITION OF accounts FOR VALUES IN ('us');
CREATE TABLE invoices (id int PRIMARY KEY, account_id int, region text, deleted_at timestamptz,
    FOREIGN KEY (account_id, region) REFERENCES accounts ON DELETE CASCADE);
CREATE TABLE payments (id int PRIMARY KEY, account_id int, region text, deleted_at timestamptz,
    FOREIGN KEY (account_id, region) REFERENCES accounts);
-- children outside the policy
CREATE TABLE notes (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE CASCADE);
CREATE TABLE contact_refs (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE SET NULL);
-- managed children of a parent outside the policy
CREATE TABLE teams (id int PRIMARY KEY);
CREATE TABLE players (id int PRIMARY KEY, team_id int REFERENCES teams ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE coaches (id int PRIMARY KEY, team_id int REFERENCES teams, deleted_at timestamptz);
