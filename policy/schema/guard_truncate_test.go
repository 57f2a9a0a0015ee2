package schema

import (
	"testing"
)

// TestGuardTruncate: TRUNCATE in every form that reaches a managed table
// (directly, through an unmanaged parent's CASCADE, an inheritance
// parent, a partitioned parent, one partition) is refused, and the rows
// stay; on_truncate: hard lets members of a roles.hard_delete role
// through, and no one else.
func TestGuardTruncate(t *testing.T) {
	e := newGuardEnv(t)
	cases := []struct{ sql, table, rows string }{
		{"TRUNCATE contacts", "public.contacts", "contacts"},
		{"TRUNCATE orgs CASCADE", "public.people", "people"},
		{"TRUNCATE docs", "public.docs", "docs"},
		{"TRUNCATE ONLY docs", "public.docs", "ONLY docs"},
		{"TRUNCATE docs_2024", "public.docs_2024", "docs_2024"},
		{"TRUNCATE deals", "public.deals", "deals"},
		{"TRUNCATE deals_eu", "public.deals_eu", "deals_eu"},
		{"TRUNCATE deals_us", "public.deals_us", "deals_us"},
		{"TRUNCATE deals_us_low", "public.deals_us_low", "deals_us_low"},
		{"TRUNCATE events", "public.events_2024", "events_2024"},
		{"TRUNCATE contacts, scratch", "public.contacts", "scratch"},
		{"DO $$ BEGIN TRUNCATE contacts; END $$", "public.contacts", "contacts"},
	}
	for _, tc := range cases {
		for _, who := range e.everyone() {
			t.Run(tc.sql+"/"+who.name, func(t *testing.T) {
				before := e.count(t, tc.rows)
				_, err := exec(who.conn, tc.sql)
				refused(t, err, "TRUNCATE of "+tc.table+" refused")
				if after := e.count(t, tc.rows); after != before || before == 0 {
					t.Errorf("rows of %s: %d before, %d after", tc.rows, before, after)
				}
			})
		}
	}
	// TRUNCATE ONLY of an unmanaged parent reaches no managed row: allowed.
	if _, err := exec(e.app, "TRUNCATE ONLY events"); err != nil {
		t.Errorf("TRUNCATE ONLY events (unmanaged, no managed rows): %v", err)
	}
	// on_truncate: hard
	for _, who := range e.everyone()[:3] { // app, superuser, purger
		_, err := exec(who.conn, "TRUNCATE scratch")
		refused(t, err, "TRUNCATE of public.scratch refused: session user")
	}
	if _, err := exec(e.dba, "TRUNCATE scratch"); err != nil || e.count(t, "scratch") != 0 {
		t.Errorf("a hard_delete member's TRUNCATE of an on_truncate: hard table: %v", err)
	}
}
