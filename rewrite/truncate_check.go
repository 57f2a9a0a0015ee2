package rewrite

// A soft TRUNCATE (on_truncate: soft) becomes an UPDATE, which PostgreSQL
// does not check the way it checks TRUNCATE: a table that a table outside
// the statement references cannot be truncated (0A000), whatever its rows.
// The rewritten UPDATE calls softdelete.truncate_check(the relations,
// whether each recurses) as a one-time filter, and the function raises
// PostgreSQL's own error for the pair of tables PostgreSQL would name: over
// the relations TRUNCATE would empty, in its order (each named one, then
// its partitions and children), and for each the referencing tables by
// oid, the first not among them. migrate installs it with the guard
// (policy/schema); its source lives here, next to the call.

// TruncateCheckName and TruncateCheckArgs name the function and its
// arguments as pg_get_function_identity_arguments spells them.
const (
	TruncateCheckName = "truncate_check"
	TruncateCheckArgs = "rels regclass[], recurse boolean[]"
	// TruncateCheckHeader follows the argument list in CREATE FUNCTION.
	TruncateCheckHeader = "RETURNS boolean LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp"
)

// TruncateCheckBody is the function's PL/pgSQL body.
const TruncateCheckBody = `
DECLARE
    list oid[] := '{}';
    rel oid;
    ref oid;
BEGIN
    FOR i IN 1 .. coalesce(array_length(rels, 1), 0) LOOP
        IF NOT rels[i]::oid = ANY (list) THEN
            list := list || rels[i]::oid;
        END IF;
        IF recurse[i] THEN
            list := list || ARRAY(
                WITH RECURSIVE d(oid, depth) AS (
                    SELECT inhrelid, 1 FROM pg_inherits WHERE inhparent = rels[i]::oid
                    UNION ALL
                    SELECT h.inhrelid, d.depth + 1 FROM pg_inherits h JOIN d ON h.inhparent = d.oid WHERE d.depth < 64)
                SELECT d.oid FROM d WHERE NOT d.oid = ANY (list) GROUP BY d.oid ORDER BY min(d.depth), d.oid);
        END IF;
    END LOOP;
    FOREACH rel IN ARRAY list LOOP
        SELECT c.conrelid INTO ref FROM pg_constraint c
        WHERE c.contype = 'f' AND c.confrelid = rel AND NOT c.conrelid = ANY (list)
        ORDER BY c.conrelid LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = '0A000',
                MESSAGE = 'cannot truncate a table referenced in a foreign key constraint',
                DETAIL = format('Table "%s" references "%s".', (SELECT relname FROM pg_class WHERE oid = ref),
                                (SELECT relname FROM pg_class WHERE oid = rel)),
                HINT = format('Truncate table "%s" at the same time, or use TRUNCATE ... CASCADE.',
                              (SELECT relname FROM pg_class WHERE oid = ref));
        END IF;
    END LOOP;
    RETURN true;
END
`
