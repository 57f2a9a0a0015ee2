// Package rewrite turns SQL into SQL so that, through the proxy, soft-deleted
// rows look deleted. It is pure: text, a *Policy and a *Session go in; the
// rewritten text and a description of each statement (command-tag mapping,
// SET/PREPARE/EXECUTE effects) come out as a Result. It never touches a
// socket; proxy/ applies the Result to the wire.
//
// # Layers
//
//	Rewrite(sql, policy, session)
//	  │
//	  ├─ scan (precheck.go, lexer.go)   one allocation-free pass of a Go tokenizer:
//	  │                                 does any identifier equal a managed table's
//	  │                                 bare name? does a statement start with SET,
//	  │                                 RESET, SHOW, PREPARE, EXECUTE, DEALLOCATE,
//	  │                                 DISCARD? where are the literals? Neither
//	  │                                 → passthrough, nothing is parsed.
//	  ├─ exact cache (cache.go)         byte-bounded LRU keyed by text, policy
//	  │                                 version, search_path, user, visibility,
//	  │                                 the hard-delete right and the shadows.
//	  ├─ template cache (template.go)   same key with every literal replaced by a
//	  │                                 marker: `… id = 41` and `… id = 42` share
//	  │                                 one parse; the new literals are put back
//	  │                                 into the cached rewritten text.
//	  └─ cold path (rewriter.go)        pg_query parse → walker → splice.
//	       parse.go                     parses with comments blanked out (same
//	                                    offsets): libpg_query makes comments
//	                                    tokens, which breaks NOT /* c */ IN and
//	                                    the like (libpg_query issue #365).
//	       walker (walker.go, walk.go)  visits every statement and subquery with
//	                                    its CTE scope, decides per table reference
//	                                    where its filter goes, records edits.
//	       visit_gen.go                 the one tree visitor (walk, node
//	                                    locations, template constants), generated
//	                                    from pg_query_go's types by
//	                                    internal/genvisit: every field of every
//	                                    node type, none listed by hand.
//	       clauses.go, relation.go      find the tokens around a node: the WHERE
//	                                    of a SELECT, the ON of a join, the alias of
//	                                    a table, by scanning tokens at the
//	                                    statement's nesting depth.
//	       select.go from.go dml.go insert.go merge.go utility.go session.go stmt.go
//	                                    the semantics, one statement kind each.
//
// # Splicing, not deparsing
//
// The tree from github.com/pganalyze/pg_query_go/v6 is only read. Changes are
// text edits at node locations (edits.go): an insertion (" WHERE …",
// ") AND t.deleted_at IS NULL", " SET deleted_at = now()") or the
// replacement of a few tokens (DELETE FROM → UPDATE, USING → FROM, a table
// name → a filtered derived table). Everything else stays byte for byte:
// formatting, comments (sqlcommenter tags), literal spelling, parameter
// numbers. This is cheaper than deparsing, keeps statements faithful, lets
// a template be cut at the literals, and avoids the C deparser's hazards
// (a RangeVar with an empty alias crashes the process, an empty WHERE node
// is silently dropped, zero enums mean IS NULL/AND, v6 wants the version
// field copied): no tree is ever built or deparsed, so none of them can
// arise. pg_query's deparser is only used as the benchmark baseline.
// Tests re-parse every output (golden files, the corpus, the fuzzer).
//
// Where a node's location does not say where a clause is, the splicer scans
// the tokens of the statement's own level (parentheses, brackets and
// CASE … END nest), where no expression can contain a clause keyword. When
// it cannot map a statement onto its text it refuses with SQLSTATE XX000
// rather than guess.
//
// # Semantics (managed table t, column deleted_at)
//
//   - Every read of t is filtered in its own scope as if t were
//     (SELECT * FROM t WHERE deleted_at IS NULL): in the WHERE of its SELECT
//     (existing conditions parenthesised, the predicate qualified with the
//     alias); in the ON clause when t is on the nullable side of an outer
//     join; as a filtered derived table under FULL JOIN, USING/NATURAL outer
//     joins, an alias with a column list, and as a MERGE source. Inside an
//     aliased join the filters stay inside (the alias hides the names).
//   - DELETE becomes UPDATE … SET deleted_at = now() (plus deleted_by and
//     reason columns) WHERE (…) AND deleted_at IS NULL; USING becomes FROM.
//     Stmt.ServerTag/ClientTag say "UPDATE"/"DELETE". UPDATE only touches
//     live rows. MERGE: trashed targets do not match, THEN DELETE trashes.
//     INSERT … ON CONFLICT (cols) infers with WHERE deleted_at IS NULL.
//     COPY t TO copies the live rows; TRUNCATE follows on_truncate.
//   - Unqualified names resolve through Session.SearchPath ("$user" is
//     Session.User; pg_catalog and pg_temp hold no managed table). The
//     first schema of the path that has a managed table of that name wins,
//     unless Session.Shadows (the catalog's unmanaged relations of a managed
//     name, which the proxy learns per session) lists one in an earlier
//     schema: then the name is that relation, as in PostgreSQL, and is left
//     alone. CTE names shadow tables.
//   - Visibility: Active (above); Deleted, the trash view: reads see only
//     trashed rows, UPDATE only touches them (SET deleted_at = NULL
//     restores), DELETE deletes forever if Session.CanHardDelete, else
//     SQLSTATE 42501; All: reads see every row, DELETE still trashes.
//   - A rewrite result is bound to the session state it was made for (the
//     cache key holds it); the proxy keeps, for a prepared statement, the
//     result of the visibility in force at PREPARE time (and refuses to run
//     it under another search_path, since PostgreSQL would resolve its names
//     again).
//   - SAVEPOINT, RELEASE and ROLLBACK TO are reported (Stmt.Savepoint) so
//     the proxy can undo tracked SETs made after a savepoint.
//
// Not rewritten: views, functions, rules and triggers (they run inside the
// server; policy's check reports them), DO blocks, CREATE VIEW and
// CREATE MATERIALIZED VIEW bodies, set_config() calls. Text is lexed with
// standard_conforming_strings on, as pg_query parses it.
package rewrite
