package tracker

import (
	"strings"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// The settings a rewrite depends on. role and session_authorization decide
// current_user, which "$user" in search_path means; the last two decide how
// the server lexes a statement.
const (
	SearchPath                = "search_path"
	Visibility                = "softdelete.visibility"
	AsOf                      = "softdelete.as_of"
	Role                      = "role"
	SessionAuthorization      = "session_authorization"
	StandardConformingStrings = "standard_conforming_strings"
	ClientEncoding            = "client_encoding"
)

var trackedSettings = []string{SearchPath, Visibility, AsOf, Role, SessionAuthorization, StandardConformingStrings, ClientEncoding}

// IsTracked reports whether name (lower case) is a tracked setting.
func IsTracked(name string) bool {
	for _, n := range trackedSettings {
		if n == name {
			return true
		}
	}
	return false
}

// settings mirrors the server's values of the tracked settings with
// PostgreSQL's transaction semantics: a session-level SET inside a
// transaction takes effect for the session at COMMIT and is undone by
// ROLLBACK (or by an error ending an implicit transaction); SET LOCAL lasts
// until the end of the transaction; RESET returns to the value the session
// started with; ROLLBACK TO undoes what was set after the savepoint.
type settings struct {
	reset     map[string]string  // RESET values (the session's start); absent = unknown
	committed map[string]string  // the session's values outside the open transaction
	pending   map[string]*string // session-level SETs of the open transaction; nil value = reset
	local     map[string]string  // SET LOCAL of the open transaction
	saved     []savedState       // savepoints of the open transaction, oldest first
	// gen counts the changes, so a value derived from the settings can be
	// kept until they change.
	gen uint64
}

// savedState is the transaction's settings when a savepoint was set.
type savedState struct {
	name    string
	pending map[string]*string
	local   map[string]string
}

func newSettings(start map[string]string) *settings {
	s := &settings{reset: map[string]string{}, committed: map[string]string{}}
	for k, v := range start {
		s.reset[k], s.committed[k] = v, v
	}
	return s
}

// clone copies s deeply (the maps are small).
func (s *settings) clone() *settings {
	out := &settings{reset: cloneMap(s.reset), committed: cloneMap(s.committed),
		pending: cloneMap(s.pending), local: cloneMap(s.local)}
	for _, sv := range s.saved {
		out.saved = append(out.saved, savedState{name: sv.name, pending: cloneMap(sv.pending), local: cloneMap(sv.local)})
	}
	return out
}

// get returns the effective value of name and whether it is known.
func (s *settings) get(name string) (string, bool) {
	if v, ok := s.local[name]; ok {
		return v, true
	}
	if v, ok := s.pending[name]; ok {
		if v == nil {
			d, ok := s.reset[name]
			return d, ok
		}
		return *v, true
	}
	v, ok := s.committed[name]
	return v, ok
}

// inTransaction reports whether the open transaction changed a setting:
// its outcome decides what the session keeps.
func (s *settings) inTransaction() bool {
	return len(s.pending) > 0 || len(s.local) > 0 || len(s.saved) > 0
}

// apply records a SET or RESET.
func (s *settings) apply(e *rewrite.SetEffect) {
	s.gen++
	if e.ResetAll {
		for _, n := range trackedSettings {
			if n != SessionAuthorization { // RESET ALL leaves it alone
				s.setPending(n, nil)
			}
		}
		s.local = nil
		return
	}
	name := strings.ToLower(e.Name)
	if !IsTracked(name) {
		return
	}
	if e.Local {
		if s.local == nil {
			s.local = make(map[string]string)
		}
		if e.Reset {
			d := s.reset[name]
			s.local[name] = d
			return
		}
		s.local[name] = e.Value
		return
	}
	delete(s.local, name) // a later session-level SET overrides SET LOCAL
	if e.Reset {
		s.setPending(name, nil)
		return
	}
	v := e.Value
	s.setPending(name, &v)
}

// report records a value the server reported in ParameterStatus: it is
// the session's value now, whatever set it (a function, a DO block).
func (s *settings) report(name, value string) {
	s.gen++
	if _, ok := s.local[name]; ok {
		s.local[name] = value
		return
	}
	if _, ok := s.pending[name]; ok {
		s.pending[name] = &value
		return
	}
	s.committed[name] = value
}

func (s *settings) setPending(name string, v *string) {
	if s.pending == nil {
		s.pending = make(map[string]*string)
	}
	s.pending[name] = v
}

// savepoint follows SAVEPOINT, RELEASE and ROLLBACK TO.
func (s *settings) savepoint(op *rewrite.SavepointOp) {
	s.gen++
	if op.Kind == rewrite.SavepointDefine {
		s.saved = append(s.saved, savedState{name: op.Name, pending: cloneMap(s.pending), local: cloneMap(s.local)})
		return
	}
	i := len(s.saved) - 1
	for i >= 0 && s.saved[i].name != op.Name {
		i--
	}
	if i < 0 {
		return // unknown savepoint: the server refused it
	}
	if op.Kind == rewrite.SavepointRelease {
		s.saved = s.saved[:i]
		return
	}
	s.pending, s.local = cloneMap(s.saved[i].pending), cloneMap(s.saved[i].local)
	s.saved = s.saved[:i+1]
}

// commit ends the transaction keeping its session-level SETs.
func (s *settings) commit() {
	s.gen++
	for k, v := range s.pending {
		if v == nil {
			if d, ok := s.reset[k]; ok {
				s.committed[k] = d
			} else {
				delete(s.committed, k)
			}
			continue
		}
		s.committed[k] = *v
	}
	s.pending, s.local, s.saved = nil, nil, nil
}

// rollback ends the transaction undoing its SETs.
func (s *settings) rollback() { s.pending, s.local, s.saved = nil, nil, nil; s.gen++ }

// learned replaces what the proxy knew with the server's answer to a probe:
// now is each setting's current value, reset its RESET value. Inside a
// transaction the two cannot be told apart, so current becomes committed.
func (s *settings) learned(now, reset map[string]string) {
	s.gen++
	for k, v := range reset {
		s.reset[k] = v
	}
	s.pending, s.local, s.saved = nil, nil, nil
	for k, v := range now {
		s.committed[k] = v
	}
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ParseVisibility maps a softdelete.visibility value to the rewrite mode.
func ParseVisibility(v string) (rewrite.Visibility, bool) {
	switch strings.ToLower(strings.TrimSpace(strings.Trim(v, "'"))) {
	case "", "active":
		return rewrite.VisibilityActive, true
	case "deleted", "trash":
		return rewrite.VisibilityDeleted, true
	case "all":
		return rewrite.VisibilityAll, true
	}
	return rewrite.VisibilityActive, false
}

// StartupSettings extracts tracked settings from startup parameters and
// the -c / --name=value switches of the options parameter.
func StartupSettings(params map[string]string) map[string]string {
	out := map[string]string{}
	for _, n := range trackedSettings {
		if v, ok := params[n]; ok {
			out[n] = v
		}
	}
	for k, v := range ParseOptions(params["options"]) {
		if IsTracked(k) || strings.HasPrefix(k, "softdelete.") {
			out[k] = v
		}
	}
	return out
}

// ParseOptions parses libpq's options string: "-c name=value" or
// "--name=value" switches separated by spaces, with backslash escapes.
func ParseOptions(opts string) map[string]string {
	out := map[string]string{}
	words := splitOptions(opts)
	for i := 0; i < len(words); i++ {
		w := words[i]
		var kv string
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			kv = words[i]
		case strings.HasPrefix(w, "-c"):
			kv = w[2:]
		case strings.HasPrefix(w, "--"):
			kv = w[2:]
		default:
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		out[strings.ToLower(strings.ReplaceAll(k, "-", "_"))] = v
	}
	return out
}

// splitOptions splits on unescaped white space, as the server's
// pg_split_opts does.
func splitOptions(opts string) []string {
	var words []string
	var cur strings.Builder
	escaped := false
	for _, r := range opts {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}
