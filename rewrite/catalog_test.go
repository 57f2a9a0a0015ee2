package rewrite

import "testing"

// Statements that may change which relation a managed table's name means
// are reported; DDL is parsed but passes byte for byte, whatever it names,
// in every visibility.
func TestCatalogChange(t *testing.T) {
	changes := []string{
		"CREATE TABLE contacts (id int)",
		"CREATE TEMP TABLE contacts (LIKE public.contacts)",
		"create unlogged table if not exists x (id int)",
		"CREATE TABLE contacts_2024 PARTITION OF contacts FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
		"CREATE TABLE child () INHERITS (contacts)",
		"CREATE TABLE t AS SELECT 1",
		"CREATE TABLE t AS EXECUTE q",
		"SELECT 1 AS id INTO contacts",
		"SELECT * INTO TEMP TABLE contacts FROM users", // (with another name it cannot shadow one, and is not parsed)
		"CREATE VIEW contacts AS SELECT 1",
		"CREATE OR REPLACE TEMP VIEW v AS SELECT 1",
		"CREATE MATERIALIZED VIEW m AS SELECT * FROM contacts",
		"CREATE FOREIGN TABLE contacts (id int) SERVER s",
		"CREATE SCHEMA s2",
		"CREATE SCHEMA s2 CREATE TABLE contacts (id int)",
		"DROP TABLE contacts",
		"DROP TABLE IF EXISTS a, b",
		"DROP VIEW v",
		"DROP MATERIALIZED VIEW m",
		"DROP FOREIGN TABLE f",
		"DROP SCHEMA s2 CASCADE",
		"DROP SCHEMA s2",
		"DROP FUNCTION f() CASCADE",
		"DROP TYPE mood CASCADE",
		"DROP EXTENSION e",
		"DROP OWNED BY bob",
		"ALTER TABLE contacts RENAME TO contacts_old",
		"ALTER TABLE x RENAME TO contacts",
		"ALTER VIEW v RENAME TO contacts",
		"ALTER SCHEMA public RENAME TO p2",
		"ALTER TABLE contacts SET SCHEMA crm",
		"ALTER MATERIALIZED VIEW m SET SCHEMA crm",
		"ALTER EXTENSION e SET SCHEMA crm",
		"ALTER EXTENSION e UPDATE",
		"ALTER TABLE contacts ATTACH PARTITION c2024 FOR VALUES FROM (1) TO (2)",
		"ALTER TABLE contacts DETACH PARTITION c2024",
		"ALTER TABLE contacts DETACH PARTITION c2024 CONCURRENTLY",
		"ALTER TABLE contacts DETACH PARTITION c2024 FINALIZE",
		"ALTER TABLE x INHERIT contacts",
		"ALTER TABLE x NO INHERIT contacts",
		"ALTER TABLE x ADD COLUMN y int, INHERIT contacts",
		"IMPORT FOREIGN SCHEMA remote FROM SERVER s INTO public",
		"IMPORT FOREIGN SCHEMA remote LIMIT TO (contacts) FROM SERVER s INTO crm",
		"CREATE EXTENSION e",
		"CREATE RULE \"_RETURN\" AS ON SELECT TO contacts DO INSTEAD SELECT * FROM users",
		"DO $$ BEGIN CREATE TEMP TABLE contacts (id int); END $$",
		"DISCARD TEMP",
		"DISCARD ALL",
		"EXPLAIN ANALYZE CREATE TABLE contacts AS SELECT 1",
		// keys and foreign keys: the guard's stamp (migrate) follows them
		"CREATE UNIQUE INDEX ON contacts (email)",
		"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS c_email ON contacts (lower(email)) WHERE deleted_at IS NULL",
		"DROP INDEX contacts_email",
		"DROP INDEX CONCURRENTLY IF EXISTS contacts_email",
		"ALTER TABLE contacts ADD PRIMARY KEY (id)",
		"ALTER TABLE contacts ADD CONSTRAINT u UNIQUE (email)",
		"ALTER TABLE contacts ADD CONSTRAINT u UNIQUE USING INDEX c_email",
		"ALTER TABLE contacts ADD CONSTRAINT x EXCLUDE USING gist (during WITH &&)",
		"ALTER TABLE notes ADD FOREIGN KEY (contact_id) REFERENCES contacts",
		"ALTER TABLE notes ADD COLUMN contact_id int REFERENCES contacts ON DELETE CASCADE",
		"ALTER TABLE notes ADD COLUMN code text UNIQUE",
		"ALTER TABLE contacts DROP CONSTRAINT u",
		"ALTER TABLE notes ALTER CONSTRAINT notes_contact_id_fkey DEFERRABLE",
		"ALTER TABLE contacts ALTER COLUMN id TYPE bigint",
		"ALTER TABLE contacts ADD COLUMN extra int, DROP CONSTRAINT contacts_pkey",
		"ALTER TABLE contacts RENAME COLUMN id TO contact_id",
		"ALTER INDEX contacts_pkey RENAME TO contacts_key",
	}
	same := []string{
		"CREATE INDEX ON contacts (email)",
		"CREATE INDEX CONCURRENTLY c_email ON contacts (lower(email))",
		"ALTER TABLE contacts ADD COLUMN extra int",
		"ALTER TABLE contacts ADD COLUMN extra int NOT NULL DEFAULT 0 CHECK (extra >= 0)",
		"ALTER TABLE contacts ALTER COLUMN email SET DEFAULT ''",
		"ALTER TABLE contacts VALIDATE CONSTRAINT notes_fk",
		"ALTER TABLE contacts ALTER COLUMN email SET NOT NULL",
		"CREATE SEQUENCE contacts_seq",
		"DROP FUNCTION f()",
		"COMMENT ON TABLE contacts IS 'x'",
		"GRANT SELECT ON contacts TO bob",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'DELETE FROM contacts RETURNING 1'",
		"CREATE TRIGGER t BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION f()",
		"CREATE POLICY p ON contacts USING (deleted_at IS NULL)",
		"ALTER TABLE contacts ADD CONSTRAINT c CHECK (id > 0)",
		"DISCARD PLANS",
		"SELECT * FROM contacts",
		"DELETE FROM contacts",
	}
	p := testPolicy()
	for _, vis := range []Visibility{VisibilityActive, VisibilityDeleted, VisibilityAll} {
		for i, list := range [][]string{changes, same} {
			for _, sql := range list {
				res, err := New(Options{}).Rewrite(sql, p, &Session{Visibility: vis, CanHardDelete: true})
				if err != nil {
					t.Errorf("%s: %v", sql, err)
					continue
				}
				if len(res.Stmts) != 1 {
					t.Errorf("%s: not parsed", sql)
					continue
				}
				if got := res.Stmts[0].CatalogChange; got != (i == 0) {
					t.Errorf("%s: CatalogChange = %v", sql, got)
				}
				if res.Stmts[0].Kind == "other" && (res.Changed || res.SQL != sql) {
					t.Errorf("DDL changed: %s\n -> %s", sql, res.SQL)
				}
			}
		}
	}
}

// DDL that the parser rejects and that names no managed table passes
// untouched (the server answers it), as before DDL was parsed.
func TestUnparsableDDLPasses(t *testing.T) {
	for _, sql := range []string{
		"CREATE TABLE x (id int) WITH OIDS",
		"ALTER TABLE x FROBNICATE",
		"DROP TABLE",
	} {
		res, err := New(Options{}).Rewrite(sql, testPolicy(), &Session{})
		if err != nil || res.Changed || res.SQL != sql {
			t.Errorf("%s: %+v %v", sql, res, err)
		}
	}
}

// TestSchemaStatement: DDL that runs nothing is a schema statement; DDL
// with an expression (which may call a function), code, and DML are not.
func TestSchemaStatement(t *testing.T) {
	schema := []string{
		"CREATE INDEX ON contacts (email)",
		`CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "c_email" ON "contacts" ("email" varchar_pattern_ops, "org_id")`,
		"ALTER TABLE notes ADD CONSTRAINT notes_fk FOREIGN KEY (contact_id) REFERENCES contacts (id) DEFERRABLE INITIALLY DEFERRED",
		"ALTER TABLE contacts ADD COLUMN x int DEFAULT 0 NOT NULL",
		"ALTER TABLE contacts ADD COLUMN y text COLLATE \"C\" DEFAULT ''",
		"ALTER TABLE contacts ALTER COLUMN x DROP DEFAULT",
		"ALTER TABLE contacts ADD CONSTRAINT u UNIQUE (email)",
		"ALTER TABLE contacts DROP CONSTRAINT u",
		"DROP INDEX CONCURRENTLY IF EXISTS c_email",
		"DROP TABLE contacts",
		"ALTER TABLE contacts RENAME COLUMN email TO mail",
		"ALTER INDEX c_email RENAME TO c_mail",
		"COMMENT ON TABLE contacts IS 'x'",
		"CREATE TABLE contacts_2 (id serial PRIMARY KEY, contact_id int REFERENCES contacts)",
		"CREATE SEQUENCE contacts_seq",
	}
	not := []string{
		"CREATE INDEX ON contacts (lower(email))",
		"CREATE INDEX ON contacts (email) WHERE deleted_at IS NULL",
		"ALTER TABLE contacts ADD COLUMN x int DEFAULT f()",
		"ALTER TABLE contacts ADD COLUMN x int DEFAULT 1 + 1",
		"ALTER TABLE contacts ADD COLUMN x int DEFAULT '1'::int",
		"ALTER TABLE contacts ADD COLUMN x int DEFAULT (SELECT 1)",
		"ALTER TABLE contacts ADD CHECK (id > 0)",
		"ALTER TABLE contacts ALTER COLUMN id TYPE bigint",
		"ALTER TABLE contacts ADD COLUMN x int GENERATED ALWAYS AS (id * 2) STORED",
		"CREATE TABLE t AS SELECT * FROM contacts",
		"CREATE TABLE t (id int CHECK (id > 0))",
		"DO $$ BEGIN DELETE FROM contacts; END $$",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'DELETE FROM contacts RETURNING 1'",
		"CREATE TRIGGER t BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION f()",
		"CREATE RULE r AS ON INSERT TO contacts DO ALSO DELETE FROM contacts",
		"CALL p()",
		"TRUNCATE contacts",
		"SELECT * FROM contacts",
		"DELETE FROM contacts",
		"INSERT INTO contacts VALUES (1)",
		"EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
	}
	p := testPolicy()
	for i, list := range [][]string{schema, not} {
		for _, sql := range list {
			res, err := New(Options{}).Rewrite(sql, p, &Session{CanHardDelete: true})
			if i == 1 && (err != nil || len(res.Stmts) == 0) {
				continue // refused, or not parsed (it names no managed table): not a schema statement either
			}
			if err != nil || len(res.Stmts) != 1 {
				t.Errorf("%s: %v, %d statements", sql, err, len(res.Stmts))
				continue
			}
			if got := res.Stmts[0].Schema; got != (i == 0) {
				t.Errorf("%s: Schema = %v", sql, got)
			}
		}
	}
}
