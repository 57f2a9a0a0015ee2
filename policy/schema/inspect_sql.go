package schema

// The catalog queries of Inspect. Every name that may end up in generated
// DDL or in a message is quoted by the server's quote_ident.

// databaseSQL reads the database, the server version, and the size of
// the shared lock table: max_locks_per_transaction times the backends and
// prepared transactions it is sized for (PostgreSQL's NLOCKENTS).
const databaseSQL = `SELECT current_database(), current_setting('server_version_num')::int,
       current_setting('max_locks_per_transaction')::int * (current_setting('max_connections')::int
           + current_setting('autovacuum_max_workers')::int + 1 + current_setting('max_worker_processes')::int
           + current_setting('max_wal_senders')::int + current_setting('max_prepared_transactions')::int)`

const quoteSQL = `SELECT x, quote_ident(x) FROM unnest($1::text[]) AS u(x)`

// The per-table queries read every managed table at once: $1 is the oids,
// and each row starts with the oid of the table it belongs to. A catalog
// of 1,000 tables is then a handful of queries, not ten thousand.

// relationsSQL finds, for each position i (from 1) of the schemas $1 and
// names $2, the relation's oid and relkind; missing ones have no row.
const relationsSQL = `
SELECT u.i::int, c.oid, c.relkind::text
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(nsp, rel, i)
JOIN pg_namespace n ON n.nspname = u.nsp
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = u.rel`

const columnsSQL = `
SELECT a.attrelid, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), bt.oid,
       bt.typcategory::text, a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`

// indexesSQL reads the foreign keys that reference each index in one pass
// over pg_constraint (nothing indexes conindid).
const indexesSQL = `
WITH refs AS (
    SELECT f.conindid, array_agg(quote_ident(f.conname) || ' on ' || quote_ident(fn.nspname) || '.'
                                 || quote_ident(fc.relname) ORDER BY 1) AS names
    FROM pg_constraint f
    JOIN pg_class fc ON fc.oid = f.conrelid
    JOIN pg_namespace fn ON fn.oid = fc.relnamespace
    WHERE f.contype = 'f' AND f.conparentid = 0
    GROUP BY f.conindid
)
SELECT i.indrelid, quote_ident(ic.relname), pg_get_indexdef(i.indexrelid),
       coalesce(pg_get_expr(i.indpred, i.indrelid), ''), i.indisunique, i.indisprimary,
       coalesce((SELECT a.attname FROM pg_attribute a
                 WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]), ''),
       coalesce(quote_ident(con.conname), ''), coalesce(con.condeferrable, false),
       coalesce(refs.names, '{}'),
       coalesce(con.contype::text, ''), coalesce(con.condeferred, false),
       coalesce(pg_get_constraintdef(con.oid), ''),
       array(SELECT coalesce(quote_ident(a.attname), '')
             FROM generate_series(0, i.indnkeyatts - 1) AS k(n)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.n] AND a.attnum > 0
             ORDER BY k.n)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_constraint con
       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('u', 'p', 'x')
LEFT JOIN refs ON refs.conindid = i.indexrelid
WHERE i.indrelid = ANY ($1::oid[])
ORDER BY i.indrelid, ic.relname`

// foreignKeysSQL lists the foreign keys on both sides of the tables $1:
// the table's oid, whether the key references it (incoming) or is its own,
// then the key, and the other side's schema and name raw and quoted.
const foreignKeysSQL = `
SELECT s.oid, s.incoming, quote_ident(f.conname), f.confdeltype::text, pg_get_constraintdef(f.oid),
       cn.nspname, cc.relname, quote_ident(cn.nspname) || '.' || quote_ident(cc.relname) AS other
FROM (SELECT f.oid AS fk, f.confrelid AS oid, true AS incoming, f.conrelid AS other
      FROM pg_constraint f WHERE f.contype = 'f' AND f.conparentid = 0 AND f.confrelid = ANY ($1::oid[])
      UNION ALL
      SELECT f.oid, f.conrelid, false, f.confrelid
      FROM pg_constraint f WHERE f.contype = 'f' AND f.conparentid = 0 AND f.conrelid = ANY ($1::oid[])) AS s
JOIN pg_constraint f ON f.oid = s.fk
JOIN pg_class cc ON cc.oid = s.other
JOIN pg_namespace cn ON cn.oid = cc.relnamespace
ORDER BY s.oid, s.incoming DESC, other, 3`

const triggersSQL = `
SELECT t.tgrelid, quote_ident(t.tgname), pg_get_triggerdef(t.oid), t.tgtype, t.tgattr::int2[],
       quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
FROM pg_trigger t
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE t.tgrelid = ANY ($1::oid[]) AND NOT t.tgisinternal
ORDER BY t.tgrelid, t.tgname`

const viewsSQL = `
SELECT DISTINCT d.refobjid, quote_ident(vn.nspname) || '.' || quote_ident(v.relname), v.relkind = 'm',
       pg_get_viewdef(v.oid)
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.refobjid = ANY ($1::oid[]) AND v.oid <> d.refobjid AND v.relkind IN ('v', 'm')
ORDER BY 1, 2`

// functionsSQL lists the SQL and PL/pgSQL functions and procedures a user
// wrote (not the system's, not an extension's, not softdelete-proxy's own in
// schema softdelete) with their full definition.
const functionsSQL = `
SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname)
           || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       l.lanname, pg_get_functiondef(p.oid)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('sql', 'plpgsql') AND p.prokind IN ('f', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND n.nspname <> '` + ownSchema + `'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
ORDER BY 1`

// schemaSQL says whether schema $1 exists and PUBLIC has USAGE on it.
const schemaSQL = `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
       coalesce((SELECT has_schema_privilege('public', oid, 'USAGE') FROM pg_namespace WHERE nspname = $1), false)`
