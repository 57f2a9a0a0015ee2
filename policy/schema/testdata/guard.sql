-- The guard's attack surface (guard_test.go): managed tables of every
-- shape, and every server-side path that can reach them with a DELETE or
-- a TRUNCATE. Managed (guard_test.go's policy): contacts, deals
-- (partitioned, one partition partitioned again), docs (inheritance parent
-- with a child), people (child of an unmanaged table by foreign key),
-- events_2024 (inheritance child of the unmanaged events), scratch
-- (on_truncate: hard).
CREATE TABLE contacts (id int PRIMARY KEY, name text, deleted_at timestamptz);

CREATE TABLE deals (id int, region text, deleted_at timestamptz) PARTITION BY LIST (region);
CREATE TABLE deals_eu PARTITION OF deals FOR VALUES IN ('eu');
CREATE TABLE deals_us PARTITION OF deals FOR VALUES IN ('us') PARTITION BY RANGE (id);
CREATE TABLE deals_us_low PARTITION OF deals_us FOR VALUES FROM (0) TO (1000);

CREATE TABLE docs (id int, deleted_at timestamptz);
CREATE TABLE docs_2024 (year int DEFAULT 2024) INHERITS (docs);

CREATE TABLE orgs (id int PRIMARY KEY);
CREATE TABLE people (id int PRIMARY KEY, org_id int REFERENCES orgs ON DELETE CASCADE, deleted_at timestamptz, deleted_by text);

CREATE TABLE events (id int, deleted_at timestamptz);
CREATE TABLE events_2024 () INHERITS (events);

CREATE TABLE scratch (id int, deleted_at timestamptz);

-- paths that delete from contacts on the server
CREATE FUNCTION delete_sql(p int) RETURNS void LANGUAGE sql AS 'DELETE FROM contacts WHERE id = p';
CREATE FUNCTION delete_plpgsql(p int) RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM contacts WHERE id = p; END $$;
CREATE PROCEDURE delete_proc(p int) LANGUAGE plpgsql AS $$ BEGIN DELETE FROM contacts WHERE id = p; END $$;
-- owned by the superuser that runs this file, who would pass anything
CREATE FUNCTION delete_definer(p int) RETURNS void LANGUAGE sql SECURITY DEFINER AS 'DELETE FROM contacts WHERE id = p';
CREATE TABLE delete_requests (id int);
CREATE FUNCTION delete_requested() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM contacts WHERE id = NEW.id; RETURN NEW; END $$;
CREATE TRIGGER delete_requested AFTER INSERT ON delete_requests FOR EACH ROW EXECUTE FUNCTION delete_requested();
CREATE TABLE bin (id int);
CREATE RULE bin_deletes AS ON INSERT TO bin DO ALSO DELETE FROM contacts WHERE id = NEW.id;
CREATE VIEW contacts_view AS SELECT id, name, deleted_at FROM contacts;
