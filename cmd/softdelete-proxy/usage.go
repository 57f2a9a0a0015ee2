package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// printFlags lists the flags of fs as they are written on a command line,
// with two dashes like the usage lines (the flag package accepts one or
// two): the argument name is the `quoted` word of the help text in upper
// case, as the usage lines write it, and a default is shown unless it is
// the zero value.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + strings.ToUpper(arg)
		}
		if !zeroDefault(f.DefValue) {
			help += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s%s\n        %s\n", f.Name, arg, help)
	})
}

// zeroDefault reports a default not worth printing.
func zeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
