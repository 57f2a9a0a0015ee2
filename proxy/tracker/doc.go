// Package tracker is the proxy's model of one PostgreSQL session, as seen on
// the wire: socket-free, fed one frame at a time, so every rule can be
// tested message by message.
//
//	client loop ── Frontend(frame) ─┐                ┌─ Backend(frame) ── server loop
//	                                 ▼                ▼
//	        ┌──────────────── Session (one lock) ─────────────────┐
//	        │ queue     the frames the server has yet to answer   │
//	        │ srv       ignoring till Sync? in COPY? tx status    │
//	        │ conf/pred settings as confirmed / as predicted      │
//	        │ defs      statements and portals, confirmed+pending │
//	        │ facts     what the probe learned (roles, shadows)   │
//	        └──────────────────────────────────────────────────────┘
//	                         │ Rewriter.Rewrite(text, policy, session)
//	                         ▼
//	                      package rewrite
//
// # Replies
//
// The queue replays how PostgreSQL reads frames (queue.go): after an
// extended-protocol error everything up to Sync is discarded unanswered,
// COPY FROM STDIN ignores Sync and Flush, a Query answers with one result
// per statement and one ReadyForQuery. So every CommandComplete,
// ErrorResponse and ReadyForQuery is matched to the request it answers:
// the tag of a rewritten DELETE reads DELETE n, a refused statement's
// error is the refusal, and the session is idle exactly when nothing sent
// is unanswered (shutdown closes idle sessions). A reply the model cannot
// place is a DesyncError: a rewriting session is closed rather than guess.
//
// # Settings: predicted and confirmed
//
// A frame is rewritten under the settings the server will have when it
// reads it. conf holds what the server confirmed (a SET's CommandComplete,
// the tag of COMMIT or ROLLBACK, ReadyForQuery's status, ParameterStatus);
// pred adds what the frames sent since will do if they succeed (a SET's
// Execute changes how the next Parse of the same batch is read). Within one
// batch (the frames up to a ReadyForQuery) a wrong prediction is harmless:
// after an error the server discards the rest. Across batches it is not, so a
// batch whose outcome decides what later batches mean (a SET, a transaction
// statement while SETs are pending, a savepoint, PREPARE or DEALLOCATE, a
// catalog change, a set_config the text cannot tell, a FunctionCall) is a
// barrier: the next batch's first frame waits for its ReadyForQuery. A Bind
// or Execute that names a statement or portal whose definition is still in
// flight in an earlier batch waits the same way.
//
// # What the proxy asks the server
//
// When the policy manages tables, the proxy sends a query of its own right
// after authentication (facts.go): the search_path, visibility and role as
// the server has them (ALTER ROLE … SET and startup options included) with
// their RESET values, the session user, its GRANTed policy roles, and the
// relations named like a managed table. Its replies never reach the client;
// the client's ReadyForQuery is not held for it, and only a statement text
// waits for the answer. After a statement whose effect the text does not
// tell (a computed set_config, a FunctionCall, SET SESSION AUTHORIZATION) or
// that changes the catalog, the proxy asks again before the next batch.
//
// # What is refused (rules.go, and the rewrite's own refusals)
//
// A prepared statement run under another search_path than it was rewritten
// under, or prepared before a policy change that rewrites it differently;
// a SET (or a catalog change) followed in the same query string by
// statements on managed tables; an unknown softdelete.visibility value; any
// statement on a managed table while the session's facts are unknown. A
// refused statement is sent as RefusedSentinel, which the server answers
// with an error in order with everything else; Backend swaps that error for
// the refusal, so a refusal aborts a transaction exactly as a server error.
package tracker
