// Package proxy is the wire-protocol half of softdelete-proxy: it accepts
// PostgreSQL clients, connects each to its own upstream PostgreSQL session and
// relays protocol messages between them.
//
// Layers, from the socket up:
//
//	client socket ─ TLS (optional, terminated here) ─ pgproto3.Backend ─┐
//	                                                                   session ── rewrite hooks (package rewrite, via the caller)
//	upstream socket ─ TLS (sslmode) ─────────────────  pgproto3.Frontend ─┘
//
// The life of a connection (session.run):
//
//  1. handshake: startup packets are read without read-ahead (readStartupPacket)
//     so that SSLRequest can switch the socket to TLS safely. SSLRequest is
//     answered 'S' when a certificate is configured, 'N' otherwise;
//     GSSENCRequest 'N'. A CancelRequest is served and the socket closed.
//     Replication connections are refused.
//  2. connectUpstream: a fresh upstream connection per client (no pooling),
//     TLS as upstream_tls.mode says, then the client's StartupMessage with all
//     its parameters.
//  3. authenticate: the exchange is relayed untouched; SCRAM-SHA-256-PLUS is
//     removed from the offered mechanisms because channel binding cannot
//     survive a TLS-terminating proxy.
//  4. relay: two goroutines, clientLoop and serverLoop, one per direction.
//     Messages are decoded by pgproto3 and re-encoded into a per-socket buffer
//     (msgWriter) that is flushed at the protocol's synchronisation points
//     (client side) or when the reader has nothing more buffered (server
//     side). BackendKeyData is replaced by the proxy's own key (cancelKeys),
//     so a CancelRequest can only reach the backend of the client that holds
//     the key.
//  5. close: both sockets are closed exactly once (session.close), the
//     upstream after a Terminate.
//
// Rewriting (Config.Rewriting; files rw*.go, settings.go, probe.go): after
// authentication a probe query learns the session's search_path, its
// GRANTed policy roles and the relations named like managed tables. The
// client loop then hands every Query and Parse to the rewrite engine and
// queues, per expected ReadyForQuery, a unit saying what each
// CommandComplete must read (UPDATE n -> DELETE n) and which SETs it
// confirms; the server loop applies the units in order. A refusal is sent
// upstream as a sentinel statement the server rejects, and the server's
// error is swapped for the refusal, so it arrives in order and aborts a
// transaction like any error. settings mirrors the tracked settings with
// PostgreSQL's transaction and savepoint semantics; rwsafety refuses what
// the server would resolve differently from the rewrite (a prepared
// statement run under another search_path, a SET followed by managed
// statements in one string).
//
// Faults: a malformed or oversized client message gets FATAL 08P01 and the
// session ends; an unreachable upstream gets FATAL 08006 naming the address;
// a client that goes away is normal and logged at debug. Nothing in one
// session can affect another.
//
// Shutdown stops the listeners, closes each session as soon as it is idle
// (ReadyForQuery 'I' with no request pending), and after the caller's
// deadline closes the rest with FATAL 57P01.
package proxy
