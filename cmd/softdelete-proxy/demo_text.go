package main

// The texts of the demo: its policy, the script it prints and its sample schema.

const demoConfig = `# written by softdelete-proxy demo; removed when the demo stops
listen: %q
upstream: %q
metrics_listen: %q
shutdown_timeout: 2s

defaults:
  column: deleted_at
  deleted_by_column: deleted_by
  reason_column: deleted_reason
  retention: 30d
  on_truncate: deny

roles:
  hard_delete: [dba]

tables:
  public.customers: {}
  public.contacts: {}
  public.deals: { retention: 90d }
`

const demoScript = `
softdelete-proxy demo is running. Connect through the proxy:

    psql %s

The policy (tables customers, contacts, deals) is in %s.
Then try, in psql:

  1. Delete a contact. The proxy turns the DELETE into an UPDATE that sets
     deleted_at, and psql still reads DELETE 1; its deal goes to the trash
     too (deals.contact_id is ON DELETE CASCADE):
       DELETE FROM contacts WHERE id = 3;
  2. It is gone for every query through the proxy:
       SELECT id, name FROM contacts WHERE id = 3;
       SELECT count(*) FROM contacts;
  3. Look into the trash:
       SET softdelete.visibility = 'deleted';
       SELECT id, name, deleted_at, deleted_by FROM contacts;
  4. Restore it (its deal comes back with it), and go back to the normal view:
       UPDATE contacts SET deleted_at = NULL WHERE id = 3;
       RESET softdelete.visibility;
       SELECT id, name FROM contacts WHERE id = 3;
  5. Say who deletes and why (kept in deleted_by and deleted_reason):
       SET softdelete.actor = 'alice';
       SET softdelete.reason = 'duplicate deal';
       DELETE FROM deals WHERE id = 7;
  6. TRUNCATE of a soft-delete table is refused (on_truncate: deny):
       TRUNCATE deals;

To see the tables as they really are, connect directly, without the proxy:

    psql %s -c 'SELECT id, title, deleted_at, deleted_by, deleted_reason FROM deals ORDER BY id'
`

// demoSchema is the sample schema: every table has the soft-delete columns, the
// partial index the purger uses, and contacts a unique email among live rows only.
const demoSchema = `
CREATE TABLE customers (
  id             serial PRIMARY KEY,
  name           text NOT NULL,
  deleted_at     timestamptz,
  deleted_by     text,
  deleted_reason text
);
CREATE TABLE contacts (
  id             serial PRIMARY KEY,
  customer_id    int NOT NULL REFERENCES customers ON DELETE CASCADE,
  name           text NOT NULL,
  email          text NOT NULL,
  deleted_at     timestamptz,
  deleted_by     text,
  deleted_reason text
);
CREATE TABLE deals (
  id             serial PRIMARY KEY,
  customer_id    int NOT NULL REFERENCES customers ON DELETE CASCADE,
  contact_id     int REFERENCES contacts ON DELETE CASCADE,
  title          text NOT NULL,
  amount         numeric(12,2) NOT NULL,
  stage          text NOT NULL,
  deleted_at     timestamptz,
  deleted_by     text,
  deleted_reason text
);
CREATE UNIQUE INDEX contacts_email_live ON contacts (email) WHERE deleted_at IS NULL;
CREATE INDEX customers_trash ON customers (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_trash ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX deals_trash ON deals (deleted_at) WHERE deleted_at IS NOT NULL;

INSERT INTO customers (name) VALUES
  ('Acme Corp'), ('Globex'), ('Initech'), ('Umbrella'),
  ('Hooli'), ('Stark Industries'), ('Wayne Enterprises'), ('Soylent');

INSERT INTO contacts (customer_id, name, email)
SELECT (i - 1) / 3 + 1, first || ' ' || last, lower(first || '.' || last) || '@example.com'
FROM generate_series(1, 24) AS i,
     LATERAL (SELECT
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald',
              'Frances','Ken','Dennis','Margaret','Linus','Radia'])[(i - 1) % 12 + 1] AS first,
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth',
              'Allen','Thompson','Ritchie','Hamilton','Torvalds','Perlman'])[((i - 1) / 2) % 12 + 1] AS last) AS n;

INSERT INTO deals (customer_id, contact_id, title, amount, stage)
SELECT c, (c - 1) * 3 + i % 3 + 1,
       (ARRAY['Renewal','Upsell','Pilot','Expansion','Support plan'])[i % 5 + 1],
       (i * 1250 + 500)::numeric,
       (ARRAY['lead','qualified','proposal','won','lost'])[i % 5 + 1]
FROM generate_series(1, 20) AS i, LATERAL (SELECT (i - 1) % 8 + 1 AS c) AS k;
`
