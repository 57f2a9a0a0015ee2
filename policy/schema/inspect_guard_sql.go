package schema

// The catalog queries behind the guard, the purge role and the privilege
// checks (inspect_guard.go).

// rolesSQL says, for each name of $1 in order, how the server quotes it and
// whether the role exists.
const rolesSQL = `
SELECT x, quote_ident(x), EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = x)
FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i)
ORDER BY i`

// superLoginsSQL lists the superusers that can log in: they can turn the
// guard off (session_replication_role, ALTER TABLE … DISABLE TRIGGER).
const superLoginsSQL = `SELECT quote_ident(rolname) FROM pg_roles WHERE rolsuper AND rolcanlogin ORDER BY 1`

// relativesSQL lists, for each table of $1, its partitions and
// inheritance children at any depth (true, parents before children) and
// the tables it descends from (false): the table's oid, then oid, raw
// schema and name, quoted name, relkind, relispartition, the quoted direct
// parent of a descendant, its depth, and every direct parent of it (a
// child may have several). A relative with two parents under one table
// comes twice (Inspect keeps the first).
const relativesSQL = `
WITH RECURSIVE d(root, oid, parent, depth) AS (
    SELECT inhparent, inhrelid, inhparent, 1 FROM pg_inherits WHERE inhparent = ANY ($1::oid[])
    UNION ALL
    SELECT d.root, i.inhrelid, i.inhparent, d.depth + 1 FROM pg_inherits i JOIN d ON i.inhparent = d.oid WHERE d.depth < 64
), a(root, oid, depth) AS (
    SELECT inhrelid, inhparent, 1 FROM pg_inherits WHERE inhrelid = ANY ($1::oid[])
    UNION ALL
    SELECT a.root, i.inhparent, a.depth + 1 FROM pg_inherits i JOIN a ON i.inhrelid = a.oid WHERE a.depth < 64
)
SELECT d.root, true, c.oid, n.nspname, c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       c.relkind::text, c.relispartition, quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), d.depth,
       (SELECT array_agg(quote_ident(xn.nspname) || '.' || quote_ident(xc.relname) ORDER BY 1)
        FROM pg_inherits x JOIN pg_class xc ON xc.oid = x.inhparent JOIN pg_namespace xn ON xn.oid = xc.relnamespace
        WHERE x.inhrelid = c.oid)
FROM d
JOIN pg_class c ON c.oid = d.oid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class pc ON pc.oid = d.parent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
UNION ALL
SELECT a.root, false, c.oid, n.nspname, c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       c.relkind::text, c.relispartition, '', a.depth, '{}'::text[]
FROM a
JOIN pg_class c ON c.oid = a.oid JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY 1, 2 DESC, 10, 6`

// relationFactsSQL reads, for each relation of $1: its oid, owner,
// whether row-level security is on, its policies, and the softdelete_* row
// triggers cloned onto it from a parent with whether each is enabled.
const relationFactsSQL = `
SELECT c.oid, quote_ident(pg_get_userbyid(c.relowner)), c.relrowsecurity,
       coalesce((SELECT array_agg(quote_ident(p.polname) ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = c.oid), '{}'),
       coalesce((SELECT array_agg(p.polcmd::text ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = c.oid), '{}'),
       coalesce((SELECT array_agg(coalesce(pg_get_expr(p.polqual, p.polrelid), '') ORDER BY p.polname)
                 FROM pg_policy p WHERE p.polrelid = c.oid), '{}'),
       coalesce((SELECT array_agg(coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') ORDER BY p.polname)
                 FROM pg_policy p WHERE p.polrelid = c.oid), '{}'),
       coalesce((SELECT array_agg(quote_ident(t.tgname) ORDER BY t.tgname) FROM pg_trigger t
                 WHERE t.tgrelid = c.oid AND t.tgparentid <> 0 AND t.tgname LIKE '` + ownPrefix + `%'), '{}'),
       coalesce((SELECT array_agg(t.tgenabled NOT IN ('D', 'R') ORDER BY t.tgname) FROM pg_trigger t
                 WHERE t.tgrelid = c.oid AND t.tgparentid <> 0 AND t.tgname LIKE '` + ownPrefix + `%'), '{}')
FROM pg_class c
WHERE c.oid = ANY ($1::oid[])`

// granteesSQL lists, for each position i (from 1) of the relations $1,
// the roles of the relation's ACL (table and column privileges, the
// owner's default ones included) and, for the relations also in $3, the
// purge role $4, with what they may do: DELETE granted on the table
// itself, SELECT of some column, SELECT and DELETE of the table, and which
// of the columns $2 (every policy column, of every table) they may UPDATE
// and SELECT (grants through roles included).
const granteesSQL = `
SELECT u.i::int, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(n.rname) END AS role,
       g.grantee = k.relowner,
       EXISTS (SELECT 1 FROM aclexplode(coalesce(k.relacl, acldefault('r', k.relowner))) x
               WHERE x.grantee = g.grantee AND x.privilege_type = 'DELETE'),
       has_any_column_privilege(n.rname, k.oid, 'SELECT'),
       has_table_privilege(n.rname, k.oid, 'SELECT'),
       has_table_privilege(n.rname, k.oid, 'DELETE'),
       coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY ($2::text[])
                   AND has_column_privilege(n.rname, k.oid, a.attnum, 'UPDATE')), '{}'),
       coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = k.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY ($2::text[])
                   AND has_column_privilege(n.rname, k.oid, a.attnum, 'SELECT')), '{}')
FROM unnest($1::oid[]) WITH ORDINALITY AS u(oid, i)
JOIN pg_class k ON k.oid = u.oid
CROSS JOIN LATERAL (
    SELECT (aclexplode(coalesce(k.relacl, acldefault('r', k.relowner)))).grantee
    UNION SELECT (aclexplode(a.attacl)).grantee FROM pg_attribute a WHERE a.attrelid = k.oid AND a.attacl IS NOT NULL
    UNION SELECT r.oid FROM pg_roles r WHERE r.rolname = $4 AND k.oid = ANY ($3::oid[])
) AS g(grantee)
CROSS JOIN LATERAL (SELECT CASE WHEN g.grantee = 0 THEN 'public' ELSE pg_get_userbyid(g.grantee)::text END AS rname) AS n
ORDER BY 1, 2`

// purgeUsageSQL says, for each schema of $2 that exists, whether role $1
// (when it exists) has USAGE on it.
const purgeUsageSQL = `
SELECT s, has_schema_privilege($1, s, 'USAGE')
FROM unnest($2::text[]) AS u(s)
WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s)`

// purgeAuditSQL says whether role $1 may INSERT into relation $2 (false
// when either is missing).
const purgeAuditSQL = `
SELECT coalesce((SELECT has_table_privilege($1, c.oid, 'INSERT') FROM pg_class c
                 WHERE c.oid = to_regclass($2) AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)), false)`

// purgeEvictedSQL says whether role $1 may SELECT and DELETE the records
// of relation $2, softdelete.evicted (false when either is missing).
const purgeEvictedSQL = `
SELECT coalesce((SELECT has_table_privilege($1, c.oid, 'SELECT') AND has_table_privilege($1, c.oid, 'DELETE') FROM pg_class c
                 WHERE c.oid = to_regclass($2) AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)), false)`
