package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Executing statements the way a client sees them, reduced to comparable
// values: one outcome per statement (tag, rows as text, SQLSTATE).

// protoMode is how a test client talks to the server.
type protoMode struct {
	name string
	mode pgx.QueryExecMode
}

// protoModes are the two protocols every soft-delete case runs in: the
// simple protocol (one Query message, several statements allowed) and pgx's
// default extended protocol with its statement cache (Parse once, then
// Bind/Execute by name).
var protoModes = []protoMode{
	{"simple", pgx.QueryExecModeSimpleProtocol},
	{"extended", pgx.QueryExecModeCacheStatement},
}

// outcome is what a client saw for one statement.
type outcome struct {
	Tag  string
	Rows []string // values joined by "|", NULL as ∅
	Code string   // SQLSTATE of the error, "" when it succeeded
	Msg  string   // the error's message (with its hint after " HINT: "), "" when it succeeded
}

func (o outcome) String() string {
	if o.Code != "" {
		return "ERROR " + o.Code
	}
	if o.Rows == nil {
		return o.Tag
	}
	return fmt.Sprintf("%s [%s]", o.Tag, strings.Join(o.Rows, "; "))
}

// connectMode connects with pgx in mode m.
func connectMode(t testing.TB, url string, m protoMode) *pgx.Conn {
	t.Helper()
	return connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
}

// runStmt executes one step: in the simple protocol the whole text as one Query
// (one outcome per statement it holds), in the extended protocol one
// statement through pgx.Conn.Query.
func runStmt(ctx context.Context, conn *pgx.Conn, m protoMode, sql string) []outcome {
	if m.mode == pgx.QueryExecModeSimpleProtocol {
		return runSimple(ctx, conn.PgConn(), sql)
	}
	return []outcome{runExtended(ctx, conn, sql)}
}

func runSimple(ctx context.Context, pc *pgconn.PgConn, sql string) []outcome {
	results, err := pc.Exec(ctx, sql).ReadAll()
	var out []outcome
	for _, r := range results {
		if r.Err != nil {
			break
		}
		o := outcome{Tag: r.CommandTag.String()}
		if r.FieldDescriptions != nil {
			o.Rows = []string{}
			for _, row := range r.Rows {
				o.Rows = append(o.Rows, joinRaw(row))
			}
		}
		out = append(out, o)
	}
	if err != nil {
		out = append(out, errOutcome(err))
	}
	return out
}

func runExtended(ctx context.Context, conn *pgx.Conn, sql string) outcome {
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		return errOutcome(err)
	}
	defer rows.Close()
	var o outcome
	if len(rows.FieldDescriptions()) > 0 {
		o.Rows = []string{}
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return errOutcome(err)
		}
		o.Rows = append(o.Rows, joinValues(vals))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errOutcome(err)
	}
	o.Tag = rows.CommandTag().String()
	return o
}

func joinRaw(row [][]byte) string {
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = "∅"
		if v != nil {
			parts[i] = string(v)
		}
	}
	return strings.Join(parts, "|")
}

func joinValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = "∅"
		if v != nil {
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, "|")
}

// codeOf is the SQLSTATE of err, or a marker naming a failure that is not a
// server error (a dropped connection, a decoding problem).
func codeOf(err error) string {
	if c := pgCode(err); c != "" {
		return c
	}
	return "client: " + err.Error()
}

// errOutcome is the outcome of a statement that failed with err.
func errOutcome(err error) outcome {
	o := outcome{Code: codeOf(err)}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		o.Msg = pgErr.Message
		if pgErr.Hint != "" {
			o.Msg += " HINT: " + pgErr.Hint
		}
	}
	return o
}

// copyOut runs COPY … TO STDOUT and returns one outcome with the lines.
func copyOut(ctx context.Context, pc *pgconn.PgConn, sql string) outcome {
	var buf bytes.Buffer
	tag, err := pc.CopyTo(ctx, &buf, sql)
	if err != nil {
		return errOutcome(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if buf.Len() == 0 {
		lines = []string{}
	}
	return outcome{Tag: tag.String(), Rows: lines}
}

// copyIn runs COPY … FROM STDIN with data.
func copyIn(ctx context.Context, pc *pgconn.PgConn, sql, data string) outcome {
	tag, err := pc.CopyFrom(ctx, strings.NewReader(data), sql)
	if err != nil {
		return errOutcome(err)
	}
	return outcome{Tag: tag.String()}
}

// sortRows orders each outcome's rows, for statements whose row order is
// not defined.
func sortRows(outs []outcome) []outcome {
	res := make([]outcome, len(outs))
	for i, o := range outs {
		if o.Rows != nil {
			o.Rows = append([]string{}, o.Rows...)
			sort.Strings(o.Rows)
		}
		res[i] = o
	}
	return res
}

// codeClass reduces outcomes' SQLSTATEs to their class (first two
// characters) and drops the messages, for comparisons where the exact
// condition may differ.
func codeClass(outs []outcome) []outcome {
	res := append([]outcome(nil), outs...)
	for i := range res {
		if len(res[i].Code) == 5 {
			res[i].Code = res[i].Code[:2]
		}
		res[i].Msg = ""
	}
	return res
}

// formatOutcomes renders outcomes one per line.
func formatOutcomes(outs []outcome) string {
	lines := make([]string, len(outs))
	for i, o := range outs {
		lines[i] = o.String()
	}
	return strings.Join(lines, "\n")
}
