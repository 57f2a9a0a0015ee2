package proxy

import (
	"strings"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Tracked settings: the ones a rewrite depends on.
const (
	settingSearchPath = "search_path"
	settingVisibility = "softdelete.visibility"
)

var trackedSettings = []string{settingSearchPath, settingVisibility}

// settings mirrors the server's values of the tracked settings with
// PostgreSQL's transaction semantics: a session-level SET inside a
// transaction takes effect for the session at COMMIT and is undone by
// ROLLBACK (or by an error ending an implicit transaction); SET LOCAL lasts
// until the end of the transaction; RESET returns to the value the session
// started with (startup parameters and options). SAVEPOINT-level undo is not
// tracked. It belongs to the server loop, which applies each statement's
// effect once the server has confirmed it.
type settings struct {
	startup   map[string]string // values at session start; absent = built-in default
	committed map[string]string
	pending   map[string]*string // session-level SETs of the open transaction; nil value = reset
	local     map[string]string  // SET LOCAL of the open transaction
	saved     []savedState       // savepoints of the open transaction, oldest first
}

// savedState is the transaction's settings when a savepoint was set.
type savedState struct {
	name    string
	pending map[string]*string
	local   map[string]string
}

func newSettings(startup map[string]string) *settings {
	s := &settings{startup: startup, committed: make(map[string]string, len(startup))}
	for k, v := range startup {
		s.committed[k] = v
	}
	return s
}

// get returns the effective value of name and whether it is set at all.
func (s *settings) get(name string) (string, bool) {
	if v, ok := s.local[name]; ok {
		return v, true
	}
	if v, ok := s.pending[name]; ok {
		if v == nil {
			d, ok := s.startup[name]
			return d, ok
		}
		return *v, true
	}
	v, ok := s.committed[name]
	return v, ok
}

// mustGet is get without the presence flag.
func (s *settings) mustGet(name string) string {
	v, _ := s.get(name)
	return v
}

// apply records a SET/RESET the server has accepted.
func (s *settings) apply(e *rewrite.SetEffect) {
	if e.ResetAll {
		for _, n := range trackedSettings {
			s.setPending(n, nil)
		}
		s.local = nil
		return
	}
	name := strings.ToLower(e.Name)
	if !isTracked(name) {
		return
	}
	if e.Local {
		if s.local == nil {
			s.local = make(map[string]string)
		}
		if e.Reset {
			d := s.startup[name]
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

func (s *settings) setPending(name string, v *string) {
	if s.pending == nil {
		s.pending = make(map[string]*string)
	}
	s.pending[name] = v
}

// savepoint follows SAVEPOINT, RELEASE and ROLLBACK TO: rolling back to a
// savepoint undoes the SETs made after it.
func (s *settings) savepoint(op *rewrite.SavepointOp) {
	if op.Kind == rewrite.SavepointDefine {
		s.saved = append(s.saved, savedState{name: op.Name, pending: clone(s.pending), local: clone(s.local)})
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
	s.pending, s.local = clone(s.saved[i].pending), clone(s.saved[i].local)
	s.saved = s.saved[:i+1]
}

func clone[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// commit ends the transaction keeping its session-level SETs.
func (s *settings) commit() {
	for k, v := range s.pending {
		if v == nil {
			if d, ok := s.startup[k]; ok {
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
func (s *settings) rollback() { s.pending, s.local, s.saved = nil, nil, nil }

func isTracked(name string) bool {
	for _, n := range trackedSettings {
		if n == name {
			return true
		}
	}
	return false
}

// parseVisibility maps a softdelete.visibility value to the rewrite mode.
func parseVisibility(v string) (rewrite.Visibility, bool) {
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

// startupSettings extracts tracked settings from startup parameters and
// the -c / --name=value switches of the options parameter.
func startupSettings(params map[string]string) map[string]string {
	out := map[string]string{}
	for _, n := range trackedSettings {
		if v, ok := params[n]; ok {
			out[n] = v
		}
	}
	for k, v := range parseOptions(params["options"]) {
		if isTracked(k) {
			out[k] = v
		}
	}
	return out
}

// parseOptions parses libpq's options string: "-c name=value" or
// "--name=value" switches separated by spaces, with backslash escapes.
func parseOptions(opts string) map[string]string {
	out := map[string]string{}
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
		case r == ' ' || r == '\t':
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
