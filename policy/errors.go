package policy

import (
	"errors"
	"fmt"
	"sort"
)

// ConfigError is one problem in a configuration file. Load, Parse and
// Validate return every problem at once as an errors.Join of *ConfigError,
// ordered by line; use errors.As to reach the first one.
type ConfigError struct {
	File string // the name given to Parse or the path given to Load; may be ""
	Line int    // 1-based; 0 when the problem has no place in the file
	Msg  string
}

func (e *ConfigError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// problems collects ConfigErrors for one file. pos maps a key path
// ("upstream_tls.mode", "tables.public.deals.retention") to its line.
type problems struct {
	file string
	pos  map[string]int
	list []*ConfigError
}

// at records a problem on line.
func (p *problems) at(line int, format string, args ...any) {
	p.list = append(p.list, &ConfigError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// add records a problem on the line of the first of paths found in pos.
func (p *problems) add(paths []string, format string, args ...any) {
	p.at(p.line(paths...), format, args...)
}

func (p *problems) line(paths ...string) int {
	for _, k := range paths {
		if l, ok := p.pos[k]; ok {
			return l
		}
	}
	return 0
}

// join sorts the problems by line (those without a line last), drops exact
// repeats and joins them; nil when there are none.
func join(list []*ConfigError) error {
	sort.SliceStable(list, func(i, j int) bool { return lineKey(list[i]) < lineKey(list[j]) })
	seen := make(map[ConfigError]bool, len(list))
	errs := make([]error, 0, len(list))
	for _, e := range list {
		if seen[*e] {
			continue
		}
		seen[*e] = true
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

func lineKey(e *ConfigError) int {
	if e.Line <= 0 {
		return int(^uint(0) >> 1)
	}
	return e.Line
}
