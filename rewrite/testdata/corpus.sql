# Benchmark corpus: one statement per line; '#' lines are comments.
# ORM-generated reads (Rails / Django / Hibernate / Prisma styles)
SELECT "contacts".* FROM "contacts" WHERE "contacts"."id" = 42 LIMIT 1
SELECT "contacts".* FROM "contacts" WHERE "contacts"."owner_id" = 7 ORDER BY "contacts"."created_at" DESC LIMIT 25 OFFSET 50
SELECT COUNT(*) FROM "contacts" WHERE "contacts"."owner_id" = 7
SELECT "deals".* FROM "deals" INNER JOIN "contacts" ON "contacts"."id" = "deals"."contact_id" WHERE "contacts"."owner_id" = 7 AND "deals"."stage" = 'won'
SELECT "contacts"."id", "contacts"."email", "deals"."amount", "users"."name" FROM "contacts" INNER JOIN "deals" ON "deals"."contact_id" = "contacts"."id" LEFT OUTER JOIN "users" ON "users"."id" = "contacts"."owner_id" WHERE "contacts"."owner_id" = 5 ORDER BY "contacts"."id" DESC LIMIT 25
SELECT "crm_contact"."id", "crm_contact"."email", "crm_contact"."first_name", "crm_contact"."last_name", "crm_contact"."owner_id", "auth_user"."id", "auth_user"."username" FROM "contacts" "crm_contact" INNER JOIN "users" "auth_user" ON ("crm_contact"."owner_id" = "auth_user"."id") WHERE ("crm_contact"."email" LIKE '%@example.com' AND "auth_user"."is_active") ORDER BY "crm_contact"."last_name" ASC
SELECT c0_.id AS id_0, c0_.email AS email_1, d1_.amount AS amount_2 FROM contacts c0_ LEFT JOIN deals d1_ ON c0_.id = d1_.contact_id LEFT JOIN items i2_ ON d1_.id = i2_.deal_id WHERE c0_.owner_id = 3 AND d1_.amount > 1000.50
SELECT "public"."contacts"."id", "public"."contacts"."email" FROM "public"."contacts" WHERE ("public"."contacts"."email" = 'a@b.c' AND 1=1) LIMIT 1 OFFSET 0
SELECT t0.id, t0.name, t1.id, t1.amount FROM companies t0 LEFT OUTER JOIN deals t1 ON (t1.company_id = t0.id) WHERE (t0.id IN (1, 2, 3, 4, 5)) ORDER BY t0.id
SELECT contacts.*, (SELECT COUNT(*) FROM deals WHERE deals.contact_id = contacts.id) AS deals_count FROM contacts WHERE contacts.owner_id = 12
SELECT 1 AS one FROM "contacts" WHERE "contacts"."email" = 'x@y.z' LIMIT 1
SELECT "items".* FROM "items" WHERE "items"."deal_id" IN (101, 102, 103, 104) ORDER BY "items"."position" ASC
SELECT "orders".* FROM "orders" WHERE "orders"."status" = 'open' AND "orders"."created_at" > '2024-01-01 00:00:00' ORDER BY "orders"."id" ASC LIMIT 1000
SELECT DISTINCT "contacts"."owner_id" FROM "contacts" INNER JOIN "deals" ON "deals"."contact_id" = "contacts"."id" WHERE "deals"."stage" IN ('won', 'lost')
SELECT "users".* FROM "users" WHERE EXISTS (SELECT 1 FROM "contacts" WHERE "contacts"."owner_id" = "users"."id" AND "contacts"."vip" = true)
SELECT "users".* FROM "users" WHERE "users"."id" NOT IN (SELECT "contacts"."owner_id" FROM "contacts" WHERE "contacts"."owner_id" IS NOT NULL)
SELECT id, email FROM contacts WHERE lower(email) = lower('Alice@Example.com')
SELECT * FROM contacts WHERE id = $1
SELECT * FROM deals WHERE contact_id = $1 AND stage = $2 ORDER BY created_at DESC LIMIT $3
SELECT c.id, c.email FROM contacts c WHERE c.tags @> ARRAY['vip'] AND c.score BETWEEN 10 AND 20
SELECT * FROM contacts WHERE created_at >= now() - interval '7 days' AND owner_id = 9
# reporting queries
SELECT date_trunc('month', d.closed_at) AS month, sum(d.amount) AS total, count(*) FROM deals d WHERE d.stage = 'won' AND d.closed_at >= '2024-01-01' GROUP BY 1 ORDER BY 1
SELECT u.name, count(c.id) AS contacts, coalesce(sum(d.amount), 0) AS pipeline FROM users u LEFT JOIN contacts c ON c.owner_id = u.id LEFT JOIN deals d ON d.contact_id = c.id GROUP BY u.name HAVING count(c.id) > 10 ORDER BY pipeline DESC
WITH monthly AS (SELECT date_trunc('month', created_at) AS m, count(*) AS n FROM contacts GROUP BY 1) SELECT m, n, sum(n) OVER (ORDER BY m) AS running FROM monthly ORDER BY m
SELECT owner_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) FROM deals GROUP BY owner_id
SELECT c.id FROM contacts c FULL OUTER JOIN deals d ON d.contact_id = c.id WHERE d.id IS NULL OR c.id IS NULL
SELECT s.stage, s.n FROM (SELECT stage, count(*) AS n FROM deals GROUP BY stage) s WHERE s.n > 5 ORDER BY s.n DESC
SELECT u.id, l.email FROM users u LEFT JOIN LATERAL (SELECT email FROM contacts c WHERE c.owner_id = u.id ORDER BY c.created_at DESC LIMIT 1) l ON true
WITH RECURSIVE tree AS (SELECT id, parent_id, 1 AS depth FROM crm.notes WHERE parent_id IS NULL UNION ALL SELECT n.id, n.parent_id, t.depth + 1 FROM crm.notes n JOIN tree t ON n.parent_id = t.id) SELECT * FROM tree WHERE depth < 5
SELECT id FROM contacts WHERE owner_id = 1 UNION SELECT contact_id FROM deals WHERE amount > 500 ORDER BY 1
SELECT to_char(created_at, 'YYYY-MM') AS ym, count(*) FILTER (WHERE vip) AS vips, count(*) AS total FROM contacts GROUP BY ym ORDER BY ym
SELECT c.*, row_number() OVER (PARTITION BY c.owner_id ORDER BY c.created_at) AS rn FROM contacts c WHERE c.owner_id IN (SELECT id FROM users WHERE team = 'emea')
# DML
INSERT INTO contacts (email, owner_id, created_at) VALUES ('new@example.com', 4, now()) RETURNING id
INSERT INTO deals (contact_id, amount, stage) VALUES (1, 100.00, 'open'), (2, 250.00, 'open')
INSERT INTO contacts (email, owner_id) VALUES ('dup@example.com', 1) ON CONFLICT (email) DO UPDATE SET owner_id = EXCLUDED.owner_id
INSERT INTO archive_contacts SELECT * FROM contacts WHERE created_at < '2020-01-01'
UPDATE "contacts" SET "email" = 'changed@example.com', "updated_at" = '2024-05-01 10:00:00' WHERE "contacts"."id" = 42
UPDATE deals SET stage = 'lost' WHERE stage = 'open' AND closed_at < now() - interval '90 days'
UPDATE deals d SET amount = d.amount * 1.1 FROM contacts c WHERE c.id = d.contact_id AND c.vip
UPDATE contacts SET score = score + 1 WHERE id = $1 RETURNING score
DELETE FROM "contacts" WHERE "contacts"."id" = 42
DELETE FROM contacts WHERE id IN (1, 2, 3)
DELETE FROM deals WHERE contact_id = $1
DELETE FROM items WHERE deal_id IN (SELECT id FROM deals WHERE stage = 'lost') RETURNING id
DELETE FROM contacts c USING users u WHERE u.id = c.owner_id AND u.active = false
WITH gone AS (DELETE FROM contacts WHERE owner_id = 99 RETURNING id) SELECT count(*) FROM gone
MERGE INTO contacts c USING staging_contacts s ON s.email = c.email WHEN MATCHED AND s.deleted THEN DELETE WHEN MATCHED THEN UPDATE SET owner_id = s.owner_id WHEN NOT MATCHED THEN INSERT (email, owner_id) VALUES (s.email, s.owner_id)
# pgbench (tables under policy)
SELECT abalance FROM pgbench_accounts WHERE aid = 48213
UPDATE pgbench_accounts SET abalance = abalance + -4021 WHERE aid = 48213
SELECT abalance FROM pgbench_accounts WHERE aid = 48213
UPDATE pgbench_tellers SET tbalance = tbalance + -4021 WHERE tid = 7
UPDATE pgbench_branches SET bbalance = bbalance + -4021 WHERE bid = 1
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 48213, -4021, CURRENT_TIMESTAMP)
# utility and session traffic
SET search_path TO public
SET softdelete.visibility = 'deleted'
BEGIN
COMMIT
SHOW softdelete.visibility
COPY contacts TO STDOUT WITH (FORMAT csv)
EXPLAIN SELECT * FROM contacts WHERE id = 1
PREPARE get_contact(int) AS SELECT * FROM contacts WHERE id = $1
EXECUTE get_contact(1)
# statements on unmanaged tables
SELECT * FROM users WHERE id = 1
SELECT u.id, u.name, t.name FROM users u JOIN teams t ON t.id = u.team_id WHERE u.active ORDER BY u.name
INSERT INTO audit_log (actor, action, at) VALUES ('alice', 'login', now())
UPDATE users SET last_seen = now() WHERE id = 3
SELECT now()
