package policy

import "testing"

func TestExpandEnv(t *testing.T) {
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"HOST": "db", "EMPTY": "", "PW": "p@ss"}[k]
		return v, ok
	}
	for _, tc := range []struct{ in, want string }{
		{"postgres://u@${HOST}/app", "postgres://u@db/app"},
		{"${HOST}${HOST}", "dbdb"},
		{"${NOPE:-fallback}", "fallback"},
		{"${EMPTY:-fallback}", "fallback"},
		{"${EMPTY}", ""},
		{"${HOST:-x}", "db"},
		{"${NOPE:-}", ""},
		{"$${HOST}", "${HOST}"},
		{"a$b $ {c}", "a$b $ {c}"},
		{"${NOPE:-a:-b}", "a:-b"},
		{"no vars", "no vars"},
	} {
		got, err := expandEnv(tc.in, env)
		if err != nil || got != tc.want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"${NOPE}", "${}", "${1X}", "${A-B}", "x${HOST", "${HOST"} {
		if got, err := expandEnv(bad, env); err == nil {
			t.Errorf("expandEnv(%q) = %q, no error", bad, got)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := redact("postgres://u:secret@h/db"); got != "postgres://…@h/db" {
		t.Errorf("redact = %q", got)
	}
}
