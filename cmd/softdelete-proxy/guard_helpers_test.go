package main

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// migrateDB applies, as softdelete-proxy migrate --apply does, the
// migration of the policy in configText to the database at url, so the
// proxy finds its guard in place.
func migrateDB(t *testing.T, url, configText string) {
	t.Helper()
	cfg, err := policy.Parse("test.yaml", []byte(configText))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	cat, err := schema.Inspect(ctx, conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Plan(cat, schema.Options{}).Apply(ctx, conn, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}
