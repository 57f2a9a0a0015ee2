package schema

import (
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

func refsCatalog(schema, name, col string) (*Catalog, *TableInfo) {
	c := &Catalog{quoted: map[string]string{"public": "public", "contacts": "contacts", "deleted_at": "deleted_at",
		"Sales": `"Sales"`, "Big Deals": `"Big Deals"`, "Gone": `"Gone"`}}
	t := &TableInfo{Table: policy.Table{Schema: schema, Name: name, Column: col}}
	t.Quoted = c.QN(schema, name)
	return c, t
}

func TestFindRefs(t *testing.T) {
	cases := []struct {
		schema, name, col string
		text              string
		reads, deletes    bool // unfiltered reads, deletes
	}{
		{"public", "contacts", "deleted_at", "SELECT count(*) FROM contacts", true, false},
		{"public", "contacts", "deleted_at", "SELECT count(*) FROM public.contacts WHERE deleted_at IS NULL", false, false},
		{"public", "contacts", "deleted_at", "select * from PUBLIC.Contacts c where c.deleted_at is null", false, false},
		{"public", "contacts", "deleted_at", "SELECT 1 FROM contacts c JOIN orgs o ON true WHERE o.deleted_at IS NULL", true, false},
		{"public", "contacts", "deleted_at", "SELECT 1 FROM orgs o JOIN contacts AS c ON true WHERE c.deleted_at IS NULL", false, false},
		{"public", "contacts", "deleted_at", "SELECT 1 FROM contacts WHERE contacts.deleted_at IS NULL", false, false},
		{"public", "contacts", "deleted_at", "SELECT 1 FROM contacts\nWHERE deleted_at IS NOT NULL", true, false},
		{"public", "contacts", "deleted_at", "DELETE FROM contacts WHERE id = 1", false, true},
		{"public", "contacts", "deleted_at", "DELETE FROM ONLY public.contacts", false, true},
		{"public", "contacts", "deleted_at", "SELECT 1 FROM contacts_archive", false, false},
		{"public", "contacts", "deleted_at", "SELECT 'notes from contacts'", true, false}, // a string counts: it is a text search
		{"public", "contacts", "deleted_at", "SELECT 1 FROM other.contacts", false, false},
		{"public", "contacts", "deleted_at", "SELECT 1 FROM (SELECT * FROM contacts) x", true, false},
		{"Sales", "Big Deals", "Gone", `SELECT 1 FROM "Sales"."Big Deals" d WHERE d."Gone" IS NULL`, false, false},
		{"Sales", "Big Deals", "Gone", `SELECT 1 FROM "Big Deals"`, true, false},
		{"Sales", "Big Deals", "Gone", `SELECT 1 FROM "big deals"`, false, false},
		{"Sales", "Big Deals", "Gone", `SELECT 1 FROM "Sales"."Big Deals" WHERE "Big Deals"."Gone" IS NULL`, false, false},
	}
	for _, tc := range cases {
		c, tbl := refsCatalog(tc.schema, tc.name, tc.col)
		refs := findRefs(refPattern(c, tbl), tc.text)
		reads, deletes := unfilteredReads(refs, tc.text, c.Q(tc.col)), deletesFrom(refs)
		if reads != tc.reads || deletes != tc.deletes {
			t.Errorf("%s: reads %v deletes %v, want %v %v (refs %+v)", tc.text, reads, deletes, tc.reads, tc.deletes, refs)
		}
	}
}

func TestPartialIndexDef(t *testing.T) {
	cases := []struct{ def, pred, want string }{
		{"CREATE UNIQUE INDEX a ON public.t USING btree (x)", "",
			"CREATE UNIQUE INDEX IF NOT EXISTS a ON public.t USING btree (x) WHERE (deleted_at IS NULL);"},
		{"CREATE UNIQUE INDEX a ON public.t USING btree (x) WHERE (x > 0)", "(x > 0)",
			"CREATE UNIQUE INDEX IF NOT EXISTS a ON public.t USING btree (x) WHERE ((x > 0) AND (deleted_at IS NULL));"},
		{"CREATE UNIQUE INDEX a ON public.t USING btree (x) WHERE active", "active",
			"CREATE UNIQUE INDEX IF NOT EXISTS a ON public.t USING btree (x) WHERE ((active) AND (deleted_at IS NULL));"},
		{"CREATE UNIQUE INDEX a ON public.t USING btree (x) WHERE (a > 0) OR (b > 0)", "(a > 0) OR (b > 0)",
			"CREATE UNIQUE INDEX IF NOT EXISTS a ON public.t USING btree (x) WHERE (((a > 0) OR (b > 0)) AND (deleted_at IS NULL));"},
		{"CREATE UNIQUE INDEX a ON ONLY public.t USING btree (x) NULLS NOT DISTINCT", "",
			"CREATE UNIQUE INDEX IF NOT EXISTS a ON public.t USING btree (x) NULLS NOT DISTINCT WHERE (deleted_at IS NULL);"},
	}
	for _, tc := range cases {
		if got := partialIndexDef(Index{Def: tc.def, Predicate: tc.pred}, "deleted_at", true); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.def, got, tc.want)
		}
	}
}

func TestIndexKey(t *testing.T) {
	cases := map[string]string{
		"CREATE UNIQUE INDEX a ON public.t USING btree (lower(x), y) WHERE (z)": "(lower(x), y)",
		`CREATE UNIQUE INDEX a ON public.t USING btree ("a)b")`:                 `("a)b")`,
		"CREATE INDEX a ON t": "",
	}
	for def, want := range cases {
		if got := indexKey(def); got != want {
			t.Errorf("%s: got %q, want %q", def, got, want)
		}
	}
}

func FuzzFindRefs(f *testing.F) {
	f.Add("SELECT 1 FROM contacts c WHERE c.deleted_at IS NULL")
	f.Add(`DELETE FROM ONLY "public"."contacts"`)
	f.Add("CREATE UNIQUE INDEX a ON public.t USING btree ((x)")
	c, tbl := refsCatalog("public", "contacts", "deleted_at")
	re := refPattern(c, tbl)
	f.Fuzz(func(t *testing.T, text string) {
		refs := findRefs(re, text)
		_ = unfilteredReads(refs, text, "deleted_at")
		_ = indexKey(text)
		_ = parenthesized(text)
	})
}
