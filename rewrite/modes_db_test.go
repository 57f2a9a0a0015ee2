package rewrite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestServerLexesAsModelled runs the lexing attacks against a real server,
// to pin that the server does read them as the rewrite assumes (the DELETE
// hidden in a literal runs, rows are gone) and that the rewrite refuses
// each of them under the session's settings; and texts the rewrite passes
// unparsed, which the server must read as one harmless statement.
func TestServerLexesAsModelled(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pc, err := pgconn.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(context.Background())
	p := NewPolicy(1, []Table{{Schema: "public", Name: "contacts", Column: "deleted_at"}})
	cases := []struct {
		name, setup, sql string
		sess             Session
		pass             bool // the rewrite passes it; the server runs one statement
	}{
		{"standard_conforming_strings off", "SET standard_conforming_strings = off",
			`SELECT '\''; DELETE FROM contacts; --'`, Session{NonStandardStrings: true}, false},
		{"SJIS trailing backslash", "SET client_encoding = 'SJIS'",
			"SELECT E'\x95\x5c'; DELETE FROM contacts; --'", Session{ClientEncoding: "SJIS"}, false},
		{"BIG5 trailing backslash", "SET client_encoding = 'BIG5'",
			"SELECT E'\xa4\x5c'; DELETE FROM contacts; --'", Session{ClientEncoding: "BIG5"}, false},
		{"GB18030 trailing backslash", "SET client_encoding = 'GB18030'",
			"SELECT E'\x81\x5c'; DELETE FROM contacts; --'", Session{ClientEncoding: "GB18030"}, false},
		{"SJIS bytes valid as UTF8", "SET client_encoding = 'SJIS'",
			"SELECT E'\u00c1\\'; DELETE FROM contacts; --'", Session{ClientEncoding: "SJIS"}, false},
		{"escaped backslash with standard_conforming_strings off", "SET standard_conforming_strings = off",
			`SELECT '\\''; DELETE FROM contacts; --'`, Session{NonStandardStrings: true}, true},
		{"SJIS character then a doubled quote", "SET client_encoding = 'SJIS'",
			"SELECT E'\x95\x5c''; DELETE FROM contacts; --'", Session{ClientEncoding: "SJIS"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := New(Options{}).Rewrite(c.sql, p, &c.sess)
			if c.pass && (err != nil || res.Changed || len(res.Stmts) != 0) {
				t.Errorf("the rewrite does not pass it: %+v %v", res, err)
			}
			if !c.pass && !isRefusal(err) {
				t.Errorf("the rewrite lets it through: %v", err)
			}
			script := "DROP TABLE IF EXISTS contacts; CREATE TABLE contacts (id int, deleted_at timestamptz); INSERT INTO contacts VALUES (1, NULL); " + c.setup
			if _, err := pc.Exec(ctx, script).ReadAll(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := pc.Exec(ctx, "RESET ALL").ReadAll(); err != nil {
					t.Error(err)
				}
			}()
			results, err := pc.Exec(ctx, c.sql).ReadAll()
			if err != nil {
				t.Fatalf("server: %v", err)
			}
			switch {
			case c.pass && len(results) != 1:
				t.Fatalf("the server ran %d statements, not one", len(results))
			case !c.pass && (len(results) != 2 || results[1].CommandTag.String() != "DELETE 1"):
				t.Fatalf("the server did not run the hidden DELETE: %d results", len(results))
			}
		})
	}
}

func isRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == codeNotSupp
}
