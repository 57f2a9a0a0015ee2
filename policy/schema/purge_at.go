package schema

import (
	"fmt"
	"strconv"
	"time"
)

// Per-row purge dates (purge_at_column, docs/trash.md): when a row is
// trashed, softdelete_purge_at fills its purge date from the deletion time
// and the table's retention at that moment (forever: infinity), unless the
// statement sets one itself; a restore clears it. A later change of the
// retention replaces the trigger (its argument) but moves no date already
// set; a DBA moves one per row (trash keep-until, or an UPDATE). The
// purger deletes a trashed row once its date has passed.

const (
	fnSetPurgeAt   = "set_purge_at"
	purgeAtTrigger = "softdelete_purge_at" // BEFORE UPDATE OF the soft-delete column, row
)

// purgeAtObjects is the purge date's generator.
func purgeAtObjects(c *Catalog) []Object {
	var out []Object
	for _, t := range c.Tables {
		col, ok := t.Columns[t.PurgeAtColumn]
		if t.PurgeAtColumn == "" || !t.IsTable() || !ok || col.BaseType != oidTimestamptz {
			continue
		}
		if out == nil {
			out = append(out, c.functionObject(fnSetPurgeAt, "", "fills the purge date of a row when it is trashed, clears it on restore",
				"RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp", setPurgeAtBody))
		}
		root := lockTarget{table: t.Quoted, root: t.Quoted, col: t.Column}
		out = append(out, c.purgeAtTrigger(root, t))
		for _, d := range c.inherited(t) {
			child := root
			child.table, child.partition, child.clones = d.Quoted, d.Partition, d.Clones
			out = append(out, c.purgeAtTrigger(child, t))
		}
	}
	return out
}

// purgeAtTrigger is softdelete_purge_at on one relation of t's tree; its
// arguments are the two columns and the retention in microseconds ("" for
// forever).
func (c *Catalog) purgeAtTrigger(g lockTarget, t *TableInfo) Object {
	if g.partition {
		return c.cloneObject(guardTarget{table: g.table, root: g.root, clones: g.clones}, purgeAtTrigger)
	}
	retention := ""
	if t.Retention > 0 {
		retention = strconv.FormatInt(t.Retention.Microseconds(), 10)
	}
	col := c.Q(t.Column)
	return c.triggerObject(g.table, purgeAtTrigger,
		"fills "+t.PurgeAtColumn+" of a row of "+g.table+" when it is trashed (retention "+retentionLabel(t)+" at that moment), clears it on restore",
		fmt.Sprintf("BEFORE UPDATE OF %[2]s ON %[1]s FOR EACH ROW WHEN ((OLD.%[2]s IS NULL) <> (NEW.%[2]s IS NULL)) "+
			"EXECUTE FUNCTION %[3]s(%[4]s, %[5]s, %[6]s)", g.table, col, c.QN(ownSchema, fnSetPurgeAt),
			quoteLiteral(t.Column), quoteLiteral(t.PurgeAtColumn), quoteLiteral(retention)))
}

func retentionLabel(t *TableInfo) string {
	if t.Retention <= 0 {
		return "forever"
	}
	if t.Retention%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(t.Retention/(24*time.Hour)), 10) + "d"
	}
	return t.Retention.String()
}

// setPurgeAtBody: TG_ARGV[0] the soft-delete column, [1] the purge date
// column, [2] the retention in microseconds (” = forever). A trash keeps
// a date the statement set itself.
const setPurgeAtBody = `
DECLARE
    o jsonb := to_jsonb(OLD);
    n jsonb := to_jsonb(NEW);
    due timestamptz;
BEGIN
    IF n ->> TG_ARGV[0] IS NULL THEN
        due := NULL;
    ELSIF (n -> TG_ARGV[1]) IS DISTINCT FROM (o -> TG_ARGV[1]) THEN
        RETURN NEW;
    ELSIF TG_ARGV[2] = '' THEN
        due := 'infinity';
    ELSE
        due := (n ->> TG_ARGV[0])::timestamptz + TG_ARGV[2]::bigint * interval '1 microsecond';
    END IF;
    RETURN jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[1], due));
END
`
