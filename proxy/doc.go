// Package proxy is the wire-protocol half of softdelete-proxy: it accepts
// PostgreSQL clients, connects each to its own upstream PostgreSQL session
// and relays the frames between them.
//
// Layers, from the socket up:
//
//	client socket ─ TLS (optional, ends here) ─ wire.Reader/Writer ─┐
//	                                                                frames.go ── tracker.Session ── rewrite
//	upstream socket ─ TLS (sslmode) ────────── wire.Reader/Writer ─┘
//
// What each layer does:
//
//   - proxy/wire reads and writes frames (type, length, body) as bytes.
//     Memory follows the bytes that arrive, not the length a frame
//     declares; frames above 256 KiB are streamed, not held.
//   - frames.go decides, for one frame, what the other side gets: the same
//     bytes (almost always), a replacement, nothing (a reply to the proxy's
//     own query), or "wait". Only the frames the proxy must read are
//     decoded, with pgproto3; a frame is re-encoded only when it changes.
//   - proxy/tracker is the socket-free model of the session: which request
//     each reply answers, the settings and statements in force, the rewrite
//     of each statement, the refusals (see its doc.go).
//
// The life of a connection (session.run):
//
//  1. handshake (handshake.go, startup.go): startup packets are read
//     without read-ahead, so that SSLRequest can switch the socket to TLS
//     safely. SSLRequest is answered 'S' when a certificate is configured,
//     'N' otherwise; GSSENCRequest 'N'. A CancelRequest is served and the
//     socket closed (cancel.go). A packet of a bad length closes the
//     connection without a word, as PostgreSQL does; one the proxy cannot
//     read goes to the server, whose answer is relayed. Replication
//     connections are refused.
//  2. connectUpstream (upstream.go): a fresh upstream connection per client
//     (no pooling), TLS as upstream_tls.mode says (prefer mirrors the
//     client's leg), then the client's StartupMessage with its parameters.
//  3. authenticate (auth.go): the exchange is relayed as frames, capped at
//     PostgreSQL's own pre-authentication limit; SCRAM-SHA-256-PLUS is
//     removed from the offered mechanisms because channel binding cannot
//     survive a TLS-terminating proxy. At AuthenticationOk the tracker
//     starts, and when the policy manages tables the proxy's own queries
//     (the session probe, and once per database the policy's resolution)
//     go upstream at once, without holding the client's ReadyForQuery.
//  4. relay: a session with TLS on neither leg moves to an event loop
//     (loop.go, loopsession.go: epoll, one read per readiness, one write
//     per batch, backpressure at 256 KiB); one with TLS gets a goroutine
//     per direction (relay.go), flushing whenever nothing more is buffered
//     from the side it reads. BackendKeyData is replaced by the proxy's own
//     key, so a CancelRequest can only reach the backend of the client that
//     holds the key.
//  5. finish (session.go): both sockets closed once, the upstream told
//     Terminate unless the client already said it; the session counted and
//     forgotten.
//
// Faults: a client frame the proxy cannot delimit, or a Query or Parse
// above max_message_size, gets FATAL 08P01 and the session ends; a frame
// type the proxy does not know goes to the server, which answers it; an
// unreachable upstream gets FATAL 08006 naming the address; a reply the
// tracker cannot place closes the session (08P01) rather than guess. A
// client that goes away is normal and logged at debug. Nothing in one
// session can affect another.
//
// Shutdown stops the listeners, closes each session as soon as it is idle
// (nothing unanswered and not in a transaction, which a session that never
// ran a query is), concurrently and without waiting on a client that does
// not read, and after the caller's deadline closes the rest with FATAL
// 57P01.
package proxy
