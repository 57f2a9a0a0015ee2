package policy

import "testing"

func TestParseTableName(t *testing.T) {
	for _, tc := range []struct {
		in, schema, name string
	}{
		{"public.contacts", "public", "contacts"},
		{"Public.Contacts", "public", "contacts"},
		{`"My Schema"."Odd Table"`, "My Schema", "Odd Table"},
		{`"a""b".c`, `a"b`, "c"},
		{`s."T"`, "s", "T"},
		{"café.élan", "café", "élan"},
		{"ÉCOLE.x", "École", "x"}, // PostgreSQL folds only ASCII in UTF-8
		{"_s.t$1", "_s", "t$1"},
	} {
		got, err := ParseTableName(tc.in)
		if err != nil || got.Schema != tc.schema || got.Name != tc.name {
			t.Errorf("ParseTableName(%q) = %+v, %v; want %s / %s", tc.in, got, err, tc.schema, tc.name)
		}
	}
	for _, bad := range []string{"", "contacts", "a.b.c", "a.", ".b", "a .b", "a. b", `"a.b`, `"".b`, "1a.b", "a.b ", "a-b.c", `a."b"c`, "a.\"b\x00\""} {
		if got, err := ParseTableName(bad); err == nil {
			t.Errorf("ParseTableName(%q) accepted: %+v", bad, got)
		}
	}
}

func TestTableNameString(t *testing.T) {
	for in, want := range map[string]string{
		"public.contacts":         "public.contacts",
		`"My Schema"."Odd Table"`: `"My Schema"."Odd Table"`,
		`s."T"`:                   `s."T"`,
		`"a""b"."1x"`:             `"a""b"."1x"`,
		"café.élan":               "café.élan",
	} {
		n, err := ParseTableName(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.String(); got != want {
			t.Errorf("%q: String() = %q, want %q", in, got, want)
		}
		if back, err := ParseTableName(n.String()); err != nil || back != n {
			t.Errorf("%q does not read back: %+v %v", n.String(), back, err)
		}
	}
}

func TestParseIdent(t *testing.T) {
	if id, err := ParseIdent("Deleted_At"); err != nil || id != "deleted_at" {
		t.Errorf("got %q, %v", id, err)
	}
	if id, err := ParseIdent(`"DeletedAt"`); err != nil || id != "DeletedAt" {
		t.Errorf("got %q, %v", id, err)
	}
	long := "a123456789012345678901234567890123456789012345678901234567890123"
	for _, bad := range []string{"", "a b", "a.b", `"a`, `""`, "9a", long} {
		if _, err := ParseIdent(bad); err == nil {
			t.Errorf("ParseIdent(%q) accepted", bad)
		}
	}
	if _, err := ParseIdent(long[:63]); err != nil {
		t.Errorf("63 bytes refused: %v", err)
	}
}
