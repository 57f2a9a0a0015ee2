package schema

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The objects of foreign keys and keys (fk_objects.go, keys.go) follow the
// catalog: a key or foreign key added, dropped or changed after migrate ran
// leaves them wrong, though each one that is there is current. The proxy
// does not read the whole catalog (it asks GuardStatusSQL), so migrate
// stamps each managed table with a digest of the catalog rows those
// objects are made from, and the proxy and check compare the stamp with
// the digest the catalog gives now:
//
//   - the table's unique indexes and exclusion constraints (pg_index and
//     the pg_constraint row each backs), with their columns' names and types;
//   - the foreign keys on either side of it (pg_constraint, clones on
//     partitions left out), with both tables' names and the columns' names
//     and types.
//
// A foreign key's oid is part of its row, so one dropped and made again
// changes the digest; an index's oid is not, since REINDEX CONCURRENTLY
// gives it a new one. The digest reads no name through search_path (no regclass
// output, no pg_get_*def), so every session computes the same one.
//
// The stamp lives in the version comment of the table's softdelete_privilege
// trigger ('softdelete-proxy <fingerprint> catalog <digest>'), written by
// migrate once the table's other objects are in place (a gate, batch.go):
// the digest is taken by the server when the comment is written, after
// migrate has rebuilt the table's keys.

// stampTrigger carries a managed table's stamp.
const stampTrigger = privilegeTrigger

// stampMarker separates the fingerprint from the digest in a comment.
const stampMarker = " catalog "

// digestRowsSQL lists (keyrel, x): the catalog rows behind each relation keyrel
// that in (an SQL condition on a relation's oid, such as "= $1") admits,
// as text. A relation's digest is digestOf over its rows.
func digestRowsSQL(in string) string {
	return strings.ReplaceAll(digestRowsTemplate, "{in}", in)
}

// digestOf aggregates the x of digestRowsSQL's rows into a digest: 32 hex
// digits, that of no rows for a relation without keys or foreign keys.
const digestOf = `pg_catalog.md5(coalesce(pg_catalog.string_agg(d.x, E'\n' ORDER BY d.x COLLATE "C"), ''))`

const digestRowsTemplate = `
  SELECT i.indrelid AS keyrel, 'key ' || (to_jsonb(i.*) - 'indexrelid' - 'indisclustered' - 'indcheckxmin' - 'indisreplident')::text
         || ' ' || ic.relname::text || CASE WHEN k.oid IS NULL THEN '' ELSE ' ' || (to_jsonb(k.*) - 'conindid' - 'convalidated')::text END
         || ' ' || coalesce((
           SELECT pg_catalog.string_agg(a.attnum || ' ' || a.attname::text || ' ' || a.atttypid || ' ' || a.atttypmod, ',' ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])), '') AS x
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
  WHERE i.indrelid {in} AND (i.indisunique OR k.contype = 'x')
  UNION ALL
  SELECT f.keyrel, 'fkey ' || (to_jsonb(k.*) - 'conindid' - 'convalidated')::text
         || ' ' || cn.nspname::text || '.' || cc.relname::text || ' ' || cc.relkind::text
         || ' ' || pn.nspname::text || '.' || pc.relname::text || ' ' || pc.relkind::text || ' ' || coalesce((
           SELECT pg_catalog.string_agg(a.attrelid || ' ' || a.attnum || ' ' || a.attname::text || ' ' || a.atttypid || ' ' || a.atttypmod, ',' ORDER BY a.attrelid, a.attnum)
           FROM pg_catalog.pg_attribute a
           WHERE (a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)) OR (a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey))), '')
  FROM pg_catalog.pg_constraint k
  CROSS JOIN LATERAL (VALUES (k.conrelid), (NULLIF(k.confrelid, k.conrelid))) AS f(keyrel)
  JOIN pg_catalog.pg_class cc ON cc.oid = k.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
  JOIN pg_catalog.pg_class pc ON pc.oid = k.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
  WHERE k.contype = 'f' AND k.conparentid = 0 AND f.keyrel {in}`

// digestOfNone is digestOf over no rows.
const digestOfNone = `pg_catalog.md5('')`

// digestsSQL is the digest of each relation of $1. The rows are gathered
// once (MATERIALIZED): the planner cannot know how many relations $1 or
// GuardStatusSQL's tables hold, and a nested loop over them would gather
// every relation's rows for each.
var digestsSQL = `WITH dg AS MATERIALIZED (SELECT d.keyrel, ` + digestOf + ` AS digest
    FROM (` + digestRowsSQL("= ANY ($1::pg_catalog.oid[])") + `) AS d GROUP BY d.keyrel)
SELECT u.oid, coalesce(dg.digest, ` + digestOfNone + `)
FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS u(oid) LEFT JOIN dg ON dg.keyrel = u.oid`

// loadDigests sets each table's CatalogDigest.
func loadDigests(ctx context.Context, q Querier, set tableSet) error {
	rows, err := q.Query(ctx, digestsSQL, set.oids())
	if err != nil {
		return err
	}
	var oid uint32
	var digest string
	_, err = pgx.ForEachRow(rows, []any{&oid, &digest}, func() error {
		t, err := set.at(oid)
		if err == nil {
			t.CatalogDigest = digest
		}
		return err
	})
	return err
}

// fnStamp writes a table's stamp: migrate calls it for each managed table
// once the table's objects are in place.
const fnStamp = "stamp"

// stampArgs are fnStamp's arguments, as pg_get_function_identity_arguments
// prints them.
const stampArgs = "rel regclass, trig text, fingerprint text"

// stampObject is fnStamp, installed with the guard's functions. It runs
// with search_path = pg_catalog, so rel prints schema-qualified.
func (c *Catalog) stampObject() Object {
	return c.functionObject(fnStamp, stampArgs,
		"writes a managed table's catalog stamp (a digest of its keys and foreign keys) into the version comment of its "+stampTrigger+" trigger",
		"RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp",
		"\nBEGIN\n    EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', trig, rel,\n        '"+versionPrefix+"' || fingerprint || '"+stampMarker+"' || (SELECT "+
			digestOf+" FROM ("+digestRowsSQL("= rel::oid")+") AS d));\nEND\n")
}

// stampSQL writes o's version comment with the digest the server computes
// for its table now (o is the table's stampTrigger).
func (o Object) stampSQL() string {
	return "SELECT " + o.stampFn + "(" + quoteLiteral(o.stampOf) + ", " + quoteLiteral(stampTrigger) + ", " +
		quoteLiteral(o.Fingerprint()) + ");"
}

// parseComment reads a version comment: the fingerprint and the stamp, ""
// for what it does not have.
func parseComment(comment string) (fingerprint, stamp string) {
	rest, ok := strings.CutPrefix(comment, versionPrefix)
	if !ok {
		return "", ""
	}
	fp, digest, stamped := strings.Cut(rest, stampMarker)
	if strings.ContainsAny(fp, " \n") || stamped && (len(digest) != 32 || strings.Trim(digest, "0123456789abcdef") != "") {
		return "", ""
	}
	return fp, digest
}
