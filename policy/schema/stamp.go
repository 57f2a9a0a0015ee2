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

// catalogDigestSQL is the digest of the catalog rows behind relation rel
// (an SQL expression of type oid): 32 hex digits.
func catalogDigestSQL(rel string) string {
	return strings.ReplaceAll(catalogDigestTemplate, "{rel}", "("+rel+")")
}

const catalogDigestTemplate = `pg_catalog.md5(coalesce((SELECT pg_catalog.string_agg(d.x, E'\n' ORDER BY d.x COLLATE "C") FROM (
  SELECT 'key ' || (to_jsonb(i.*) - 'indexrelid' - 'indisclustered' - 'indcheckxmin' - 'indisreplident')::text || ' ' || ic.relname::text
         || CASE WHEN k.oid IS NULL THEN '' ELSE ' ' || (to_jsonb(k.*) - 'conindid' - 'convalidated')::text END || ' ' || coalesce((
           SELECT pg_catalog.string_agg(a.attnum || ' ' || a.attname::text || ' ' || a.atttypid || ' ' || a.atttypmod, ',' ORDER BY a.attnum)
           FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])), '')
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
  WHERE i.indrelid = {rel} AND (i.indisunique OR k.contype = 'x')
  UNION ALL
  SELECT 'fkey ' || (to_jsonb(k.*) - 'conindid' - 'convalidated')::text
         || ' ' || cn.nspname::text || '.' || cc.relname::text || ' ' || cc.relkind::text
         || ' ' || pn.nspname::text || '.' || pc.relname::text || ' ' || pc.relkind::text || ' ' || coalesce((
           SELECT pg_catalog.string_agg(a.attrelid || ' ' || a.attnum || ' ' || a.attname::text || ' ' || a.atttypid || ' ' || a.atttypmod, ',' ORDER BY a.attrelid, a.attnum)
           FROM pg_catalog.pg_attribute a
           WHERE (a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)) OR (a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey))), '')
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class cc ON cc.oid = k.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
  JOIN pg_catalog.pg_class pc ON pc.oid = k.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
  WHERE k.contype = 'f' AND k.conparentid = 0 AND (k.conrelid = {rel} OR k.confrelid = {rel})
) AS d(x)), ''))`

// digestsSQL is the digest of each relation of $1.
var digestsSQL = `SELECT u.oid, ` + catalogDigestSQL("u.oid") + ` FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS u(oid)`

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
		"\nBEGIN\n    EXECUTE format('COMMENT ON TRIGGER %I ON %s IS %L', trig, rel,\n        '"+versionPrefix+"' || fingerprint || '"+stampMarker+"' || "+
			catalogDigestSQL("rel::oid")+");\nEND\n")
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
