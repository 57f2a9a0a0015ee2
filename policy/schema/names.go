package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// maxIdentLen is PostgreSQL's NAMEDATALEN-1.
const maxIdentLen = 63

// purgeIndexName names the purger's partial index of t. A name too long
// for the server ends in a hash of the whole instead of being truncated
// (a truncated one can equal the table's own name, and CREATE INDEX IF
// NOT EXISTS would then do nothing).
func purgeIndexName(t policy.Table) string {
	return fitName(t.Name+"_"+t.Column+"_purge_idx", t.Schema+"."+t.Name+"."+t.Column)
}

// fitName is name when it fits, else hashedIdent(name, identity).
func fitName(name, identity string) string {
	if len(name) <= maxIdentLen {
		return name
	}
	return hashedIdent(name, identity)
}

// truncateIdent cuts s to maxIdentLen bytes on a character boundary, as
// the server would (it truncates silently).
func truncateIdent(s string) string {
	return fitIdent(s, maxIdentLen)
}

// hashedIdent is name cut to fit with a hash of identity appended: two
// names made from different identities never meet, however long (the
// server would truncate long names silently, and a truncated index name
// can equal its table's).
func hashedIdent(name, identity string) string {
	sum := sha256.Sum256([]byte(identity))
	suffix := "_" + hex.EncodeToString(sum[:4])
	return fitIdent(name, maxIdentLen-len(suffix)) + suffix
}

// fitIdent cuts s to n bytes on a character boundary.
func fitIdent(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
