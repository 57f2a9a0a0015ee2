package rewrite

import (
	"strings"
	"testing"
)

// A table the policy refuses (an unmanaged parent of managed partitions)
// fails every statement that names it, however it is named; the others
// are rewritten as before.
func TestTableRefusal(t *testing.T) {
	p := NewPolicy(1, []Table{
		{Schema: "public", Name: "events_2026", Column: "deleted_at"},
		{Schema: "public", Name: "events", Refusal: "public.events is not under the policy but its partition public.events_2026 is"},
	})
	s := &Session{SearchPath: `"$user", public`, User: "u"}
	r := New(Options{})
	for _, sql := range []string{
		"SELECT * FROM events",
		"SELECT * FROM public.events e",
		"DELETE FROM events WHERE id = 1",
		"UPDATE public.events SET x = 1",
		"SELECT * FROM events_2026 JOIN events USING (id)",
		"COPY events TO STDOUT",
		"WITH x AS (SELECT * FROM events) SELECT * FROM x",
	} {
		_, err := r.Rewrite(sql, p, s)
		e, ok := err.(*Error)
		if !ok || e.Code != "0A000" || !strings.Contains(e.Message, "events_2026 is") || e.Position == 0 || e.Hint == "" {
			t.Errorf("%s: %v, want the table's refusal with a position and a hint", sql, err)
		}
	}
	for _, sql := range []string{"SELECT * FROM events_2026", "WITH events AS (SELECT 1) SELECT * FROM events"} {
		if _, err := r.Rewrite(sql, p, s); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
}
