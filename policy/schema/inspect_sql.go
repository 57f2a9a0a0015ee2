package schema

// The catalog queries of Inspect. Every name that may end up in generated
// DDL or in a message is quoted by the server's quote_ident.

const databaseSQL = `SELECT current_database(), current_setting('server_version_num')::int`

const quoteSQL = `SELECT x, quote_ident(x) FROM unnest($1::text[]) AS u(x)`

const relationSQL = `
SELECT c.oid, c.relkind::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2`

const columnsSQL = `
SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), bt.oid,
       bt.typcategory::text, a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

const indexesSQL = `
SELECT quote_ident(ic.relname), pg_get_indexdef(i.indexrelid),
       coalesce(pg_get_expr(i.indpred, i.indrelid), ''), i.indisunique, i.indisprimary,
       coalesce((SELECT a.attname FROM pg_attribute a
                 WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]), ''),
       coalesce(quote_ident(con.conname), ''), coalesce(con.condeferrable, false),
       coalesce((SELECT array_agg(quote_ident(f.conname) || ' on ' || quote_ident(fn.nspname) || '.'
                                  || quote_ident(fc.relname) ORDER BY 1)
                 FROM pg_constraint f
                 JOIN pg_class fc ON fc.oid = f.conrelid
                 JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                 WHERE f.contype = 'f' AND f.conindid = i.indexrelid AND f.conparentid = 0),
                '{}'),
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
WHERE i.indrelid = $1
ORDER BY ic.relname`

// foreignKeysSQL lists foreign keys on one side of a table: %s is conrelid
// (the table's own keys) or confrelid (keys that reference it); the other
// side's schema and name come back raw and quoted.
const foreignKeysSQL = `
SELECT quote_ident(f.conname), f.confdeltype::text, pg_get_constraintdef(f.oid),
       cn.nspname, cc.relname, quote_ident(cn.nspname) || '.' || quote_ident(cc.relname)
FROM pg_constraint f
JOIN pg_class cc ON cc.oid = CASE WHEN $2 THEN f.conrelid ELSE f.confrelid END
JOIN pg_namespace cn ON cn.oid = cc.relnamespace
WHERE f.contype = 'f' AND f.conparentid = 0
  AND CASE WHEN $2 THEN f.confrelid ELSE f.conrelid END = $1
ORDER BY 6, 1`

const triggersSQL = `
SELECT quote_ident(t.tgname), pg_get_triggerdef(t.oid), t.tgtype, t.tgattr::int2[],
       quote_ident(pn.nspname) || '.' || quote_ident(p.proname)
FROM pg_trigger t
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE t.tgrelid = $1 AND NOT t.tgisinternal
ORDER BY t.tgname`

const viewsSQL = `
SELECT DISTINCT quote_ident(vn.nspname) || '.' || quote_ident(v.relname), v.relkind = 'm',
       pg_get_viewdef(v.oid)
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class
JOIN pg_namespace vn ON vn.oid = v.relnamespace
WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.refobjid = $1 AND v.oid <> $1 AND v.relkind IN ('v', 'm')
ORDER BY 1`

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
