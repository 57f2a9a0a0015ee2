package proxy

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// wireConn is a hand-driven protocol client, for the sequences no driver
// sends on demand (a Query before Sync, COPY in the extended protocol, an
// Execute with a row limit …). Each reply is summarised as one line, so a
// sequence's answer through the proxy can be compared with PostgreSQL's.
type wireConn struct {
	t    testing.TB
	conn net.Conn
	fe   *pgproto3.Frontend
	pid  uint32
}

// openWire connects to the server or proxy of url (trust authentication)
// with url's user, database and runtime parameters, and reads until the
// first ReadyForQuery.
func openWire(t testing.TB, url string) *wireConn {
	t.Helper()
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &wireConn{t: t, conn: conn, fe: pgproto3.NewFrontend(conn, conn)}
	params := map[string]string{"user": cfg.User, "database": cfg.Database}
	for k, v := range cfg.RuntimeParams {
		params[k] = v
	}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	for {
		m := c.receive()
		switch m := m.(type) {
		case *pgproto3.AuthenticationOk, *pgproto3.ParameterStatus, *pgproto3.NoticeResponse:
		case *pgproto3.BackendKeyData:
			c.pid = m.ProcessID
		case *pgproto3.ReadyForQuery:
			return c
		default:
			t.Fatalf("startup: unexpected %T %+v", m, m)
		}
	}
}

// send writes msgs in one write.
func (c *wireConn) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	var buf []byte
	for _, m := range msgs {
		var err error
		if buf, err = m.Encode(buf); err != nil {
			c.t.Fatal(err)
		}
	}
	_ = c.conn.SetWriteDeadline(time.Now().Add(15 * time.Second))
	if _, err := c.conn.Write(buf); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *wireConn) receive() pgproto3.BackendMessage {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	m, err := c.fe.Receive()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	return m
}

// readUntilReady reads replies up to the n-th ReadyForQuery and returns
// them summarised (see summarize).
func (c *wireConn) readUntilReady(n int) []string {
	c.t.Helper()
	var out []string
	for n > 0 {
		m := c.receive()
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			n--
		}
		if s := summarize(m); s != "" {
			out = append(out, s)
		}
	}
	return sortCopyData(out)
}

// run sends msgs and reads up to the n-th ReadyForQuery.
func (c *wireConn) run(n int, msgs ...pgproto3.FrontendMessage) []string {
	c.t.Helper()
	c.send(msgs...)
	return c.readUntilReady(n)
}

// query runs one simple Query and returns its replies.
func (c *wireConn) query(sql string) []string {
	c.t.Helper()
	return c.run(1, &pgproto3.Query{String: sql})
}

// summarize renders a reply as one comparable line ("" for replies that
// differ between sessions by nature: ParameterStatus, notices' details).
func summarize(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ParseComplete:
		return "ParseComplete"
	case *pgproto3.BindComplete:
		return "BindComplete"
	case *pgproto3.CloseComplete:
		return "CloseComplete"
	case *pgproto3.NoData:
		return "NoData"
	case *pgproto3.EmptyQueryResponse:
		return "EmptyQueryResponse"
	case *pgproto3.PortalSuspended:
		return "PortalSuspended"
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs)
	case *pgproto3.RowDescription:
		names := make([]string, len(m.Fields))
		for i, f := range m.Fields {
			names[i] = string(f.Name)
		}
		return "RowDescription " + strings.Join(names, ",")
	case *pgproto3.DataRow:
		return "DataRow " + joinRaw(m.Values)
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		return "ErrorResponse " + m.Code + " " + m.Message
	case *pgproto3.NoticeResponse:
		return "NoticeResponse " + m.Code + " " + m.Message
	case *pgproto3.CopyInResponse:
		return "CopyInResponse"
	case *pgproto3.CopyOutResponse:
		return "CopyOutResponse"
	case *pgproto3.CopyData:
		return "CopyData " + strings.TrimSuffix(string(m.Data), "\n")
	case *pgproto3.CopyDone:
		return "CopyDone"
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ParameterStatus:
		return ""
	}
	return fmt.Sprintf("%T", m)
}

// sortCopyData orders each run of CopyData lines (COPY … TO emits a
// table's rows in storage order, which two databases need not share).
func sortCopyData(lines []string) []string {
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], "CopyData ") {
			j++
		}
		sort.Strings(lines[i:j])
		i = j + 1
	}
	return lines
}

// extended returns the frames that run sql once in the extended protocol
// (unnamed statement and portal, text parameters), without a Sync.
func extended(sql string, args ...string) []pgproto3.FrontendMessage {
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = []byte(a)
	}
	return []pgproto3.FrontendMessage{
		&pgproto3.Parse{Query: sql},
		&pgproto3.Bind{Parameters: params},
		&pgproto3.Execute{},
	}
}

// frames concatenates frame lists.
func frames(parts ...[]pgproto3.FrontendMessage) []pgproto3.FrontendMessage {
	var out []pgproto3.FrontendMessage
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// msgs makes a frame list of single frames.
func msgs(m ...pgproto3.FrontendMessage) []pgproto3.FrontendMessage { return m }

// readUntil reads replies up to the first whose summary starts with
// prefix, and returns them summarised.
func (c *wireConn) readUntil(prefix string) []string {
	c.t.Helper()
	var out []string
	for {
		s := summarize(c.receive())
		if s != "" {
			out = append(out, s)
		}
		if strings.HasPrefix(s, prefix) {
			return out
		}
	}
}

// readAfter sends m and reads replies up to the first whose summary
// starts with prefix.
func (c *wireConn) readAfter(m pgproto3.FrontendMessage, prefix string) []string {
	c.t.Helper()
	c.send(m)
	return c.readUntil(prefix)
}
