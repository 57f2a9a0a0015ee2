// Package rewrite turns SQL into SQL so that, through the proxy, soft-deleted
// rows look deleted. It is pure: text, a *Policy and a *Session go in; the
// rewritten text and a description of each statement (command-tag mapping,
// SET/PREPARE/EXECUTE effects, transaction statements, statements whose
// effect on settings or the catalog the text does not tell) come out as a
// Result. It never touches a
// socket; proxy/ applies the Result to the wire.
//
// # Layers
//
//	Rewrite(sql, policy, session)
//	  │
//	  ├─ exact cache (cache.go)         byte-bounded LRU keyed by text, policy
//	  │                                 version, search_path, user, shadows,
//	  │                                 visibility, the hard-delete right and
//	  │                                 the lexing settings.
//	  ├─ scan (precheck.go, lexer.go)   one allocation-free pass of a Go tokenizer:
//	  │                                 does any identifier equal a managed table's
//	  │                                 bare name? does a statement start with a
//	  │                                 verb the proxy follows (SET, RESET, SHOW,
//	  │                                 DISCARD, PREPARE, EXECUTE, DEALLOCATE,
//	  │                                 BEGIN, START, COMMIT, END, ROLLBACK, ABORT,
//	  │                                 SAVEPOINT, RELEASE) or one that may change
//	  │                                 the catalog (CREATE, DROP, ALTER, IMPORT,
//	  │                                 DO)? is set_config named? where are the
//	  │                                 literals? None → passthrough, nothing is
//	  │                                 parsed.
//	  ├─ server lexing (modes.go,       with standard_conforming_strings off or a
//	  │  encoding.go)                   client encoding other than UTF8, a text
//	  │                                 the server would lex differently is lexed
//	  │                                 its way, then passed unchanged or refused.
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
//     Session.User, which is current_user: it follows SET ROLE and SET
//     SESSION AUTHORIZATION) in PostgreSQL's order: the session's temporary
//     schema and pg_catalog first unless the path lists them (no managed
//     table lives there, but a shadow may). The first schema of the path
//     that has a managed table of that name wins, unless Session.Shadows
//     (the catalog's unmanaged relations of a managed name, temporary ones
//     under pg_temp, which the proxy learns per session) lists one in an
//     earlier schema: then the name is that relation, as in PostgreSQL, and
//     is not filtered. CTE names shadow tables (never a DML target).
//   - That resolution is binding: every unqualified reference to a managed
//     bare name that resolves (FROM items, DML targets, COPY, TRUNCATE,
//     LOCK, TABLE t, MERGE) is written schema-qualified with the schema it
//     resolved to (pg_temp for a temporary shadow), so that the server reads
//     the relation the rewrite was made for even if its search_path changed
//     inside a function or DO block, or a temporary table or shadow appeared
//     since the proxy looked. `public.contacts` still answers to
//     `contacts.col`, so no alias is added. A managed bare name that
//     resolves to nothing the proxy knows stays as written.
//   - Visibility: Active (above); Deleted, the trash view: reads see only
//     trashed rows, UPDATE only touches them (SET deleted_at = NULL
//     restores), DELETE deletes forever if Session.CanHardDelete, else
//     SQLSTATE 42501; All: reads see every row, DELETE still trashes.
//   - A rewrite result is bound to the session state it was made for (the
//     cache key holds it); the proxy keeps, for a prepared statement, the
//     result of the visibility in force at PREPARE time (and refuses to run
//     it under another search_path, since PostgreSQL would resolve its names
//     again).
//   - SAVEPOINT, RELEASE and ROLLBACK TO are reported (Stmt.Savepoint), and
//     the other transaction statements (Stmt.Transaction: BEGIN, START
//     TRANSACTION, COMMIT, END, ROLLBACK, ABORT with AND CHAIN, PREPARE
//     TRANSACTION, COMMIT/ROLLBACK PREPARED), so the proxy can keep or undo
//     tracked SETs as the server does.
//   - Tracked settings (Stmt.Set): search_path, softdelete.*, role,
//     session_authorization, standard_conforming_strings and client_encoding
//     (SET NAMES), by SET/RESET, and by the plain statement
//     SELECT set_config('name', 'value', is_local) with constants (casts to
//     text or boolean, 'on'/'off' and the like, NULL as PostgreSQL takes
//     it). Any other call of a function named set_config whose name is
//     tracked or not a constant (in FROM, WHERE, VALUES, a CTE, a subquery,
//     beside other targets, as an argument, in CALL, INSERT … SELECT, UPDATE,
//     EXPLAIN ANALYZE, a cursor, PREPARE), an UPDATE of pg_settings (whose
//     rule calls set_config) and SET … FROM CURRENT make the statement
//     Stmt.Unsure: its effect depends on rows and values the
//     proxy does not know, so it learns its settings again. Statements
//     naming set_config are never served from a template.
//   - Stmt.CatalogChange reports statements that may create, drop, rename
//     or move (SET SCHEMA) a relation or schema, attach or detach a
//     partition or change inheritance: CREATE TABLE (TEMP, AS, PARTITION OF,
//     INHERITS), SELECT … INTO, CREATE [MATERIALIZED] VIEW, foreign tables,
//     IMPORT FOREIGN SCHEMA, CREATE SCHEMA, ALTER … RENAME, DROP of a
//     relation, schema or extension or any DROP … CASCADE, DROP OWNED,
//     extensions, rules, DO, DISCARD ALL/TEMP. DDL is parsed for this only:
//     it passes byte for byte (CREATE TABLE AS and SELECT INTO filter their
//     query as any read). SELECT … INTO is parsed only when its text names a
//     managed table: a table of another name cannot shadow one.
//   - Lexing as the server lexes (modes.go). With
//     standard_conforming_strings off (Session.NonStandardStrings) a
//     backslash escapes in plain '…' literals; a text with no backslash in
//     such a literal lexes alike and is rewritten as usual. In a client
//     encoding other than UTF8 (Session.ClientEncoding, the name the server
//     reports) pure ASCII text lexes alike; other text is lexed as the
//     server sees it after conversion, with the trailing bytes of each
//     multibyte character masked (as pg_encoding_mblen counts them) for
//     SJIS, BIG5, GBK, UHC, GB18030, JOHAB and SHIFT_JIS_2004, whose
//     trailing bytes may be ASCII. Such a text is passed unchanged when the
//     server's lexing finds no managed name and no statement the proxy
//     follows (DDL alone passes: names are bound anyway), and is otherwise
//     refused with SQLSTATE 0A000 and a hint (SET standard_conforming_strings
//     = on or E'…' strings; client_encoding UTF8). A policy with non-ASCII
//     names is known in UTF8 only: in another client encoding, a text naming
//     a managed table is refused.
//
// Not rewritten: views, functions, rules and triggers (they run inside the
// server; policy's check reports them), DO blocks, CREATE VIEW and
// CREATE MATERIALIZED VIEW bodies, DDL. set_config() is followed only in
// its plain form; elsewhere it makes the statement Unsure. Functions that
// change settings or create relations inside the server are not seen; the
// qualification above keeps every rewritten name bound as resolved.
package rewrite
