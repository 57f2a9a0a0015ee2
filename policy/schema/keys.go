package schema

import (
	"slices"
	"strings"
)

// Keys (docs/keys.md): every key of a managed table behaves as if its
// trashed rows were gone. A key nothing references stops counting them
// (a unique index becomes partial, an exclusion constraint gets WHERE
// col IS NULL); a key that must stay whole (a primary key, a unique
// constraint, a key a foreign key references) keeps them, and a row that
// takes the key of a trashed row evicts it in the same statement
// (on_key_conflict: evict: the trashed row, and the trashed rows that
// reference it, are deleted for good and kept in softdelete.evicted), or
// is refused with 23505 (on_key_conflict: refuse).

// keyHandling says how a key of a managed table stops counting trashed rows.
type keyHandling int

const (
	keyFree      keyHandling = iota // not a key, or it already ignores trashed rows
	keyPartial                      // a unique index nothing references: becomes partial
	keyExclusion                    // an exclusion constraint: rebuilt WHERE col IS NULL
	keyWhole                        // stays whole: the keys trigger evicts or refuses
	keyLeft                         // left as it is (check says why)
)

// Key objects and names.
const (
	keysTrigger  = "softdelete_keys"           // BEFORE INSERT OR UPDATE OF the keys, row
	evictedTable = "evicted"                   // softdelete.evicted: every evicted row, whole
	evictedIndex = "evicted_table_name_at_idx" // its index for the purger: (table_name, at)
	fnEvict      = "evict"                     // evicts one trashed row and those referencing it
	fnEvictRow   = "evict_row"                 // evict's recursion, with the rows it is evicting
	fnEvicting   = "evicting"                  // did this transaction evict a row with this content?
	fnSoftColumn = "soft_column"               // the soft-delete column of a managed relation
	modeEvict    = "evict"
	modeRefuse   = "refuse"
)

// Evicted is the table of evicted rows as SQL, for the purger and the
// trash commands: softdelete.evicted.
const Evicted = ownSchema + "." + evictedTable

// handling classifies a key of t (col quoted) under the table's
// on_key_conflict.
func handling(ix Index, col, mode string) keyHandling {
	nullsEqual := strings.Contains(ix.Def, " NULLS NOT DISTINCT")
	switch {
	case ix.ConType == "x":
		switch {
		case mentionsIsNull(ix.Predicate, col):
			return keyFree
		case mode == modeRefuse:
			return keyLeft // trashed rows go on excluding: check says so
		}
		return keyExclusion
	case !ix.Unique || mentionsIsNull(ix.Predicate, col):
		return keyFree
	case mentionsColumn(ix.Columns, col) && !nullsEqual:
		return keyLeft // warned as unique_includes_column
	case ix.Primary || ix.ConType != "" || len(ix.ReferencedBy) > 0 || ix.Deferrable:
		return keyWhole
	case mode == modeRefuse && ix.Predicate == "" && !slices.Contains(ix.KeyColumns, ""):
		return keyWhole
	case mode == modeRefuse:
		return keyLeft
	}
	return keyPartial
}

// describeKey names a key for messages.
func describeKey(ix Index) string {
	switch {
	case ix.Primary:
		return "primary key " + ix.Constraint + " " + ix.Columns
	case ix.ConType == "x":
		return "exclusion constraint " + ix.Constraint + " " + ix.Columns
	}
	return describeUnique(ix)
}

// keyName is the name errors give a key: its constraint's, else its index's.
func keyName(ix Index) string {
	if ix.Constraint != "" {
		return ix.Constraint
	}
	return ix.Name
}

// tableMode is t's on_key_conflict (evict unless refuse).
func tableMode(t *TableInfo) string {
	if t.OnKeyConflict == modeRefuse {
		return modeRefuse
	}
	return modeEvict
}

// wholeKeys are t's keys the keys trigger watches.
func wholeKeys(t *TableInfo, col string) []Index {
	var out []Index
	for _, ix := range t.Indexes {
		if handling(ix, col, tableMode(t)) == keyWhole {
			out = append(out, ix)
		}
	}
	return out
}

// renamingRefs are the foreign keys of managed tables that reference a key
// of t and would block a change of it (ON UPDATE NO ACTION or RESTRICT)
// while a trashed row still references the old value: when it changes,
// those trashed rows are evicted.
func (c *Catalog) renamingRefs(t *TableInfo) []KeyRef {
	if tableMode(t) == modeRefuse {
		return nil
	}
	var out []KeyRef
	for _, r := range t.KeyRefs {
		if (r.OnUpdate == "a" || r.OnUpdate == "r") && c.softColumnOf(r.Child) != "" {
			out = append(out, r)
		}
	}
	return out
}

// softColumnOf is the soft-delete column (raw) of a managed relation
// (quoted name), "" when it is not managed.
func (c *Catalog) softColumnOf(rel string) string {
	if c.softColumns == nil {
		c.softColumns = map[string]string{}
		for _, t := range c.Tables {
			if !t.Exists() {
				continue
			}
			c.softColumns[t.Quoted] = t.Column
			for _, d := range c.inherited(t) {
				c.softColumns[d.Quoted] = t.Column
			}
		}
	}
	return c.softColumns[rel]
}

// keyObjects is the generator of the keys: the table of evicted rows and
// the functions every eviction shares (the guard asks evicting() about
// any trashed row deleted for good), then for each managed table its
// partial indexes, rebuilt exclusion constraints and keys trigger.
func keyObjects(c *Catalog) []Object {
	out := c.evictionObjects()
	for _, t := range c.Tables {
		if t.IsTable() {
			out = append(out, c.tableKeyObjects(t)...)
		}
	}
	return out
}

func (c *Catalog) tableKeyObjects(t *TableInfo) []Object {
	col := c.Q(t.Column)
	var out []Object
	for _, ix := range t.Indexes {
		switch handling(ix, col, tableMode(t)) {
		case keyPartial:
			out = append(out, Object{Kind: "index", Table: t.Quoted, Name: c.Q(t.Schema) + "." + ix.Name,
				Purpose: describeKey(ix) + " also counts trashed rows: it becomes a partial unique index of live rows " +
					"(same name, so errors still name it; nothing references it)",
				Create: uniqueConversion(c, t, ix, true)})
		case keyExclusion:
			out = append(out, Object{Kind: "constraint", Table: t.Quoted, Name: ix.Constraint + " on " + t.Quoted,
				Purpose: describeKey(ix) + " also counts trashed rows: it is rebuilt WHERE " + col + " IS NULL (same name)",
				Create:  exclusionRebuild(t, ix, col)})
		}
	}
	keys, refs := wholeKeys(t, col), c.renamingRefs(t)
	if len(keys) == 0 && len(refs) == 0 {
		return out
	}
	fn := keysFunction(t)
	out = append(out, c.functionObject(fn, "", c.keysPurpose(t, keys, refs),
		"RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp", c.keysBody(t, keys, refs)))
	return append(out, c.keysTriggerObject(t, fn, keys, refs))
}

// keysFunction names t's keys trigger function: readable, with a hash of
// the table so that no two tables share it.
func keysFunction(t *TableInfo) string {
	return hashedIdent("keys_"+t.Schema+"_"+t.Name, t.Quoted)
}

func (c *Catalog) keysTriggerObject(t *TableInfo, fn string, keys []Index, refs []KeyRef) Object {
	var cols []string
	for _, ix := range keys {
		cols = appendNew(cols, ix.KeyColumns...)
	}
	for _, r := range refs {
		cols = appendNew(cols, r.ParentCols...)
	}
	def := "BEFORE INSERT OR UPDATE OF " + strings.Join(cols, ", ") + " ON " + t.Quoted +
		" FOR EACH ROW EXECUTE FUNCTION " + c.QN(ownSchema, fn) + "()"
	return c.triggerObject(t.Quoted, keysTrigger, "calls "+c.QN(ownSchema, fn)+"() for every row inserted into "+t.Quoted+
		" and every change of one of its keys", def)
}

func (c *Catalog) keysPurpose(t *TableInfo, keys []Index, refs []KeyRef) string {
	var what []string
	for _, ix := range keys {
		what = append(what, describeKey(ix))
	}
	s := "keeps the keys of " + t.Quoted + " as if its trashed rows were gone: "
	if tableMode(t) == modeRefuse {
		s += "a row that takes the key of a trashed row is refused with 23505 (on_key_conflict: refuse): "
	} else {
		s += "a row that takes the key of a trashed row evicts it (on_key_conflict: evict; kept in softdelete.evicted): "
	}
	s += strings.Join(what, ", ")
	for _, r := range refs {
		s += "; a change of " + strings.Join(r.ParentCols, ", ") + " evicts the trashed rows of " + r.Child + " that reference the old value (" + r.Name + ")"
	}
	return s
}

// exclusionRebuild drops an exclusion constraint and adds it again with
// WHERE col IS NULL (and its own predicate), its name, INCLUDE and
// deferrability kept.
func exclusionRebuild(t *TableInfo, ix Index, col string) []string {
	def, suffix := ix.ConDef, ""
	for _, s := range []string{" INITIALLY DEFERRED", " DEFERRABLE"} {
		if strings.HasSuffix(def, s) {
			def, suffix = strings.TrimSuffix(def, s), s+suffix
		}
	}
	pred := "(" + col + " IS NULL)"
	if ix.Predicate != "" {
		if i := strings.LastIndex(def, " WHERE "); i >= 0 {
			def = def[:i]
		}
		pred = "(" + parenthesized(ix.Predicate) + " AND (" + col + " IS NULL))"
	}
	return []string{
		"ALTER TABLE " + t.Quoted + " DROP CONSTRAINT IF EXISTS " + ix.Constraint + ";",
		"ALTER TABLE " + t.Quoted + " ADD CONSTRAINT " + ix.Constraint + " " + def + " WHERE " + pred + suffix + ";",
	}
}

func appendNew(list []string, items ...string) []string {
	for _, s := range items {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// keysCurrent reports whether t's keys trigger and its function are
// installed as this policy wants them (or t needs none).
func (c *Catalog) keysCurrent(t *TableInfo) bool {
	if c.installed == nil {
		c.installed = map[string]Installed{}
		for _, in := range c.Installed {
			c.installed[objectKey(in.Kind, in.Name)] = in
		}
	}
	for _, o := range c.tableKeyObjects(t) {
		if versioned(o.Kind) && compareObject(o, c.installed).State != stateCurrent {
			return false
		}
	}
	return true
}
