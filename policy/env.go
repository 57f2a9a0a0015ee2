package policy

import (
	"fmt"
	"strings"
)

// lookupEnv is os.LookupEnv; tests pass their own.
type lookupEnv func(string) (string, bool)

// expandEnv replaces ${NAME} and ${NAME:-default} in s. The default is used
// when NAME is unset or empty, as in the shell; an unset NAME without a
// default is an error. "$${" stands for a literal "${"; any other $ is kept.
func expandEnv(s string, env lookupEnv) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		if i > 0 && s[i-1] == '$' {
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unterminated ${ in %q", redact(s[i:]))
		}
		val, err := expandRef(s[i+2:i+end], env)
		if err != nil {
			return "", err
		}
		b.WriteString(val)
		s = s[i+end+1:]
	}
}

// expandRef expands the inside of one ${…}.
func expandRef(ref string, env lookupEnv) (string, error) {
	name, def, hasDef := strings.Cut(ref, ":-")
	if !validEnvName(name) {
		return "", fmt.Errorf("bad environment variable name %q in ${%s}", name, name)
	}
	val, ok := env(name)
	switch {
	case hasDef && val == "":
		return def, nil
	case !ok:
		return "", fmt.Errorf("environment variable %s is not set (write ${%s:-default} for a fallback)", name, name)
	}
	return val, nil
}

func validEnvName(s string) bool {
	for i, r := range s {
		if !(r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || (i > 0 && '0' <= r && r <= '9')) {
			return false
		}
	}
	return s != ""
}

// redact hides what looks like a password in a URL-ish string, for messages.
func redact(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		if c := strings.Index(s, "://"); c >= 0 && c < at {
			return s[:c+3] + "…@" + s[at+1:]
		}
	}
	return s
}
