package rewrite

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestQualifiedNamesBindOnTheServer: the server's search_path or catalog
// has changed behind the proxy's back (a function's set_config, a temporary
// table made by server-side code, a shadow dropped by another session).
// The rewritten statement must still read and write the relation the
// proxy resolved: never an unfiltered managed table, never a hard delete.
func TestQualifiedNamesBindOnTheServer(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, `
CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO contacts VALUES (1, NULL), (2, '2024-01-01'), (3, NULL);
CREATE SCHEMA s2;
CREATE TABLE s2.contacts (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO s2.contacts VALUES (10, NULL), (20, '2024-01-01');`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	p := NewPolicy(1, []Table{{Schema: "public", Name: "contacts", Column: "deleted_at"}})
	proxyView := &Session{SearchPath: "public"}
	cases := []struct {
		name   string
		server string // what the server has that the proxy does not know
		sess   *Session
		sql    string
		want   string // rows read, then the state of both tables after
	}{
		{"search_path changed on the server", "SET LOCAL search_path = s2, public", proxyView,
			"SELECT id FROM contacts ORDER BY id", "1,3 | public 1:live 2:trashed 3:live | s2 10 20"},
		{"delete under another search_path", "SET LOCAL search_path = s2, public", proxyView,
			"DELETE FROM contacts WHERE id IN (1, 10, 20)", " | public 1:trashed 2:trashed 3:live | s2 10 20"},
		{"temporary table made by server code", "CREATE TEMP TABLE contacts (id int, deleted_at timestamptz) ON COMMIT DROP; INSERT INTO pg_temp.contacts VALUES (99, NULL)", proxyView,
			"SELECT c.id FROM contacts c JOIN contacts d USING (id) ORDER BY 1", "1,3 | public 1:live 2:trashed 3:live | s2 10 20"},
		{"delete with a temporary table of the name", "CREATE TEMP TABLE contacts (id int, deleted_at timestamptz) ON COMMIT DROP", proxyView,
			"DELETE FROM contacts", " | public 1:trashed 2:trashed 3:trashed | s2 10 20"},
		{"known shadow since dropped", "DROP TABLE s2.contacts", &Session{SearchPath: "s2, public", Shadows: ShadowList([][2]string{{"s2", "contacts"}})},
			"DELETE FROM contacts WHERE id = 1", `ERROR 42P01 | public 1:live 2:trashed 3:live | s2 gone`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := New(Options{}).Rewrite(c.sql, p, c.sess)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
					t.Error(err)
				}
			}()
			if _, err := conn.Exec(ctx, c.server); err != nil {
				t.Fatal(err)
			}
			got := readIDs(ctx, t, conn, res.SQL) + " | " + tableState(ctx, t, conn)
			if got != c.want {
				t.Errorf("%s\n rewritten: %s\n got: %s\nwant: %s", c.sql, res.SQL, got, c.want)
			}
		})
	}
}

// readIDs runs sql and returns its first column joined by commas, or the
// SQLSTATE of its error (the transaction then continues from a savepoint).
func readIDs(ctx context.Context, t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	if _, err := conn.Exec(ctx, "SAVEPOINT q"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, sql)
	var ids []string
	if err == nil {
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, strconv.Itoa(id))
		}
		rows.Close()
		err = rows.Err()
	}
	if err != nil {
		if _, rerr := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT q"); rerr != nil {
			t.Fatal(rerr)
		}
		return "ERROR " + sqlState(err)
	}
	return strings.Join(ids, ",")
}

// tableState lists public.contacts rows as id:live|trashed and s2.contacts ids.
func tableState(ctx context.Context, t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	var pub, s2 string
	err := conn.QueryRow(ctx, `SELECT string_agg(id || ':' || CASE WHEN deleted_at IS NULL THEN 'live' ELSE 'trashed' END, ' ' ORDER BY id) FROM public.contacts`).Scan(&pub)
	if err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('s2.contacts') IS NOT NULL`).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	s2 = "gone"
	if exists {
		if err := conn.QueryRow(ctx, `SELECT string_agg(id::text, ' ' ORDER BY id) FROM s2.contacts`).Scan(&s2); err != nil {
			t.Fatal(err)
		}
	}
	return "public " + pub + " | s2 " + s2
}

// sqlState is the SQLSTATE of a server error, or the error's text.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return err.Error()
}
