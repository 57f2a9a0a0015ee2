package proxy

// Workloads TestLibPQ in drivers_test.go runs over each route.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"
)

// pqCopyIn loads n rows with pq.CopyIn inside a transaction.
func pqCopyIn(t *testing.T, db *sql.DB, n int) string {
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(pq.CopyIn("items", "id", "name", "price", "note"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		var note any
		if i%3 == 0 {
			note = fmt.Sprintf("tab\there, newline\nhere, backslash \\ %d", i)
		}
		if _, err := stmt.Exec(i, fmt.Sprint("item ", i), fmt.Sprintf("%d.%02d", i, i%100), note); err != nil {
			t.Fatal(err)
		}
	}
	res, err := stmt.Exec()
	if err != nil {
		t.Fatal(err)
	}
	if err := stmt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	copied, _ := res.RowsAffected()
	var count int
	var sum, digest string
	err = db.QueryRow("select count(*), sum(price)::text, md5(string_agg(id || name || coalesce(note, '-'), ',' order by id)) from items").
		Scan(&count, &sum, &digest)
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("CopyIn loaded %d rows, want %d", count, n)
	}
	return fmt.Sprint(copied, count, sum, digest)
}

// pqPrepared runs a prepared statement several times and a query with
// NULLs and many rows.
func pqPrepared(t *testing.T, db *sql.DB) []string {
	ps, err := db.Prepare("select name, price::text, note from items where id = $1")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	var out []string
	for _, id := range []int{1, 3, 77, 5000} {
		var name, price string
		var note sql.NullString
		if err := ps.QueryRow(id).Scan(&name, &price, &note); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(name, price, note))
	}
	rows, err := db.Query("select id, name from items where id % $1 = 0 order by id", 500)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(id, name))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pqTransactions commits one transaction and rolls another back.
func pqTransactions(t *testing.T, db *sql.DB) []string {
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("delete from items where id > 100"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	res, err := tx.Exec("update items set note = 'updated' where id <= $1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	updated, _ := res.RowsAffected()
	var count, notes int
	if err := db.QueryRow("select count(*), count(*) filter (where note = 'updated') from items").Scan(&count, &notes); err != nil {
		t.Fatal(err)
	}
	return []string{fmt.Sprint(updated, count, notes)}
}

// pqErrorsAndCancel checks that SQLSTATEs reach lib/pq and that its
// context cancellation (a CancelRequest on a new connection) works.
func pqErrorsAndCancel(t *testing.T, db *sql.DB) []string {
	var out []string
	for _, q := range []string{"insert into items (id) values (1)", "select 1/0", "select nope"} {
		_, err := db.Exec(q)
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) {
			t.Fatalf("%s: want a *pq.Error, got %v", q, err)
		}
		out = append(out, string(pqErr.Code)+" "+pqErr.Message)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.ExecContext(ctx, "select pg_sleep(10)")
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancel took %v", took)
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "57014" {
		t.Fatalf("want SQLSTATE 57014 (query_canceled), got %v", err)
	}
	// lib/pq discards a connection whose query was cancelled; the pool
	// opens another.
	var n int
	if err := db.QueryRow("select 5").Scan(&n); err != nil || n != 5 {
		t.Fatalf("pool unusable after cancel: %d, %v", n, err)
	}
	return append(out, fmt.Sprint("cancelled: ", err))
}

func pqMustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
