package schema

import (
	"unicode/utf8"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// maxIdentLen is PostgreSQL's NAMEDATALEN-1.
const maxIdentLen = 63

// purgeIndexName names the purger's partial index of t.
func purgeIndexName(t policy.Table) string {
	return truncateIdent(t.Name + "_" + t.Column + "_purge_idx")
}

// truncateIdent cuts s to maxIdentLen bytes on a character boundary, as
// the server would (it truncates silently).
func truncateIdent(s string) string {
	if len(s) <= maxIdentLen {
		return s
	}
	s = s[:maxIdentLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
