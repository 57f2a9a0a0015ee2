package schema

import "github.com/softdelete-proxy/softdelete-proxy/rewrite"

// fnTruncateCheck is the function the proxy's rewrite of a soft TRUNCATE
// calls to refuse it as PostgreSQL refuses TRUNCATE of a referenced table
// (rewrite/truncate_check.go).
const fnTruncateCheck = rewrite.TruncateCheckName

// truncateCheckObject is that function, installed with the guard's.
func (c *Catalog) truncateCheckObject() Object {
	return c.functionObject(fnTruncateCheck, rewrite.TruncateCheckArgs,
		"a soft TRUNCATE's check of the foreign keys that reference its tables, with PostgreSQL's error (SQLSTATE 0A000)",
		rewrite.TruncateCheckHeader, rewrite.TruncateCheckBody)
}
