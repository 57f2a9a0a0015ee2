package proxy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestSoftDeleteBatchSearchPath sends a pgx Batch of a SET search_path and
// statements on t (public.t managed, s2.t not) in every query mode, from
// either search_path. Where the SET runs before the later statements are
// parsed (the unnamed-statement modes), the proxy rewrites them under the
// new path and the answers equal PostgreSQL's; where pgx prepared them
// before the SET ran (cache_statement), running one under another
// search_path is refused; the simple protocol sends the batch as one
// query string, which is refused whole. Never is a live row removed.
func TestSoftDeleteBatchSearchPath(t *testing.T) {
	tw := newTwin(t)
	for _, dir := range []struct {
		name, from string
		items      []string
	}{
		{"public to s2", "", []string{"SET search_path = s2, public", "DELETE FROM t WHERE id = 1", "SELECT id FROM t ORDER BY id",
			"RESET search_path", "DELETE FROM t WHERE id = 2", "SELECT id FROM t ORDER BY id"}},
		{"s2 to public", "-c search_path=s2,public", []string{"SET search_path = public", "DELETE FROM t WHERE id = 1",
			"SELECT id FROM t WHERE id < 5 ORDER BY id", "SHOW search_path"}},
	} {
		for _, m := range queryModes {
			t.Run(dir.name+"/"+m.name, func(t *testing.T) {
				tw.reset(t)
				url := func(u string) string {
					if dir.from != "" {
						u = withParams(t, u, "options", dir.from)
					}
					return u
				}
				got := runBatch(t, url(tw.proxied), m.mode, dir.items)
				var want []string
				switch m.name {
				case "simple":
					want = strings.Split(strings.Repeat("ERROR 0A000|", len(dir.items)-1)+"ERROR 0A000", "|")
				case "cache_statement":
					// pgx reports the batch's error for every item after it.
					want = append([]string{"SET"}, strings.Split(strings.Repeat("ERROR 0A000|", len(dir.items)-2)+"ERROR 0A000", "|")...)
				default:
					want = runBatch(t, url(tw.ref), m.mode, dir.items)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("batch through the proxy:\n got: %v\nwant: %v", got, want)
				}
				for _, p := range tw.checkTrash(t) {
					t.Error(p)
				}
			})
		}
	}
}

// runBatch sends items as one pgx Batch in mode and returns each item's
// outcome: its tag and rows, or "ERROR code".
func runBatch(t *testing.T, url string, mode pgx.QueryExecMode, items []string) []string {
	t.Helper()
	conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = mode })
	b := &pgx.Batch{}
	for _, it := range items {
		b.Queue(it)
	}
	br := conn.SendBatch(testCtx(t), b)
	var out []string
	for range items {
		rows, err := br.Query()
		if err == nil {
			var vals []string
			for rows.Next() {
				v, _ := rows.Values()
				vals = append(vals, fmt.Sprint(v...))
			}
			rows.Close()
			err = rows.Err()
			if err == nil {
				out = append(out, strings.TrimSpace(rows.CommandTag().String()+" "+strings.Join(vals, ",")))
				continue
			}
		}
		out = append(out, "ERROR "+codeOf(err))
	}
	_ = br.Close()
	return out
}
