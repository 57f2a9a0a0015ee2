package main

import (
	"context"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// At start, serve says for each purge database which managed tables lack
// their guard, and that the guard is in place once migrate has run.
func TestReportGuards(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, "CREATE TABLE contacts (id int, deleted_at timestamptz)")
	text := "tables:\n  public.contacts: {}\npurge:\n  database_urls: [\"" + url + "\"]\n"
	cfg, err := policy.Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	report := func() []observer.LoggedEntry {
		core, logs := observer.New(zapcore.InfoLevel)
		reportGuards(context.Background(), cfg, zap.New(core))
		return logs.All()
	}
	got := report()
	if len(got) != 1 || got[0].Level != zapcore.ErrorLevel || got[0].ContextMap()["table"] != "public.contacts" {
		t.Fatalf("before migrate: %+v, want one error naming public.contacts", got)
	}
	migrateDB(t, url, text)
	got = report()
	if len(got) != 1 || got[0].Message != "guard in place on every managed table" {
		t.Fatalf("after migrate: %+v", got)
	}
}
