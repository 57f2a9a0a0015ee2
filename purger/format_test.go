package purger

import (
	"bytes"
	"testing"
	"time"
)

func TestWriteGolden(t *testing.T) {
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	purge := at.Add(30 * day)
	alice, why := "alice", "GDPR request 41"
	rows := []TrashedRow{
		{Key: "7", DeletedAt: at, DeletedBy: &alice, Reason: &why, PurgeAt: &purge, State: StatePending},
		{Key: "(1,x)", DeletedAt: at, Held: true, State: StateHeld},
		{Key: "9", DeletedAt: at, State: StateTrashed},
		{Key: "10", DeletedAt: at, State: StateLocked},
	}
	stats := []TableStats{
		{Table: "public.contacts", Retention: 30 * day, Trashed: 7, PendingPurge: 4, Held: 1, Locked: 1, Oldest: &at, OldestAge: 40*day + 3*time.Hour},
		{Table: "crm.notes", Trashed: 0},
	}
	rep := Report{Databases: []DatabaseReport{
		{Database: "app", Result: ResultSuccess, Leader: true, Duration: time.Second, Tables: []TableReport{
			{Table: "public.contacts", Retention: 30 * day, Purged: 4, Batches: 1, Evicted: 2},
			{Table: "public.deals", Retention: 90 * day, Error: "ERROR: boom (SQLSTATE XX000)"},
		}},
		{Database: "other", Result: ResultSkipped},
	}}
	evicted := []EvictedRecord{
		{ID: 7, Table: "public.contacts", Key: "primary key contacts_pkey (id)", Reason: "a new row took its key", At: at,
			Actor: "app", Content: []byte(`{"id": 1, "name": "tab\there", "deleted_at": "2024-02-01T12:00:00+00:00"}`)},
		{ID: 9, Table: `crm."Notes"`, Key: "foreign key notes_contact_fkey on crm.\"Notes\"", Reason: "it referenced an evicted row",
			At: at, Actor: "app", Content: []byte(`{}`)},
	}
	dry := rep
	dry.DryRun = true
	for _, format := range []string{FormatTable, FormatJSON} {
		var b bytes.Buffer
		for _, err := range []error{WriteRows(&b, rows, format), WriteStats(&b, stats, format),
			WriteReport(&b, rep, format), WriteReport(&b, dry, format), WriteRows(&b, nil, format),
			WriteEvicted(&b, evicted, format), WriteEvicted(&b, nil, format)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		golden(t, "format/out."+format, b.String())
	}
}
